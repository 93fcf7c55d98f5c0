//! Helpers: start an emulator, call it as a client would, and a receiver for deliveries that
//! listens on 127.0.0.1 only.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use ado_emulator::hooks::{DeliveryConfig, Event};
use ado_emulator::{Config, Emulator, HostPath, Scenario};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use uuid::Uuid;

pub use crate::common::{client, read, start, Reply};

pub use ado_emulator::scenario::{
    DEMO_CODE_READ_PAT as CODE_READ, DEMO_DEVELOPER_PAT as DANA, DEMO_FULL_ACCESS_PAT as FULL,
    DEMO_PROJECT_ONLY_PAT as PROJECT_ONLY, DEMO_REVOKED_PAT as REVOKED,
};

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

/// A demo emulator whose deliveries retry quickly: `retries` transient retries, `probation`
/// probation retries.
pub async fn quick(retries: u32, probation: u8) -> Emulator {
    let emu = demo().await;
    emu.set_delivery_config(DeliveryConfig::quick(retries, probation));
    emu
}

/// Sends a request as the SDKs do (Basic PAT, `X-TFS-FedAuthRedirect: Suppress`, no redirects).
pub async fn call(
    emu: &Emulator,
    method: Method,
    path: &str,
    pat: &str,
    body: Option<Value>,
) -> Reply {
    let method = reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap();
    let mut request = client()
        .request(method, format!("{}{path}", emu.base_url()))
        .basic_auth("", Some(pat))
        .header("X-TFS-FedAuthRedirect", "Suppress");
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.expect("the request is answered")).await
}

pub async fn get(emu: &Emulator, path: &str, pat: &str) -> Reply {
    call(emu, Method::GET, path, pat, None).await
}

pub async fn post(emu: &Emulator, path: &str, pat: &str, body: Value) -> Reply {
    call(emu, Method::POST, path, pat, Some(body)).await
}

pub async fn put(emu: &Emulator, path: &str, pat: &str, body: Value) -> Reply {
    call(emu, Method::PUT, path, pat, Some(body)).await
}

pub async fn delete(emu: &Emulator, path: &str, pat: &str) -> Reply {
    call(emu, Method::DELETE, path, pat, None).await
}

pub fn fabrikam() -> HostPath {
    HostPath::organization("fabrikam")
}

/// Fiber Cloud's id in the demo.
pub fn fiber_cloud(emu: &Emulator) -> Uuid {
    emu.world().project_id(&fabrikam(), "Fiber Cloud").unwrap()
}

pub fn repo(emu: &Emulator, name: &str) -> Uuid {
    emu.world()
        .repository_id(&fabrikam(), "Fiber Cloud", name)
        .unwrap()
}

/// A webHooks subscription body for Fiber Cloud.
pub fn subscription(project: Uuid, event_type: &str, url: &str) -> Value {
    json!({
        "publisherId": "tfs",
        "eventType": event_type,
        "resourceVersion": "1.0",
        "consumerId": "webHooks",
        "consumerActionId": "httpRequest",
        "publisherInputs": { "projectId": project },
        "consumerInputs": { "url": url },
    })
}

pub const SUBSCRIPTIONS: &str = "/fabrikam/_apis/hooks/subscriptions?api-version=7.1";

/// Creates a subscription as Demo Admin; returns its JSON.
pub async fn create(emu: &Emulator, body: Value) -> Value {
    let reply = post(emu, SUBSCRIPTIONS, FULL, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

pub fn id_of(subscription: &Value) -> Uuid {
    Uuid::parse_str(subscription["id"].as_str().unwrap()).unwrap()
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

#[derive(Debug, Default)]
struct ReceiverState {
    requests: Vec<Received>,
    answers: VecDeque<u16>,
}

/// An HTTP receiver on 127.0.0.1 that records requests and answers the queued statuses
/// (then `200`).
#[derive(Debug, Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    pub async fn start(answers: &[u16]) -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState {
            requests: Vec::new(),
            answers: answers.iter().copied().collect(),
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move {
                    let mut state = shared.lock().unwrap();
                    state.requests.push(Received {
                        method,
                        path: uri.path().to_string(),
                        headers,
                        body,
                    });
                    let status = state.answers.pop_front().unwrap_or(200);
                    let status = StatusCode::from_u16(status).unwrap();
                    if status.is_redirection() {
                        return (
                            status,
                            [("location", "http://127.0.0.1:9/elsewhere")],
                            "moved",
                        )
                            .into_response();
                    }
                    (status, [("x-receiver", "test")], "received").into_response()
                }
            },
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, state }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Queues more answers.
    pub fn answer(&self, statuses: &[u16]) {
        self.state.lock().unwrap().answers.extend(statuses);
    }
}

/// The receiver URL of subscriptions that are never delivered to (shapes, validation, queries).
pub const URL: &str = "https://example.com/hook";

/// A push to fiber-cloud-api in Fiber Cloud.
pub fn push() -> Event {
    Event::push("fabrikam", "Fiber Cloud", "fiber-cloud-api")
}
