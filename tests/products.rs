//! Issues 10 and 18: the app opened with a product profile (`ado-connect --profile FILE`).
//!
//! - DX on Azure DevOps Services (the sandbox organization): the PAT and the expiry date DX
//!   needs asked for before anything is sent; the hand-off unreachable until DX's checks pass (a
//!   token per connector; one lacking Graph named with DX's own code; the same identity for every
//!   connector a warning); DX's three pull-request webhooks per project with the secret DX gave,
//!   the receiver URL shown filled in; the hand-off opening at its top, and POSTed to a test double
//!   of DX's API over TLS with a private CA.
//! - Datafold: a pasted repository URL, a PAT, and the "Paste into Datafold" panel with its
//!   token, organization, project and repository in its form's order; the export file; the
//!   hand-off again from the home.
//! - A profile picked with the file picker (a broken one named by line), and closed again.
//!
//! The connect form's rules (dbt, Kong Konnect, Appcircle) are in `product_rules.rs`.

use std::path::PathBuf;

use ado_emulator::scenario::{TokenSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::{HostPath, Scenario};
use serde_json::{json, Value};

use crate::support::{workspace_root, Journey, Launch};

use ado_test_support::product_api::ProductApi;

/// A Boards token with every scope DX lists but Graph (Read).
const DX_BOARDS_NO_GRAPH: &str = "dx-journey-boards-no-graph-0123456789abcdefghijkl";
const DX_SECRET: &str = "dx-journey-given-webhook-secret-0123456789";
/// The example of DX's placeholder: the webhook summary must show it filled in.
const DX_URL: &str = "https://acme.getdx.net";
const DX_EXPIRY: &str = "2030-06-30";
const DX_CONNECTORS: [&str; 5] = ["boards", "pipelines", "repos", "pull_commits", "commits"];
const DATAFOLD_PAT: &str = "datafold-journey-write-identity-pat-0123456789abc";

pub fn profile(name: &str) -> PathBuf {
    workspace_root().join(format!("profiles/{name}.toml"))
}

fn with_pats(pats: &[(&str, &[&str])]) -> Scenario {
    let mut scenario = Scenario::demo();
    for (token, scopes) in pats {
        scenario
            .pats
            .push(TokenSpec::everywhere(token, DEMO_USER_EMAIL, scopes));
    }
    scenario
}

/// Runs the product's checks and waits for their verdict; an error box fails with its text.
pub async fn run_product_checks(journey: &Journey, expect: &str) {
    journey
        .js("delete document.body.dataset.productChecks; return true")
        .await;
    journey.click("product-run-checks").await;
    journey
        .wait_until(
            "the product checks end",
            "return !!document.body.dataset.productChecks || !document.getElementById('product-alert').hidden",
        )
        .await;
    let got = journey
        .js("return document.body.dataset.productChecks || ''")
        .await;
    assert_eq!(
        got.as_str(),
        Some(expect),
        "alert: {} status: {} list: {}",
        journey.text("product-alert").await,
        journey.text("product-status").await,
        journey.text("product-checklist").await
    );
}

/// Waits for the hand-off panel (or its refusal) and returns which showed.
pub async fn wait_handoff(journey: &Journey) -> String {
    journey
        .wait_until(
            "the hand-off panel or its refusal",
            "return ['shown', 'refused'].includes(document.body.dataset.handoff)",
        )
        .await;
    journey
        .js("return document.body.dataset.handoff")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The hand-off's rows: (label, value or the note that stands in for a value not known yet).
pub async fn handoff_rows(journey: &Journey) -> Vec<(String, String)> {
    let rows = journey
        .js("return [...document.querySelectorAll('#handoff-fields li')].map(li => [li.querySelector('label').textContent, (li.querySelector('input') || li.querySelector('p')).value || li.querySelector('p')?.textContent || ''])")
        .await;
    serde_json::from_value(rows).unwrap()
}

/// The checklist's rows that did not pass: (status, code, product code, credential, text).
async fn rows_not_passed(journey: &Journey) -> Vec<Value> {
    let rows = journey
        .js("return [...document.querySelectorAll('#product-checklist li.fail[data-code], #product-checklist li.warn[data-code]')].map(li => [li.className, li.dataset.code, li.dataset.productCode || '', li.closest('li.group')?.dataset.credential || '', li.textContent])")
        .await;
    serde_json::from_value(rows).unwrap()
}

#[tokio::test]
async fn dx_on_services_behind_its_checks_its_webhooks_and_the_post() {
    let scenario = with_pats(&[(
        DX_BOARDS_NO_GRAPH,
        &[
            "vso.work",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    )]);
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("dx")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-dx", scenario, launch).await else {
        return;
    };
    // The product's name in the header and the steps.
    assert_eq!(journey.text("product-name").await, "DX");
    assert_eq!(journey.text("subtitle").await, "Connect Azure DevOps to DX");
    assert!(journey.visible("nav-product").await && !journey.visible("nav-checks").await);
    assert_eq!(journey.text("nav-handoff-label").await, "Paste into DX");
    assert!(
        !journey.visible("use-sandbox").await && journey.visible("use-sandbox-org").await,
        "DX is Services only: the sandbox offers its organization"
    );

    // The sandbox organization: DX takes a PAT only, so the shortcut picks it; the expiry date
    // DX needs is asked for at once, and nothing is sent.
    let before = journey.emulator.requests().len();
    journey.click("use-sandbox-org").await;
    journey
        .wait_until(
            "the missing expiry date is named at its field",
            "return document.body.dataset.connectRules === 'refused' && !document.getElementById('connect-refusal').hidden \
             && document.getElementById('pat-expiry').getAttribute('aria-invalid') === 'true'",
        )
        .await;
    let state = journey
        .js("return [document.getElementById('method-pat').checked, document.getElementById('pat').getClientRects().length > 0, document.getElementById('verify').disabled, document.getElementById('connect-refusal').dataset.rule]")
        .await;
    assert_eq!(
        state,
        json!([true, true, true, "patExpiry"]),
        "PAT chosen and shown, Verify held back"
    );
    assert!(journey
        .text("connect-refusal")
        .await
        .contains("expiration date"));
    journey.screen("60-dx-connect-refused-1280").await;
    journey.type_into("pat-expiry", DX_EXPIRY).await;
    journey
        .wait_until(
            "the refusal clears",
            "return document.body.dataset.connectRules === 'clear' && document.getElementById('connect-refusal').hidden \
             && !document.getElementById('verify').disabled && !document.getElementById('pat-expiry').hasAttribute('aria-invalid')",
        )
        .await;
    assert_eq!(
        journey.emulator.requests().len(),
        before,
        "nothing was sent"
    );
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;

    // The gate: no hand-off before DX's checks pass. Next is held back, and the hand-off opened
    // anyway (the step list) is the refusal with a way back.
    assert_eq!(
        journey
            .js("return document.getElementById('product-next').disabled")
            .await,
        Value::Bool(true)
    );
    assert!(journey
        .text("product-next-hint")
        .await
        .contains("Check access"));
    journey.screen("61-dx-needs-1280").await;
    journey
        .js("document.querySelector('#nav-handoff button').click(); return true")
        .await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "refused");
    assert!(journey.visible("handoff-alert").await && !journey.visible("handoff-body").await);
    assert!(
        journey
            .text("handoff-alert-message")
            .await
            .contains("checks"),
        "{}",
        journey.text("handoff-alert").await
    );
    journey.screen("62-dx-handoff-refused-1280").await;
    journey.click("handoff-to-checks").await;
    journey.wait_step("product").await;

    // A token per connector (the connection's own does not serve them), each with its date; the
    // Boards one lacks Graph (Read): DX's call is named, with DX's own code.
    assert!(journey.visible("product-credentials").await);
    for connector in DX_CONNECTORS {
        let pat = if connector == "boards" {
            DX_BOARDS_NO_GRAPH
        } else {
            DEMO_FULL_ACCESS_PAT
        };
        journey.type_into(&format!("cred-{connector}-0"), pat).await;
        journey
            .type_into(&format!("cred-{connector}-0-expiry"), DX_EXPIRY)
            .await;
    }
    run_product_checks(&journey, "failed").await;
    let failed = rows_not_passed(&journey).await;
    let fails: Vec<&Value> = failed.iter().filter(|r| r[0] == "fail").collect();
    assert_eq!(fails.len(), 1, "only the Boards token fails: {failed:?}");
    assert_eq!(fails[0][1], "invalid_permissions", "{failed:?}");
    assert!(
        !fails[0][2].as_str().unwrap().is_empty(),
        "DX's own code: {failed:?}"
    );
    assert_eq!(fails[0][3], "boards#0", "{failed:?}");
    assert!(
        fails[0][4].as_str().unwrap().contains("Graph"),
        "{failed:?}"
    );
    assert_eq!(
        journey
            .js("return document.getElementById('product-next').disabled")
            .await,
        Value::Bool(true),
        "still no hand-off"
    );
    journey.screen("63-dx-checks-failed-1280").await;

    // Every connector with the full-access token: DX's checks pass, with a warning that they
    // all belong to the same identity.
    journey
        .type_into("cred-boards-0", DEMO_FULL_ACCESS_PAT)
        .await;
    journey.type_into("cred-boards-0-expiry", DX_EXPIRY).await;
    run_product_checks(&journey, "passed").await;
    let notes = rows_not_passed(&journey).await;
    assert!(
        notes.len() == 1
            && notes[0][0] == "warn"
            && notes[0][4].as_str().unwrap().contains("same identity"),
        "{notes:?}"
    );
    assert_eq!(
        journey.value("cred-boards-0").await,
        "",
        "the tokens leave the page once kept"
    );
    assert_eq!(
        journey
            .js("return document.getElementById('product-next').disabled")
            .await,
        Value::Bool(false)
    );

    // DX's webhooks: the receiver URL is shown filled in, never as its template.
    let summary = journey.text("product-hooks-summary").await;
    assert!(!summary.contains('{'), "{summary}");
    journey.type_into("hook-detail-dx-url", DX_URL).await;
    assert_eq!(
        journey.text("product-hooks-url").await,
        "https://acme.getdx.net/webhooks/ado"
    );
    journey.type_into("product-secret", DX_SECRET).await;
    journey.click("product-hooks-plan").await;
    journey
        .wait_until(
            "the plan",
            "return !document.getElementById('product-hooks-apply').disabled || !document.getElementById('product-hooks-alert').hidden",
        )
        .await;
    assert!(
        !journey.visible("product-hooks-alert").await,
        "{}",
        journey.text("product-hooks-alert").await
    );
    journey.click("product-hooks-apply").await;
    journey
        .wait_until(
            "the webhooks are registered",
            "return !!document.body.dataset.productHooks || !document.getElementById('product-hooks-alert').hidden",
        )
        .await;
    assert_eq!(
        journey
            .js("return document.body.dataset.productHooks || ''")
            .await,
        "registered",
        "{} {}",
        journey.text("product-hooks-alert").await,
        journey.text("product-hooks-status").await
    );
    let subscriptions = journey
        .emulator
        .world()
        .subscriptions(&HostPath::organization("fabrikam"))
        .unwrap();
    let projects: std::collections::BTreeSet<&str> = subscriptions
        .iter()
        .filter_map(|s| s.publisher_inputs.get("projectId").map(String::as_str))
        .collect();
    assert!(
        projects.len() >= 2,
        "each project of the organization: {projects:?}"
    );
    assert_eq!(
        subscriptions.len(),
        3 * projects.len(),
        "three events per project"
    );
    for s in &subscriptions {
        assert!(
            s.event_type.starts_with("git.pullrequest."),
            "{}",
            s.event_type
        );
        assert_eq!(
            s.consumer_input("url"),
            Some("https://acme.getdx.net/webhooks/ado")
        );
        assert_eq!(
            s.consumer_input("httpHeaders"),
            Some(format!("X-ADO-Signature:{DX_SECRET}").as_str()),
            "DX's own secret"
        );
    }
    journey.screen("64-dx-needs-passed-1280").await;

    // The hand-off opens at its top, wherever the product step was scrolled to.
    journey
        .js("window.scrollTo(0, document.documentElement.scrollHeight); return true")
        .await;
    assert_ne!(
        journey.js("return window.scrollY").await,
        json!(0),
        "the product step scrolls"
    );
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    journey.assert_at_top("handoff").await;
    let rows = handoff_rows(&journey).await;
    let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Personal access token (Boards)",
            "Personal access token (Pipelines)",
            "Personal access token (Repositories)",
            "Personal access token (Pull Commits)",
            "Personal access token (Commits (default branch))",
        ]
    );
    assert!(
        rows.iter().all(|(_, v)| v != DEMO_FULL_ACCESS_PAT),
        "secrets hidden: {rows:?}"
    );
    assert!(journey
        .text("handoff-intro")
        .await
        .contains("or let ADO Connect send it"));
    let inputs = journey
        .js("return [...document.querySelectorAll('#handoff-details input, #handoff-post-details input')].map(i => [i.closest('div[id]').id, i.id, i.type])")
        .await;
    assert_eq!(
        inputs,
        json!([
            [
                "handoff-post-details",
                "handoff-detail-dx-connection-id",
                "number"
            ],
            ["handoff-post-details", "handoff-detail-dx-api-url", "url"]
        ]),
        "what DX's API needs, with the POST, each the kind of value it is"
    );
    journey.screen("65-dx-handoff-1280").await;
    journey.click("handoff-pat-boards-0-reveal").await;
    journey
        .wait_until(
            "the token is revealed",
            &format!("return document.getElementById('handoff-pat-boards-0').value === '{DEMO_FULL_ACCESS_PAT}'"),
        )
        .await;
    assert_ne!(
        journey.value("handoff-pat-pipelines-0").await,
        DEMO_FULL_ACCESS_PAT,
        "only the field asked for is revealed"
    );

    // The POST to DX's API: one credentials.create per credential, naming DX's connection.
    let api = ProductApi::start(vec![200]).await;
    journey
        .type_into("handoff-detail-dx-connection-id", "456")
        .await;
    journey
        .type_into("handoff-detail-dx-api-url", &api.url)
        .await;
    journey
        .type_into("handoff-token", "dx-api-token-from-the-journey")
        .await;
    journey
        .js("document.querySelector('#handoff-post details').open = true; return true")
        .await;
    // Pasted, as a user would (typing a PEM key by key is not how anyone enters one).
    journey
        .js_with(
            "const t = document.getElementById('handoff-ca'); t.value = arguments[0]; t.dispatchEvent(new Event('input')); return true",
            vec![Value::String(api.ca_pem.clone())],
        )
        .await;
    journey.click("handoff-send").await;
    // Nothing leaves before the user saw where it goes and what it carries; the test double
    // listens on this machine, which needs its own tick.
    journey
        .wait_until(
            "the delivery is previewed",
            "return !!document.body.dataset.handoffPost || !document.getElementById('handoff-alert').hidden",
        )
        .await;
    assert_eq!(
        journey
            .js("return document.body.dataset.handoffPost || ''")
            .await,
        "consent",
        "alert: {}",
        journey.text("handoff-alert").await
    );
    assert!(api.received().is_empty(), "nothing sent before the consent");
    assert_eq!(journey.text("handoff-consent-host").await, "127.0.0.1");
    let carries = journey.text("handoff-consent-carries").await;
    assert!(carries.contains("DX API token"), "{carries}");
    assert_eq!(
        journey
            .js("return document.getElementById('handoff-consent-send').disabled")
            .await,
        Value::Bool(true),
        "a local destination needs its tick"
    );
    journey.screen("66-dx-delivery-preview-1280").await;
    journey.click("handoff-consent-local").await;
    journey.click("handoff-consent-send").await;
    journey
        .wait_until(
            "the POST ends",
            "return ['delivered', 'refused'].includes(document.body.dataset.handoffPost) || !document.getElementById('handoff-alert').hidden",
        )
        .await;
    assert_eq!(
        journey
            .js("return document.body.dataset.handoffPost || ''")
            .await,
        "delivered",
        "alert: {} result: {}",
        journey.text("handoff-alert").await,
        journey.text("handoff-post-result").await
    );
    let received = api.received();
    assert_eq!(received.len(), 5, "one request per credential");
    for r in &received {
        assert_eq!(r.path, "/credentials.create");
        assert_eq!(r.authorization, "Bearer dx-api-token-from-the-journey");
        assert_eq!(r.body["id"], json!(456), "DX's connection id, a number");
        assert_eq!(
            r.body["secrets"]["personal_access_token"],
            DEMO_FULL_ACCESS_PAT
        );
    }
    assert_eq!(
        journey.value("handoff-token").await,
        "",
        "the API token leaves the page"
    );
    journey.screen("67-dx-delivered-1280").await;
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("handoff").await;
    journey.js("window.scrollTo(0, 0); return true").await;
    journey.screen("68-dx-handoff-720").await;
    journey.click("handoff-back").await;
    journey.wait_step("product").await;
    journey.assert_at_top("product").await;
    journey.assert_no_horizontal_scroll("product").await;
    journey.screen("69-dx-needs-720").await;
    journey.finish().await;
}

