//! One read-only probe per extra scope a profile asks for, beyond what the preflight's
//! capability probes already prove. A valid token refused with 401/403 here lacks the scope:
//! `invalid_permissions`, naming the scope as the PAT page does.
//!
//! | scope | probe |
//! | --- | --- |
//! | `vso.code_write` | `POST {project}/_apis/git/repositories/{repo}/refs` with `[]`: an empty ref update changes nothing, but needs the write scope |
//! | `vso.code_manage` | not probed without a change; listed as unchecked |
//! | `vso.graph` | `GET _apis/graph/users` (Services; `vssps.dev.azure.com` on the real service; Servers have no Graph API) |
//! | `vso.identity` | `GET _apis/identities?searchFilter=General&filterValue={user}` (`vssps` on the real service) |
//! | `vso.release` | `GET {project}/_apis/release/definitions?$top=1` (`vsrm.dev.azure.com` on the real service) |
//! | `vso.taskgroups_read` | `GET {project}/_apis/distributedtask/taskgroups` |

use ado_client::{AdoClient, Credential, Request};
use ado_core::capabilities::Scope;
use ado_core::checks::{self, CheckCode, Probe, Problem};
use ado_core::curl::{curl_command, AuthKind, CurlSpec};
use ado_core::preflight::{Check, CheckId, Status};
use ado_core::target::{ConnectionTarget, Deployment, Field};

use crate::failure::probe_failure;
use crate::verify::ConnectOptions;

/// Where one probe runs.
pub(super) struct ProbeContext<'a> {
    pub target: &'a ConnectionTarget,
    pub credential: &'a Credential,
    pub options: &'a ConnectOptions,
    pub project: Option<&'a str>,
    pub repository_id: Option<&'a str>,
    pub user: Option<&'a str>,
    pub product: &'a str,
}

/// The base of a Services area that real Azure DevOps serves on its own host
/// (`vssps.dev.azure.com/{org}`); sandboxes and tests serve every area on one host.
fn area_base(target: &ConnectionTarget, host_prefix: &str) -> url::Url {
    let base = target.api_base();
    match (target.deployment(), base.host_str()) {
        (Deployment::Services, Some("dev.azure.com")) => {
            let mut other = base.clone();
            let _ = other.set_host(Some(&format!("{host_prefix}.dev.azure.com")));
            other
        }
        _ => base,
    }
}

fn title(scope: &Scope) -> String {
    format!("Token has {}", scope.pat_label)
}

/// Probes `scope`; `None` when there is no probe for it.
pub(super) async fn probe_scope(ctx: &ProbeContext<'_>, scope: Scope) -> Check {
    let project = ctx.project.unwrap_or_default();
    let (host, request) = match scope.id {
        "vso.code_write" => match ctx.repository_id {
            Some(repo) => (
                None,
                Request::post_json(format!("{}/_apis/git/repositories/{repo}/refs", seg(project)), serde_json::json!([])).api_version("7.0"),
            ),
            None => return skip(&scope, "Not checked: no repository to probe in (the token sees none)."),
        },
        "vso.graph" if ctx.target.deployment() == Deployment::Server => {
            return skip(&scope, "Not checked: Azure DevOps Server has no Graph API; tick Graph (Read) when you create the token.")
        }
        "vso.graph" => (Some("vssps"), Request::get("_apis/graph/users").api_version("7.1-preview.1")),
        "vso.identity" => (
            Some("vssps"),
            Request::get("_apis/identities")
                .query("searchFilter", "General")
                .query("filterValue", ctx.user.unwrap_or_default())
                .query("queryMembership", "None")
                .api_version("7.0"),
        ),
        "vso.release" => (Some("vsrm"), Request::get(format!("{}/_apis/release/definitions", seg(project))).query("$top", 1).api_version("7.0")),
        "vso.taskgroups_read" => (None, Request::get(format!("{}/_apis/distributedtask/taskgroups", seg(project))).api_version("7.0")),
        _ => return skip(&scope, format!("Not checked: Azure DevOps has no read-only way to test {}; tick it when you create the token.", scope.pat_label)),
    };
    if request.method() != "POST"
        && scope.id != "vso.graph"
        && scope.id != "vso.identity"
        && ctx.project.is_none()
    {
        return skip(&scope, "Not checked: no project to probe in.");
    }
    let base = match host {
        Some(prefix) => area_base(ctx.target, prefix),
        None => ctx.target.api_base(),
    };
    let client = match AdoClient::new(ctx.options.client_config(base, ctx.credential.clone())) {
        Ok(c) => c,
        Err(e) => return skip(&scope, format!("Not checked: {e}")),
    };
    let curl = client.url_for(&request).ok().map(|url| {
        let body = request.body().map(|b| b.to_string());
        curl_command(&CurlSpec {
            method: request.method(),
            url: url.as_str(),
            auth: match ctx.credential {
                Credential::Anonymous => AuthKind::Anonymous,
                Credential::Pat(_) => AuthKind::Pat,
                Credential::Bearer(_) => AuthKind::Bearer,
            },
            json_body: body.as_deref(),
            ca_file: ctx.options.trusted_ca_pem.as_ref().map(|_| "ca.pem"),
        })
    });
    let check = match client.send(request).await {
        Ok(_) => Check::pass(
            CheckId::Capability,
            format!("Allowed: {} ({}).", scope.pat_label, scope.id),
        )
        .titled(title(&scope)),
        Err(error) => {
            let mut problem: Problem =
                checks::diagnose(ctx.target, &probe_failure(Probe::Repositories, &error));
            match error.status() {
                Some(401) | Some(403) => {
                    problem.code = CheckCode::InvalidPermissions;
                    problem.field = Some(Field::Pat);
                    problem.message = format!(
                        "The token lacks {} ({}), which {} needs.",
                        scope.pat_label, scope.id, ctx.product
                    );
                    problem.fix = format!(
                        "Edit the token (User settings → Personal access tokens) and tick {}.",
                        scope.pat_label
                    );
                }
                Some(404) => {
                    return skip(
                        &scope,
                        "Not checked: this server does not offer the API that proves it.",
                    )
                    .with_curl(curl)
                }
                _ => {}
            }
            let status = if problem.code == CheckCode::RateLimited {
                Status::Warn
            } else {
                Status::Fail
            };
            Check::from_problem(CheckId::Capability, status, problem).titled(title(&scope))
        }
    };
    check.with_curl(curl)
}

fn skip(scope: &Scope, why: impl Into<String>) -> Check {
    Check::skip(CheckId::Capability, why).titled(title(scope))
}

fn seg(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string()
}
