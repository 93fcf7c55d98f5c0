//! Secrets live only in the OS keyring, never in files, logs, errors or argv.
//!
//! On Linux the store is the Secret Service (GNOME Keyring, KWallet) over D-Bus. Where none runs
//! (a bare server, a container), the fallback is the kernel's keyutils session keyring: it needs
//! no daemon, but its secrets last only for the login session and are gone at reboot, which the UI
//! says plainly. No plaintext file is ever a fallback.
//!
//! `ADO_CONNECT_SECRET_STORE=secret-service|keyutils` forces one store (tests, headless hosts).

use keyring::Entry;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

/// The keyring "service" every ADO Connect secret is filed under.
pub const SERVICE: &str = "ado-connect";

/// Which store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Backend {
    /// The freedesktop Secret Service (GNOME Keyring, KWallet): persistent, encrypted at rest.
    SecretService,
    /// The Linux kernel session keyring: no daemon; lost at logout or reboot.
    KernelKeyring,
}

impl Backend {
    /// How the UI names it, with what the user should know.
    pub fn description(self) -> &'static str {
        match self {
            Backend::SecretService => "the system keyring (Secret Service)",
            Backend::KernelKeyring => {
                "the kernel session keyring (no Secret Service is running: the token is kept only until you log out)"
            }
        }
    }
}

/// Errors from the store. Never holds a secret: only the key name and the platform's words.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// No usable store on this machine.
    #[error(
        "no secret store is available: start a Secret Service (e.g. gnome-keyring-daemon) and unlock it ({0})"
    )]
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

/// A handle on the chosen store.
#[derive(Debug, Clone)]
pub struct SecretStore {
    backend: Backend,
}

impl SecretStore {
    /// Picks the store: the Secret Service if it answers and is unlocked, else the kernel keyring.
    pub fn detect() -> Result<Self, SecretError> {
        match std::env::var("ADO_CONNECT_SECRET_STORE").ok().as_deref() {
            Some("secret-service") => return Self::probe(Backend::SecretService),
            Some("keyutils") => return Self::probe(Backend::KernelKeyring),
            _ => {}
        }
        let secret_service = Self::probe(Backend::SecretService);
        match secret_service {
            Ok(store) => Ok(store),
            Err(ss_error) => {
                tracing::warn!(error = %ss_error, "Secret Service unavailable; falling back to the kernel keyring");
                Self::probe(Backend::KernelKeyring).map_err(|e| {
                    SecretError::Unavailable(format!(
                        "Secret Service: {ss_error}; kernel keyring: {e}"
                    ))
                })
            }
        }
    }

    /// Uses `backend` if a read of a probe key works.
    pub fn probe(backend: Backend) -> Result<Self, SecretError> {
        let store = SecretStore { backend };
        match store.entry("probe")?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(store),
            Err(e) => Err(SecretError::Unavailable(e.to_string())),
        }
    }

    /// The store in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn entry(&self, key: &str) -> Result<Entry, SecretError> {
        let credential: Box<keyring::credential::Credential> = match self.backend {
            Backend::SecretService => Box::new(
                keyring::secret_service::SsCredential::new_with_target(None, SERVICE, key)
                    .map_err(|e| self.error(key, e))?,
            ),
            Backend::KernelKeyring => Box::new(
                keyring::keyutils::KeyutilsCredential::new_with_target(None, SERVICE, key)
                    .map_err(|e| self.error(key, e))?,
            ),
        };
        Ok(Entry::new_with_credential(credential))
    }

    fn error(&self, key: &str, e: keyring::Error) -> SecretError {
        SecretError::Store {
            backend: self.backend,
            key: key.to_string(),
            detail: e.to_string(),
        }
    }

    /// Stores `secret` under `key`, replacing any previous value.
    pub fn put(&self, key: &str, secret: &SecretString) -> Result<(), SecretError> {
        self.entry(key)?
            .set_password(secret.expose_secret())
            .map_err(|e| self.error(key, e))
    }

    /// Reads `key`; `Ok(None)` when nothing is stored.
    pub fn get(&self, key: &str) -> Result<Option<SecretString>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// Deletes `key`; deleting a missing key is not an error.
    pub fn delete(&self, key: &str) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.error(key, e)),
        }
    }
}
