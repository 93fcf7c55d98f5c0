//! One credential's checks: who it is, where its calls point, then exactly the product's own
//! verification calls (or one read-only probe per scope it asks for) and the permissions it
//! names, decided by the core's verdicts.

use ado_core::checks::{CheckCode, Problem};
use ado_core::preflight::{Check, CheckId, Status};
use ado_core::product::verdicts;
use ado_core::product::{Permission, ProductProfile, VerifyCall};
use ado_core::target::Field;

use super::check::{ProductCheckRequest, ProductCredential, ProductEvent};
use super::facts::{Answer, Place, Prober};
use super::probes::probe_scope;
use crate::verify::{ConnectOptions, User};

/// What to prove for one credential.
pub(super) struct Plan<'a> {
    /// The product's own calls for this connector, when the profile lists them.
    pub calls: Option<Vec<&'a VerifyCall>>,
    /// Otherwise: one probe per scope.
    pub scopes: Vec<String>,
    /// Permissions the connector names.
    pub permissions: Vec<Permission>,
    /// The service-hooks permission.
    pub hooks: bool,
}

pub(super) async fn check_credential(
    request: &ProductCheckRequest,
    c: &ProductCredential,
    plan: &Plan<'_>,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> (Option<User>, Vec<Check>) {
    let profile = &request.profile;
    let mut rows = Vec::new();
    let emit = |rows: &mut Vec<Check>, check: Check| {
        on_event(&ProductEvent::Check {
            connector: &c.connector,
            index: c.index,
            check: &check,
        });
        rows.push(check);
    };
    let options = ConnectOptions {
        allow_http: request.options.allow_http || request.consent_to_http,
        ..request.options.clone()
    };
    let prober = match Prober::new(&request.target, &c.credential, &options) {
        Ok(p) => p,
        Err(problem) => {
            emit(
                &mut rows,
                Check::from_problem(CheckId::Credentials, Status::Fail, problem),
            );
            return (None, rows);
        }
    };
    let codes = profile.verification.as_ref().map(|v| &v.codes);
    let identity = match prober.identity().await {
        Ok(user) => {
            emit(
                &mut rows,
                Check::pass(
                    CheckId::Credentials,
                    format!(
                        "Signed in as {}.",
                        user.account.as_deref().unwrap_or(&user.display_name)
                    ),
                )
                .titled("Token works"),
            );
            user
        }
        Err(problem) => {
            let unauthorized = matches!(
                problem.code,
                CheckCode::InvalidCredentials | CheckCode::TokenExpired
            );
            let product_code = codes
                .and_then(|k| k.unauthorized.clone())
                .filter(|_| unauthorized);
            emit(
                &mut rows,
                Check::from_problem(CheckId::Credentials, Status::Fail, problem)
                    .titled("Token works")
                    .with_product_code(product_code),
            );
            return (None, rows);
        }
    };

    let needs_pr = plan
        .calls
        .as_ref()
        .is_some_and(|calls| calls.iter().any(|k| k.path.contains("{pull_request_id}")));
    let place = prober
        .locate(
            request.project.as_deref(),
            request.repository.as_deref(),
            needs_pr,
        )
        .await;
    let mut found = Vec::new();
    match &plan.calls {
        Some(calls) => {
            let rows_of = calls
                .iter()
                .map(|call| verify_call(&prober, profile, call, &place));
            found.extend(futures_util::future::join_all(rows_of).await);
        }
        None => {
            let user = identity
                .account
                .clone()
                .unwrap_or(identity.display_name.clone());
            let probes = plan
                .scopes
                .iter()
                .filter_map(|id| ado_core::product::known_scope(id))
                .map(|scope| probe_scope(&prober, &place, &user, &profile.product.name, scope));
            found.extend(futures_util::future::join_all(probes).await);
        }
    }
    for permission in &plan.permissions {
        found.push(
            permission_row(&prober, &place, &identity, *permission, &request.repository).await,
        );
    }
    if plan.hooks {
        found.push(hooks_row(&prober, &place, &identity, profile).await);
    }
    for row in found {
        emit(&mut rows, row);
    }
    (Some(identity), rows)
}

