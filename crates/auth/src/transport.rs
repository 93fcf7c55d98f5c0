//! The HTTP seam between `oauth2` and the network: [`HttpClient`] is the `oauth2`
//! [`AsyncHttpClient`] every token, device-code and discovery request goes through.
//!
//! `oauth2` builds each request as a value and reads each reply; this module only carries them.
//! It is ours (not `oauth2`'s reqwest integration) for what `oauth2` cannot express:
//! - the `reqwest::Client` is the app's one configured client (proxy, trusted CA, timeouts; built
//!   by `ado_client::http_client`), and a reply that was redirected anyway is refused, so a code,
//!   verifier, refresh token or client secret never reaches another host;
//! - a reply is cut at 1 MiB;
//! - a reply that is neither JSON nor an OAuth error (a proxy's HTML page, a 3xx) becomes a typed
//!   [`HttpError`] instead of a parse error, and an error object on a 2xx (lenient servers) is
//!   handed to `oauth2` as the error it is;
//! - a 429 or 5xx (with an OAuth error body or not) becomes [`HttpError::Unavailable`] with its
//!   status and `Retry-After`, which `oauth2` would drop: "throttled" and "down" are told apart
//!   from each other and from a refusal of the user's credentials;
//! - an error reply is scrubbed of every secret the request carried, so a server that echoes the
//!   request cannot leak it into an error message.
//!
//! Tests swap the network for a function ([`HttpClient::scripted`]): requests and replies are
//! values on both sides.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use oauth2::http::{self, header, HeaderValue, StatusCode};
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};
use url::Url;

use crate::error::{AuthError, OAuthErrorResponse, MAX_KEPT_BODY};

/// Replies larger than this are cut (a token reply is a few KiB).
const MAX_REPLY: usize = 1024 * 1024;

/// Form parameters whose values are secrets (scrubbed from error replies).
const SECRET_PARAMS: [&str; 5] = [
    "code",
    "code_verifier",
    "refresh_token",
    "client_secret",
    "device_code",
];

type Script = dyn Fn(&HttpRequest) -> HttpResponse + Send + Sync;

/// The HTTP client for token, device-code and discovery requests.
#[derive(Clone)]
pub struct HttpClient {
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Network(reqwest::Client),
    Scripted(Arc<Script>),
}

impl HttpClient {
    /// Uses `client`, which must be built without redirects (`ado_client::http_client` is); a
    /// reply that was redirected anyway is refused.
    pub fn new(client: reqwest::Client) -> Self {
        Self {
            transport: Transport::Network(client),
        }
    }

    /// A client from `builder` with redirects switched off (for tools and tests; the app uses
    /// [`HttpClient::new`] with its configured client).
    pub fn from_builder(builder: reqwest::ClientBuilder) -> Result<Self, AuthError> {
        let client = builder
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ado-connect/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(AuthError::HttpClient)?;
        Ok(Self::new(client))
    }

    /// A client that answers every request with `reply` instead of the network (tests).
    pub fn scripted(reply: impl Fn(&HttpRequest) -> HttpResponse + Send + Sync + 'static) -> Self {
        Self {
            transport: Transport::Scripted(Arc::new(reply)),
        }
    }

    /// GETs a JSON document (OpenID discovery). Anything but a 200 is an error.
    pub(crate) async fn get_json(&self, url: &Url) -> Result<Vec<u8>, AuthError> {
        let request = http::Request::get(url.as_str())
            .header(header::ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|e| AuthError::Other {
                endpoint: url.to_string(),
                reason: e.to_string(),
            })?;
        let reply = self
            .call(request)
            .await
            .map_err(|e| e.into_auth_error(url.as_str()))?;
        if reply.status() != StatusCode::OK {
            return Err(AuthError::UnexpectedResponse {
                endpoint: url.to_string(),
                status: reply.status().as_u16(),
                content_type: content_type(&reply),
                body: kept(reply.body(), &[]),
            });
        }
        Ok(reply.into_body())
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let secrets = secrets_of(request.body());
        let asked = request.uri().to_string();
        let reply = match &self.transport {
            Transport::Scripted(script) => script(&request),
            Transport::Network(client) => {
                let request = reqwest::Request::try_from(request)
                    .map_err(|e| HttpError::Transport(Box::new(e)))?;
                let response = client
                    .execute(request)
                    .await
                    .map_err(|e| HttpError::Transport(Box::new(e)))?;
                if Url::parse(&asked).ok().as_ref() != Some(response.url()) {
                    // The client followed a redirect: it was not built as required.
                    return Err(HttpError::Redirected {
                        status: 0,
                        location: Some(scrub(response.url().as_str(), &secrets)),
                    });
                }
                read(response).await?
            }
        };
        classify(reply, &secrets)
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.transport {
            Transport::Network(_) => "HttpClient(network)",
            Transport::Scripted(_) => "HttpClient(scripted)",
        })
    }
}

impl<'c> AsyncHttpClient<'c> for HttpClient {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.exchange(request))
    }
}

