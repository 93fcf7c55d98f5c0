//! The answers the UI's fake backend gives (`tests/ui/fixtures/*.json`, loaded by
//! `tests/ui/support/fake-backend.js` for the step tests in Node) have the shape of the real
//! ones: each is produced here by the same flow the Tauri command runs (against the emulator where
//! it talks to Azure DevOps), serialized with serde, and compared path by path with its fixture.
//! A renamed, added or removed field fails here until the fixture (and the UI) follows:
//!
//!     UPDATE_UI_FIXTURES=1 cargo test -p ado-flows --test ui_answers
//!
//! rewrites the fixtures from the real answers (the emulator's address written as
//! `http://ado.test`, temporary folders and ports as fixed ones). A fixture that no answer here
//! produces fails too: none goes unchecked.
//!
//! Covered here: the wizard (parse_url, connect_with_pat, access_plan, run_checks), the webhooks
//! gate (hooks_gate), the home (connection_cards, rename_connection, reverify_connection,
//! forget_connection), TLS (inspect_certificate), the product (product_connect_rules,
//! handoff_panel), minting (list_organizations, mint_plan, minted_tokens, Azure DevOps Server's
//! refusal) and a few errors. Through `ado_flows::app::App`, as the Tauri commands call it
//! (ui_answers/app.rs), the rest: app_info, product_info, open_product_profile's refusal, a form
//! at fault, search_catalog, the webhooks step (plan_hooks, apply_hooks, hooks_overview,
//! test_hook, hook_history, open_hook_page, recover_hooks, rollback_hooks, remove_hooks),
//! product_check (failing and passing, with what each streamed), product_hooks_plan,
//! product_hooks_apply, the hand-off (handoff_panel_dx, handoff_value, handoff_export,
//! handoff_script, handoff_post asking first, sent, refused), save_report, list_connections,
//! http_alternative, cancel_sign_in, the three Microsoft sign-ins, mint_tokens (minted,
//! refused) and revoke_minted. Every command of src-tauri has its answer here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ado_client::Credential;
use ado_core::product::handoff::MissingField;
use ado_core::product::FieldSource;
use ado_core::product::SignInMethod;
use ado_core::target::Deployment;
use ado_core::target::TargetInput;
use ado_core::webhook::EventKind;
use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_emulator::world::PatPolicy;
use ado_emulator::Emulator;
use ado_flows::hooks::{self, AuthChoice, HookRecords, HookRequest, SecretChoice};
use ado_flows::interface::Capability;
use ado_flows::organizations::organizations_of;
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::product::handoff::HandoffChoice;
use ado_flows::product::mint::{
    mint_tokens, minted_tokens, plan_mint, revoke_minted, MintCode, MintRequest,
};
use ado_flows::product::saved::{connect_rules, ConnectInput};
use ado_flows::{connect_with_pat, verify_and_save_pat, ConnectOptions, Pat, PatConnectRequest};
use ado_test_support::entra;
use ado_test_support::saved::saved;
use ado_test_support::world::{emulator_with, now, profile, server, services};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

/// The answers of the commands that go through `ado_flows::app::App`.
#[path = "ui_answers/app.rs"]
mod app;

/// The webhooks step's form as the page sends it: pushes and new pull requests of `repository`'s
/// main branch, to a receiver that is not there, with a generated secret header.
fn hook_request(project: &str, repository: &str) -> HookRequest {
    HookRequest {
        project: project.into(),
        projects: Vec::new(),
        all_projects: false,
        repository: Some(repository.into()),
        repositories: Vec::new(),
        branch: Some("main".into()),
        events: vec![EventKind::CodePushed, EventKind::PullRequestCreated],
        url: "http://127.0.0.1:9/ado".into(),
        auth: AuthChoice::SecretHeader {
            header: None,
            secret: SecretChoice::Keep,
        },
        take_over: false,
    }
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/ui/fixtures")
}

/// `value` as JSON, with `base` (the emulator's address, a random port) and `extra` strings
/// replaced so that a rewritten fixture does not change from run to run.
fn json(value: &impl Serialize, replace: &[(&str, &str)]) -> Value {
    let mut text = serde_json::to_string(value).expect("serializes");
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    serde_json::from_str(&text).unwrap()
}

