//! Azure DevOps Server 2019, 2020 and 2022, one parametrised suite (issue 25): each release
//! runs the main journeys against the emulator — verify and save, the checks with every
//! capability, webhooks planned, applied, tested, their history read, their secret rotated and
//! removed, the home's card and re-verify, a hand-off to a product that supports Server — and
//! then every request that release received is checked against its published spec
//! (`ado_emulator::spec`, extracted from `MicrosoftDocs/vsts-rest-api-specs`
//! `specification/*/azure-devops-server-{5.0,6.0,7.0}`): the operation exists and the
//! `api-version` sent is one it documents. Team Foundation Server 2018 stays `server_too_old`, and
//! a product's own minimum (Appcircle: 2022) still refuses the older two.
//!
//! Secrets go to the real keyring (as in `hooks/`); each test's profile is removed at the end.

use ado_client::Credential;
use ado_core::checks::CheckCode;
use ado_core::preflight::{CheckId, Status};
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_core::webhook::EventKind;
use ado_emulator::scenario::{ServerSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::spec::published;
use ado_emulator::{Config, Emulator, Scenario, ServerVersion};
use ado_flows::hooks::{self, AuthChoice, HookRequest, SecretChoice};
use ado_flows::product::handoff::{open_handoff, HandoffChoice};
use ado_flows::product::load_profile_text;
use ado_flows::{connect_with_pat, Connections, PatConnectRequest, ProfileId, SecretStore};
use secrecy::SecretString;

const PROJECT: &str = "Fabrikam Fiber";
const REPOSITORY: &str = "fiber-api";

/// A product that supports Azure DevOps Server (every shipped one that does needs 2022): a
/// PAT, repositories and pull requests, its own verification call at 7.0 (sent at the server's
/// version), webhooks it creates itself (so the service-hooks permission is checked), and a
/// form with the server URL, collection, project, repository and PAT.
const ON_PREM_PRODUCT: &str = r#"
format = 1

[product]
id = "onprem-ci"
name = "On-prem CI"

[deployments]
services = false
server = true

[sign_in]
methods = ["pat"]
recommended = "pat"

[access]
capabilities = ["repos", "pulls"]

[webhooks]
created_by = "product"
events = ["git.push", "git.pullrequest.created"]

[verification]

[[verification.calls]]
title = "List repositories (On-prem CI's token check)"
get = "_apis/git/repositories"
api_version = "7.0"
expect_items = true

[handoff]
fields = [
  { source = "server_url", label = "Server URL", deployment = "server" },
  { source = "collection", label = "Collection", deployment = "server" },
  { source = "project", label = "Project" },
  { source = "repository", label = "Repository" },
  { source = "pat", label = "Personal access token" },
]
"#;

/// One release under test: its version, its virtual directory in the test world, and the
/// newest REST API version it serves.
#[derive(Debug, Clone, Copy)]
struct Release {
    version: ServerVersion,
    vdir: &'static str,
    latest: &'static str,
}

const V2018: Release = Release {
    version: ServerVersion::V2018,
    vdir: "r2018",
    latest: "4.1",
};
const V2019: Release = Release {
    version: ServerVersion::V2019,
    vdir: "r2019",
    latest: "5.0",
};
const V2020: Release = Release {
    version: ServerVersion::V2020,
    vdir: "r2020",
    latest: "6.0",
};
const V2022: Release = Release {
    version: ServerVersion::V2022,
    vdir: "r2022",
    latest: "7.0",
};

/// The demo world plus one healthy server per release (public URL correct, so the checks can
/// pass), each with `Fabrikam Fiber` → `fiber-api`, Demo Admin its project administrator.
async fn emulator() -> Emulator {
    let mut scenario = Scenario::demo();
    for release in [V2018, V2019, V2020, V2022] {
        let server: ServerSpec = serde_json::from_value(serde_json::json!({
            "name": format!("release-{}", release.version.as_str()),
            "version": release.version.as_str(),
            "virtualDirectory": release.vdir,
            "collections": [{
                "name": "DefaultCollection",
                "projects": [{
                    "name": PROJECT,
                    "administrators": [DEMO_USER_EMAIL],
                    "repositories": [{"name": REPOSITORY}]
                }]
            }]
        }))
        .expect("a server spec");
        scenario.servers.push(server);
    }
    Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .expect("the emulator starts")
}

fn target(emu: &Emulator, release: Release) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("{}/{}", emu.base_url(), release.vdir),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .expect("a valid target")
}

