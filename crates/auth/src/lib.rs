//! Sign-in for ADO Connect: Microsoft Entra ID OAuth 2.0 for Azure DevOps.
//!
//! - **Browser** ([`AuthCodeFlow`]): authorization code + PKCE (S256) in the system browser, with a
//!   loopback redirect listener on `127.0.0.1` and `[::1]`. MFA and conditional access work
//!   because it is the user's real browser.
//! - **Device code** ([`DeviceCodeFlow`]): a code to type at a URL, where no browser can open.
//! - **Service principal** ([`ServicePrincipal`]): client credentials with a client secret.
//! - **Refresh** ([`PublicClient::refresh`]), with refresh token rotation; a refused refresh is
//!   [`AuthError::SignInAgain`].
//! - **Tenant discovery**, pure part: [`tenant_from_headers`].
//!
//! The OAuth 2.0 protocol itself (state, PKCE, the authorize URL, the code exchange, device
//! polling, client credentials, refresh, token replies) is the [`oauth2`] crate's. What is ours is
//! what is Entra's or the app's: the Entra authority and scopes, tenant discovery and the
//! Microsoft-account rule, the loopback listener, Entra's error fields and their mapping to
//! [`AuthError`], and the HTTP seam ([`HttpClient`]).
//!
//! What it does not do: open the browser (the app does), store tokens (the flows crate puts them
//! in the OS keyring), schedule refreshes, or talk to Azure DevOps itself.
//!
//! # House rules
//! - Every request goes through [`HttpClient`]: the app's configured `reqwest::Client` (proxy,
//!   trusted CA, timeouts; `ado_client::http_client`), which never follows a redirect, so
//!   credentials never reach another host; endpoints must be `https` except on loopback.
//! - Secrets are secret types (`oauth2`'s, whose `Debug` is redacted and whose comparison is
//!   constant-time, and [`secrecy`] in [`TokenSet`]); no error carries one (error replies are
//!   scrubbed of what the request sent, and the body of a successful reply that fails to parse is
//!   dropped). Nothing here logs a secret or puts one in a URL or argv: the authorize URL carries
//!   only the state and the PKCE *challenge*.
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
mod loopback;
mod settings;
mod tenant;
mod token;
mod transport;

pub use auth_code::{
    authorize_url, new_state, AuthCodeFlow, BrowserOptions, RedirectStyle, DEFAULT_BROWSER_TIMEOUT,
};
pub use authority::{Authority, ENTRA_LOGIN_HOST};
pub use client::{PublicClient, ServicePrincipal};
pub use device_code::{DeviceAuthorization, DeviceCodeFlow, SLOW_DOWN_STEP};
pub use error::{AuthError, ConfigError, OAuthErrorResponse, MAX_KEPT_BODY};
pub use loopback::parse_request_head;
pub use oauth2::http;
pub use oauth2::{
    AuthorizationCode, CsrfToken, HttpRequest, HttpResponse, PkceCodeChallenge, PkceCodeVerifier,
};
pub use settings::{
    AuthoritySetting, ClientId, Scopes, SignInSettings, AZURE_DEVOPS_RESOURCE, ENV_AUTHORITY,
    ENV_CLIENT_ID, VISUAL_STUDIO_CLIENT_ID,
};
pub use tenant::{tenant_from_headers, TenantHint};
pub use token::TokenSet;
pub use tokio_util::sync::CancellationToken;
pub use transport::{HttpClient, HttpError};
