//! [`AdoClient`] and its one request path, [`AdoClient::send`].
//!
//! Every request goes through `send`, which:
//! - sends `X-TFS-FedAuthRedirect: Suppress`, so the service answers 401 instead of a sign-in page
//!   where it can (the .NET SDK does the same: `VssHttpRequestSettings.SuppressFedAuthRedirects`);
//! - follows no redirect (a 302 to `_signin` is a sign-in signal, and following a redirect could
//!   carry `Authorization` to another host);
//! - treats 203, an HTML body, or a redirect to sign-in as "not authenticated";
//! - waits out `Retry-After` on 429 a bounded number of times, and retries idempotent requests on
//!   502/503/504 with backoff;
//! - sends each request's `api-version` as negotiated with what the server serves
//!   ([`crate::versions`]), and learns the server's latest from a `VssVersionOutOfRangeException`,
//!   retrying that request once at the version both sides know.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::credential::Credential;
use crate::error::{Challenge, Error, SignInSignal, SupportIds, TransportKind, VssError};
use crate::versions::{latest_from_out_of_range, ApiVersion, ServedVersions};

/// How a client is built.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The organization or collection URL, e.g. `https://dev.azure.com/fabrikam/` or
    /// `http://tfs:8080/tfs/DefaultCollection/`. A trailing `/` is added if missing.
    pub base_url: Url,
    /// How to authenticate.
    pub credential: Credential,
    /// Extra CA certificates (PEM) trusted for this connection only, besides the system's.
    pub trusted_ca_pem: Option<String>,
    /// An explicit proxy URL for this connection; `None` uses `HTTPS_PROXY`/`NO_PROXY`.
    pub proxy: Option<String>,
    /// Timeout per request, connect included.
    pub timeout: Duration,
    /// How long the client may wait in total on `Retry-After` before giving up with
    /// [`Error::RateLimited`].
    pub max_retry_wait: Duration,
    /// The user consented to sending the credential over plain `http://` to a host that is not
    /// this machine's loopback. Without it such a request is refused before anything is sent
    /// ([`Error::PlainHttpRefused`]).
    pub allow_plain_http: bool,
    /// The largest response body read; a larger one fails with [`Error::BodyTooLarge`] instead
    /// of filling memory.
    pub max_body_bytes: usize,
    /// Host names pinned to addresses, bypassing DNS (split-horizon setups, and tests that need a
    /// non-loopback name served on loopback).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
    /// What the server serves, when known (a saved connection keeps its latest version):
    /// requests are negotiated against it from the first one on.
    pub served_versions: Option<ServedVersions>,
}

/// The default [`ClientConfig::max_body_bytes`]: 16 MiB, far above any Azure DevOps page the
/// client reads (a 100-project page or a collection's repository list is well under 1 MiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// True when sending a credential to `url` would put it on the network in the clear: plain
/// `http://` to a host that is not `localhost` or a loopback address.
pub fn needs_plain_http_consent(url: &Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    url.scheme() == "http" && !loopback
}

impl ClientConfig {
    /// Defaults: 20 s per request, up to 30 s of rate-limit waiting, the system's CAs.
    pub fn new(base_url: Url, credential: Credential) -> Self {
        ClientConfig {
            base_url,
            credential,
            trusted_ca_pem: None,
            proxy: None,
            timeout: Duration::from_secs(20),
            max_retry_wait: Duration::from_secs(30),
            allow_plain_http: false,
            max_body_bytes: MAX_BODY_BYTES,
            resolve: Vec::new(),
            served_versions: None,
        }
    }
}

/// The one Azure DevOps HTTP client. Cheap to clone; clones share their [`Stats`].
#[derive(Debug, Clone)]
pub struct AdoClient {
    http: reqwest::Client,
    base_url: Url,
    credential: Credential,
    max_retry_wait: Duration,
    allow_plain_http: bool,
    max_body_bytes: usize,
    stats: Arc<StatsCounters>,
    /// What the server serves, shared by clones: learned once, used by every request.
    versions: Arc<RwLock<Option<ServedVersions>>>,
    /// At most this many requests on the wire at once ([`AdoClient::with_request_limit`]); a
    /// permit is held only while a request is sent and its answer read, never while waiting
    /// out `Retry-After` or a backoff, so a throttled request does not hold back the others.
    on_the_wire: Option<Arc<tokio::sync::Semaphore>>,
}

