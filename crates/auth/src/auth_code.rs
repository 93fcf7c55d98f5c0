//! "Sign in with Microsoft" in the system browser: authorization code + PKCE (S256) with a loopback
//! redirect ([RFC 6749 §4.1], [RFC 7636], [RFC 8252]). `oauth2` makes the state, the PKCE pair
//! and the authorize URL and redeems the code; the listener is ours ([`crate::loopback`]).
//!
//! ```no_run
//! # async fn demo(client: ado_auth::PublicClient) -> Result<(), ado_auth::AuthError> {
//! use ado_auth::{AuthCodeFlow, BrowserOptions};
//! let flow = AuthCodeFlow::start(&client, BrowserOptions::default()).await?;
//! let url = flow.authorize_url().clone(); // the app opens this in the system browser
//! let cancel = flow.cancel_token();       // keep it to offer a "Cancel" button
//! let tokens = flow.finish().await?;      // waits for the redirect, then redeems the code
//! # drop((url, cancel, tokens)); Ok(()) }
//! ```
//!
//! [RFC 6749 §4.1]: https://www.rfc-editor.org/rfc/rfc6749#section-4.1
//! [RFC 7636]: https://www.rfc-editor.org/rfc/rfc7636
//! [RFC 8252]: https://www.rfc-editor.org/rfc/rfc8252

use std::time::Duration;

use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::authority::Authority;
use crate::client::{oauth_client, redirect_url, scope_list, PublicClient};
use crate::error::{AuthError, ConfigError};
use crate::loopback::{self, Listener};
use crate::settings::{ClientId, Scopes};
use crate::token::TokenSet;

/// How long [`AuthCodeFlow::finish`] waits for the browser by default.
pub const DEFAULT_BROWSER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How the redirect URI names the loopback listener. The listener binds `127.0.0.1` and `[::1]`
/// on the same port either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RedirectStyle {
    /// `http://localhost:{port}`: what Entra expects for a redirect registered as
    /// `http://localhost` (Entra ignores the port of localhost redirect URIs), and what Visual
    /// Studio's client id has registered. The browser resolves `localhost`, often to `::1`
    /// first, which is why the listener holds `[::1]:{port}` too.
    #[default]
    Localhost,
    /// `http://127.0.0.1:{port}/`: RFC 8252 §7.3's recommendation, for servers that match
    /// loopback redirects by IP literal (register `http://127.0.0.1/`).
    Loopback,
}

impl RedirectStyle {
    /// The redirect URI for a listener on `port`, exactly as sent in both requests.
    pub fn redirect_uri(self, port: u16) -> String {
        match self {
            RedirectStyle::Localhost => format!("http://localhost:{port}"),
            RedirectStyle::Loopback => format!("http://127.0.0.1:{port}/"),
        }
    }
}

/// Options of a browser sign-in.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BrowserOptions {
    /// How the redirect URI is written.
    pub redirect: RedirectStyle,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
    /// OpenID Connect `prompt`: `select_account` (pick among signed-in accounts), `login`,
    /// `consent`. `None` lets single sign-on pick the account.
    pub prompt: Option<String>,
    /// `login_hint`: pre-fills the account name.
    pub login_hint: Option<String>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            redirect: RedirectStyle::Localhost,
            timeout: DEFAULT_BROWSER_TIMEOUT,
            prompt: None,
            login_hint: None,
        }
    }
}

impl BrowserOptions {
    /// These options with another redirect style.
    pub fn with_redirect(mut self, redirect: RedirectStyle) -> Self {
        self.redirect = redirect;
        self
    }

    /// These options with another timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// These options with a `prompt`.
    pub fn with_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// These options with a `login_hint`.
    pub fn with_login_hint(mut self, login_hint: impl Into<String>) -> Self {
        self.login_hint = Some(login_hint.into());
        self
    }
}

