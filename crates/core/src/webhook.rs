//! Service-hook subscriptions (webhooks): what to register, how to recognise one that already
//! exists, and what to change. Pure: facts about existing subscriptions come in, a [`Plan`] comes
//! out; the flows crate does the HTTP, the keyring and the journal.
//!
//! - [`EventKind`]: the five events the wizard offers, with their `eventType` and filters.
//! - [`HookSelection::specs`]: one [`HookSpec`] per chosen event (what the admin picked).
//! - [`subscription_body`]: the JSON Azure DevOps takes for one spec (publisher `tfs`, consumer
//!   `webHooks`, action `httpRequest`), docs `service-hooks/create-subscription.md`.
//! - [`matches`]: the one rule that says "this existing subscription is the one a spec asks for":
//!   same publisher, consumer, event, receiver URL (normalized), project, repository and branch.
//!   Everything else (secret header, `mergeResult`, message settings, status) is drift to fix,
//!   not a reason to create another subscription. Reconciling on this key is what prevents the
//!   duplicate-hook bugs peers shipped (port-labs/ocean#3686, #3997; getsentry/sentry#10151).
//! - [`plan`]: desired specs + existing subscriptions + the ids this app recorded → create,
//!   adopt, update, re-enable or leave alone, each with its reasons.
//! - [`check_receiver_url`]: can Azure DevOps reach the receiver at all?
//!
//! Secrets never enter this module: existing subscriptions' secrets arrive as fingerprints
//! ([`SecretFact`]), computed by the caller, and [`subscription_body`] takes the secret as an
//! argument only to place it in the body.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::checks::{CheckCode, Problem};
use crate::target::Deployment;

/// The publisher of Azure DevOps' own events (Git, builds, work items).
pub const PUBLISHER_ID: &str = "tfs";
/// The "Web Hooks" consumer.
pub const CONSUMER_ID: &str = "webHooks";
/// Its only action: POST the event as JSON.
pub const CONSUMER_ACTION_ID: &str = "httpRequest";
/// The header that carries the generated secret unless the admin names another.
pub const DEFAULT_SECRET_HEADER: &str = "X-ADO-Connect-Secret";
/// The payload version asked for. Docs advise always setting it; "1.0" is what every event
/// here documents (`service-hooks/events.md`).
pub const RESOURCE_VERSION: &str = "1.0";

/// An event the wizard can subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// `git.pullrequest.created`.
    #[serde(rename = "git.pullrequest.created")]
    PullRequestCreated,
    /// `git.pullrequest.updated`: pushes, reviewers, votes, status changes.
    #[serde(rename = "git.pullrequest.updated")]
    PullRequestUpdated,
    /// `git.pullrequest.merged` with `mergeResult = Succeeded`. Without that filter the event
    /// ("Pull request merge attempted") also fires on create and on every push
    /// (microsoft/azure-pipelines-tasks#5813).
    #[serde(rename = "git.pullrequest.merged")]
    PullRequestMerged,
    /// `git.push`.
    #[serde(rename = "git.push")]
    CodePushed,
    /// `build.complete`.
    #[serde(rename = "build.complete")]
    BuildCompleted,
}

impl EventKind {
    /// Every event, in the order the UI lists them.
    pub const ALL: [EventKind; 5] = [
        EventKind::PullRequestCreated,
        EventKind::PullRequestUpdated,
        EventKind::PullRequestMerged,
        EventKind::CodePushed,
        EventKind::BuildCompleted,
    ];

    /// The `eventType` Azure DevOps uses, e.g. `git.push`.
    pub fn event_type(self) -> &'static str {
        match self {
            EventKind::PullRequestCreated => "git.pullrequest.created",
            EventKind::PullRequestUpdated => "git.pullrequest.updated",
            EventKind::PullRequestMerged => "git.pullrequest.merged",
            EventKind::CodePushed => "git.push",
            EventKind::BuildCompleted => "build.complete",
        }
    }

    /// The event for an `eventType`, case-insensitively; `None` for events the wizard does not offer.
    pub fn from_event_type(event_type: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|e| e.event_type().eq_ignore_ascii_case(event_type.trim()))
    }

    /// The CLI's name: `pr-created`, `pr-updated`, `pr-merged`, `push`, `build-completed`.
    pub fn cli_name(self) -> &'static str {
        match self {
            EventKind::PullRequestCreated => "pr-created",
            EventKind::PullRequestUpdated => "pr-updated",
            EventKind::PullRequestMerged => "pr-merged",
            EventKind::CodePushed => "push",
            EventKind::BuildCompleted => "build-completed",
        }
    }

    /// Parses a CLI name; the `eventType` is accepted too.
    pub fn from_cli_name(name: &str) -> Option<EventKind> {
        let name = name.trim();
        EventKind::ALL
            .into_iter()
            .find(|e| e.cli_name().eq_ignore_ascii_case(name))
            .or_else(|| EventKind::from_event_type(name))
    }

    /// How people call it.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::PullRequestCreated => "Pull request created",
            EventKind::PullRequestUpdated => "Pull request updated",
            EventKind::PullRequestMerged => "Pull request merged",
            EventKind::CodePushed => "Code pushed",
            EventKind::BuildCompleted => "Build completed",
        }
    }

    /// True for Git events, which can be narrowed to a repository and branch. Build events are
    /// per project (their filters are a pipeline definition and a result, which the wizard does
    /// not offer).
    pub fn is_git(self) -> bool {
        !matches!(self, EventKind::BuildCompleted)
    }

    /// The `publisherInputs` this event gets besides project, repository and branch.
    fn fixed_inputs(self) -> &'static [(&'static str, &'static str)] {
        match self {
            EventKind::PullRequestMerged => &[("mergeResult", "Succeeded")],
            _ => &[],
        }
    }
}

/// How deliveries prove they come from Azure DevOps. The web hooks consumer cannot sign payloads
/// (it has no secret or signature input), so a secret travels with every delivery instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum HookAuth {
    /// A generated secret in a custom header (`httpHeaders` = `Name:value`).
    #[serde(rename_all = "camelCase")]
    SecretHeader {
        /// The header name, e.g. `X-ADO-Connect-Secret`.
        header: String,
        /// Where the value is kept.
        secret: SecretRef,
    },
    /// HTTP Basic authentication (`basicAuthUsername`, `basicAuthPassword`).
    #[serde(rename_all = "camelCase")]
    Basic {
        /// The user name.
        username: String,
        /// Where the password is kept.
        password: SecretRef,
    },
}

impl HookAuth {
    /// The reference to the secret value.
    pub fn secret(&self) -> &SecretRef {
        match self {
            HookAuth::SecretHeader { secret, .. } => secret,
            HookAuth::Basic { password, .. } => password,
        }
    }
}

/// A reference to a secret, never the secret: its keyring key and a fingerprint to compare with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// The keyring key, e.g. `hook-secret:{profile id}`.
    pub key: String,
    /// A digest of the value (the caller's choice of function), to tell whether a subscription
    /// carries this secret. `None` when not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// One subscription the admin wants: one event, one scope, one receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookSpec {
    /// The event.
    pub event: EventKind,
    /// The project id (a GUID).
    pub project_id: String,
    /// A repository id to narrow Git events to; `None` = every repository of the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_id: Option<String>,
    /// A branch name (without `refs/heads/`) to narrow Git events to; needs a repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The receiver URL, as validated by [`check_receiver_url`].
    pub url: String,
    /// How deliveries authenticate.
    pub auth: HookAuth,
}

/// What the admin chose in the last step, before it is split into one spec per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookSelection {
    /// The events, at least one.
    pub events: Vec<EventKind>,
    /// The project id.
    pub project_id: String,
    /// Narrow Git events to this repository id.
    pub repository_id: Option<String>,
    /// Narrow Git events to this branch (`main` or `refs/heads/main`); needs a repository.
    pub branch: Option<String>,
    /// The receiver URL.
    pub url: String,
    /// How deliveries authenticate.
    pub auth: HookAuth,
}

/// Why a selection cannot become specs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    /// No event chosen.
    #[error("choose at least one event")]
    NoEvents,
    /// No project.
    #[error("choose a project")]
    NoProject,
    /// A branch without a repository: Azure DevOps' branch filter belongs to a repository.
    #[error("a branch filter needs a repository: choose the repository the branch {0:?} is in")]
    BranchWithoutRepository(String),
    /// A header name Azure DevOps or HTTP would not carry.
    #[error("{0}")]
    BadHeaderName(String),
    /// A basic-auth user name that cannot work.
    #[error("{0}")]
    BadUsername(String),
}

