//! Secrets live only in the OS keyring, never in files, logs, errors or argv.
//!
//! One store per platform, each behind its own `cfg` (the `keyring` crate does the talking; its
//! store features are enabled per target in this crate's Cargo.toml, because without one it
//! silently keeps secrets in a mock):
//! - **Linux**: the Secret Service (GNOME Keyring, KWallet) over D-Bus. Where none runs (a bare
//!   server, a container), the fallback is the kernel's keyutils session keyring: it needs no
//!   daemon, but its secrets last only for the login session and are gone at reboot, which the UI
//!   says plainly. No plaintext file is ever a fallback.
//! - **Windows**: the Credential Manager (generic credentials of the signed-in user).
//! - **macOS**: the user's login Keychain.
//!
//! `ADO_CONNECT_SECRET_STORE=secret-service|keyutils` forces one store (tests, headless hosts).
//!
//! **Size limits.** Windows keeps at most 2,560 bytes per credential, and `keyring` stores a
//! password there as UTF-16, so the real limit is 1,280 ASCII characters, less than one Entra
//! token set. Every platform therefore goes through the same code ([`SecretStore::put`]) with its
//! own [`EntryLimit`]: a secret that fits is stored as one entry, exactly as before (so secrets
//! saved by earlier versions read back unchanged); a larger one is split on character boundaries
//! into parts under `{key}#part{n}`, and the entry under `key` holds a manifest (a marker, the
//! number of parts and a digest of the whole, so a half-finished overwrite is detected rather than
//! read as a wrong secret). Hand-written because no keyring library splits secrets.

use keyring::Entry;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The keyring "service" every ADO Connect secret is filed under.
pub const SERVICE: &str = "ado-connect";

/// Which store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Backend {
    /// Linux: the freedesktop Secret Service (GNOME Keyring, KWallet): persistent, encrypted at rest.
    SecretService,
    /// Linux: the kernel session keyring: no daemon; lost at logout or reboot.
    KernelKeyring,
    /// Windows: the Credential Manager.
    CredentialManager,
    /// macOS: the login Keychain.
    Keychain,
}

impl Backend {
    /// How the UI names it, with what the user should know.
    pub fn description(self) -> &'static str {
        match self {
            Backend::SecretService => "the system keyring (Secret Service)",
            Backend::KernelKeyring => {
                "the kernel session keyring (no Secret Service is running: the token is kept only until you log out)"
            }
            Backend::CredentialManager => "Windows Credential Manager",
            Backend::Keychain => "the macOS Keychain",
        }
    }

    /// The most one entry of this store may hold.
    pub fn entry_limit(self) -> EntryLimit {
        match self {
            // No limit that a token set comes near (the Secret Service spec sets none).
            Backend::SecretService | Backend::Keychain => EntryLimit::Unlimited,
            // The kernel's "user" key type takes at most 32,767 bytes of payload.
            Backend::KernelKeyring => EntryLimit::Utf8Bytes(32_767),
            Backend::CredentialManager => EntryLimit::WINDOWS,
        }
    }
}

/// The most one keyring entry may hold, counted the way the store counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryLimit {
    /// No practical limit.
    Unlimited,
    /// At most this many bytes of UTF-8.
    Utf8Bytes(usize),
    /// At most this many bytes once encoded as UTF-16 (how `keyring` stores passwords on Windows).
    Utf16Bytes(usize),
}

impl EntryLimit {
    /// Windows Credential Manager: `CRED_MAX_CREDENTIAL_BLOB_SIZE` (2,560 bytes) of UTF-16.
    pub const WINDOWS: EntryLimit = EntryLimit::Utf16Bytes(2560);

    fn size_of(self, text: &str) -> usize {
        match self {
            EntryLimit::Unlimited | EntryLimit::Utf8Bytes(_) => text.len(),
            EntryLimit::Utf16Bytes(_) => text.encode_utf16().count() * 2,
        }
    }

    fn max(self) -> usize {
        match self {
            EntryLimit::Unlimited => usize::MAX,
            EntryLimit::Utf8Bytes(max) | EntryLimit::Utf16Bytes(max) => max,
        }
    }

