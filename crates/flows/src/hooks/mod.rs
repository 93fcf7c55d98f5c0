//! Service hooks (webhooks): plan, apply, test, list and remove the subscriptions that send
//! Azure DevOps events to the receiver of the product being onboarded.
//!
//! The decisions are the core's ([`ado_core::webhook`]): what to register, the matching rule,
//! the planner, the receiver checks. This module does the IO around them:
//!
//! - [`plan_hooks`]: resolve the project and repository, check the ServiceHooks
//!   `EditSubscriptions` permission and the receiver URL, list the existing subscriptions, and
//!   plan. Changes nothing.
//! - [`apply_plan`]: store the secret in the keyring, then create, update and re-enable, four at
//!   a time, each change announced in a [`journal`] on disk before it is made; record every
//!   subscription created or adopted in the connection profile ([`Profile::hooks`]).
//! - [`recover`] / [`rollback`]: after a crash or a partial failure, finish the interrupted run
//!   (adopt what was created, create what was not) or delete what it created.
//! - [`send_test`], [`history`]: prove delivery, and show what Azure DevOps delivered.
//! - [`list_hooks`], [`remove_hooks`], [`rotate_secret`].
//!
//! Rate limits: every call goes through the one client, which waits out `Retry-After` (on 429
//! and on successful answers) and retries idempotent requests on 502–504. Creates are not
//! retried blindly: after an ambiguous failure (5xx, timeout) the subscription is looked up by
//! the matching rule first, so a create that did land is adopted, not duplicated.
//!
//! # Terminology
//! - **Spec**: one subscription the admin wants (one event, one scope, one receiver).
//! - **Recorded**: a subscription this app created or adopted, kept in the profile; "remove"
//!   deletes exactly these.
//! - **Adopt**: take over an existing subscription that matches a spec instead of creating one.
//! - **Journal**: the on-disk log of a run's intended and finished changes.

mod apply;
mod delivery;
mod forget;
mod gate;
pub use crate::store::journal;
mod manage;
mod plan;
mod recovery;
mod run;
mod scope;
pub mod secret;

use ado_client::Error;
use ado_core::checks::{self, CheckCode, Probe, Problem};
use ado_core::target::ConnectionTarget;
use ado_core::webhook::{
    Action, EventKind, HookAuth, HookSpec, Plan, PlanRules, ReceiverWarning, RecordedHook,
};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};

use crate::failure::probe_failure;
use crate::profiles::{Connections, Profile, ProfileId};

/// The ids of a service-hook subscription and of a project (core's, re-exported for the shells).
pub use ado_core::ids::{ProjectId, SubscriptionId};
pub use apply::{apply_plan, apply_plan_with, ApplyOptions};
pub use delivery::{history, send_test, Delivery, TestDelivery};
pub use forget::{forget_connection, has_hooks, ForgetReport, HooksOnForget};
pub use gate::{apply_checked, hook_gate, HookGate};
pub use journal::RunState as InterruptedRun;
pub use manage::{
    hook_page, list_hooks, remove_hooks, rotate_secret, HookState, RemoveReport, RemovedHook,
};
pub use plan::plan_hooks;
pub use recovery::{recover, rollback};
pub use scope::HookScope;

/// An event the wizard offers, as the UI lists it (its checkbox label comes from here, not from
/// a copy in the UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInfo {
    /// The event, serialized as its `eventType` (what [`HookRequest::events`] takes).
    pub event: EventKind,
    /// How people call it, e.g. "Pull request merged".
    pub label: &'static str,
    /// The CLI's name, e.g. `pr-merged`.
    pub cli_name: &'static str,
    /// True for Git events, which a repository and branch can narrow.
    pub git: bool,
}

/// Every event the wizard offers, in the order the UI lists them.
pub fn events() -> Vec<EventInfo> {
    EventKind::ALL
        .into_iter()
        .map(|event| EventInfo {
            event,
            label: event.label(),
            cli_name: event.cli_name(),
            git: event.is_git(),
        })
        .collect()
}

/// How many changes run at once.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The hooks of one connection: its profile (where subscription ids are recorded), its keyring
/// entries (the secret) and its journal, all under the config directory of `connections`.
#[derive(Debug, Clone)]
pub struct HookRecords {
    connections: Connections,
    profile_id: ProfileId,
}

