//! What every product test shares: the profiles as shipped, emulator worlds, targets, a check
//! that counts its streamed rows, saved connections in the real keyring (removed on drop), and
//! the emulator's request log.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ado_client::Credential;
use ado_core::checks::Problem;
use ado_core::preflight::{Check, Status};
use ado_core::product::verdicts::{Restriction, Rule};
use ado_core::product::{ProductProfile, SignInMethod};
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_emulator::scenario::{TokenSpec, UserSpec, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator, Scenario};
use ado_flows::product::gate::{clear_saved, Clear, ConnectorPat, Outcome, SavedCheck};
use ado_flows::product::handoff::{open_handoff, Handoff, HandoffChoice};
use ado_flows::product::{
    check_product, load_profile, ProductCheckRequest, ProductCredential, ProductReport,
};
use ado_flows::{AuthMethod, ConnectOptions, Connections, ProfileId, SecretStore};
use secrecy::SecretString;

/// An expiry date far enough ahead for every run of these tests.
pub const LATER: &str = "2099-01-31";

pub fn profile_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../profiles/{name}.toml"))
}

/// A shipped profile, loaded as the app and the CLI load it.
pub fn profile(name: &str) -> ProductProfile {
    load_profile(&profile_path(name))
        .unwrap_or_else(|e| panic!("{e}"))
        .profile
}

/// The demo world, changed by `change` first.
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

pub async fn emulator() -> Emulator {
    emulator_with(|_| {}).await
}

/// Adds a PAT of Demo Admin with exactly `scopes`.
pub fn add_pat(scenario: &mut Scenario, token: &str, scopes: &[&str]) {
    add_pat_of(scenario, token, DEMO_USER_EMAIL, scopes);
}

/// Adds a PAT of `user` (added to the world if new) with exactly `scopes`.
pub fn add_pat_of(scenario: &mut Scenario, token: &str, user: &str, scopes: &[&str]) {
    if !scenario.users.iter().any(|u| u.email == user) {
        scenario.users.push(UserSpec {
            display_name: user.split('@').next().unwrap_or(user).to_string(),
            email: user.to_string(),
            id: None,
            account: None,
            collection_administrator: false,
            declines_sign_in: false,
        });
    }
    scenario
        .pats
        .push(TokenSpec::everywhere(token, user, scopes));
}

/// A Services organization of the emulator.
pub fn services(emu: &Emulator, organization: &str) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Services),
        organization: organization.into(),
        services_url: format!("{}/", emu.base_url()),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// A collection of the emulator: `tfs/DefaultCollection` (under a virtual directory) or
/// `ContosoCollection` (at the root).
pub fn server(emu: &Emulator, vdir_and_collection: &str) -> ConnectionTarget {
    let (vdir, collection) = vdir_and_collection
        .rsplit_once('/')
        .unwrap_or(("", vdir_and_collection));
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("{}/{vdir}", emu.base_url())
            .trim_end_matches('/')
            .to_string(),
        collection: collection.into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// A connector's PAT, dated `LATER`.
pub fn pat(connector: &str, index: usize, token: &str) -> ProductCredential {
    ProductCredential {
        connector: connector.into(),
        index,
        credential: Credential::pat(token),
        method: SignInMethod::Pat,
        expires_on: Some(LATER.into()),
    }
}

pub fn request(
    profile: ProductProfile,
    target: ConnectionTarget,
    credentials: Vec<ProductCredential>,
) -> ProductCheckRequest {
    ProductCheckRequest {
        profile,
        target,
        options: ConnectOptions::default(),
        consent_to_http: false,
        project: None,
        repository: None,
        credentials,
        hooks_credential: None,
    }
}

/// Runs the checks; every restriction and row is streamed before the report returns.
pub async fn check(request: &ProductCheckRequest) -> ProductReport {
    let events = Mutex::new(0usize);
    let report = check_product(request, &|_| *events.lock().unwrap() += 1).await;
    let rows: usize = report.connectors.iter().map(|c| c.checks.len()).sum();
    assert_eq!(
        *events.lock().unwrap(),
        report.restrictions.len() + rows,
        "every restriction and row is streamed once"
    );
    report
}

pub fn restriction(report: &ProductReport, rule: Rule) -> &Restriction {
    report
        .restrictions
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("no {rule:?} in {:#?}", report.restrictions))
}

pub fn failing_restrictions(report: &ProductReport) -> Vec<&Restriction> {
    report
        .restrictions
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect()
}

/// The row titled `title` of a connector's (first) credential.
pub fn row<'r>(report: &'r ProductReport, connector: &str, title: &str) -> &'r Check {
    let c = report
        .connectors
        .iter()
        .find(|c| c.connector == connector)
        .unwrap_or_else(|| panic!("{connector} was not checked: {report:#?}"));
    c.checks
        .iter()
        .find(|k| k.title == title)
        .unwrap_or_else(|| panic!("no row {title:?} for {connector}: {:#?}", c.checks))
}

/// Requests the emulator received (the control API's own are not logged).
pub fn requests(emu: &Emulator) -> usize {
    emu.requests().len()
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A saved connection (profile + PAT in the keyring), removed with its secrets on drop.
pub struct Saved {
    pub connections: Connections,
    pub id: ProfileId,
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

    /// The hand-off, through the gate.
    pub async fn handoff(
        &self,
        profile: ProductProfile,
        choice: HandoffChoice,
        now: u64,
    ) -> Result<Handoff, Problem> {
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

/// The project and repository the hand-off gets.
pub fn chosen(project: &str, repository: &str) -> HandoffChoice {
    HandoffChoice {
        project: Some(project.into()),
        repository: Some(repository.into()),
        ..Default::default()
    }
}

/// DX's connectors, each with exactly the scopes DX's page lists for it.
pub const DX_CONNECTORS: [(&str, &[&str]); 5] = [
    (
        "boards",
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
        &[
            "vso.code",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    ("pull_commits", &["vso.code"]),
    ("commits", &["vso.code"]),
];

/// The PAT of DX's `connector` in [`dx_world`].
pub fn dx_token(connector: &str) -> String {
    format!("dx-{connector}-service-account-pat-0123456789abcdef")
}

/// Adds one service account per DX connector (`svc-{connector}@fabrikam.example`), each with a
/// PAT of exactly its connector's scopes ([`dx_token`]), as DX recommends.
pub fn dx_world(scenario: &mut Scenario) {
    for (connector, scopes) in DX_CONNECTORS {
        add_pat_of(
            scenario,
            &dx_token(connector),
            &format!("svc-{connector}@fabrikam.example"),
            scopes,
        );
    }
}

/// The five connector PATs of [`dx_world`] for the checks, dated `LATER`.
pub fn dx_credentials() -> Vec<ProductCredential> {
    DX_CONNECTORS
        .iter()
        .map(|(c, _)| pat(c, 0, &dx_token(c)))
        .collect()
}

/// The same, as given to the gate.
pub fn dx_pats() -> Vec<ConnectorPat> {
    DX_CONNECTORS
        .iter()
        .map(|(c, _)| connector_pat(c, 0, &dx_token(c), LATER))
        .collect()
}