    fn fits(self, text: &str) -> bool {
        self.size_of(text) <= self.max()
    }

    /// Splits `text` on character boundaries into pieces that each fit.
    fn split(self, text: &str) -> Vec<&str> {
        // Any limit holds one character (4 bytes at most in either encoding).
        let max = self.max().max(4);
        let mut parts = Vec::new();
        let (mut start, mut size) = (0, 0);
        for (at, c) in text.char_indices() {
            let width = match self {
                EntryLimit::Utf16Bytes(_) => c.len_utf16() * 2,
                _ => c.len_utf8(),
            };
            if size + width > max {
                parts.push(&text[start..at]);
                (start, size) = (at, 0);
            }
            size += width;
        }
        parts.push(&text[start..]);
        parts
    }
}

/// Marks a manifest entry: `ado-connect-chunked:v1:{parts}:{digest}`. A secret that itself
/// starts with it is stored split too, so reading is never ambiguous.
const CHUNKED: &str = "ado-connect-chunked:v1:";

/// The keyring key of part `n` (from 1) of a split secret.
fn part_key(key: &str, n: usize) -> String {
    format!("{key}#part{n}")
}

/// A short digest of the whole secret, kept in the manifest (next to the secret it describes).
fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a manifest: the number of parts and the digest; `None` if `value` is not one.
fn parse_manifest(value: &str) -> Option<(usize, &str)> {
    let (parts, digest) = value.strip_prefix(CHUNKED)?.split_once(':')?;
    let parts = parts.parse::<usize>().ok().filter(|n| *n >= 1)?;
    Some((parts, digest))
}

/// Errors from the store. Never holds a secret: only the key name and the platform's words.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No usable store on this machine.
    #[error("no secret store is available: {hint} ({0})", hint = platform::UNAVAILABLE_HINT)]
    Unavailable(String),
    /// The store refused or failed.
    #[error("the {backend:?} store failed for {key}: {detail}")]
    Store {
        /// Which store.
        backend: Backend,
        /// The key (not secret).
        key: String,
        /// The platform's words.
        detail: String,
    },
}

impl From<SecretError> for crate::Error {
    fn from(e: SecretError) -> Self {
        crate::Error::secret_store(e)
    }
}

/// A handle on the chosen store.
#[derive(Debug, Clone)]
pub struct SecretStore {
    backend: Backend,
    limit: EntryLimit,
}

impl SecretStore {
    /// Picks the store: this platform's stores in order of preference (on Linux the Secret
    /// Service if it answers and is unlocked, else the kernel keyring).
    pub fn detect() -> Result<Self, SecretError> {
        match std::env::var("ADO_CONNECT_SECRET_STORE").ok().as_deref() {
            Some("secret-service") => return Self::probe(Backend::SecretService),
            Some("keyutils") => return Self::probe(Backend::KernelKeyring),
            _ => {}
        }
        let mut failures = Vec::new();
        for backend in platform::PREFERRED {
            match Self::probe(*backend) {
                Ok(store) => return Ok(store),
                Err(e) => {
                    tracing::warn!(?backend, error = %e, "secret store unavailable; trying the next");
                    failures.push(format!("{}: {e}", backend.description()));
                }
            }
        }
        Err(SecretError::Unavailable(failures.join("; ")))
    }

