//! The one rule that says "this existing subscription is the one a spec asks for".

use url::Url;

use super::{
    normalize_branch, ExistingSubscription, HookSpec, CONSUMER_ACTION_ID, CONSUMER_ID, PUBLISHER_ID,
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

pub(super) fn same_id(a: Option<&str>, b: Option<&str>) -> bool {
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
