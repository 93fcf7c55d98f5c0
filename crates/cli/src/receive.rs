//! `ado-connect-cli receive`: a tiny web-hook receiver on 127.0.0.1, for the demo and for
//! checking a setup end to end. It accepts a POST on any path, checks the secret header in
//! constant time, answers `200 {"ok":true}` (or `401` on a missing or wrong secret), and prints
//! one line per delivery: event type and a resource summary (`--json`: one JSON object per line).
//!
//! The first line it prints is where it listens: `listening on http://127.0.0.1:PORT/`
//! (`{"listening":"…"}` with `--json`). It runs until interrupted, or until `--count`
//! deliveries were accepted.

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
        return fail(&input_problem(None, e, "Pass --header NAME."), 2);
    }
    let secret = match std::env::var(&args.secret_env) {
        Ok(v) if !v.trim().is_empty() => SecretString::from(v.trim().to_string()),
        _ => {
            return fail(
                &input_problem(
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
                &input_problem(
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
        Err(e) => return fail(&input_problem(None, e.to_string(), "Try again."), 1),
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
        Err(e) => fail(&input_problem(None, e.to_string(), "Try again."), 1),
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
    let event_type = event["eventType"]
        .as_str()
        .unwrap_or("(not an Azure DevOps event)")
        .to_string();
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
        println!("{event_type}: {summary}");
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

/// One line about what happened, from the event's `resource`.
fn summarize(event: &Value) -> String {
    let r = &event["resource"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let short = |refname: &str| refname.trim_start_matches("refs/heads/").to_string();
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
                r["pullRequestId"],
                text(&r["title"]),
                text(&r["status"])
            );
            if let Some(merge) = r["mergeStatus"].as_str() {
                line.push_str(&format!(", merge {merge}"));
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
            .map(str::to_string)
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
}
