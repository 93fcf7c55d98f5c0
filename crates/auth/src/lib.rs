//! Sign-in for ADO Connect: Microsoft Entra ID OAuth 2.0 for Azure DevOps.
//!
//! - **Browser** ([`AuthCodeFlow`]): authorization code + PKCE (S256) in the system browser, with a
//!   loopback redirect listener on `127.0.0.1`. MFA and conditional access work because it is the
//!   user's real browser.
//! - **Device code** ([`DeviceCodeFlow`]): a code to type at a URL, where no browser can open.
//! - **Service principal** ([`ServicePrincipal`]): client credentials with a client secret.
//! - **Refresh** ([`PublicClient::refresh`]), with refresh token rotation; a refused refresh is
//!   [`AuthError::SignInAgain`].
//! - **Tenant discovery**, pure part: [`tenant_from_headers`].
//!
//! What it does not do: open the browser (the app does), store tokens (the flows crate puts them
//! in the OS keyring), schedule refreshes, or talk to Azure DevOps itself.
//!
//! # House rules
//! - Requests are values ([`FormPost`]), replies are read by pure functions
//!   ([`parse_token_reply`], [`parse_refresh_reply`], [`parse_device_poll`], …); the network call
//!   sits on one line between them. Pure functions take `now`; they never read the clock.
//! - The HTTP client never follows redirects ([`HttpClient`]), so credentials never reach another
//!   host; endpoints must be `https` except on loopback.
//! - Secrets are [`secrecy`] values; the `Debug` of every token, code, verifier, state and secret
//!   prints `[redacted]`, and no error carries one (error bodies are scrubbed of what the request
//!   sent). Nothing here logs a secret or puts one in a URL or argv: the authorize URL carries only
//!   the state and the PKCE *challenge*.
//! - The legacy Azure DevOps OAuth service (`app.vssps.visualstudio.com`) is deprecated and not
//!   supported.
//!
//! # Terminology
//! - **Authority**: the sign-in server and its endpoints, e.g.
//!   `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/…`.
//! - **Tenant**: the Entra directory that backs an Azure DevOps organization (a GUID).
//! - **Client id**: the application registered in Entra that asks for tokens.
//! - **Scope**: what the token may do; `499b84ac-1321-427f-aa17-267ca6975798/.default` is "all
//!   Azure DevOps permissions consented for this app", `offline_access` asks for a refresh token.
//! - **PKCE verifier / challenge**: a one-time secret and its hash binding the code to this app.
//! - **State**: a one-time random value binding the redirect to the sign-in that started it.

#![deny(missing_docs)]

mod auth_code;
mod authority;
mod client;
mod device_code;
mod error;
mod http;
mod loopback;
mod pkce;
mod secret;
mod settings;
mod tenant;
mod token;

pub use auth_code::{
    authorize_url, AuthCodeFlow, BrowserOptions, CsrfState, RedirectStyle, DEFAULT_BROWSER_TIMEOUT,
};
pub use authority::{Authority, ENTRA_LOGIN_HOST};
pub use client::{PublicClient, ServicePrincipal};
pub use device_code::{
    parse_device_authorization, parse_device_poll, DeviceAuthorization, DeviceCodeFlow,
    PollOutcome, DEFAULT_INTERVAL, SLOW_DOWN_STEP,
};
pub use error::{AuthError, ConfigError, OAuthErrorResponse, MAX_KEPT_BODY};
pub use http::{FormPost, HttpClient, HttpReply};
pub use pkce::{PkceChallenge, PkceVerifier};
pub use secret::{AuthCode, DeviceCode};
pub use settings::{
    AuthoritySetting, ClientId, Scopes, SignInSettings, AZURE_DEVOPS_RESOURCE, ENV_AUTHORITY,
    ENV_CLIENT_ID, VISUAL_STUDIO_CLIENT_ID,
};
pub use tenant::{tenant_from_headers, TenantHint};
pub use token::{parse_refresh_reply, parse_token_reply, TokenSet};
pub use tokio_util::sync::CancellationToken;
