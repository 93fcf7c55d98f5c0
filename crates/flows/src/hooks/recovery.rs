//! [`recover`] and [`rollback`]: settle a run the journal says did not finish.
//!
//! Recovery rules ([`recover`]), for each change the journal announced but did not conclude:
//! - create: look the subscription up by the matching rule; if it exists the create landed
//!   before the crash, so it is recorded (not created again); otherwise it is created now;
//! - update / re-enable: sent again (`PUT` is idempotent); a subscription gone meanwhile is
//!   dropped from the run;
//! - failed changes are retried the same way. Changes concluded as done are recorded.
//!
//! [`rollback`] deletes what the run created (concluded creates by id, unconcluded ones by the
//! matching rule, never a subscription recorded as ours before the run) and reports the
//! updates it cannot undo.

use std::collections::BTreeSet;

use ado_client::AdoClient;
use ado_core::ids::SubscriptionId;
use ado_core::webhook::{self, Action, HookAuth, HookOrigin, HookSpec};
use secrecy::{ExposeSecret as _, SecretString};

use super::journal::{Journal, Outcome, Record};
use super::plan::existing_subscriptions;
use super::run::{applied, delete, settle, sort_outcomes, upsert, Job, Run};
use super::secret::{BASIC_PASSWORD_NAME, HEADER_SECRET_NAME};
use super::{
    hook_problem, local_problem, now_unix, ApplyEvent, ApplyReport, FailedHook, HookRecords,
    RollbackReport, DEFAULT_CONCURRENCY,
};

