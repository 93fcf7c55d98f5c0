//! [`apply_plan`]: a plan's changes, journaled.
//!
//! Order of a run, and why:
//! 1. Refuse while an earlier run's journal is unsettled (finish or roll it back first).
//! 2. List the subscriptions again and re-plan the same specs: between showing the plan and
//!    pressing Apply, someone (or a double click) may have created one. Creating is never done
//!    on a stale picture; differences are reported in [`ApplyReport::replanned`].
//! 3. Open the journal, then put a new secret into the keyring: no subscription can ever carry
//!    a secret that is not stored.
//! 4. Create, update and re-enable, at most [`ApplyOptions::concurrency`] at once; each change
//!    is announced in the journal (fsynced) before its request and concluded after it.
//! 5. Record every created or adopted subscription in the profile, forget the ones gone.
//! 6. Settle the journal: deleted when everything worked, kept (for retry or rollback) when
//!    something failed.
//!
//! Finishing or undoing an interrupted run is [`super::recovery`]; making one change, journaled,
//! is [`super::run`].

use std::collections::HashMap;

use ado_client::AdoClient;
use ado_core::checks::Problem;
use ado_core::ids::SubscriptionId;
use ado_core::webhook::{
    self, Action, ExistingSubscription, HookAuth, HookOrigin, HookSpec, Plan, PlannedHook,
    RecordedHook, SpecKey,
};
use secrecy::ExposeSecret as _;

use super::journal::{Journal, Outcome, Record, RunState, VERSION};
use super::plan::existing_subscriptions;
use super::run::{applied, settle, sort_outcomes, upsert, Job, Run};
use super::secret::{BASIC_PASSWORD_NAME, HEADER_SECRET_NAME};
use super::{
    hook_problem, local_problem, now_unix, ApplyEvent, ApplyReport, HookPlan, HookRecords,
    RevealedSecret, SecretSource, DEFAULT_CONCURRENCY,
};

/// How a run behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Requests on the wire at once (at least 1); a change waiting out a 429 gives its place
    /// to another meanwhile. Default [`DEFAULT_CONCURRENCY`].
    pub concurrency: usize,
    /// The admin confirmed that the plan replaces the secret of subscriptions that deliver
    /// already ([`HookPlan::rotates_secret`]). Without it such a plan is refused.
    pub confirm_secret_change: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: DEFAULT_CONCURRENCY,
            confirm_secret_change: false,
        }
    }
}

