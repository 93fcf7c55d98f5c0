//! The sans-IO seam, oauth2-rs style: each request is built as a value ([`FormPost`]), sent by the
//! one IO function in this crate ([`send`]), and its reply ([`HttpReply`]) is read by pure functions.
//!
//! The HTTP client never follows redirects ([`HttpClient`]), so a request body with a secret or
//! code can never be replayed to another host.

use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize as _;
use url::Url;
use zeroize::Zeroizing;

use crate::error::{AuthError, OAuthErrorResponse, MAX_KEPT_BODY};

/// Replies larger than this are cut (a token reply is a few KiB).
const MAX_REPLY: usize = 1024 * 1024;

/// The HTTP client for token, device-code and discovery requests.
///
/// It never follows redirects: a 3xx becomes [`AuthError::Redirected`].
#[derive(Clone, Debug)]
pub struct HttpClient {
    inner: reqwest::Client,
}

impl HttpClient {
    /// A client with a 30 s request timeout, a 10 s connect timeout and the OS trust store.
    pub fn new() -> Result<Self, AuthError> {
        Self::from_builder(
            reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .connect_timeout(Duration::from_secs(10)),
        )
    }

    /// A client from the caller's builder (proxy, extra root certificates, timeouts). Redirects
    /// are switched off whatever the builder said.
    pub fn from_builder(builder: reqwest::ClientBuilder) -> Result<Self, AuthError> {
        let inner = builder
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ado-connect/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(AuthError::HttpClient)?;
        Ok(Self { inner })
    }
}

/// One value of a form body.
enum FormValue {
    Plain(String),
    Secret(SecretString),
}

/// A `POST application/x-www-form-urlencoded` to a token or device-authorization endpoint, built as
/// a value (pure) before it is sent.
///
/// `Debug` shows secret parameters as `[redacted]`; [`FormPost::param`] shows only the others.
pub struct FormPost {
    url: Url,
    params: Vec<(&'static str, FormValue)>,
}

impl FormPost {
    pub(crate) fn new(url: Url) -> Self {
        Self {
            url,
            params: Vec::new(),
        }
    }

    pub(crate) fn plain(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, FormValue::Plain(value.into())));
        self
    }

    pub(crate) fn secret(mut self, name: &'static str, value: &str) -> Self {
        self.params
            .push((name, FormValue::Secret(SecretString::from(value))));
        self
    }

    /// The endpoint.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// A non-secret parameter's value; `None` for a secret or absent one.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find_map(|(n, v)| match v {
            FormValue::Plain(value) if *n == name => Some(value.as_str()),
            _ => None,
        })
    }

    /// Whether the body carries the parameter (secret or not).
    pub fn has_param(&self, name: &str) -> bool {
        self.params.iter().any(|(n, _)| *n == name)
    }

    /// The names of the secret parameters, in order.
    pub fn secret_param_names(&self) -> Vec<&'static str> {
        self.params
            .iter()
            .filter(|(_, v)| matches!(v, FormValue::Secret(_)))
            .map(|(n, _)| *n)
            .collect()
    }

    /// The encoded body **including secrets**: what goes on the wire. Zeroized on drop. Only for
    /// sending and for tests; never log it.
    pub fn expose_body(&self) -> Zeroizing<String> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.params {
            match value {
                FormValue::Plain(v) => form.append_pair(name, v),
                FormValue::Secret(v) => form.append_pair(name, v.expose_secret()),
            };
        }
        Zeroizing::new(form.finish())
    }

    /// Replaces every secret value this request carries (raw and form-encoded) with
    /// `[redacted]`, so a server that echoes the request cannot leak it into an error.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (_, value) in &self.params {
            if let FormValue::Secret(secret) = value {
                let raw = secret.expose_secret();
                if raw.is_empty() {
                    continue;
                }
                let encoded: String =
                    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
                for needle in [raw, encoded.as_str()] {
                    if out.contains(needle) {
                        out = out.replace(needle, "[redacted]");
                    }
                }
            }
        }
        out
    }

    /// Sends this request with `http`: the one IO step between building a request and reading
    /// its reply, e.g. `parse_token_reply(&post, &post.send(&http).await?, now)`.
    pub async fn send(&self, http: &HttpClient) -> Result<HttpReply, AuthError> {
        send(http, self).await
    }

    /// The endpoint as shown in errors (no query: our endpoints never need one).
    pub(crate) fn endpoint(&self) -> String {
        let mut url = self.url.clone();
        url.set_query(None);
        url.to_string()
    }
}

impl std::fmt::Debug for FormPost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        struct Params<'a>(&'a [(&'static str, FormValue)]);
        impl std::fmt::Debug for Params<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    match value {
                        FormValue::Plain(v) => map.entry(name, v),
                        FormValue::Secret(_) => map.entry(name, &crate::secret::Redacted),
                    };
                }
                map.finish()
            }
        }
        f.debug_struct("FormPost")
            .field("url", &self.url.as_str())
            .field("params", &Params(&self.params))
            .finish()
    }
}

