//! The two kinds of client: [`PublicClient`] (the desktop app signing a user in; no secret) and
//! [`ServicePrincipal`] (a headless identity with a client secret: client credentials,
//! [RFC 6749 §4.4]). The protocol is `oauth2`'s; this module says which endpoints, which client
//! id, which scopes, and maps Entra's replies to our errors.
//!
//! [RFC 6749 §4.4]: https://www.rfc-editor.org/rfc/rfc6749#section-4.4

use std::time::SystemTime;

use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientSecret, DeviceAuthorizationUrl, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenUrl,
};
use secrecy::{ExposeSecret as _, SecretString};

use crate::authority::Authority;
use crate::error::{from_oauth2, oauth_refusal, AuthError, ConfigError, OAuthErrorResponse};
use crate::settings::{ClientId, Scopes};
use crate::token::{Redacted, TokenReply, TokenSet};
use crate::transport::HttpClient;

/// `oauth2`'s client for one authority: authorize and token endpoints set, device endpoint if the
/// authority has one, our Entra-aware error type.
pub(crate) type OAuthClient = oauth2::Client<
    OAuthErrorResponse,
    TokenReply,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    EndpointSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The `oauth2` client for `authority` and `client_id`. Credentials go in the request body
/// (`client_secret_post`), as Entra documents for client credentials.
pub(crate) fn oauth_client(authority: &Authority, client_id: &ClientId) -> OAuthClient {
    oauth2::Client::new(oauth2::ClientId::new(client_id.as_str().to_owned()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::from_url(authority.authorize_endpoint().clone()))
        .set_token_uri(TokenUrl::from_url(authority.token_endpoint().clone()))
        .set_device_authorization_url_option(
            authority
                .device_code_endpoint()
                .cloned()
                .map(DeviceAuthorizationUrl::from_url),
        )
}

/// A redirect URI as `oauth2` takes it (kept exactly as written).
pub(crate) fn redirect_url(text: &str) -> Result<RedirectUrl, ConfigError> {
    RedirectUrl::new(text.to_owned()).map_err(|e| ConfigError::InvalidUrl {
        input: text.to_owned(),
        reason: e.to_string(),
    })
}

/// The scopes as `oauth2` takes them.
pub(crate) fn scope_list(scopes: &Scopes) -> Vec<Scope> {
    scopes.iter().map(|s| Scope::new(s.to_owned())).collect()
}

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

    pub(crate) fn oauth(&self) -> OAuthClient {
        oauth_client(&self.authority, &self.client_id)
    }

    fn token_endpoint(&self) -> &str {
        self.authority.token_endpoint().as_str()
    }

    /// Redeems an authorization code (RFC 6749 §4.1.3 with the PKCE verifier, RFC 7636 §4.5).
    /// `redirect_uri` is sent exactly as it was in the authorize URL. The verifier is used once.
    pub async fn exchange_code(
        &self,
        code: AuthorizationCode,
        redirect_uri: &str,
        verifier: PkceCodeVerifier,
    ) -> Result<TokenSet, AuthError> {
        let redirect = redirect_url(redirect_uri)?;
        let endpoint = self.token_endpoint();
        let sent = SystemTime::now();
        let reply = self
            .oauth()
            .set_redirect_uri(redirect)
            .exchange_code(code)
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| from_oauth2(endpoint, e, oauth_refusal(endpoint)))?;
        TokenSet::from_reply(reply, sent, endpoint)
    }

    /// Exchanges the refresh token for new tokens, keeping the old refresh token when the server
    /// sends no new one (rotation).
    ///
    /// Errors with [`AuthError::SignInAgain`] when there is no refresh token, or the server refuses
    /// it with `invalid_grant` (expired, revoked or already used) or `interaction_required` (a
    /// policy now needs the user, e.g. MFA).
    pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet, AuthError> {
        if !tokens.can_refresh() {
            return Err(AuthError::SignInAgain { error: None });
        }
        let refresh_token = RefreshToken::new(
            tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned())
                .unwrap_or_default(),
        );
        let endpoint = self.token_endpoint();
        let sent = SystemTime::now();
        let reply = self
            .oauth()
            .exchange_refresh_token(&refresh_token)
            .add_scopes(scope_list(&self.scopes))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                from_oauth2(endpoint, e, |error: OAuthErrorResponse| {
                    if error.error == "invalid_grant" || error.error == "interaction_required" {
                        AuthError::SignInAgain {
                            error: Some(Box::new(error)),
                        }
                    } else {
                        oauth_refusal(endpoint)(error)
                    }
                })
            })?;
        Ok(TokenSet::from_reply(reply, sent, endpoint)?.rotated_from(tokens))
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

    /// Gets an access token (`grant_type=client_credentials`, the secret in the body). A wrong
    /// secret gives [`AuthError::OAuth`] with `invalid_client` (Entra: AADSTS7000215), never the
    /// secret itself.
    pub async fn acquire_token(&self) -> Result<TokenSet, AuthError> {
        let endpoint = self.authority.token_endpoint().as_str();
        let sent = SystemTime::now();
        let reply = oauth_client(&self.authority, &self.client_id)
            .set_client_secret(ClientSecret::new(self.secret.expose_secret().to_owned()))
            .exchange_client_credentials()
            .add_scopes(scope_list(&self.scopes))
            .request_async(&self.http)
            .await
            .map_err(|e| from_oauth2(endpoint, e, oauth_refusal(endpoint)))?;
        TokenSet::from_reply(reply, sent, endpoint)
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
