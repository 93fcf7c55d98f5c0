//! Microsoft Entra ID's endpoints (`login.microsoftonline.com`) on the emulator, for ADO
//! Connect's sign-in (`ADO_CONNECT_AUTHORITY=http://127.0.0.1:{port}`):
//!
//! | Request | What |
//! |---|---|
//! | `GET\|POST /{tenant}/oauth2/v2.0/authorize` | auth code + PKCE; the "user" signs in at once and is sent back with `302` |
//! | `POST /{tenant}/oauth2/v2.0/token` | `authorization_code`, `refresh_token`, `client_credentials`, device code |
//! | `POST /{tenant}/oauth2/v2.0/devicecode` | RFC 8628 device authorization |
//! | `GET /{tenant}/v2.0/.well-known/openid-configuration` | discovery document |
//! | `GET /{tenant}/discovery/v2.0/keys` | an empty key set (tokens are unsigned) |
//! | `GET\|POST /devicelogin` | the page where a person enters a device code and approves it |
//!
//! These are another service than Azure DevOps: they get only the fault rules that name them
//! (`faults/`) and none of Azure DevOps' response headers. Entra's own are `x-ms-request-id` (the trace id) and
//! `client-request-id` (echoed). Errors are Entra's JSON (`error`, `error_description` starting
//! with `AADSTS{n}:`, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`),
//! `400`, or `401` for `invalid_client`. Decisions are in `FIDELITY.md`.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use time::OffsetDateTime;
use url::form_urlencoded;
use uuid::Uuid;

use crate::entra::oauth::{self, Diagnostics, Granted, OAuthError};
use crate::entra::{
    App, CodeGrant, DeviceGrant, DeviceProblem, DeviceState, EntraState, Issue, Subject, Tenant,
    SLOW_DOWN_STEP,
};
use crate::world::WorldHandle;

mod authorize;
mod device;
mod discovery;
mod token;

use self::authorize::*;
use self::device::*;
use self::discovery::*;
use self::token::*;

/// Request bodies larger than this are cut (a token request is well under 4 KiB).
const MAX_BODY: usize = 64 * 1024;
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// Polls this much earlier than the interval still count as on time (timer jitter).
const POLL_GRACE: Duration = Duration::from_millis(100);

/// One of the Entra endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    Authorize(String),
    Token(String),
    DeviceCode(String),
    OpenIdConfiguration(String),
    Keys(String),
    DeviceLogin,
}

fn endpoint(path: &str) -> Option<Endpoint> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let tenant = || segments[0].clone();
    match lower.as_slice() {
        ["devicelogin"] => Some(Endpoint::DeviceLogin),
        [_, "oauth2", "v2.0", "authorize"] => Some(Endpoint::Authorize(tenant())),
        [_, "oauth2", "v2.0", "token"] => Some(Endpoint::Token(tenant())),
        [_, "oauth2", "v2.0", "devicecode"] => Some(Endpoint::DeviceCode(tenant())),
        [_, "v2.0", ".well-known", "openid-configuration"] => {
            Some(Endpoint::OpenIdConfiguration(tenant()))
        }
        [_, "discovery", "v2.0", "keys"] => Some(Endpoint::Keys(tenant())),
        _ => None,
    }
}

/// Whether the path is one of Entra's (checked before Azure DevOps' routes).
pub(crate) fn is_entra_path(path: &str) -> bool {
    endpoint(path).is_some()
}

/// Form or query parameters, first occurrence wins.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(text: &[u8]) -> Self {
        Params(form_urlencoded::parse(text).into_owned().collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value when present and not blank.
    fn value(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.value(name)
            .ok_or_else(|| OAuthError::missing_parameter(name))
    }
}

/// What the endpoints read and change: the Entra grants, and the world whose users sign in and
/// whose credentials the issued access tokens become.
pub(crate) struct EntraSide<'a> {
    pub entra: &'a EntraState,
    pub world: &'a WorldHandle,
}

