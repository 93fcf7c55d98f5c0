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
//! These are another service than Azure DevOps: they get no injected faults and none of Azure
//! DevOps' response headers. Entra's own are `x-ms-request-id` (the trace id) and
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
    normalize_user_code, App, CodeGrant, DeviceGrant, DeviceProblem, DeviceState, EntraState,
    Issue, Subject, Tenant, SLOW_DOWN_STEP,
};

use super::AppState;

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

/// Handles a request to one of Entra's endpoints.
pub(crate) async fn handle(state: &AppState, request: Request) -> Response {
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
    let origin = super::origin(state, &parts);
    let entra = &state.entra;
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

// ----- authorize -----------------------------------------------------------------------------

/// `GET /{tenant}/oauth2/v2.0/authorize`. Errors about the client or the redirect URI are shown
/// as a page; later ones go back to the app as `?error=…&error_description=…&state=…`.
fn authorize(state: &AppState, tenant: &str, params: &Params, d: &Diagnostics) -> Response {
    let entra = &state.entra;
    let tenant = match entra.tenant(tenant) {
        Ok(tenant) => tenant,
        Err(error) => return error_page(&error, d),
    };
    let client_id = match params.require("client_id") {
        Ok(client_id) => client_id,
        Err(error) => return error_page(&error, d),
    };
    let app = match entra.app_in(client_id, tenant) {
        Ok(app) => app.clone(),
        Err(error) => return error_page(&error, d),
    };
    let Some(redirect_uri) = params.value("redirect_uri") else {
        return error_page(&OAuthError::no_reply_address(), d);
    };
    if !app.redirect_allowed(redirect_uri) {
        return error_page(&OAuthError::redirect_mismatch(redirect_uri, client_id), d);
    }
    let app_state = params.get("state");
    let back = |error: OAuthError| {
        let description = error.description(d);
        let mut pairs = vec![
            ("error", error.error),
            ("error_description", description.as_str()),
        ];
        if let Some(s) = app_state {
            pairs.push(("state", s));
        }
        found(&with_query(redirect_uri, &pairs))
    };
    match code_request(state, &app, tenant, params) {
        Ok(code) => {
            let session_state = Uuid::new_v4().to_string();
            let mut pairs = vec![("code", code.as_str())];
            if let Some(s) = app_state {
                pairs.push(("state", s));
            }
            pairs.push(("session_state", &session_state));
            found(&with_query(redirect_uri, &pairs))
        }
        Err(Refusal::Back(error)) => back(error),
        Err(Refusal::Page(error)) => error_page(&error, d),
    }
}

enum Refusal {
    /// Sent back to the app's redirect URI.
    Back(OAuthError),
    /// Shown to the user.
    Page(OAuthError),
}

/// Checks the rest of an authorize request, signs the user in and keeps the code.
fn code_request(
    state: &AppState,
    app: &App,
    tenant: Tenant,
    params: &Params,
) -> Result<String, Refusal> {
    let entra = &state.entra;
    match params.value("response_type") {
        None => {
            return Err(Refusal::Back(OAuthError::missing_parameter(
                "response_type",
            )))
        }
        Some("code") => {}
        Some(other) => return Err(Refusal::Back(OAuthError::unsupported_response_type(other))),
    }
    if let Some(mode) = params.value("response_mode") {
        if mode != "query" {
            return Err(Refusal::Back(OAuthError::unsupported_response_mode(mode)));
        }
    }
    let scope = params.require("scope").map_err(Refusal::Back)?;
    let granted = Granted::parse(scope).map_err(Refusal::Back)?;
    let challenge = match (
        params.value("code_challenge"),
        params.value("code_challenge_method"),
    ) {
        (None, None) if !app.public_client => String::new(),
        (None, _) => {
            return Err(Refusal::Back(OAuthError::missing_parameter(
                "code_challenge",
            )))
        }
        // RFC 7636 §4.3: no method means "plain", which the emulator refuses.
        (Some(_), method) if method != Some("S256") => {
            return Err(Refusal::Back(OAuthError::challenge_method(
                method.unwrap_or("plain"),
            )))
        }
        (Some(challenge), _) if challenge.len() != 43 || !oauth::valid_pkce_value(challenge) => {
            return Err(Refusal::Back(OAuthError::challenge_size()))
        }
        (Some(challenge), _) => challenge.to_string(),
    };
    let hint = params.value("login_hint");
    let user = {
        let world = state.world.read();
        let person = |u: &&crate::world::User| !entra.is_service_principal(u.id);
        match hint {
            Some(hint) => world.user_by_email(hint).filter(person),
            None => world.users.iter().find(person),
        }
        .map(|u| (u.id, u.email.clone()))
    };
    let Some((user_id, email)) = user else {
        return Err(Refusal::Page(OAuthError::user_not_found(
            hint.unwrap_or_default(),
            &tenant.as_string(),
        )));
    };
    if entra.declines(&email) {
        return Err(Refusal::Back(OAuthError::user_declined()));
    }
    let code = format!("1.AQ{}", oauth::random_token(4));
    let grant = CodeGrant {
        client_id: app.client_id,
        redirect_uri: params.value("redirect_uri").unwrap_or_default().to_string(),
        challenge,
        granted,
        user_id,
        tenant,
        nonce: params.value("nonce").map(str::to_string),
        issued: Instant::now(),
        redeemed: false,
    };
    entra.lock().codes.insert(code.clone(), grant);
    Ok(code)
}

// ----- token ---------------------------------------------------------------------------------

/// `POST /{tenant}/oauth2/v2.0/token`.
fn token(
    state: &AppState,
    tenant: &str,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let tenant = state.entra.tenant(tenant)?;
    match params.require("grant_type")? {
        "authorization_code" => redeem_code(state, tenant, params, origin),
        "refresh_token" => refresh(state, tenant, params, origin),
        "client_credentials" => client_credentials(state, tenant, params, origin),
        DEVICE_CODE_GRANT => poll_device_code(state, tenant, params, origin),
        other => Err(OAuthError::unsupported_grant_type(other)),
    }
}

/// The app of a user grant, authenticated: a public client must not send a secret; a web app
/// must send the secret of its service principal.
fn authenticated_app<'s>(
    entra: &'s EntraState,
    tenant: Tenant,
    params: &Params,
) -> Result<&'s App, OAuthError> {
    let client_id = params.require("client_id")?;
    let app = entra.app_in(client_id, tenant)?;
    let secret = params.value("client_secret");
    let assertion = params.value("client_assertion");
    if app.public_client {
        if secret.is_some() || assertion.is_some() {
            return Err(OAuthError::public_client_with_secret());
        }
        return Ok(app);
    }
    let secret = secret.ok_or_else(OAuthError::secret_required)?;
    match entra.service_principal(app.client_id) {
        Some(sp) if constant_time_eq(secret, &sp.secret) => Ok(app),
        _ => Err(OAuthError::bad_secret(client_id)),
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn redeem_code(
    state: &AppState,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = &state.entra;
    let app = authenticated_app(entra, tenant, params)?;
    let code = params.require("code")?;
    let redirect_uri = params.require("redirect_uri")?;
    let verifier = params.value("code_verifier");
    let lifetime = Duration::from_secs(entra.config.auth_code_lifetime_secs);
    let grant = {
        let mut inner = entra.lock();
        let grant = inner
            .codes
            .get_mut(code)
            .ok_or_else(OAuthError::malformed_grant)?;
        if grant.client_id != app.client_id {
            return Err(OAuthError::grant_not_valid("code"));
        }
        if grant.redeemed {
            return Err(OAuthError::code_redeemed());
        }
        if grant.issued.elapsed() >= lifetime {
            return Err(OAuthError::code_expired());
        }
        if grant.tenant != tenant {
            return Err(OAuthError::code_for_other_tenant());
        }
        if grant.redirect_uri != redirect_uri {
            return Err(OAuthError::reply_address_mismatch(
                redirect_uri,
                &grant.redirect_uri,
            ));
        }
        if !grant.challenge.is_empty() {
            match verifier {
                None => return Err(OAuthError::verifier_missing()),
                Some(verifier) if !oauth::s256_matches(verifier, &grant.challenge) => {
                    return Err(OAuthError::verifier_mismatch())
                }
                Some(_) => {}
            }
        }
        grant.redeemed = true;
        grant.clone()
    };
    entra.issue(
        &state.world,
        Issue {
            subject: Subject::User(grant.user_id),
            client_id: grant.client_id,
            granted: &grant.granted,
            tenant: grant.tenant,
            refresh: grant.granted.offline_access().then_some(&grant.granted),
            nonce: grant.nonce.as_deref(),
            origin,
            client_credentials: false,
        },
    )
}

fn refresh(
    state: &AppState,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = &state.entra;
    let app = authenticated_app(entra, tenant, params)?;
    let token = params.require("refresh_token")?;
    let requested = params.value("scope").map(Granted::parse).transpose()?;
    let grant = {
        let mut inner = entra.lock();
        let single_use = inner.single_use_refresh;
        let grant = inner
            .refresh
            .get_mut(token)
            .ok_or_else(OAuthError::malformed_grant)?;
        if grant.client_id != app.client_id {
            return Err(OAuthError::grant_not_valid("refresh_token"));
        }
        if let Some(revoked_at) = grant.revoked_at {
            return Err(OAuthError::refresh_revoked(grant.issued_at, revoked_at));
        }
        if grant.expired || grant.last_used.elapsed() >= crate::entra::REFRESH_INACTIVITY {
            return Err(OAuthError::refresh_expired(grant.issued_at));
        }
        if single_use && grant.used {
            return Err(OAuthError::grant_not_valid("refresh_token"));
        }
        grant.used = true;
        grant.last_used = Instant::now();
        grant.clone()
    };
    let granted = match requested {
        Some(requested) if !requested.within(&grant.granted) => {
            return Err(OAuthError::consent_missing(
                &app.client_id.to_string(),
                &app.display_name,
            ))
        }
        Some(requested) => requested,
        None => grant.granted.clone(),
    };
    entra.issue(
        &state.world,
        Issue {
            subject: Subject::User(grant.user_id),
            client_id: grant.client_id,
            granted: &granted,
            tenant,
            refresh: grant.granted.offline_access().then_some(&grant.granted),
            nonce: None,
            origin,
            client_credentials: false,
        },
    )
}

fn client_credentials(
    state: &AppState,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = &state.entra;
    let Tenant::Specific(tenant_id) = tenant else {
        return Err(OAuthError::grant_needs_tenant());
    };
    let client_id = params.require("client_id")?;
    let sp = Uuid::parse_str(client_id)
        .ok()
        .and_then(|id| entra.service_principal(id))
        .filter(|sp| sp.tenant_id == tenant_id)
        .ok_or_else(|| OAuthError::app_not_found(client_id, &tenant_id.to_string()))?;
    let secret = params
        .value("client_secret")
        .ok_or_else(OAuthError::secret_required)?;
    if !constant_time_eq(secret, &sp.secret) {
        return Err(OAuthError::bad_secret(client_id));
    }
    let scope = params.require("scope")?;
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let resource = match scopes.as_slice() {
        [one] => oauth::default_scope_resource(one),
        _ => None,
    }
    .ok_or_else(|| OAuthError::client_credentials_scope(scope))?;
    if !oauth::is_azure_devops_resource(resource) {
        return Err(OAuthError::resource_not_found(
            resource,
            &tenant_id.to_string(),
        ));
    }
    let granted = Granted {
        ado: vec!["user_impersonation".to_string()],
        oidc: Vec::new(),
    };
    entra.issue(
        &state.world,
        Issue {
            subject: Subject::ServicePrincipal(sp.client_id),
            client_id: sp.client_id,
            granted: &granted,
            tenant,
            refresh: None,
            nonce: None,
            origin,
            client_credentials: true,
        },
    )
}

fn poll_device_code(
    state: &AppState,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = &state.entra;
    let client_id = params.require("client_id")?;
    let app = entra.app_in(client_id, tenant)?;
    if !app.allow_public_client_flows {
        return Err(OAuthError::secret_required());
    }
    let device_code = params.require("device_code")?;
    let now = Instant::now();
    let (user_id, granted, tenant) = {
        let mut inner = entra.lock();
        let device = inner
            .devices
            .iter_mut()
            .find(|d| d.device_code == device_code && d.client_id == app.client_id)
            .filter(|d| d.state != DeviceState::Redeemed)
            .ok_or_else(OAuthError::bad_verification_code)?;
        if now >= device.expires {
            return Err(OAuthError::device_code_expired());
        }
        if device.state == DeviceState::Declined {
            return Err(OAuthError::device_code_declined());
        }
        let since = device.last_poll.unwrap_or(device.issued);
        device.last_poll = Some(now);
        if now.duration_since(since) + POLL_GRACE < device.interval {
            device.interval += SLOW_DOWN_STEP;
            return Err(OAuthError::slow_down(device.interval.as_secs()));
        }
        let DeviceState::Approved(user_id) = device.state else {
            return Err(OAuthError::authorization_pending());
        };
        device.state = DeviceState::Redeemed;
        (user_id, device.granted.clone(), device.tenant)
    };
    entra.issue(
        &state.world,
        Issue {
            subject: Subject::User(user_id),
            client_id: app.client_id,
            granted: &granted,
            tenant,
            refresh: granted.offline_access().then_some(&granted),
            nonce: None,
            origin,
            client_credentials: false,
        },
    )
}

// ----- device code ---------------------------------------------------------------------------

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
fn device_code(
    entra: &EntraState,
    tenant: &str,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let tenant = entra.tenant(tenant)?;
    let client_id = params.require("client_id")?;
    let app = entra.app_in(client_id, tenant)?;
    let granted = Granted::parse(params.require("scope")?)?;
    let lifetime = entra.config.device_code_lifetime_secs;
    let interval = entra.config.device_code_interval_secs;
    let now = Instant::now();
    let device_code = format!("DAQABAAEAAAD{}", oauth::random_token(6));
    let user_code = oauth::random_user_code();
    entra.lock().devices.push(DeviceGrant {
        device_code: device_code.clone(),
        user_code: user_code.clone(),
        client_id: app.client_id,
        granted,
        tenant,
        issued: now,
        expires: now + Duration::from_secs(lifetime),
        interval: Duration::from_secs(interval),
        last_poll: None,
        state: DeviceState::Pending,
    });
    let verification_uri = format!("{origin}/devicelogin");
    Ok(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime,
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
}

/// `GET /devicelogin`: enter the code.
fn device_login_form(otc: &str, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p id=\"error\">{}</p>\n", escape(p)))
        .unwrap_or_default();
    let content = format!(
        "<h1>Enter code</h1>\n<p>Enter the code displayed on your app or device.</p>\n{problem}\
<form method=\"post\" action=\"/devicelogin\">\n\
<input type=\"text\" name=\"otc\" value=\"{}\" autocomplete=\"off\" aria-label=\"Code\">\n\
<button type=\"submit\">Next</button>\n</form>",
        escape(otc)
    );
    html_reply(StatusCode::OK, page("Enter code", &content))
}

