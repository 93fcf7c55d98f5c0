//! Errors of this crate.
//!
//! Two types: [`ConfigError`] for inputs rejected before any network traffic, and [`AuthError`] for
//! everything a sign-in can run into. Neither ever holds a token, secret, authorization code, device
//! code or PKCE verifier: server error bodies are kept for diagnosis, but scrubbed of every secret
//! value the request carried and cut to [`MAX_KEPT_BODY`] bytes, and the body of a *successful* reply
//! that fails to parse is not kept at all, because it may contain tokens.

use std::time::Duration;

/// At most this many bytes of a server's error body are kept in an [`AuthError`].
pub const MAX_KEPT_BODY: usize = 4096;

/// A configuration value was rejected before any request was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not an absolute URL, e.g. `login.microsoftonline.com/contoso` (no scheme).
    #[error("{input:?} is not a valid URL: {reason}")]
    InvalidUrl {
        /// What was given.
        input: String,
        /// Why the URL parser refused it.
        reason: String,
    },
    /// An endpoint that would carry secrets in clear text, e.g. `http://login.example.com/token`.
    /// `http` is accepted only for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), where the
    /// traffic never leaves the machine.
    #[error(
        "{url:?} must use https (plain http is only allowed for 127.0.0.1, ::1 and localhost)"
    )]
    InsecureEndpoint {
        /// The endpoint.
        url: String,
    },
    /// An endpoint with user info or a fragment, e.g. `https://user:pw@login.example.com/token`.
    #[error("{url:?} must not contain user info or a fragment")]
    UnusableEndpoint {
        /// The endpoint.
        url: String,
    },
    /// Not a tenant: a tenant is a GUID, a verified domain (`contoso.onmicrosoft.com`) or one of
    /// `organizations`, `common`, `consumers`. E.g. `../evil`.
    #[error("{input:?} is not an Entra tenant (a GUID, a domain such as contoso.onmicrosoft.com, or organizations/common/consumers)")]
    InvalidTenant {
        /// What was given.
        input: String,
    },
    /// An authority URL without a tenant path segment, e.g. `https://login.microsoftonline.com/`.
    #[error(
        "{input:?} has no tenant; expected e.g. https://login.microsoftonline.com/organizations"
    )]
    MissingTenant {
        /// What was given.
        input: String,
    },
    /// A client id that is empty or contains whitespace or control characters.
    #[error("{input:?} is not a client id (application id)")]
    InvalidClientId {
        /// What was given.
        input: String,
    },
    /// A scope token outside RFC 6749 §3.3's character set, e.g. one containing a space or a quote.
    #[error("{input:?} is not a valid OAuth scope")]
    InvalidScope {
        /// What was given.
        input: String,
    },
    /// No scopes were given.
    #[error("at least one scope is required")]
    NoScopes,
    /// The authority has no device authorization endpoint (e.g. discovery did not list one).
    #[error("this authority offers no device code sign-in")]
    NoDeviceCodeEndpoint,
    /// A PKCE verifier outside RFC 7636 §4.1 (43 to 128 characters from `[A-Za-z0-9-._~]`).
    #[error("a PKCE verifier must be 43 to 128 characters from [A-Za-z0-9-._~]")]
    InvalidPkceVerifier,
    /// An OpenID Connect discovery document that lacks an endpoint or names another issuer.
    #[error("unusable OpenID configuration: {reason}")]
    Discovery {
        /// What is wrong with it.
        reason: String,
    },
    /// The organization is backed by Microsoft accounts (its resource tenant is the all-zero GUID).
    /// Entra ID apps cannot get Azure DevOps tokens for Microsoft account users.
    #[error("this Azure DevOps organization is backed by personal Microsoft accounts, which \"Sign in with Microsoft\" (Entra ID) cannot serve; use a personal access token instead")]
    MicrosoftAccountOrganization,
}

