//! Tokens: the [`TokenSet`] every flow returns, the pure reading of a token reply
//! ([RFC 6749 §5.1]), and refresh ([RFC 6749 §6]) with rotation.
//!
//! [RFC 6749 §5.1]: https://www.rfc-editor.org/rfc/rfc6749#section-5.1
//! [RFC 6749 §6]: https://www.rfc-editor.org/rfc/rfc6749#section-6

use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret as _, SecretString};

use crate::authority::Authority;
use crate::error::AuthError;
use crate::http::{self, classify, decode, FormPost, HttpReply, Reply};
use crate::secret::{redacted_option, Redacted};
use crate::settings::{ClientId, Scopes};

/// The tokens a sign-in returned. The caller stores them (the OS keyring) and sends
/// `Authorization: Bearer {access_token}`.
///
/// `Debug` prints every token as `[redacted]`; there is no `Serialize`.
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token for Azure DevOps (about one hour for Entra).
    pub access_token: SecretString,
    /// The refresh token, when `offline_access` was granted; rotated on each refresh when the
    /// server issues a new one.
    pub refresh_token: Option<SecretString>,
    /// The ID token, when `openid` was requested (unverified: never use it to authorize).
    pub id_token: Option<SecretString>,
    /// When the access token expires: the time the request was sent plus `expires_in`. `None` if
    /// the server did not say.
    pub expires_at: Option<SystemTime>,
    /// The granted scopes, as the server listed them.
    pub scope: Option<String>,
    /// The token type, `Bearer`.
    pub token_type: String,
}

impl TokenSet {
    /// Builds a token set, e.g. from what the caller had stored.
    pub fn new(
        access_token: SecretString,
        refresh_token: Option<SecretString>,
        expires_at: Option<SystemTime>,
    ) -> Self {
        Self {
            access_token,
            refresh_token,
            id_token: None,
            expires_at,
            scope: None,
            token_type: "Bearer".to_owned(),
        }
    }

    /// Whether the access token expires within `skew` of `now` (or has expired). `false` when the
    /// expiry is unknown: then only a 401 tells. Pure.
    pub fn needs_refresh(&self, now: SystemTime, skew: Duration) -> bool {
        match self.expires_at {
            Some(expires_at) => now + skew >= expires_at,
            None => false,
        }
    }

    /// Whether a refresh can be tried (there is a refresh token).
    pub fn can_refresh(&self) -> bool {
        self.refresh_token.is_some()
    }
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &Redacted)
            .field("refresh_token", &redacted_option(&self.refresh_token))
            .field("id_token", &redacted_option(&self.id_token))
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}

#[derive(serde::Deserialize)]
struct TokenReplyWire {
    access_token: SecretString,
    token_type: String,
    #[serde(default, deserialize_with = "http::seconds")]
    expires_in: Option<u64>,
    refresh_token: Option<SecretString>,
    id_token: Option<SecretString>,
    scope: Option<String>,
}

/// Reads a token reply (any grant). Pure: `now` is when the request was sent.
///
/// An OAuth error becomes [`AuthError::OAuth`]; a redirect, an HTML page or an unreadable body
/// their own variants. An empty `access_token` is a decode error.
pub fn parse_token_reply(
    post: &FormPost,
    reply: &HttpReply,
    now: SystemTime,
) -> Result<TokenSet, AuthError> {
    match classify(post, reply)? {
        Reply::Success(body) => token_set(post, reply.status, body, now),
        Reply::OAuthError(error) => Err(http::oauth_error(post, reply, error)),
    }
}

pub(crate) fn token_set(
    post: &FormPost,
    status: u16,
    body: &[u8],
    now: SystemTime,
) -> Result<TokenSet, AuthError> {
    let wire: TokenReplyWire = decode(post, status, body)?;
    let problem = |path: &str, problem: &str| AuthError::Decode {
        endpoint: post.endpoint(),
        status,
        path: path.to_owned(),
        problem: problem.to_owned(),
    };
    if wire.access_token.expose_secret().is_empty() {
        return Err(problem("access_token", "empty"));
    }
    if wire.token_type.is_empty() {
        return Err(problem("token_type", "empty"));
    }
    Ok(TokenSet {
        access_token: wire.access_token,
        refresh_token: wire
            .refresh_token
            .filter(|token| !token.expose_secret().is_empty()),
        id_token: wire.id_token,
        expires_at: wire
            .expires_in
            .map(|seconds| now + Duration::from_secs(seconds)),
        scope: wire.scope,
        token_type: wire.token_type,
    })
}

impl FormPost {
    /// The refresh request (RFC 6749 §6): `grant_type=refresh_token`, the refresh token (secret),
    /// `client_id` and `scope`. Errors with [`AuthError::SignInAgain`] when `tokens` has no
    /// refresh token.
    pub fn refresh(
        authority: &Authority,
        client_id: &ClientId,
        scopes: &Scopes,
        tokens: &TokenSet,
    ) -> Result<Self, AuthError> {
        let refresh_token = tokens
            .refresh_token
            .as_ref()
            .ok_or(AuthError::SignInAgain { error: None })?;
        Ok(FormPost::new(authority.token_endpoint().clone())
            .plain("grant_type", "refresh_token")
            .secret("refresh_token", refresh_token.expose_secret())
            .plain("client_id", client_id.as_str())
            .plain("scope", scopes.to_param()))
    }
}

/// Reads a refresh reply. Pure.
///
/// Rotation: the new refresh token replaces the old one when the server sent one; otherwise the
/// old one is kept. `invalid_grant` (expired, revoked or already-rotated refresh token) and
/// `interaction_required` (a policy now needs the user, e.g. MFA) become
/// [`AuthError::SignInAgain`].
pub fn parse_refresh_reply(
    post: &FormPost,
    reply: &HttpReply,
    previous: &TokenSet,
    now: SystemTime,
) -> Result<TokenSet, AuthError> {
    match classify(post, reply)? {
        Reply::Success(body) => {
            let mut tokens = token_set(post, reply.status, body, now)?;
            if tokens.refresh_token.is_none() {
                tokens.refresh_token = previous.refresh_token.clone();
            }
            if tokens.scope.is_none() {
                tokens.scope = previous.scope.clone();
            }
            Ok(tokens)
        }
        Reply::OAuthError(error)
            if error.error == "invalid_grant" || error.error == "interaction_required" =>
        {
            Err(AuthError::SignInAgain {
                error: Some(Box::new(error)),
            })
        }
        Reply::OAuthError(error) => Err(http::oauth_error(post, reply, error)),
    }
}
