//! [`plan_hooks`]: everything is checked and nothing is changed.

use std::net::IpAddr;
use std::time::Duration;

use ado_client::api::hooks::{Subscription, SubscriptionFilter};
use ado_client::{AdoClient, Error};
use ado_core::checks::{CheckCode, Problem};
use ado_core::target::ConnectionTarget;
use ado_core::webhook::{
    self, check_receiver_url, validate_basic_password, validate_secret_value, EventKind,
    ExistingSubscription, HookAuth, HookSelection, HookSpec, PlanRules, ReceiverContext,
    RecordedHook, SecretRef, CONSUMER_ACTION_ID, CONSUMER_ID, DEFAULT_SECRET_HEADER, PUBLISHER_ID,
};
use secrecy::{ExposeSecret as _, SecretString};

use super::scope::{projects_of, require_hook_permission, resolve_scopes};
use super::secret::{generate_secret, Fingerprinter, BASIC_PASSWORD_NAME, HEADER_SECRET_NAME};
use super::{
    hook_problem, local_problem, AuthChoice, HookPlan, HookRecords, HookRequest, NamedId,
    SecretChoice, SecretSource,
};

/// Plans the subscriptions `request` asks for, changing nothing: resolves the project and
/// repository, checks that the signed-in user may edit service hooks in the project
/// (`invalid_permissions` otherwise), checks the receiver URL, decides the secret (the stored
/// one, or a new one held in memory until apply), lists the existing subscriptions and asks
/// the core's planner.
///
/// An interrupted earlier run does not stop planning; it is reported in
/// [`HookPlan::interrupted`] and [`super::apply_plan`] refuses until it is recovered or rolled back.
pub async fn plan_hooks(
    client: &AdoClient,
    records: &HookRecords,
    request: &HookRequest,
) -> Result<HookPlan, crate::Error> {
    let profile = records.profile()?;
    let target = &profile.target;

    // The receiver, the events offered and the subscriptions that exist depend neither on one
    // another nor on the scopes: asked at once with the scopes' lookups, and the permission in
    // every project asked in one batch as soon as the projects are known. A 429 on one of them
    // delays that one only. Their verdicts are still taken in this order.
    let recorded = records.recorded()?;
    // The secret and the fingerprint key are read from the keyring (a D-Bus round trip each,
    // and on a first run a key generated and stored): on a blocking thread while the requests
    // are on the wire, not after them. Their verdict still comes after the server's.
    let keyring = {
        let records = records.clone();
        let auth = request.auth.clone();
        tokio::task::spawn_blocking(move || {
            let decided = decide_secret(&records, &auth)?;
            Ok::<_, crate::Error>((decided, records.fingerprinter()?))
        })
    };
    let scoped = async {
        let scopes = resolve_scopes(client, target, request).await?;
        let permitted = require_hook_permission(
            client,
            target,
            &projects_of(&scopes),
            &profile.user_display_name,
        )
        .await;
        Ok::<_, crate::Error>((scopes, permitted))
    };
    let (scoped, receiver, offered, listed) = tokio::join!(
        scoped,
        check_receiver(client, target, &request.url),
        offered_events(client, target, &request.events),
        listed_subscriptions(client, &recorded),
    );
    let (scopes, permitted) = scoped?;
    permitted?;
    let receiver = receiver?;
    let (events, unoffered) = offered?;
    let listed =
        listed.map_err(|e| hook_problem(target, &e, "list the service-hook subscriptions"))?;

    let ((auth, secret, source, header), fingerprints) = keyring.await.map_err(|e| {
        local_problem(
            format!("Reading the secret from the keyring stopped: {e}"),
            "Plan again.",
        )
    })??;
    let existing = listed.iter().map(|s| to_fact(s, &fingerprints)).collect();
    let mut specs = Vec::new();
    for scope in &scopes {
        let selection = HookSelection {
            events: events.clone(),
            project_id: scope.project.id.clone(),
            repository_id: scope.repository.as_ref().map(|r| r.id.clone()),
            branch: request.branch.clone(),
            url: receiver.url.to_string(),
            auth: auth.clone(),
        };
        specs.extend(
            selection
                .specs()
                .map_err(|e| input_problem(e.to_string()))?,
        );
    }
    let repository = scopes.first().and_then(|s| s.repository.clone());
    let mut notes = unoffered.into_iter().collect::<Vec<_>>();
    if events.contains(&EventKind::BuildCompleted)
        && (repository.is_some()
            || request
                .branch
                .as_deref()
                .is_some_and(|b| !b.trim().is_empty()))
    {
        notes.push(
            "Build completed is sent for every build of the project: the repository and branch narrow the Git events only."
                .to_string(),
        );
    }

    let rules = PlanRules {
        take_over: request.take_over,
    };
    let mut plan = plan_against(records, specs, existing, &recorded, secret, source, rules)?;
    plan.project = scopes[0].project.clone();
    plan.repository = repository;
    plan.scopes = scopes;
    plan.branch = request
        .branch
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(webhook::normalize_branch);
    plan.url = receiver.url.to_string();
    plan.warnings = receiver.warnings;
    plan.notes = notes;
    plan.secret_header = header;
    Ok(plan)
}