/// An OAuth 2.0 error reply ([RFC 6749 §5.2]), with the extra fields Microsoft Entra ID adds: the
/// `oauth2` crate's error type for our token requests (it reads the standard fields; the Entra ones
/// are why this type is ours).
///
/// Entra example: `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client
/// secret provided. …","error_codes":[7000215],"trace_id":"…","correlation_id":"…"}`.
///
/// [RFC 6749 §5.2]: https://www.rfc-editor.org/rfc/rfc6749#section-5.2
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct OAuthErrorResponse {
    /// The error code, e.g. `invalid_grant`, `invalid_client`, `authorization_pending`.
    pub error: String,
    /// Human-readable text; Entra puts `AADSTS<n>: …` plus trace and correlation ids here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A page about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
    /// Entra's numeric AADSTS codes (`error_codes`), e.g. `[7000215]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_codes: Vec<u64>,
    /// Entra's `trace_id`, for a support request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// Entra's `correlation_id`, for a support request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

impl oauth2::ErrorResponse for OAuthErrorResponse {}

impl OAuthErrorResponse {
    /// An error with only a code and description (e.g. from a device-code poll, whose error type
    /// `oauth2` fixes).
    pub(crate) fn new(error: &str, description: Option<&String>, uri: Option<&String>) -> Self {
        Self {
            error: error.to_owned(),
            error_description: description.cloned(),
            error_uri: uri.cloned(),
            error_codes: Vec::new(),
            trace_id: None,
            correlation_id: None,
        }
    }

    /// The first Entra AADSTS code, from `error_codes` or else from an `AADSTS<n>` in the
    /// description.
    pub fn aadsts(&self) -> Option<u64> {
        if let Some(code) = self.error_codes.first() {
            return Some(*code);
        }
        let description = self.error_description.as_deref()?;
        let digits = description.split("AADSTS").nth(1)?;
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        digits[..end].parse().ok()
    }
}

impl std::fmt::Display for OAuthErrorResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error_description {
            Some(description) => write!(f, "{}: {}", self.error, description),
            None => f.write_str(&self.error),
        }
    }
}