/// One of the product's own calls, decided by the core with the product's codes.
async fn verify_call(
    prober: &Prober<'_>,
    profile: &ProductProfile,
    call: &VerifyCall,
    place: &Place,
) -> Check {
    let request = match prober.call_request(call, place) {
        Ok(request) => request,
        Err(why) => {
            let verdict =
                verdicts::call_outcome(profile, call, verdicts::CallOutcome::Skipped(why));
            return call_row(verdict);
        }
    };
    let client = match prober.client_on(call.host.as_deref()) {
        Ok(client) => client,
        Err(problem) => {
            return Check::from_problem(CheckId::Capability, Status::Fail, problem)
                .titled(call.title.clone())
        }
    };
    let curl = prober.curl(&client, &request);
    let outcome = match prober.answer(&client, request).await {
        Answer::Ok { items, text } => verdicts::CallOutcome::Ok {
            items,
            forbidden_found: call
                .forbid_text
                .iter()
                .find(|t| text.to_ascii_lowercase().contains(&t.to_ascii_lowercase()))
                .cloned(),
        },
        Answer::Status { status, .. } if matches!(status, 401 | 403 | 404) => {
            verdicts::CallOutcome::Http {
                status,
                token_valid: true,
            }
        }
        Answer::Status { problem, .. } | Answer::Failed(problem) => {
            verdicts::CallOutcome::Failed(problem)
        }
    };
    call_row(verdicts::call_outcome(profile, call, outcome)).with_curl(curl)
}

async fn permission_row(
    prober: &Prober<'_>,
    place: &Place,
    who: &User,
    permission: Permission,
    wanted_repository: &Option<String>,
) -> Check {
    let title = permission.label().to_string();
    let (Some(project), Some(repo)) = (&place.project, &place.repository) else {
        let what = wanted_repository
            .as_deref()
            .map_or("no repository".to_string(), |r| {
                format!("no repository {r:?}")
            });
        return Check::from_problem(
            CheckId::Capability,
            Status::Fail,
            Problem::new(
                CheckCode::NotFound,
                Some(Field::Url),
                format!("The token sees {what}, so {} cannot be checked.", permission.label()),
                "Choose a repository the token can read (check its name and the token's Code scope).",
            ),
        )
        .titled(title);
    };
    let (answer, request) = prober
        .may_contribute_to_pull_requests(&project.id, &repo.id)
        .await;
    let curl = prober.curl(&prober.client, &request);
    let check = match answer {
        Ok(true) => Check::pass(
            CheckId::Capability,
            format!("{} may {} in {}/{} (a read-only permission query).", who.display_name, permission.label().to_lowercase(), project.name, repo.name),
        ),
        Ok(false) => Check::from_problem(
            CheckId::Capability,
            Status::Fail,
            Problem::new(
                CheckCode::InvalidPermissions,
                Some(Field::Pat),
                format!("{} may not {} in {}/{}.", who.display_name, permission.label().to_lowercase(), project.name, repo.name),
                format!("In Project settings → Repositories → {} → Security, allow \"{}\" for this identity (or add it to the Contributors group).", repo.name, permission.label()),
            ),
        ),
        Err(problem) => Check::from_problem(CheckId::Capability, Status::Fail, problem),
    };
    check.titled(title).with_curl(curl)
}

async fn hooks_row(
    prober: &Prober<'_>,
    place: &Place,
    who: &User,
    profile: &ProductProfile,
) -> Check {
    let name = &profile.product.name;
    let title = if profile.wizard_registers_hooks() {
        "Manage service hooks".to_string()
    } else {
        format!("{name} may create its webhooks")
    };
    let Some(project) = &place.project else {
        return Check::skip(
            CheckId::HookPermission,
            "Not checked: the token sees no project.",
        )
        .titled(title);
    };
    let (answer, request) = prober.may_edit_hooks(&project.id).await;
    let curl = prober.curl(&prober.client, &request);
    let check = match answer {
        Ok(true) => Check::pass(
            CheckId::HookPermission,
            format!("{} may edit service-hook subscriptions in project {} (a read-only permission query; nothing is created).", who.display_name, project.name),
        ),
        Ok(false) => Check::from_problem(
            CheckId::HookPermission,
            Status::Fail,
            Problem::new(
                CheckCode::InvalidPermissions,
                Some(Field::Pat),
                format!("{} may not edit service-hook subscriptions in project {}{}.", who.display_name, project.name, if profile.wizard_registers_hooks() { String::new() } else { format!(", so {name} cannot create its webhooks") }),
                format!("Add the identity to the project's Project Administrators group, or grant \"Edit subscriptions\" in Project settings → Permissions ({}{}/_settings/permissions).", prober.target.api_base(), super::facts::seg(&project.name)),
            ),
        ),
        Err(problem) => Check::from_problem(CheckId::HookPermission, Status::Fail, problem),
    };
    check.titled(title).with_curl(curl)
}

/// A verification call's verdict as a checklist row.
fn call_row(verdict: verdicts::CallVerdict) -> Check {
    Check {
        id: CheckId::Capability,
        capability: None,
        title: verdict.title,
        status: verdict.status,
        code: verdict.code,
        message: verdict.message,
        fix: verdict.fix,
        field: verdict.field,
        curl: None,
        server_message: None,
        support_id: None,
        product_code: verdict.product_code,
    }
}