    /// Uses `backend` if a read of a probe key works.
    pub fn probe(backend: Backend) -> Result<Self, SecretError> {
        let store = SecretStore {
            backend,
            limit: backend.entry_limit(),
        };
        let entry = platform::entry(backend, "probe")
            .map_err(|e| SecretError::Unavailable(e.to_string()))?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(store),
            Err(e) => Err(SecretError::Unavailable(e.to_string())),
        }
    }

    /// The same store with another per-entry limit (tests apply Windows' limit on Linux).
    pub fn with_entry_limit(mut self, limit: EntryLimit) -> Self {
        self.limit = limit;
        self
    }

    /// The store in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn entry(&self, key: &str) -> Result<Entry, SecretError> {
        platform::entry(self.backend, key).map_err(|e| self.error(key, e))
    }

    fn error(&self, key: &str, e: keyring::Error) -> SecretError {
        self.failure(key, e.to_string())
    }

    fn failure(&self, key: &str, detail: String) -> SecretError {
        SecretError::Store {
            backend: self.backend,
            key: key.to_string(),
            detail,
        }
    }

    /// Reads one entry as stored (a secret or a manifest); `Ok(None)` when there is none.
    fn read_raw(&self, key: &str) -> Result<Option<String>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.error(key, e)),
        }
    }

    fn write_raw(&self, key: &str, value: &str) -> Result<(), SecretError> {
        self.entry(key)?
            .set_password(value)
            .map_err(|e| self.error(key, e))
    }

    /// Deletes one entry; `Ok(false)` when there was none.
    fn delete_raw(&self, key: &str) -> Result<bool, SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// The number of parts `key` is split into now (0 when it is one entry or absent).
    fn current_parts(&self, key: &str) -> Result<usize, SecretError> {
        Ok(self
            .read_raw(key)?
            .as_deref()
            .and_then(parse_manifest)
            .map_or(0, |(parts, _)| parts))
    }

    /// Deletes the parts of `key` from `from` on: the known ones (up to `known_last`) from the
    /// last down, so an interrupted run leaves an unbroken run starting at `from`, then any
    /// further ones until the first gap (leftovers of an earlier interrupted run).
    fn delete_parts(&self, key: &str, from: usize, known_last: usize) -> Result<(), SecretError> {
        for n in (from..=known_last).rev() {
            self.delete_raw(&part_key(key, n))?;
        }
        let mut n = from.max(known_last + 1);
        while self.delete_raw(&part_key(key, n))? {
            n += 1;
        }
        Ok(())
    }

    /// Stores `secret` under `key`, replacing any previous value (and any parts it had).
    pub fn put(&self, key: &str, secret: &SecretString) -> Result<(), SecretError> {
        let secret = secret.expose_secret();
        let old_parts = self.current_parts(key)?;
        if self.limit.fits(secret) && !secret.starts_with(CHUNKED) {
            self.write_raw(key, secret)?;
            return self.delete_parts(key, 1, old_parts);
        }
        // Parts first, the manifest last: until it is written, a reader sees the old value (or,
        // if that was split too, a digest mismatch), never a mix presented as the secret.
        let parts = self.limit.split(secret);
        for (n, part) in parts.iter().enumerate() {
            self.write_raw(&part_key(key, n + 1), part)?;
        }
        let manifest = format!("{CHUNKED}{}:{}", parts.len(), digest(secret));
        self.write_raw(key, &manifest)?;
        self.delete_parts(key, parts.len() + 1, old_parts)
    }

    /// Reads `key`; `Ok(None)` when nothing is stored.
    pub fn get(&self, key: &str) -> Result<Option<SecretString>, SecretError> {
        let Some(value) = self.read_raw(key)? else {
            return Ok(None);
        };
        if !value.starts_with(CHUNKED) {
            return Ok(Some(SecretString::from(value)));
        }
        let incomplete = || {
            self.failure(
                key,
                "the secret is stored in parts and they are incomplete (an interrupted save); save the connection again".into(),
            )
        };
        let (parts, expected) = parse_manifest(&value).ok_or_else(incomplete)?;
        let mut secret = String::new();
        for n in 1..=parts {
            secret.push_str(&self.read_raw(&part_key(key, n))?.ok_or_else(incomplete)?);
        }
        if digest(&secret) != expected {
            return Err(incomplete());
        }
        Ok(Some(SecretString::from(secret)))
    }

    /// Deletes `key` and all its parts; deleting a missing key is not an error.
    pub fn delete(&self, key: &str) -> Result<(), SecretError> {
        // Parts first: if this is interrupted, the manifest still leads a retry to the rest.
        let parts = self.current_parts(key)?;
        self.delete_parts(key, 1, parts)?;
        self.delete_raw(key).map(|_| ())
    }
}

/// Linux: the Secret Service, else the kernel keyring.
#[cfg(target_os = "linux")]
mod platform {
    use super::{Backend, SERVICE};
    use keyring::{keyutils::KeyutilsCredential, secret_service::SsCredential, Entry};