/// A saved connection, removed with its secrets at the end.
struct Saved {
    connections: Connections,
    id: ProfileId,
    _dir: tempfile::TempDir,
}

impl Drop for Saved {
    fn drop(&mut self) {
        let _ = self.connections.remove(&self.id);
    }
}

/// Every request `release` received is an operation of its published spec at a version it
/// documents. The location service (`OPTIONS _apis`, `_apis/connectionData`) has no published
/// spec: the SDKs' use of it is what the emulator follows.
fn assert_requests_follow_the_spec(emu: &Emulator, release: Release) {
    let prefix = format!("/{}/defaultcollection/", release.vdir);
    let mut checked = 0;
    for request in emu.requests() {
        let Some(path) = request
            .path
            .to_ascii_lowercase()
            .starts_with(&prefix)
            .then(|| request.path[prefix.len()..].to_string())
        else {
            continue;
        };
        let location_service = (request.method == "OPTIONS" && path == "_apis")
            || path.eq_ignore_ascii_case("_apis/connectionData");
        if location_service {
            continue;
        }
        published()
            .check(
                release.version,
                &request.method,
                &path,
                request.api_version.as_deref(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", release.version.product_name()));
        assert_eq!(
            request.api_version.as_deref(),
            Some(release.latest),
            "{} {path}: every request at the version both sides know",
            request.method
        );
        checked += 1;
    }
    assert!(checked > 10, "the journeys sent requests ({checked})");
}

/// Verify and save, the checks, webhooks apply and remove, a hand-off; then the spec check.
async fn main_journeys(release: Release) {
    let emu = emulator().await;
    let target = target(&emu, release);
    let name = release.version.product_name();

    // Verify and save, as the app's Verify does.
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::detect().expect("a keyring (Secret Service or kernel keyring)");
    let connections = Connections::new(dir.path(), store);
    let connected = connect_with_pat(
        &connections,
        PatConnectRequest {
            target: TargetInput {
                deployment: Some(Deployment::Server),
                server_url: target.host_url().to_string(),
                collection: "DefaultCollection".into(),
                ..Default::default()
            },
            pat: SecretString::from(DEMO_FULL_ACCESS_PAT.to_string()),
            expires_on: None,
            trusted_ca_pem: None,
            proxy: None,
            allow_http: false,
        },
        0,
    )
    .await
    .unwrap_or_else(|e| panic!("{name} verifies: {e}"));
    let saved = Saved {
        connections: connections.clone(),
        id: connected.profile.id.clone(),
        _dir: dir,
    };
    let verified = &connected.verified;
    assert_eq!(
        verified
            .server_api_version
            .map(|v| v.to_string())
            .as_deref(),
        Some(release.latest)
    );
    assert_eq!(verified.server_release, Some(name));
    assert_eq!(verified.repository_count, 1, "{name}");
    let repo = &verified.projects[0].repositories[0];
    assert!(
        repo.web_url.is_some(),
        "{name}: a web link even where the server sends no webUrl (2019)"
    );
    assert_eq!(
        connected
            .profile
            .options
            .server_api_version
            .map(|v| v.to_string())
            .as_deref(),
        Some(release.latest),
        "the saved connection keeps the server's version"
    );

    // The checks, every capability, at the server's version.
    let request = ado_flows::preflight::request_for_profile(
        &connections,
        &saved.id,
        ado_core::capabilities::Capability::ALL.to_vec(),
        Some(PROJECT.into()),
        false,
    )
    .await
    .expect("the saved connection opens");
    let report = ado_flows::preflight::run_preflight(&request, &|_| {}).await;
    let failures: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .collect();
    assert!(report.ok, "{name}: {failures:#?}");
    let version = report
        .checks
        .iter()
        .find(|c| c.id == CheckId::ServerVersion)
        .unwrap();
    assert!(
        version.message.starts_with(name) && version.message.contains(release.latest),
        "{}",
        version.message
    );
    for check in &report.checks {
        if let Some(curl) = check.curl.as_deref().filter(|c| c.contains("api-version")) {
            assert!(
                curl.contains(&format!("api-version={}", release.latest)),
                "{name}: the reproduction shows the version sent: {curl}"
            );
        }
    }

    // Webhooks: plan, apply, remove, through the saved connection.
    let settings = ado_flows::signin::settings().unwrap();
    let session = hooks::open_session(&connections, &saved.id, &settings)
        .await
        .expect("a session");
    let hook_request = HookRequest {
        project: PROJECT.into(),
        projects: Vec::new(),
        all_projects: false,
        repository: Some(REPOSITORY.into()),
        repositories: Vec::new(),
        branch: Some("main".into()),
        events: EventKind::ALL.to_vec(),
        url: "http://127.0.0.1:9/hooks/ado".into(),
        auth: AuthChoice::SecretHeader {
            header: None,
            secret: SecretChoice::Keep,
        },
        take_over: false,
    };
    let plan = hooks::plan_hooks(&session.client, &session.records, &hook_request)
        .await
        .unwrap_or_else(|p| panic!("{name} plans: {p:?}"));
    assert_eq!(plan.plan.create.len(), 5, "{name}: {}", plan.plan.summary());
    let applied = hooks::apply_plan(&session.client, &session.records, &plan, &|_| {})
        .await
        .expect("the apply");
    assert!(applied.ok, "{name}: {:?}", applied.failed);
    assert_eq!(applied.created.len(), 5);
    let push = applied
        .created
        .iter()
        .find(|h| h.event == EventKind::CodePushed)
        .expect("the push subscription");
    let test = hooks::send_test(&session.client, &session.records, &push.subscription_id)
        .await
        .unwrap_or_else(|p| panic!("{name} sends a test: {p:?}"));
    assert!(
        !test.delivered,
        "nothing listens on the discard port; the server recorded the attempt"
    );
    let history = hooks::history(&session.client, &session.records, &push.subscription_id, 5)
        .await
        .unwrap_or_else(|p| panic!("{name} reads the history: {p:?}"));
    assert!(!history.is_empty(), "{name}: the test is in the history");
    let rotated = hooks::rotate_secret(&session.client, &session.records, &|_| {})
        .await
        .unwrap_or_else(|p| panic!("{name} rotates the secret: {p:?}"));
    assert!(
        rotated.ok && rotated.updated.len() == 5,
        "{name}: {rotated:?}"
    );
    let removed = hooks::remove_hooks(&session.client, &session.records)
        .await
        .expect("the removal");
    assert!(
        removed.ok && removed.removed.len() == 5,
        "{name}: {removed:?}"
    );

    // The home: the card names the release; re-verify keeps the version.
    let card = ado_flows::home::card(&connections.get(&saved.id).unwrap().unwrap(), 0);
    assert_eq!(card.server_release, Some(name));
    let again = ado_flows::home::reverify(&connections, &saved.id, &settings, 1)
        .await
        .unwrap_or_else(|p| panic!("{name} re-verifies: {p:?}"));
    assert_eq!(
        again
            .profile
            .options
            .server_api_version
            .map(|v| v.to_string())
            .as_deref(),
        Some(release.latest)
    );

    // A hand-off to a product that supports Server.
    let product = load_profile_text("onprem-ci.toml", ON_PREM_PRODUCT)
        .expect("the test profile is valid")
        .profile;
    let handoff = open_handoff(
        &connections,
        &settings,
        product,
        &saved.id,
        HandoffChoice {
            project: Some(PROJECT.into()),
            repository: Some(REPOSITORY.into()),
            ..Default::default()
        },
        now(),
    )
    .await
    .unwrap_or_else(|p| panic!("{name}: the product's checks pass: {p:?}"));
    assert!(handoff.missing().is_empty(), "{:?}", handoff.missing());
    assert_eq!(
        handoff.field_value("collection").as_deref(),
        Some("DefaultCollection")
    );
    assert_eq!(
        handoff.field_value("pat:default:0").as_deref(),
        Some(DEMO_FULL_ACCESS_PAT)
    );

    assert_requests_follow_the_spec(&emu, release);
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

macro_rules! releases {
    ($($name:ident => $release:expr),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            main_journeys($release).await;
        }
    )*};
}

releases! {
    azure_devops_server_2019 => V2019,
    azure_devops_server_2020 => V2020,
    azure_devops_server_2022 => V2022,
}

#[tokio::test]
async fn team_foundation_server_2018_is_too_old_and_says_which_it_is() {
    let emu = emulator().await;
    let target = target(&emu, V2018);
    let problem = ado_flows::verify_connection(
        &target,
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &Default::default(),
    )
    .await
    .expect_err("TFS 2018 is not supported");
    assert_eq!(problem.code, CheckCode::ServerTooOld);
    assert_eq!(
        problem.message,
        "This server is Team Foundation Server 2018 (REST API up to 4.1). ADO Connect supports Azure DevOps Server 2019 (REST API 5.0) and newer."
    );
    assert!(
        emu.requests()
            .iter()
            .all(|r| !r.path.to_ascii_lowercase().contains("_apis/projects")),
        "refused from its resource locations, before listing anything"
    );
}

/// Appcircle's page asks for Azure DevOps Server 2022 or later: the server's version, as the
/// client now reads it (`AdoClient::server_api_version`), still refuses 2019 and 2020 with
/// Appcircle's own reason.
#[tokio::test]
async fn a_product_minimum_still_refuses_older_servers() {
    let emu = emulator().await;
    let appcircle = ado_flows::product::load_profile(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/appcircle.toml"),
    )
    .expect("the shipped profile loads")
    .profile;
    for release in [V2019, V2020, V2022] {
        let target = target(&emu, release);
        let client = ado_flows::verify::client_for(
            &target,
            Credential::pat(DEMO_FULL_ACCESS_PAT),
            &Default::default(),
        )
        .unwrap();
        let latest = client.server_api_version().await.expect("the version");
        let fact = (latest.major < 7).then(|| latest.to_string());
        let verdict =
            ado_core::product::verdicts::server_version(&appcircle, &target, Ok(fact.as_deref()))
                .expect("Appcircle names a minimum");
        if release.version == ServerVersion::V2022 {
            assert_eq!(verdict.status, Status::Pass);
        } else {
            assert_eq!(verdict.status, Status::Fail, "{release:?}");
            assert_eq!(verdict.code, Some(CheckCode::ServerTooOld));
            assert!(
                verdict
                    .message
                    .contains("Appcircle needs Azure DevOps Server 2022"),
                "{}",
                verdict.message
            );
        }
    }
}

/// A Server connection saved before its version was recorded learns it on its next opening,
/// once: one `OPTIONS _apis`, then the saved version serves every later client.
#[tokio::test]
async fn a_connection_saved_before_learns_its_version_once() {
    let emu = emulator().await;
    let target = target(&emu, V2020);
    let verified = ado_flows::verify_connection(
        &target,
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &Default::default(),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), SecretStore::detect().expect("a keyring"));
    let profile = connections
        .save_connection(
            &verified,
            &SecretString::from(DEMO_FULL_ACCESS_PAT.to_string()),
            ado_flows::AuthMethod::Pat { expires_on: None },
            &Default::default(),
            0,
        )
        .unwrap();
    let saved = Saved {
        connections: connections.clone(),
        id: profile.id.clone(),
        _dir: dir,
    };
    connections
        .update_profile(&saved.id, |p| p.options.server_api_version = None)
        .unwrap();
    let settings = ado_flows::signin::settings().unwrap();
    emu.clear_requests();
    for _ in 0..2 {
        let opened = ado_flows::open_connection(&connections, &saved.id, &settings)
            .await
            .unwrap();
        assert_eq!(
            opened
                .profile
                .options
                .server_api_version
                .map(|v| v.to_string()),
            Some("6.0".to_string())
        );
        opened
            .client()
            .unwrap()
            .projects_page(1, None)
            .await
            .unwrap();
    }
    let log = emu.requests();
    assert_eq!(
        log.iter().filter(|r| r.method == "OPTIONS").count(),
        1,
        "learned once: {log:?}"
    );
    assert!(log
        .iter()
        .filter(|r| r.method == "GET")
        .all(|r| r.api_version.as_deref() == Some("6.0")));
}