impl HookRecords {
    /// The hooks of profile `profile_id`.
    pub fn new(connections: Connections, profile_id: ProfileId) -> Self {
        HookRecords {
            connections,
            profile_id,
        }
    }

    /// The profile's id.
    pub fn profile_id(&self) -> &ProfileId {
        &self.profile_id
    }

    /// The profile, read fresh from disk.
    pub fn profile(&self) -> Result<Profile, crate::Error> {
        self.connections.saved(&self.profile_id)
    }

    /// The subscriptions recorded for this connection.
    pub fn recorded(&self) -> Result<Vec<RecordedHook>, crate::Error> {
        Ok(self.profile()?.hooks)
    }

    /// The journal file of this connection.
    pub fn journal_path(&self) -> std::path::PathBuf {
        journal::Journal::path_for(self.connections.dir(), &self.profile_id)
    }

    /// An interrupted run (a crash, a lost network, or a run that ended with failures), if any:
    /// finish it with [`recover`] or undo it with [`rollback`] before applying a new plan. An
    /// unreadable journal is an error that names [`discard_journal`] as the way out.
    pub fn interrupted(&self) -> Result<Option<InterruptedRun>, crate::Error> {
        match self.journal_status() {
            JournalStatus::None => Ok(None),
            JournalStatus::Interrupted(run) => Ok(Some(run)),
            JournalStatus::Unreadable { path, reason } => Err(local_problem(
                format!("The webhook journal {path} cannot be used: {reason}. Every webhook change is blocked until it is dealt with; it cannot be finished or rolled back."),
                "Discard it (CLI: `hooks discard-journal`; app: Discard journal), then check Project settings → Service hooks for subscriptions the interrupted run may have created, and plan again (they are found and not duplicated).",
            )),
        }
    }

    /// The state of this connection's journal: none, an interrupted run, or unreadable.
    pub fn journal_status(&self) -> JournalStatus {
        let path = self.journal_path();
        match journal::Journal::read(&path) {
            Ok(None) => JournalStatus::None,
            Ok(Some(run)) => JournalStatus::Interrupted(run),
            Err(e) => JournalStatus::Unreadable {
                path: path.display().to_string(),
                reason: e.to_string(),
            },
        }
    }

    /// The keyring key of a secret of this connection (`{name}:{profile id}`).
    fn secret_key(&self, name: &str) -> String {
        format!("{name}:{}", self.profile_id)
    }

    pub(crate) fn stored_secret(&self, name: &str) -> Result<Option<SecretString>, crate::Error> {
        let profile = self.profile()?;
        self.connections
            .extra_secret(&profile, name)
            .map_err(|e| keyring_problem(&e.to_string()))
    }

    pub(crate) fn store_secret(
        &self,
        name: &str,
        secret: &SecretString,
    ) -> Result<(), crate::Error> {
        let profile = self.profile()?;
        self.connections
            .put_extra_secret(&profile, name, secret)
            .map(drop)
            .map_err(|e| keyring_problem(&e.to_string()))
    }

    /// The connection's fingerprinter; its key is made and stored in the keyring on first use.
    pub fn fingerprinter(&self) -> Result<secret::Fingerprinter, crate::Error> {
        let key = match self.stored_secret(secret::FINGERPRINT_KEY_NAME)? {
            Some(key) => key,
            None => {
                let key = secret::Fingerprinter::generate_key();
                self.store_secret(secret::FINGERPRINT_KEY_NAME, &key)?;
                self.migrate_fingerprints(&secret::Fingerprinter::new(key.clone()))?;
                key
            }
        };
        Ok(secret::Fingerprinter::new(key))
    }

