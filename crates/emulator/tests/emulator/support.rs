//! Helpers: start an emulator, call it like a client that follows no redirects.

use ado_emulator::scenario::{DEMO_EXPIRED_PAT, DEMO_FULL_ACCESS_PAT, DEMO_PROJECT_ONLY_PAT};
use ado_emulator::{Config, Emulator, Scenario};
use reqwest::Method;
use serde_json::Value;

pub use crate::common::{client, read, start, Reply};

pub const FULL: &str = DEMO_FULL_ACCESS_PAT;
pub const PROJECT_ONLY: &str = DEMO_PROJECT_ONLY_PAT;
pub const EXPIRED: &str = DEMO_EXPIRED_PAT;

pub async fn demo() -> Emulator {
    start(Config::default()).await
}

pub async fn with_scenario(scenario: Scenario) -> Emulator {
    start(Config {
        scenario,
        ..Config::default()
    })
    .await
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    None,
    Pat(&'a str),
    Bearer(&'a str),
    Raw(&'a str),
}

/// Sends a request to `base + path` with `X-TFS-FedAuthRedirect: Suppress` when `suppress`.
pub async fn send(method: Method, url: &str, auth: Auth<'_>, suppress: bool) -> Reply {
    let mut request = client().request(method, url);
    request = match auth {
        Auth::None => request,
        Auth::Pat(pat) => request.basic_auth("", Some(pat)),
        Auth::Bearer(token) => request.bearer_auth(token),
        Auth::Raw(value) => request.header("Authorization", value),
    };
    if suppress {
        request = request.header("X-TFS-FedAuthRedirect", "Suppress");
    }
    read(request.send().await.expect("the request is answered")).await
}

/// `GET` with the full-access PAT, as SDKs send it (with Suppress).
pub async fn get(emu: &Emulator, path: &str) -> Reply {
    send(
        Method::GET,
        &format!("{}{path}", emu.base_url()),
        Auth::Pat(FULL),
        true,
    )
    .await
}

/// `GET` with the given PAT.
pub async fn get_as(emu: &Emulator, path: &str, pat: &str) -> Reply {
    send(
        Method::GET,
        &format!("{}{path}", emu.base_url()),
        Auth::Pat(pat),
        true,
    )
    .await
}

/// Names in a `{count, value}` body.
pub fn names(body: &Value) -> Vec<String> {
    let value = body["value"].as_array().expect("a value array");
    assert_eq!(
        body["count"].as_u64(),
        Some(value.len() as u64),
        "count matches value"
    );
    value
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_string())
        .collect()
}