/// Why a sign-in, token request or refresh failed.
///
/// Never contains a secret: see the module docs. Callers branch on the variant (or
/// [`AuthError::is_sign_in_again`]), never on the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A configuration value was rejected before anything was sent.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The loopback redirect listener could not be bound on 127.0.0.1 and ::1.
    #[error("could not open the local sign-in listener on 127.0.0.1 and ::1: {0}")]
    Listener(#[source] std::io::Error),
    /// The HTTP client could not be built (e.g. the TLS configuration was refused).
    #[error("could not set up the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    /// The endpoint could not be reached or the reply could not be read (DNS, TLS, timeout).
    #[error("could not reach {endpoint}: {source}")]
    Transport {
        /// The endpoint URL (never carries secrets: they travel in request bodies).
        endpoint: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an OAuth error, e.g. `invalid_client` (AADSTS7000215) for a wrong
    /// client secret, or `invalid_grant` for a wrong PKCE verifier. Scrubbed of what the request
    /// sent.
    #[error("{endpoint} refused the request: {error}")]
    OAuth {
        /// The endpoint URL.
        endpoint: String,
        /// The parsed error.
        error: Box<OAuthErrorResponse>,
    },
    /// Something `oauth2` reported that fits no other variant (e.g. a request it could not build).
    #[error("{endpoint}: {reason}")]
    Other {
        /// The endpoint URL.
        endpoint: String,
        /// What went wrong (never a secret: `oauth2` reports no values here).
        reason: String,
    },
    /// A refresh was refused because the saved sign-in is no longer valid (`invalid_grant`:
    /// expired, revoked, rotated away; or `interaction_required`: a policy now needs the user), or
    /// there is no refresh token. The user must sign in again.
    #[error("sign in again: the saved sign-in can no longer be renewed{}", .error.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())]
    SignInAgain {
        /// The server's error, if it sent one.
        error: Option<Box<OAuthErrorResponse>>,
    },
    /// The endpoint answered with a redirect, which is never followed (credentials must not reach
    /// another host). Status 0: the HTTP client followed it although it must not.
    #[error("{endpoint} answered HTTP {status} with a redirect{}; redirects are not followed", .location.as_ref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirected {
        /// The endpoint URL.
        endpoint: String,
        /// The 3xx status.
        status: u16,
        /// Where it pointed.
        location: Option<String>,
    },
    /// The endpoint is throttling (HTTP 429) or failing (5xx), whatever the body: e.g. Entra's
    /// `temporarily_unavailable` (AADSTS90033) with a `Retry-After`, or a gateway's HTML 503.
    /// Not the user's doing: try again later (after `retry_after`, when given).
    #[error("{endpoint} answered HTTP {status}{}{}", .retry_after.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default(), .error.as_ref().map(|e| format!(": {e}")).unwrap_or_default())]
    Unavailable {
        /// The endpoint URL.
        endpoint: String,
        /// 429, or 500 to 599.
        status: u16,
        /// The `Retry-After` delay, when the server sent one (in seconds).
        retry_after: Option<Duration>,
        /// The OAuth error in the body, if it held one; scrubbed of what the request sent.
        error: Option<Box<OAuthErrorResponse>>,
    },
    /// The endpoint answered with something that is not an OAuth reply (e.g. an HTML error page
    /// from a proxy).
    #[error("{endpoint} answered HTTP {status} with an unexpected {} reply", .content_type.as_deref().unwrap_or("untyped"))]
    UnexpectedResponse {
        /// The endpoint URL.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The `Content-Type` header.
        content_type: Option<String>,
        /// The raw body, scrubbed and cut to [`MAX_KEPT_BODY`] bytes.
        body: String,
    },
    /// A successful reply lacked a required field or had a wrong type. The body is not kept, since
    /// it may hold tokens.
    #[error("{endpoint} answered with a reply that could not be read at `{path}`: {problem}")]
    Decode {
        /// The endpoint URL.
        endpoint: String,
        /// Where in the JSON the problem is (`.` for the top level).
        path: String,
        /// What is wrong, without values: e.g. "missing field `access_token`", "wrong type".
        problem: String,
    },
    /// The sign-in page redirected back with an error, e.g. `access_denied` when the user
    /// cancelled, or `invalid_request` with an AADSTS description.
    #[error("the sign-in page reported {error}{}", .description.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Authorization {
        /// The `error` parameter.
        error: String,
        /// The `error_description` parameter.
        description: Option<String>,
    },
    /// The redirect (with the right `state`) named another issuer (`iss`, RFC 9207) than the
    /// configured authority: a possible mix-up attack. The sign-in was aborted.
    #[error("the sign-in redirect came from issuer {actual:?}, expected {expected:?}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The `iss` parameter received.
        actual: String,
    },
    /// Nobody completed the sign-in in time.
    #[error("no sign-in was completed within {} seconds", .0.as_secs())]
    TimedOut(Duration),
    /// The sign-in was cancelled through its cancellation token.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The device code expired before the user entered it (`expired_token`, or `expires_in`
    /// passed).
    #[error("the device code expired before the sign-in was completed; start again")]
    DeviceCodeExpired,
    /// The user declined the device code sign-in (`access_denied`, or Entra's
    /// `authorization_declined`).
    #[error("the sign-in was declined ({error})")]
    AccessDenied {
        /// The server's error.
        error: Box<OAuthErrorResponse>,
    },
}

impl AuthError {
    /// Whether the user has to sign in again (the saved sign-in cannot be renewed).
    pub fn is_sign_in_again(&self) -> bool {
        matches!(self, AuthError::SignInAgain { .. })
    }

