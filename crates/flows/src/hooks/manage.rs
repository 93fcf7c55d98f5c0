//! [`list_hooks`], [`remove_hooks`] and [`rotate_secret`]: the recorded subscriptions over time.

use ado_client::api::hooks::NotificationFilter;
use ado_client::AdoClient;
use ado_core::ids::SubscriptionId;
use ado_core::webhook::{
    status_reason, Action, EventKind, HookAuth, RecordedHook, SubscriptionStatus,
};
use serde::Serialize;

use super::apply::{apply_plan_with, ApplyOptions};
use super::delivery::{delivery, Delivery};
use super::plan::{plan_for_specs, to_fact};
use super::recovery::rollback;
use super::run::delete;
use super::secret::generate_secret;
use super::{
    hook_problem, local_problem, ApplyEvent, ApplyReport, FailedHook, HookRecords, RollbackReport,
    SecretSource,
};

/// A recorded subscription and how it is doing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookState {
    /// What this app recorded. Serialized without secret fingerprints.
    #[serde(serialize_with = "recorded_without_fingerprints")]
    pub recorded: RecordedHook,
    /// False when it is gone from Azure DevOps.
    pub exists: bool,
    /// Its status.
    pub status: Option<SubscriptionStatus>,
    /// Why it is not delivering, when it is not.
    pub reason: Option<String>,
    /// The most recent delivery, if any.
    pub last_delivery: Option<Delivery>,
    /// The event, in words ("Code pushed").
    pub event_label: &'static str,
    /// The project's name (`None` when it could not be read).
    pub project: Option<String>,
    /// The repository's name, for subscriptions narrowed to one.
    pub repository: Option<String>,
    /// The branch, for subscriptions narrowed to one.
    pub branch: Option<String>,
    /// The receiver URL.
    pub url: String,
    /// The project's Service hooks page in Azure DevOps, where the subscription is listed
    /// (`None` when the project's name could not be read).
    pub page_url: Option<String>,
}

/// The Service hooks page of `project` (`{collection or organization}/{project}/_settings/serviceHooks`).
fn service_hooks_page(target: &ado_core::target::ConnectionTarget, project: &str) -> String {
    let encoded =
        percent_encoding::utf8_percent_encode(project, percent_encoding::NON_ALPHANUMERIC);
    format!("{}{encoded}/_settings/serviceHooks", target.api_base())
}

/// The Service hooks page that lists recorded subscription `id` (see [`HookState::page_url`]).
/// Only a subscription this connection recorded has one; its project is read from the server.
pub async fn hook_page(
    client: &AdoClient,
    records: &HookRecords,
    id: &SubscriptionId,
) -> Result<String, crate::Error> {
    let profile = records.profile()?;
    let recorded = profile
        .hooks
        .iter()
        .find(|h| h.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            super::local_problem(
                format!("Subscription {id} is not one this connection registered."),
                "Open the webhooks step again; its list shows the subscriptions this app manages.",
            )
        })?;
    let project = client
        .project(&recorded.spec.project_id)
        .await
        .map_err(|e| hook_problem(&profile.target, &e, "read the subscription's project"))?;
    Ok(service_hooks_page(&profile.target, &project.name))
}

/// Project and repository names by id, read once per project; unreadable ones stay unnamed.
async fn names_of(
    client: &AdoClient,
    hooks: &[RecordedHook],
) -> std::collections::BTreeMap<String, (String, Vec<(String, String)>)> {
    use futures_util::StreamExt as _;
    let mut projects: Vec<String> = hooks
        .iter()
        .map(|h| h.spec.project_id.to_ascii_lowercase())
        .collect();
    projects.sort();
    projects.dedup();
    let lookups: Vec<_> = projects
        .into_iter()
        .map(|id| async move {
            let project = client.project(&id).await.ok()?;
            let repos = client
                .repositories(Some(&project.id))
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r.id.to_ascii_lowercase(), r.name))
                .collect();
            Some((id, (project.name, repos)))
        })
        .collect();
    futures_util::stream::iter(lookups)
        .buffer_unordered(super::scope::LOOKUPS_AT_ONCE)
        .filter_map(|x| async move { x })
        .collect()
        .await
}

fn recorded_without_fingerprints<S: serde::Serializer>(
    recorded: &RecordedHook,
    s: S,
) -> Result<S::Ok, S::Error> {
    recorded.without_fingerprints().serialize(s)
}

