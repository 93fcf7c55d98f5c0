//! Device code sign-in ([RFC 8628]), for where no browser can be opened on this machine: the user
//! opens `verification_uri` anywhere and types `user_code`, while the app polls the token endpoint.
//!
//! ```no_run
//! # async fn demo(client: ado_auth::PublicClient) -> Result<(), ado_auth::AuthError> {
//! let flow = ado_auth::DeviceCodeFlow::start(&client).await?;
//! let shown = flow.authorization();
//! println!("Open {} and enter {}", shown.verification_uri, shown.user_code);
//! let tokens = flow.finish().await?; // polls every `interval` until done, declined or expired
//! # drop(tokens); Ok(()) }
//! ```
//!
//! [RFC 8628]: https://www.rfc-editor.org/rfc/rfc8628

use std::future::Future;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::authority::Authority;
use crate::client::PublicClient;
use crate::error::{AuthError, ConfigError};
use crate::http::{self, classify, decode, FormPost, HttpClient, HttpReply, Reply};
use crate::secret::DeviceCode;
use crate::settings::{ClientId, Scopes};
use crate::token::{token_set, TokenSet};

/// The polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Consecutive network failures tolerated while polling before giving up.
const MAX_TRANSPORT_FAILURES: u32 = 3;

/// What to show the user (RFC 8628 §3.2). The `device_code` itself stays inside.
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The code the user types, e.g. `ABCD-EFGH`.
    pub user_code: String,
    /// Where the user types it, e.g. `https://microsoft.com/devicelogin`. Entra's v1 endpoint
    /// called it `verification_url`; both are read.
    pub verification_uri: Url,
    /// A URL that already carries the code (not sent by Entra).
    pub verification_uri_complete: Option<Url>,
    /// How long the code is valid.
    pub expires_in: Duration,
    /// How long to wait between polls.
    pub interval: Duration,
    /// Entra's ready-made instruction ("To sign in, use a web browser to open …").
    pub message: Option<String>,
    device_code: DeviceCode,
}

impl std::fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri.as_str())
            .field(
                "verification_uri_complete",
                &self.verification_uri_complete.as_ref().map(Url::as_str),
            )
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .field("message", &self.message)
            .field("device_code", &self.device_code)
            .finish()
    }
}

#[derive(serde::Deserialize)]
struct DeviceAuthorizationWire {
    device_code: SecretString,
    user_code: String,
    #[serde(alias = "verification_url")]
    verification_uri: String,
    verification_uri_complete: Option<String>,
    #[serde(deserialize_with = "http::seconds")]
    expires_in: Option<u64>,
    #[serde(default, deserialize_with = "http::seconds")]
    interval: Option<u64>,
    message: Option<String>,
}

impl FormPost {
    /// The device authorization request (RFC 8628 §3.1): `client_id` and `scope`.
    pub fn device_authorization(
        authority: &Authority,
        client_id: &ClientId,
        scopes: &Scopes,
    ) -> Result<Self, ConfigError> {
        let endpoint = authority
            .device_code_endpoint()
            .ok_or(ConfigError::NoDeviceCodeEndpoint)?;
        Ok(FormPost::new(endpoint.clone())
            .plain("client_id", client_id.as_str())
            .plain("scope", scopes.to_param()))
    }

    /// One poll of the token endpoint (RFC 8628 §3.4):
    /// `grant_type=urn:ietf:params:oauth:grant-type:device_code`, `device_code` (secret),
    /// `client_id`.
    pub fn device_token(
        authority: &Authority,
        client_id: &ClientId,
        authorization: &DeviceAuthorization,
    ) -> Self {
        FormPost::new(authority.token_endpoint().clone())
            .plain("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
            .secret("device_code", authorization.device_code.expose())
            .plain("client_id", client_id.as_str())
    }
}

/// Reads the device authorization reply. Pure.
pub fn parse_device_authorization(
    post: &FormPost,
    reply: &HttpReply,
) -> Result<DeviceAuthorization, AuthError> {
    let body = match classify(post, reply)? {
        Reply::Success(body) => body,
        Reply::OAuthError(error) => return Err(http::oauth_error(post, reply, error)),
    };
    let wire: DeviceAuthorizationWire = decode(post, reply.status, body)?;
    let problem = |path: &str, problem: &str| AuthError::Decode {
        endpoint: post.endpoint(),
        status: reply.status,
        path: path.to_owned(),
        problem: problem.to_owned(),
    };
    let url =
        |path: &str, text: &str| Url::parse(text).map_err(|_| problem(path, "not an absolute URL"));
    if wire.device_code.expose_secret().is_empty() || wire.user_code.is_empty() {
        return Err(problem("device_code", "empty code"));
    }
    Ok(DeviceAuthorization {
        verification_uri: url("verification_uri", &wire.verification_uri)?,
        verification_uri_complete: wire
            .verification_uri_complete
            .as_deref()
            .map(|u| url("verification_uri_complete", u))
            .transpose()?,
        expires_in: Duration::from_secs(
            wire.expires_in
                .ok_or_else(|| problem("expires_in", "missing"))?,
        ),
        interval: wire
            .interval
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_INTERVAL),
        message: wire.message,
        user_code: wire.user_code,
        device_code: DeviceCode::new(wire.device_code),
    })
}

