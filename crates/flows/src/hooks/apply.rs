//! [`apply_plan`], [`recover`] and [`rollback`]: the changes, journaled.
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
use std::time::Duration;

use ado_client::api::hooks::SubscriptionFilter;
use ado_client::{AdoClient, Error};
use ado_core::checks::Problem;
use ado_core::target::ConnectionTarget;
use ado_core::webhook::{
    self, subscription_body, Action, ExistingSubscription, HookAuth, HookOrigin, HookSpec, Plan,
    PlannedHook, RecordedHook, SubscriptionBody, SubscriptionStatus, CONSUMER_ACTION_ID,
    CONSUMER_ID, PUBLISHER_ID,
};
use futures_util::StreamExt as _;
use secrecy::{ExposeSecret as _, SecretString};

use super::journal::{Journal, Outcome, Record, RunState, VERSION};
use super::plan::{existing_subscriptions, to_fact};
use super::secret::{fingerprint, BASIC_PASSWORD_NAME, HEADER_SECRET_NAME};
use super::{
    hook_problem, local_problem, now_unix, spec_for_disk, AppliedHook, ApplyEvent, ApplyReport,
    FailedHook, HookPlan, HookRecords, Phase, RevealedSecret, RollbackReport, SecretSource,
    DEFAULT_CONCURRENCY,
};