impl HookSelection {
    /// One spec per event (duplicates dropped, in [`EventKind::ALL`] order). Build events are
    /// project-wide: the repository and branch apply to Git events only.
    pub fn specs(&self) -> Result<Vec<HookSpec>, SelectionError> {
        if self.events.is_empty() {
            return Err(SelectionError::NoEvents);
        }
        if self.project_id.trim().is_empty() {
            return Err(SelectionError::NoProject);
        }
        let repository_id = non_empty(self.repository_id.as_deref());
        let branch = non_empty(self.branch.as_deref()).map(|b| normalize_branch(&b));
        if let (Some(branch), None) = (&branch, &repository_id) {
            return Err(SelectionError::BranchWithoutRepository(branch.clone()));
        }
        match &self.auth {
            HookAuth::SecretHeader { header, .. } => {
                validate_header_name(header).map_err(SelectionError::BadHeaderName)?
            }
            HookAuth::Basic { username, .. } => {
                validate_basic_username(username).map_err(SelectionError::BadUsername)?
            }
        }
        let chosen: BTreeSet<EventKind> = self.events.iter().copied().collect();
        Ok(EventKind::ALL
            .into_iter()
            .filter(|e| chosen.contains(e))
            .map(|event| HookSpec {
                event,
                project_id: self.project_id.trim().to_string(),
                repository_id: repository_id.clone().filter(|_| event.is_git()),
                branch: branch.clone().filter(|_| event.is_git()),
                url: self.url.trim().to_string(),
                auth: self.auth.clone(),
            })
            .collect())
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// `refs/heads/main` → `main`; `main` stays. The web UI's branch filter holds the short name.
pub fn normalize_branch(branch: &str) -> String {
    const PREFIX: &str = "refs/heads/";
    let b = branch.trim();
    match b.get(..PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(PREFIX) && b.len() > PREFIX.len() => {
            b[PREFIX.len()..].to_string()
        }
        _ => b.to_string(),
    }
}

// --- The subscription body ---------------------------------------------------------------------

/// The JSON body of `POST _apis/hooks/subscriptions` (and of `PUT …/{id}`) for one spec.
/// `Debug` hides the secret-bearing inputs.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionBody {
    /// `tfs`.
    pub publisher_id: String,
    /// E.g. `git.push`.
    pub event_type: String,
    /// `1.0`.
    pub resource_version: String,
    /// `webHooks`.
    pub consumer_id: String,
    /// `httpRequest`.
    pub consumer_action_id: String,
    /// The event filters: `projectId`, `repository`, `branch`, `mergeResult`.
    pub publisher_inputs: BTreeMap<String, String>,
    /// `url`, `httpHeaders` or basic auth, and what to send.
    pub consumer_inputs: BTreeMap<String, String>,
}

/// Consumer inputs whose values are secret.
pub const SECRET_INPUTS: [&str; 2] = ["httpHeaders", "basicAuthPassword"];

impl std::fmt::Debug for SubscriptionBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let consumer: BTreeMap<&str, &str> = self
            .consumer_inputs
            .iter()
            .map(|(k, v)| {
                let shown = if SECRET_INPUTS.contains(&k.as_str()) {
                    "[redacted]"
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("SubscriptionBody")
            .field("publisher_id", &self.publisher_id)
            .field("event_type", &self.event_type)
            .field("resource_version", &self.resource_version)
            .field("consumer_id", &self.consumer_id)
            .field("consumer_action_id", &self.consumer_action_id)
            .field("publisher_inputs", &self.publisher_inputs)
            .field("consumer_inputs", &consumer)
            .finish()
    }
}

/// The `publisherInputs` a spec asks for.
pub fn publisher_inputs(spec: &HookSpec) -> BTreeMap<String, String> {
    let mut inputs = BTreeMap::new();
    inputs.insert("projectId".to_string(), spec.project_id.clone());
    if spec.event.is_git() {
        if let Some(repository) = &spec.repository_id {
            inputs.insert("repository".to_string(), repository.clone());
        }
        if let Some(branch) = &spec.branch {
            inputs.insert("branch".to_string(), branch.clone());
        }
    }
    for (k, v) in spec.event.fixed_inputs() {
        inputs.insert(k.to_string(), v.to_string());
    }
    inputs
}

/// The consumer inputs besides the URL and the secret: the full resource, no rendered messages
/// (receivers parse `resource`; the messages only make deliveries bigger).
const DELIVERY_INPUTS: [(&str, &str); 3] = [
    ("resourceDetailsToSend", "all"),
    ("messagesToSend", "none"),
    ("detailedMessagesToSend", "none"),
];

/// Builds the subscription body for `spec`. `secret` is the header value or the basic-auth
/// password, whichever [`HookSpec::auth`] says.
pub fn subscription_body(spec: &HookSpec, secret: &str) -> SubscriptionBody {
    let mut consumer = BTreeMap::new();
    consumer.insert("url".to_string(), spec.url.clone());
    match &spec.auth {
        HookAuth::SecretHeader { header, .. } => {
            consumer.insert("httpHeaders".to_string(), format!("{header}:{secret}"));
        }
        HookAuth::Basic { username, .. } => {
            consumer.insert("basicAuthUsername".to_string(), username.clone());
            consumer.insert("basicAuthPassword".to_string(), secret.to_string());
        }
    }
    for (k, v) in DELIVERY_INPUTS {
        consumer.insert(k.to_string(), v.to_string());
    }
    SubscriptionBody {
        publisher_id: PUBLISHER_ID.to_string(),
        event_type: spec.event.event_type().to_string(),
        resource_version: RESOURCE_VERSION.to_string(),
        consumer_id: CONSUMER_ID.to_string(),
        consumer_action_id: CONSUMER_ACTION_ID.to_string(),
        publisher_inputs: publisher_inputs(spec),
        consumer_inputs: consumer,
    }
}

// --- Existing subscriptions, as facts ----------------------------------------------------------

/// A subscription's status (`Subscription.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionStatus {
    /// Delivering.
    Enabled,
    /// Deliveries failed; Azure DevOps retries with growing delays before it disables it.
    OnProbation,
    /// Someone turned it off.
    DisabledByUser,
    /// Azure DevOps turned it off after deliveries kept failing (or the receiver answered 410).
    DisabledBySystem,
    /// Its owner left or lost permissions.
    DisabledByInactiveIdentity,
    /// A status this version does not know.
    #[serde(other)]
    Unknown,
}

impl SubscriptionStatus {
    /// Parses the wire value; a missing status is `enabled`, as Azure DevOps defaults it.
    pub fn parse(status: Option<&str>) -> SubscriptionStatus {
        match status.map(str::trim) {
            None | Some("") => SubscriptionStatus::Enabled,
            Some(s) => match s.to_ascii_lowercase().as_str() {
                "enabled" => SubscriptionStatus::Enabled,
                "onprobation" => SubscriptionStatus::OnProbation,
                "disabledbyuser" => SubscriptionStatus::DisabledByUser,
                "disabledbysystem" => SubscriptionStatus::DisabledBySystem,
                "disabledbyinactiveidentity" => SubscriptionStatus::DisabledByInactiveIdentity,
                _ => SubscriptionStatus::Unknown,
            },
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Enabled => "enabled",
            SubscriptionStatus::OnProbation => "onProbation",
            SubscriptionStatus::DisabledByUser => "disabledByUser",
            SubscriptionStatus::DisabledBySystem => "disabledBySystem",
            SubscriptionStatus::DisabledByInactiveIdentity => "disabledByInactiveIdentity",
            SubscriptionStatus::Unknown => "unknown",
        }
    }
}

/// What we know of a secret an existing subscription carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum SecretFact {
    /// Its fingerprint (same function as [`SecretRef::fingerprint`]).
    Fingerprint(String),
    /// The server masked it (`********`), as it does confidential inputs.
    Masked,
}

/// One header of an existing subscription's `httpHeaders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingHeader {
    /// The header name as written.
    pub name: String,
    /// Its value, as a fingerprint.
    pub value: SecretFact,
}

/// An existing subscription, as facts: what the server returned, with secrets replaced by
/// fingerprints. Build one with [`ExistingSubscription::from_wire`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingSubscription {
    /// The subscription id.
    pub id: String,
    /// E.g. `tfs`.
    pub publisher_id: String,
    /// E.g. `git.push`.
    pub event_type: String,
    /// E.g. `1.0`, if the server said.
    pub resource_version: Option<String>,
    /// E.g. `webHooks`.
    pub consumer_id: String,
    /// E.g. `httpRequest`.
    pub consumer_action_id: String,
    /// The event filters, as returned (the server adds `hostId`, `tfsSubscriptionId`).
    pub publisher_inputs: BTreeMap<String, String>,
    /// The receiver URL.
    pub url: Option<String>,
    /// The custom headers.
    pub headers: Vec<ExistingHeader>,
    /// The basic-auth user name, if set.
    pub basic_auth_username: Option<String>,
    /// The basic-auth password, if set.
    pub basic_auth_password: Option<SecretFact>,
    /// The other consumer inputs (`resourceDetailsToSend`, …).
    pub other_consumer_inputs: BTreeMap<String, String>,
    /// Its status.
    pub status: SubscriptionStatus,
    /// Failed deliveries retried while on probation.
    pub probation_retries: Option<u32>,
    /// When probation was last retried.
    pub last_probation_retry_date: Option<String>,
    /// Who created it, for the plan ("created by Ada").
    pub created_by: Option<String>,
}

/// Server-added publisher inputs that are not filters.
const SERVER_PUBLISHER_INPUTS: [&str; 2] = ["hostId", "tfsSubscriptionId"];

impl ExistingSubscription {
    /// Turns the wire fields into facts. `fingerprint` digests a secret value (the same function
    /// the caller uses for [`SecretRef::fingerprint`]); it is called for header values and the
    /// basic-auth password, never for anything else.
    #[allow(clippy::too_many_arguments)]
    pub fn from_wire(
        id: &str,
        publisher_id: Option<&str>,
        event_type: Option<&str>,
        resource_version: Option<&str>,
        consumer_id: Option<&str>,
        consumer_action_id: Option<&str>,
        publisher_inputs: &BTreeMap<String, String>,
        consumer_inputs: &BTreeMap<String, String>,
        status: Option<&str>,
        fingerprint: &dyn Fn(&str) -> String,
    ) -> ExistingSubscription {
        let fact = |value: &str| {
            if is_masked(value) {
                SecretFact::Masked
            } else {
                SecretFact::Fingerprint(fingerprint(value))
            }
        };
        let mut headers = Vec::new();
        let mut other = BTreeMap::new();
        let mut url = None;
        let mut basic_auth_username = None;
        let mut basic_auth_password = None;
        for (key, value) in consumer_inputs {
            match key.as_str() {
                "url" => url = Some(value.clone()),
                "httpHeaders" => {
                    if is_masked(value) {
                        // The whole field masked: we know nothing of its headers' names.
                        headers.push(ExistingHeader {
                            name: String::new(),
                            value: SecretFact::Masked,
                        });
                    } else {
                        for (name, v) in parse_http_headers(value) {
                            headers.push(ExistingHeader {
                                name,
                                value: fact(&v),
                            });
                        }
                    }
                }
                "basicAuthUsername" if !value.is_empty() => {
                    basic_auth_username = Some(value.clone())
                }
                "basicAuthPassword" if !value.is_empty() => basic_auth_password = Some(fact(value)),
                "basicAuthUsername" | "basicAuthPassword" => {}
                _ => {
                    other.insert(key.clone(), value.clone());
                }
            }
        }
        ExistingSubscription {
            id: id.to_string(),
            publisher_id: publisher_id.unwrap_or_default().to_string(),
            event_type: event_type.unwrap_or_default().to_string(),
            resource_version: resource_version.map(str::to_string),
            consumer_id: consumer_id.unwrap_or_default().to_string(),
            consumer_action_id: consumer_action_id.unwrap_or_default().to_string(),
            publisher_inputs: publisher_inputs.clone(),
            url,
            headers,
            basic_auth_username,
            basic_auth_password,
            other_consumer_inputs: other,
            status: SubscriptionStatus::parse(status),
            probation_retries: None,
            last_probation_retry_date: None,
            created_by: None,
        }
    }

