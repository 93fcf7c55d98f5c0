//! A Microsoft sign-in against the emulator's Entra ID, saved in the real keyring: what the
//! minting tests ("Create the tokens for me") start from.

use ado_client::{AdoClient, ClientConfig, Credential};
use ado_core::product::ProductProfile;
use ado_emulator::{Config, Emulator, Scenario};
use ado_flows::product::gate::{clear_saved, Clear, Outcome, SavedCheck};
use ado_flows::product::handoff::{open_handoff, Handoff, HandoffChoice};
use ado_flows::product::mint::{mint_tokens, MintReport, MintRequest};
use ado_flows::signin::{self, services_target};
use ado_flows::{Backend, ConnectOptions, Connections, ProfileId, SecretStore};
use secrecy::SecretString;

/// Demo Admin, who signs in.
pub const ADMIN: &str = "demo.admin@fabrikam.example";

/// The emulator (Azure DevOps and its Entra ID), a connection store in a folder of its own with
/// the real keyring, and sign-in settings pointed at the emulator.
pub struct Fixture {
    pub emulator: Emulator,
    pub connections: Connections,
    pub settings: ado_auth::SignInSettings,
    dir: tempfile::TempDir,
}

/// The demo world; `None` (the test says it is skipped) on a machine without a keyring.
pub async fn fixture() -> Option<Fixture> {
    fixture_with(Scenario::demo()).await
}

/// The same with `scenario`.
pub async fn fixture_with(scenario: Scenario) -> Option<Fixture> {
    let store = match SecretStore::probe(Backend::SecretService)
        .or_else(|_| SecretStore::probe(Backend::KernelKeyring))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipping: no secret store ({e})");
            return None;
        }
    };
    let emulator = Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .expect("emulator");
    let base = emulator.base_url().to_string();
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .expect("settings");
    let dir = tempfile::tempdir().unwrap();
    Some(Fixture {
        connections: Connections::new(dir.path(), store),
        emulator,
        settings,
        dir,
    })
}

impl Fixture {
    /// The folder the connections are saved in (the CLI's `ADO_CONNECT_CONFIG_DIR`).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// fabrikam on the emulator.
    pub fn target(&self) -> ado_core::target::ConnectionTarget {
        services_target("fabrikam", &format!("{}/", self.emulator.base_url())).unwrap()
    }

    /// Demo Admin signs in with a device code on fabrikam; the saved connection's id.
    pub async fn sign_in(&self) -> ProfileId {
        let entra = self.emulator.entra();
        signin::sign_in_with_device_code(
            &self.connections,
            &self.target(),
            &self.settings,
            &ConnectOptions::default(),
            move |prompt| {
                entra
                    .approve_device_code(&prompt.user_code, ADMIN)
                    .expect("approved");
            },
            |_| {},
            1,
        )
        .await
        .expect("signed in")
        .profile
        .id
    }

    /// What fabrikam answers `pat` (200, or the refusal's status, 401 once revoked).
    pub async fn status_with(&self, pat: &SecretString) -> Option<u16> {
        let base = url::Url::parse(&format!("{}/fabrikam/", self.emulator.base_url())).unwrap();
        let client = AdoClient::new(ClientConfig::new(base, Credential::Pat(pat.clone()))).unwrap();
        match client.connection_data().await {
            Ok(_) => Some(200),
            Err(e) => e.status(),
        }
    }

    /// Mints now; the test fails on a refusal.
    pub async fn mint(&self, request: MintRequest) -> MintReport {
        mint_tokens(
            &self.connections,
            &self.settings,
            request,
            crate::world::now(),
            &|_| {},
        )
        .await
        .unwrap_or_else(|r| panic!("{r:?}"))
    }

    /// The product gate, now.
    pub async fn gate(&self, check: SavedCheck, when: Clear) -> Outcome {
        clear_saved(
            &self.connections,
            &self.settings,
            check,
            when,
            crate::world::now(),
            &|_| {},
        )
        .await
        .expect("the store works")
    }

    /// The hand-off of `profile` on the connection `id`, through the gate, now.
    pub async fn handoff(
        &self,
        id: &ProfileId,
        profile: ProductProfile,
    ) -> Result<Handoff, ado_flows::Error> {
        open_handoff(
            &self.connections,
            &self.settings,
            profile,
            id,
            HandoffChoice::default(),
            crate::world::now(),
        )
        .await
    }
}
