//! The one rule that says "this existing subscription is the one a spec asks for".

use url::Url;

use super::{
    normalize_branch, EventKind, ExistingSubscription, HookSpec, CONSUMER_ACTION_ID, CONSUMER_ID,
    PUBLISHER_ID,
};

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

/// What identifies the subscription a spec asks for, and an existing subscription: event,
/// receiver URL ([`normalize_url`]), project, repository and branch (`refs/heads/` dropped),
/// ids and names compared trimmed and without case. [`matches`] is equality of these keys, so
/// the planner can look candidates up instead of comparing every pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchKey {
    event_type: String,
    url: String,
    project: Option<String>,
    repository: Option<String>,
    branch: Option<String>,
}

fn id_key(value: &str) -> String {
    value.trim().to_ascii_lowercase()
}

impl MatchKey {
    /// The key of the subscription `spec` asks for (repository and branch only for Git events).
    pub fn of_spec(spec: &HookSpec) -> MatchKey {
        let git = spec.event.is_git();
        MatchKey {
            event_type: spec.event.event_type().to_ascii_lowercase(),
            url: normalize_url(&spec.url),
            project: Some(id_key(&spec.project_id)),
            repository: spec.repository_id.as_deref().filter(|_| git).map(id_key),
            branch: spec
                .branch
                .as_deref()
                .filter(|_| git)
                .map(|b| id_key(&normalize_branch(b))),
        }
    }

    /// The key of an existing subscription; `None` when it is not a web hook of the `tfs`
    /// publisher (another consumer or action) or names no receiver URL: no spec matches it.
    pub fn of_existing(existing: &ExistingSubscription) -> Option<MatchKey> {
        let ours = existing.publisher_id.eq_ignore_ascii_case(PUBLISHER_ID)
            && existing.consumer_id.eq_ignore_ascii_case(CONSUMER_ID)
            && existing
                .consumer_action_id
                .eq_ignore_ascii_case(CONSUMER_ACTION_ID);
        if !ours {
            return None;
        }
        Some(MatchKey {
            event_type: existing.event_type.to_ascii_lowercase(),
            url: normalize_url(existing.url.as_deref()?),
            project: existing.input("projectId").map(id_key),
            repository: existing.input("repository").map(id_key),
            branch: existing
                .input("branch")
                .map(|b| id_key(&normalize_branch(b))),
        })
    }
}

/// What makes two specs ask for the same subscription ([`super::same_match_key`]): event,
/// receiver URL, project, repository and branch; their auth may differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpecKey {
    event: EventKind,
    url: String,
    project: String,
    repository: Option<String>,
    branch: Option<String>,
}

impl SpecKey {
    /// The key of `spec`.
    pub fn of(spec: &HookSpec) -> SpecKey {
        SpecKey {
            event: spec.event,
            url: normalize_url(&spec.url),
            project: spec.project_id.to_ascii_lowercase(),
            repository: spec.repository_id.as_deref().map(id_key),
            branch: spec.branch.as_deref().map(|b| id_key(&normalize_branch(b))),
        }
    }
}

/// The matching rule: is `existing` the subscription `spec` asks for? Same publisher (`tfs`),
/// consumer and action (`webHooks`/`httpRequest`), event, receiver URL ([`normalize_url`]),
/// project, repository (absent = any) and branch (`refs/heads/` ignored; absent = any).
/// Secrets, other filters, delivery settings and status are not part of identity: they are
/// drift ([`Change`]) fixed in place. The same as comparing their [`MatchKey`]s.
pub fn matches(spec: &HookSpec, existing: &ExistingSubscription) -> bool {
    MatchKey::of_existing(existing).is_some_and(|key| key == MatchKey::of_spec(spec))
}
