//! Tokens: the [`TokenSet`] every flow returns, made from `oauth2`'s token response, and refresh
//! rotation ([RFC 6749 §6]).
//!
//! [RFC 6749 §6]: https://www.rfc-editor.org/rfc/rfc6749#section-6

use std::time::{Duration, SystemTime};

use oauth2::TokenResponse as _;
use secrecy::{ExposeSecret as _, SecretString};

use crate::error::AuthError;

/// `oauth2`'s token response as we ask for it (unknown fields such as Entra's `ext_expires_in`
/// and `id_token` are ignored).
pub(crate) type TokenReply =
    oauth2::StandardTokenResponse<oauth2::EmptyExtraTokenFields, oauth2::basic::BasicTokenType>;

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
            expires_at,
            scope: None,
            token_type: "Bearer".to_owned(),
        }
    }

    /// Reads `oauth2`'s token response; `sent` is when the request was sent. An empty access
    /// token is refused.
    pub(crate) fn from_reply(
        reply: TokenReply,
        sent: SystemTime,
        endpoint: &str,
    ) -> Result<Self, AuthError> {
        if reply.access_token().secret().is_empty() {
            return Err(AuthError::Decode {
                endpoint: endpoint.to_owned(),
                path: "access_token".into(),
                problem: "empty".into(),
            });
        }
        let token_type = match reply.token_type() {
            oauth2::basic::BasicTokenType::Bearer => "Bearer".to_owned(),
            other => other.as_ref().to_owned(),
        };
        Ok(Self {
            access_token: SecretString::from(reply.access_token().secret().as_str()),
            refresh_token: reply
                .refresh_token()
                .map(|t| t.secret())
                .filter(|t| !t.is_empty())
                .map(|t| SecretString::from(t.as_str())),
            expires_at: reply.expires_in().map(|d| sent + d),
            scope: reply.scopes().map(|scopes| {
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            token_type,
        })
    }

    /// After a refresh: keeps the previous refresh token when the server sent no new one (no
    /// rotation), and the previous scopes when it listed none.
    pub(crate) fn rotated_from(mut self, previous: &TokenSet) -> Self {
        if self.refresh_token.is_none() {
            self.refresh_token = previous.refresh_token.clone();
        }
        if self.scope.is_none() {
            self.scope = previous.scope.clone();
        }
        self
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
        self.refresh_token
            .as_ref()
            .is_some_and(|t| !t.expose_secret().is_empty())
    }
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &Redacted)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| Redacted),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// Prints `[redacted]` for a secret field in a hand-written `Debug`.
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}
