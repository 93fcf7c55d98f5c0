//! The five product profiles end to end against the emulator: what each refuses, what it
//! checks, the webhooks it registers, and its hand-off (the POST received by a test double of
//! the product's API over TLS, trusted through configuration only).
//!
//! Secrets go to the real keyring (Secret Service when one runs, else the kernel keyring);
//! profiles are removed at the end of each test.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use ado_client::Credential;
use ado_core::checks::CheckCode;
use ado_core::preflight::Status;
use ado_core::product::handoff::{Reveal, SecretKey};
use ado_core::product::verdicts::Rule;
use ado_core::product::{ProductProfile, SignInMethod};
use ado_core::target::{ConnectionTarget, Deployment, Field, TargetInput};
use ado_emulator::scenario::{
    TokenSpec, DEMO_CODE_READ_PAT, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL,
};
use ado_emulator::{Config, Emulator, HostPath, Scenario};
use ado_flows::hooks::HookRecords;
use ado_flows::product::handoff::{post_handoff, Handoff, HandoffChoice, PostOptions};
use ado_flows::product::{
    apply_product_hooks, check_product, load_profile, ProductCheckRequest, ProductCredential,
    ProductHooksRequest, ProductReport,
};
use ado_flows::{verify_connection, ConnectOptions, Connections, SecretStore};
use secrecy::SecretString;

fn profile(name: &str) -> ProductProfile {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../profiles/{name}.toml"));
    load_profile(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .profile
}

fn server(emu: &Emulator, vdir_and_collection: &str) -> ConnectionTarget {
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

fn services(emu: &Emulator, organization: &str) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Services),
        organization: organization.into(),
        services_url: format!("{}/", emu.base_url()),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn pat(connector: &str, index: usize, token: &str) -> ProductCredential {
    ProductCredential {
        connector: connector.into(),
        index,
        credential: Credential::pat(token),
        method: SignInMethod::Pat,
        expires_on: Some("2027-01-31".into()),
    }
}

fn request(
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

async fn check(request: &ProductCheckRequest) -> ProductReport {
    let events = Mutex::new(0usize);
    let report = check_product(request, &|_| *events.lock().unwrap() += 1).await;
    assert!(
        *events.lock().unwrap() >= report.restrictions.len(),
        "every row is streamed"
    );
    report
}

/// A world with PATs of exactly the scopes a test names.
async fn emulator_with(pats: &[(&str, &[&str])]) -> Emulator {
    let mut scenario = Scenario::demo();
    for (token, scopes) in pats {
        scenario
            .pats
            .push(TokenSpec::everywhere(token, DEMO_USER_EMAIL, scopes));
    }
    Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .expect("the emulator starts")
}

fn restriction(report: &ProductReport, rule: Rule) -> &ado_core::product::verdicts::Restriction {
    report
        .restrictions
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("no {rule:?} in {:#?}", report.restrictions))
}

/// The failing scope row of a connector.
fn failing_scope<'r>(report: &'r ProductReport, connector: &str) -> &'r ado_core::preflight::Check {
    let c = report
        .connectors
        .iter()
        .find(|c| c.connector == connector)
        .expect("the connector was checked");
    c.scopes
        .iter()
        .find(|s| s.status == Status::Fail)
        .unwrap_or_else(|| panic!("no failing scope in {:#?}", c.scopes))
}

// --- dbt ----------------------------------------------------------------------------------------

#[tokio::test]
async fn dbt_refuses_a_server_before_sending_anything() {
    // A server that does not listen: any request would come back `unreachable`.
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: "http://127.0.0.1:9/tfs".into(),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let mut sp = pat("default", 0, "unused");
    sp.method = SignInMethod::ServicePrincipal;
    let report = check(&request(profile("dbt"), target, vec![sp])).await;
    let r = restriction(&report, Rule::Deployment);
    assert_eq!(
        (r.status, r.code, r.field),
        (
            Status::Fail,
            Some(CheckCode::InvalidInput),
            Some(Field::ServerUrl)
        )
    );
    assert!(
        r.message
            .contains("dbt does not support Azure DevOps Server"),
        "{}",
        r.message
    );
    assert!(report.refused && !report.ok);
    assert!(
        report.connectors.is_empty(),
        "nothing was probed on a deployment dbt refuses"
    );
}

