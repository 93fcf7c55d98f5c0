//! What the app holds while it runs.

use ado_flows::sandbox::Sandbox;
use ado_flows::{Connections, SecretStore};

use crate::error::CommandError;

/// Managed state: the connection store (if a secret store exists) and the sandbox, if any.
pub struct AppState {
    connections: Result<Connections, String>,
    pub sandbox: Option<Result<Sandbox, String>>,
}

impl AppState {
    /// Detects the secret store and reads the sandbox file once, at start.
    pub fn load() -> Self {
        let connections = SecretStore::detect()
            .map(|secrets| Connections::new(Connections::default_dir(), secrets))
            .map_err(|e| e.to_string());
        AppState {
            connections,
            sandbox: ado_flows::sandbox::from_env(),
        }
    }

    /// The connection store, or why there is none.
    pub fn connections(&self) -> Result<&Connections, CommandError> {
        self.connections.as_ref().map_err(|e| {
            CommandError::new(
                "secret_store",
                None,
                e.clone(),
                "ADO Connect keeps tokens only in the OS keyring. Start your desktop's keyring (e.g. GNOME Keyring) and restart ADO Connect.",
            )
        })
    }

    /// Why there is no secret store, if there is none.
    pub fn secret_store_error(&self) -> Option<&str> {
        self.connections.as_ref().err().map(String::as_str)
    }
}
