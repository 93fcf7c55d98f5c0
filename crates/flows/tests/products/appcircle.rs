//! Appcircle: a server URL without a path plus the collection ("Owner"), Server 2022 or later,
//! reachable from the internet, its own token check; on Services its own OAuth and a guide.

use ado_core::checks::CheckCode;
use ado_core::preflight::Status;
use ado_core::product::handoff::{HandoffFacts, Reveal};
use ado_core::product::verdicts::Rule;
use ado_core::product::SignInMethod;
use ado_core::target::{Deployment, Field};
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::{Emulator, HostPath};
use ado_flows::hooks::HookRecords;
use ado_flows::product::gate::Clear;
use ado_flows::product::handoff::{Handoff, HandoffChoice};
use ado_flows::product::saved::{connect_rules, script_of, ConnectInput};
use ado_flows::product::{apply_product_hooks, ProductHooksRequest};
use ado_flows::ConnectOptions;

use crate::support::*;

/// A public address (TEST-NET-3): Appcircle's cloud could reach it, and no DNS is needed.
const PUBLIC: &str = "https://203.0.113.10";

/// The demo, with contoso-azdo (2022, collections at the root) given `public_url`.
async fn contoso_at(public_url: &str) -> Emulator {
    emulator_with(|s| {
        s.servers
            .iter_mut()
            .find(|s| s.name == "contoso-azdo")
            .expect("the demo has contoso-azdo")
            .public_url = Some(public_url.into());
    })
    .await
}

