//! The answers the UI's fake backend gives (`tests/ui/fixtures/*.json`, loaded by
//! `tests/ui/support/fake-backend.js` for the step tests in Node) have the shape of the real
//! ones: each is produced here by the same flow the Tauri command runs (against the emulator where
//! it talks to Azure DevOps), serialized with serde, and compared path by path with its fixture.
//! A renamed, added or removed field fails here until the fixture (and the UI) follows:
//!
//!     UPDATE_UI_FIXTURES=1 cargo test -p ado-flows --test ui_answers
//!
//! rewrites the fixtures from the real answers (the emulator's address written as
//! `http://ado.test`). A fixture that no answer here produces fails too: none goes unchecked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ado_client::Credential;
use ado_core::product::handoff::MissingField;
use ado_core::product::FieldSource;
use ado_core::target::TargetInput;
use ado_core::webhook::EventKind;
use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_flows::hooks::{self, AuthChoice, HookRecords, HookRequest, SecretChoice};
use ado_flows::interface::Capability;
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::product::handoff::HandoffChoice;
use ado_flows::{connect_with_pat, ConnectOptions, PatConnectRequest};
use ado_test_support::saved::saved;
use ado_test_support::world::{emulator_with, now, profile, profile_path, server, services};
use secrecy::SecretString;
use serde::Serialize;
use serde_json::Value;

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
    let request = HookRequest {
        project: "Fabrikam Fiber".into(),
        projects: Vec::new(),
        all_projects: false,
        repository: Some("fiber-api".into()),
        repositories: Vec::new(),
        branch: Some("main".into()),
        events: vec![EventKind::CodePushed, EventKind::PullRequestCreated],
        url: "http://127.0.0.1:9/ado".into(),
        auth: AuthChoice::SecretHeader {
            header: None,
            secret: SecretChoice::Keep,
        },
        take_over: false,
    };
    let plan = hooks::plan_hooks(&client, &records, &request)
        .await
        .expect("the plan");
    answers.push(("plan_hooks", json(&plan, &host)));
    let applied = hooks::apply_plan(&client, &records, &plan, &|_| {})
        .await
        .expect("the apply");
    // Nothing failed or was left alone in this run: one of each, of the real types, stands in
    // so that the fixture has their shapes.
    let mut applied = json(&applied, &host);
    let created = applied["created"][0].clone();
    applied["leftAlone"] = Value::Array(vec![created.clone()]);
    let failed = hooks::FailedHook {
        action: ado_core::webhook::Action::Update,
        event: EventKind::CodePushed,
        subscription_id: Some(hooks::SubscriptionId::from(
            created["subscriptionId"].as_str().unwrap().to_string(),
        )),
        problem: refused.clone(),
    };
    applied["failed"] = Value::Array(vec![json(&failed, &[])]);
    answers.push(("apply_hooks", applied));
    // hooks_overview's hooks (each as `list_hooks` gives it; the command adds the names).
    let listed = hooks::list_hooks(&client, &records)
        .await
        .expect("the hooks");
    answers.push(("list_hooks", json(&listed, &host)));
    let _ = hooks::remove_hooks(&client, &records).await;

    // product_info's profile, and handoff_panel (Kong Konnect on a Services organization). The
    // view's `missing` is empty there; one missing placeholder of the real type stands in so
    // the fixture has its shape.
    let loaded = ado_flows::product::load_profile(&profile_path("dx")).expect("dx loads");
    let dx_path = loaded.path.to_string_lossy().into_owned();
    answers.push((
        "product_loaded_dx",
        json(&loaded, &[(dx_path.as_str(), "profiles/dx.toml")]),
    ));
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

    check_all(&answers);
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