#[tokio::test]
async fn dbt_refuses_a_pat_and_accepts_a_service_principal_token_on_services() {
    let emu = emulator_with(&[]).await;
    let refused = check(&request(
        profile("dbt"),
        services(&emu, "fabrikam"),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    let r = restriction(&refused, Rule::SignIn);
    assert_eq!(r.status, Status::Fail);
    assert!(
        r.fix.contains("recommended: Service principal"),
        "{}",
        r.fix
    );

    emu.world()
        .add_access_token(TokenSpec::everywhere(
            "dbt-sp-access-token",
            DEMO_USER_EMAIL,
            &["user_impersonation"],
        ))
        .unwrap();
    let sp = ProductCredential {
        connector: "default".into(),
        index: 0,
        credential: Credential::Bearer(SecretString::from("dbt-sp-access-token".to_string())),
        method: SignInMethod::ServicePrincipal,
        expires_on: None,
    };
    let report = check(&request(
        profile("dbt"),
        services(&emu, "fabrikam"),
        vec![sp],
    ))
    .await;
    assert!(report.ok, "{:#?}", report.failures());
    let caps: Vec<_> = report.connectors[0]
        .preflight
        .checks
        .iter()
        .filter_map(|c| c.capability)
        .collect();
    for needed in [
        ado_core::capabilities::Capability::Repositories,
        ado_core::capabilities::Capability::PullRequests,
        ado_core::capabilities::Capability::Webhooks,
    ] {
        assert!(
            caps.contains(&needed),
            "dbt's {needed:?} was probed: {caps:?}"
        );
    }
}

// --- Appcircle ------------------------------------------------------------------------------------

#[tokio::test]
async fn appcircle_refuses_a_server_older_than_2022() {
    let emu = emulator_with(&[]).await;
    let report = check(&request(
        profile("appcircle"),
        server(&emu, "LegacyCollection"),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    let r = restriction(&report, Rule::ServerVersion);
    assert_eq!(
        (r.status, r.code),
        (Status::Fail, Some(CheckCode::ServerTooOld))
    );
    assert!(
        r.message.contains("Azure DevOps Server 2019") && r.message.contains("2022 or later"),
        "{}",
        r.message
    );
    assert!(report.refused && report.connectors.is_empty());
}

#[tokio::test]
async fn appcircle_refuses_a_loopback_public_url() {
    let emu = emulator_with(&[]).await;
    let report = check(&request(
        profile("appcircle"),
        server(&emu, "tfs/DefaultCollection"),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    assert_eq!(
        restriction(&report, Rule::ServerVersion).status,
        Status::Pass,
        "the sandbox server is 2022"
    );
    let r = restriction(&report, Rule::ReachableFromOutside);
    assert_eq!(
        (r.status, r.code),
        (Status::Fail, Some(CheckCode::PublicUrlLocalhost))
    );
    assert!(
        r.message.contains("loopback") && r.message.contains("Appcircle cannot reach it"),
        "{}",
        r.message
    );
    assert!(
        r.fix.contains("publishes the IP addresses"),
        "the profile's reason is shown: {}",
        r.fix
    );
    assert!(report.refused);
}

#[tokio::test]
async fn appcircle_on_a_public_server_checks_webhook_admin_and_hands_off_server_and_owner() {
    let mut scenario = Scenario::demo();
    scenario.servers[0].public_url = Some("https://azure.spacetech.invalid/tfs".into());
    let emu = Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .unwrap();
    let target = server(&emu, "tfs/DefaultCollection");
    let report = check(&request(
        profile("appcircle"),
        target.clone(),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    let reach = restriction(&report, Rule::ReachableFromOutside);
    assert_eq!(
        reach.status,
        Status::Warn,
        "a name that does not resolve here is not refused: {reach:?}"
    );
    assert!(!report.refused);
    let hook_permission = report.connectors[0]
        .preflight
        .checks
        .iter()
        .find(|c| c.id == ado_core::preflight::CheckId::HookPermission);
    assert_eq!(
        hook_permission.map(|c| c.status),
        Some(Status::Pass),
        "Appcircle creates its webhooks: the edit permission is checked"
    );

    assert_eq!(
        report.public_url.as_deref(),
        Some("https://azure.spacetech.invalid/tfs"),
        "the server's own public URL is reported"
    );
    let mut server_facts = facts(target);
    server_facts.server_public_url = report.public_url.clone();
    let handoff = Handoff::new(profile("appcircle"), server_facts).with_secret(
        SecretKey::Pat {
            connector: "default".into(),
            index: 0,
        },
        SecretString::from(DEMO_FULL_ACCESS_PAT.to_string()),
    );
    let panel = handoff.panel(&Reveal::Nothing);
    let labels: Vec<&str> = panel.fields.iter().map(|f| f.label.as_str()).collect();
    assert_eq!(labels, ["Server URL", "Owner", "Personal access token"]);
    assert_eq!(
        panel.fields[0].value.as_deref(),
        Some("https://azure.spacetech.invalid"),
        "the server's public URL without a path: Appcircle's cloud connects there"
    );
    assert_eq!(
        panel.fields[1].value.as_deref(),
        Some("DefaultCollection"),
        "the collection, in the field Appcircle calls owner"
    );
    assert_eq!(
        panel.fields[2].value, None,
        "the PAT is not revealed unless asked"
    );
    assert_eq!(
        handoff.field_value("pat:default:0").as_deref(),
        Some(DEMO_FULL_ACCESS_PAT)
    );
}

fn facts(target: ConnectionTarget) -> ado_core::product::handoff::HandoffFacts {
    ado_core::product::handoff::HandoffFacts {
        target,
        server_public_url: None,
        project: None,
        repository: None,
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: Vec::new(),
        placeholders: BTreeMap::new(),
    }
}

// --- Datafold -------------------------------------------------------------------------------------

const DATAFOLD_NO_WRITE: &str = "datafold-read-only-pat-0123456789abcdefghijklmnopq";
const DATAFOLD_GOOD: &str = "datafold-write-identity-pat-0123456789abcdefghijkl";

#[tokio::test]
async fn datafold_names_the_missing_code_write_scope_then_hands_off_its_three_fields() {
    let emu = emulator_with(&[
        (
            DATAFOLD_NO_WRITE,
            &["vso.project", "vso.code", "vso.identity"],
        ),
        (
            DATAFOLD_GOOD,
            &["vso.project", "vso.code_write", "vso.identity"],
        ),
    ])
    .await;
    let target = services(&emu, "fabrikam");
    let report = check(&request(
        profile("datafold"),
        target.clone(),
        vec![pat("default", 0, DATAFOLD_NO_WRITE)],
    ))
    .await;
    assert!(!report.ok);
    let row = failing_scope(&report, "default");
    assert_eq!(
        (row.code, row.field),
        (Some(CheckCode::InvalidPermissions), Some(Field::Pat))
    );
    assert!(
        row.message.contains("Code (Read & write)") && row.message.contains("vso.code_write"),
        "{}",
        row.message
    );
    assert!(
        row.curl
            .as_deref()
            .is_some_and(|c| c.contains("/refs") && c.contains("$ADO_PAT")),
        "{:?}",
        row.curl
    );

    let mut good = request(
        profile("datafold"),
        target.clone(),
        vec![pat("default", 0, DATAFOLD_GOOD)],
    );
    good.project = Some("Fiber Cloud".into());
    good.repository = Some("fiber-cloud-api".into());
    let report = check(&good).await;
    assert!(report.ok, "{:#?}", report.failures());
    let scopes: Vec<(&str, Status)> = report.connectors[0]
        .scopes
        .iter()
        .map(|s| (s.title.as_str(), s.status))
        .collect();
    assert_eq!(
        scopes,
        [
            ("Token has Code (Read & write)", Status::Pass),
            ("Token has Identity (Read)", Status::Pass)
        ]
    );

    // The hand-off of the saved connection, from the keyring.
    let fx = saved(&emu, target, DATAFOLD_GOOD).await;
    let choice = HandoffChoice {
        project: Some("Fiber Cloud".into()),
        repository: Some("fiber-cloud-api".into()),
        ..Default::default()
    };
    let handoff =
        Handoff::from_connection(&fx.connections, &fx.id, profile("datafold"), choice).unwrap();
    let panel = handoff.panel(&Reveal::Nothing);
    let shown: Vec<(&str, Option<&str>, bool)> = panel
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref(), f.secret))
        .collect();
    assert_eq!(
        shown,
        [
            ("Organization", Some("fabrikam"), false),
            ("Project", Some("Fiber Cloud"), false),
            ("Repository", Some("fiber-cloud-api"), false),
            ("Personal access token", None, true)
        ]
    );
    assert_eq!(panel.title, "Paste into Datafold");

    let dir = tempfile::tempdir().unwrap();
    let without = dir.path().join("plain.json");
    handoff.export_to(&without, false, 1).unwrap();
    let text = std::fs::read_to_string(&without).unwrap();
    assert!(
        !text.contains(DATAFOLD_GOOD),
        "no secret unless the user opts in"
    );
    let with = dir.path().join("secret.json");
    let doc = handoff.export_to(&with, true, 1).unwrap();
    assert!(doc
        .warning
        .as_deref()
        .is_some_and(|w| w.contains("holds secrets")));
    assert!(std::fs::read_to_string(&with)
        .unwrap()
        .contains(DATAFOLD_GOOD));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&with).unwrap().permissions().mode() & 0o777,
            0o600,
            "an export with secrets is the owner's only"
        );
    }
}

// --- Kong Konnect ---------------------------------------------------------------------------------

#[tokio::test]
async fn kong_konnect_needs_code_read_only_and_refuses_a_server() {
    let emu = emulator_with(&[]).await;
    let report = check(&request(
        profile("kong-konnect"),
        services(&emu, "fabrikam"),
        vec![pat("default", 0, DEMO_CODE_READ_PAT)],
    ))
    .await;
    assert!(
        report.ok,
        "a Code (Read) PAT is all Konnect needs: {:#?}",
        report.failures()
    );
    assert_eq!(
        report.connectors[0].access.as_ref().unwrap().pat_scopes,
        ["Project and Team (Read)", "Code (Read)"]
    );
    let refused = check(&request(
        profile("kong-konnect"),
        server(&emu, "tfs/DefaultCollection"),
        vec![pat("default", 0, DEMO_CODE_READ_PAT)],
    ))
    .await;
    assert_eq!(restriction(&refused, Rule::Deployment).status, Status::Fail);

    let handoff = Handoff::new(profile("kong-konnect"), facts(services(&emu, "fabrikam")));
    let labels: Vec<(String, Option<String>)> = handoff
        .panel(&Reveal::Nothing)
        .fields
        .into_iter()
        .map(|f| (f.label, f.value))
        .collect();
    assert_eq!(
        labels[0],
        (
            "Azure DevOps organization name".to_string(),
            Some("fabrikam".to_string())
        )
    );
}

// --- DX -------------------------------------------------------------------------------------------

const DX_NO_GRAPH: &str = "dx-boards-without-graph-pat-0123456789abcdefghijklm";
const DX_BOARDS: &str = "dx-boards-full-list-pat-0123456789abcdefghijklmnopq";
const DX_SECRET: &str = "dx-given-webhook-secret-0123456789";

#[tokio::test]
async fn dx_names_a_missing_graph_scope_per_connector() {
    let boards_minus_graph: &[&str] = &[
        "vso.work",
        "vso.identity",
        "vso.project",
        "vso.release",
        "vso.taskgroups_read",
    ];
    let boards_all: &[&str] = &[
        "vso.work",
        "vso.graph",
        "vso.identity",
        "vso.project",
        "vso.release",
        "vso.taskgroups_read",
    ];
    let emu = emulator_with(&[(DX_NO_GRAPH, boards_minus_graph), (DX_BOARDS, boards_all)]).await;
    let mut req = request(
        profile("dx"),
        services(&emu, "fabrikam"),
        vec![
            pat("boards", 0, DX_BOARDS),
            pat("boards", 1, DX_NO_GRAPH),
            pat("pull_commits", 0, DEMO_CODE_READ_PAT),
        ],
    );
    req.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));
    let report = check(&req).await;
    assert!(!report.ok);
    let first = &report.connectors[0];
    assert!(
        first.preflight.ok && first.scopes.iter().all(|s| s.status == Status::Pass),
        "the full Boards list passes: {:#?}",
        first.scopes
    );
    let second = report
        .connectors
        .iter()
        .find(|c| c.connector == "boards" && c.index == 1)
        .unwrap();
    let row = second
        .scopes
        .iter()
        .find(|s| s.status == Status::Fail)
        .expect("the second Boards PAT fails");
    assert_eq!(row.code, Some(CheckCode::InvalidPermissions));
    assert!(
        row.message.contains("Graph (Read)"),
        "names the missing scope: {}",
        row.message
    );
    assert_eq!(
        second
            .scopes
            .iter()
            .filter(|s| s.status == Status::Fail)
            .count(),
        1,
        "only Graph is missing"
    );
    let pulls = report
        .connectors
        .iter()
        .find(|c| c.connector == "pull_commits")
        .unwrap();
    assert!(pulls.preflight.ok, "Pull Commits needs Code (Read) only");
    assert!(
        report
            .connectors
            .iter()
            .any(|c| c.connector == "webhooks" && c.preflight.ok),
        "the connection's own credential may edit subscriptions"
    );

    // A DX PAT without an expiry date is refused before anything is sent.
    let mut undated = request(
        profile("dx"),
        services(&emu, "fabrikam"),
        vec![pat("boards", 0, DX_BOARDS)],
    );
    undated.credentials[0].expires_on = None;
    let refused = check(&undated).await;
    assert_eq!(restriction(&refused, Rule::PatExpiry).status, Status::Fail);
    assert!(refused.refused);
}

/// A saved connection (profile + PAT in the keyring), removed on drop.
struct Saved {
    connections: Connections,
    id: ado_flows::ProfileId,
    _dir: tempfile::TempDir,
}

impl Drop for Saved {
    fn drop(&mut self) {
        let _ = self.connections.remove(&self.id);
    }
}

async fn saved(_emu: &Emulator, target: ConnectionTarget, token: &str) -> Saved {
    let verified = verify_connection(&target, Credential::pat(token), &ConnectOptions::default())
        .await
        .expect("the PAT works");
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), SecretStore::detect().expect("a keyring"));
    let profile = connections
        .save_connection(
            &verified,
            &SecretString::from(token.to_string()),
            ado_flows::AuthMethod::Pat { expires_on: None },
            &ConnectOptions::default(),
            0,
        )
        .expect("the profile saves");
    Saved {
        connections,
        id: profile.id,
        _dir: dir,
    }
}