/// A reply as received: status, two headers and the body (zeroized on drop, and never shown by
/// `Debug`, since a token reply's body holds tokens).
pub struct HttpReply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Location` header (only interesting on a 3xx).
    pub location: Option<String>,
    body: Zeroizing<Vec<u8>>,
}

impl HttpReply {
    /// A reply with a JSON body (for tests and for callers that do their own IO).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            location: None,
            body: Zeroizing::new(body.into()),
        }
    }

    /// A reply with any content type and an optional `Location`.
    pub fn new(
        status: u16,
        content_type: Option<String>,
        location: Option<String>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            status,
            content_type,
            location,
            body: Zeroizing::new(body.into()),
        }
    }

    pub(crate) fn body(&self) -> &[u8] {
        &self.body
    }
}

impl std::fmt::Debug for HttpReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpReply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("location", &self.location)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// Sends a form post: the only place this crate talks HTTP for token requests.
pub(crate) async fn send(http: &HttpClient, post: &FormPost) -> Result<HttpReply, AuthError> {
    let request = http
        .inner
        .post(post.url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(post.expose_body().as_str().to_owned());
    read_reply(request.send().await, &post.endpoint()).await
}

/// Gets a URL (discovery documents).
pub(crate) async fn get(http: &HttpClient, url: &Url) -> Result<HttpReply, AuthError> {
    let request = http
        .inner
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    read_reply(request.send().await, url.as_str()).await
}

async fn read_reply(
    response: Result<reqwest::Response, reqwest::Error>,
    endpoint: &str,
) -> Result<HttpReply, AuthError> {
    let transport = |source| AuthError::Transport {
        endpoint: endpoint.to_owned(),
        source,
    };
    let mut response = response.map_err(transport)?;
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header(reqwest::header::CONTENT_TYPE);
    let location = header(reqwest::header::LOCATION);
    let status = response.status().as_u16();
    let mut body = Zeroizing::new(Vec::new());
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        let room = MAX_REPLY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(HttpReply {
        status,
        content_type,
        location,
        body,
    })
}

/// What a reply turned out to be, before the grant-specific reading.
pub(crate) enum Reply<'a> {
    /// A 2xx whose body is not an OAuth error: parse it as the expected type.
    Success(&'a [u8]),
    /// An OAuth error (scrubbed), on a 4xx/5xx or, from lenient servers, on a 2xx.
    OAuthError(OAuthErrorResponse),
}

/// Sorts a reply into success, OAuth error, or an [`AuthError`] for redirects and non-OAuth
/// replies. Pure.
pub(crate) fn classify<'a>(post: &FormPost, reply: &'a HttpReply) -> Result<Reply<'a>, AuthError> {
    let status = reply.status;
    if (300..400).contains(&status) {
        return Err(AuthError::Redirected {
            endpoint: post.endpoint(),
            status,
            location: reply.location.as_deref().map(|l| post.scrub(l)),
        });
    }
    let oauth_error = OAuthErrorResponse::from_json(reply.body());
    if (200..300).contains(&status) {
        // Some servers answer 200 with an error object; a reply with an access token is never one.
        return match oauth_error {
            Some(error) if !has_key(reply.body(), "access_token") => {
                Ok(Reply::OAuthError(error.scrubbed(|text| post.scrub(text))))
            }
            _ => Ok(Reply::Success(reply.body())),
        };
    }
    match oauth_error {
        Some(error) => Ok(Reply::OAuthError(error.scrubbed(|text| post.scrub(text)))),
        None => Err(AuthError::UnexpectedResponse {
            endpoint: post.endpoint(),
            status,
            content_type: reply.content_type.clone(),
            body: kept_body(post, reply.body()),
        }),
    }
}

/// The `AuthError` for an OAuth error reply that needs no special handling.
pub(crate) fn oauth_error(
    post: &FormPost,
    reply: &HttpReply,
    error: OAuthErrorResponse,
) -> AuthError {
    AuthError::OAuth {
        endpoint: post.endpoint(),
        status: reply.status,
        error: Box::new(error),
        body: kept_body(post, reply.body()),
    }
}

/// Parses a successful reply; on failure reports where and what, never the body or its values.
pub(crate) fn decode<T: DeserializeOwned>(
    post: &FormPost,
    status: u16,
    body: &[u8],
) -> Result<T, AuthError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        // serde_json's messages may quote the offending value (e.g. `invalid type: string "…"`),
        // which could be a token; only the value-free ones are kept.
        let problem =
            if message.starts_with("missing field") || message.starts_with("unknown field") {
                message
                    .split(" at line")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            } else {
                match inner.classify() {
                    serde_json::error::Category::Syntax => "not valid JSON".to_owned(),
                    serde_json::error::Category::Eof => "truncated JSON".to_owned(),
                    serde_json::error::Category::Data => {
                        "a field has the wrong type or value".to_owned()
                    }
                    serde_json::error::Category::Io => "could not be read".to_owned(),
                }
            };
        AuthError::Decode {
            endpoint: post.endpoint(),
            status,
            path,
            problem,
        }
    })
}

fn has_key(body: &[u8], key: &str) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.contains_key(key)))
        .unwrap_or(false)
}

/// An error body as kept in an error: lossy UTF-8, scrubbed, cut to `MAX_KEPT_BODY` bytes.
fn kept_body(post: &FormPost, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut kept = post.scrub(&text);
    if kept.len() > MAX_KEPT_BODY {
        let mut end = MAX_KEPT_BODY;
        while !kept.is_char_boundary(end) {
            end -= 1;
        }
        kept.truncate(end);
        kept.push('…');
    }
    kept
}

/// Accepts `3600` and `"3600"` (Entra's v1 endpoints sent numbers as strings).
pub(crate) fn seconds<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(u64),
        Text(String),
    }
    match Option::<NumberOrText>::deserialize(deserializer)? {
        None => Ok(None),
        Some(NumberOrText::Number(n)) => Ok(Some(n)),
        Some(NumberOrText::Text(t)) => t
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a number of seconds")),
    }
}