    /// Profiles written before fingerprints were keyed hold unkeyed ones (`sha256:…`): each is
    /// replaced by the keyed fingerprint of the stored secret it was made from, or dropped when
    /// it matches none (a masked secret is then set again, as for any unknown one).
    fn migrate_fingerprints(&self, keyed: &secret::Fingerprinter) -> Result<(), crate::Error> {
        let stored: Vec<SecretString> = [secret::HEADER_SECRET_NAME, secret::BASIC_PASSWORD_NAME]
            .into_iter()
            .filter_map(|name| self.stored_secret(name).ok().flatten())
            .collect();
        if !self.recorded()?.iter().any(|h| {
            h.secret_fingerprint
                .as_deref()
                .is_some_and(secret::is_unkeyed)
        }) {
            return Ok(());
        }
        self.update_hooks(|hooks| {
            for hook in hooks.iter_mut() {
                let Some(old) = hook
                    .secret_fingerprint
                    .clone()
                    .filter(|f| secret::is_unkeyed(f))
                else {
                    continue;
                };
                hook.secret_fingerprint = stored
                    .iter()
                    .find(|s| secret::unkeyed_fingerprint(s) == old)
                    .map(|s| keyed.of_secret(s));
            }
        })
    }

    /// Which keyring this connection's secrets live in, in words.
    pub fn keyring_description(&self) -> &'static str {
        self.connections.secret_backend().description()
    }

    fn update_hooks(
        &self,
        change: impl FnOnce(&mut Vec<RecordedHook>),
    ) -> Result<(), crate::Error> {
        self.connections
            .update_profile(&self.profile_id, |p| change(&mut p.hooks))
            .map_err(|e| {
                local_problem(e.to_string(), "Check the config directory's permissions.")
            })?;
        Ok(())
    }
}

/// The state of a connection's webhook journal ([`HookRecords::journal_status`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum JournalStatus {
    /// No journal: no run is in progress or interrupted.
    None,
    /// A run that did not finish: [`recover`] or [`rollback`] it.
    Interrupted(InterruptedRun),
    /// A journal that cannot be read (no readable `begin` line, or an IO error): it blocks
    /// every apply, and only [`discard_journal`] clears it.
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Discards an unreadable journal (see [`JournalStatus::Unreadable`]); `Ok(false)` when there
/// is no journal. A readable journal is refused: [`recover`] or [`rollback`] it instead, so
/// that what its run created is not lost track of.
pub fn discard_journal(records: &HookRecords) -> Result<bool, crate::Error> {
    match records.journal_status() {
        JournalStatus::None => Ok(false),
        JournalStatus::Interrupted(run) => Err(local_problem(
            format!(
                "The journal of run {} is readable, so it is not discarded.",
                run.run_id
            ),
            "Finish it (`hooks apply`) or roll it back (`hooks rollback`).",
        )),
        JournalStatus::Unreadable { path, .. } => {
            journal::Journal::remove(&records.journal_path()).map_err(|e| {
                local_problem(
                    format!("Cannot delete the journal {path}: {e}"),
                    "Check the config directory's permissions.",
                )
            })?;
            Ok(true)
        }
    }
}

/// What the admin chose in the last step.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookRequest {
    /// The project, by name or id (may be empty when `projects` or `all_projects` say).
    #[serde(default)]
    pub project: String,
    /// More projects, by name or id: one plan for all of them (UI multi-select; CLI
    /// `--project`, repeatable).
    #[serde(default)]
    pub projects: Vec<String>,
    /// Every project of the organization or collection (CLI `--all-projects`).
    #[serde(default)]
    pub all_projects: bool,
    /// Narrow Git events to this repository (name or id).
    #[serde(default)]
    pub repository: Option<String>,
    /// More repositories (name, id, or `project/name`), each its own scope: one plan for all
    /// (CLI `--repository`, repeatable). A bare name must be in exactly one chosen project.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// Narrow Git events to this branch (`main` or `refs/heads/main`); needs a repository.
    #[serde(default)]
    pub branch: Option<String>,
    /// The events.
    pub events: Vec<EventKind>,
    /// The receiver URL the product gave.
    pub url: String,
    /// How deliveries authenticate.
    pub auth: AuthChoice,
    /// Take over matching subscriptions that are not provably ours (another team's header or
    /// secret): they are adopted and their headers replaced by ours. Off unless the admin
    /// explicitly asks (CLI `--take-over`).
    #[serde(default)]
    pub take_over: bool,
}