/// Plans `specs` against the server's subscriptions and this connection's records.
pub(super) async fn plan_for_specs(
    client: &AdoClient,
    records: &HookRecords,
    target: &ConnectionTarget,
    specs: Vec<HookSpec>,
    secret: SecretString,
    source: SecretSource,
    rules: PlanRules,
) -> Result<HookPlan, crate::Error> {
    let recorded = records.recorded()?;
    let existing = existing_subscriptions(client, &recorded, &records.fingerprinter()?)
        .await
        .map_err(|e| hook_problem(target, &e, "list the service-hook subscriptions"))?;
    plan_against(records, specs, existing, &recorded, secret, source, rules)
}

/// Plans `specs` against subscriptions already listed and this connection's records.
fn plan_against(
    records: &HookRecords,
    specs: Vec<HookSpec>,
    existing: Vec<ExistingSubscription>,
    recorded: &[RecordedHook],
    secret: SecretString,
    source: SecretSource,
    rules: PlanRules,
) -> Result<HookPlan, crate::Error> {
    let plan = webhook::plan_with(&specs, &existing, recorded, rules);
    let header = specs.first().and_then(|s| match &s.auth {
        HookAuth::SecretHeader { header, .. } => Some(header.clone()),
        HookAuth::Basic { .. } => None,
    });
    let interrupted = records.interrupted()?;
    let in_flight = interrupted
        .as_ref()
        .map(|run| {
            plan.items()
                .filter_map(|item| {
                    let id = item.subscription_id.as_ref()?;
                    run.entries
                        .iter()
                        .any(|e| {
                            matches!(&e.outcome, super::journal::Outcome::Done { subscription_id } if subscription_id.eq_ignore_ascii_case(id))
                                || e.subscription_id.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(id))
                                || (e.action == ado_core::webhook::Action::Create
                                    && webhook::same_match_key(&e.spec, &item.spec))
                        })
                        .then(|| id.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(HookPlan {
        rotates_secret: plan.rotates_secret(),
        plan,
        in_flight,
        project: NamedId {
            id: specs
                .first()
                .map(|s| s.project_id.clone())
                .unwrap_or_default(),
            name: String::new(),
        },
        repository: None,
        branch: None,
        url: specs.first().map(|s| s.url.clone()).unwrap_or_default(),
        warnings: Vec::new(),
        notes: Vec::new(),
        secret_header: header,
        secret_source: source,
        interrupted,
        scopes: Vec::new(),
        rules,
        specs,
        secret,
    })
}

/// The events of `asked` this server offers, and a note naming those it does not. A Server's
/// `tfs` publisher lists its event types (`GET _apis/hooks/publishers/tfs/eventtypes`, in every
/// on-prem spec); Services offer every event the wizard knows. When the list cannot be read the
/// server decides at create time, as before. None offered: `invalid_input`, naming what is.
async fn offered_events(
    client: &AdoClient,
    target: &ConnectionTarget,
    asked: &[EventKind],
) -> Result<(Vec<EventKind>, Option<String>), crate::Error> {
    if target.deployment() != ado_core::target::Deployment::Server {
        return Ok((asked.to_vec(), None));
    }
    let Ok(listed) = client.event_types(PUBLISHER_ID).await else {
        return Ok((asked.to_vec(), None));
    };
    let offered: Vec<&str> = listed.iter().map(|e| e.id.as_str()).collect();
    let server = client
        .served_versions()
        .map(|v| ado_core::preflight::product_for_max_version(&v.latest.to_string()))
        .unwrap_or("This server");
    split_offered(asked, &offered, server)
}

/// Pure part of [`offered_events`]: keeps what `offered` lists, names the rest.
fn split_offered(
    asked: &[EventKind],
    offered: &[&str],
    server: &str,
) -> Result<(Vec<EventKind>, Option<String>), crate::Error> {
    let is_offered = |e: &EventKind| {
        offered
            .iter()
            .any(|o| o.eq_ignore_ascii_case(e.event_type()))
    };
    let (kept, missing): (Vec<EventKind>, Vec<EventKind>) =
        asked.iter().copied().partition(|e| is_offered(e));
    if missing.is_empty() {
        return Ok((kept, None));
    }
    let names = |events: &[EventKind]| {
        events
            .iter()
            .map(|e| format!("{} ({})", e.label(), e.event_type()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let available: Vec<EventKind> = EventKind::ALL.into_iter().filter(is_offered).collect();
    if kept.is_empty() {
        return Err(Problem {
            fix: format!("Choose events it offers: {}.", names(&available)),
            ..input_problem(format!("{server} does not offer {}.", names(&missing)))
        }
        .into());
    }
    Ok((
        kept,
        Some(format!(
            "{server} does not offer {}, so no subscription is planned for it; the other events are.",
            names(&missing)
        )),
    ))
}

/// The receiver check, with the facts it needs: the deployment, whether Azure DevOps itself is
/// on loopback (the sandbox), and what the receiver's host name resolves to here.
async fn check_receiver(
    client: &AdoClient,
    target: &ConnectionTarget,
    url: &str,
) -> Result<webhook::ReceiverCheck, crate::Error> {
    let azure_devops_on_loopback = is_loopback_host(client.base_url());
    let mut ctx = ReceiverContext {
        deployment: target.deployment(),
        azure_devops_on_loopback,
        resolved: Vec::new(),
    };
    if let Ok(parsed) = url::Url::parse(url.trim()) {
        if let (Some(url::Host::Domain(host)), Some(port)) =
            (parsed.host(), parsed.port_or_known_default())
        {
            ctx.resolved = resolve(host, port).await;
        }
    }
    check_receiver_url(url, &ctx).map_err(|refusal| refusal.to_problem().into())
}

/// What a host name resolves to here, within 2 s; nothing on failure (Azure DevOps may resolve
/// names this machine cannot).
async fn resolve(host: &str, port: u16) -> Vec<IpAddr> {
    match tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::lookup_host((host.to_string(), port)),
    )
    .await
    {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Decides the auth and its secret: the stored one, a new one, or the one given.
fn decide_secret(
    records: &HookRecords,
    choice: &AuthChoice,
) -> Result<(HookAuth, SecretString, SecretSource, Option<String>), crate::Error> {
    match choice {
        AuthChoice::SecretHeader { header, secret } => {
            let header = header
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .unwrap_or(DEFAULT_SECRET_HEADER)
                .to_string();
            let stored = records.stored_secret(HEADER_SECRET_NAME)?;
            let fp = records.fingerprinter()?;
            let (value, source) = match (secret, stored) {
                (SecretChoice::Keep, Some(stored)) => (stored, SecretSource::Kept),
                (SecretChoice::Keep, None) => (generate_secret(), SecretSource::Generated),
                (SecretChoice::Rotate, _) => (generate_secret(), SecretSource::Rotated),
                (SecretChoice::Provided { value }, stored) => {
                    validate_secret_value(value.expose_secret()).map_err(|e| {
                        input_problem(format!("The secret given cannot be used: {e}."))
                    })?;
                    let same = stored
                        .as_ref()
                        .is_some_and(|s| s.expose_secret() == value.expose_secret());
                    let source = if same {
                        SecretSource::Kept
                    } else {
                        SecretSource::Provided
                    };
                    (value.clone(), source)
                }
            };
            let auth = HookAuth::SecretHeader {
                header: header.clone(),
                secret: SecretRef {
                    key: records.secret_key(HEADER_SECRET_NAME),
                    fingerprint: Some(fp.of_secret(&value)),
                },
            };
            Ok((auth, value, source, Some(header)))
        }
        AuthChoice::Basic { username, password } => {
            let fp = records.fingerprinter()?;
            validate_basic_password(password.expose_secret())
                .map_err(|e| input_problem(format!("The password cannot be used: {e}.")))?;
            let auth = HookAuth::Basic {
                username: username.trim().to_string(),
                password: SecretRef {
                    key: records.secret_key(BASIC_PASSWORD_NAME),
                    fingerprint: Some(fp.of_secret(password)),
                },
            };
            Ok((auth, password.clone(), SecretSource::BasicPassword, None))
        }
    }
}

fn input_problem(message: String) -> Problem {
    Problem {
        code: CheckCode::InvalidInput,
        field: None,
        message,
        fix: "Change the webhook settings and plan again.".into(),
        server_message: None,
        support_id: None,
    }
}

/// The web-hook subscriptions of the organization or collection (publisher `tfs`, consumer
/// `webHooks`, action `httpRequest`), as facts; plus any recorded one the list left out (looked
/// up by id, so that a subscription is never called gone on the strength of a list alone).
pub(super) async fn existing_subscriptions(
    client: &AdoClient,
    recorded: &[RecordedHook],
    fingerprints: &Fingerprinter,
) -> Result<Vec<ExistingSubscription>, Error> {
    let listed = listed_subscriptions(client, recorded).await?;
    Ok(listed.iter().map(|s| to_fact(s, fingerprints)).collect())
}

/// [`existing_subscriptions`] as the server sent them (facts are made once the fingerprint
/// key may be read).
async fn listed_subscriptions(
    client: &AdoClient,
    recorded: &[RecordedHook],
) -> Result<Vec<Subscription>, Error> {
    let mut listed = client
        .subscriptions_where(&SubscriptionFilter {
            publisher_id: Some(PUBLISHER_ID.into()),
            consumer_id: Some(CONSUMER_ID.into()),
            consumer_action_id: Some(CONSUMER_ACTION_ID.into()),
            event_type: None,
        })
        .await?;
    let mut ids: std::collections::HashSet<String> =
        listed.iter().map(|s| s.id.to_ascii_lowercase()).collect();
    for r in recorded {
        if !ids.insert(r.id.to_ascii_lowercase()) {
            continue;
        }
        match client.subscription(&r.id).await {
            Ok(s) => listed.push(s),
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(listed)
}

/// A wire subscription as the core's facts, secrets as fingerprints.
pub(super) fn to_fact(s: &Subscription, fingerprints: &Fingerprinter) -> ExistingSubscription {
    let mut fact = ExistingSubscription::from_wire(
        &s.id,
        s.publisher_id.as_deref(),
        s.event_type.as_deref(),
        s.resource_version.as_deref(),
        s.consumer_id.as_deref(),
        s.consumer_action_id.as_deref(),
        &s.publisher_inputs,
        &s.consumer_inputs,
        s.status.as_deref(),
        &|value| fingerprints.of(value),
    );
    fact.probation_retries = s.probation_retries;
    fact.last_probation_retry_date = s.last_probation_retry_date.clone();
    fact.created_by = s
        .created_by
        .as_ref()
        .and_then(|c| c.display_name.clone().or_else(|| c.unique_name.clone()));
    fact
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_a_server_lacks_are_named_and_the_rest_kept() {
        let offered = ["git.push", "git.pullrequest.created", "build.complete"];
        let asked = [EventKind::CodePushed, EventKind::PullRequestMerged];
        let (kept, note) = split_offered(&asked, &offered, "Azure DevOps Server 2019").unwrap();
        assert_eq!(kept, [EventKind::CodePushed]);
        assert_eq!(
            note.as_deref(),
            Some("Azure DevOps Server 2019 does not offer Pull request merged (git.pullrequest.merged), so no subscription is planned for it; the other events are.")
        );
        let none = split_offered(
            &[EventKind::PullRequestMerged],
            &offered,
            "Azure DevOps Server 2019",
        )
        .unwrap_err();
        assert_eq!(none.code, CheckCode::InvalidInput);
        assert!(
            none.fix.contains("Code pushed (git.push)"),
            "offers what works: {}",
            none.fix
        );
        let all = split_offered(&asked, &["git.push", "GIT.PULLREQUEST.MERGED"], "x").unwrap();
        assert_eq!((all.0.len(), all.1), (2, None));
    }
}
