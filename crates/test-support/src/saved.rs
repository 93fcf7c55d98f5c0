//! A saved connection in the real keyring, removed with its secrets on drop; the product gate
//! and the hand-off on it; and the CLI's config folder, cleaned the same way.

use std::path::Path;

use ado_client::Credential;
use ado_core::product::ProductProfile;
use ado_core::target::ConnectionTarget;
use ado_flows::product::gate::{clear_saved, Clear, ConnectorPat, Outcome, SavedCheck};
use ado_flows::product::handoff::{open_handoff, Handoff, HandoffChoice};
use ado_flows::{AuthMethod, ConnectOptions, Connections, ProfileId, SecretStore};
use secrecy::SecretString;

use crate::world::{dx_token, now, DX_CONNECTORS, LATER};

/// A saved connection (profile + PAT in the keyring), removed with its secrets on drop.
pub struct Saved {
    pub connections: Connections,
    pub id: ProfileId,
    pub target: ConnectionTarget,
    pub settings: ado_auth::SignInSettings,
    _dir: tempfile::TempDir,
}

impl Drop for Saved {
    fn drop(&mut self) {
        let _ = self.connections.remove(&self.id);
    }
}

/// Verifies and saves `token` for `target`, as the app's Verify does.
pub async fn saved(target: ConnectionTarget, token: &str, expires_on: Option<&str>) -> Saved {
    let verified =
        ado_flows::verify_connection(&target, Credential::pat(token), &ConnectOptions::default())
            .await
            .unwrap_or_else(|p| panic!("the PAT verifies: {p:?}"));
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), SecretStore::detect().expect("a keyring"));
    let profile = connections
        .save_connection(
            &verified,
            &SecretString::from(token.to_string()),
            AuthMethod::Pat {
                expires_on: expires_on.map(str::to_string),
            },
            &ConnectOptions::default(),
            0,
        )
        .expect("the connection saves");
    Saved {
        connections,
        id: profile.id,
        target,
        settings: ado_flows::signin::settings().unwrap(),
        _dir: dir,
    }
}

impl Saved {
    /// The gate, as the hand-off and the webhooks pass it.
    pub async fn clear(
        &self,
        profile: ProductProfile,
        choice: (Option<&str>, Option<&str>),
        pats: Vec<ConnectorPat>,
        when: Clear,
        now: u64,
    ) -> Outcome {
        clear_saved(
            &self.connections,
            &self.settings,
            SavedCheck {
                profile,
                connection_id: self.id.clone(),
                project: choice.0.map(str::to_string),
                repository: choice.1.map(str::to_string),
                pats,
            },
            when,
            now,
            &|_| {},
        )
        .await
        .expect("the store works")
    }

    /// The gate run now ("Check access"), with connector PATs given and nothing chosen.
    pub async fn clear_now(&self, profile: ProductProfile, pats: Vec<ConnectorPat>) -> Outcome {
        self.clear(profile, (None, None), pats, Clear::Always, now())
            .await
    }

    /// The hand-off, through the gate (a pass recorded within a day, else the checks).
    pub async fn handoff(
        &self,
        profile: ProductProfile,
        choice: HandoffChoice,
        now: u64,
    ) -> Result<Handoff, ado_flows::Error> {
        open_handoff(
            &self.connections,
            &self.settings,
            profile,
            &self.id,
            choice,
            now,
        )
        .await
    }

    /// The same, now.
    pub async fn handoff_now(
        &self,
        profile: ProductProfile,
        choice: HandoffChoice,
    ) -> Result<Handoff, ado_flows::Error> {
        self.handoff(profile, choice, now()).await
    }
}

/// A connector PAT given to the gate.
pub fn connector_pat(connector: &str, index: usize, token: &str, expires_on: &str) -> ConnectorPat {
    ConnectorPat {
        connector: connector.into(),
        index,
        pat: SecretString::from(token.to_string()),
        expires_on: Some(expires_on.into()),
    }
}

/// DX's five connector PATs of [`crate::world::dx_world`], as given to the gate, dated `LATER`.
pub fn dx_pats() -> Vec<ConnectorPat> {
    DX_CONNECTORS
        .iter()
        .map(|(c, _, _)| connector_pat(c, 0, &dx_token(c), LATER))
        .collect()
}

/// The config folder the CLI runs with (`ADO_CONNECT_CONFIG_DIR`): on drop, every connection
/// saved there is removed with its keyring entries.
pub struct ConfigDir(tempfile::TempDir);

impl ConfigDir {
    pub fn new() -> ConfigDir {
        ConfigDir(tempfile::tempdir().unwrap())
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// The CLI binary `bin` run with this config folder, the demo's full-access PAT as
    /// `ADO_PAT`, quiet logs, no other token or secret taken from the environment, stdin
    /// closed, killed when dropped.
    pub fn command(&self, bin: &str) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(bin);
        cmd.env("ADO_CONNECT_CONFIG_DIR", self.path())
            .env("ADO_PAT", ado_emulator::scenario::DEMO_FULL_ACCESS_PAT)
            .env("RUST_LOG", "error")
            .env_remove("ADO_TOKEN")
            .env_remove("ADO_CONNECT_PRODUCT_TOKEN")
            .env_remove("ADO_HOOK_SECRET")
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// The connections saved there.
    pub fn connections(&self) -> Option<Connections> {
        let store = SecretStore::detect().ok()?;
        Some(Connections::new(self.path(), store))
    }
}

impl Default for ConfigDir {
    fn default() -> Self {
        ConfigDir::new()
    }
}

impl Drop for ConfigDir {
    fn drop(&mut self) {
        if let Some(connections) = self.connections() {
            for p in connections.list().unwrap_or_default() {
                let _ = connections.remove(&p.id);
            }
        }
    }
}