/// Handles a request to one of Entra's endpoints; `origin` is how the request named the
/// emulator (`scheme://authority`).
pub(crate) async fn handle(state: &EntraSide<'_>, origin: String, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Some(endpoint) = endpoint(parts.uri.path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = if parts.method == Method::POST {
        axum::body::to_bytes(body, MAX_BODY)
            .await
            .unwrap_or_default()
    } else {
        Default::default()
    };
    let client_request_id = parts
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok());
    let d = Diagnostics {
        trace_id: Uuid::new_v4(),
        correlation_id: client_request_id.unwrap_or_else(Uuid::new_v4),
        now: OffsetDateTime::now_utc(),
    };
    let query = Params::parse(parts.uri.query().unwrap_or_default().as_bytes());
    let form = Params::parse(&body);
    let entra = state.entra;
    let method = &parts.method;
    let read = method == Method::GET || method == Method::HEAD;
    let mut response = match endpoint {
        Endpoint::Authorize(tenant) if read => authorize(state, &tenant, &query, &d),
        Endpoint::Authorize(tenant) if method == Method::POST => {
            authorize(state, &tenant, &form, &d)
        }
        Endpoint::Authorize(_) => error_page(
            &OAuthError::method_not_allowed("GET, POST", method.as_str()),
            &d,
        ),
        Endpoint::Token(tenant) if method == Method::POST => {
            json_result(token(state, &tenant, &form, &origin), &d)
        }
        Endpoint::DeviceCode(tenant) if method == Method::POST => {
            json_result(device_code(entra, &tenant, &form, &origin), &d)
        }
        Endpoint::Token(_) | Endpoint::DeviceCode(_) => json_error(
            &OAuthError::method_not_allowed("POST, OPTIONS", method.as_str()),
            &d,
        ),
        Endpoint::OpenIdConfiguration(tenant) if read => {
            json_result(openid_configuration(entra, &tenant, &origin), &d)
        }
        Endpoint::Keys(tenant) if read => {
            json_result(entra.tenant(&tenant).map(|_| json!({ "keys": [] })), &d)
        }
        Endpoint::OpenIdConfiguration(_) | Endpoint::Keys(_) => {
            json_error(&OAuthError::method_not_allowed("GET", method.as_str()), &d)
        }
        Endpoint::DeviceLogin if read => {
            device_login_form(query.get("otc").unwrap_or_default(), None)
        }
        Endpoint::DeviceLogin if method == Method::POST => device_login(state, &form),
        Endpoint::DeviceLogin => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    };
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-ms-request-id", d.trace_id.to_string());
    if client_request_id.is_some() {
        set("client-request-id", d.correlation_id.to_string());
    }
    set("cache-control", "no-store, no-cache".to_string());
    set("pragma", "no-cache".to_string());
    set("x-content-type-options", "nosniff".to_string());
    tracing::info!(
        method = %parts.method,
        path = %parts.uri.path(),
        status = response.status().as_u16(),
        "entra request"
    );
    if parts.method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

// ----- replies -------------------------------------------------------------------------------

fn json_reply(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn json_error(error: &OAuthError, d: &Diagnostics) -> Response {
    json_reply(error.status, &error.body(d))
}

fn json_result(result: Result<Value, OAuthError>, d: &Diagnostics) -> Response {
    match result {
        Ok(body) => json_reply(StatusCode::OK, &body),
        Err(error) => json_error(&error, d),
    }
}

fn html_reply(status: StatusCode, page: String) -> Response {
    let mut response = (status, page).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"referrer\" content=\"no-referrer\">\n<title>{}</title>\n</head>\n<body>\n{content}\n\
<p><small>ado-emulator's stand-in for Microsoft Entra ID.</small></p>\n</body>\n</html>\n",
        escape(title)
    )
}

/// The page Entra shows when it cannot send the browser back to the app (unknown client,
/// unregistered redirect URI, unknown tenant or user): `200`, no redirect.
fn error_page(error: &OAuthError, d: &Diagnostics) -> Response {
    let content = format!(
        "<h1>Sign in</h1>\n<p>Sorry, but we\u{2019}re having trouble signing you in.</p>\n\
<p id=\"error\">{}</p>\n<p>Request Id: {}<br>Correlation Id: {}<br>Timestamp: {}</p>",
        escape(&error.short()),
        d.trace_id,
        d.correlation_id,
        oauth::entra_timestamp(d.now)
    );
    html_reply(StatusCode::OK, page("Sign in to your account", &content))
}

/// `redirect_uri` with `params` appended to its query.
fn with_query(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}{}", query.finish())
}

fn found(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
