//! "Sign in with Microsoft" in the system browser: authorization code + PKCE (S256) with a loopback
//! redirect ([RFC 6749 §4.1], [RFC 7636], [RFC 8252]).
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

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore as _;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::authority::Authority;
use crate::client::PublicClient;
use crate::error::AuthError;
use crate::http::{self, FormPost, HttpClient};
use crate::loopback;
use crate::pkce::{PkceChallenge, PkceVerifier};
use crate::secret::{secret_type, AuthCode};
use crate::settings::{ClientId, Scopes};
use crate::token::{parse_token_reply, TokenSet};

/// How long [`AuthCodeFlow::finish`] waits for the browser by default.
pub const DEFAULT_BROWSER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// How the redirect URI names the loopback listener. The listener itself always binds
/// `127.0.0.1` only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RedirectStyle {
    /// `http://localhost:{port}`: what Entra expects for a redirect registered as
    /// `http://localhost` (Entra ignores the port of localhost redirect URIs), and what Visual
    /// Studio's client id has registered. The browser resolves `localhost`; browsers fall back
    /// from `::1` to `127.0.0.1`.
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

secret_type!(
    /// The CSRF `state` of one sign-in: 32 random bytes, compared in constant time.
    CsrfState
);

impl CsrfState {
    /// A fresh random state.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes)))
    }
}

/// The authorize URL (pure): `response_type=code`, `client_id`, `redirect_uri`, `scope`, `state`,
/// `code_challenge` + `code_challenge_method=S256`, and `prompt`/`login_hint` when set.
pub fn authorize_url(
    authority: &Authority,
    client_id: &ClientId,
    scopes: &Scopes,
    redirect_uri: &str,
    state: &CsrfState,
    challenge: &PkceChallenge,
    options: &BrowserOptions,
) -> Url {
    let mut url = authority.authorize_endpoint().clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("client_id", client_id.as_str())
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scopes.to_param())
            .append_pair("state", state.expose())
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", PkceChallenge::METHOD);
        if let Some(prompt) = &options.prompt {
            query.append_pair("prompt", prompt);
        }
        if let Some(login_hint) = &options.login_hint {
            query.append_pair("login_hint", login_hint);
        }
    }
    url
}

impl FormPost {
    /// The code redemption (RFC 6749 §4.1.3 + RFC 7636 §4.5): `grant_type=authorization_code`,
    /// `code` (secret), `redirect_uri`, `client_id`, `code_verifier` (secret). Takes the verifier
    /// by value: it is used once.
    pub fn authorization_code(
        authority: &Authority,
        client_id: &ClientId,
        code: &AuthCode,
        redirect_uri: &str,
        verifier: PkceVerifier,
    ) -> Self {
        FormPost::new(authority.token_endpoint().clone())
            .plain("grant_type", "authorization_code")
            .secret("code", code.expose())
            .plain("redirect_uri", redirect_uri)
            .plain("client_id", client_id.as_str())
            .secret("code_verifier", verifier.expose())
    }
}

/// A browser sign-in in progress: the loopback listener is open and waiting.
///
/// Cancel it with [`AuthCodeFlow::cancel_token`] (then `finish` returns [`AuthError::Cancelled`])
/// or by dropping the `finish` future (or the flow): either way the listening socket closes.
pub struct AuthCodeFlow {
    listener: TcpListener,
    authorize_url: Url,
    redirect_uri: String,
    state: CsrfState,
    verifier: PkceVerifier,
    authority: Authority,
    client_id: ClientId,
    http: HttpClient,
    timeout: Duration,
    cancel: CancellationToken,
}

impl AuthCodeFlow {
    /// Opens the loopback listener on `127.0.0.1` (random port) and prepares the authorize URL
    /// with a fresh PKCE verifier and state.
    pub async fn start(client: &PublicClient, options: BrowserOptions) -> Result<Self, AuthError> {
        let listener = loopback::bind().await?;
        let port = listener.local_addr().map_err(AuthError::Listener)?.port();
        let redirect_uri = options.redirect.redirect_uri(port);
        let state = CsrfState::generate();
        let verifier = PkceVerifier::generate();
        let authorize_url = authorize_url(
            &client.authority,
            &client.client_id,
            &client.scopes,
            &redirect_uri,
            &state,
            &verifier.challenge(),
            &options,
        );
        tracing::debug!(port, "sign-in listener open on 127.0.0.1");
        Ok(Self {
            listener,
            authorize_url,
            redirect_uri,
            state,
            verifier,
            authority: client.authority.clone(),
            client_id: client.client_id.clone(),
            http: client.http.clone(),
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

    /// The port the listener is bound to on `127.0.0.1`.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// A handle that cancels this sign-in from elsewhere (e.g. a "Cancel" button).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Waits for the browser's redirect (up to the timeout), closes the listener, then redeems the
    /// code with the PKCE verifier.
    ///
    /// Errors: [`AuthError::TimedOut`], [`AuthError::Cancelled`], [`AuthError::StateMismatch`],
    /// [`AuthError::Authorization`] (the server redirected with `error=`), or the token
    /// endpoint's errors.
    pub async fn finish(self) -> Result<TokenSet, AuthError> {
        let Self {
            listener,
            redirect_uri,
            state,
            verifier,
            authority,
            client_id,
            http,
            timeout,
            cancel,
            ..
        } = self;
        let code = loopback::wait_for_code(
            listener,
            state.expose(),
            authority.issuer(),
            timeout,
            &cancel,
        )
        .await?;
        tracing::debug!("authorization code received; redeeming it");
        let post =
            FormPost::authorization_code(&authority, &client_id, &code, &redirect_uri, verifier);
        let now = SystemTime::now();
        tokio::select! {
            () = cancel.cancelled() => Err(AuthError::Cancelled),
            reply = http::send(&http, &post) => parse_token_reply(&post, &reply?, now),
        }
    }
}

impl std::fmt::Debug for AuthCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthCodeFlow")
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &self.state)
            .field("verifier", &self.verifier)
            .field("authority", &self.authority)
            .field("client_id", &self.client_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
