//! Proof Key for Code Exchange, S256 only ([RFC 7636]).
//!
//! The verifier is made here, stays inside the pending [`AuthCodeFlow`](crate::AuthCodeFlow) and
//! leaves the crate only in the body of the token request. Only its challenge goes into the
//! authorize URL. The plain method is not offered: it protects nothing when the authorize URL leaks.
//!
//! [RFC 7636]: https://www.rfc-editor.org/rfc/rfc7636

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore as _;
use secrecy::SecretString;
use sha2::{Digest as _, Sha256};

use crate::error::ConfigError;
use crate::secret::secret_type;

secret_type!(
    /// A PKCE `code_verifier` ([RFC 7636 §4.1]).
    ///
    /// Not `Clone`, so a verifier cannot be reused across sign-ins by accident; `Debug` prints
    /// `PkceVerifier([redacted])`.
    ///
    /// [RFC 7636 §4.1]: https://www.rfc-editor.org/rfc/rfc7636#section-4.1
    PkceVerifier
);

impl PkceVerifier {
    /// A fresh verifier: 32 bytes from the operating system's CSPRNG, base64url without padding
    /// (43 characters, the length RFC 7636 §4.1 recommends).
    pub fn generate() -> Self {
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self(SecretString::from(URL_SAFE_NO_PAD.encode(bytes.as_ref())))
    }

    /// Wraps a given verifier, e.g. the RFC 7636 Appendix B example in a test.
    ///
    /// Errors with [`ConfigError::InvalidPkceVerifier`] unless it has 43 to 128 characters from
    /// `[A-Za-z0-9-._~]`.
    pub fn new(verifier: SecretString) -> Result<Self, ConfigError> {
        use secrecy::ExposeSecret as _;
        let value = verifier.expose_secret();
        let valid_length = (43..=128).contains(&value.len());
        let valid_chars = value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if valid_length && valid_chars {
            Ok(Self(verifier))
        } else {
            Err(ConfigError::InvalidPkceVerifier)
        }
    }

    /// The S256 challenge: `BASE64URL(SHA256(ASCII(code_verifier)))`.
    pub fn challenge(&self) -> PkceChallenge {
        PkceChallenge(URL_SAFE_NO_PAD.encode(Sha256::digest(self.expose().as_bytes())))
    }
}

/// The `code_challenge` that goes into the authorize URL; not a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkceChallenge(String);

impl PkceChallenge {
    /// The `code_challenge_method` this crate uses.
    pub const METHOD: &'static str = "S256";

    /// The challenge as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PkceChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
