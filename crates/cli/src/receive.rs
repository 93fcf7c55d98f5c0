//! `ado-connect-cli receive`: a tiny web-hook receiver on 127.0.0.1, for the demo and for
//! checking a setup end to end. It accepts a POST on any path, checks the secret header in
//! constant time, answers `200 {"ok":true}` (or `401` on a missing or wrong secret), and prints
//! one line per delivery: event type and a resource summary (`--json`: one JSON object per line).
//!
//! The first line it prints is where it listens: `listening on http://127.0.0.1:PORT/`
//! (`{"listening":"…"}` with `--json`). It runs until interrupted, or until `--count`
//! deliveries were accepted.
//!
//! What a delivery is worth (the secret, the summary, the count) is decided by
//! [`ado_flows::app::receiver`], which also cleans every field taken from a body before it is
//! printed; this shell listens and prints.

use std::process::ExitCode;
use std::sync::Arc;

use ado_flows::app::receiver::{Received, Receiver};
use ado_flows::interface::DEFAULT_SECRET_HEADER;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use clap::Args;
use secrecy::SecretString;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::{bad_input, fail, input_problem};

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

/// What the handler shares: the receiver, how to print, and the signal that it is done.
struct Shared {
    receiver: Receiver,
    json: bool,
    done: Notify,
}

pub async fn run(args: ReceiveArgs) -> ExitCode {
    let secret = or_exit!(secret(&args.secret_env).map_err(bad_input));
    let receiver = or_exit!(Receiver::new(args.header, secret, args.count).map_err(bad_input));
    let listener = or_exit!(listen(args.port).await);
    let shared = Arc::new(Shared {
        receiver,
        json: args.json,
        done: Notify::new(),
    });
    serve(listener, shared).await
}

/// The secret from the variable `--secret-env` names.
fn secret(var: &str) -> Result<SecretString, ado_flows::Error> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(SecretString::from(v.trim().to_string())),
        _ => Err(input_problem(
            None,
            format!("the environment variable {var} is empty or unset"),
            "Export the secret (as `hooks apply` printed it) in that variable.",
        )
        .into()),
    }
}

/// Listens on 127.0.0.1:`port`.
async fn listen(port: u16) -> Result<TcpListener, ExitCode> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        fail(
            input_problem(
                None,
                format!("cannot listen on 127.0.0.1:{port}: {e}"),
                "Choose another --port.",
            ),
            1,
        )
    })
}

/// Says where it listens, then serves until interrupted or done.
async fn serve(listener: TcpListener, shared: Arc<Shared>) -> ExitCode {
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail(input_problem(None, e.to_string(), "Try again."), 1),
    };
    let url = format!("http://{addr}/");
    if shared.json {
        println!("{}", json!({ "listening": url }));
    } else {
        let header = shared.receiver.header();
        println!("listening on {url} (secret header {header})");
    }
    let app = axum::Router::new()
        .fallback(receive)
        .with_state(shared.clone());
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = shared.done.notified() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(input_problem(None, e.to_string(), "Try again."), 1),
    }
}

/// Each request: judged by the receiver, printed, answered.
async fn receive(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: String,
) -> Response {
    let header = shared.receiver.header();
    let given = headers.get(header).map(|v| v.as_bytes());
    let received = shared
        .receiver
        .receive(method == Method::POST, given, &body);
    print(&received, header, shared.json);
    if matches!(received, Received::Accepted { done: true, .. }) {
        shared.done.notify_one();
    }
    answer(&received, header)
}

/// The HTTP answer: 200 for a delivery accepted (or a GET), 401 for a missing or wrong secret.
fn answer(received: &Received, header: &str) -> Response {
    match received {
        Received::NotADelivery => (
            StatusCode::OK,
            "ado-connect receiver: POST deliveries here\n",
        )
            .into_response(),
        Received::Rejected { why, .. } => {
            let error = json!({"ok": false, "error": format!("{why} {header} header")});
            (StatusCode::UNAUTHORIZED, axum::Json(error)).into_response()
        }
        Received::Accepted { event_type, .. } => {
            let answer = json!({"ok": true, "received": event_type});
            (StatusCode::OK, axum::Json(answer)).into_response()
        }
    }
}

/// One line per delivery (every field from the body already cleaned).
fn print(received: &Received, header: &str, json: bool) {
    match received {
        Received::NotADelivery => {}
        Received::Rejected { event_type, why } if json => println!(
            "{}",
            json!({"accepted": false, "status": 401, "eventType": event_type, "reason": format!("{why} {header}")})
        ),
        Received::Rejected { event_type, why } => {
            println!("REJECTED 401 {event_type}: {why} {header} header")
        }
        Received::Accepted {
            event_type,
            event,
            summary,
            ..
        } if json => println!(
            "{}",
            json!({
                "accepted": true,
                "eventType": event_type,
                "id": event["id"],
                "notificationId": event["notificationId"],
                "subscriptionId": event["subscriptionId"],
                "summary": summary,
            })
        ),
        Received::Accepted {
            event_type,
            summary,
            ..
        } => println!("{event_type}: {summary}"),
    }
}