#[tokio::test]
async fn datafold_from_a_pasted_repository_url_to_its_form() {
    let scenario = with_pats(&[(
        DATAFOLD_PAT,
        &["vso.project", "vso.code_write", "vso.identity"],
    )]);
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("datafold")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-datafold", scenario, launch).await else {
        return;
    };
    assert_eq!(journey.text("product-name").await, "Datafold");
    // Datafold's own example shape: a repository URL names the project and the repository.
    journey
        .type_into(
            "paste-url",
            "https://dev.azure.com/fabrikam/Fiber%20Cloud/_git/fiber-cloud-api",
        )
        .await;
    journey
        .wait_until(
            "the paste fills the form",
            "return document.getElementById('organization').value === 'fabrikam'",
        )
        .await;
    // The sandbox stands in for dev.azure.com.
    journey.click("use-sandbox-org").await;
    journey.type_into("pat", DATAFOLD_PAT).await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    assert_eq!(journey.value("product-detail-project").await, "Fiber Cloud");
    assert_eq!(
        journey.value("product-detail-repository").await,
        "fiber-cloud-api"
    );
    run_product_checks(&journey, "passed").await;
    assert!(
        !journey.visible("product-hooks").await,
        "Datafold registers no webhooks"
    );
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    journey.assert_at_top("handoff").await;
    let fields = handoff_rows(&journey).await;
    assert_eq!(fields[0].0, "Personal/project Access Token");
    assert_ne!(fields[0].1, DATAFOLD_PAT, "hidden until revealed");
    assert_eq!(
        fields[1..],
        [
            ("Organization".to_string(), "fabrikam".to_string()),
            ("Project".to_string(), "Fiber Cloud".to_string()),
            ("Repository".to_string(), "fiber-cloud-api".to_string()),
        ]
    );
    assert!(
        !journey.visible("handoff-post").await && !journey.visible("handoff-script").await,
        "Datafold names no API to post to and has no webhooks"
    );
    assert!(!journey.text("handoff-intro").await.contains("send it"));
    journey.screen("70-datafold-handoff-1280").await;

    // The export file: without secrets unless ticked.
    journey.click("handoff-export").await;
    journey
        .wait_until(
            "the export is saved",
            "return !!document.getElementById('handoff-file-status').dataset.path",
        )
        .await;
    let path = journey
        .js("return document.getElementById('handoff-file-status').dataset.path")
        .await;
    let text = std::fs::read_to_string(path.as_str().unwrap()).unwrap();
    assert!(
        text.contains("fiber-cloud-api") && !text.contains(DATAFOLD_PAT),
        "{text}"
    );
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("handoff").await;
    journey.screen("71-datafold-handoff-720").await;

    // Later, from the home: the saved connection's card hands off again.
    journey.click("handoff-home").await;
    journey.wait_step("home").await;
    journey
        .js("delete document.body.dataset.handoff; document.querySelector('#home-list .open-handoff').click(); return true")
        .await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    assert_eq!(handoff_rows(&journey).await.len(), 4);
    journey.finish().await;
}

