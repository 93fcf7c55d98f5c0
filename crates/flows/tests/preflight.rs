//! Every row of the check table, produced against the emulator through the flows.

use ado_client::Credential;
use ado_core::capabilities::Capability;
use ado_core::checks::CheckCode;
use ado_core::preflight::{CheckId, Status};
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_emulator::scenario::{
    DEMO_CODE_READ_PAT, DEMO_DEVELOPER_PAT, DEMO_EXPIRED_PAT, DEMO_FULL_ACCESS_PAT,
    DEMO_SP_CLIENT_ID, DEMO_SP_SECRET,
};
use ado_emulator::{Config, Emulator, Faults, Scenario};
use ado_flows::preflight::{run_preflight, PreflightReport, PreflightRequest};
use ado_flows::ConnectOptions;

fn server(url: &str, collection: &str) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: url.into(),
        collection: collection.into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn services(emulator: &Emulator, organization: &str) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Services),
        organization: organization.into(),
        services_url: format!("{}/", emulator.base_url()),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn request(
    target: ConnectionTarget,
    credential: Credential,
    capabilities: &[Capability],
) -> PreflightRequest {
    PreflightRequest {
        target,
        credential,
        capabilities: capabilities.to_vec(),
        project: None,
        repository: None,
        options: ConnectOptions::default(),
        ca_file_hint: None,
    }
}

async fn run(request: &PreflightRequest) -> PreflightReport {
    let streamed = std::sync::Mutex::new(0usize);
    let report = run_preflight(request, &|_| *streamed.lock().unwrap() += 1).await;
    assert_eq!(
        *streamed.lock().unwrap(),
        report.checks.len(),
        "every check is streamed as it settles"
    );
    report
}

/// The first check with `code`, asserting its status and that it names a fix.
fn expect(
    report: &PreflightReport,
    code: CheckCode,
    status: Status,
) -> &ado_core::preflight::Check {
    let check = report
        .checks
        .iter()
        .find(|c| c.code == Some(code))
        .unwrap_or_else(|| panic!("no {code} check in {:#?}", report.checks));
    assert_eq!(check.status, status, "{check:?}");
    assert!(!check.fix.is_empty(), "{code} names a fix");
    assert_eq!(report.ok, status != Status::Fail, "ok follows the failures");
    check
}

async fn demo() -> Emulator {
    Emulator::spawn(Config {
        scenario: Scenario::demo(),
        ..Default::default()
    })
    .await
    .unwrap()
}

fn base(e: &Emulator) -> String {
    e.base_url().to_string()
}

