//! A scripted mock authority (axum on 127.0.0.1:0) and a minimal "browser".

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use ado_auth::{Authority, ClientId, HttpClient, HttpRequest, HttpResponse, PublicClient, Scopes};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use url::Url;

/// One canned reply.
#[derive(Clone)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Canned {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string(),
        }
    }
}

/// A request the mock received.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub body: String,
}

#[derive(Default)]
struct Script {
    replies: HashMap<String, VecDeque<Canned>>,
    received: Vec<Received>,
}

/// The mock authority: replies are queued per path; each request pops one (or gets a 500 naming
/// the request nobody scripted, octocrab's `mock_error` idea).
pub struct MockAuthority {
    pub base: Url,
    script: Arc<Mutex<Script>>,
    _server: tokio::task::JoinHandle<()>,
}

pub const TENANT: &str = "contoso.onmicrosoft.com";

impl MockAuthority {
    pub async fn start() -> Self {
        let script = Arc::new(Mutex::new(Script::default()));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            script,
            _server: server,
        }
    }

    /// Entra-style endpoints under this server: `/{TENANT}/oauth2/v2.0/{authorize,token,devicecode}`.
    pub fn authority(&self) -> Authority {
        Authority::entra_at(&self.base, TENANT).unwrap()
    }

    pub fn token_path() -> String {
        format!("/{TENANT}/oauth2/v2.0/token")
    }

    pub fn device_path() -> String {
        format!("/{TENANT}/oauth2/v2.0/devicecode")
    }

    pub fn public_client(&self) -> PublicClient {
        PublicClient::new(
            self.authority(),
            ClientId::new("test-client").unwrap(),
            Scopes::azure_devops(),
            http(),
        )
    }

    pub fn reply(&self, path: &str, canned: Canned) {
        self.script
            .lock()
            .unwrap()
            .replies
            .entry(path.to_owned())
            .or_default()
            .push_back(canned);
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }
}

async fn handle(
    State(script): State<Arc<Mutex<Script>>>,
    method: Method,
    uri: Uri,
    _headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let mut script = script.lock().unwrap();
    script.received.push(Received {
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    match script.replies.get_mut(&path).and_then(VecDeque::pop_front) {
        Some(canned) => (
            StatusCode::from_u16(canned.status).unwrap(),
            [("content-type", canned.content_type)],
            canned.body,
        )
            .into_response(),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("mock authority: nothing scripted for {method} {path}"),
        )
            .into_response(),
    }
}

/// The crate's HTTP client, without proxies (tests only talk to 127.0.0.1).
pub fn http() -> HttpClient {
    HttpClient::from_builder(reqwest::Client::builder().no_proxy()).unwrap()
}

/// Plays the browser's last step: GET the redirect URI with the given query on 127.0.0.1:{port}.
/// Returns the status and page.
pub async fn browser_redirect(port: u16, query: &str) -> reqwest::Result<(u16, String)> {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client
        .get(format!("http://127.0.0.1:{port}/?{query}"))
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

/// A query parameter of a URL.
pub fn query_param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// A token reply with the given values.
pub fn token_reply(access: &str, refresh: Option<&str>) -> Canned {
    let mut body = serde_json::json!({
        "token_type": "Bearer",
        "scope": "499b84ac-1321-427f-aa17-267ca6975798/user_impersonation",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access,
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = refresh.into();
    }
    Canned::json(200, body)
}

/// An Entra-style error reply.
pub fn entra_error(status: u16, error: &str, aadsts: u64, text: &str) -> Canned {
    Canned::json(
        status,
        serde_json::json!({
            "error": error,
            "error_description": format!("AADSTS{aadsts}: {text} Trace ID: 0a1b Correlation ID: 2c3d Timestamp: 2026-01-01 00:00:00Z"),
            "error_codes": [aadsts],
            "timestamp": "2026-01-01 00:00:00Z",
            "trace_id": "0a1b",
            "correlation_id": "2c3d",
            "error_uri": "https://login.microsoftonline.com/error?code=".to_owned() + &aadsts.to_string(),
        }),
    )
}

/// A request the scripted client saw.
#[derive(Clone, Debug)]
pub struct Sent {
    pub url: String,
    pub authorization: Option<String>,
    pub body: String,
}

impl Sent {
    /// A form parameter of the body.
    pub fn param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// A reply for the scripted client.
pub fn reply(status: u16, content_type: &str, location: Option<&str>, body: &str) -> HttpResponse {
    let mut reply = HttpResponse::new(body.as_bytes().to_vec());
    *reply.status_mut() = ado_auth::http::StatusCode::from_u16(status).unwrap();
    reply
        .headers_mut()
        .insert("content-type", content_type.parse().unwrap());
    if let Some(location) = location {
        reply
            .headers_mut()
            .insert("location", location.parse().unwrap());
    }
    reply
}

/// A JSON reply for the scripted client.
pub fn json_reply(status: u16, body: &str) -> HttpResponse {
    reply(status, "application/json; charset=utf-8", None, body)
}

/// An HTTP client without a network: requests get `replies` in order (the last one repeats) and
/// are recorded.
pub fn scripted(replies: Vec<HttpResponse>) -> (HttpClient, Arc<Mutex<Vec<Sent>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = sent.clone();
    let replies = Mutex::new(VecDeque::from(replies));
    let http = HttpClient::scripted(move |request: &HttpRequest| {
        record.lock().unwrap().push(Sent {
            url: request.uri().to_string(),
            authorization: request
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned()),
            body: String::from_utf8_lossy(request.body()).into_owned(),
        });
        let mut replies = replies.lock().unwrap();
        let next = if replies.len() > 1 {
            replies.pop_front().unwrap()
        } else {
            let last = replies.front().unwrap();
            let mut copy = HttpResponse::new(last.body().clone());
            *copy.status_mut() = last.status();
            *copy.headers_mut() = last.headers().clone();
            copy
        };
        next
    });
    (http, sent)
}