/// How deliveries authenticate.
#[derive(Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum AuthChoice {
    /// A secret in a custom header (the default).
    #[serde(rename_all = "camelCase")]
    SecretHeader {
        /// The header name; `None` = `X-ADO-Connect-Secret`.
        #[serde(default)]
        header: Option<String>,
        /// Which secret.
        #[serde(default)]
        secret: SecretChoice,
    },
    /// HTTP Basic authentication.
    #[serde(rename_all = "camelCase")]
    Basic {
        /// The user name.
        username: String,
        /// The password (kept in the keyring on apply).
        #[serde(deserialize_with = "secret_string")]
        password: SecretString,
    },
}

/// Which secret the header carries.
#[derive(Clone, Default, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SecretChoice {
    /// The one in the keyring; a new one is generated if there is none.
    #[default]
    Keep,
    /// A new one, replacing the old one on every subscription.
    Rotate,
    /// This one (e.g. the receiver's own), instead of a generated one.
    Provided {
        /// The value.
        #[serde(deserialize_with = "secret_string")]
        value: SecretString,
    },
}

fn plan_without_fingerprints<S: serde::Serializer>(plan: &Plan, s: S) -> Result<S::Ok, S::Error> {
    plan.without_fingerprints().serialize(s)
}

fn secret_string<'de, D: Deserializer<'de>>(de: D) -> Result<SecretString, D::Error> {
    String::deserialize(de).map(SecretString::from)
}

/// A project or repository: its id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedId<Id = String> {
    /// The id (a GUID).
    pub id: Id,
    /// The name.
    pub name: String,
}

/// Where the secret of a plan comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretSource {
    /// The one in the keyring.
    Kept,
    /// Generated now (first setup): shown once after apply.
    Generated,
    /// Generated now, replacing the old one: shown once after apply.
    Rotated,
    /// Given by the admin.
    Provided,
    /// A basic-auth password.
    BasicPassword,
}

/// A plan, ready to show and to apply. Serializes for the UI without the secret.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookPlan {
    /// What will be created, adopted, updated, re-enabled or left alone. Serialized without
    /// secret fingerprints.
    #[serde(serialize_with = "plan_without_fingerprints")]
    pub plan: Plan,
    /// The (first) project.
    pub project: NamedId<ProjectId>,
    /// The (first) repository Git events are narrowed to.
    pub repository: Option<NamedId>,
    /// Every scope (project, or repository of a project) the plan covers.
    pub scopes: Vec<HookScope>,
    /// The branch Git events are narrowed to.
    pub branch: Option<String>,
    /// The receiver URL.
    pub url: String,
    /// Things the admin should know (plain http, a loopback receiver on Server, …).
    pub warnings: Vec<ReceiverWarning>,
    /// Notes, e.g. that build events ignore the repository.
    pub notes: Vec<String>,
    /// The secret header's name (`None` with basic auth).
    pub secret_header: Option<String>,
    /// Where the secret comes from.
    pub secret_source: SecretSource,
    /// An earlier run that must be finished or rolled back before this plan can be applied.
    pub interrupted: Option<InterruptedRun>,
    /// The rules planned with (apply re-plans with the same).
    pub rules: PlanRules,
    /// True when applying writes another secret onto subscriptions that deliver already (their
    /// receivers must get the new one): apply refuses unless
    /// [`ApplyOptions::confirm_secret_change`] (CLI `--confirm-secret-change`).
    pub rotates_secret: bool,
    /// Subscriptions in the plan that the interrupted run made (not someone else's to adopt):
    /// finishing that run ([`recover`]) records them.
    pub in_flight: Vec<SubscriptionId>,
    #[serde(skip)]
    specs: Vec<HookSpec>,
    #[serde(skip)]
    secret: SecretString,
}

impl HookPlan {
    /// The specs planned for.
    pub fn specs(&self) -> &[HookSpec] {
        &self.specs
    }

    fn secret_is_new(&self) -> bool {
        matches!(
            self.secret_source,
            SecretSource::Generated
                | SecretSource::Rotated
                | SecretSource::Provided
                | SecretSource::BasicPassword
        )
    }
}

/// The generated secret, returned once by [`apply_plan`] so the admin can copy it into the
/// receiver. It serializes with its value, on purpose; `Debug` hides it.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealedSecret {
    /// The header that carries it.
    pub header: String,
    /// The value.
    pub value: String,
    /// Where it is kept from now on.
    pub stored_in: String,
}

impl std::fmt::Debug for RevealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevealedSecret")
            .field("header", &self.header)
            .field("value", &"[redacted]")
            .finish()
    }
}