    fn input(&self, name: &str) -> Option<&str> {
        self.publisher_inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// True for values the server masked: only asterisks.
fn is_masked(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && v.chars().all(|c| c == '*')
}

/// Splits `httpHeaders` ("Key1:value1\nKey2:value2", per the consumer's input descriptor) into
/// names and values, trimmed. Lines without a colon are ignored.
pub fn parse_http_headers(raw: &str) -> Vec<(String, String)> {
    raw.split(['\r', '\n', '\x0c'])
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_string(), value.trim().to_string()))
        })
        .collect()
}

// --- Matching ----------------------------------------------------------------------------------

/// The receiver URL reduced to what identifies it: scheme and host lowercased, default port and
/// fragment dropped, one trailing `/` dropped (`https://h/hook/` = `https://h/hook`), query kept.
/// A value that is not a URL compares as its trimmed, lowercased self.
pub fn normalize_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut url) => {
            url.set_fragment(None);
            let path = url.path().to_string();
            if path.len() > 1 && path.ends_with('/') {
                url.set_path(&path[..path.len() - 1]);
            }
            let mut s = url.to_string();
            // `Url` always writes a root path; `https://h/` and `https://h` are the same receiver.
            if url.path() == "/" && url.query().is_none() && s.ends_with('/') {
                s.pop();
            }
            s
        }
        Err(_) => raw.trim().to_ascii_lowercase(),
    }
}

fn same_id(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    }
}

/// The matching rule: is `existing` the subscription `spec` asks for? Same publisher (`tfs`),
/// consumer and action (`webHooks`/`httpRequest`), event, receiver URL ([`normalize_url`]),
/// project, repository (absent = any) and branch (`refs/heads/` ignored; absent = any).
/// Secrets, other filters, delivery settings and status are not part of identity: they are
/// drift ([`Change`]) fixed in place.
pub fn matches(spec: &HookSpec, existing: &ExistingSubscription) -> bool {
    let branch = existing.input("branch").map(normalize_branch);
    existing.publisher_id.eq_ignore_ascii_case(PUBLISHER_ID)
        && existing.consumer_id.eq_ignore_ascii_case(CONSUMER_ID)
        && existing
            .consumer_action_id
            .eq_ignore_ascii_case(CONSUMER_ACTION_ID)
        && existing
            .event_type
            .eq_ignore_ascii_case(spec.event.event_type())
        && existing
            .url
            .as_deref()
            .is_some_and(|u| normalize_url(u) == normalize_url(&spec.url))
        && same_id(existing.input("projectId"), Some(&spec.project_id))
        && same_id(
            existing.input("repository"),
            spec.repository_id
                .as_deref()
                .filter(|_| spec.event.is_git()),
        )
        && same_id(
            branch.as_deref(),
            spec.branch
                .as_deref()
                .filter(|_| spec.event.is_git())
                .map(normalize_branch)
                .as_deref(),
        )
}

// --- What a spec's subscription needs changed --------------------------------------------------

/// One difference between an existing subscription and what its spec asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Change {
    /// The secret header carries another value (after a rotation, or edited by hand).
    SecretChanged {
        /// The header name.
        header: String,
    },
    /// The secret header is missing.
    SecretHeaderMissing {
        /// The header name.
        header: String,
    },
    /// The server masks the secret and this app never set it: it is set again to be sure.
    SecretUnverified,
    /// Basic auth is set where the secret header is wanted, or the other way round.
    AuthMethodChanged,
    /// Other custom headers are set; the update leaves only the secret header.
    #[serde(rename_all = "camelCase")]
    ExtraHeaders {
        /// Their names.
        names: Vec<String>,
    },
    /// Another basic-auth user name.
    #[serde(rename_all = "camelCase")]
    BasicAuthUsername {
        /// What it is.
        from: Option<String>,
        /// What it becomes.
        to: String,
    },
    /// Another basic-auth password.
    BasicAuthPassword,
    /// An event filter differs (e.g. `mergeResult`), or one the wizard does not set is set.
    #[serde(rename_all = "camelCase")]
    Filter {
        /// The publisher input.
        input: String,
        /// What it is.
        from: Option<String>,
        /// What it becomes (`None`: cleared).
        to: Option<String>,
    },
    /// A delivery setting differs (`resourceDetailsToSend`, `messagesToSend`, …).
    #[serde(rename_all = "camelCase")]
    Delivery {
        /// The consumer input.
        input: String,
        /// What it is.
        from: Option<String>,
        /// What it becomes.
        to: String,
    },
    /// Another payload version.
    #[serde(rename_all = "camelCase")]
    ResourceVersion {
        /// What it is.
        from: String,
        /// What it becomes.
        to: String,
    },
}

impl Change {
    /// One line for the plan.
    pub fn describe(&self) -> String {
        match self {
            Change::SecretChanged { header } => {
                format!("set {header} to the current secret")
            }
            Change::SecretHeaderMissing { header } => format!("add the {header} header"),
            Change::SecretUnverified => {
                "set the secret again (the server does not show it, so it cannot be compared)"
                    .into()
            }
            Change::AuthMethodChanged => "switch the delivery authentication method".into(),
            Change::ExtraHeaders { names } => {
                format!("drop the other headers ({})", names.join(", "))
            }
            Change::BasicAuthUsername { from, to } => format!(
                "basic-auth user {} → {to}",
                from.as_deref().unwrap_or("(none)")
            ),
            Change::BasicAuthPassword => "set the basic-auth password".into(),
            Change::Filter { input, from, to } => format!(
                "filter {input}: {} → {}",
                from.as_deref().unwrap_or("(any)"),
                to.as_deref().unwrap_or("(any)")
            ),
            Change::Delivery { input, from, to } => {
                format!("{input}: {} → {to}", from.as_deref().unwrap_or("(default)"))
            }
            Change::ResourceVersion { from, to } => format!("resource version {from} → {to}"),
        }
    }
}

/// What this app recorded about a subscription it created or adopted (kept in the profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedHook {
    /// The subscription id.
    pub id: String,
    /// The spec it was created or adopted for.
    pub spec: HookSpec,
    /// Created by this app, or adopted (it existed already).
    pub origin: HookOrigin,
    /// The fingerprint of the secret last written to it, when this app wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_fingerprint: Option<String>,
    /// When it was recorded (seconds since the Unix epoch).
    #[serde(default)]
    pub recorded_at: u64,
}

/// How a recorded subscription came to be ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HookOrigin {
    /// This app created it.
    Created,
    /// It existed and matched a spec; this app took it over.
    Adopted,
}

/// The differences between `existing` and what `spec` asks for. `recorded` is this app's record
/// of the subscription, if any: it vouches for a secret the server masks.
pub fn changes(
    spec: &HookSpec,
    existing: &ExistingSubscription,
    recorded: Option<&RecordedHook>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let wanted = spec.auth.secret().fingerprint.as_deref();
    // A masked secret: trust our record if it says we wrote this very secret.
    let masked_ok = || {
        let recorded_fp = recorded.and_then(|r| r.secret_fingerprint.as_deref());
        match (recorded_fp, wanted) {
            (Some(r), Some(w)) => r == w,
            // Recorded, but no fingerprint to compare (basic auth): nothing says it changed.
            (None, _) => recorded.is_some(),
            (Some(_), None) => true,
        }
    };
    match &spec.auth {
        HookAuth::SecretHeader { header, .. } => {
            if existing.basic_auth_username.is_some() {
                changes.push(Change::AuthMethodChanged);
            }
            let found = existing
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(header) || h.name.is_empty());
            match found.map(|h| &h.value) {
                None => changes.push(Change::SecretHeaderMissing {
                    header: header.clone(),
                }),
                Some(SecretFact::Fingerprint(fp)) => {
                    if wanted != Some(fp.as_str()) {
                        changes.push(Change::SecretChanged {
                            header: header.clone(),
                        });
                    }
                }
                Some(SecretFact::Masked) => {
                    if !masked_ok() {
                        changes.push(if recorded.is_some() {
                            Change::SecretChanged {
                                header: header.clone(),
                            }
                        } else {
                            Change::SecretUnverified
                        });
                    }
                }
            }
            let others: Vec<String> = existing
                .headers
                .iter()
                .filter(|h| !h.name.is_empty() && !h.name.eq_ignore_ascii_case(header))
                .map(|h| h.name.clone())
                .collect();
            if !others.is_empty() {
                changes.push(Change::ExtraHeaders { names: others });
            }
        }
        HookAuth::Basic { username, .. } => {
            if !existing.headers.is_empty() {
                changes.push(Change::AuthMethodChanged);
            }
            if existing.basic_auth_username.as_deref() != Some(username.as_str()) {
                changes.push(Change::BasicAuthUsername {
                    from: existing.basic_auth_username.clone(),
                    to: username.clone(),
                });
            }
            match &existing.basic_auth_password {
                None => changes.push(Change::BasicAuthPassword),
                Some(SecretFact::Fingerprint(fp)) if wanted.is_some_and(|w| w != fp) => {
                    changes.push(Change::BasicAuthPassword)
                }
                Some(SecretFact::Fingerprint(_)) => {}
                Some(SecretFact::Masked) => {
                    if !masked_ok() {
                        changes.push(if recorded.is_some() {
                            Change::BasicAuthPassword
                        } else {
                            Change::SecretUnverified
                        });
                    }
                }
            }
        }
    }

    // Filters: the ones we set must have our value; any other non-empty filter is cleared
    // (project, repository and branch are equal already: they are the match key).
    let wanted_inputs = publisher_inputs(spec);
    for (input, value) in &wanted_inputs {
        let have = existing.input(input);
        let same = match input.as_str() {
            "branch" => have.map(normalize_branch).as_deref() == Some(value.as_str()),
            _ => have.is_some_and(|h| h.eq_ignore_ascii_case(value)),
        };
        if !same {
            changes.push(Change::Filter {
                input: input.clone(),
                from: have.map(str::to_string),
                to: Some(value.clone()),
            });
        }
    }
    for (input, value) in &existing.publisher_inputs {
        let known = wanted_inputs.keys().any(|k| k.eq_ignore_ascii_case(input))
            || SERVER_PUBLISHER_INPUTS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(input));
        if !known && !value.trim().is_empty() {
            changes.push(Change::Filter {
                input: input.clone(),
                from: Some(value.clone()),
                to: None,
            });
        }
    }

    for (input, value) in DELIVERY_INPUTS {
        let have = existing
            .other_consumer_inputs
            .get(input)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        // An empty resourceDetailsToSend means "all" (the descriptor's default).
        let effective = match (input, have) {
            ("resourceDetailsToSend", None) => Some("all"),
            (_, h) => h,
        };
        if !effective.is_some_and(|h| h.eq_ignore_ascii_case(value)) {
            changes.push(Change::Delivery {
                input: input.to_string(),
                from: have.map(str::to_string),
                to: value.to_string(),
            });
        }
    }
    if let Some(version) = existing.resource_version.as_deref() {
        let v = version.trim();
        if !v.is_empty() && v != RESOURCE_VERSION {
            changes.push(Change::ResourceVersion {
                from: v.to_string(),
                to: RESOURCE_VERSION.to_string(),
            });
        }
    }
    changes
}