/// Why a request got no usable reply. Never holds a secret (bodies are scrubbed).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// Not reached, or the reply could not be read (DNS, TLS, proxy, timeout).
    #[error("{0}")]
    Transport(#[source] Box<reqwest::Error>),
    /// A 3xx: redirects are never followed.
    #[error("redirect (HTTP {status})")]
    Redirected {
        /// The status (0 if the client followed it).
        status: u16,
        /// Where it pointed.
        location: Option<String>,
    },
    /// A 429 (throttled) or a 5xx (the server is failing), with or without an OAuth error body.
    #[error("HTTP {status}")]
    Unavailable {
        /// The status: 429, or 500 to 599.
        status: u16,
        /// The `Retry-After` delay, if the server sent one in seconds.
        retry_after: Option<Duration>,
        /// The OAuth error the body held (Entra: `temporarily_unavailable`, AADSTS90033), scrubbed.
        error: Option<Box<OAuthErrorResponse>>,
    },
    /// Neither a JSON reply nor an OAuth error, e.g. a proxy's HTML page.
    #[error("unexpected reply (HTTP {status})")]
    Unexpected {
        /// The status.
        status: u16,
        /// The `Content-Type`.
        content_type: Option<String>,
        /// The body, scrubbed and cut.
        body: String,
    },
}

impl HttpError {
    /// The [`AuthError`] for this failure at `endpoint`.
    pub(crate) fn into_auth_error(self, endpoint: &str) -> AuthError {
        let endpoint = endpoint.to_owned();
        match self {
            HttpError::Transport(source) => AuthError::Transport {
                endpoint,
                source: *source,
            },
            HttpError::Redirected { status, location } => AuthError::Redirected {
                endpoint,
                status,
                location,
            },
            HttpError::Unavailable {
                status,
                retry_after,
                error,
            } => AuthError::Unavailable {
                endpoint,
                status,
                retry_after,
                error,
            },
            HttpError::Unexpected {
                status,
                content_type,
                body,
            } => AuthError::UnexpectedResponse {
                endpoint,
                status,
                content_type,
                body,
            },
        }
    }
}

async fn read(mut response: reqwest::Response) -> Result<HttpResponse, HttpError> {
    let mut reply = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        reply = reply.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| HttpError::Transport(Box::new(e)))?
    {
        let room = MAX_REPLY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(reply
        .body(body)
        .expect("status and headers came from a response"))
}

/// Sorts a reply: redirects, 429s, 5xxs and non-OAuth replies are errors; OAuth errors go to
/// `oauth2` as errors (a 2xx carrying one becomes a 400), scrubbed; JSON successes pass unchanged.
fn classify(reply: HttpResponse, secrets: &[String]) -> Result<HttpResponse, HttpError> {
    let status = reply.status();
    if status.is_redirection() {
        let location = reply
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| scrub(l, secrets));
        return Err(HttpError::Redirected {
            status: status.as_u16(),
            location,
        });
    }
    let object = serde_json::from_slice::<serde_json::Value>(reply.body())
        .ok()
        .and_then(|v| v.as_object().cloned());
    let is_error = object.as_ref().is_some_and(|o| {
        o.get("error").is_some_and(|e| e.is_string()) && !o.contains_key("access_token")
    });
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        let error = object.filter(|_| is_error).and_then(|object| {
            let mut value = serde_json::Value::Object(object);
            scrub_strings(&mut value, secrets);
            serde_json::from_value::<OAuthErrorResponse>(value).ok()
        });
        return Err(HttpError::Unavailable {
            status: status.as_u16(),
            retry_after: retry_after(&reply),
            error: error.map(Box::new),
        });
    }
    if let (true, Some(object)) = (is_error, object) {
        let (mut parts, _) = reply.into_parts();
        if parts.status.is_success() {
            parts.status = StatusCode::BAD_REQUEST;
        }
        let mut value = serde_json::Value::Object(object);
        scrub_strings(&mut value, secrets);
        let body = serde_json::to_vec(&value).unwrap_or_default();
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Ok(HttpResponse::from_parts(parts, body));
    }
    let json = content_type(&reply).is_none_or(|t| t.to_ascii_lowercase().contains("json"));
    if status.is_success() && json && !is_error {
        let (mut parts, body) = reply.into_parts();
        parts.status = StatusCode::OK;
        return Ok(HttpResponse::from_parts(parts, body));
    }
    Err(HttpError::Unexpected {
        status: status.as_u16(),
        content_type: content_type(&reply),
        body: kept(reply.body(), secrets),
    })
}

/// `Retry-After` (read by `ado_core::retry_after`, as the Azure DevOps client reads it).
fn retry_after(reply: &HttpResponse) -> Option<Duration> {
    ado_core::retry_after::parse(reply.headers().get(header::RETRY_AFTER)?.to_str().ok()?)
}

fn content_type(reply: &HttpResponse) -> Option<String> {
    reply
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Every string in a JSON value, scrubbed (keys and structure stay intact).
fn scrub_strings(value: &mut serde_json::Value, secrets: &[String]) {
    match value {
        serde_json::Value::String(text) => *text = scrub(text, secrets),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_strings(v, secrets)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_strings(v, secrets)),
        _ => {}
    }
}

/// The secret values a form body carries. Values under 8 characters are not scrubbed: no real
/// code, verifier, token or secret is that short, and replacing them would only garble the text.
fn secrets_of(body: &[u8]) -> Vec<String> {
    url::form_urlencoded::parse(body)
        .filter(|(name, value)| SECRET_PARAMS.contains(&name.as_ref()) && value.len() >= 8)
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// Replaces every secret (raw and form-encoded) with `[redacted]`.
fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for raw in secrets {
        let encoded: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
        for needle in [raw.as_str(), encoded.as_str()] {
            if out.contains(needle) {
                out = out.replace(needle, "[redacted]");
            }
        }
    }
    out
}

/// An error body as kept in an error: lossy UTF-8, scrubbed, cut to `MAX_KEPT_BODY` bytes.
fn kept(body: &[u8], secrets: &[String]) -> String {
    let mut kept = scrub(&String::from_utf8_lossy(body), secrets);
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