/// What one poll found.
#[derive(Debug)]
pub enum PollOutcome {
    /// The user finished: the tokens.
    Done(TokenSet),
    /// `authorization_pending`: poll again after the interval.
    Pending,
    /// `slow_down`: add [`SLOW_DOWN_STEP`] to the interval, then poll again.
    SlowDown,
}

/// Reads one poll's reply. Pure: `now` is when the poll was sent.
///
/// `expired_token` → [`AuthError::DeviceCodeExpired`]; `access_denied` and Entra's
/// `authorization_declined` → [`AuthError::AccessDenied`]; any other error →
/// [`AuthError::OAuth`].
pub fn parse_device_poll(
    post: &FormPost,
    reply: &HttpReply,
    now: SystemTime,
) -> Result<PollOutcome, AuthError> {
    match classify(post, reply)? {
        Reply::Success(body) => Ok(PollOutcome::Done(token_set(post, reply.status, body, now)?)),
        Reply::OAuthError(error) => match error.error.as_str() {
            "authorization_pending" => Ok(PollOutcome::Pending),
            "slow_down" => Ok(PollOutcome::SlowDown),
            "expired_token" | "code_expired" => Err(AuthError::DeviceCodeExpired),
            "access_denied" | "authorization_declined" => Err(AuthError::AccessDenied {
                error: Box::new(error),
            }),
            _ => Err(http::oauth_error(post, reply, error)),
        },
    }
}

/// A device code sign-in in progress: the code is issued, the user has to enter it.
pub struct DeviceCodeFlow {
    authorization: DeviceAuthorization,
    authority: Authority,
    client_id: ClientId,
    http: HttpClient,
    cancel: CancellationToken,
}

impl DeviceCodeFlow {
    /// Asks the device authorization endpoint for a code.
    pub async fn start(client: &PublicClient) -> Result<Self, AuthError> {
        let post =
            FormPost::device_authorization(&client.authority, &client.client_id, &client.scopes)?;
        let authorization =
            parse_device_authorization(&post, &http::send(&client.http, &post).await?)?;
        Ok(Self {
            authorization,
            authority: client.authority.clone(),
            client_id: client.client_id.clone(),
            http: client.http.clone(),
            cancel: CancellationToken::new(),
        })
    }

    /// What to show: `user_code`, `verification_uri`, `message`, `expires_in`.
    pub fn authorization(&self) -> &DeviceAuthorization {
        &self.authorization
    }

    /// A handle that cancels the polling from elsewhere.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Polls until the user finishes, declines, or the code expires (or cancellation).
    pub async fn finish(self) -> Result<TokenSet, AuthError> {
        self.finish_with_sleep(tokio::time::sleep).await
    }

    /// [`DeviceCodeFlow::finish`] with the wait between polls supplied by the caller (tests pass
    /// one that records the intervals and returns at once). Expiry is measured as the sum of
    /// the intervals waited, which never exceeds the real time elapsed.
    pub async fn finish_with_sleep<S, F>(self, sleep: S) -> Result<TokenSet, AuthError>
    where
        S: Fn(Duration) -> F,
        F: Future<Output = ()>,
    {
        let post = FormPost::device_token(&self.authority, &self.client_id, &self.authorization);
        let mut interval = self.authorization.interval;
        let mut waited = Duration::ZERO;
        let mut transport_failures = 0;
        loop {
            tokio::select! {
                () = self.cancel.cancelled() => return Err(AuthError::Cancelled),
                () = sleep(interval) => {}
            }
            waited += interval;
            let now = SystemTime::now();
            let reply = tokio::select! {
                () = self.cancel.cancelled() => return Err(AuthError::Cancelled),
                reply = http::send(&self.http, &post) => reply,
            };
            let reply = match reply {
                Ok(reply) => reply,
                Err(AuthError::Transport { .. }) if transport_failures < MAX_TRANSPORT_FAILURES => {
                    transport_failures += 1;
                    continue;
                }
                Err(error) => return Err(error),
            };
            transport_failures = 0;
            match parse_device_poll(&post, &reply, now)? {
                PollOutcome::Done(tokens) => return Ok(tokens),
                PollOutcome::Pending => {}
                PollOutcome::SlowDown => interval += SLOW_DOWN_STEP,
            }
            if waited >= self.authorization.expires_in {
                return Err(AuthError::DeviceCodeExpired);
            }
        }
    }
}

impl std::fmt::Debug for DeviceCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeFlow")
            .field("authorization", &self.authorization)
            .field("authority", &self.authority)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}