    /// Whether a refresh was refused because the permission asked for needs the user first:
    /// not consented yet (`invalid_grant` with AADSTS65001, `consent_required`) or a policy
    /// wants an interactive sign-in (`interaction_required`). An interactive sign-in asking for
    /// that permission (incremental consent) cures it; a revoked or expired refresh token
    /// (other `invalid_grant`s) is not this.
    pub fn needs_consent(&self) -> bool {
        let e = match self {
            AuthError::SignInAgain { error: Some(e) } | AuthError::OAuth { error: e, .. } => e,
            _ => return false,
        };
        e.error == "interaction_required"
            || e.error == "consent_required"
            || e.error_codes.contains(&65001)
            || e.error_description
                .as_deref()
                .is_some_and(|d| d.starts_with("AADSTS65001"))
    }

    /// Whether the server is throttling (HTTP 429): wait `retry_after` and try again.
    pub fn is_throttled(&self) -> bool {
        matches!(self, AuthError::Unavailable { status: 429, .. })
    }

    /// The OAuth error the server sent, if any.
    pub fn oauth_error(&self) -> Option<&OAuthErrorResponse> {
        match self {
            AuthError::OAuth { error, .. } | AuthError::AccessDenied { error } => Some(error),
            AuthError::SignInAgain { error } | AuthError::Unavailable { error, .. } => {
                error.as_deref()
            }
            _ => None,
        }
    }
}

/// Maps what `oauth2` returns for a request to `endpoint` to an [`AuthError`]: the server's OAuth
/// error, our HTTP seam's error, or a reply that did not parse (reported by its JSON path and a
/// value-free problem; the body is dropped, since a successful reply holds tokens).
pub(crate) fn from_oauth2<TE>(
    endpoint: &str,
    error: oauth2::RequestTokenError<crate::transport::HttpError, TE>,
    server: impl FnOnce(TE) -> AuthError,
) -> AuthError
where
    TE: oauth2::ErrorResponse + 'static,
{
    use oauth2::RequestTokenError as E;
    match error {
        E::ServerResponse(error) => server(error),
        E::Request(error) => error.into_auth_error(endpoint),
        E::Parse(error, _body) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let message = inner.to_string();
            // serde_json's messages may quote the offending value (e.g. `invalid type: string
            // "…"`), which could be a token; only the value-free ones are kept.
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
                endpoint: endpoint.to_owned(),
                path,
                problem,
            }
        }
        E::Other(reason) => AuthError::Other {
            endpoint: endpoint.to_owned(),
            reason,
        },
    }
}

/// The plain mapping for our own error type: [`AuthError::OAuth`].
pub(crate) fn oauth_refusal(endpoint: &str) -> impl FnOnce(OAuthErrorResponse) -> AuthError + '_ {
    move |error| AuthError::OAuth {
        endpoint: endpoint.to_owned(),
        error: Box::new(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(error: &str, codes: &[u64], description: &str) -> AuthError {
        AuthError::SignInAgain {
            error: Some(Box::new(OAuthErrorResponse {
                error: error.to_string(),
                error_description: Some(description.to_string()),
                error_uri: None,
                error_codes: codes.to_vec(),
                trace_id: None,
                correlation_id: None,
            })),
        }
    }

    #[test]
    fn consent_is_told_apart_from_a_dead_sign_in() {
        let consent = refused(
            "invalid_grant",
            &[65001],
            "AADSTS65001: The user or administrator has not consented to use the application.",
        );
        assert!(consent.needs_consent());
        assert!(refused("interaction_required", &[50076], "AADSTS50076: MFA.").needs_consent());
        assert!(refused("consent_required", &[], "").needs_consent());
        let revoked = refused(
            "invalid_grant",
            &[50173],
            "AADSTS50173: The provided grant has expired due to it being revoked.",
        );
        assert!(
            !revoked.needs_consent(),
            "sign in again, not a consent question"
        );
        assert!(!AuthError::SignInAgain { error: None }.needs_consent());
        assert!(!AuthError::Cancelled.needs_consent());
        let AuthError::SignInAgain { error: Some(body) } = refused("consent_required", &[], "")
        else {
            unreachable!()
        };
        let other = AuthError::OAuth {
            endpoint: "https://login.example/token".into(),
            error: body,
        };
        assert!(other.needs_consent(), "whichever way the refusal came");
    }
}
