//! What the admin asks for: [`HookSelection`] split into one [`HookSpec`] per event, and how
//! deliveries authenticate ([`HookAuth`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::ProjectId;

use super::validate::{validate_basic_username, validate_header_name};
use super::EventKind;

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
    pub project_id: ProjectId,
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

impl HookSpec {
    /// The spec without its secret's fingerprint: what may be shown or printed. A fingerprint
    /// of a user-chosen secret (a basic-auth password, a provided header value) is never shown.
    pub fn without_fingerprint(&self) -> HookSpec {
        let mut spec = self.clone();
        match &mut spec.auth {
            HookAuth::SecretHeader { secret, .. } => secret.fingerprint = None,
            HookAuth::Basic { password, .. } => password.fingerprint = None,
        }
        spec
    }
}

/// What the admin chose in the last step, before it is split into one spec per event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookSelection {
    /// The events, at least one.
    pub events: Vec<EventKind>,
    /// The project id.
    pub project_id: ProjectId,
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
                project_id: self.project_id.trim().into(),
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