/// The authorize URL (pure, built by `oauth2`): `response_type=code`, `client_id`,
/// `redirect_uri`, `scope`, `state`, `code_challenge` + `code_challenge_method=S256`, and
/// `prompt`/`login_hint` when set. The verifier never goes into it.
pub fn authorize_url(
    authority: &Authority,
    client_id: &ClientId,
    scopes: &Scopes,
    redirect_uri: &str,
    state: &CsrfToken,
    challenge: &PkceCodeChallenge,
    options: &BrowserOptions,
) -> Result<Url, ConfigError> {
    let client = oauth_client(authority, client_id).set_redirect_uri(redirect_url(redirect_uri)?);
    let mut request = client
        .authorize_url(|| state.clone())
        .add_scopes(scope_list(scopes))
        .set_pkce_challenge(challenge.clone());
    if let Some(prompt) = &options.prompt {
        request = request.add_extra_param("prompt", prompt);
    }
    if let Some(login_hint) = &options.login_hint {
        request = request.add_extra_param("login_hint", login_hint);
    }
    Ok(request.url().0)
}

/// A fresh CSRF `state`: 32 random bytes, base64url (43 characters).
pub fn new_state() -> CsrfToken {
    CsrfToken::new_random_len(32)
}

/// A browser sign-in in progress: the loopback listener is open and waiting.
///
/// Cancel it with [`AuthCodeFlow::cancel_token`] (then `finish` returns [`AuthError::Cancelled`])
/// or by dropping the `finish` future (or the flow): either way the listening socket closes.
pub struct AuthCodeFlow {
    listener: Listener,
    authorize_url: Url,
    redirect_uri: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    client: PublicClient,
    timeout: Duration,
    cancel: CancellationToken,
}

impl AuthCodeFlow {
    /// Opens the loopback listener on `127.0.0.1` and `[::1]` (one random port) and prepares the
    /// authorize URL with a fresh PKCE verifier (S256) and state.
    pub async fn start(client: &PublicClient, options: BrowserOptions) -> Result<Self, AuthError> {
        let listener = loopback::bind().await?;
        let port = listener.port();
        let redirect_uri = options.redirect.redirect_uri(port);
        let state = new_state();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let authorize_url = authorize_url(
            &client.authority,
            &client.client_id,
            &client.scopes,
            &redirect_uri,
            &state,
            &challenge,
            &options,
        )?;
        tracing::debug!(port, ipv6 = listener.has_ipv6(), "sign-in listener open");
        Ok(Self {
            listener,
            authorize_url,
            redirect_uri,
            state,
            verifier,
            client: client.clone(),
            timeout: options.timeout,
            cancel: CancellationToken::new(),
        })
    }

    /// The URL to open in the system browser. It carries the state and the PKCE challenge, never
    /// the verifier.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The redirect URI, e.g. `http://localhost:53124`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.listener.port()
    }

    /// Whether the listener holds `[::1]:{port}` too (false only where the machine has no IPv6
    /// loopback).
    pub fn listens_on_ipv6(&self) -> bool {
        self.listener.has_ipv6()
    }

    /// A handle that cancels this sign-in from elsewhere (e.g. a "Cancel" button).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits for the browser's redirect (up to the timeout), closes the listener, redeems the
    /// code with the PKCE verifier, and only then answers the browser: "Signed in" or "Sign-in
    /// failed".
    ///
    /// Errors: [`AuthError::TimedOut`], [`AuthError::Cancelled`], [`AuthError::Authorization`]
    /// (the server redirected with `error=` and our `state`), [`AuthError::IssuerMismatch`], or
    /// the token endpoint's errors. Requests without our `state` do not end the wait.
    pub async fn finish(self) -> Result<TokenSet, AuthError> {
        let Self {
            listener,
            redirect_uri,
            state,
            verifier,
            client,
            timeout,
            cancel,
            ..
        } = self;
        let redirect = loopback::wait_for_code(
            listener,
            &state,
            client.authority.issuer(),
            timeout,
            &cancel,
        )
        .await?;
        tracing::debug!("authorization code received; redeeming it");
        let result = tokio::select! {
            () = cancel.cancelled() => Err(AuthError::Cancelled),
            result = client.exchange_code(redirect.code, &redirect_uri, verifier) => result,
        };
        loopback::answer(redirect.browser, &result).await;
        result
    }
}

impl std::fmt::Debug for AuthCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCodeFlow")
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &self.state)
            .field("verifier", &self.verifier)
            .field("client", &self.client)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