#[tokio::test]
async fn a_healthy_server_passes_every_capability() {
    let e = demo().await;
    let r = run(&request(
        server(&format!("{}/tfs", base(&e)), "DefaultCollection"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &Capability::ALL,
    ))
    .await;
    assert!(
        r.ok,
        "{:#?}",
        r.checks
            .iter()
            .filter(|c| c.status != Status::Pass)
            .collect::<Vec<_>>()
    );
    assert!(r.checks.iter().all(|c| c.status == Status::Pass));
}

#[tokio::test]
async fn unreachable() {
    let c = run(&request(
        server("http://127.0.0.1:9/tfs", "DefaultCollection"),
        Credential::pat("x"),
        &[Capability::Repositories],
    ))
    .await;
    let check = expect(&c, CheckCode::Unreachable, Status::Fail);
    assert!(
        check
            .curl
            .as_deref()
            .is_some_and(|c| c.contains("$ADO_PAT")),
        "a curl reproduction with the token as a variable"
    );
}

#[tokio::test]
async fn tls_untrusted_then_trusted_with_the_ca() {
    let e = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let target = server(&format!("{}/tfs", base(&e)), "DefaultCollection");
    let r = run(&request(
        target.clone(),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &[Capability::Repositories],
    ))
    .await;
    expect(&r, CheckCode::TlsUntrusted, Status::Fail);
    let mut trusted = request(
        target,
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &[Capability::Repositories],
    );
    trusted.options.trusted_ca_pem = e.ca_pem().map(str::to_string);
    assert!(
        run(&trusted).await.ok,
        "the CA trusted for this connection only"
    );
}

#[tokio::test]
async fn http_insecure_needs_consent_and_sends_nothing_without_it() {
    // Never contacted: without consent nothing is sent.
    let r = run(&request(
        server("http://tfs.invalid:8080/tfs", "DefaultCollection"),
        Credential::pat("x"),
        &[Capability::Repositories],
    ))
    .await;
    expect(&r, CheckCode::HttpInsecure, Status::Fail);
    assert_eq!(r.requests, 0, "the token was not sent");
}

#[tokio::test]
async fn server_too_old() {
    // The demo's Team Foundation Server 2018 (REST API 4.1): older than the oldest supported.
    let e = demo().await;
    let r = run(&request(
        server(&format!("{}/tfs2018", base(&e)), "DefaultCollection"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &[Capability::Repositories],
    ))
    .await;
    let check = expect(&r, CheckCode::ServerTooOld, Status::Fail);
    assert_eq!(
        check.message,
        "This server is Team Foundation Server 2018 (REST API up to 4.1). ADO Connect supports Azure DevOps Server 2019 (REST API 5.0) and newer.",
        "names the version found and the oldest supported"
    );
    assert!(
        check
            .curl
            .as_deref()
            .is_some_and(|c| c.contains("api-version=7.0")),
        "a server below the oldest supported is asked as the client asks: {:?}",
        check.curl
    );
}

#[tokio::test]
async fn public_url_localhost() {
    let scenario = Scenario::from_json(include_str!("localhost_public_url.json")).unwrap();
    let e = Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .unwrap();
    let r = run(&request(
        server(&format!("{}/tfs", base(&e)), "DefaultCollection"),
        Credential::pat("localhostpublicurl2full3access4token5for6tests7only8"),
        &[Capability::Repositories],
    ))
    .await;
    let check = expect(&r, CheckCode::PublicUrlLocalhost, Status::Fail);
    assert!(check.fix.contains("Administration Console"));
}

#[tokio::test]
async fn invalid_credentials_and_token_expired() {
    let e = demo().await;
    let target = server(&format!("{}/tfs", base(&e)), "DefaultCollection");
    let r = run(&request(
        target.clone(),
        Credential::pat("wrong-token-0123456789"),
        &[Capability::Repositories],
    ))
    .await;
    expect(&r, CheckCode::InvalidCredentials, Status::Fail);
    let r = run(&request(
        target,
        Credential::pat(DEMO_EXPIRED_PAT),
        &[Capability::Repositories],
    ))
    .await;
    expect(&r, CheckCode::TokenExpired, Status::Fail);
}

#[tokio::test]
async fn invalid_permissions_per_capability_and_for_hooks() {
    let e = demo().await;
    let target = server(&format!("{}/tfs", base(&e)), "DefaultCollection");
    // Code (Read) but no Build scope: pipelines are refused, repositories pass.
    let r = run(&request(
        target.clone(),
        Credential::pat(DEMO_CODE_READ_PAT),
        &[Capability::Repositories, Capability::Pipelines],
    ))
    .await;
    let check = expect(&r, CheckCode::InvalidPermissions, Status::Fail);
    assert_eq!(check.capability, Some(Capability::Pipelines));
    assert!(check.fix.contains("Build (Read)"), "{}", check.fix);
    assert!(r
        .checks
        .iter()
        .any(|c| c.capability == Some(Capability::Repositories) && c.status == Status::Pass));
    // A member who is not a project administrator may not edit service hooks.
    let r = run(&request(
        target,
        Credential::pat(DEMO_DEVELOPER_PAT),
        &[Capability::Webhooks],
    ))
    .await;
    let check = expect(&r, CheckCode::InvalidPermissions, Status::Fail);
    assert_eq!(check.id, CheckId::HookPermission);
}

#[tokio::test]
async fn no_resources() {
    let e = demo().await;
    let r = run(&request(
        server(&format!("{}/tfs", base(&e)), "Empty"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &[Capability::Repositories],
    ))
    .await;
    expect(&r, CheckCode::NoResources, Status::Fail);
}

#[tokio::test]
async fn not_found_collection_and_project() {
    let e = demo().await;
    let r = run(&request(
        server(&format!("{}/tfs", base(&e)), "NoSuchCollection"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &[Capability::Repositories],
    ))
    .await;
    expect(&r, CheckCode::NotFound, Status::Fail);
    let mut named = request(
        server(&format!("{}/tfs", base(&e)), "DefaultCollection"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &[Capability::PullRequests],
    );
    named.project = Some("No Such Project".into());
    let r = run(&named).await;
    let check = expect(&r, CheckCode::NotFound, Status::Fail);
    assert!(check.message.contains("No Such Project"));
}

#[tokio::test]
async fn oauth_policy_disabled() {
    let e = demo().await;
    let base_url = base(&e);
    let settings = ado_auth::SignInSettings::from_lookup(|n| {
        (n == "ADO_CONNECT_AUTHORITY").then(|| base_url.clone())
    })
    .unwrap();
    let secret = secrecy::SecretString::from(DEMO_SP_SECRET.to_string());
    let (tokens, _) = ado_flows::signin::service_principal_token(
        &settings,
        "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        &DEMO_SP_CLIENT_ID.to_string(),
        &secret,
        &ado_flows::ConnectOptions::default(),
    )
    .await
    .expect("a token");
    e.entra()
        .set_oauth_policy_disabled("fabrikam", true)
        .unwrap();
    let r = run(&request(
        services(&e, "fabrikam"),
        Credential::Bearer(tokens.access_token),
        &[Capability::Repositories],
    ))
    .await;
    let check = expect(&r, CheckCode::OauthPolicyDisabled, Status::Fail);
    assert!(
        check.fix.contains("organizationPolicy"),
        "names the settings page: {}",
        check.fix
    );
}

#[tokio::test]
async fn rate_limited_waits_says_so_and_goes_on() {
    let e = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        faults: Faults {
            rate_limit_every: 3,
            retry_after_secs: 1,
            ..Faults::none()
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let r = run(&request(
        server(&format!("{}/tfs", base(&e)), "DefaultCollection"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &Capability::ALL,
    ))
    .await;
    let check = expect(&r, CheckCode::RateLimited, Status::Warn);
    assert!(check.message.contains("waited"), "{}", check.message);
    assert!(
        r.ok,
        "throttling is waited out: {:#?}",
        r.checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .collect::<Vec<_>>()
    );
}
