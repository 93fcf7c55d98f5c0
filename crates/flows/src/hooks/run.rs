//! Making the changes of a run: each announced in the journal before its request and
//! concluded after it, at most N at once; creates that fail ambiguously are looked up before
//! they are tried again. Also what the profile records of the outcomes.

use std::time::Duration;

use ado_client::api::hooks::SubscriptionFilter;
use ado_client::{AdoClient, Error};
use ado_core::ids::SubscriptionId;
use ado_core::target::ConnectionTarget;
use ado_core::webhook::{
    self, subscription_body, Action, ExistingSubscription, HookOrigin, HookSpec, PlannedHook,
    RecordedHook, SubscriptionBody, SubscriptionStatus, CONSUMER_ACTION_ID, CONSUMER_ID,
    PUBLISHER_ID,
};
use futures_util::StreamExt as _;
use secrecy::{ExposeSecret as _, SecretString};

use super::journal::{Journal, Record};
use super::plan::to_fact;
use super::secret::Fingerprinter;
use super::{
    hook_problem, local_problem, spec_for_disk, AppliedHook, ApplyEvent, ApplyReport, FailedHook,
    Phase,
};

/// Deletes a subscription; `Ok(false)` when it was already gone.
pub(super) async fn delete(client: &AdoClient, id: &SubscriptionId) -> Result<bool, Error> {
    match client.delete_subscription(id).await {
        Ok(()) => Ok(true),
        Err(e) if e.status() == Some(404) => Ok(false),
        Err(e) => Err(e),
    }
}

/// One change to make.
#[derive(Debug, Clone)]
pub(super) struct Job {
    pub(super) seq: u32,
    pub(super) action: Action,
    pub(super) spec: HookSpec,
    pub(super) subscription_id: Option<SubscriptionId>,
    pub(super) adopting: bool,
}

impl Job {
    pub(super) fn from_plan(seq: u32, item: &PlannedHook) -> Job {
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
pub(super) struct Run<'a> {
    pub(super) client: &'a AdoClient,
    pub(super) target: &'a ConnectionTarget,
    pub(super) journal: &'a Journal,
    pub(super) secret: &'a SecretString,
    pub(super) fingerprints: &'a Fingerprinter,
    pub(super) progress: &'a (dyn Fn(&ApplyEvent) + Sync),
    pub(super) total: u32,
}

/// Changes under way per place on the wire. A 429 asks its request to wait (Azure DevOps
/// says 1 s and more, 20 round trips and more); meanwhile the others keep its place busy.
pub(super) const CHANGES_PER_PLACE: usize = 4;

/// How often a create that failed ambiguously (and was not found afterwards) is tried again.
pub(super) const CREATE_RETRIES: u32 = 3;

impl Run<'_> {
    /// Makes every change: at most `concurrency` requests on the wire at once, and up to
    /// [`CHANGES_PER_PLACE`] times as many changes under way (journaled, waiting for a place
    /// or waiting out a 429's `Retry-After`), so that a throttled change does not keep a
    /// place on the wire idle while it waits.
    pub(super) async fn all(
        &self,
        jobs: Vec<Job>,
        concurrency: usize,
    ) -> Vec<(Job, Result<SubscriptionId, crate::Error>)> {
        let concurrency = concurrency.max(1);
        let client = self.client.with_request_limit(concurrency);
        let run = Run {
            client: &client,
            ..*self
        };
        let mut out: Vec<(Job, Result<SubscriptionId, crate::Error>)> =
            futures_util::stream::iter(jobs.into_iter().map(|job| run.one(job)))
                .buffer_unordered(concurrency * CHANGES_PER_PLACE)
                .collect()
                .await;
        out.sort_by_key(|(job, _)| job.seq);
        out
    }

    fn emit(&self, job: &Job, phase: Phase, id: Option<SubscriptionId>, message: Option<String>) {
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

    async fn one(&self, job: Job) -> (Job, Result<SubscriptionId, crate::Error>) {
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
        // Not synced on its own: the next record's sync carries it to disk, and a conclusion
        // lost in a crash costs nothing (recovery looks the subscription up by the matching
        // rule). Only intents must be on disk before their request.
        if let Err(e) = self.journal.append_unsynced(&conclusion) {
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
    async fn create(&self, spec: &HookSpec) -> Result<SubscriptionId, crate::Error> {
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
            match find(self.client, spec, self.fingerprints).await {
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
    async fn replace(&self, job: &Job) -> Result<SubscriptionId, crate::Error> {
        let id = job
            .subscription_id
            .as_ref()
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
pub(super) fn is_ambiguous(error: &Error) -> bool {
    match error {
        Error::Transport { .. } | Error::Decode { .. } => true,
        other => other.status().is_some_and(|s| s >= 500),
    }
}

/// The subscription `spec` asks for, if it exists.
pub(super) async fn find(
    client: &AdoClient,
    spec: &HookSpec,
    fingerprints: &Fingerprinter,
) -> Result<Option<SubscriptionId>, Error> {
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
        .map(|s| to_fact(s, fingerprints))
        .find(|e: &ExistingSubscription| webhook::could_be_our_create(spec, e))
        .map(|e| e.id))
}

pub(super) fn upsert(
    hooks: &mut Vec<RecordedHook>,
    id: &SubscriptionId,
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
            id: id.clone(),
            spec,
            origin,
            secret_fingerprint: fingerprint,
            recorded_at: now,
        }),
    }
}

pub(super) fn applied(action: Action, spec: &HookSpec, id: Option<&SubscriptionId>) -> AppliedHook {
    AppliedHook {
        action,
        event: spec.event,
        subscription_id: id.cloned().unwrap_or_default(),
        url: spec.url.clone(),
    }
}

pub(super) fn sort_outcomes(
    report: &mut ApplyReport,
    outcomes: Vec<(Job, Result<SubscriptionId, crate::Error>)>,
) {
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
pub(super) fn settle(journal: Journal, report: &mut ApplyReport) {
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
