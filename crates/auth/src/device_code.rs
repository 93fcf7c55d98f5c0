//! Device code sign-in ([RFC 8628]), for where no browser can be opened on this machine: the user
//! opens `verification_uri` anywhere and types `user_code`, while the app polls the token endpoint.
//! `oauth2` does the protocol (the request, the polling with `authorization_pending`, `slow_down`
//! and expiry); this module adds cancellation, a first wait before the first poll, and Entra's
//! error names (`authorization_declined`, `code_expired`).
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
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use oauth2::{AsyncHttpClient, DeviceCodeErrorResponse, HttpRequest, HttpResponse};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::client::{scope_list, PublicClient};
use crate::error::{from_oauth2, oauth_refusal, AuthError, ConfigError, OAuthErrorResponse};
use crate::token::TokenSet;
use crate::transport::{HttpClient, HttpError};

/// What `slow_down` adds to the interval (RFC 8628 §3.5; `oauth2` applies it).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Consecutive network failures tolerated while polling before giving up.
const MAX_TRANSPORT_FAILURES: u32 = 3;

/// The HTTP client for polling. `oauth2` retries every failed poll until the code expires; this
/// wrapper (ours, because `oauth2` has no hook for it) ends the polling on a redirect, a 429, a
/// 5xx or a non-OAuth reply at once, and on the fourth network failure in a row, so a proxy's error page
/// or a dead network does not leave the user waiting for the whole `expires_in`.
struct PollingClient<'a> {
    http: &'a HttpClient,
    failures: Mutex<u32>,
    fatal: Mutex<Option<HttpError>>,
    stop: tokio::sync::Notify,
}

impl PollingClient<'_> {
    async fn poll(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let result = self.http.call(request).await;
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(reply) => {
                *failures = 0;
                Ok(reply)
            }
            Err(HttpError::Transport(error)) if *failures < MAX_TRANSPORT_FAILURES => {
                *failures += 1;
                Err(HttpError::Transport(error))
            }
            Err(error) => {
                *self.fatal.lock().unwrap_or_else(|e| e.into_inner()) = Some(error);
                self.stop.notify_one();
                // What oauth2 sees; the error kept in `fatal` is the one reported.
                Err(HttpError::Redirected {
                    status: 0,
                    location: None,
                })
            }
        }
    }
}

impl<'c> AsyncHttpClient<'c> for PollingClient<'_> {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.poll(request))
    }
}

/// What to show the user (RFC 8628 §3.2). The `device_code` itself stays inside.
#[non_exhaustive]
#[derive(Debug)]
pub struct DeviceAuthorization {
    /// The code the user types, e.g. `ABCD-EFGH`.
    pub user_code: String,
    /// Where the user types it, e.g. `https://microsoft.com/devicelogin`.
    pub verification_uri: Url,
    /// How long the code is valid.
    pub expires_in: Duration,
    /// How long to wait between polls (5 s when the server names none).
    pub interval: Duration,
    /// Entra's ready-made instruction ("To sign in, use a web browser to open …").
    pub message: Option<String>,
}

/// Entra's extra field on the device authorization reply.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct EntraDeviceFields {
    message: Option<String>,
}
impl oauth2::ExtraDeviceAuthorizationFields for EntraDeviceFields {}

/// A device code sign-in in progress: the code is issued, the user has to enter it.
pub struct DeviceCodeFlow {
    client: PublicClient,
    reply: oauth2::DeviceAuthorizationResponse<EntraDeviceFields>,
    authorization: DeviceAuthorization,
    cancel: CancellationToken,
}