// --- The planner -------------------------------------------------------------------------------

/// What happens to one spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// No subscription matches: create one.
    Create,
    /// One matches, is fine, but this app has not recorded it: record it as ours.
    Adopt,
    /// One matches but differs (secret, filters, delivery settings): replace it in place.
    Update,
    /// One matches but is disabled or on probation: enable it (and fix any drift).
    Reenable,
    /// One matches, is ours and is fine.
    Unchanged,
}

impl Action {
    /// True when the action changes something in Azure DevOps.
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Reenable)
    }

    /// The verb for progress lines.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Adopt => "adopt",
            Action::Update => "update",
            Action::Reenable => "re-enable",
            Action::Unchanged => "keep",
        }
    }
}

/// One spec and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedHook {
    /// What to do.
    pub action: Action,
    /// The spec.
    pub spec: HookSpec,
    /// The matching subscription, for everything but `create`.
    pub subscription_id: Option<String>,
    /// True when this app has not recorded the subscription yet (it will be adopted).
    pub adopting: bool,
    /// The subscription's status now.
    pub status: Option<SubscriptionStatus>,
    /// Why it is disabled or on probation, for `reenable`.
    pub reason: Option<String>,
    /// What will be changed, for `update` and `reenable`.
    pub changes: Vec<Change>,
    /// Who created the subscription, when the server said.
    pub created_by: Option<String>,
}

/// Another subscription that also matches a spec. It is left alone (never deleted: it may be
/// someone else's), but the plan names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Duplicate {
    /// Its id.
    pub subscription_id: String,
    /// The event.
    pub event: EventKind,
    /// True when this app recorded it (an earlier run's duplicate).
    pub recorded: bool,
    /// Who created it, when known.
    pub created_by: Option<String>,
}

/// What the wizard will do. Every desired spec is in exactly one of the first five lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// New subscriptions.
    pub create: Vec<PlannedHook>,
    /// Matching subscriptions, already right, to record as ours.
    pub adopt: Vec<PlannedHook>,
    /// Matching subscriptions to fix in place (e.g. headers after a secret rotation).
    pub update: Vec<PlannedHook>,
    /// Disabled or on-probation subscriptions to enable again, with the reason they stopped.
    pub reenable: Vec<PlannedHook>,
    /// Ours and fine.
    pub unchanged: Vec<PlannedHook>,
    /// Further subscriptions matching a spec, left alone.
    pub duplicates: Vec<Duplicate>,
    /// Recorded by this app but no longer asked for (another URL, an event dropped): left alone;
    /// "remove" deletes them.
    pub stale: Vec<RecordedHook>,
    /// Recorded by this app but gone from the server: forgotten on apply (and created again
    /// if still asked for, see `create`).
    pub missing: Vec<RecordedHook>,
}

impl Plan {
    /// Every planned spec in apply order: create, update, re-enable, adopt, unchanged.
    pub fn items(&self) -> impl Iterator<Item = &PlannedHook> {
        self.create
            .iter()
            .chain(&self.update)
            .chain(&self.reenable)
            .chain(&self.adopt)
            .chain(&self.unchanged)
    }

    /// True when applying changes nothing in Azure DevOps and records nothing new.
    pub fn is_noop(&self) -> bool {
        self.create.is_empty()
            && self.adopt.is_empty()
            && self.update.is_empty()
            && self.reenable.is_empty()
            && self.missing.is_empty()
    }

    /// How many requests that change Azure DevOps the plan makes.
    pub fn writes(&self) -> usize {
        self.create.len() + self.update.len() + self.reenable.len()
    }

    /// "2 to create, 1 to update, 1 to re-enable, 1 unchanged".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.create.len(), "to create"),
            (self.adopt.len(), "to adopt"),
            (self.update.len(), "to update"),
            (self.reenable.len(), "to re-enable"),
            (self.unchanged.len(), "unchanged"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if parts.is_empty() {
            "nothing to do".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Why a subscription stopped delivering, in words, for the plan's re-enable rows.
pub fn status_reason(existing: &ExistingSubscription) -> Option<String> {
    let retries = existing
        .probation_retries
        .map(|n| format!(" ({n} retries so far)"))
        .unwrap_or_default();
    match existing.status {
        SubscriptionStatus::Enabled => None,
        SubscriptionStatus::OnProbation => Some(format!(
            "on probation: deliveries to the receiver failed, and Azure DevOps is retrying with growing delays before it disables the subscription{retries}"
        )),
        SubscriptionStatus::DisabledBySystem => Some(
            "disabled by Azure DevOps: deliveries kept failing (or the receiver answered 410 Gone); check the receiver is up, then re-enable".into(),
        ),
        SubscriptionStatus::DisabledByUser => {
            Some("disabled by a user in Project settings → Service hooks".into())
        }
        SubscriptionStatus::DisabledByInactiveIdentity => Some(
            "disabled because its owner is inactive or lost permissions; re-enabling makes you its owner".into(),
        ),
        SubscriptionStatus::Unknown => Some("in a state this app does not know".into()),
    }
}

/// Decides, for each desired spec, whether to create, adopt, update, re-enable or keep its
/// subscription. `existing` is what the server lists (any subset that includes every
/// subscription of the project is fine); `recorded` is what this app recorded in the profile.
///
/// Rules:
/// - Candidates for a spec are the existing subscriptions [`matches`] accepts. Among several,
///   a recorded one wins, then an enabled one, then the lowest id; the rest are
///   [`Plan::duplicates`], left alone.
/// - No candidate → create. A candidate that is not enabled → re-enable, with its reason and
///   any drift fixed in the same write. Drift ([`changes`]) → update. Otherwise → adopt if not
///   recorded, unchanged if recorded.
/// - Recorded ids the server no longer lists are [`Plan::missing`]; recorded ids listed but
///   not chosen for any spec are [`Plan::stale`].
/// - Specs asking for the same subscription (same match key) count once.
pub fn plan(
    desired: &[HookSpec],
    existing: &[ExistingSubscription],
    recorded: &[RecordedHook],
) -> Plan {
    let mut out = Plan::default();
    let is_recorded = |id: &str| recorded.iter().find(|r| r.id.eq_ignore_ascii_case(id));
    let mut chosen_ids: BTreeSet<String> = BTreeSet::new();
    let mut seen: Vec<&HookSpec> = Vec::new();

    for spec in desired {
        // The same match key twice (e.g. the URL with and without a trailing slash) is one spec.
        if seen.iter().any(|s| same_match_key(s, spec)) {
            continue;
        }
        seen.push(spec);
        let mut candidates: Vec<&ExistingSubscription> =
            existing.iter().filter(|e| matches(spec, e)).collect();
        candidates.sort_by(|a, b| {
            let rank = |e: &ExistingSubscription| {
                (
                    is_recorded(&e.id).is_none(),
                    e.status != SubscriptionStatus::Enabled,
                    e.id.to_ascii_lowercase(),
                )
            };
            rank(a).cmp(&rank(b))
        });
        let Some(found) = candidates.first().copied() else {
            out.create.push(PlannedHook {
                action: Action::Create,
                spec: spec.clone(),
                subscription_id: None,
                adopting: false,
                status: None,
                reason: None,
                changes: Vec::new(),
                created_by: None,
            });
            continue;
        };
        for other in &candidates[1..] {
            out.duplicates.push(Duplicate {
                subscription_id: other.id.clone(),
                event: spec.event,
                recorded: is_recorded(&other.id).is_some(),
                created_by: other.created_by.clone(),
            });
        }
        chosen_ids.insert(found.id.to_ascii_lowercase());
        let record = is_recorded(&found.id);
        let drift = changes(spec, found, record);
        let action = if found.status != SubscriptionStatus::Enabled {
            Action::Reenable
        } else if !drift.is_empty() {
            Action::Update
        } else if record.is_none() {
            Action::Adopt
        } else {
            Action::Unchanged
        };
        let item = PlannedHook {
            action,
            spec: spec.clone(),
            subscription_id: Some(found.id.clone()),
            adopting: record.is_none(),
            status: Some(found.status),
            reason: status_reason(found),
            changes: drift,
            created_by: found.created_by.clone(),
        };
        match action {
            Action::Create => out.create.push(item),
            Action::Adopt => out.adopt.push(item),
            Action::Update => out.update.push(item),
            Action::Reenable => out.reenable.push(item),
            Action::Unchanged => out.unchanged.push(item),
        }
    }

    for r in recorded {
        let listed = existing.iter().any(|e| e.id.eq_ignore_ascii_case(&r.id));
        if !listed {
            out.missing.push(r.clone());
        } else if !chosen_ids.contains(&r.id.to_ascii_lowercase())
            && !out
                .duplicates
                .iter()
                .any(|d| d.subscription_id.eq_ignore_ascii_case(&r.id))
        {
            out.stale.push(r.clone());
        }
    }
    out
}

/// True when two specs ask for the same subscription (the same match key: event, receiver URL,
/// project, repository, branch); their auth may differ.
pub fn same_match_key(a: &HookSpec, b: &HookSpec) -> bool {
    a.event == b.event
        && normalize_url(&a.url) == normalize_url(&b.url)
        && a.project_id.eq_ignore_ascii_case(&b.project_id)
        && same_id(a.repository_id.as_deref(), b.repository_id.as_deref())
        && same_id(
            a.branch.as_deref().map(normalize_branch).as_deref(),
            b.branch.as_deref().map(normalize_branch).as_deref(),
        )
}

// --- Receiver URL checks -----------------------------------------------------------------------

/// What the receiver check knows besides the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverContext {
    /// Services or Server: Services delivers from Microsoft's cloud, Server from the server.
    pub deployment: Deployment,
    /// True when Azure DevOps itself runs on this machine's loopback (the sandbox): then a
    /// loopback receiver is reachable, and refusals become warnings.
    pub azure_devops_on_loopback: bool,
    /// The addresses the receiver's host name resolves to from here, if the caller looked.
    /// Used for warnings only: Azure DevOps may resolve it differently.
    pub resolved: Vec<IpAddr>,
}

/// Why a receiver URL is refused or warned about. Serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverIssue {
    /// Not an absolute URL.
    NotAUrl,
    /// Not `http` or `https`.
    UnsupportedScheme,
    /// `user:password@` in the URL: use basic auth instead, so it is kept as a secret.
    CredentialsInUrl,
    /// Plain `http`: the secret and the payload travel in the clear.
    PlainHttp,
    /// `localhost` or a loopback address: that is Azure DevOps' own machine, not yours.
    Loopback,
    /// A private (RFC 1918, unique local, shared CGNAT) address.
    PrivateAddress,
    /// A link-local address (169.254/16, fe80::/10).
    LinkLocal,
    /// `0.0.0.0`, `::` or a multicast or broadcast address.
    NotRoutable,
    /// The host name resolves here to a non-public address.
    ResolvesPrivate,
}

/// A warning about a receiver that is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverWarning {
    /// Which issue.
    pub issue: ReceiverIssue,
    /// What it means, in one or two sentences.
    pub message: String,
}