/// Sends a file path to the profile picker, as choosing it in the file dialog does.
async fn pick_profile(journey: &Journey, path: &std::path::Path) {
    journey
        .client
        .find(fantoccini::Locator::Id("profile-file"))
        .await
        .expect("the profile picker")
        .send_keys(&path.display().to_string())
        .await
        .expect("pick the file");
}

#[tokio::test]
async fn a_profile_picked_on_the_first_step_and_a_broken_one_named_by_line() {
    let Some(journey) = Journey::start("product-picker", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    assert!(!journey.visible("product-badge").await, "no product yet");
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("datafold-typo.toml");
    let text = std::fs::read_to_string(profile("datafold")).unwrap();
    std::fs::write(&broken, text.replace("vso.code_write", "vso.code_writ")).unwrap();
    pick_profile(&journey, &broken).await;
    journey
        .wait_until(
            "the broken profile is explained",
            "return !document.getElementById('profile-error').hidden",
        )
        .await;
    let error = journey.text("profile-error").await;
    assert!(
        error.contains("invalid_profile")
            && error.contains("datafold-typo.toml")
            && error.contains("access.scopes[0]")
            && error.contains("line "),
        "{error}"
    );
    journey.screen("78-profile-broken").await;
    assert!(!journey.visible("product-badge").await, "nothing changed");

    pick_profile(&journey, &profile("datafold")).await;
    journey
        .wait_until(
            "the wizard is for Datafold",
            "return document.body.dataset.ready === 'true' && document.getElementById('product-name').textContent === 'Datafold'",
        )
        .await;
    assert!(journey.visible("nav-product").await);
    assert!(journey
        .text("profile-current")
        .await
        .contains("Datafold (datafold.toml)"));
    journey.screenshot("79-profile-picked-1280").await;
    journey.click("profile-close").await;
    journey
        .wait_until(
            "the wizard is plain again",
            "return document.body.dataset.ready === 'true' && document.getElementById('product-badge').hidden",
        )
        .await;
    assert!(journey.visible("nav-checks").await);
    journey.finish().await;
}
