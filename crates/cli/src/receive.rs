//! `ado-connect-cli receive`: a tiny web-hook receiver on 127.0.0.1, for the demo and for
//! checking a setup end to end. It accepts a POST on any path, checks the secret header in
//! constant time, answers `200 {"ok":true}` (or `401` on a missing or wrong secret), and prints
//! one line per delivery: event type and a resource summary (`--json`: one JSON object per line).
//!
//! The first line it prints is where it listens: `listening on http://127.0.0.1:PORT/`
//! (`{"listening":"…"}` with `--json`). It runs until interrupted, or until `--count`
//! deliveries were accepted.
//!
//! Deliveries are unauthenticated until the secret is checked, and even then their text is
//! whatever the sender put there: every field printed from a body goes through [`clean`],
//! which escapes control and bidirectional-formatting characters (a body cannot move the
//! cursor, recolour or rewrite the terminal, or forge a second line) and caps its length.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ado_flows::hooks::secret::constant_time_eq;
use ado_flows::interface::{validate_header_name, DEFAULT_SECRET_HEADER};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use clap::Args;
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::{json, Value};
use tokio::sync::Notify;

use crate::{fail, input_problem};

#[derive(Args)]
pub struct ReceiveArgs {
    /// The port on 127.0.0.1 (0 picks a free one, printed on the first line).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The environment variable holding the secret deliveries must carry.
    #[arg(long)]
    secret_env: String,
    /// The header that carries the secret.
    #[arg(long, default_value = DEFAULT_SECRET_HEADER)]
    header: String,
    /// Print one JSON object per line.
    #[arg(long)]
    json: bool,
    /// Exit after this many accepted deliveries.
    #[arg(long)]
    count: Option<u64>,
}

struct Receiver {
    secret: SecretString,
    header: String,
    json: bool,
    accepted: AtomicU64,
    count: Option<u64>,
    done: Notify,
}

pub async fn run(args: ReceiveArgs) -> ExitCode {
    if let Err(e) = validate_header_name(&args.header) {
        return fail(input_problem(None, e, "Pass --header NAME."), 2);
    }
    let secret = match std::env::var(&args.secret_env) {
        Ok(v) if !v.trim().is_empty() => SecretString::from(v.trim().to_string()),
        _ => {
            return fail(
                input_problem(
                    None,
                    format!(
                        "the environment variable {} is empty or unset",
                        args.secret_env
                    ),
                    "Export the secret (as `hooks apply` printed it) in that variable.",
                ),
                2,
            )
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            return fail(
                input_problem(
                    None,
                    format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
                    "Choose another --port.",
                ),
                1,
            )
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail(input_problem(None, e.to_string(), "Try again."), 1),
    };
    let url = format!("http://{addr}/");
    if args.json {
        println!("{}", json!({ "listening": url }));
    } else {
        println!("listening on {url} (secret header {})", args.header);
    }
    let state = Arc::new(Receiver {
        secret,
        header: args.header,
        json: args.json,
        accepted: AtomicU64::new(0),
        count: args.count,
        done: Notify::new(),
    });
    let app = axum::Router::new()
        .fallback(receive)
        .with_state(state.clone());
    let stop = state.clone();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = stop.done.notified() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(input_problem(None, e.to_string(), "Try again."), 1),
    }
}

async fn receive(
    State(state): State<Arc<Receiver>>,
    method: axum::http::Method,
    headers: HeaderMap,
    body: String,
) -> axum::response::Response {
    if method != axum::http::Method::POST {
        return (
            StatusCode::OK,
            "ado-connect receiver: POST deliveries here\n",
        )
            .into_response();
    }
    let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let event_type = event_type(&event);
    let given = headers
        .get(state.header.as_str())
        .map(|v| v.as_bytes().to_vec());
    let authentic = given
        .as_deref()
        .is_some_and(|g| constant_time_eq(g, state.secret.expose_secret().as_bytes()));
    if !authentic {
        let why = if given.is_none() { "missing" } else { "wrong" };
        if state.json {
            println!(
                "{}",
                json!({"accepted": false, "status": 401, "eventType": event_type, "reason": format!("{why} {}", state.header)})
            );
        } else {
            println!("REJECTED 401 {event_type}: {why} {} header", state.header);
        }
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"ok": false, "error": format!("{why} {} header", state.header)})),
        )
            .into_response();
    }
    let summary = summarize(&event);
    if state.json {
        println!(
            "{}",
            json!({
                "accepted": true,
                "eventType": event_type,
                "id": event["id"],
                "notificationId": event["notificationId"],
                "subscriptionId": event["subscriptionId"],
                "summary": summary,
            })
        );
    } else {
        println!("{}", delivery_line(&event));
    }
    let n = state.accepted.fetch_add(1, Ordering::SeqCst) + 1;
    if state.count.is_some_and(|c| n >= c) {
        state.done.notify_one();
    }
    (
        StatusCode::OK,
        axum::Json(json!({"ok": true, "received": event_type})),
    )
        .into_response()
}

/// The longest field (in characters) printed from a delivery; longer ones end in `…`.
const MAX_FIELD_CHARS: usize = 200;

/// A field from a delivery body, safe to print on one terminal line: control characters
/// (newlines, escape sequences, …) and bidirectional-formatting characters are written as
/// their `escape_debug` form, ordinary Unicode is kept, and the result is capped at
/// [`MAX_FIELD_CHARS`] characters of the original.
fn clean(raw: &str) -> String {
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

/// The delivery's `eventType`, cleaned for printing.
fn event_type(event: &Value) -> String {
    clean(
        event["eventType"]
            .as_str()
            .unwrap_or("(not an Azure DevOps event)"),
    )
}

/// The line printed for an accepted delivery without `--json`.
fn delivery_line(event: &Value) -> String {
    format!("{}: {}", event_type(event), summarize(event))
}

/// One line about what happened, from the event's `resource`; every field is [`clean`]ed.
fn summarize(event: &Value) -> String {
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
    fn printed_lines_escape_control_characters_and_cap_fields() {
        let long = "r".repeat(5000);
        let pr = json!({"eventType": "git.pullrequest.created\u{1b}[2J\u{1b}[31m", "resource": {
            "repository": {"name": long}, "pullRequestId": 7,
            "title": "Fix\r\nREJECTED 401 forged line\u{7}\u{202E}gnp.exe",
            "targetRefName": "refs/heads/main", "status": "active"}});
        let line = delivery_line(&pr);
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