/// How a run behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Changes in flight at once (at least 1). Default [`DEFAULT_CONCURRENCY`].
    pub concurrency: usize,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            concurrency: DEFAULT_CONCURRENCY,
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
) -> Result<ApplyReport, Problem> {
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
) -> Result<ApplyReport, Problem> {
    let profile = records.profile()?;
    let target = &profile.target;
    if let Some(run) = records.interrupted()? {
        return Err(interrupted_problem(&run));
    }
    let recorded = profile.hooks.clone();
    let existing = existing_subscriptions(client, &recorded)
        .await
        .map_err(|e| hook_problem(target, &e, "list the service-hook subscriptions"))?;
    let fresh = webhook::plan(&plan.specs, &existing, &recorded);
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
            profile_id: records.profile_id().to_string(),
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
    let missing: Vec<String> = fresh.missing.iter().map(|m| m.id.clone()).collect();
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
            item.subscription_id.as_deref(),
        ));
    }
    for item in &fresh.unchanged {
        report.unchanged.push(applied(
            item.action,
            &item.spec,
            item.subscription_id.as_deref(),
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

/// Finishes an interrupted run (see the module docs for the rules) and records its
/// subscriptions. Without a journal, does nothing and reports `ok`.
pub async fn recover(
    client: &AdoClient,
    records: &HookRecords,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ApplyReport, Problem> {
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
    let current_fp =
        (!secret.expose_secret().is_empty()).then(|| fingerprint(secret.expose_secret()));
    let existing = existing_subscriptions(client, &profile.hooks)
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
    let mut outcomes: Vec<(Job, Result<String, Problem>)> = Vec::new();
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
                        webhook::matches(&entry.spec, e)
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
                        .as_deref()
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
        client,
        target,
        journal: &journal,
        secret: &secret,
        progress,
        total: state.entries.iter().map(|e| e.seq).max().unwrap_or(0),
    };
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
    sort_outcomes(&mut report, outcomes);
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
) -> Result<RollbackReport, Problem> {
    let Some(state) = records.interrupted()? else {
        return Ok(RollbackReport::default());
    };
    let profile = records.profile()?;
    let target = &profile.target;
    let existing = existing_subscriptions(client, &profile.hooks)
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

    let mut report = RollbackReport::default();
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
                    webhook::matches(&entry.spec, e)
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
    let deleted: Vec<String> = report.deleted.clone();
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

/// Deletes a subscription; `Ok(false)` when it was already gone.
pub(super) async fn delete(client: &AdoClient, id: &str) -> Result<bool, Error> {
    match client.delete_subscription(id).await {
        Ok(()) => Ok(true),
        Err(e) if e.status() == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The problem an unsettled journal poses to a new run.
fn interrupted_problem(run: &RunState) -> Problem {
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

/// One change to make.
#[derive(Debug, Clone)]
struct Job {
    seq: u32,
    action: Action,
    spec: HookSpec,
    subscription_id: Option<String>,
    adopting: bool,
}

impl Job {
    fn from_plan(seq: u32, item: &PlannedHook) -> Job {
        Job {
            seq,
            action: item.action,
            spec: item.spec.clone(),
            subscription_id: item.subscription_id.clone(),
            adopting: item.adopting,
        }
    }
}

/// What a run needs to make its changes.
struct Run<'a> {
    client: &'a AdoClient,
    target: &'a ConnectionTarget,
    journal: &'a Journal,
    secret: &'a SecretString,
    progress: &'a (dyn Fn(&ApplyEvent) + Sync),
    total: u32,
}

/// How often a create that failed ambiguously (and was not found afterwards) is tried again.
const CREATE_RETRIES: u32 = 3;

impl Run<'_> {
    async fn all(&self, jobs: Vec<Job>, concurrency: usize) -> Vec<(Job, Result<String, Problem>)> {
        let mut out: Vec<(Job, Result<String, Problem>)> =
            futures_util::stream::iter(jobs.into_iter().map(|job| self.one(job)))
                .buffer_unordered(concurrency.max(1))
                .collect()
                .await;
        out.sort_by_key(|(job, _)| job.seq);
        out
    }

    fn emit(&self, job: &Job, phase: Phase, id: Option<String>, message: Option<String>) {
        (self.progress)(&ApplyEvent {
            seq: job.seq,
            total: self.total,
            action: job.action,
            event: job.spec.event,
            subscription_id: id,
            phase,
            message,
        });
    }

    async fn one(&self, job: Job) -> (Job, Result<String, Problem>) {
        self.emit(&job, Phase::Started, job.subscription_id.clone(), None);
        let intent = Record::Intent {
            seq: job.seq,
            action: job.action,
            spec: spec_for_disk(&job.spec),
            subscription_id: job.subscription_id.clone(),
            adopting: job.adopting,
        };
        // Never change without the journal knowing first.
        let result = match self.journal.append(&intent) {
            Err(e) => Err(local_problem(
                format!("Cannot write the journal ({e}); this change was not made."),
                "Check the config directory's permissions and disk space.",
            )),
            Ok(()) => match job.action {
                Action::Create => self.create(&job.spec).await,
                _ => self.replace(&job).await,
            },
        };
        let conclusion = match &result {
            Ok(id) => Record::Done {
                seq: job.seq,
                subscription_id: id.clone(),
            },
            Err(problem) => Record::Failed {
                seq: job.seq,
                error: problem.message.clone(),
            },
        };
        if let Err(e) = self.journal.append(&conclusion) {
            // Recovery looks the subscription up by the matching rule, so this is not fatal.
            tracing::warn!(error = %e, seq = job.seq, "could not conclude a journal entry");
        }
        match &result {
            Ok(id) => self.emit(&job, Phase::Done, Some(id.clone()), None),
            Err(p) => self.emit(
                &job,
                Phase::Failed,
                job.subscription_id.clone(),
                Some(p.message.clone()),
            ),
        }
        (job, result)
    }

    fn input(&self, spec: &HookSpec, status: Option<SubscriptionStatus>) -> SubscriptionBody {
        SubscriptionBody {
            status,
            ..subscription_body(spec, self.secret.expose_secret())
        }
    }

    /// Creates, and after an ambiguous failure (5xx, timeout, unreadable answer) looks before
    /// trying again: the create may have landed (port-labs/ocean#3686 duplicated hooks exactly
    /// so). A failed lookup stops the retries: creating blind could duplicate.
    async fn create(&self, spec: &HookSpec) -> Result<String, Problem> {
        let input = self.input(spec, None);
        let mut attempt = 0;
        loop {
            let error = match self.client.create_subscription(&input).await {
                Ok(created) => return Ok(created.id),
                Err(e) => e,
            };
            if !is_ambiguous(&error) {
                return Err(hook_problem(self.target, &error, "create the subscription"));
            }
            match find(self.client, spec).await {
                Ok(Some(id)) => {
                    tracing::info!(%id, "the create failed ambiguously but landed; adopting it");
                    return Ok(id);
                }
                Ok(None) if attempt < CREATE_RETRIES => {
                    attempt += 1;
                    let backoff = Duration::from_millis(500 * 4u64.pow(attempt - 1));
                    tracing::info!(attempt, backoff_ms = backoff.as_millis() as u64, error = %error, "create failed; retrying");
                    tokio::time::sleep(backoff).await;
                }
                Ok(None) => {
                    return Err(hook_problem(self.target, &error, "create the subscription"))
                }
                Err(lookup) => {
                    let mut problem = hook_problem(self.target, &error, "create the subscription");
                    problem.fix = format!(
                        "{} Whether it was created is unknown (looking it up failed too: {lookup}); retrying finds out first.",
                        problem.fix
                    );
                    return Err(problem);
                }
            }
        }
    }

    /// Replaces a subscription in place, enabled (the client retries 502–504 itself).
    async fn replace(&self, job: &Job) -> Result<String, Problem> {
        let id = job
            .subscription_id
            .as_deref()
            .expect("updates and re-enables name their subscription");
        let doing = if job.action == Action::Reenable {
            "re-enable the subscription"
        } else {
            "update the subscription"
        };
        self.client
            .replace_subscription(
                id,
                &self.input(&job.spec, Some(SubscriptionStatus::Enabled)),
            )
            .await
            .map(|s| s.id)
            .map_err(|e| hook_problem(self.target, &e, doing))
    }
}

/// Failures after which the request may have been applied.
fn is_ambiguous(error: &Error) -> bool {
    match error {
        Error::Transport { .. } | Error::Decode { .. } => true,
        other => other.status().is_some_and(|s| s >= 500),
    }
}

/// The subscription `spec` asks for, if it exists.
async fn find(client: &AdoClient, spec: &HookSpec) -> Result<Option<String>, Error> {
    let list = client
        .subscriptions_where(&SubscriptionFilter {
            publisher_id: Some(PUBLISHER_ID.into()),
            event_type: Some(spec.event.event_type().into()),
            consumer_id: Some(CONSUMER_ID.into()),
            consumer_action_id: Some(CONSUMER_ACTION_ID.into()),
        })
        .await?;
    Ok(list
        .iter()
        .map(to_fact)
        .find(|e: &ExistingSubscription| webhook::matches(spec, e))
        .map(|e| e.id))
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

fn refresh_fingerprint(spec: &mut HookSpec, current: Option<&str>) {
    if let (HookAuth::SecretHeader { secret, .. }, Some(fp)) = (&mut spec.auth, current) {
        secret.fingerprint = Some(fp.to_string());
    }
}

fn upsert(
    hooks: &mut Vec<RecordedHook>,
    id: &str,
    spec: &HookSpec,
    origin: HookOrigin,
    fingerprint: Option<String>,
    now: u64,
) {
    let spec = spec_for_disk(spec);
    match hooks.iter_mut().find(|h| h.id.eq_ignore_ascii_case(id)) {
        Some(existing) => {
            existing.spec = spec;
            existing.secret_fingerprint = fingerprint;
            existing.recorded_at = now;
        }
        None => hooks.push(RecordedHook {
            id: id.to_string(),
            spec,
            origin,
            secret_fingerprint: fingerprint,
            recorded_at: now,
        }),
    }
}

fn applied(action: Action, spec: &HookSpec, id: Option<&str>) -> AppliedHook {
    AppliedHook {
        action,
        event: spec.event,
        subscription_id: id.unwrap_or_default().to_string(),
        url: spec.url.clone(),
    }
}

fn sort_outcomes(report: &mut ApplyReport, outcomes: Vec<(Job, Result<String, Problem>)>) {
    for (job, result) in outcomes {
        match result {
            Ok(id) => {
                let item = applied(job.action, &job.spec, Some(&id));
                match job.action {
                    Action::Create => report.created.push(item),
                    Action::Reenable => report.reenabled.push(item),
                    _ => report.updated.push(item),
                }
            }
            Err(problem) => report.failed.push(FailedHook {
                action: job.action,
                event: job.spec.event,
                subscription_id: job.subscription_id,
                problem,
            }),
        }
    }
}

/// Ends the journal: deleted when nothing failed, kept otherwise.
fn settle(journal: Journal, report: &mut ApplyReport) {
    let failed = report.failed.len() as u32;
    if let Err(e) = journal.append(&Record::Finished { failed }) {
        tracing::warn!(error = %e, "could not finish the journal");
    }
    if failed == 0 {
        if let Err(e) = Journal::remove(journal.path()) {
            tracing::warn!(error = %e, "could not delete the settled journal");
            report.journal_kept = true;
        }
    } else {
        report.journal_kept = true;
    }
}

/// Where the fresh plan differs from the one shown.
fn differences(shown: &Plan, fresh: &Plan) -> Vec<String> {
    let action_of = |plan: &Plan, spec: &HookSpec| {
        plan.items()
            .find(|p| webhook::same_match_key(&p.spec, spec))
            .map(|p| p.action)
    };
    shown
        .items()
        .filter_map(|item| {
            let now = action_of(fresh, &item.spec)?;
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