#[tokio::test]
async fn dx_registers_three_pull_request_hooks_per_project_with_its_secret_and_posts_each_credential(
) {
    let emu = emulator_with(&[]).await;
    let target = server(&emu, "tfs/DefaultCollection");
    let fx = saved(&emu, target.clone(), DEMO_FULL_ACCESS_PAT).await;
    let client = ado_flows::verify::client_for(
        &target,
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let records = HookRecords::new(fx.connections.clone(), fx.id.clone());
    let dx_url = "https://acme.getdx.invalid";
    let hooks = ProductHooksRequest {
        profile: profile("dx"),
        placeholders: BTreeMap::from([("dx_url".to_string(), dx_url.to_string())]),
        projects: Vec::new(),
        repositories: Vec::new(),
        secret: Some(SecretString::from(DX_SECRET.to_string())),
    };
    let report = apply_product_hooks(&client, &records, &hooks, &|_| {})
        .await
        .expect("the hooks apply");
    assert!(report.ok, "{report:#?}");
    let subscriptions = emu
        .world()
        .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
        .unwrap();
    let projects = client.all_projects().await.unwrap();
    assert_eq!(
        subscriptions.len(),
        3 * projects.len(),
        "three events for each of the {} projects",
        projects.len()
    );
    for p in &projects {
        let mut events: Vec<&str> = subscriptions
            .iter()
            .filter(|s| {
                s.publisher_inputs.get("projectId").map(String::as_str) == Some(p.id.as_str())
            })
            .map(|s| s.event_type.as_str())
            .collect();
        events.sort();
        assert_eq!(
            events,
            [
                "git.pullrequest.created",
                "git.pullrequest.merged",
                "git.pullrequest.updated"
            ],
            "project {}",
            p.name
        );
    }
    for s in &subscriptions {
        assert_eq!(
            (
                s.publisher_id.as_str(),
                s.consumer_id.as_str(),
                s.consumer_action_id.as_str()
            ),
            ("tfs", "webHooks", "httpRequest")
        );
        assert_eq!(s.resource_version.as_deref(), Some("1.0"));
        assert_eq!(
            s.consumer_input("url"),
            Some(format!("{dx_url}/webhooks/ado").as_str())
        );
        assert_eq!(
            s.consumer_input("httpHeaders"),
            Some(format!("X-ADO-Signature:{DX_SECRET}").as_str()),
            "DX's own secret, not a generated one"
        );
    }
    let again = apply_product_hooks(&client, &records, &hooks, &|_| {})
        .await
        .unwrap();
    assert!(
        again.runs.iter().all(|r| r.report.created.is_empty()),
        "a second run creates nothing"
    );

    // The connector PATs, kept with the connection, and the POST to DX's API over TLS.
    for (connector, index, token) in [
        ("boards", 0, "dx-boards-pat-a"),
        ("boards", 1, "dx-boards-pat-b"),
        ("repos", 0, "dx-repos-pat"),
    ] {
        ado_flows::product::handoff::store_connector_pat(
            &fx.connections,
            &fx.id,
            "dx",
            connector,
            index,
            &SecretString::from(token.to_string()),
        )
        .unwrap();
    }
    let api = ProductApi::start(vec![503, 200, 200, 200]).await;
    let choice = HandoffChoice {
        placeholders: BTreeMap::from([
            ("dx_url".to_string(), dx_url.to_string()),
            ("dx_api_url".to_string(), api.url.clone()),
        ]),
        ..Default::default()
    };
    let handoff = Handoff::from_connection(&fx.connections, &fx.id, profile("dx"), choice).unwrap();
    let labels: Vec<String> = handoff
        .panel(&Reveal::Nothing)
        .fields
        .into_iter()
        .map(|f| f.label)
        .collect();
    assert_eq!(
        labels,
        [
            "Azure DevOps URL",
            "Personal access token (Boards) #1",
            "Personal access token (Boards) #2",
            "Personal access token (Repositories)",
            "Webhook URL"
        ]
    );
    let token = SecretString::from("dx-api-token-for-tests".to_string());

    let untrusted = post_handoff(&handoff, &token, &fast(None)).await.unwrap();
    assert_eq!(
        untrusted.failed.as_ref().map(|f| f.problem.code),
        Some(CheckCode::TlsUntrusted),
        "verification stays on: {untrusted:#?}"
    );
    assert!(
        api.received().is_empty(),
        "nothing reached an API whose certificate is not trusted"
    );

    let result = post_handoff(&handoff, &token, &fast(Some(api.ca_pem.clone())))
        .await
        .unwrap();
    assert!(result.ok, "{result:#?}");
    assert_eq!(result.delivered[0].attempts, 2, "the 503 was retried");
    let received = api.received();
    assert_eq!(
        received.len(),
        4,
        "one retried request plus one per credential"
    );
    for r in &received {
        assert_eq!(r.path, "/credentials.create");
        assert_eq!(r.authorization, "Bearer dx-api-token-for-tests");
    }
    let bodies: Vec<&serde_json::Value> = received[1..].iter().map(|r| &r.body).collect();
    assert_eq!(bodies[0]["connector"], "azure_devops_boards");
    assert_eq!(
        bodies[0]["secrets"]["personal_access_token"],
        "dx-boards-pat-a"
    );
    assert_eq!(
        bodies[1]["secrets"]["personal_access_token"],
        "dx-boards-pat-b"
    );
    assert_eq!(bodies[2]["connector"], "azure_devops_repos");
    assert_eq!(
        bodies[2]["url"],
        format!("{}/tfs/DefaultCollection", emu.base_url())
    );

    // The script that recreates the subscriptions elsewhere: secrets as variables only.
    let specs = ado_flows::product::handoff::recorded_specs(&fx.connections, &fx.id).unwrap();
    let script = handoff.reproduction_script(&specs);
    assert_eq!(script.matches("curl ").count(), subscriptions.len());
    assert!(
        script.contains("X-ADO-Signature:${WEBHOOK_SECRET}") && !script.contains(DX_SECRET),
        "{script}"
    );
}

#[tokio::test]
async fn a_refused_post_carries_the_products_answer() {
    let api = ProductApi::start(vec![422]).await;
    let emu = emulator_with(&[]).await;
    let mut facts = facts(services(&emu, "fabrikam"));
    facts
        .placeholders
        .insert("dx_api_url".into(), api.url.clone());
    let handoff = Handoff::new(profile("dx"), facts).with_secret(
        SecretKey::Pat {
            connector: "repos".into(),
            index: 0,
        },
        SecretString::from("p".to_string()),
    );
    let report = post_handoff(
        &handoff,
        &SecretString::from("t0ken".to_string()),
        &fast(Some(api.ca_pem.clone())),
    )
    .await
    .unwrap();
    let failed = report.failed.expect("422 is a refusal");
    assert_eq!(
        (failed.status, failed.attempts),
        (Some(422), 1),
        "a 4xx is not retried"
    );
    assert!(
        failed
            .answer
            .as_deref()
            .is_some_and(|a| a.contains("name already taken")),
        "{failed:?}"
    );
    assert!(
        !format!("{failed:?}").contains("t0ken"),
        "the token is in no error"
    );
}

fn fast(ca: Option<String>) -> PostOptions {
    PostOptions {
        trusted_ca_pem: ca,
        backoff: Duration::from_millis(20),
        ..Default::default()
    }
}

#[path = "support/product_api.rs"]
mod product_api;
use product_api::ProductApi;

// --- Loading ----------------------------------------------------------------------------------------

#[test]
fn a_file_logo_becomes_a_data_url_and_an_oversized_one_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/datafold.toml"),
    )
    .unwrap()
    .replace(
        "name = \"Datafold\"",
        "name = \"Datafold\"\nlogo = \"logo.png\"",
    );
    let path = dir.path().join("datafold.toml");
    std::fs::write(&path, &text).unwrap();
    std::fs::write(dir.path().join("logo.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    let loaded = load_profile(&path).unwrap();
    assert_eq!(
        loaded.logo_data_url.as_deref(),
        Some("data:image/png;base64,iVBORw0KGgo=")
    );

    std::fs::write(dir.path().join("logo.png"), vec![0u8; 65 * 1024]).unwrap();
    match load_profile(&path) {
        Err(ado_flows::product::LoadError::Invalid { errors, .. }) => {
            assert_eq!(errors[0].field, "product.logo");
            assert!(
                errors[0].message.contains("the limit is 64 KiB"),
                "{errors:?}"
            );
            assert_eq!(errors[0].line, 10, "the logo's line");
        }
        other => panic!("an oversized logo is refused: {other:?}"),
    }
}

// --- A saved connection (the app's product steps) ----------------------------------------------

#[tokio::test]
async fn a_saved_connection_keeps_connector_pats_only_once_they_pass_and_hands_them_off() {
    use ado_flows::product::saved::{check_saved, ConnectorPat, SavedCheck};
    const NO_IDENTITY: &str = "dx-saved-boards-no-identity-0123456789abcdefghijk";
    let emu = emulator_with(&[
        // On a Server Graph is not probed (it has no Graph API); Identity is.
        (
            NO_IDENTITY,
            &[
                "vso.work",
                "vso.graph",
                "vso.project",
                "vso.release",
                "vso.taskgroups_read",
            ],
        ),
        (
            DX_BOARDS,
            &[
                "vso.work",
                "vso.graph",
                "vso.identity",
                "vso.project",
                "vso.release",
                "vso.taskgroups_read",
            ],
        ),
    ])
    .await;
    let target = server(&emu, "tfs/DefaultCollection");
    let fx = saved(&emu, target, DEMO_FULL_ACCESS_PAT).await;
    let settings = ado_flows::signin::settings().unwrap();
    let request = |token: &str| SavedCheck {
        profile: profile("dx"),
        connection_id: fx.id.clone(),
        project: None,
        repository: None,
        pats: vec![ConnectorPat {
            connector: "boards".into(),
            index: 0,
            pat: SecretString::from(token.to_string()),
            expires_on: Some("2099-01-01".into()),
        }],
    };
    let handoff = || {
        Handoff::from_connection(
            &fx.connections,
            &fx.id,
            profile("dx"),
            HandoffChoice::default(),
        )
        .unwrap()
    };
    // Before any connector PAT: the connection's own PAT serves every connector.
    assert_eq!(
        handoff().field_value("pat:repos:0").as_deref(),
        Some(DEMO_FULL_ACCESS_PAT)
    );

    let failed = check_saved(&fx.connections, &settings, request(NO_IDENTITY), &|_| {})
        .await
        .unwrap();
    assert!(!failed.ok);
    assert_eq!(
        handoff().field_value("pat:boards:0").as_deref(),
        Some(DEMO_FULL_ACCESS_PAT),
        "a token that failed its checks is not kept"
    );

    let passed = check_saved(&fx.connections, &settings, request(DX_BOARDS), &|_| {})
        .await
        .unwrap();
    assert!(passed.ok, "{:#?}", passed.failures());
    let kept = handoff();
    assert_eq!(kept.field_value("pat:boards:0").as_deref(), Some(DX_BOARDS));
    assert_eq!(
        kept.panel(&Reveal::Nothing)
            .fields
            .iter()
            .filter(|f| f.secret)
            .count(),
        1,
        "only the connector that has its own token"
    );
}
