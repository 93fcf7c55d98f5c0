//! The emulator's demo world as the product tests change it, its targets, and the product
//! profiles as shipped.

use std::path::PathBuf;

use ado_core::product::ProductProfile;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_emulator::scenario::{TokenSpec, UserSpec};
use ado_emulator::{Config, Emulator, Scenario};

/// An expiry date far enough ahead for every run of these tests.
pub const LATER: &str = "2099-01-31";

/// A shipped profile's file (`profiles/{name}.toml`).
pub fn profile_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../profiles/{name}.toml"))
}

/// A shipped profile, loaded as the app and the CLI load it.
pub fn profile(name: &str) -> ProductProfile {
    ado_flows::product::load_profile(&profile_path(name))
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

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// DX's connectors, with their labels and exactly the scopes DX's page lists for each.
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
    format!("dx-{connector}-service-account-pat-0123456789abcdef")
}

/// Adds one service account per DX connector (`svc-{connector}@fabrikam.example`), each with a
/// PAT of exactly its connector's scopes ([`dx_token`]), as DX recommends.
pub fn dx_world(scenario: &mut Scenario) {
    for (connector, _, scopes) in DX_CONNECTORS {
        add_pat_of(
            scenario,
            &dx_token(connector),
            &format!("svc-{connector}@fabrikam.example"),
            scopes,
        );
    }
}