/// Applies a plan from [`super::plan_hooks`] with the default options; see
/// [`apply_plan_with`].
pub async fn apply_plan(
    client: &AdoClient,
    records: &HookRecords,
    plan: &HookPlan,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ApplyReport, crate::Error> {
    apply_plan_with(client, records, plan, &ApplyOptions::default(), progress).await
}

/// Applies a plan: creates, updates and re-enables subscriptions, journaled, and records them
/// in the profile (see the module docs for the order). `progress` hears each change start and
/// end. Errors before any change are `Err`; once changes have begun, failures are reported in
/// [`ApplyReport::failed`] and the journal is kept so that [`recover`] can retry them or
/// [`rollback`] undo the run.
pub async fn apply_plan_with(
    client: &AdoClient,
    records: &HookRecords,
    plan: &HookPlan,
    options: &ApplyOptions,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ApplyReport, crate::Error> {
    let profile = records.profile()?;
    let target = &profile.target;
    if let Some(run) = records.interrupted()? {
        return Err(interrupted_problem(&run));
    }
    let recorded = profile.hooks.clone();
    let fingerprints = records.fingerprinter()?;
    let existing = existing_subscriptions(client, &recorded, &fingerprints)
        .await
        .map_err(|e| hook_problem(target, &e, "list the service-hook subscriptions"))?;
    let fresh = webhook::plan_with(&plan.specs, &existing, &recorded, plan.rules);
    if fresh.rotates_secret() && !options.confirm_secret_change {
        let n = fresh
            .update
            .iter()
            .chain(&fresh.reenable)
            .filter(|p| p.changes.iter().any(|c| c.replaces_secret()))
            .count();
        return Err(Problem {
            code: ado_core::checks::CheckCode::InvalidInput,
            field: None,
            message: format!("This plan replaces the secret of {n} subscription(s) that deliver already: their receiver rejects deliveries until it has the new one. Nothing was changed."),
            fix: "Confirm the secret change (CLI: --confirm-secret-change; app: the confirmation in the plan), then give the receiver the new secret shown after Apply.".into(),
            server_message: None,
            support_id: None,
        }.into());
    }
    let mut report = ApplyReport {
        replanned: differences(&plan.plan, &fresh),
        ..Default::default()
    };

    let mut items: Vec<PlannedHook> = fresh
        .create
        .iter()
        .chain(&fresh.update)
        .chain(&fresh.reenable)
        .cloned()
        .collect();
    items.extend(drifted_duplicates(&fresh, &existing, &recorded));
    let jobs: Vec<Job> = items
        .iter()
        .enumerate()
        .map(|(i, item)| Job::from_plan(i as u32 + 1, item))
        .collect();
    let secret_name = secret_name(&plan.specs);
    // A secret already in the keyring (the same plan applied twice) is neither stored nor shown again.
    let already_stored = records
        .stored_secret(secret_name)?
        .is_some_and(|s| s.expose_secret() == plan.secret.expose_secret());
    let journal = if jobs.is_empty() {
        None
    } else {
        let begin = Record::Begin {
            version: VERSION,
            run_id: run_id(),
            profile_id: records.profile_id().clone(),
            base_url: client.base_url().to_string(),
            started_at: now_unix(),
            secret_fingerprint: header_fingerprint(&plan.specs),
        };
        Some(
            Journal::create(&records.journal_path(), &begin).map_err(|e| {
                local_problem(
                    format!(
                        "Cannot start the journal {}: {e}",
                        records.journal_path().display()
                    ),
                    "Check the config directory's permissions; nothing was changed.",
                )
            })?,
        )
    };
    if plan.secret_is_new() && !already_stored {
        if let Err(problem) = records.store_secret(secret_name, &plan.secret) {
            if let Some(journal) = &journal {
                let _ = Journal::remove(journal.path());
            }
            return Err(problem);
        }
        if matches!(
            plan.secret_source,
            SecretSource::Generated | SecretSource::Rotated
        ) {
            report.secret = plan.secret_header.clone().map(|header| RevealedSecret {
                header,
                value: plan.secret.expose_secret().to_string(),
                stored_in: records.keyring_description().to_string(),
            });
        }
    }

    let outcomes = match &journal {
        Some(journal) => {
            let run = Run {
                fingerprints: &fingerprints,
                client,
                target,
                journal,
                secret: &plan.secret,
                progress,
                total: jobs.len() as u32,
            };
            run.all(jobs, options.concurrency).await
        }
        None => Vec::new(),
    };

    let fp = header_fingerprint(&plan.specs);
    let now = now_unix();
    let missing: Vec<SubscriptionId> = fresh.missing.iter().map(|m| m.id.clone()).collect();
    let kept_items: Vec<&PlannedHook> = fresh.adopt.iter().chain(&fresh.unchanged).collect();
    let recorded_ok = records.update_hooks(|hooks| {
        hooks.retain(|h| !missing.iter().any(|m| m.eq_ignore_ascii_case(&h.id)));
        for item in &kept_items {
            if let Some(id) = &item.subscription_id {
                upsert(hooks, id, &item.spec, HookOrigin::Adopted, fp.clone(), now);
            }
        }
        for (job, result) in &outcomes {
            if let Ok(id) = result {
                let origin = if job.action == Action::Create {
                    HookOrigin::Created
                } else {
                    HookOrigin::Adopted
                };
                upsert(hooks, id, &job.spec, origin, fp.clone(), now);
            }
        }
    });

    report.forgotten = missing;
    for item in &fresh.adopt {
        report.adopted.push(applied(
            item.action,
            &item.spec,
            item.subscription_id.as_ref(),
        ));
    }
    for item in &fresh.foreign {
        report.left_alone.push(applied(
            Action::Unchanged,
            &item.spec,
            Some(&item.subscription_id),
        ));
    }
    for item in &fresh.unchanged {
        report.unchanged.push(applied(
            item.action,
            &item.spec,
            item.subscription_id.as_ref(),
        ));
    }
    sort_outcomes(&mut report, outcomes);
    match recorded_ok {
        Ok(()) => {
            if let Some(journal) = journal {
                settle(journal, &mut report);
            }
        }
        // The changes are made but not recorded: the journal stays unsettled, so the next run
        // (recover) records them. The report still carries the secret, shown once.
        Err(problem) => {
            report.journal_kept = journal.is_some();
            report.problem = Some(problem);
        }
    }
    report.ok = report.failed.is_empty() && report.problem.is_none();
    Ok(report)
}

/// Recorded duplicates (an earlier run's second subscription for the same spec) are ours too:
/// they get the same fixes (a rotated secret above all), though the plan keeps them apart.
fn drifted_duplicates(
    plan: &Plan,
    existing: &[ExistingSubscription],
    recorded: &[RecordedHook],
) -> Vec<PlannedHook> {
    plan.duplicates
        .iter()
        .filter(|d| d.recorded)
        .filter_map(|d| {
            let found = existing
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(&d.subscription_id))?;
            let spec = plan
                .items()
                .map(|p| &p.spec)
                .find(|s| webhook::matches(s, found))?;
            let record = recorded
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(&found.id));
            let changes = webhook::changes(spec, found, record);
            (!changes.is_empty() || found.status != webhook::SubscriptionStatus::Enabled).then(
                || PlannedHook {
                    action: Action::Update,
                    spec: spec.clone(),
                    subscription_id: Some(found.id.clone()),
                    adopting: false,
                    status: Some(found.status),
                    reason: None,
                    changes,
                    created_by: found.created_by.clone(),
                },
            )
        })
        .collect()
}

