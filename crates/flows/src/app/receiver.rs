//! The demo webhook receiver's rules (`ado-connect-cli receive`): a delivery is accepted only
//! with the secret header, compared in constant time; what happened is summed up in a line from
//! the event's `resource`; the receiver is done after the deliveries it was asked to count. The
//! shell listens, hands each request in as plain values and prints what comes back.
//!
//! Deliveries are unauthenticated until the secret is checked, and even then their text is
//! whatever the sender put there: every field taken from a body goes through [`clean`], which
//! escapes control and bidirectional-formatting characters (a body cannot move the cursor,
//! recolour or rewrite the terminal, or forge a second line) and caps its length.

use std::sync::atomic::{AtomicU64, Ordering};

use ado_core::checks::{CheckCode, Problem};
use ado_core::webhook::validate_header_name;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;

use crate::hooks::secret::constant_time_eq;
use crate::Error;

/// The longest field (in characters) taken from a delivery; longer ones end in `…`.
pub const MAX_FIELD_CHARS: usize = 200;

/// What the receiver checks deliveries against, and how many it has accepted.
pub struct Receiver {
    header: String,
    secret: SecretString,
    count: Option<u64>,
    accepted: AtomicU64,
}

/// What the receiver made of a request.
#[derive(Debug, PartialEq)]
pub enum Received {
    /// Not a POST: nothing to check (the receiver says hello).
    NotADelivery,
    /// Refused (401): the secret header was `missing` or `wrong`.
    Rejected {
        /// The delivery's `eventType`, cleaned.
        event_type: String,
        /// `missing` or `wrong`.
        why: &'static str,
    },
    /// Accepted (200).
    Accepted {
        /// The delivery's `eventType`, cleaned.
        event_type: String,
        /// The event as sent (its ids are printed as they are).
        event: Value,
        /// One line about what happened, cleaned.
        summary: String,
        /// The receiver has now accepted as many deliveries as it was asked to.
        done: bool,
    },
}

impl Receiver {
    /// A receiver of deliveries carrying `secret` in `header`, done after `count` (if given).
    pub fn new(header: String, secret: SecretString, count: Option<u64>) -> Result<Self, Error> {
        validate_header_name(&header).map_err(|e| {
            Error::from(Problem::new(
                CheckCode::InvalidInput,
                None,
                e,
                "Pass --header NAME.",
            ))
        })?;
        Ok(Receiver {
            header,
            secret,
            count,
            accepted: AtomicU64::new(0),
        })
    }

    /// The header that carries the secret.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// Judges a request: `post` when its method is POST, `given` the secret header's value.
    pub fn receive(&self, post: bool, given: Option<&[u8]>, body: &str) -> Received {
        if !post {
            return Received::NotADelivery;
        }
        let event: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let event_type = event_type(&event);
        let secret = self.secret.expose_secret().as_bytes();
        match given {
            None => Received::Rejected {
                event_type,
                why: "missing",
            },
            Some(g) if !constant_time_eq(g, secret) => Received::Rejected {
                event_type,
                why: "wrong",
            },
            Some(_) => {
                let n = self.accepted.fetch_add(1, Ordering::SeqCst) + 1;
                Received::Accepted {
                    event_type,
                    summary: summarize(&event),
                    event,
                    done: self.count.is_some_and(|c| n >= c),
                }
            }
        }
    }
}