#[derive(Debug, Default)]
struct StatsCounters {
    requests: AtomicU64,
    rate_limited: AtomicU64,
    waited_ms: AtomicU64,
    /// A `Retry-After` on a success answer means "slow down": no request before this instant.
    not_before: std::sync::Mutex<Option<tokio::time::Instant>>,
}

/// What a client has done so far: for reports ("throttled, waited 2 s") and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// 429 answers (or `Retry-After` waits) met.
    pub rate_limited: u64,
    /// Milliseconds spent waiting as `Retry-After` asked.
    pub waited_ms: u64,
}

/// A request to send: method, path relative to the base URL, query, optional JSON body.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
}

impl Request {
    /// `GET {base}/{path}`.
    pub fn get(path: impl Into<String>) -> Self {
        Request {
            method: Method::GET,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// `POST {base}/{path}` with a JSON body.
    pub fn post_json(path: impl Into<String>, body: serde_json::Value) -> Self {
        Request {
            method: Method::POST,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
        }
    }

    /// `PUT {base}/{path}` with a JSON body.
    pub fn put_json(path: impl Into<String>, body: serde_json::Value) -> Self {
        Request {
            method: Method::PUT,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
        }
    }

    /// `DELETE {base}/{path}`.
    pub fn delete(path: impl Into<String>) -> Self {
        Request {
            method: Method::DELETE,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// `OPTIONS {base}/{path}` (the resource locations).
    pub fn options(path: impl Into<String>) -> Self {
        Request {
            method: Method::OPTIONS,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// The path, relative to the base URL.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `api-version` asked for, if the request names one that parses.
    pub fn requested_api_version(&self) -> Option<ApiVersion> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
            .and_then(|(_, v)| v.parse().ok())
    }

    /// The method, e.g. `GET`.
    pub fn method(&self) -> &str {
        self.method.as_str()
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets `api-version`.
    pub fn api_version(self, version: &str) -> Self {
        self.query("api-version", version)
    }

    fn is_idempotent(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        )
    }
}

/// A successful answer: status, headers and body bytes.
#[derive(Debug)]
pub struct Response {
    /// The final URL requested.
    pub url: Url,
    /// The status (2xx).
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// Decodes the body as JSON, naming the path of the first mismatch.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Decode {
            url: self.url.clone(),
            detail: e.to_string(),
            body_excerpt: excerpt(&self.body),
        })
    }

    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

const MAX_5XX_RETRIES: u32 = 2;
const MAX_429_RETRIES: u32 = 4;

impl AdoClient {
    /// Builds a client. Fails only on a bad trusted CA or a TLS backend problem.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let http = crate::http::http_client(&crate::http::HttpOptions {
            trusted_ca_pem: config.trusted_ca_pem.clone(),
            proxy: config.proxy.clone(),
            timeout: config.timeout,
            resolve: config.resolve.clone(),
        })?;
        let mut base_url = config.base_url;
        if !base_url.path().ends_with('/') {
            let path = format!("{}/", base_url.path());
            base_url.set_path(&path);
        }
        let client = AdoClient {
            http,
            base_url,
            credential: config.credential,
            max_retry_wait: config.max_retry_wait,
            allow_plain_http: config.allow_plain_http,
            max_body_bytes: config.max_body_bytes,
            stats: Arc::default(),
            versions: Arc::new(RwLock::new(config.served_versions)),
            on_the_wire: None,
        };
        client.refuse_plain_http(&client.base_url)?;
        Ok(client)
    }