impl DeviceCodeFlow {
    /// Asks the device authorization endpoint for a code.
    pub async fn start(client: &PublicClient) -> Result<Self, AuthError> {
        let endpoint = client
            .authority
            .device_code_endpoint()
            .ok_or(ConfigError::NoDeviceCodeEndpoint)?
            .to_string();
        let reply: oauth2::DeviceAuthorizationResponse<EntraDeviceFields> = client
            .oauth()
            .exchange_device_code()
            .map_err(|_| ConfigError::NoDeviceCodeEndpoint)?
            .add_scopes(scope_list(&client.scopes))
            .request_async(&client.http)
            .await
            .map_err(|e| from_oauth2(&endpoint, e, oauth_refusal(&endpoint)))?;
        if reply.device_code().secret().is_empty() || reply.user_code().secret().is_empty() {
            return Err(AuthError::Decode {
                endpoint,
                path: "device_code".into(),
                problem: "empty code".into(),
            });
        }
        let authorization = DeviceAuthorization {
            user_code: reply.user_code().secret().clone(),
            verification_uri: reply.verification_uri().url().clone(),
            expires_in: reply.expires_in(),
            interval: reply.interval().max(Duration::from_secs(1)),
            message: reply.extra_fields().message.clone(),
        };
        Ok(Self {
            client: client.clone(),
            reply,
            authorization,
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
    ///
    /// The first poll comes after one interval (the user cannot have finished sooner); after
    /// that `oauth2` polls, waits `interval` (plus [`SLOW_DOWN_STEP`] per `slow_down`), and stops
    /// at `expires_in`. Up to three network failures in a row are retried (with a growing wait);
    /// a redirect, a 429, a 5xx or a reply that is not OAuth ends the polling with its error
    /// ([`AuthError::Unavailable`] carries the 429's `Retry-After`).
    pub async fn finish_with_sleep<S, F>(self, sleep: S) -> Result<TokenSet, AuthError>
    where
        S: Fn(Duration) -> F,
        F: Future<Output = ()>,
    {
        let endpoint = self.client.authority.token_endpoint().to_string();
        let first = self.authorization.interval;
        tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Err(AuthError::Cancelled),
            () = sleep(first) => {}
        }
        // oauth2 reads the time through `time_fn`; ours advances by what was waited.
        let start = chrono::Utc::now();
        let waited = Arc::new(Mutex::new(first));
        let clock = waited.clone();
        let record = |interval: Duration| {
            *waited.lock().unwrap_or_else(|e| e.into_inner()) += interval;
            sleep(interval)
        };
        let oauth = self.client.oauth();
        let sent = SystemTime::now();
        let http = PollingClient {
            http: &self.client.http,
            failures: Mutex::new(0),
            fatal: Mutex::new(None),
            stop: tokio::sync::Notify::new(),
        };
        let polling = oauth
            .exchange_device_access_token(&self.reply)
            .set_time_fn(move || {
                let waited = *clock.lock().unwrap_or_else(|e| e.into_inner());
                start + chrono::Duration::from_std(waited).unwrap_or_default()
            })
            .request_async(
                &http,
                record,
                Some(self.authorization.expires_in.saturating_sub(first)),
            );
        let result = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Err(AuthError::Cancelled),
            () = http.stop.notified() => {
                let fatal = http.fatal.lock().unwrap_or_else(|e| e.into_inner()).take();
                return Err(fatal
                    .map(|e| e.into_auth_error(&endpoint))
                    .unwrap_or(AuthError::Cancelled));
            }
            result = polling => result,
        };
        if let Some(fatal) = http.fatal.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(fatal.into_auth_error(&endpoint));
        }
        match result {
            Ok(reply) => TokenSet::from_reply(reply, sent, &endpoint),
            Err(error) => Err(from_oauth2(&endpoint, error, poll_refusal(&endpoint))),
        }
    }
}

/// Entra's and RFC 8628's terminal poll errors: expired → [`AuthError::DeviceCodeExpired`];
/// `access_denied` and Entra's `authorization_declined` → [`AuthError::AccessDenied`].
fn poll_refusal(endpoint: &str) -> impl FnOnce(DeviceCodeErrorResponse) -> AuthError + '_ {
    move |error| {
        let code = error.error().as_ref();
        let response = OAuthErrorResponse::new(code, error.error_description(), error.error_uri());
        match code {
            "expired_token" | "code_expired" => AuthError::DeviceCodeExpired,
            "access_denied" | "authorization_declined" => AuthError::AccessDenied {
                error: Box::new(response),
            },
            _ => oauth_refusal(endpoint)(response),
        }
    }
}

impl std::fmt::Debug for DeviceCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeFlow")
            .field("authorization", &self.authorization)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}