/// One subscription a run handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedHook {
    /// What was done.
    pub action: Action,
    /// The event.
    pub event: EventKind,
    /// The subscription.
    pub subscription_id: SubscriptionId,
    /// Its receiver.
    pub url: String,
}

/// One change that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedHook {
    /// What was tried.
    pub action: Action,
    /// The event.
    pub event: EventKind,
    /// The subscription, for updates.
    pub subscription_id: Option<SubscriptionId>,
    /// Why, with the fix.
    pub problem: crate::Error,
}

/// What a run did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyReport {
    /// True when nothing failed.
    pub ok: bool,
    /// Created.
    pub created: Vec<AppliedHook>,
    /// Recorded as ours without a change.
    pub adopted: Vec<AppliedHook>,
    /// Changed in place.
    pub updated: Vec<AppliedHook>,
    /// Enabled again.
    pub reenabled: Vec<AppliedHook>,
    /// Left alone.
    pub unchanged: Vec<AppliedHook>,
    /// Matching subscriptions that are not provably ours: left alone (see
    /// [`HookRequest::take_over`]).
    pub left_alone: Vec<AppliedHook>,
    /// Failed: retry ([`recover`]) or roll back ([`rollback`]).
    pub failed: Vec<FailedHook>,
    /// [`recover`] only: changes the interrupted run had already made (before the crash),
    /// now recorded; nothing was sent for them. `created`, `updated` and `reenabled` count only
    /// what recovery sent itself.
    pub recorded_from_interrupted_run: Vec<AppliedHook>,
    /// Recorded subscriptions gone from the server, dropped from the profile.
    pub forgotten: Vec<SubscriptionId>,
    /// Where Azure DevOps had changed between the plan and the apply, and what was done instead.
    pub replanned: Vec<String>,
    /// The new secret, shown once.
    pub secret: Option<RevealedSecret>,
    /// A problem after the changes were made (recording them in the profile failed); the
    /// journal is kept, so [`recover`] records them.
    pub problem: Option<crate::Error>,
    /// True when the journal was kept because something failed.
    pub journal_kept: bool,
}

/// Progress of a run, one event per change as it starts and as it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyEvent {
    /// The change's number (1-based).
    pub seq: u32,
    /// How many changes the run makes.
    pub total: u32,
    /// Create, update or re-enable.
    pub action: Action,
    /// The event.
    pub event: EventKind,
    /// The subscription, once known.
    pub subscription_id: Option<SubscriptionId>,
    /// Started, done or failed.
    pub phase: Phase,
    /// The failure, for `failed`.
    pub message: Option<String>,
}

/// Where a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Announced in the journal and sent.
    Started,
    /// Done.
    Done,
    /// Failed.
    Failed,
}

/// What [`rollback`] did.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackReport {
    /// The run rolled back; `None` when there was no interrupted run (nothing was done).
    pub run_id: Option<String>,
    /// Subscriptions the interrupted run created, now deleted.
    pub deleted: Vec<SubscriptionId>,
    /// Updates and re-enables cannot be undone (the earlier secret is not kept); listed here.
    pub kept: Vec<SubscriptionId>,
    /// Deletions that failed (the journal is kept).
    pub failed: Vec<FailedHook>,
}

/// The secret as stored on disk in a spec: a basic-auth password's fingerprint is dropped (a
/// user-chosen password's digest could be guessed offline); the generated header secret's stays.
fn spec_for_disk(spec: &HookSpec) -> HookSpec {
    let mut spec = spec.clone();
    if let HookAuth::Basic { password, .. } = &mut spec.auth {
        password.fingerprint = None;
    }
    spec
}

fn local_problem(message: String, fix: &str) -> crate::Error {
    Problem::new(CheckCode::Unexpected, None, message, fix).into()
}

fn keyring_problem(detail: &str) -> crate::Error {
    crate::Error::secret_store(format!("The keyring refused the webhook secret: {detail}"))
}