/// A receiver URL that passed, with warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverCheck {
    /// The parsed URL.
    pub url: Url,
    /// Things the admin should know.
    pub warnings: Vec<ReceiverWarning>,
}

/// A refused receiver URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ReceiverRefusal {
    /// Which issue.
    pub issue: ReceiverIssue,
    /// The URL as given.
    pub url: String,
    /// Why, in one sentence.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl ReceiverRefusal {
    /// As a [`Problem`] (`invalid_input`), for the UI and the CLI.
    pub fn to_problem(&self) -> Problem {
        Problem {
            code: CheckCode::InvalidInput,
            field: None,
            message: self.message.clone(),
            fix: self.fix.clone(),
            server_message: None,
            support_id: None,
        }
    }
}

/// The kind of address an IP is, for the checks.
fn classify_ip(ip: IpAddr) -> Option<ReceiverIssue> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify_v4(v4);
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some(ReceiverIssue::Loopback)
            } else if v6.is_unspecified() || v6.is_multicast() {
                Some(ReceiverIssue::NotRoutable)
            } else if first & 0xfe00 == 0xfc00 {
                Some(ReceiverIssue::PrivateAddress)
            } else if first & 0xffc0 == 0xfe80 {
                Some(ReceiverIssue::LinkLocal)
            } else {
                None
            }
        }
    }
}

fn classify_v4(v4: Ipv4Addr) -> Option<ReceiverIssue> {
    let [a, b, ..] = v4.octets();
    if v4.is_loopback() {
        Some(ReceiverIssue::Loopback)
    } else if v4.is_private() || (a == 100 && (64..=127).contains(&b)) {
        Some(ReceiverIssue::PrivateAddress)
    } else if v4.is_link_local() {
        Some(ReceiverIssue::LinkLocal)
    } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || a == 0 {
        Some(ReceiverIssue::NotRoutable)
    } else {
        None
    }
}

fn host_issue(url: &Url) -> Option<ReceiverIssue> {
    match url.host()? {
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            (d == "localhost" || d.ends_with(".localhost")).then_some(ReceiverIssue::Loopback)
        }
        url::Host::Ipv4(v4) => classify_v4(v4),
        url::Host::Ipv6(v6) => classify_ip(IpAddr::V6(v6)),
    }
}

/// Checks that Azure DevOps can deliver to `input`.
///
/// - Always refused: not an absolute `http(s)` URL, or credentials in the URL.
/// - **Services** (deliveries come from Microsoft's cloud; docs `service-hooks/services/webhooks.md`:
///   no localhost or special-range addresses, use HTTPS): refused for plain `http`, `localhost`,
///   loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local and
///   non-routable addresses.
/// - **Server** (deliveries come from the server, usually inside the company network): `http`
///   and private addresses are allowed, `http` with a warning; loopback is allowed with a
///   warning (it means the Azure DevOps Server machine itself).
/// - When Azure DevOps runs on this machine's loopback (the sandbox), every refusal about
///   addresses and `http` becomes a warning.
/// - A host name that resolves here ([`ReceiverContext::resolved`]) to a non-public address gets
///   a warning: Azure DevOps may resolve it differently (split DNS), so it is not refused.
pub fn check_receiver_url(
    input: &str,
    ctx: &ReceiverContext,
) -> Result<ReceiverCheck, ReceiverRefusal> {
    let raw = input.trim();
    let refuse = |issue, message: String, fix: &str| ReceiverRefusal {
        issue,
        url: raw.to_string(),
        message,
        fix: fix.to_string(),
    };
    let url = Url::parse(raw).map_err(|e| {
        refuse(
            ReceiverIssue::NotAUrl,
            format!("{raw:?} is not a receiver URL ({e})."),
            "Paste the full URL the product gave you, starting with https://.",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(refuse(
            ReceiverIssue::UnsupportedScheme,
            format!("{raw} is not an http(s) URL; Azure DevOps web hooks only POST to http(s)."),
            "Use the https:// URL of the receiver.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            ReceiverIssue::CredentialsInUrl,
            "The receiver URL contains a user name or password, which Azure DevOps would store and show in clear.".into(),
            "Remove them from the URL and choose basic authentication instead; the password is then kept as a secret.",
        ));
    }

    let host = url.host_str().unwrap_or_default().to_string();
    let sandbox = ctx.azure_devops_on_loopback;
    let mut warnings = Vec::new();
    let warn = |warnings: &mut Vec<ReceiverWarning>, issue, message: String| {
        warnings.push(ReceiverWarning { issue, message })
    };

    if let Some(issue) = host_issue(&url) {
        let what = match issue {
            ReceiverIssue::Loopback => "a loopback address (this very machine)",
            ReceiverIssue::PrivateAddress => "a private network address",
            ReceiverIssue::LinkLocal => "a link-local address",
            _ => "an address that cannot be routed",
        };
        match (ctx.deployment, issue, sandbox) {
            (_, _, true) => warn(
                &mut warnings,
                issue,
                format!("{host} is {what}; that works only because Azure DevOps runs on this machine too (the sandbox)."),
            ),
            (Deployment::Services, _, false) => {
                return Err(refuse(
                    issue,
                    format!("Azure DevOps Services cannot reach {host}: it is {what}, and deliveries come from Microsoft's cloud."),
                    "Use a public https:// URL for the receiver (for local testing, a tunnel such as a reverse proxy with a public name).",
                ))
            }
            (Deployment::Server, ReceiverIssue::Loopback, false) => warn(
                &mut warnings,
                issue,
                format!("{host} is the Azure DevOps Server machine itself from the server's point of view; deliveries will reach the receiver only if it runs there."),
            ),
            (Deployment::Server, ReceiverIssue::PrivateAddress, false) => {}
            (Deployment::Server, _, false) => {
                return Err(refuse(
                    issue,
                    format!("Azure DevOps Server cannot deliver to {host}: it is {what}."),
                    "Use the receiver's host name or routable address.",
                ))
            }
        }
    }

    if url.scheme() == "http" {
        match (ctx.deployment, sandbox) {
            (Deployment::Services, false) => {
                return Err(refuse(
                    ReceiverIssue::PlainHttp,
                    format!("{raw} is plain http: the secret and every event would travel unencrypted over the internet."),
                    "Use the receiver's https:// URL.",
                ))
            }
            _ => warn(
                &mut warnings,
                ReceiverIssue::PlainHttp,
                "Plain http: the secret and each event travel unencrypted; anyone on the network path can read and replay them. Prefer https.".into(),
            ),
        }
    }

    if matches!(url.host(), Some(url::Host::Domain(_))) && host_issue(&url).is_none() {
        let private: Vec<String> = ctx
            .resolved
            .iter()
            .filter(|ip| classify_ip(**ip).is_some())
            .map(|ip| ip.to_string())
            .collect();
        let from_the_cloud = ctx.deployment == Deployment::Services && !sandbox;
        if from_the_cloud && !private.is_empty() {
            warn(
                &mut warnings,
                ReceiverIssue::ResolvesPrivate,
                format!(
                    "{host} resolves here to {}, which Azure DevOps Services cannot reach; it works only if public DNS gives a public address.",
                    private.join(", ")
                ),
            );
        }
    }
    Ok(ReceiverCheck { url, warnings })
}

// --- Input checks ------------------------------------------------------------------------------

/// Headers that framing, routing or authentication own; a secret header must not replace them.
const RESERVED_HEADERS: [&str; 10] = [
    "authorization",
    "content-type",
    "content-length",
    "host",
    "connection",
    "transfer-encoding",
    "expect",
    "te",
    "upgrade",
    "cookie",
];

/// Checks a secret header name: an HTTP token (RFC 9110 `tchar`), at most 64 characters, and not
/// a header HTTP or basic auth owns.
pub fn validate_header_name(name: &str) -> Result<(), String> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        return Err("the secret header needs a name, e.g. X-ADO-Connect-Secret".into());
    }
    if name.len() > 64 || !name.chars().all(tchar) {
        return Err(format!(
            "{name:?} is not a valid header name: use letters, digits and dashes (at most 64), e.g. X-ADO-Connect-Secret"
        ));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "{name} is reserved for HTTP itself; choose another name such as X-ADO-Connect-Secret (for Authorization, choose basic authentication)"
        ));
    }
    Ok(())
}

