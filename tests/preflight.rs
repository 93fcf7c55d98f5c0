//! Preflight in the real window: a passing run, then `tls_untrusted` followed by trusting the CA,
//! `server_too_old`, and `public_url_localhost`.

use ado_emulator::Scenario;

use crate::support::{Journey, Launch};

async fn verify(journey: &Journey, server: &str, collection: &str) {
    journey
        .fill_server_form(server, collection, &journey.full_access_pat())
        .await;
    journey.click("verify").await;
}

/// Runs the checks and waits for the run to finish.
async fn run_checks(journey: &Journey) {
    let before = journey
        .js("return document.body.dataset.checksDone || ''")
        .await;
    journey.click("run-checks").await;
    journey
        .wait_until(
            "the checks finish",
            &format!("return (document.body.dataset.checksDone || '') !== {before}"),
        )
        .await;
}

async fn row_status(journey: &Journey, selector: &str) -> String {
    journey
        .js(&format!("const r = document.querySelector('#checklist > li{selector}'); return r ? r.className : 'missing'"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_passing_run_then_a_saved_report() {
    let Some(journey) = Journey::start("checks-pass", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let (server, collection) = journey.collection(0);
    verify(&journey, &server, &collection).await;
    journey.wait_for_result().await;
    journey.click("to-checks").await;
    journey
        .wait_until(
            "the scope table shows",
            "return document.getElementById('scope-rows').children.length > 0",
        )
        .await;
    let scopes = journey.text("scope-pat").await;
    assert!(
        scopes.contains("Code (Read)"),
        "repositories need Code (Read): {scopes}"
    );
    run_checks(&journey).await;
    journey.screenshot("20-checks-pass").await;
    let failed = journey.js("return [...document.querySelectorAll('#checklist > li.fail')].map(li => li.textContent)").await;
    assert_eq!(
        failed,
        serde_json::json!([]),
        "a full-access PAT on a healthy server passes"
    );
    assert_eq!(
        row_status(&journey, "[data-id=serverVersion]").await,
        "pass"
    );
    assert_eq!(row_status(&journey, "[data-id=publicUrl]").await, "pass");

    journey.click("save-report").await;
    journey
        .wait_until(
            "the report is saved",
            "return document.getElementById('checks-status').textContent.startsWith('Saved')",
        )
        .await;
    let files: Vec<_> = std::fs::read_dir(journey.report_dir())
        .expect("reports written")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 2, "Markdown and JSON: {files:?}");
    let md = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("a Markdown report");
    let text = std::fs::read_to_string(md).unwrap();
    assert!(text.contains("| pass | Server reachable |"), "{text}");
    assert!(
        !text.contains(&journey.full_access_pat()),
        "a report never holds the token"
    );
    journey.finish().await;
}

#[tokio::test]
async fn server_too_old_is_named_at_verify() {
    let Some(journey) = Journey::start("checks-too-old", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    // The demo's Team Foundation Server 2018 at /tfs2018 (Server 2019 and newer connect).
    let base = journey.sandbox()["baseUrl"].as_str().unwrap().to_string();
    verify(&journey, &format!("{base}/tfs2018"), "DefaultCollection").await;
    journey
        .wait_until(
            "the error shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    journey.screenshot("21-server-too-old").await;
    assert_eq!(journey.text("alert-code").await, "server_too_old");
    let message = journey.text("alert-message").await;
    assert!(
        message.contains("Team Foundation Server 2018 (REST API up to 4.1)")
            && message.contains("Azure DevOps Server 2019 (REST API 5.0) and newer"),
        "names the version found and the oldest supported: {message}"
    );
    journey.finish().await;
}

const LOCALHOST_PUBLIC_URL: &str = r#"{
  "name": "localhost public URL",
  "users": [{"displayName": "Demo Admin", "email": "demo.admin@fabrikam.example"}],
  "servers": [{
    "name": "misconfigured", "version": "2022", "virtualDirectory": "tfs",
    "publicUrl": "http://localhost:8080/tfs",
    "collections": [{"name": "DefaultCollection", "projects": [{"name": "Web", "repositories": [{"name": "web"}]}]}]
  }],
  "pats": [{"token": "localhostpublicurl2full3access4token5for6tests7only8", "name": "full", "user": "demo.admin@fabrikam.example", "scopes": ["app_token"], "allHosts": true}]
}"#;

#[tokio::test]
async fn public_url_localhost_fails_its_check() {
    let scenario = Scenario::from_json(LOCALHOST_PUBLIC_URL).expect("the scenario parses");
    let Some(journey) = Journey::start("checks-localhost", scenario, Launch::default()).await
    else {
        return;
    };
    let (server, collection) = journey.collection(0);
    verify(&journey, &server, &collection).await;
    journey.wait_for_result().await;
    journey.click("to-checks").await;
    run_checks(&journey).await;
    journey.screenshot("22-public-url-localhost").await;
    let row = row_status(&journey, "[data-code=public_url_localhost]").await;
    assert_eq!(row, "fail", "the localhost public URL fails");
    let text = journey.js("return document.querySelector('#checklist > li[data-code=public_url_localhost]').textContent").await;
    assert!(
        text.as_str().unwrap().contains("Administration Console"),
        "the fix names the console: {text}"
    );
    journey.finish().await;
}

#[tokio::test]
async fn untrusted_tls_then_trusting_the_ca_for_this_connection() {
    let Some(journey) = Journey::start(
        "checks-tls",
        Scenario::demo(),
        Launch {
            tls: true,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let (server, collection) = journey.collection(0);
    assert!(server.starts_with("https://"), "{server}");
    verify(&journey, &server, &collection).await;
    journey
        .wait_until(
            "the TLS error shows",
            "return !document.getElementById('tls-panel').hidden",
        )
        .await;
    journey.screenshot("23-tls-untrusted").await;
    assert_eq!(journey.text("alert-code").await, "tls_untrusted");
    let chain = journey.text("tls-chain").await;
    assert!(
        chain.contains("SHA-256"),
        "the chain shows fingerprints: {chain}"
    );
    journey.click("trust-ca").await;
    journey.wait_for_result().await;
    journey.screenshot("24-tls-trusted").await;

    let profiles = std::fs::read_to_string(journey.config_dir.join("connections.json")).unwrap();
    assert!(
        profiles.contains("BEGIN CERTIFICATE"),
        "the CA is kept in the connection profile"
    );
    journey.click("to-checks").await;
    run_checks(&journey).await;
    assert_eq!(
        row_status(&journey, "[data-id=reachable]").await,
        "pass",
        "checks trust the CA too"
    );
    journey.finish().await;
}