    pub(super) const PREFERRED: &[Backend] = &[Backend::SecretService, Backend::KernelKeyring];
    pub(super) const UNAVAILABLE_HINT: &str =
        "start a Secret Service (e.g. gnome-keyring-daemon) and unlock it";

    pub(super) fn entry(backend: Backend, key: &str) -> keyring::Result<Entry> {
        let credential: Box<keyring::credential::Credential> = match backend {
            Backend::SecretService => Box::new(SsCredential::new_with_target(None, SERVICE, key)?),
            Backend::KernelKeyring => {
                Box::new(KeyutilsCredential::new_with_target(None, SERVICE, key)?)
            }
            other => return Err(super::not_here(other)),
        };
        Ok(Entry::new_with_credential(credential))
    }
}

/// Windows: the Credential Manager (generic credentials, target `{key}.ado-connect`).
#[cfg(windows)]
mod platform {
    use super::{Backend, SERVICE};
    use keyring::{windows::WinCredential, Entry};

    pub(super) const PREFERRED: &[Backend] = &[Backend::CredentialManager];
    pub(super) const UNAVAILABLE_HINT: &str =
        "Windows Credential Manager refused access (is this a service account without a profile?)";

    pub(super) fn entry(backend: Backend, key: &str) -> keyring::Result<Entry> {
        match backend {
            Backend::CredentialManager => Ok(Entry::new_with_credential(Box::new(
                WinCredential::new_with_target(None, SERVICE, key)?,
            ))),
            other => Err(super::not_here(other)),
        }
    }
}

/// macOS: the user's login Keychain.
#[cfg(target_os = "macos")]
mod platform {
    use super::{Backend, SERVICE};
    use keyring::{macos::MacCredential, Entry};

    pub(super) const PREFERRED: &[Backend] = &[Backend::Keychain];
    pub(super) const UNAVAILABLE_HINT: &str = "unlock the login Keychain";

    pub(super) fn entry(backend: Backend, key: &str) -> keyring::Result<Entry> {
        match backend {
            Backend::Keychain => Ok(Entry::new_with_credential(Box::new(
                MacCredential::new_with_target(None, SERVICE, key)?,
            ))),
            other => Err(super::not_here(other)),
        }
    }
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
compile_error!("ADO Connect keeps secrets only in the Linux, Windows or macOS store; add this platform's store to secrets.rs");

/// A store asked for on a platform that does not have it.
fn not_here(backend: Backend) -> keyring::Error {
    keyring::Error::Invalid(
        "store".into(),
        format!(
            "{} is not available on this platform",
            backend.description()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_limit_counts_utf16_bytes_not_utf8() {
        assert!(EntryLimit::WINDOWS.fits(&"a".repeat(1280)));
        assert!(!EntryLimit::WINDOWS.fits(&"a".repeat(1281)));
        // 'é' is 2 bytes in both; '€' is 3 in UTF-8 and 2 in UTF-16; '😀' is 4 in both.
        assert_eq!(EntryLimit::WINDOWS.size_of("é€😀"), 2 + 2 + 4);
    }

    #[test]
    fn split_keeps_every_part_within_the_limit_and_characters_whole() {
        let limit = EntryLimit::Utf16Bytes(10);
        let text = "abc😀d€éfghij😀";
        let parts = limit.split(text);
        assert_eq!(parts.concat(), text);
        assert!(
            parts.iter().all(|p| limit.fits(p) && !p.is_empty()),
            "{parts:?}"
        );
        assert_eq!(EntryLimit::WINDOWS.split(&"x".repeat(2561)).len(), 3);
        assert_eq!(
            EntryLimit::Utf8Bytes(3).split("😀😀").len(),
            2,
            "a character larger than the limit stands alone"
        );
    }

    #[test]
    fn manifests_parse_only_when_well_formed() {
        assert_eq!(
            parse_manifest("ado-connect-chunked:v1:3:abcd"),
            Some((3, "abcd"))
        );
        for bad in [
            "ado-connect-chunked:v1:0:ab",
            "ado-connect-chunked:v1:x:ab",
            "ado-connect-chunked:v1:",
            "pat",
        ] {
            assert_eq!(parse_manifest(bad), None, "{bad}");
        }
    }
}