/// `POST /devicelogin`: `otc` alone shows the confirmation (pick a user, approve or deny);
/// with `action=approve` (and `user`, default the scenario's first user) or `action=deny` it
/// decides.
fn device_login(state: &AppState, form: &Params) -> Response {
    let entra = &state.entra;
    let Some(otc) = form.value("otc") else {
        return device_login_form("", Some("Enter the code displayed on your app or device."));
    };
    let problem_page = |problem: DeviceProblem| {
        let text = match problem {
            DeviceProblem::Unknown => "That code didn't work. Check the code and try again.",
            DeviceProblem::Expired => {
                "AADSTS70019: Verification code expired. Go back to your app or device and start again."
            }
            DeviceProblem::AlreadyDecided => {
                "AADSTS90120: The request was already authorized or declined."
            }
        };
        device_login_form(otc, Some(text))
    };
    let app_name = match peek_device(entra, otc) {
        Ok(name) => name,
        Err(problem) => return problem_page(problem),
    };
    let people: Vec<(uuid::Uuid, String, String)> = state
        .world
        .read()
        .users
        .iter()
        .filter(|u| !entra.is_service_principal(u.id))
        .map(|u| (u.id, u.email.clone(), u.display_name.clone()))
        .collect();
    match form.value("action") {
        None => {
            let options: String = people
                .iter()
                .map(|(_, email, name)| {
                    format!(
                        "<option value=\"{}\">{} ({})</option>\n",
                        escape(email),
                        escape(name),
                        escape(email)
                    )
                })
                .collect();
            let content = format!(
                "<h1>Are you trying to sign in to {app}?</h1>\n\
<p>Only continue if you downloaded the app from a store or website that you trust.</p>\n\
<form method=\"post\" action=\"/devicelogin\">\n\
<input type=\"hidden\" name=\"otc\" value=\"{otc}\">\n\
<label>Account <select name=\"user\">\n{options}</select></label>\n\
<button type=\"submit\" name=\"action\" value=\"approve\">Continue</button>\n\
<button type=\"submit\" name=\"action\" value=\"deny\">Cancel</button>\n</form>",
                app = escape(&app_name),
                otc = escape(otc),
            );
            html_reply(StatusCode::OK, page("Sign in to your account", &content))
        }
        Some("deny") => match entra.decide_device(otc, None) {
            Ok(decision) => declined_page(&decision.app_name),
            Err(problem) => problem_page(problem),
        },
        Some("approve") => {
            let chosen = match form.value("user") {
                Some(email) => people
                    .iter()
                    .find(|(_, e, _)| e.eq_ignore_ascii_case(email)),
                None => people.first(),
            };
            let Some((user_id, email, _)) = chosen else {
                let error = OAuthError::user_not_found(
                    form.value("user").unwrap_or_default(),
                    "organizations",
                );
                return device_login_form(otc, Some(&error.short()));
            };
            match entra.decide_device(otc, Some((*user_id, email))) {
                Ok(decision) if decision.approved => {
                    let content = format!(
                        "<h1>{app}</h1>\n<p id=\"result\">You have signed in to the {app} application on your device. You may now close this window.</p>",
                        app = escape(&decision.app_name)
                    );
                    html_reply(StatusCode::OK, page("Sign in to your account", &content))
                }
                Ok(decision) => declined_page(&decision.app_name),
                Err(problem) => problem_page(problem),
            }
        }
        Some(_) => device_login_form(otc, Some("Choose Continue or Cancel.")),
    }
}

