//! The delivery secret: generated here, kept in the keyring, compared by fingerprint.
//!
//! Azure DevOps cannot sign web-hook payloads, so each delivery carries a secret header the
//! receiver checks. The secret is 32 random bytes from the OS generator, base64url without
//! padding (43 characters: no `:` or whitespace, which `httpHeaders` could not carry).

use base64::Engine as _;
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// The keyring name of the header secret (key `hook-secret:{profile id}`).
pub const HEADER_SECRET_NAME: &str = "hook-secret";
/// The keyring name of the basic-auth password (key `hook-basic-password:{profile id}`).
pub const BASIC_PASSWORD_NAME: &str = "hook-basic-password";

/// A fresh secret: 32 random bytes, base64url, 43 characters.
pub fn generate_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    bytes.fill(0);
    SecretString::from(encoded)
}

/// A short digest of a secret, to tell whether a subscription carries it without keeping or
/// showing the secret: `sha256:` and the first 16 hex digits of SHA-256 over a fixed prefix and
/// the secret. Only the generated (high-entropy) header secret's fingerprint is stored in the
/// profile; a basic-auth password's is only compared in memory.
pub fn fingerprint(secret: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"ado-connect hook secret v1\0")
        .chain_update(secret.as_bytes())
        .finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The fingerprint of a [`SecretString`].
pub fn fingerprint_of(secret: &SecretString) -> String {
    fingerprint(secret.expose_secret())
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
    fn fingerprints_are_stable_and_do_not_show_the_secret() {
        let f = fingerprint("s3cret-s3cret-s3cret");
        assert_eq!(f, fingerprint("s3cret-s3cret-s3cret"));
        assert_ne!(f, fingerprint("s3cret-s3cret-s3creT"));
        assert!(f.starts_with("sha256:") && f.len() == 23 && !f.contains("s3cret"));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
