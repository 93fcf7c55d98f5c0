//! The client's one error type. It keeps what support needs (status, VSS `typeKey` and message,
//! `X-VSS-E2EID` / `ActivityId`) and never a secret: requests carry the token only in a header,
//! and no header is copied into an error.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

/// The error body Azure DevOps sends with most failures (a "wrapped exception").
///
/// Example: `{"$id":"1","innerException":null,"message":"TF400813: …","typeName":"…",
/// "typeKey":"UnauthorizedRequestException","errorCode":0,"eventId":3000}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VssError {
    /// Human-readable message, often starting with a `TFnnnnnn:` code.
    #[serde(default)]
    pub message: String,
    /// The .NET exception type, e.g. `VssVersionOutOfRangeException`.
    #[serde(default)]
    pub type_key: String,
    /// The full .NET type name with assembly.
    #[serde(default)]
    pub type_name: String,
    /// Numeric error code (often 0).
    #[serde(default)]
    pub error_code: i64,
    /// Numeric event id (often 3000).
    #[serde(default)]
    pub event_id: i64,
}

/// Correlation ids for Microsoft (or the on-prem admin) to find the request in their logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportIds {
    /// `X-VSS-E2EID`, the end-to-end correlation id.
    pub e2e_id: Option<String>,
    /// `ActivityId`.
    pub activity_id: Option<String>,
}

impl SupportIds {
    /// `E2EID …, ActivityId …`, or `None` when the server sent neither.
    pub fn summary(&self) -> Option<String> {
        let parts: Vec<String> = [
            ("X-VSS-E2EID", &self.e2e_id),
            ("ActivityId", &self.activity_id),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name} {v}")))
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// What an unauthenticated answer says about how to sign in (tenant discovery).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Challenge {
    /// `WWW-Authenticate`, e.g. `Bearer authorization_uri=https://login.microsoftonline.com/{tenant}`.
    pub www_authenticate: Option<String>,
    /// `X-VSS-ResourceTenant`: the organization's Entra tenant (all zeros: Microsoft accounts).
    pub resource_tenant: Option<String>,
}

/// How a request failed below HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The host name does not resolve.
    Dns,
    /// Refused, reset, or no route.
    Connect,
    /// No answer within the timeout.
    Timeout,
    /// The TLS handshake failed, usually an untrusted certificate.
    Tls,
    /// The proxy answered 407.
    ProxyAuth,
    /// Anything else.
    Other,
}

/// How the server said we are not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInSignal {
    /// 401.
    Unauthorized,
    /// 203, or any 2xx with an HTML body: a sign-in page where JSON should be.
    HtmlPage,
    /// A 3xx to a sign-in page (`_signin`, `login.microsoftonline.com`, …).
    Redirect,
}

impl std::fmt::Display for SignInSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignInSignal::Unauthorized => "HTTP 401",
            SignInSignal::HtmlPage => "an HTML sign-in page",
            SignInSignal::Redirect => "a redirect to sign-in",
        })
    }
}

/// Everything that can go wrong talking to Azure DevOps.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be built (e.g. a trusted CA that is not PEM).
    #[error("client configuration: {0}")]
    Config(String),
    /// No HTTP answer.
    #[error("could not reach {url}: {detail}")]
    Transport {
        /// The URL requested.
        url: Url,
        /// What failed.
        kind: TransportKind,
        /// The transport's own words, with its cause chain.
        detail: String,
    },
    /// The server wants us to sign in: 401, 203 with HTML, or a redirect to sign-in.
    #[error("not signed in at {url}: the server answered with {signal}{}", vss_suffix(.vss))]
    NotAuthenticated {
        /// The URL requested.
        url: Url,
        /// The HTTP status.
        status: u16,
        /// How the server said so.
        signal: SignInSignal,
        /// The VSS error body, if any.
        vss: Option<VssError>,
        /// Correlation ids.
        support: SupportIds,
        /// How the server says to sign in (boxed: it is rarely read, and keeps `Error` small).
        challenge: Box<Challenge>,
    },
    /// 429: too many requests, after the client's own bounded waiting.
    #[error("rate limited at {url}{}", .retry_after.map(|d| format!("; retry after {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// The URL requested.
        url: Url,
        /// What `Retry-After` said.
        retry_after: Option<Duration>,
        /// Correlation ids.
        support: SupportIds,
    },
    /// Any other non-success status.
    #[error("{url} answered HTTP {status}{}", vss_suffix(.vss))]
    Status {
        /// The URL requested.
        url: Url,
        /// The HTTP status.
        status: u16,
        /// The VSS error body, if the body was one.
        vss: Option<VssError>,
        /// The first bytes of the body, for diagnosis.
        body_excerpt: String,
        /// Correlation ids.
        support: SupportIds,
    },
    /// Plain `http://` to another machine with a credential, and the user did not consent:
    /// nothing was sent.
    #[error("refused to send the credential over plain http to {url} without consent")]
    PlainHttpRefused {
        /// The URL that would have been requested.
        url: Url,
    },
    /// The answer's body is larger than the client reads.
    #[error("the answer from {url} is larger than {limit_bytes} bytes")]
    BodyTooLarge {
        /// The URL requested.
        url: Url,
        /// The limit ([`crate::ClientConfig::max_body_bytes`]).
        limit_bytes: usize,
    },
    /// A success status whose body is not the documented JSON.
    #[error("could not read the answer from {url}: {detail}")]
    Decode {
        /// The URL requested.
        url: Url,
        /// Where and why decoding failed (`value[3].name: invalid type …`).
        detail: String,
        /// The first bytes of the body.
        body_excerpt: String,
    },
}

fn vss_suffix(vss: &Option<VssError>) -> String {
    match vss {
        Some(v) if !v.message.is_empty() => format!(" ({}: {})", v.type_key, v.message),
        _ => String::new(),
    }
}

impl Error {
    /// True for 401 / 203 / sign-in redirects.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, Error::NotAuthenticated { .. })
    }

    /// The HTTP status, if there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NotAuthenticated { status, .. } | Error::Status { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The VSS error body, if the server sent one.
    pub fn vss(&self) -> Option<&VssError> {
        match self {
            Error::NotAuthenticated { vss, .. } | Error::Status { vss, .. } => vss.as_ref(),
            _ => None,
        }
    }

    /// Correlation ids, if the server sent them.
    pub fn support(&self) -> Option<&SupportIds> {
        match self {
            Error::NotAuthenticated { support, .. }
            | Error::Status { support, .. }
            | Error::RateLimited { support, .. } => Some(support),
            _ => None,
        }
    }
}