/// A field from a delivery body, safe to print on one terminal line: control characters
/// (newlines, escape sequences, …) and bidirectional-formatting characters are written as
/// their `escape_debug` form, ordinary Unicode is kept, and the result is capped at
/// [`MAX_FIELD_CHARS`] characters of the original.
pub fn clean(raw: &str) -> String {
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i == MAX_FIELD_CHARS {
            out.push('…');
            break;
        }
        let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || bidi {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// The delivery's `eventType`, cleaned.
fn event_type(event: &Value) -> String {
    clean(
        event["eventType"]
            .as_str()
            .unwrap_or("(not an Azure DevOps event)"),
    )
}

/// One line about what happened, from the event's `resource`; every field is [`clean`]ed.
pub fn summarize(event: &Value) -> String {
    let r = &event["resource"];
    let text = |v: &Value| clean(v.as_str().unwrap_or_default());
    let short = |refname: &str| clean(refname.trim_start_matches("refs/heads/"));
    match event["eventType"].as_str().unwrap_or_default() {
        "git.push" => {
            let repo = text(&r["repository"]["name"]);
            let branch = r["refUpdates"][0]["name"]
                .as_str()
                .map(short)
                .unwrap_or_default();
            let commits = r["commits"].as_array().map(Vec::len).unwrap_or(0);
            let by = text(&r["pushedBy"]["displayName"]);
            format!("{repo} {branch}: {commits} commit(s) by {by}")
        }
        t if t.starts_with("git.pullrequest.") => {
            let repo = text(&r["repository"]["name"]);
            let target = r["targetRefName"].as_str().map(short).unwrap_or_default();
            let mut line = format!(
                "{repo} PR #{} \"{}\" → {target} ({})",
                clean(&r["pullRequestId"].to_string()),
                text(&r["title"]),
                text(&r["status"])
            );
            if let Some(merge) = r["mergeStatus"].as_str() {
                line.push_str(&format!(", merge {}", clean(merge)));
            }
            line
        }
        "build.complete" => format!(
            "{} {}: {}",
            text(&r["definition"]["name"]),
            text(&r["buildNumber"]),
            text(&r["result"])
        ),
        _ => event["message"]["text"]
            .as_str()
            .map(clean)
            .unwrap_or_else(|| "no summary".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summaries_name_what_happened() {
        let push = json!({"eventType": "git.push", "resource": {
            "repository": {"name": "fiber-api"}, "refUpdates": [{"name": "refs/heads/main"}],
            "commits": [{}, {}], "pushedBy": {"displayName": "Demo Admin"}}});
        assert_eq!(
            summarize(&push),
            "fiber-api main: 2 commit(s) by Demo Admin"
        );
        let pr = json!({"eventType": "git.pullrequest.merged", "resource": {
            "repository": {"name": "fiber-api"}, "pullRequestId": 7, "title": "Fix",
            "targetRefName": "refs/heads/main", "status": "completed", "mergeStatus": "succeeded"}});
        assert_eq!(
            summarize(&pr),
            "fiber-api PR #7 \"Fix\" → main (completed), merge succeeded"
        );
        let build = json!({"eventType": "build.complete", "resource": {
            "definition": {"name": "fiber-api CI"}, "buildNumber": "20261122.1", "result": "succeeded"}});
        assert_eq!(summarize(&build), "fiber-api CI 20261122.1: succeeded");
        assert_eq!(
            summarize(&json!({"eventType": "x", "message": {"text": "hi"}})),
            "hi"
        );
    }

    #[test]
    fn only_the_right_secret_is_accepted_and_the_count_ends_it() {
        let receiver = Receiver::new("X-Secret".into(), "s3cret".to_string().into(), Some(1))
            .expect("a valid header");
        let body = r#"{"eventType": "build.complete"}"#;
        assert_eq!(receiver.receive(false, None, body), Received::NotADelivery);
        let rejected = |why| Received::Rejected {
            event_type: "build.complete".into(),
            why,
        };
        assert_eq!(receiver.receive(true, None, body), rejected("missing"));
        assert_eq!(
            receiver.receive(true, Some(b"nope"), body),
            rejected("wrong")
        );
        assert!(matches!(
            receiver.receive(true, Some(b"s3cret"), body),
            Received::Accepted { done: true, .. }
        ));
        assert!(Receiver::new("bad header".into(), "s".to_string().into(), None).is_err());
    }

    #[test]
    fn fields_from_a_body_escape_control_characters_and_are_capped() {
        let long = "r".repeat(5000);
        let pr = json!({"eventType": "git.pullrequest.created\u{1b}[2J\u{1b}[31m", "resource": {
            "repository": {"name": long}, "pullRequestId": 7,
            "title": "Fix\r\nREJECTED 401 forged line\u{7}\u{202E}gnp.exe",
            "targetRefName": "refs/heads/main", "status": "active"}});
        let line = format!("{}: {}", event_type(&pr), summarize(&pr));
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{line:?}"
        );
        assert!(
            line.starts_with("git.pullrequest.created\\u{1b}[2J\\u{1b}[31m: "),
            "{line}"
        );
        assert!(
            line.contains("\"Fix\\r\\nREJECTED 401 forged line\\u{7}\\u{202e}gnp.exe\""),
            "{line}"
        );
        assert!(
            line.contains(&format!("{}… PR #7", "r".repeat(MAX_FIELD_CHARS))),
            "{line}"
        );
        assert!(
            line.chars().count() < 2 * MAX_FIELD_CHARS + 100,
            "{}",
            line.len()
        );
        // Ordinary Unicode stays as it is.
        assert_eq!(clean("Ünïcødé ✓ 日本"), "Ünïcødé ✓ 日本");
    }
}
