//! [`forget_connection`]: forgetting a connection never orphans its webhooks. The admin
//! chooses: remove them first (the default), or keep them delivering and stop tracking them.

use ado_core::ids::SubscriptionId;
use serde::{Deserialize, Serialize};

use super::manage::{remove_hooks, RemoveReport};
use super::{local_problem, open_session, HookRecords, JournalStatus, Session};
use crate::profiles::{Connections, ProfileId};

/// What happens to a connection's webhooks when it is forgotten.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HooksOnForget {
    /// Delete the subscriptions this app created or adopted (and settle the journal) first.
    #[default]
    #[serde(alias = "remove")]
    RemoveHooks,
    /// Leave them in Azure DevOps, delivering, and stop tracking them (records and journal go).
    #[serde(alias = "keep")]
    KeepHooks,
}

/// What [`forget_connection`] did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgetReport {
    /// The profile.
    pub profile_id: ProfileId,
    /// With [`HooksOnForget::RemoveHooks`]: what was deleted (`None` when there was nothing).
    pub removed: Option<RemoveReport>,
    /// With [`HooksOnForget::KeepHooks`]: the subscriptions left delivering, no longer tracked.
    pub kept: Vec<SubscriptionId>,
    /// False when there was no such connection.
    pub forgotten: bool,
}

/// True when forgetting `profile_id` needs a choice about webhooks: it has recorded
/// subscriptions or a journal. The CLI requires `--remove-hooks` or `--keep-hooks` then.
pub fn has_hooks(connections: &Connections, profile_id: &ProfileId) -> Result<bool, crate::Error> {
    let records = HookRecords::new(connections.clone(), profile_id.clone());
    let recorded = match records.profile() {
        Ok(p) => !p.hooks.is_empty(),
        Err(_) => return Ok(false),
    };
    Ok(recorded || records.journal_status() != JournalStatus::None)
}

/// Forgets a connection: first its webhooks as `choice` says (removing signs in with the stored
/// credential, refreshed if needed), then its journal, then the profile and every secret it
/// stored. When a removal fails nothing is forgotten (the records stay, so retrying removes the
/// rest), and the error says so.
pub async fn forget_connection(
    connections: &Connections,
    profile_id: &ProfileId,
    settings: &ado_auth::SignInSettings,
    choice: HooksOnForget,
) -> Result<ForgetReport, crate::Error> {
    let records = HookRecords::new(connections.clone(), profile_id.clone());
    let mut report = ForgetReport {
        profile_id: profile_id.clone(),
        ..Default::default()
    };
    let Ok(profile) = records.profile() else {
        return Ok(report);
    };
    let journal = records.journal_status();
    match choice {
        HooksOnForget::RemoveHooks
            if !profile.hooks.is_empty() || journal != JournalStatus::None =>
        {
            let Session { client, records } =
                open_session(connections, profile_id, settings).await?;
            let removed = remove_hooks(&client, &records).await?;
            if !removed.ok {
                return Err(local_problem(
                    format!(
                        "{} webhook subscription(s) could not be deleted, so the connection was not forgotten.",
                        removed.failed.len()
                    ),
                    "Try again (the rest are already gone), or forget it keeping the webhooks (they then keep delivering, untracked).",
                ));
            }
            report.removed = Some(removed);
        }
        HooksOnForget::RemoveHooks => {}
        HooksOnForget::KeepHooks => {
            report.kept = profile.hooks.iter().map(|h| h.id.clone()).collect();
            // What an interrupted run made is left delivering too: name it.
            if let JournalStatus::Interrupted(run) = &journal {
                for entry in &run.entries {
                    if let super::journal::Outcome::Done { subscription_id } = &entry.outcome {
                        if !report
                            .kept
                            .iter()
                            .any(|k| k.eq_ignore_ascii_case(subscription_id))
                        {
                            report.kept.push(subscription_id.clone());
                        }
                    }
                }
            }
        }
    }
    super::journal::Journal::remove(&records.journal_path()).map_err(|e| {
        local_problem(
            format!("Cannot delete the webhook journal: {e}"),
            "Check the config directory's permissions.",
        )
    })?;
    report.forgotten = connections
        .remove(profile_id)
        .map_err(|e| local_problem(e.to_string(), "Check the keyring and the config directory."))?;
    Ok(report)
}
