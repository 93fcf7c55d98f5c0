//! The delivery secret: generated here, kept in the keyring, compared by fingerprint.
//!
//! Fingerprints are keyed: HMAC-SHA-256 (the `hmac` crate) under a random 32-byte key of the
//! connection, kept in the keyring next to the secret (`hook-fingerprint-key:{profile id}`). A
//! fingerprint on disk (profile, journal) therefore cannot be checked against guesses without
//! the keyring, and fingerprints are never printed (plans and lists strip them).
//!
//! Azure DevOps cannot sign web-hook payloads, so each delivery carries a secret header the
//! receiver checks. The secret is 32 random bytes from the OS generator, base64url without
//! padding (43 characters: no `:` or whitespace, which `httpHeaders` could not carry).

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// The keyring name of the header secret (key `hook-secret:{profile id}`).
pub const HEADER_SECRET_NAME: &str = "hook-secret";
/// The keyring name of the basic-auth password (key `hook-basic-password:{profile id}`).
pub const BASIC_PASSWORD_NAME: &str = "hook-basic-password";
/// The keyring name of the fingerprint key (key `hook-fingerprint-key:{profile id}`).
pub const FINGERPRINT_KEY_NAME: &str = "hook-fingerprint-key";

/// A fresh secret: 32 random bytes, base64url, 43 characters.
pub fn generate_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    bytes.fill(0);
    SecretString::from(encoded)
}

/// Keyed fingerprints of secrets, to tell whether a subscription carries a secret without
/// keeping or showing it: `hmac:` and the first 32 hex digits (128 bits) of HMAC-SHA-256 under
/// the connection's key. `Debug` hides the key.
#[derive(Clone)]
pub struct Fingerprinter {
    key: SecretString,
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter([redacted])")
    }
}

impl Fingerprinter {
    /// A fingerprinter under `key` (the keyring value: base64url of 32 random bytes).
    pub fn new(key: SecretString) -> Self {
        Fingerprinter { key }
    }

    /// A fresh key, as stored in the keyring.
    pub fn generate_key() -> SecretString {
        generate_secret()
    }

    /// The fingerprint of `secret`.
    pub fn of(&self, secret: &str) -> String {
        let mut mac = <Hmac<Sha256>>::new_from_slice(self.key.expose_secret().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"ado-connect hook secret v2\0");
        mac.update(secret.as_bytes());
        let digest = mac.finalize().into_bytes();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("hmac:{hex}")
    }

    /// The fingerprint of a [`SecretString`].
    pub fn of_secret(&self, secret: &SecretString) -> String {
        self.of(secret.expose_secret())
    }
}

/// The unkeyed fingerprint profiles held before (`sha256:` + 16 hex digits): only to migrate
/// them ([`super::HookRecords::fingerprinter`]), never to make new ones.
pub(super) fn unkeyed_fingerprint(secret: &SecretString) -> String {
    let digest = Sha256::new()
        .chain_update(b"ado-connect hook secret v1\0")
        .chain_update(secret.expose_secret().as_bytes())
        .finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// True for a fingerprint of the old, unkeyed kind.
pub(super) fn is_unkeyed(fingerprint: &str) -> bool {
    fingerprint.starts_with("sha256:")
}

/// Compares two secrets in constant time (for their length): receivers use this to check the
/// header, so that timing does not reveal how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Comparing digests makes the time independent of where the inputs differ and of the
    // expected secret's length.
    let da = Sha256::digest(a);
    let db = Sha256::digest(b);
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ado_core::webhook::validate_secret_value;

    #[test]
    fn generated_secrets_are_long_distinct_and_header_safe() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.expose_secret().len(), 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(validate_secret_value(a.expose_secret()).is_ok());
        assert!(a
            .expose_secret()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn fingerprints_are_keyed_stable_and_do_not_show_the_secret() {
        let k = Fingerprinter::new(Fingerprinter::generate_key());
        let f = k.of("s3cret-s3cret-s3cret");
        assert_eq!(f, k.of("s3cret-s3cret-s3cret"));
        assert_ne!(f, k.of("s3cret-s3cret-s3creT"));
        assert!(f.starts_with("hmac:") && f.len() == 37 && !f.contains("s3cret"));
        // Another key, another fingerprint: no one can check a guess without the keyring.
        let other = Fingerprinter::new(Fingerprinter::generate_key());
        assert_ne!(f, other.of("s3cret-s3cret-s3cret"));
        // The unkeyed digest of before is gone (and recognised, for migration).
        let unkeyed = unkeyed_fingerprint(&SecretString::from("s3cret-s3cret-s3cret"));
        assert!(is_unkeyed(&unkeyed) && !is_unkeyed(&f));
        assert!(!f.contains(&unkeyed["sha256:".len()..]));
        assert!(!format!("{k:?}").contains("s3cret"));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