    /// A clone (sharing its counters and what it learned of the server) that puts at most
    /// `limit` requests on the wire at once, however many callers send through it. A request
    /// waiting out `Retry-After` (or a 5xx backoff) gives its place to the next one meanwhile:
    /// a 429 slows only the request it answered.
    pub fn with_request_limit(&self, limit: usize) -> AdoClient {
        AdoClient {
            on_the_wire: Some(Arc::new(tokio::sync::Semaphore::new(limit.max(1)))),
            ..self.clone()
        }
    }

    /// Counters of what this client (and its clones) sent.
    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.stats.requests.load(Ordering::Relaxed),
            rate_limited: self.stats.rate_limited.load(Ordering::Relaxed),
            waited_ms: self.stats.waited_ms.load(Ordering::Relaxed),
        }
    }

    /// How this client authenticates (`PAT`, `Bearer token`, `anonymous`), for reproductions.
    pub fn credential_kind(&self) -> &'static str {
        self.credential.kind()
    }

    /// The organization or collection URL, ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The URL a request goes to, with the `api-version` it is sent at (negotiated with what
    /// the server serves, as far as this client knows it): what a curl reproduction must show.
    pub fn url_for(&self, request: &Request) -> Result<Url, Error> {
        let mut url = self
            .base_url
            .join(&request.path)
            .map_err(|e| Error::Config(format!("bad request path {:?}: {e}", request.path)))?;
        if !request.query.is_empty() {
            let negotiated = self.negotiated_version(request);
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                match &negotiated {
                    Some(version) if name.eq_ignore_ascii_case("api-version") => {
                        pairs.append_pair(name, &version.to_string())
                    }
                    _ => pairs.append_pair(name, value),
                };
            }
        }
        Ok(url)
    }

    /// The version `request` goes at, when it names one and the server's are known.
    fn negotiated_version(&self, request: &Request) -> Option<ApiVersion> {
        let requested = request.requested_api_version()?;
        let versions = self.versions.read().expect("versions lock");
        Some(versions.as_ref()?.negotiate(&request.path, requested))
    }

    /// What this client knows the server serves: read from its resource locations
    /// ([`AdoClient::discover_versions`]), from a saved connection, or from an out-of-range
    /// error; `None` before any of these.
    pub fn served_versions(&self) -> Option<ServedVersions> {
        self.versions.read().expect("versions lock").clone()
    }

    /// Records what the server serves, read from its resource locations: it replaces a saved
    /// latest, not an older one the server itself named in an error since.
    pub(crate) fn learn_versions(&self, found: ServedVersions) -> ServedVersions {
        let mut versions = self.versions.write().expect("versions lock");
        let found = match versions.as_ref() {
            Some(known) => known.refreshed_by(found),
            None => found,
        };
        *versions = Some(found.clone());
        found
    }

    /// Records the server's latest version (from an out-of-range error): the lower one wins.
    fn learn_latest(&self, latest: ApiVersion) {
        let mut versions = self.versions.write().expect("versions lock");
        match versions.as_mut() {
            Some(known) => known.learn_latest(latest),
            None => *versions = Some(ServedVersions::latest(latest)),
        }
    }

    /// After an out-of-range error: learns the server's latest and returns the URL to retry at,
    /// when negotiation now gives another version.
    fn retry_after_version_error(
        &self,
        request: &Request,
        sent: &Url,
        error: &Error,
    ) -> Result<Option<Url>, Error> {
        let Error::Status {
            status: 400,
            vss: Some(vss),
            ..
        } = error
        else {
            return Ok(None);
        };
        if vss.type_key != "VssVersionOutOfRangeException" {
            return Ok(None);
        }
        let Some(latest) = latest_from_out_of_range(&vss.message) else {
            return Ok(None);
        };
        self.learn_latest(latest);
        let next = self.url_for(request)?;
        tracing::info!(%sent, %latest, "the server is older; negotiating the api-version down");
        Ok((next != *sent).then_some(next))
    }

    /// Refuses to put the credential on plain http to another machine without consent.
    fn refuse_plain_http(&self, url: &Url) -> Result<(), Error> {
        let sends_secret = !matches!(self.credential, Credential::Anonymous);
        if sends_secret && !self.allow_plain_http && needs_plain_http_consent(url) {
            return Err(Error::PlainHttpRefused { url: url.clone() });
        }
        Ok(())
    }

    /// Reads the body, at most `max_body_bytes` of it.
    async fn read_body(
        &self,
        url: &Url,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, Error> {
        let limit = self.max_body_bytes;
        let too_large = || Error::BodyTooLarge {
            url: url.clone(),
            limit_bytes: limit,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(url, &e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Sends a request: the one path every call takes. Returns only 2xx answers that are not
    /// sign-in pages; everything else is an [`Error`].
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        let mut url = self.url_for(&request)?;
        self.refuse_plain_http(&url)?;
        let mut waited = Duration::ZERO;
        let mut attempt_429 = 0;
        let mut attempt_5xx = 0;
        let mut version_retried = false;
        loop {
            let mut builder = self
                .http
                .request(request.method.clone(), url.clone())
                .header(ACCEPT, HeaderValue::from_static("application/json"))
                .header(
                    "X-TFS-FedAuthRedirect",
                    HeaderValue::from_static("Suppress"),
                );
            if let Some(value) = self.credential.header_value() {
                builder = builder.header(AUTHORIZATION, value);
            }
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            tracing::debug!(method = %request.method, %url, credential = self.credential.kind(), "request");
            self.pace().await;
            // Held while this attempt is on the wire only: released before any wait below.
            let place = match &self.on_the_wire {
                Some(limit) => Some(
                    limit
                        .acquire()
                        .await
                        .expect("the request limit is never closed"),
                ),
                None => None,
            };
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let response = builder
                .send()
                .await
                .map_err(|e| transport_error(&url, &e))?;
            let status = response.status();
            let headers = response.headers().clone();
            let support = support_ids(&headers);
            let body = self.read_body(&url, response).await?;
            drop(place);
            tracing::debug!(%url, status = status.as_u16(), e2eid = ?support.e2e_id, "response");

            if status == StatusCode::TOO_MANY_REQUESTS {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                let retry_after = retry_after(&headers);
                let wait = retry_after.unwrap_or(Duration::from_secs(1));
                if attempt_429 < MAX_429_RETRIES && waited + wait <= self.max_retry_wait {
                    tracing::info!(%url, wait_secs = wait.as_secs_f32(), "rate limited; waiting as Retry-After asks");
                    attempt_429 += 1;
                    waited += wait;
                    self.stats
                        .waited_ms
                        .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(Error::RateLimited {
                    url,
                    retry_after,
                    support,
                });
            }
            if matches!(status.as_u16(), 502..=504)
                && request.is_idempotent()
                && attempt_5xx < MAX_5XX_RETRIES
            {
                attempt_5xx += 1;
                let backoff = Duration::from_millis(250 * 4u64.pow(attempt_5xx - 1));
                tracing::info!(%url, status = status.as_u16(), backoff_ms = backoff.as_millis() as u64, "server error; retrying");
                tokio::time::sleep(backoff).await;
                continue;
            }
            if status.is_success() {
                self.slow_down_if_asked(&headers);
            }
            let result = classify(url.clone(), status, headers, body, support);
            if let Err(error) = &result {
                if !version_retried {
                    if let Some(next) = self.retry_after_version_error(&request, &url, error)? {
                        version_retried = true;
                        url = next;
                        continue;
                    }
                }
            }
            return result;
        }
    }

    /// Waits while an earlier answer asked us to slow down.
    async fn pace(&self) {
        let until = *self.stats.not_before.lock().expect("pace lock");
        if let Some(until) = until {
            let now = tokio::time::Instant::now();
            if until > now {
                let wait = until - now;
                self.stats
                    .waited_ms
                    .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                tokio::time::sleep(wait).await;
            }
        }
    }

    /// Azure DevOps may send `Retry-After` (or `X-RateLimit-Delay`) on a 200 before it starts
    /// blocking (docs `integrate/concepts/rate-limits.md`): honour it for the next request.
    fn slow_down_if_asked(&self, headers: &HeaderMap) {
        let delay = retry_after(headers).or_else(|| {
            let raw = headers.get("x-ratelimit-delay")?.to_str().ok()?;
            raw.trim()
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .map(Duration::from_secs_f64)
        });
        if let Some(delay) = delay
            .map(|d| d.min(self.max_retry_wait))
            .filter(|d| !d.is_zero())
        {
            self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            *self.stats.not_before.lock().expect("pace lock") =
                Some(tokio::time::Instant::now() + delay);
        }
    }

    /// Sends a request and decodes the JSON answer.
    pub async fn get_json<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        self.send(request).await?.json()
    }
}

/// Sorts an HTTP answer into success or a typed error.
fn challenge(headers: &HeaderMap) -> Challenge {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Challenge {
        www_authenticate: get("www-authenticate"),
        resource_tenant: get("x-vss-resourcetenant"),
    }
}

fn classify(
    url: Url,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    support: SupportIds,
) -> Result<Response, Error> {
    let is_html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("text/html"));
    let vss = serde_json::from_slice::<VssError>(&body)
        .ok()
        .filter(|v| !v.type_key.is_empty() || !v.message.is_empty());

    if status.is_redirection() {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if is_sign_in_location(location) {
            return Err(Error::NotAuthenticated {
                url,
                status: status.as_u16(),
                signal: SignInSignal::Redirect,
                vss,
                support,
                challenge: Box::new(challenge(&headers)),
            });
        }
        return Err(Error::Status {
            url,
            status: status.as_u16(),
            vss,
            body_excerpt: format!("redirect to {location}"),
            support,
        });
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(Error::NotAuthenticated {
            url,
            status: 401,
            signal: SignInSignal::Unauthorized,
            vss,
            support,
            challenge: Box::new(challenge(&headers)),
        });
    }
    // 203 is how Azure DevOps says "here is a sign-in page instead" (vsts-rest-api-specs#97, #574).
    if status == StatusCode::NON_AUTHORITATIVE_INFORMATION || (status.is_success() && is_html) {
        return Err(Error::NotAuthenticated {
            url,
            status: status.as_u16(),
            signal: SignInSignal::HtmlPage,
            vss,
            support,
            challenge: Box::new(challenge(&headers)),
        });
    }
    if !status.is_success() {
        return Err(Error::Status {
            url,
            status: status.as_u16(),
            vss,
            body_excerpt: excerpt(&body),
            support,
        });
    }
    Ok(Response {
        url,
        status,
        headers,
        body,
    })
}

fn is_sign_in_location(location: &str) -> bool {
    let l = location.to_ascii_lowercase();
    l.contains("_signin")
        || l.contains("login.microsoftonline.com")
        || l.contains("/signin")
        || l.contains("login.live.com")
}

fn support_ids(headers: &HeaderMap) -> SupportIds {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    SupportIds {
        e2e_id: get("x-vss-e2eid"),
        activity_id: get("activityid"),
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    ado_core::retry_after::parse(headers.get(RETRY_AFTER)?.to_str().ok()?)
}

fn transport_error(url: &Url, error: &reqwest::Error) -> Error {
    let detail = error_chain(error);
    let lower = detail.to_ascii_lowercase();
    let kind = if error.is_timeout() {
        TransportKind::Timeout
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
    {
        TransportKind::Dns
    } else if lower.contains("certificate")
        || lower.contains("handshake")
        // A peer that hangs up after the handshake ("without sending TLS close_notify") is a
        // dropped connection, not an untrusted certificate.
        || (lower.contains("tls") && !lower.contains("close_notify"))
    {
        TransportKind::Tls
    } else if lower.contains("407") || lower.contains("proxy authentication") {
        TransportKind::ProxyAuth
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        TransportKind::Other
    };
    Error::Transport {
        url: url.clone(),
        kind,
        detail,
    }
}

/// The error and its causes, joined, because reqwest's top-level message alone ("error sending
/// request") tells the user nothing.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    text.trim().to_string()
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