/// Checks a secret value for the header: 16–256 printable ASCII characters without spaces.
/// A line break would let the value inject another header line into `httpHeaders`.
pub fn validate_secret_value(secret: &str) -> Result<(), String> {
    if secret.len() < 16 {
        return Err(
            "the secret is too short: use at least 16 characters (the generated ones have 43)"
                .into(),
        );
    }
    if secret.len() > 256 || !secret.chars().all(|c| c.is_ascii_graphic()) {
        return Err("the secret must be at most 256 printable ASCII characters, without spaces or line breaks".into());
    }
    Ok(())
}

/// Checks a basic-auth user name: 1–256 characters, no whitespace (the consumer's input
/// descriptor: `^[\S]+$`), no colon (it separates user and password in the header).
pub fn validate_basic_username(username: &str) -> Result<(), String> {
    if username.is_empty() || username.len() > 256 {
        return Err("the basic-auth user name must have 1 to 256 characters".into());
    }
    if username.chars().any(|c| c.is_whitespace() || c == ':') {
        return Err("the basic-auth user name cannot contain spaces or ':'".into());
    }
    Ok(())
}

/// Checks a basic-auth password: 1–256 characters without whitespace (input descriptor `^[\S]+$`).
pub fn validate_basic_password(password: &str) -> Result<(), String> {
    if password.is_empty() || password.len() > 256 || password.chars().any(char::is_whitespace) {
        return Err(
            "the basic-auth password must have 1 to 256 characters, without spaces or line breaks"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c";
    const REPO: &str = "3411ebc1-d5aa-464f-9615-0b527bc66719";
    const URL: &str = "https://hooks.example.com/ado";

    /// The fingerprint function of these tests: visibly not the secret.
    fn fp(secret: &str) -> String {
        format!(
            "fp({})",
            secret.len() + secret.bytes().map(usize::from).sum::<usize>()
        )
    }

    fn header_auth(secret: &str) -> HookAuth {
        HookAuth::SecretHeader {
            header: DEFAULT_SECRET_HEADER.into(),
            secret: SecretRef {
                key: "hook-secret:p".into(),
                fingerprint: Some(fp(secret)),
            },
        }
    }

    fn spec(event: EventKind) -> HookSpec {
        HookSpec {
            event,
            project_id: PROJECT.into(),
            repository_id: None,
            branch: None,
            url: URL.into(),
            auth: header_auth("s3cret-value-0123456789"),
        }
    }

    /// What the server would return for `spec` created with `secret`.
    fn existing_for(id: &str, spec: &HookSpec, secret: &str) -> ExistingSubscription {
        let body = subscription_body(spec, secret);
        let mut publisher = body.publisher_inputs.clone();
        publisher.insert("tfsSubscriptionId".into(), "42".into());
        ExistingSubscription::from_wire(
            id,
            Some(&body.publisher_id),
            Some(&body.event_type),
            Some(&body.resource_version),
            Some(&body.consumer_id),
            Some(&body.consumer_action_id),
            &publisher,
            &body.consumer_inputs,
            Some("enabled"),
            &fp,
        )
    }

    fn recorded(id: &str, spec: &HookSpec, secret: &str) -> RecordedHook {
        RecordedHook {
            id: id.into(),
            spec: spec.clone(),
            origin: HookOrigin::Created,
            secret_fingerprint: Some(fp(secret)),
            recorded_at: 0,
        }
    }

    const SECRET: &str = "s3cret-value-0123456789";

    #[test]
    fn event_names_round_trip() {
        for e in EventKind::ALL {
            assert_eq!(EventKind::from_event_type(e.event_type()), Some(e));
            assert_eq!(EventKind::from_cli_name(e.cli_name()), Some(e));
            assert_eq!(
                EventKind::from_cli_name(e.event_type()),
                Some(e),
                "eventType works on the CLI too"
            );
            assert_eq!(
                serde_json::to_value(e).unwrap(),
                e.event_type(),
                "JSON uses Azure DevOps' names"
            );
        }
        assert_eq!(
            EventKind::from_cli_name("PR-MERGED"),
            Some(EventKind::PullRequestMerged)
        );
        assert_eq!(EventKind::from_cli_name("workitem.created"), None);
    }

    #[test]
    fn a_selection_becomes_one_spec_per_event_and_build_events_stay_project_wide() {
        let selection = HookSelection {
            events: vec![
                EventKind::BuildCompleted,
                EventKind::CodePushed,
                EventKind::CodePushed,
            ],
            project_id: PROJECT.into(),
            repository_id: Some(REPO.into()),
            branch: Some("refs/heads/main".into()),
            url: format!(" {URL} "),
            auth: header_auth(SECRET),
        };
        let specs = selection.specs().unwrap();
        assert_eq!(specs.len(), 2, "duplicates drop: {specs:?}");
        assert_eq!(specs[0].event, EventKind::CodePushed, "in the UI's order");
        assert_eq!(specs[0].repository_id.as_deref(), Some(REPO));
        assert_eq!(
            specs[0].branch.as_deref(),
            Some("main"),
            "refs/heads/ is dropped"
        );
        assert_eq!(specs[0].url, URL, "trimmed");
        assert_eq!(specs[1].event, EventKind::BuildCompleted);
        assert_eq!(
            (
                specs[1].repository_id.as_deref(),
                specs[1].branch.as_deref()
            ),
            (None, None)
        );
    }

    #[test]
    fn selections_that_cannot_work_are_refused() {
        let base = HookSelection {
            events: vec![EventKind::CodePushed],
            project_id: PROJECT.into(),
            repository_id: None,
            branch: None,
            url: URL.into(),
            auth: header_auth(SECRET),
        };
        let cases: Vec<(HookSelection, SelectionError)> = vec![
            (
                HookSelection {
                    events: vec![],
                    ..base.clone()
                },
                SelectionError::NoEvents,
            ),
            (
                HookSelection {
                    project_id: " ".into(),
                    ..base.clone()
                },
                SelectionError::NoProject,
            ),
            (
                HookSelection {
                    branch: Some("main".into()),
                    ..base.clone()
                },
                SelectionError::BranchWithoutRepository("main".into()),
            ),
        ];
        for (selection, error) in cases {
            assert_eq!(selection.specs().unwrap_err(), error);
        }
        let bad_header = HookSelection {
            auth: HookAuth::SecretHeader {
                header: "Authorization".into(),
                secret: SecretRef {
                    key: "k".into(),
                    fingerprint: None,
                },
            },
            ..base.clone()
        };
        assert!(matches!(
            bad_header.specs(),
            Err(SelectionError::BadHeaderName(_))
        ));
        let bad_user = HookSelection {
            auth: HookAuth::Basic {
                username: "a:b".into(),
                password: SecretRef {
                    key: "k".into(),
                    fingerprint: None,
                },
            },
            ..base
        };
        assert!(matches!(
            bad_user.specs(),
            Err(SelectionError::BadUsername(_))
        ));
    }

    #[test]
    fn bodies_carry_the_documented_inputs_per_event() {
        let narrowed = |e| HookSpec {
            repository_id: Some(REPO.into()),
            branch: Some("main".into()),
            ..spec(e)
        };
        let git = [
            ("projectId", PROJECT),
            ("repository", REPO),
            ("branch", "main"),
        ];
        let cases: Vec<(EventKind, Vec<(&str, &str)>)> = vec![
            (EventKind::PullRequestCreated, git.to_vec()),
            (EventKind::PullRequestUpdated, git.to_vec()),
            (
                EventKind::PullRequestMerged,
                [git.as_slice(), &[("mergeResult", "Succeeded")]].concat(),
            ),
            (EventKind::CodePushed, git.to_vec()),
            (EventKind::BuildCompleted, vec![("projectId", PROJECT)]),
        ];
        for (event, inputs) in cases {
            let body = subscription_body(&narrowed(event), SECRET);
            let expected: BTreeMap<String, String> = inputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            assert_eq!(body.publisher_inputs, expected, "{event:?}");
            assert_eq!(
                (
                    body.publisher_id.as_str(),
                    body.consumer_id.as_str(),
                    body.consumer_action_id.as_str(),
                    body.resource_version.as_str()
                ),
                ("tfs", "webHooks", "httpRequest", "1.0")
            );
            assert_eq!(body.event_type, event.event_type());
        }
    }

    #[test]
    fn consumer_inputs_hold_the_url_the_secret_and_what_to_send() {
        let body = subscription_body(&spec(EventKind::CodePushed), SECRET);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json["consumerInputs"],
            serde_json::json!({
                "url": URL,
                "httpHeaders": format!("X-ADO-Connect-Secret:{SECRET}"),
                "resourceDetailsToSend": "all",
                "messagesToSend": "none",
                "detailedMessagesToSend": "none",
            })
        );
        let basic = HookSpec {
            auth: HookAuth::Basic {
                username: "ado".into(),
                password: SecretRef {
                    key: "k".into(),
                    fingerprint: None,
                },
            },
            ..spec(EventKind::CodePushed)
        };
        let body = subscription_body(&basic, "pw-123");
        assert_eq!(body.consumer_inputs["basicAuthUsername"], "ado");
        assert_eq!(body.consumer_inputs["basicAuthPassword"], "pw-123");
        assert!(!body.consumer_inputs.contains_key("httpHeaders"));
        let debug = format!("{body:?}");
        assert!(
            !debug.contains("pw-123"),
            "Debug never shows the password: {debug}"
        );
        let debug = format!(
            "{:?}",
            subscription_body(&spec(EventKind::CodePushed), SECRET)
        );
        assert!(
            !debug.contains(SECRET),
            "Debug never shows the header secret: {debug}"
        );
    }

    #[test]
    fn urls_normalize_to_what_identifies_the_receiver() {
        let same = [
            (
                "https://Hooks.Example.com/ado",
                "https://hooks.example.com/ado",
            ),
            (
                "https://hooks.example.com:443/ado/",
                "https://hooks.example.com/ado",
            ),
            (
                "https://hooks.example.com/ado#frag",
                "https://hooks.example.com/ado",
            ),
            ("https://hooks.example.com/", "https://hooks.example.com"),
            ("HTTP://h:80", "http://h"),
        ];
        for (a, b) in same {
            assert_eq!(normalize_url(a), normalize_url(b), "{a} = {b}");
        }
        let different = [
            ("https://h/ado", "https://h/ADO"),
            ("https://h/ado", "http://h/ado"),
            ("https://h/ado?x=1", "https://h/ado?x=2"),
            ("https://h:8443/ado", "https://h/ado"),
        ];
        for (a, b) in different {
            assert_ne!(normalize_url(a), normalize_url(b), "{a} ≠ {b}");
        }
    }

    #[test]
    fn http_headers_split_per_line() {
        assert_eq!(
            parse_http_headers("X-A: 1\r\nX-B:two:parts\n\nbroken\n : empty-name"),
            vec![
                ("X-A".to_string(), "1".to_string()),
                ("X-B".to_string(), "two:parts".to_string())
            ]
        );
    }

    #[test]
    fn the_matching_rule() {
        let base = HookSpec {
            repository_id: Some(REPO.into()),
            branch: Some("main".into()),
            ..spec(EventKind::CodePushed)
        };
        let existing = existing_for("a", &base, SECRET);
        type Edit = fn(&mut ExistingSubscription);
        let cases: Vec<(&str, Edit, bool)> = vec![
            ("identical", |_| {}, true),
            (
                "other secret",
                |e| e.headers[0].value = SecretFact::Fingerprint("x".into()),
                true,
            ),
            (
                "disabled",
                |e| e.status = SubscriptionStatus::DisabledBySystem,
                true,
            ),
            (
                "url with slash and caps",
                |e| e.url = Some("https://HOOKS.example.com/ado/".into()),
                true,
            ),
            (
                "branch as a ref",
                |e| {
                    e.publisher_inputs
                        .insert("branch".into(), "refs/heads/main".into());
                },
                true,
            ),
            (
                "ids in capitals",
                |e| {
                    e.publisher_inputs
                        .insert("projectId".into(), PROJECT.to_uppercase());
                },
                true,
            ),
            (
                "other url",
                |e| e.url = Some("https://other.example.com/ado".into()),
                false,
            ),
            (
                "other event",
                |e| e.event_type = "git.pullrequest.created".into(),
                false,
            ),
            (
                "other project",
                |e| {
                    e.publisher_inputs.insert("projectId".into(), "p2".into());
                },
                false,
            ),
            (
                "any repository",
                |e| {
                    e.publisher_inputs.remove("repository");
                },
                false,
            ),
            (
                "other branch",
                |e| {
                    e.publisher_inputs.insert("branch".into(), "dev".into());
                },
                false,
            ),
            (
                "any branch (empty)",
                |e| {
                    e.publisher_inputs.insert("branch".into(), "".into());
                },
                false,
            ),
            ("other consumer", |e| e.consumer_id = "slack".into(), false),
            ("other publisher", |e| e.publisher_id = "rm".into(), false),
        ];
        for (name, edit, expected) in cases {
            let mut e = existing.clone();
            edit(&mut e);
            assert_eq!(matches(&base, &e), expected, "{name}");
        }
        // A spec for "any repository" does not take a repository-scoped subscription.
        assert!(!matches(&spec(EventKind::CodePushed), &existing));
    }

    #[test]
    fn drift_is_named_change_by_change() {
        let merged = spec(EventKind::PullRequestMerged);
        let fresh = existing_for("a", &merged, SECRET);
        let mine = recorded("a", &merged, SECRET);
        assert_eq!(
            changes(&merged, &fresh, Some(&mine)),
            vec![],
            "identical: no change"
        );

        type Edit = fn(&mut ExistingSubscription);
        let cases: Vec<(&str, Edit, bool, Vec<Change>)> = vec![
            (
                "rotated secret",
                |e| e.headers[0].value = SecretFact::Fingerprint("old".into()),
                true,
                vec![Change::SecretChanged {
                    header: DEFAULT_SECRET_HEADER.into(),
                }],
            ),
            (
                "masked, ours, same secret",
                |e| e.headers[0].value = SecretFact::Masked,
                true,
                vec![],
            ),
            (
                "masked, not ours",
                |e| e.headers[0].value = SecretFact::Masked,
                false,
                vec![Change::SecretUnverified],
            ),
            (
                "header missing",
                |e| e.headers.clear(),
                true,
                vec![Change::SecretHeaderMissing {
                    header: DEFAULT_SECRET_HEADER.into(),
                }],
            ),
            (
                "merged without mergeResult fires on every attempt",
                |e| {
                    e.publisher_inputs.remove("mergeResult");
                },
                true,
                vec![Change::Filter {
                    input: "mergeResult".into(),
                    from: None,
                    to: Some("Succeeded".into()),
                }],
            ),
            (
                "someone's extra filter",
                |e| {
                    e.publisher_inputs
                        .insert("pullrequestCreatedBy".into(), "ada".into());
                },
                true,
                vec![Change::Filter {
                    input: "pullrequestCreatedBy".into(),
                    from: Some("ada".into()),
                    to: None,
                }],
            ),
            (
                "empty filters are no filter",
                |e| {
                    e.publisher_inputs
                        .insert("notificationType".into(), "".into());
                },
                true,
                vec![],
            ),
            (
                "messages left at the default",
                |e| {
                    e.other_consumer_inputs.remove("messagesToSend");
                },
                true,
                vec![Change::Delivery {
                    input: "messagesToSend".into(),
                    from: None,
                    to: "none".into(),
                }],
            ),
            (
                "empty resourceDetailsToSend means all",
                |e| {
                    e.other_consumer_inputs
                        .insert("resourceDetailsToSend".into(), "".into());
                },
                true,
                vec![],
            ),
            (
                "preview payload",
                |e| e.resource_version = Some("1.0-preview.1".into()),
                true,
                vec![Change::ResourceVersion {
                    from: "1.0-preview.1".into(),
                    to: "1.0".into(),
                }],
            ),
            (
                "basic auth instead of the header",
                |e| e.basic_auth_username = Some("u".into()),
                true,
                vec![Change::AuthMethodChanged],
            ),
            (
                "another header too",
                |e| {
                    e.headers.push(ExistingHeader {
                        name: "X-Other".into(),
                        value: SecretFact::Masked,
                    })
                },
                true,
                vec![Change::ExtraHeaders {
                    names: vec!["X-Other".into()],
                }],
            ),
        ];
        for (name, edit, ours, expected) in cases {
            let mut e = fresh.clone();
            edit(&mut e);
            let record = ours.then_some(&mine);
            assert_eq!(changes(&merged, &e, record), expected, "{name}");
            for change in &expected {
                assert!(!change.describe().is_empty());
            }
        }
        let stale_record = recorded("a", &merged, "an-older-secret-value");
        let mut masked = fresh.clone();
        masked.headers[0].value = SecretFact::Masked;
        assert_eq!(
            changes(&merged, &masked, Some(&stale_record)),
            vec![Change::SecretChanged {
                header: DEFAULT_SECRET_HEADER.into()
            }],
            "masked, and our record says an older secret: push the current one"
        );
    }

    #[test]
    fn basic_auth_drift() {
        let basic = HookSpec {
            auth: HookAuth::Basic {
                username: "ado".into(),
                password: SecretRef {
                    key: "k".into(),
                    fingerprint: Some(fp("pw-123456")),
                },
            },
            ..spec(EventKind::CodePushed)
        };
        let mut e = existing_for("a", &basic, "pw-123456");
        assert_eq!(changes(&basic, &e, None), vec![]);
        e.basic_auth_password = Some(SecretFact::Masked);
        assert_eq!(changes(&basic, &e, None), vec![Change::SecretUnverified]);
        let mine = RecordedHook {
            secret_fingerprint: None,
            ..recorded("a", &basic, "")
        };
        assert_eq!(
            changes(&basic, &e, Some(&mine)),
            vec![],
            "ours, masked, nothing says it changed"
        );
        e.basic_auth_username = Some("other".into());
        assert_eq!(
            changes(&basic, &e, Some(&mine)),
            vec![Change::BasicAuthUsername {
                from: Some("other".into()),
                to: "ado".into()
            }]
        );
    }

    #[test]
    fn masked_inputs_become_facts_not_fingerprints() {
        let mut consumer = BTreeMap::new();
        consumer.insert("url".to_string(), URL.to_string());
        consumer.insert("httpHeaders".to_string(), "********".to_string());
        consumer.insert("basicAuthPassword".to_string(), "********".to_string());
        consumer.insert("basicAuthUsername".to_string(), "u".to_string());
        let e = ExistingSubscription::from_wire(
            "a",
            Some("tfs"),
            Some("git.push"),
            None,
            Some("webHooks"),
            Some("httpRequest"),
            &BTreeMap::new(),
            &consumer,
            None,
            &|_| panic!("masked values are never fingerprinted"),
        );
        assert_eq!(
            e.headers,
            vec![ExistingHeader {
                name: String::new(),
                value: SecretFact::Masked
            }]
        );
        assert_eq!(e.basic_auth_password, Some(SecretFact::Masked));
        assert_eq!(
            e.status,
            SubscriptionStatus::Enabled,
            "no status means enabled"
        );
    }

    #[test]
    fn statuses_parse_from_the_wire() {
        for (wire, status) in [
            ("enabled", SubscriptionStatus::Enabled),
            ("onProbation", SubscriptionStatus::OnProbation),
            ("disabledByUser", SubscriptionStatus::DisabledByUser),
            ("DISABLEDBYSYSTEM", SubscriptionStatus::DisabledBySystem),
            (
                "disabledByInactiveIdentity",
                SubscriptionStatus::DisabledByInactiveIdentity,
            ),
            ("somethingNew", SubscriptionStatus::Unknown),
        ] {
            assert_eq!(SubscriptionStatus::parse(Some(wire)), status, "{wire}");
        }
    }

    #[test]
    fn the_plan_sorts_every_spec_into_one_list() {
        let specs: Vec<HookSpec> = EventKind::ALL.iter().map(|e| spec(*e)).collect();
        let [created, updated, merged, pushed, built] = [0, 1, 2, 3, 4].map(|i| specs[i].clone());
        let mut disabled = existing_for("d", &merged, SECRET);
        disabled.status = SubscriptionStatus::DisabledBySystem;
        let existing = vec![
            // created: nothing exists → create
            existing_for("u", &updated, "the-old-secret-1234"), // ours, rotated → update
            disabled,                                           // → reenable, adopting
            existing_for("p", &pushed, SECRET),                 // someone's → adopt
            existing_for("b", &built, SECRET),                  // ours → unchanged
            existing_for("b2", &built, SECRET),                 // a duplicate → left alone
            existing_for(
                "stale",
                &HookSpec {
                    url: "https://old.example.com/".into(),
                    ..pushed.clone()
                },
                SECRET,
            ),
        ];
        let recorded = vec![
            recorded("u", &updated, "the-old-secret-1234"),
            recorded("b", &built, SECRET),
            recorded("stale", &pushed, SECRET),
            recorded("gone", &created, SECRET),
        ];
        let plan = plan(&specs, &existing, &recorded);
        let ids = |list: &[PlannedHook]| -> Vec<(EventKind, Option<String>)> {
            list.iter()
                .map(|p| (p.spec.event, p.subscription_id.clone()))
                .collect()
        };
        assert_eq!(
            ids(&plan.create),
            vec![(EventKind::PullRequestCreated, None)]
        );
        assert_eq!(
            ids(&plan.update),
            vec![(EventKind::PullRequestUpdated, Some("u".into()))]
        );
        assert_eq!(
            plan.update[0].changes,
            vec![Change::SecretChanged {
                header: DEFAULT_SECRET_HEADER.into()
            }]
        );
        assert_eq!(
            ids(&plan.reenable),
            vec![(EventKind::PullRequestMerged, Some("d".into()))]
        );
        assert!(
            plan.reenable[0].adopting,
            "not recorded: re-enabling adopts it"
        );
        assert!(plan.reenable[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("disabled by Azure DevOps"));
        assert_eq!(
            ids(&plan.adopt),
            vec![(EventKind::CodePushed, Some("p".into()))]
        );
        assert_eq!(
            ids(&plan.unchanged),
            vec![(EventKind::BuildCompleted, Some("b".into()))]
        );
        assert_eq!(
            plan.duplicates
                .iter()
                .map(|d| d.subscription_id.as_str())
                .collect::<Vec<_>>(),
            ["b2"]
        );
        assert_eq!(
            plan.stale.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["stale"]
        );
        assert_eq!(
            plan.missing
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["gone"]
        );
        assert_eq!(plan.writes(), 3);
        assert_eq!(
            plan.summary(),
            "1 to create, 1 to adopt, 1 to update, 1 to re-enable, 1 unchanged"
        );
        assert_eq!(plan.items().count(), 5, "every spec once");
    }

    #[test]
    fn a_recorded_subscription_wins_over_an_enabled_stranger() {
        let pushed = spec(EventKind::CodePushed);
        let mut ours = existing_for("z-ours", &pushed, SECRET);
        ours.status = SubscriptionStatus::OnProbation;
        ours.probation_retries = Some(3);
        let theirs = existing_for("a-theirs", &pushed, SECRET);
        let plan = plan(
            std::slice::from_ref(&pushed),
            &[theirs, ours],
            &[recorded("z-ours", &pushed, SECRET)],
        );
        assert_eq!(plan.reenable[0].subscription_id.as_deref(), Some("z-ours"));
        assert!(plan.reenable[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("3 retries"));
        assert_eq!(plan.duplicates[0].subscription_id, "a-theirs");
        assert!(!plan.duplicates[0].recorded);
    }

    #[test]
    fn applying_twice_plans_nothing() {
        let specs: Vec<HookSpec> = EventKind::ALL.iter().map(|e| spec(*e)).collect();
        let existing: Vec<_> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| existing_for(&i.to_string(), s, SECRET))
            .collect();
        let recorded: Vec<_> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| recorded(&i.to_string(), s, SECRET))
            .collect();
        let plan = plan(&specs, &existing, &recorded);
        assert!(plan.is_noop(), "{plan:#?}");
        assert_eq!(plan.unchanged.len(), 5);
        assert_eq!(plan.summary(), "5 unchanged");
        let same_twice = super::plan(
            &[
                specs[0].clone(),
                HookSpec {
                    url: format!("{URL}/"),
                    ..specs[0].clone()
                },
            ],
            &[],
            &[],
        );
        assert_eq!(
            same_twice.create.len(),
            1,
            "one match key, one subscription"
        );
    }

    fn ctx(deployment: Deployment, sandbox: bool, resolved: &[&str]) -> ReceiverContext {
        ReceiverContext {
            deployment,
            azure_devops_on_loopback: sandbox,
            resolved: resolved.iter().map(|r| r.parse().unwrap()).collect(),
        }
    }

    #[test]
    fn receivers_services_cannot_reach_are_refused() {
        let services = ctx(Deployment::Services, false, &[]);
        let refused = [
            ("http://hooks.example.com/ado", ReceiverIssue::PlainHttp),
            ("https://localhost/ado", ReceiverIssue::Loopback),
            ("https://app.localhost/ado", ReceiverIssue::Loopback),
            ("https://127.0.0.1:8443/ado", ReceiverIssue::Loopback),
            ("https://[::1]/ado", ReceiverIssue::Loopback),
            ("https://10.1.2.3/ado", ReceiverIssue::PrivateAddress),
            ("https://172.16.0.1/ado", ReceiverIssue::PrivateAddress),
            ("https://172.31.255.255/ado", ReceiverIssue::PrivateAddress),
            ("https://192.168.1.10/ado", ReceiverIssue::PrivateAddress),
            ("https://100.64.0.1/ado", ReceiverIssue::PrivateAddress),
            ("https://[fd12:3456::1]/ado", ReceiverIssue::PrivateAddress),
            (
                "https://[::ffff:10.0.0.1]/ado",
                ReceiverIssue::PrivateAddress,
            ),
            ("https://169.254.169.254/latest", ReceiverIssue::LinkLocal),
            ("https://[fe80::1]/ado", ReceiverIssue::LinkLocal),
            ("https://0.0.0.0/ado", ReceiverIssue::NotRoutable),
            (
                "ftp://hooks.example.com/ado",
                ReceiverIssue::UnsupportedScheme,
            ),
            ("hooks.example.com/ado", ReceiverIssue::NotAUrl),
            (
                "https://user:pw@hooks.example.com/ado",
                ReceiverIssue::CredentialsInUrl,
            ),
        ];
        for (url, issue) in refused {
            let refusal = check_receiver_url(url, &services).unwrap_err();
            assert_eq!(refusal.issue, issue, "{url}");
            assert!(!refusal.fix.is_empty() && !refusal.message.is_empty());
            assert_eq!(refusal.to_problem().code, CheckCode::InvalidInput);
        }
        for url in [
            "https://hooks.example.com/ado",
            "https://172.32.0.1/x",
            "https://8.8.8.8/x",
        ] {
            let ok = check_receiver_url(url, &services).unwrap();
            assert!(ok.warnings.is_empty(), "{url}: {:?}", ok.warnings);
        }
    }

    #[test]
    fn server_allows_http_and_private_receivers_with_warnings() {
        let server = ctx(Deployment::Server, false, &[]);
        let cases: Vec<(&str, Vec<ReceiverIssue>)> = vec![
            ("https://10.1.2.3/ado", vec![]),
            (
                "http://hooks.corp.example/ado",
                vec![ReceiverIssue::PlainHttp],
            ),
            (
                "http://192.168.1.10:8080/ado",
                vec![ReceiverIssue::PlainHttp],
            ),
            ("https://localhost/ado", vec![ReceiverIssue::Loopback]),
        ];
        for (url, issues) in cases {
            let check = check_receiver_url(url, &server).unwrap();
            let got: Vec<ReceiverIssue> = check.warnings.iter().map(|w| w.issue).collect();
            assert_eq!(got, issues, "{url}");
        }
        assert_eq!(
            check_receiver_url("https://169.254.1.1/x", &server)
                .unwrap_err()
                .issue,
            ReceiverIssue::LinkLocal
        );
    }

    #[test]
    fn the_sandbox_turns_refusals_into_warnings() {
        let sandbox = ctx(Deployment::Services, true, &[]);
        let check = check_receiver_url("http://127.0.0.1:9000/hook", &sandbox).unwrap();
        let got: Vec<ReceiverIssue> = check.warnings.iter().map(|w| w.issue).collect();
        assert_eq!(got, vec![ReceiverIssue::Loopback, ReceiverIssue::PlainHttp]);
        assert!(
            check_receiver_url("https://user:pw@127.0.0.1/", &sandbox).is_err(),
            "credentials are refused everywhere"
        );
    }

    #[test]
    fn names_resolving_privately_get_a_warning_on_services() {
        let services = ctx(Deployment::Services, false, &["10.0.0.5"]);
        let check = check_receiver_url("https://hooks.corp.example/ado", &services).unwrap();
        assert_eq!(check.warnings[0].issue, ReceiverIssue::ResolvesPrivate);
        assert!(check.warnings[0].message.contains("10.0.0.5"));
        let public = ctx(Deployment::Services, false, &["93.184.216.34"]);
        assert!(check_receiver_url("https://hooks.example.com/ado", &public)
            .unwrap()
            .warnings
            .is_empty());
    }

    #[test]
    fn header_names_secrets_and_basic_auth_are_checked() {
        for ok in ["X-ADO-Connect-Secret", "X-Hub-Token", "x_token"] {
            assert!(validate_header_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "X Secret",
            "X-Secret:",
            "Authorization",
            "content-length",
            "Ünïcode",
            &"x".repeat(65),
        ] {
            assert!(validate_header_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_secret_value("0123456789abcdef").is_ok());
        for bad in [
            "short",
            "0123456789abcdef\nX-Injected: 1",
            "0123456789 abcdef",
            &"x".repeat(257),
        ] {
            assert!(validate_secret_value(bad).is_err(), "{bad:?}");
        }
        assert!(validate_basic_username("ado-connect").is_ok());
        assert!(validate_basic_username("").is_err());
        assert!(validate_basic_password("p@ss").is_ok());
        assert!(validate_basic_password("p ss").is_err());
    }

    #[test]
    fn branches_normalize() {
        for (input, expected) in [
            ("refs/heads/main", "main"),
            ("REFS/HEADS/feature/x", "feature/x"),
            (" main ", "main"),
            ("refs/heads/", "refs/heads/"),
            ("réfs/heads/x", "réfs/heads/x"),
        ] {
            assert_eq!(normalize_branch(input), expected, "{input}");
        }
    }
}