/// Finishes an interrupted run (see the module docs for the rules) and records its
/// subscriptions. Without a journal, does nothing and reports `ok`.
pub async fn recover(
    client: &AdoClient,
    records: &HookRecords,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ApplyReport, crate::Error> {
    let Some(state) = records.interrupted()? else {
        return Ok(ApplyReport {
            ok: true,
            ..Default::default()
        });
    };
    let profile = records.profile()?;
    let target = &profile.target;
    let unsettled: Vec<_> = state
        .entries
        .iter()
        .filter(|e| !matches!(e.outcome, Outcome::Done { .. }))
        .collect();
    let secret = match state.entries.first().map(|e| &e.spec.auth) {
        Some(HookAuth::SecretHeader { .. }) => records.stored_secret(HEADER_SECRET_NAME)?,
        Some(HookAuth::Basic { .. }) => records.stored_secret(BASIC_PASSWORD_NAME)?,
        None => None,
    };
    let secret = match secret {
        Some(s) => s,
        None if unsettled.is_empty() => SecretString::from(String::new()),
        None => {
            return Err(local_problem(
                "The secret the interrupted run used is no longer in the keyring, so its changes cannot be finished.".into(),
                "Roll the interrupted run back instead, then apply again.",
            ))
        }
    };
    let fingerprints = records.fingerprinter()?;
    let current_fp = (!secret.expose_secret().is_empty()).then(|| fingerprints.of_secret(&secret));
    let existing = existing_subscriptions(client, &profile.hooks, &fingerprints)
        .await
        .map_err(|e| hook_problem(target, &e, "list the service-hook subscriptions"))?;
    let journal = Journal::reopen(&records.journal_path()).map_err(|e| {
        local_problem(
            format!("Cannot reopen the journal: {e}"),
            "Check the config directory's permissions.",
        )
    })?;

    let done_ids: BTreeSet<String> = state
        .entries
        .iter()
        .filter_map(|e| match &e.outcome {
            Outcome::Done { subscription_id } => Some(subscription_id.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let mut outcomes: Vec<(Job, Result<SubscriptionId, crate::Error>)> = Vec::new();
    let mut jobs = Vec::new();
    for entry in &state.entries {
        let mut spec = entry.spec.clone();
        refresh_fingerprint(&mut spec, current_fp.as_deref());
        let job = Job {
            seq: entry.seq,
            action: entry.action,
            spec,
            subscription_id: entry.subscription_id.clone(),
            adopting: entry.adopting,
        };
        match &entry.outcome {
            Outcome::Done { subscription_id } => outcomes.push((job, Ok(subscription_id.clone()))),
            Outcome::Pending | Outcome::Failed { .. } => match entry.action {
                Action::Create => {
                    let landed = existing.iter().find(|e| {
                        webhook::could_be_our_create(&job.spec, e)
                            && !done_ids.contains(&e.id.to_ascii_lowercase())
                    });
                    match landed {
                        Some(found) => {
                            // Created before the crash, never concluded: adopt it, do not create.
                            let _ = journal.append(&Record::Done {
                                seq: entry.seq,
                                subscription_id: found.id.clone(),
                            });
                            outcomes.push((job, Ok(found.id.clone())));
                        }
                        None => jobs.push(job),
                    }
                }
                _ => {
                    let gone = job
                        .subscription_id
                        .as_ref()
                        .is_none_or(|id| !existing.iter().any(|e| e.id.eq_ignore_ascii_case(id)));
                    if gone {
                        let _ = journal.append(&Record::Done {
                            seq: entry.seq,
                            subscription_id: job.subscription_id.clone().unwrap_or_default(),
                        });
                        tracing::info!(
                            seq = entry.seq,
                            "the subscription to update is gone; dropped from the run"
                        );
                    } else {
                        jobs.push(job);
                    }
                }
            },
        }
    }

    let run = Run {
        fingerprints: &fingerprints,
        client,
        target,
        journal: &journal,
        secret: &secret,
        progress,
        total: state.entries.iter().map(|e| e.seq).max().unwrap_or(0),
    };
    // What the interrupted run had made already is recorded, not reported as made now.
    let made_earlier = outcomes.len();
    outcomes.extend(run.all(jobs, DEFAULT_CONCURRENCY).await);
    let now = now_unix();
    records.update_hooks(|hooks| {
        for (job, result) in &outcomes {
            if let Ok(id) = result {
                let origin = if job.action == Action::Create {
                    HookOrigin::Created
                } else {
                    HookOrigin::Adopted
                };
                upsert(hooks, id, &job.spec, origin, current_fp.clone(), now);
            }
        }
    })?;
    let mut report = ApplyReport::default();
    let made_now = outcomes.split_off(made_earlier);
    report.recorded_from_interrupted_run = outcomes
        .iter()
        .filter_map(|(job, result)| {
            Some(applied(job.action, &job.spec, Some(result.as_ref().ok()?)))
        })
        .collect();
    sort_outcomes(&mut report, made_now);
    settle(journal, &mut report);
    report.ok = report.failed.is_empty();
    Ok(report)
}

/// Undoes an interrupted run: deletes the subscriptions it created (404 = already gone) and
/// drops them from the profile; reports the updates it cannot undo. The journal is deleted
/// when every deletion worked.
pub async fn rollback(
    client: &AdoClient,
    records: &HookRecords,
) -> Result<RollbackReport, crate::Error> {
    let Some(state) = records.interrupted()? else {
        return Ok(RollbackReport::default());
    };
    let profile = records.profile()?;
    let target = &profile.target;
    let existing = existing_subscriptions(client, &profile.hooks, &records.fingerprinter()?)
        .await
        .map_err(|e| hook_problem(target, &e, "list the service-hook subscriptions"))?;
    let run_created: BTreeSet<String> = state
        .entries
        .iter()
        .filter(|e| e.action == Action::Create)
        .filter_map(|e| match &e.outcome {
            Outcome::Done { subscription_id } => Some(subscription_id.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    // Recorded before this run: never deleted by a rollback.
    let ours_before: BTreeSet<String> = profile
        .hooks
        .iter()
        .map(|h| h.id.to_ascii_lowercase())
        .filter(|id| !run_created.contains(id))
        .collect();

    let mut report = RollbackReport {
        run_id: Some(state.run_id.clone()),
        ..Default::default()
    };
    for entry in &state.entries {
        if entry.action != Action::Create {
            if let Some(id) = &entry.subscription_id {
                report.kept.push(id.clone());
            }
            continue;
        }
        let id = match &entry.outcome {
            Outcome::Done { subscription_id } => Some(subscription_id.clone()),
            _ => existing
                .iter()
                .find(|e| {
                    webhook::could_be_our_create(&entry.spec, e)
                        && !ours_before.contains(&e.id.to_ascii_lowercase())
                })
                .map(|e| e.id.clone()),
        };
        let Some(id) = id else { continue };
        match delete(client, &id).await {
            Ok(_) => report.deleted.push(id),
            Err(e) => report.failed.push(FailedHook {
                action: Action::Create,
                event: entry.spec.event,
                subscription_id: Some(id),
                problem: hook_problem(target, &e, "delete the subscription"),
            }),
        }
    }
    let deleted: Vec<SubscriptionId> = report.deleted.clone();
    records.update_hooks(|hooks| {
        hooks.retain(|h| !deleted.iter().any(|d| d.eq_ignore_ascii_case(&h.id)))
    })?;
    if report.failed.is_empty() {
        Journal::remove(&records.journal_path()).map_err(|e| {
            local_problem(
                format!("Cannot delete the journal: {e}"),
                "Delete it by hand.",
            )
        })?;
    }
    Ok(report)
}

fn refresh_fingerprint(spec: &mut HookSpec, current: Option<&str>) {
    if let (HookAuth::SecretHeader { secret, .. }, Some(fp)) = (&mut spec.auth, current) {
        secret.fingerprint = Some(fp.to_string());
    }
}
