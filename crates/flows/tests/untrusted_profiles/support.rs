//! What these tests share: the emulator, DX's service accounts, a saved connection in the real
//! keyring (removed with its secrets on drop), the gate and the hand-off on it, profiles written
//! to a folder of their own and loaded as the app loads them, and small test profiles.

use std::path::{Path, PathBuf};

use ado_client::Credential;
use ado_core::checks::Problem;
use ado_core::product::ProductProfile;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_emulator::scenario::{TokenSpec, UserSpec};
use ado_emulator::{Config, Emulator, Scenario};
use ado_flows::product::gate::{clear_saved, Clear, ConnectorPat, Outcome, SavedCheck};
use ado_flows::product::handoff::{open_handoff, Handoff, HandoffChoice};
use ado_flows::product::load_profile;
use ado_flows::{AuthMethod, ConnectOptions, Connections, ProfileId, SecretStore};
use secrecy::SecretString;

/// An expiry date far enough ahead for every run of these tests.
pub const LATER: &str = "2099-01-31";

pub fn profile_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../profiles/{name}.toml"))
}

/// A shipped profile, loaded from where it ships.
pub fn profile(name: &str) -> ProductProfile {
    load_profile(&profile_path(name))
        .unwrap_or_else(|e| panic!("{e}"))
        .profile
}

/// Writes `text` to `dir/file` and loads it as the app and the CLI do.
pub fn written(dir: &Path, file: &str, text: &str) -> ProductProfile {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    load_profile(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .profile
}

pub async fn emulator_with(change: impl FnOnce(&mut Scenario)) -> Emulator {
    let mut scenario = Scenario::demo();
    change(&mut scenario);
    Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .expect("the emulator starts")
}

/// fabrikam, a Services organization of the emulator.
pub fn services(emu: &Emulator) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Services),
        organization: "fabrikam".into(),
        services_url: format!("{}/", emu.base_url()),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// DX's connectors, with their labels and exactly the scopes DX's page lists.
pub const DX_CONNECTORS: [(&str, &str, &[&str]); 5] = [
    (
        "boards",
        "Boards",
        &[
            "vso.work",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    (
        "pipelines",
        "Pipelines",
        &[
            "vso.build",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    (
        "repos",
        "Repositories",
        &[
            "vso.code",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    ("pull_commits", "Pull Commits", &["vso.code"]),
    ("commits", "Commits (default branch)", &["vso.code"]),
];

/// The PAT of DX's `connector` in [`dx_world`].
pub fn dx_token(connector: &str) -> String {
    format!("untrusted-dx-{connector}-service-account-pat-0123456789")
}

/// One service account per DX connector, each with a PAT of exactly its connector's scopes.
pub fn dx_world(scenario: &mut Scenario) {
    for (connector, _, scopes) in DX_CONNECTORS {
        let user = format!("svc-{connector}@fabrikam.example");
        scenario.users.push(UserSpec {
            display_name: format!("svc-{connector}"),
            email: user.clone(),
            id: None,
            account: None,
            collection_administrator: false,
            declines_sign_in: false,
        });
        scenario
            .pats
            .push(TokenSpec::everywhere(&dx_token(connector), &user, scopes));
    }
}

/// DX's five connector PATs, as given to the gate.
pub fn dx_pats() -> Vec<ConnectorPat> {
    DX_CONNECTORS
        .iter()
        .map(|(c, _, _)| ConnectorPat {
            connector: c.to_string(),
            index: 0,
            pat: SecretString::from(dx_token(c)),
            expires_on: Some(LATER.into()),
        })
        .collect()
}

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
pub async fn saved(target: ConnectionTarget, token: &str) -> Saved {
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
                expires_on: Some(LATER.into()),
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
    /// The gate, run now ("Check access"), with connector PATs given.
    pub async fn clear(&self, profile: ProductProfile, pats: Vec<ConnectorPat>) -> Outcome {
        clear_saved(
            &self.connections,
            &self.settings,
            SavedCheck {
                profile,
                connection_id: self.id.clone(),
                project: None,
                repository: None,
                pats,
            },
            Clear::Always,
            now(),
            &|_| {},
        )
        .await
        .expect("the store works")
    }

    /// The hand-off, through the gate (a pass recorded within a day, else the checks).
    pub async fn handoff(
        &self,
        profile: ProductProfile,
        choice: HandoffChoice,
    ) -> Result<Handoff, Problem> {
        open_handoff(
            &self.connections,
            &self.settings,
            profile,
            &self.id,
            choice,
            now(),
        )
        .await
    }
}

/// A small product whose webhooks ADO Connect registers with a secret it generates
/// (`secret = "wizard"`), and whose API takes `{webhook_secret}` in its body. `id` and the
/// receiver's host vary per test product; `api_url` is a placeholder.
pub fn wizard_product(id: &str, name: &str, receiver: &str, event: &str) -> String {
    format!(
        r#"format = 1

[product]
id = "{id}"
name = "{name}"

[deployments]
services = true
server = false

[sign_in]
methods = ["pat"]
recommended = "pat"

[access]
scopes = ["vso.code"]

[[placeholders]]
name = "api_url"
label = "{name} API URL"
kind = "url"

[webhooks]
events = ["{event}"]
scope = "each_project"
url = "{receiver}"
header = "X-{name}-Signature"
secret = "wizard"

[handoff]
title = "Paste into {name}"
fields = [
  {{ source = "organization", label = "Organization" }},
  {{ source = "webhook_secret", label = "Webhook secret" }},
]

[handoff.post]
url = "{{api_url}}/receivers"
token_label = "{name} API token"
body = {{ organization = "{{organization}}", signing_secret = "{{webhook_secret}}" }}
"#
    )
}