/// The recorded subscriptions with their status and last delivery, as Azure DevOps reports them.
pub async fn list_hooks(
    client: &AdoClient,
    records: &HookRecords,
) -> Result<Vec<HookState>, crate::Error> {
    let profile = records.profile()?;
    let fingerprints = records.fingerprinter()?;
    let names = names_of(client, &profile.hooks).await;
    let mut states = Vec::new();
    for recorded in profile.hooks {
        let spec = &recorded.spec;
        let named = names.get(&spec.project_id.to_ascii_lowercase());
        let project = named.map(|(name, _)| name.clone());
        let repository = spec.repository_id.as_ref().map(|id| {
            named
                .and_then(|(_, repos)| repos.iter().find(|(r, _)| r.eq_ignore_ascii_case(id)))
                .map(|(_, name)| name.clone())
                .unwrap_or_else(|| id.clone())
        });
        let page_url = project
            .as_deref()
            .map(|name| service_hooks_page(&profile.target, name));
        let shown = (
            spec.event.label(),
            project,
            repository,
            spec.branch.clone(),
            spec.url.clone(),
        );
        match client.subscription(&recorded.id).await {
            Ok(subscription) => {
                let fact = to_fact(&subscription, &fingerprints);
                let last_delivery = client
                    .notifications(
                        &recorded.id,
                        &NotificationFilter {
                            max_results: Some(1),
                            ..Default::default()
                        },
                    )
                    .await
                    .ok()
                    .and_then(|list| {
                        list.iter()
                            .max_by_key(|n| n.id)
                            .map(|n| delivery(n, Some(&recorded.spec.auth)))
                    });
                states.push(HookState {
                    recorded,
                    exists: true,
                    status: Some(fact.status),
                    reason: status_reason(&fact),
                    last_delivery,
                    event_label: shown.0,
                    project: shown.1,
                    repository: shown.2,
                    branch: shown.3,
                    url: shown.4,
                    page_url: page_url.clone(),
                });
            }
            Err(e) if e.status() == Some(404) => states.push(HookState {
                recorded,
                exists: false,
                status: None,
                reason: Some("deleted in Azure DevOps".into()),
                last_delivery: None,
                event_label: shown.0,
                project: shown.1,
                repository: shown.2,
                branch: shown.3,
                url: shown.4,
                page_url,
            }),
            Err(e) => return Err(hook_problem(&profile.target, &e, "read the subscription")),
        }
    }
    Ok(states)
}

/// One subscription "remove" handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovedHook {
    /// The subscription.
    pub id: SubscriptionId,
    /// Its event.
    pub event: EventKind,
    /// Its receiver.
    pub url: String,
    /// True when it was gone already.
    pub already_gone: bool,
}

/// What [`remove_hooks`] did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveReport {
    /// True when every recorded subscription is gone.
    pub ok: bool,
    /// Deleted (or gone already).
    pub removed: Vec<RemovedHook>,
    /// Still there: the deletion failed (they stay recorded, so removing again retries).
    pub failed: Vec<FailedHook>,
    /// An interrupted run rolled back first, if there was one.
    pub rolled_back: Option<RollbackReport>,
}

/// Deletes exactly the subscriptions this app created or adopted for the connection (a 404
/// counts as gone), and nothing else: an interrupted run is rolled back first, so a create that
/// landed before a crash is not left behind. The secret stays in the keyring until the
/// connection is forgotten, so adding hooks again reuses it.
pub async fn remove_hooks(
    client: &AdoClient,
    records: &HookRecords,
) -> Result<RemoveReport, crate::Error> {
    let rolled_back = match records.interrupted()? {
        Some(_) => Some(rollback(client, records).await?),
        None => None,
    };
    let profile = records.profile()?;
    let mut report = RemoveReport {
        rolled_back,
        ..Default::default()
    };
    for hook in &profile.hooks {
        match delete(client, &hook.id).await {
            Ok(existed) => report.removed.push(RemovedHook {
                id: hook.id.clone(),
                event: hook.spec.event,
                url: hook.spec.url.clone(),
                already_gone: !existed,
            }),
            Err(e) => report.failed.push(FailedHook {
                action: Action::Unchanged,
                event: hook.spec.event,
                subscription_id: Some(hook.id.clone()),
                problem: hook_problem(&profile.target, &e, "delete the subscription"),
            }),
        }
    }
    let removed: Vec<SubscriptionId> = report.removed.iter().map(|r| r.id.clone()).collect();
    records.update_hooks(|hooks| {
        hooks.retain(|h| !removed.iter().any(|r| r.eq_ignore_ascii_case(&h.id)))
    })?;
    report.ok = report.failed.is_empty()
        && report
            .rolled_back
            .as_ref()
            .is_none_or(|r| r.failed.is_empty());
    Ok(report)
}

/// Rotates the header secret: generates a new one and updates every recorded subscription that
/// uses the secret header, then returns the report with the new secret (shown once). The
/// receiver must accept the new secret from now on; deliveries already queued may still carry
/// the old one for a short while.
pub async fn rotate_secret(
    client: &AdoClient,
    records: &HookRecords,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ApplyReport, crate::Error> {
    let profile = records.profile()?;
    if records.interrupted()?.is_some() {
        return Err(local_problem(
            "An earlier webhook run did not finish.".into(),
            "Finish it (retry) or roll it back first, then rotate.",
        ));
    }
    let secret = generate_secret();
    let fp = records.fingerprinter()?.of_secret(&secret);
    let mut specs = Vec::new();
    for hook in &profile.hooks {
        let mut spec = hook.spec.clone();
        if let HookAuth::SecretHeader {
            secret: reference, ..
        } = &mut spec.auth
        {
            reference.fingerprint = Some(fp.clone());
            specs.push(spec);
        }
    }
    if specs.is_empty() {
        return Err(local_problem(
            "No recorded subscription uses a secret header, so there is no secret to rotate."
                .into(),
            "Apply webhooks with a secret header first.",
        ));
    }
    let plan = plan_for_specs(
        client,
        records,
        &profile.target,
        specs,
        secret,
        SecretSource::Rotated,
        ado_core::webhook::PlanRules::default(),
    )
    .await?;
    // Rotating is the admin's explicit request to change the secret.
    let options = ApplyOptions {
        confirm_secret_change: true,
        ..ApplyOptions::default()
    };
    apply_plan_with(client, records, &plan, &options, progress).await
}
