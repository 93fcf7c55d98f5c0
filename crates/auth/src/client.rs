//! The two kinds of client: [`PublicClient`] (the desktop app signing a user in; no secret) and
//! [`ServicePrincipal`] (a headless identity with a client secret: client credentials,
//! [RFC 6749 §4.4]).
//!
//! [RFC 6749 §4.4]: https://www.rfc-editor.org/rfc/rfc6749#section-4.4

use std::time::SystemTime;

use secrecy::{ExposeSecret as _, SecretString};

use crate::authority::Authority;
use crate::error::AuthError;
use crate::http::{self, FormPost, HttpClient};
use crate::secret::Redacted;
use crate::settings::{ClientId, Scopes};
use crate::token::{parse_refresh_reply, parse_token_reply, TokenSet};

/// A public client: the app signs a user in through the browser ([`AuthCodeFlow`]) or a device code
/// ([`DeviceCodeFlow`]), and refreshes the result.
///
/// [`AuthCodeFlow`]: crate::AuthCodeFlow
/// [`DeviceCodeFlow`]: crate::DeviceCodeFlow
#[derive(Clone, Debug)]
pub struct PublicClient {
    /// Where to sign in.
    pub authority: Authority,
    /// The application.
    pub client_id: ClientId,
    /// What to ask for (e.g. [`Scopes::azure_devops`]).
    pub scopes: Scopes,
    pub(crate) http: HttpClient,
}

impl PublicClient {
    /// A public client using `http` for its token requests.
    pub fn new(
        authority: Authority,
        client_id: ClientId,
        scopes: Scopes,
        http: HttpClient,
    ) -> Self {
        Self {
            authority,
            client_id,
            scopes,
            http,
        }
    }

    /// Exchanges the refresh token for new tokens (rotation kept: see [`parse_refresh_reply`]).
    ///
    /// Errors with [`AuthError::SignInAgain`] when the refresh token is missing, expired, revoked
    /// or already used; the caller then deletes the stored tokens and asks the user to sign in.
    pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, AuthError> {
        let post = FormPost::refresh(&self.authority, &self.client_id, &self.scopes, tokens)?;
        let now = SystemTime::now();
        parse_refresh_reply(&post, &http::send(&self.http, &post).await?, tokens, now)
    }
}

/// A service principal: an Entra app registration with a client secret, added as a user to the
/// Azure DevOps organization. Gets tokens by client credentials; there is no refresh token, so
/// call [`ServicePrincipal::acquire_token`] again when [`TokenSet::needs_refresh`] says so.
///
/// `Debug` prints the secret as `[redacted]`; the type is not `Clone`.
pub struct ServicePrincipal {
    /// Where to sign in (the organization's tenant; `organizations` does not work here).
    pub authority: Authority,
    /// The application (client) id.
    pub client_id: ClientId,
    /// What to ask for: [`Scopes::service_principal`] by default.
    pub scopes: Scopes,
    secret: SecretString,
    http: HttpClient,
}

impl ServicePrincipal {
    /// A service principal asking for [`Scopes::service_principal`].
    pub fn new(
        authority: Authority,
        client_id: ClientId,
        secret: SecretString,
        http: HttpClient,
    ) -> Self {
        Self {
            authority,
            client_id,
            scopes: Scopes::service_principal(),
            secret,
            http,
        }
    }

    /// The client credentials request (pure).
    pub fn token_request(&self) -> FormPost {
        FormPost::client_credentials(&self.authority, &self.client_id, &self.secret, &self.scopes)
    }

    /// Gets an access token. A wrong secret gives [`AuthError::OAuth`] with `invalid_client`
    /// (Entra: AADSTS7000215), never the secret itself.
    pub async fn acquire_token(&self) -> Result<TokenSet, AuthError> {
        let post = self.token_request();
        let now = SystemTime::now();
        parse_token_reply(&post, &http::send(&self.http, &post).await?, now)
    }
}

impl std::fmt::Debug for ServicePrincipal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServicePrincipal")
            .field("authority", &self.authority)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("secret", &Redacted)
            .finish()
    }
}

impl FormPost {
    /// The client credentials request: `grant_type=client_credentials`, `client_id`,
    /// `client_secret` (secret, in the body: `client_secret_post`) and `scope`.
    pub fn client_credentials(
        authority: &Authority,
        client_id: &ClientId,
        secret: &SecretString,
        scopes: &Scopes,
    ) -> Self {
        FormPost::new(authority.token_endpoint().clone())
            .plain("grant_type", "client_credentials")
            .plain("client_id", client_id.as_str())
            .secret("client_secret", secret.expose_secret())
            .plain("scope", scopes.to_param())
    }
}