fn declined_page(app_name: &str) -> Response {
    let content = format!(
        "<h1>{app}</h1>\n<p id=\"result\">You have declined to sign in to {app} on your device. You may now close this window.</p>",
        app = escape(app_name)
    );
    html_reply(StatusCode::OK, page("Sign in to your account", &content))
}

/// The app a pending device code is for, without deciding anything.
fn peek_device(entra: &EntraState, user_code: &str) -> Result<String, DeviceProblem> {
    let wanted = normalize_user_code(user_code);
    let now = Instant::now();
    let client_id = {
        let inner = entra.lock();
        let device = inner
            .devices
            .iter()
            .rev()
            .find(|d| d.user_code == wanted)
            .ok_or(DeviceProblem::Unknown)?;
        if now >= device.expires {
            return Err(DeviceProblem::Expired);
        }
        if device.state != DeviceState::Pending {
            return Err(DeviceProblem::AlreadyDecided);
        }
        device.client_id
    };
    Ok(entra
        .app(client_id)
        .map(|a| a.display_name.clone())
        .unwrap_or_default())
}

// ----- discovery -----------------------------------------------------------------------------

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: Entra's document with the emulator's
/// endpoints. The issuer is `{origin}/{tenant id}/v2.0`, or the `{tenantid}` template for
/// `organizations` and `common`, as Entra writes it.
fn openid_configuration(
    entra: &EntraState,
    tenant: &str,
    origin: &str,
) -> Result<Value, OAuthError> {
    let resolved = entra.tenant(tenant)?;
    let base = format!("{origin}/{tenant}");
    let issuer = match resolved {
        Tenant::Specific(id) => format!("{origin}/{id}/v2.0"),
        _ => format!("{origin}/{{tenantid}}/v2.0"),
    };
    Ok(json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["none"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            DEVICE_CODE_GRANT,
        ],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid", "preferred_username", "tid", "ver"],
        "tenant_region_scope": null,
        "cloud_instance_name": "ado-emulator",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_paths_are_recognised_in_any_case() {
        assert_eq!(
            endpoint("/organizations/oauth2/v2.0/authorize"),
            Some(Endpoint::Authorize("organizations".into()))
        );
        assert_eq!(
            endpoint("/6F1C2B3A-4d5e-4f60-8a7b-9c0d1e2f3a4b/OAuth2/V2.0/token"),
            Some(Endpoint::Token(
                "6F1C2B3A-4d5e-4f60-8a7b-9c0d1e2f3a4b".into()
            ))
        );
        assert_eq!(endpoint("/DeviceLogin"), Some(Endpoint::DeviceLogin));
        assert_eq!(
            endpoint("/common/v2.0/.well-known/openid-configuration"),
            Some(Endpoint::OpenIdConfiguration("common".into()))
        );
        assert_eq!(endpoint("/fabrikam/_apis/projects"), None);
        assert_eq!(endpoint("/fabrikam/oauth2/v2.0"), None);
    }

    #[test]
    fn redirect_parameters_are_appended() {
        assert_eq!(
            with_query(
                "http://localhost:5000",
                &[("code", "a b"), ("state", "x&y")]
            ),
            "http://localhost:5000?code=a+b&state=x%26y"
        );
        assert_eq!(
            with_query("https://app.example/cb?tenant=1", &[("code", "c")]),
            "https://app.example/cb?tenant=1&code=c"
        );
    }
}