/// Every path in `value` (`.checks[].status`) with the JSON types seen there.
fn shape(value: &Value, path: String, out: &mut BTreeMap<String, BTreeSet<&'static str>>) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    out.entry(path.clone()).or_default().insert(kind);
    match value {
        Value::Array(items) => {
            for item in items {
                shape(item, format!("{path}[]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                shape(item, format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

/// The differences between two shapes: paths on one side only, and paths whose non-null types
/// differ (a field that is null in one answer and set in the other is the same field).
fn differences(real: &Value, fixture: &Value) -> Vec<String> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    shape(real, String::new(), &mut a);
    shape(fixture, String::new(), &mut b);
    let mut out = Vec::new();
    for path in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
        match (a.get(path), b.get(path)) {
            (Some(_), None) => out.push(format!("{path}: in the real answer, not in the fixture")),
            (None, Some(_)) => out.push(format!("{path}: in the fixture, not in the real answer")),
            (Some(x), Some(y)) => {
                let (x, y): (BTreeSet<_>, BTreeSet<_>) = (
                    x.iter().filter(|k| **k != "null").collect(),
                    y.iter().filter(|k| **k != "null").collect(),
                );
                if !x.is_empty() && !y.is_empty() && x != y {
                    out.push(format!(
                        "{path}: {x:?} in the real answer, {y:?} in the fixture"
                    ));
                }
            }
            (None, None) => unreachable!(),
        }
    }
    out
}

/// Compares (or with UPDATE_UI_FIXTURES=1 writes) each answer with its fixture; fails on any
/// difference and on any fixture that no answer produced.
fn check_all(answers: &[(&str, Value)]) {
    let dir = fixtures_dir();
    let update = std::env::var_os("UPDATE_UI_FIXTURES").is_some();
    let mut failures = Vec::new();
    for (name, real) in answers {
        let path = dir.join(format!("{name}.json"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, serde_json::to_string_pretty(real).unwrap() + "\n").unwrap();
            continue;
        }
        let fixture: Value = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}.json: {e}")),
            Err(e) => {
                failures.push(format!("{name}.json: {e}"));
                continue;
            }
        };
        for d in differences(real, &fixture) {
            failures.push(format!("{name}.json {d}"));
        }
    }
    let produced: BTreeSet<String> = answers.iter().map(|(n, _)| format!("{n}.json")).collect();
    for entry in std::fs::read_dir(&dir).expect("tests/ui/fixtures") {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        if file.ends_with(".json") && !produced.contains(&file) {
            failures.push(format!(
                "{file}: no real answer checks it (remove it, or produce it here)"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the UI's fake backend answers differ from the real ones; if the change is meant, \
         rewrite them with UPDATE_UI_FIXTURES=1 cargo test -p ado-flows --test ui_answers and \
         update the UI:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_fake_backends_answers_have_the_real_shapes() {
    let emu = emulator_with(|_| {}).await;
    let base = emu.base_url().to_string();
    // The address, and the profile ids and secret keys made of it.
    let dashed = base.trim_start_matches("http://").replace(['.', ':'], "-");
    let host = [
        (base.as_str(), "http://ado.test"),
        (dashed.as_str(), "ado-test"),
    ];
    let mut answers: Vec<(&str, Value)> = Vec::new();

    // parse_url: an understood link, and the error for one that is not a link.
    let options = ConnectOptions::default();
    let understood = ado_flows::resolve::understand_url_or_problem(
        "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/fiber-api?version=GBmain",
        &options,
    )
    .await
    .expect("understood");
    answers.push(("parse_url", json(&understood, &[])));
    let refused = ado_flows::resolve::understand_url_or_problem("not a link", &options)
        .await
        .expect_err("not understood");
    answers.push(("parse_url_error", json(&refused, &[])));

    // connect_with_pat: verified and saved, as the result step shows it.
    let dir = tempfile::tempdir().unwrap();
    let store = ado_flows::SecretStore::detect().expect("a keyring");
    let connections = ado_flows::Connections::new(dir.path(), store);
    let connected = connect_with_pat(
        &connections,
        PatConnectRequest {
            target: TargetInput {
                deployment: Some(ado_core::target::Deployment::Server),
                server_url: format!("{base}/tfs"),
                collection: "DefaultCollection".into(),
                ..Default::default()
            },
            pat: SecretString::from(DEMO_FULL_ACCESS_PAT.to_string()),
            expires_on: Some("2099-01-31".into()),
            trusted_ca_pem: None,
            proxy: None,
            allow_http: false,
        },
        now(),
    )
    .await
    .expect("the demo PAT connects");
    let (opened, _) = ado_flows::home::open(&connected, now());
    answers.push(("connect_with_pat", json(&opened, &host)));
    let _ = connections.remove(&connected.profile.id);

    // access_plan and run_checks: a developer's PAT, which may not manage service hooks.
    let capabilities = Capability::ALL.to_vec();
    answers.push((
        "access_plan",
        json(&ado_flows::interface::access_plan(&capabilities), &[]),
    ));
    let target = server(&emu, "tfs/DefaultCollection");
    let report = run_preflight(
        &PreflightRequest {
            target: target.clone(),
            credential: Credential::pat(DEMO_DEVELOPER_PAT),
            capabilities,
            project: Some("Fabrikam Fiber".into()),
            repository: None,
            options: ConnectOptions::default(),
            ca_file_hint: None,
        },
        &|_| {},
    )
    .await;
    assert!(!report.ok, "a failed check is among the answers");
    answers.push(("run_checks", json(&report, &host)));

    // plan_hooks and apply_hooks on a saved connection.
    let fx = saved(target.clone(), DEMO_FULL_ACCESS_PAT, None).await;
    let client = ado_flows::verify::client_for(
        &target,
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let records = HookRecords::new(fx.connections.clone(), fx.id.clone());
    let request = hook_request("Fabrikam Fiber", "fiber-api");
    // (The webhooks step's own answers, plan_hooks, apply_hooks and hooks_overview, are the
    // app's: ui_answers/app.rs. These webhooks are for Forget to remove.)
    let plan = hooks::plan_hooks(&client, &records, &request)
        .await
        .expect("the plan");
    let applied = hooks::apply_plan(&client, &records, &plan, &|_| {})
        .await
        .expect("the apply");
    let created = json(&applied, &host)["created"][0].clone();
    // forget_connection, as Forget does it by default (its webhooks removed first). Nothing was
    // kept in this run: one subscription id stands in so that the fixture has `kept`'s shape.
    let forgotten = hooks::forget_connection(
        &fx.connections,
        &fx.id,
        &fx.settings,
        hooks::HooksOnForget::RemoveHooks,
    )
    .await
    .expect("forgotten");
    assert!(forgotten.removed.is_some(), "its webhooks were removed");
    let mut forgotten = json(&forgotten, &host);
    forgotten["kept"] = Value::Array(vec![created["subscriptionId"].clone()]);
    answers.push(("forget_connection", forgotten));
    // A refusal as every command sends it: re-verifying the connection just forgotten.
    let gone = ado_flows::home::reverify(&fx.connections, &fx.id, &fx.settings, now())
        .await
        .expect_err("forgotten");
    answers.push(("error_not_found", json(&gone, &host)));

    // handoff_panel (Kong Konnect on a Services organization). The view's `missing` is empty
    // there; one missing placeholder of the real type stands in so the fixture has its shape.
    // (DX's, through the app: ui_answers/app.rs.)
    let services = services(&emu, "fabrikam");
    let fx = saved(services, DEMO_FULL_ACCESS_PAT, None).await;
    let view = ado_flows::product::saved::handoff_view(
        &fx.connections,
        &fx.settings,
        profile("kong-konnect"),
        &fx.id,
        HandoffChoice::default(),
        now(),
    )
    .await
    .expect("the hand-off view");
    let mut view = json(&view, &host);
    let missing = MissingField {
        key: "placeholder:dx_url".into(),
        label: "Your DX URL".into(),
        source: FieldSource::Placeholder,
        placeholder: Some("dx_url".into()),
    };
    view["missing"] = Value::Array(vec![json(&missing, &[])]);
    answers.push(("handoff_panel", view));

    answers.extend(app::app_answers().await);
    answers.extend(gate_answers(&emu, &host).await);
    answers.extend(rules_answers());
    answers.extend(tls_answers().await);
    answers.extend(signed_in_answers().await);
    check_all(&answers);
}

/// hooks_gate: a developer, who may not edit service hooks in the project.
async fn gate_answers(emu: &Emulator, host: &[(&str, &str)]) -> Vec<(&'static str, Value)> {
    let fx = saved(
        server(emu, "tfs/DefaultCollection"),
        DEMO_DEVELOPER_PAT,
        None,
    )
    .await;
    let session = hooks::open_session(&fx.connections, &fx.id, &fx.settings)
        .await
        .expect("the session");
    let gate = hooks::hook_gate(
        &session.client,
        &session.records,
        &["Fabrikam Fiber".to_string()],
    )
    .await
    .expect("the gate answers");
    assert!(!gate.ok, "a developer may not edit service hooks");
    vec![("hooks_gate", json(&gate, host))]
}

/// product_connect_rules: DX on Services with a PAT and no expiry date, which it refuses.
fn rules_answers() -> Vec<(&'static str, Value)> {
    let target = TargetInput {
        deployment: Some(Deployment::Services),
        organization: "fabrikam".into(),
        ..Default::default()
    };
    let rules = connect_rules(
        &profile("dx"),
        &ConnectInput {
            deployment: target.deployment,
            target: target.validate().ok(),
            method: Some(SignInMethod::Pat),
            expires_on: None,
        },
    );
    assert!(rules.refused, "DX wants the PAT's expiry date");
    vec![("product_connect_rules", json(&rules, &[]))]
}

/// inspect_certificate: a server presenting its certificate and its private CA; and a URL
/// that is not one.
async fn tls_answers() -> Vec<(&'static str, Value)> {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca.self_signed(&ca_key).unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = leaf.signed_by(&leaf_key, &ca, &ca_key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![
            CertificateDer::from(leaf.der().to_vec()),
            CertificateDer::from(ca.der().to_vec()),
        ],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(acceptor.accept(socket).await);
        }
    });
    let chain = ado_flows::tls::inspect_certificate(&format!("https://{endpoint}/tfs"))
        .await
        .expect("the chain is read");
    assert_eq!(chain.trust_candidate, Some(1), "the CA is offered");
    let refused = ado_flows::tls::inspect_certificate("not a url")
        .await
        .expect_err("not a URL");
    vec![
        (
            "inspect_certificate",
            json(&chain, &[(endpoint.as_str(), "ado.test:443")]),
        ),
        ("inspect_certificate_error", json(&refused, &[])),
    ]
}

/// What a Microsoft sign-in on fabrikam (and a PAT beside it) answers: the home's cards, rename,
/// re-verify, the organizations, and minting DX's tokens (plan, mint, list, revoke, two
/// refusals), each as the command's flow gives it.
async fn signed_in_answers() -> Vec<(&'static str, Value)> {
    let f = entra::fixture().await.expect("a keyring");
    let base = f.emulator.base_url().to_string();
    let dashed = base.trim_start_matches("http://").replace(['.', ':'], "-");
    let host = [
        (base.as_str(), "http://ado.test"),
        (dashed.as_str(), "ado-test"),
    ];
    let dx = profile("dx");
    let mut answers: Vec<(&'static str, Value)> = Vec::new();
    let id = f.sign_in().await;
    // A PAT beside it on Azure DevOps Server, expiring in 5 days (its card carries the reminder).
    let soon = plan_mint(&dx, "fabrikam", Some(5), now()).valid_to[..10].to_string();
    let pat = Pat::parse(&SecretString::from(DEMO_FULL_ACCESS_PAT.to_string())).unwrap();
    let with_pat = verify_and_save_pat(
        &f.connections,
        &server(&f.emulator, "tfs/DefaultCollection"),
        &pat,
        Some(soon),
        &ConnectOptions::default(),
        1,
    )
    .await
    .expect("the PAT saves")
    .profile
    .id;

    let cards = ado_flows::home::cards(&f.connections, now()).expect("the cards");
    assert!(cards.iter().any(|c| c.reminder.is_some()), "{cards:?}");
    answers.push(("connection_cards", json(&cards, &host)));
    let renamed =
        ado_flows::home::rename(&f.connections, &with_pat, "Fabrikam (PAT)").expect("renamed");
    answers.push((
        "rename_connection",
        json(&ado_flows::home::card(&renamed, now()), &host),
    ));
    let too_long =
        ado_flows::home::rename(&f.connections, &with_pat, &"x".repeat(81)).expect_err("too long");
    answers.push(("error_invalid_name", json(&too_long, &host)));
    let connected = ado_flows::home::reverify(&f.connections, &id, &f.settings, now())
        .await
        .expect("verified again");
    answers.push((
        "reverify_connection",
        json(&ado_flows::home::open(&connected, now()).0, &host),
    ));
    let organizations = organizations_of(&f.connections, &f.settings, &id)
        .await
        .expect("listed");
    answers.push(("list_organizations", json(&organizations, &host)));

    // Minting DX's tokens: the preview, then mint_tokens' report (the command wraps it as
    // {kind: "minted", report}), the list on the home, and Forget's revocation.
    answers.push((
        "mint_plan",
        json(&plan_mint(&dx, "fabrikam", None, now()), &[]),
    ));
    let request = |days, fit| MintRequest {
        profile: dx.clone(),
        connection_id: id.clone(),
        project: None,
        repository: None,
        lifetime_days: days,
        fit_lifetime: fit,
    };
    // (What mint_tokens and revoke_minted answer is the app's: ui_answers/app.rs.)
    f.mint(request(None, false)).await;
    let minted = minted_tokens(&f.connections, &id, &dx).expect("listed");
    assert_eq!(minted.len(), dx.connectors.len());
    answers.push(("minted_tokens", json(&minted, &host)));
    revoke_minted(&f.connections, &f.settings, &id, &dx)
        .await
        .expect("revoked");

    // Two refusals ({kind: "refused", refusal}): a lifetime over the organization's maximum
    // (with its offer), and Azure DevOps Server, which has no tokens API (with the steps).
    f.emulator.world().set_pat_policy(
        "fabrikam",
        PatPolicy {
            max_lifetime_days: Some(7),
            ..PatPolicy::default()
        },
    );
    let over = mint_tokens(
        &f.connections,
        &f.settings,
        request(Some(90), false),
        now(),
        &|_| {},
    )
    .await
    .expect_err("over the maximum");
    assert_eq!(over.code, MintCode::PatLifetimeOverMaximum);
    let mut on_server_request = request(None, false);
    on_server_request.connection_id = with_pat.clone();
    let server_refusal = mint_tokens(
        &f.connections,
        &f.settings,
        on_server_request,
        now(),
        &|_| {},
    )
    .await
    .expect_err("Server has no tokens API");
    assert_eq!(server_refusal.code, MintCode::ServerHasNoPatApi);
    answers.push(("mint_refusal_server", json(&server_refusal, &host)));

    for id in [&id, &with_pat] {
        let _ = f.connections.remove(id);
    }
    answers
}

#[test]
fn a_renamed_field_is_a_difference() {
    let real = serde_json::json!({ "checks": [{ "status": "pass", "code": null }], "ok": true });
    let same = serde_json::json!({ "checks": [{ "status": "fail", "code": "x" }], "ok": false });
    let renamed = serde_json::json!({ "checks": [{ "state": "pass", "code": null }], "ok": true });
    let retyped = serde_json::json!({ "checks": [{ "status": 1, "code": null }], "ok": true });
    assert!(differences(&real, &same).is_empty());
    assert_eq!(differences(&real, &renamed).len(), 2);
    assert_eq!(differences(&real, &retyped).len(), 1);
}