/// The problem an unsettled journal poses to a new run.
pub(super) fn interrupted_problem(run: &RunState) -> crate::Error {
    let unsettled = run
        .entries
        .iter()
        .filter(|e| !matches!(e.outcome, Outcome::Done { .. }))
        .count();
    local_problem(
        format!(
            "An earlier webhook run ({}) did not finish: {unsettled} of its {} change(s) are unsettled.",
            if run.finished { "ended with failures" } else { "was interrupted" },
            run.entries.len()
        ),
        "Finish it (retry) or roll it back first, then plan again.",
    )
}

fn secret_name(specs: &[HookSpec]) -> &'static str {
    match specs.first().map(|s| &s.auth) {
        Some(HookAuth::Basic { .. }) => BASIC_PASSWORD_NAME,
        _ => HEADER_SECRET_NAME,
    }
}

/// The generated header secret's fingerprint (stored); basic-auth passwords get none.
fn header_fingerprint(specs: &[HookSpec]) -> Option<String> {
    match specs.first().map(|s| &s.auth) {
        Some(HookAuth::SecretHeader { secret, .. }) => secret.fingerprint.clone(),
        _ => None,
    }
}

/// Where the fresh plan differs from the one shown.
fn differences(shown: &Plan, fresh: &Plan) -> Vec<String> {
    // Keyed once (the first item of a key wins, as a search in apply order would find it):
    // comparing every pair would normalize 2 × 600 × 600 URLs for an org-wide run.
    let mut fresh_actions: HashMap<SpecKey, Action> = HashMap::new();
    for p in fresh.items() {
        fresh_actions
            .entry(SpecKey::of(&p.spec))
            .or_insert(p.action);
    }
    shown
        .items()
        .filter_map(|item| {
            let now = *fresh_actions.get(&SpecKey::of(&item.spec))?;
            (now != item.action).then(|| {
                format!(
                    "{}: planned to {}, but Azure DevOps changed meanwhile, so it will {} instead",
                    item.spec.event.label(),
                    item.action.verb(),
                    now.verb()
                )
            })
        })
        .collect()
}

fn run_id() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