#[tokio::test]
async fn a_collection_under_a_virtual_directory_is_refused_naming_the_url_appcircle_would_call() {
    let emu = emulator().await;
    let target = server(&emu, "tfs/DefaultCollection");
    let base = emu.base_url();
    let rules = connect_rules(
        &profile("appcircle"),
        &ConnectInput {
            target: Some(target.clone()),
            method: Some(SignInMethod::Pat),
            ..Default::default()
        },
    );
    assert!(rules.refused, "{:#?}", rules.restrictions);
    let report = check(&request(
        profile("appcircle"),
        target.clone(),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    let r = restriction(&report, Rule::BareServerUrl);
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
            .contains(&format!("it would call {base}/DefaultCollection/_apis/"))
            && r.message.contains(&format!("{base}/tfs/DefaultCollection"))
            && r.message.contains("virtual directory /tfs"),
        "{}",
        r.message
    );
    assert!(report.refused && report.connectors.is_empty());
    assert_eq!(
        rules
            .restrictions
            .iter()
            .find(|x| x.rule == Rule::BareServerUrl),
        Some(r)
    );

    // The saved connection's hand-off: refused the same way, with nothing sent.
    let fx = saved(target, DEMO_FULL_ACCESS_PAT, None).await;
    emu.clear_requests();
    let problem = fx
        .handoff(profile("appcircle"), HandoffChoice::default(), now())
        .await
        .expect_err("refused");
    assert!(
        problem
            .message
            .contains(&format!("{base}/DefaultCollection/_apis/")),
        "{}",
        problem.message
    );
    assert_eq!(emu.requests().len(), 0);
}

#[tokio::test]
async fn a_root_collection_passes_and_hands_off_the_origin_the_collection_and_the_pat() {
    let emu = contoso_at(PUBLIC).await;
    let target = server(&emu, "ContosoCollection");
    let report = check(&request(
        profile("appcircle"),
        target.clone(),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    assert!(report.ok, "{:#?}", report.failures());
    for rule in [
        Rule::Deployment,
        Rule::BareServerUrl,
        Rule::ServerVersion,
        Rule::ReachableFromOutside,
    ] {
        assert_eq!(restriction(&report, rule).status, Status::Pass, "{rule:?}");
    }
    let call = row(
        &report,
        "default",
        "List projects (Appcircle's token check)",
    );
    assert_eq!(call.status, Status::Pass, "{call:?}");
    assert!(
        call.curl
            .as_deref()
            .is_some_and(|c| c.contains("/ContosoCollection/_apis/projects?api-version=6.0")),
        "Appcircle's own call, at its api-version: {:?}",
        call.curl
    );
    assert_eq!(
        row(&report, "default", "Appcircle may create its webhooks").status,
        Status::Pass,
        "Appcircle creates its webhooks: the permission is checked"
    );
    assert_eq!(report.public_url.as_deref(), Some(PUBLIC));

    let fx = saved(target.clone(), DEMO_FULL_ACCESS_PAT, None).await;
    let handoff = fx
        .handoff(profile("appcircle"), HandoffChoice::default(), now())
        .await
        .expect("cleared");
    let panel = handoff.panel(&Reveal::Nothing);
    let shown: Vec<(&str, Option<&str>, bool)> = panel
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref(), f.secret))
        .collect();
    assert_eq!(
        shown,
        [
            ("Server URL", Some(PUBLIC), false),
            ("Owner", Some("ContosoCollection"), false),
            ("Personal access token", None, true),
        ],
        "the server's public origin without a path, the collection as Owner"
    );
    assert!(panel.guides.is_empty(), "on a Server the fields say it all");
    assert_eq!(
        handoff.field_value("pat:default:0").as_deref(),
        Some(DEMO_FULL_ACCESS_PAT)
    );
    assert!(handoff.missing().is_empty());

    // Appcircle creates its webhooks itself: none are registered, and there is no script.
    let cleared = fx
        .clear(
            profile("appcircle"),
            (None, None),
            Vec::new(),
            Clear::IfStale,
            now(),
        )
        .await
        .cleared()
        .expect("the pass is recorded");
    let client = ado_flows::verify::client_for(
        &target,
        ado_client::Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let records = HookRecords::new(fx.connections.clone(), fx.id.clone());
    let hooks = ProductHooksRequest {
        placeholders: Default::default(),
        projects: Vec::new(),
        repositories: Vec::new(),
        secret: None,
    };
    let problem = apply_product_hooks(&cleared, &client, &records, &hooks, &|_| {})
        .await
        .expect_err("Appcircle creates its own");
    assert!(
        problem
            .message
            .contains("Appcircle creates its webhooks itself"),
        "{}",
        problem.message
    );
    assert!(emu
        .world()
        .subscriptions(&HostPath::collection("contoso-azdo", "ContosoCollection"))
        .unwrap()
        .is_empty());
    assert!(script_of(&fx.connections, &handoff).is_err());
}

#[tokio::test]
async fn a_server_whose_public_url_is_localhost_or_that_is_too_old_is_refused() {
    let emu = contoso_at("http://localhost:8080").await;
    let report = check(&request(
        profile("appcircle"),
        server(&emu, "ContosoCollection"),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    let r = restriction(&report, Rule::ReachableFromOutside);
    assert_eq!(
        (r.status, r.code, r.field),
        (
            Status::Fail,
            Some(CheckCode::PublicUrlLocalhost),
            Some(Field::ServerUrl)
        )
    );
    assert!(
        r.message
            .contains("The server's public URL http://localhost:8080")
            && r.message.contains("localhost")
            && r.message.contains("Appcircle cannot reach it"),
        "{}",
        r.message
    );
    assert!(
        r.fix.contains("publishes the IP addresses"),
        "the profile's reason: {}",
        r.fix
    );
    assert!(report.refused && report.connectors.is_empty());

    // misconfigured-tfs: 2020, under /azdo, its public URL localhost.
    let report = check(&request(
        profile("appcircle"),
        server(&emu, "azdo/DefaultCollection"),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    assert!(report.refused);
    assert!(
        restriction(&report, Rule::BareServerUrl)
            .message
            .contains("virtual directory /azdo"),
        "{:#?}",
        report.restrictions
    );

    // legacy-tfs: Azure DevOps Server 2019 at the root (REST up to 5.0); Appcircle needs 2022.
    let report = check(&request(
        profile("appcircle"),
        server(&emu, "LegacyCollection"),
        vec![pat("default", 0, DEMO_FULL_ACCESS_PAT)],
    ))
    .await;
    let version = restriction(&report, Rule::ServerVersion);
    assert_eq!(
        (version.status, version.code, version.field),
        (
            Status::Fail,
            Some(CheckCode::ServerTooOld),
            Some(Field::ServerUrl)
        ),
        "{version:#?}"
    );
    assert!(
        version.message.contains("Azure DevOps Server 2019")
            && version.message.contains("2022 or later"),
        "{}",
        version.message
    );
    assert!(report.refused && report.connectors.is_empty());
}

#[tokio::test]
async fn on_services_appcircle_uses_its_own_oauth_and_gets_a_guide() {
    let emu = emulator().await;
    let target = services(&emu, "fabrikam");
    let p = profile("appcircle");
    let rule = |method| {
        connect_rules(
            &p,
            &ConnectInput {
                target: Some(target.clone()),
                method: Some(method),
                ..Default::default()
            },
        )
    };
    let pat_rules = rule(SignInMethod::Pat);
    assert!(pat_rules.refused, "a PAT is for Servers");
    assert_eq!(pat_rules.sign_in.recommended, SignInMethod::Browser);
    assert!(!rule(SignInMethod::Browser).refused);
    assert!(!rule(SignInMethod::DeviceCode).refused);
    let server_rules = connect_rules(
        &p,
        &ConnectInput {
            deployment: Some(Deployment::Server),
            ..Default::default()
        },
    );
    assert_eq!(server_rules.sign_in.methods, [SignInMethod::Pat]);

    let facts = HandoffFacts {
        target,
        method: SignInMethod::Browser,
        server_public_url: None,
        project: None,
        repository: None,
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: Vec::new(),
        placeholders: Default::default(),
    };
    let handoff = Handoff::new(p, facts);
    let panel = handoff.panel(&Reveal::All);
    assert!(panel.fields.is_empty(), "nothing is pasted: {panel:#?}");
    assert!(
        panel.guides.len() == 3
            && panel.guides[0].contains("Third-party application access via OAuth"),
        "{:#?}",
        panel.guides
    );
    assert!(handoff.missing().is_empty());
    assert!(!handoff.deliveries().fields);
}
