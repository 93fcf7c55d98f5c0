//! What the webhooks step depends on, asked before anything is planned or created: the
//! signed-in user's service-hooks permission ("Edit subscriptions") in the projects the step is
//! about to register in. [`hook_gate`] answers the step when it opens; [`apply_checked`] asks
//! again right before a plan is applied, so the backend refuses even when the UI did not ask.

use ado_client::AdoClient;
use serde::Serialize;

use super::scope::{projects_of, require_hook_permission, resolve_projects};
use super::{apply_plan, ApplyEvent, ApplyReport, HookPlan, HookRecords, NamedId, ProjectId};

/// The webhooks step's gate for some projects.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookGate {
    /// True when the user may edit subscriptions in every project checked.
    pub ok: bool,
    /// The projects checked (none asked: none checked, and the plan checks what is chosen).
    pub projects: Vec<NamedId<ProjectId>>,
    /// Why not, with the fix (`invalid_permissions`), when `ok` is false.
    pub problem: Option<crate::Error>,
}

/// Checks the service-hooks permission in `projects` (names or ids). A project that does not
/// exist, or a server that cannot be asked, is an error; a refusal is a gate that is not `ok`.
pub async fn hook_gate(
    client: &AdoClient,
    records: &HookRecords,
    projects: &[String],
) -> Result<HookGate, crate::Error> {
    let profile = records.profile()?;
    let names: Vec<String> = projects
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(HookGate {
            ok: true,
            projects: Vec::new(),
            problem: None,
        });
    }
    let resolved = resolve_projects(client, &profile.target, &names).await?;
    let problem = require_hook_permission(
        client,
        &profile.target,
        &resolved,
        &profile.user_display_name,
    )
    .await
    .err();
    Ok(HookGate {
        ok: problem.is_none(),
        projects: resolved,
        problem,
    })
}

/// Applies `plan` once the service-hooks permission holds in every project it covers (asked
/// again now: it may have been taken away since the plan); otherwise nothing is sent and the
/// refusal comes back with its fix.
pub async fn apply_checked(
    client: &AdoClient,
    records: &HookRecords,
    plan: &HookPlan,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ApplyReport, crate::Error> {
    let profile = records.profile()?;
    let projects = projects_of(&plan.scopes);
    require_hook_permission(
        client,
        &profile.target,
        &projects,
        &profile.user_display_name,
    )
    .await?;
    apply_plan(client, records, plan, progress).await
}
