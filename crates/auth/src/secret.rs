//! Secret newtypes: values that grant access if they leak.
//!
//! Each wraps a [`SecretString`] (zeroized on drop), prints `Name([redacted])` under `Debug`, has no
//! `Display`, no `Serialize` and no `Clone`, and shows its value only inside this crate, where it goes
//! into exactly one request body. Tokens handed to the caller are plain [`SecretString`]s inside
//! [`TokenSet`](crate::TokenSet), because the caller must store and send them.

use secrecy::SecretString;

/// Declares a secret newtype; see the module docs for what it guarantees.
macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        pub struct $name(SecretString);

        impl $name {
            /// The value, for the one request body that carries it.
            #[allow(dead_code)] // not every type is read back in every module
            pub(crate) fn expose(&self) -> &str {
                secrecy::ExposeSecret::expose_secret(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}
pub(crate) use secret_type;

secret_type!(
    /// The one-time authorization code the loopback redirect delivers (RFC 6749 §4.1.2).
    AuthCode
);

impl AuthCode {
    /// Wraps a code (the listener does this; tests build request values with it).
    pub fn new(code: String) -> Self {
        Self(SecretString::from(code))
    }
}

secret_type!(
    /// The `device_code` of a device authorization (RFC 8628 §3.2): whoever holds it can poll for
    /// the user's tokens, so it is never shown; the user sees only the `user_code`.
    DeviceCode
);

impl DeviceCode {
    pub(crate) fn new(code: SecretString) -> Self {
        Self(code)
    }
}

/// Prints `[redacted]` for a secret field in a hand-written `Debug`.
pub(crate) struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `Some([redacted])` or `None`, for optional secret fields in a hand-written `Debug`.
pub(crate) fn redacted_option<T>(value: &Option<T>) -> Option<Redacted> {
    value.as_ref().map(|_| Redacted)
}

/// Compares two byte strings in time that depends only on their lengths (the CSRF `state` check).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let code = AuthCode::new("the-code-value".into());
        assert_eq!(format!("{code:?}"), "AuthCode([redacted])");
    }

    #[test]
    fn constant_time_eq_compares_content_and_length() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