/// Describes a failed service-hooks call for the user.
fn hook_problem(target: &ConnectionTarget, error: &Error, doing: &str) -> crate::Error {
    let mut problem = checks::diagnose(target, &probe_failure(Probe::Projects, error));
    match error.status() {
        Some(401) | Some(403) if problem.code != CheckCode::TokenExpired => {
            problem.code = CheckCode::InvalidPermissions;
            problem.message = format!("Azure DevOps refused to {doing}: the token or its user may not manage service hooks.");
            problem.fix = "Use a token with the Code (Read) and Build (Read) scopes of a user who may edit subscriptions (Project Administrators can), or ask an administrator to grant \"Edit subscriptions\".".into();
        }
        Some(404) => {
            problem.message = format!("Could not {doing}: Azure DevOps says it does not exist.");
            problem.fix = "It may have been deleted meanwhile; plan again.".into();
        }
        Some(400) => {
            problem.code = CheckCode::InvalidInput;
            problem.message = format!("Azure DevOps refused to {doing}.");
            problem.fix = "The server's message below says which input it objected to.".into();
        }
        _ => {
            if problem.code == CheckCode::Unexpected && !problem.message.contains(doing) {
                problem.message = format!("Could not {doing}: {}", problem.message);
            }
        }
    }
    problem.into()
}

use crate::clock::now_unix;

/// What every hooks action needs: a client of a saved connection, with a fresh credential
/// (refreshed if it is about to expire), and the connection's records ([`open_session`]).
#[derive(Debug, Clone)]
pub struct Session {
    /// The client, authenticated as the saved connection.
    pub client: ado_client::AdoClient,
    /// Where that connection's hooks are recorded.
    pub records: HookRecords,
}

/// Opens the [`Session`] of a saved connection. The app and the CLI both start here; the
/// connection opens the one way ([`crate::open_connection`]).
pub async fn open_session(
    connections: &Connections,
    profile_id: &ProfileId,
    settings: &ado_auth::SignInSettings,
) -> Result<Session, crate::Error> {
    let opened = crate::open_connection(connections, profile_id, settings).await?;
    let client = opened.client()?;
    Ok(Session {
        client,
        records: HookRecords::new(connections.clone(), profile_id.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    #[test]
    fn requests_deserialize_from_the_ui_json() {
        let request: HookRequest = serde_json::from_value(serde_json::json!({
            "project": "Fabrikam Fiber",
            "repository": "fiber-api",
            "branch": "main",
            "events": ["git.push", "git.pullrequest.merged"],
            "url": "https://hooks.example.com/ado",
            "auth": {"kind": "secretHeader", "secret": {"kind": "keep"}}
        }))
        .unwrap();
        assert_eq!(
            request.events,
            [EventKind::CodePushed, EventKind::PullRequestMerged]
        );
        assert!(matches!(
            request.auth,
            AuthChoice::SecretHeader {
                header: None,
                secret: SecretChoice::Keep
            }
        ));
        let basic: AuthChoice = serde_json::from_value(
            serde_json::json!({"kind": "basic", "username": "u", "password": "p4ss"}),
        )
        .unwrap();
        match basic {
            AuthChoice::Basic { username, password } => {
                assert_eq!((username.as_str(), password.expose_secret()), ("u", "p4ss"))
            }
            _ => panic!("basic"),
        }
        let provided: SecretChoice = serde_json::from_value(
            serde_json::json!({"kind": "provided", "value": "0123456789abcdef"}),
        )
        .unwrap();
        assert!(matches!(provided, SecretChoice::Provided { .. }));
    }

    #[test]
    fn events_carry_their_labels_for_the_ui() {
        let listed = serde_json::to_value(events()).unwrap();
        assert_eq!(listed.as_array().unwrap().len(), EventKind::ALL.len());
        assert_eq!(
            listed[2],
            serde_json::json!({"event": "git.pullrequest.merged", "label": "Pull request merged", "cliName": "pr-merged", "git": true})
        );
        assert_eq!(listed[4]["git"], false);
    }

    #[test]
    fn revealed_secrets_serialize_but_never_debug() {
        let secret = RevealedSecret {
            header: "X-ADO-Connect-Secret".into(),
            value: "v4lue-shown-once".into(),
            stored_in: "the system keyring".into(),
        };
        assert!(!format!("{secret:?}").contains("v4lue"));
        assert_eq!(
            serde_json::to_value(&secret).unwrap()["value"],
            "v4lue-shown-once"
        );
    }
}
