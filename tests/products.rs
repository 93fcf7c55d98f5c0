//! Issue 10's journeys: the app opened with a product profile (`ado-connect --profile FILE`).
//!
//! - DX on an Azure DevOps Server: a PAT per connector (one lacking Identity is named), DX's three
//!   pull-request webhooks per project with the secret DX gave, and the hand-off POSTed to a test
//!   double of DX's API over TLS with a private CA.
//! - Datafold: a pasted repository URL, a PAT, and the "Paste into Datafold" panel with its
//!   organization, project and repository; the export file; the hand-off again from the home.
//! - A profile picked with the file picker (a broken one named by line), and closed again.
//! - dbt refusing a pasted Server URL in the form, with nothing sent.

use std::path::PathBuf;

use ado_emulator::scenario::{TokenSpec, DEMO_USER_EMAIL};
use ado_emulator::{HostPath, Scenario};

use crate::support::{workspace_root, Journey, Launch};

#[path = "../crates/flows/tests/support/product_api.rs"]
mod product_api;
use product_api::ProductApi;

const DX_BOARDS: &str = "dx-journey-boards-pat-0123456789abcdefghijklmnopq";
const DX_BOARDS_2: &str = "dx-journey-boards-pat-2-0123456789abcdefghijklmno";
const DX_NO_IDENTITY: &str = "dx-journey-boards-no-identity-0123456789abcdefgh";
const DX_SECRET: &str = "dx-journey-given-webhook-secret-0123456789";
const DX_URL: &str = "https://acme.getdx.invalid";
const DATAFOLD_PAT: &str = "datafold-journey-write-identity-pat-0123456789abc";

fn profile(name: &str) -> PathBuf {
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
async fn run_product_checks(journey: &Journey, expect: &str) {
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

const BOARDS_ALL: &[&str] = &[
    "vso.work",
    "vso.graph",
    "vso.identity",
    "vso.project",
    "vso.release",
    "vso.taskgroups_read",
];
const BOARDS_NO_IDENTITY: &[&str] = &[
    "vso.work",
    "vso.graph",
    "vso.project",
    "vso.release",
    "vso.taskgroups_read",
];

#[tokio::test]
async fn dx_on_a_server_with_a_pat_per_connector_its_webhooks_and_the_post() {
    let scenario = with_pats(&[
        (DX_BOARDS, BOARDS_ALL),
        (DX_BOARDS_2, BOARDS_ALL),
        (DX_NO_IDENTITY, BOARDS_NO_IDENTITY),
    ]);
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

    // DX needs the token's expiry date: refused in the form, before anything is sent.
    journey.click("use-sandbox").await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the missing expiry date is named",
            "return document.getElementById('alert-message').textContent.includes('expiry date') \
             && document.getElementById('pat-expiry').getAttribute('aria-invalid') === 'true'",
        )
        .await;
    journey.type_into("pat-expiry", "2027-06-30").await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    journey.screenshot("70-dx-needs-1280").await;

    // A token per connector: the second Boards token lacks Identity (Read) and is named. (Graph is
    // not probed here: Azure DevOps Server has no Graph API, and the checklist says so.)
    journey.type_into("cred-boards-0", DX_BOARDS).await;
    journey
        .type_into("cred-boards-0-expiry", "2027-06-30")
        .await;
    journey.click("add-token-boards").await;
    journey.type_into("cred-boards-1", DX_NO_IDENTITY).await;
    journey
        .type_into("cred-boards-1-expiry", "2027-06-30")
        .await;
    run_product_checks(&journey, "failed").await;
    let failed = journey
        .js("return [...document.querySelectorAll('#product-checklist li.fail[data-code]')].map(li => li.dataset.code + ' ' + li.closest('li.group').querySelector('summary').textContent + ': ' + li.textContent)")
        .await;
    let failed: Vec<String> = serde_json::from_value(failed).unwrap();
    assert_eq!(
        failed.len(),
        1,
        "only the second Boards token fails: {failed:?}"
    );
    assert!(
        failed[0].starts_with("invalid_permissions")
            && failed[0].contains("Boards #2")
            && failed[0].contains("Identity (Read)"),
        "{failed:?}"
    );
    journey.screenshot("71-dx-missing-identity-1280").await;
    journey.type_into("cred-boards-1", DX_BOARDS_2).await;
    run_product_checks(&journey, "passed").await;
    assert_eq!(
        journey.value("cred-boards-0").await,
        "",
        "the tokens leave the page once kept"
    );

    // DX's webhooks: each project, three pull-request events, X-ADO-Signature with DX's secret.
    journey.type_into("hook-detail-dx-url", DX_URL).await;
    journey.type_into("product-secret", DX_SECRET).await;
    journey.click("product-hooks-plan").await;
    journey
        .wait_until(
            "the plan",
            "return !document.getElementById('product-hooks-apply').disabled",
        )
        .await;
    journey.click("product-hooks-apply").await;
    journey
        .wait_until(
            "the webhooks are registered",
            "return document.body.dataset.productHooks === 'registered'",
        )
        .await;
    let subscriptions = journey
        .emulator
        .world()
        .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
        .unwrap();
    let projects: std::collections::BTreeSet<&str> = subscriptions
        .iter()
        .filter_map(|s| s.publisher_inputs.get("projectId").map(String::as_str))
        .collect();
    assert!(
        projects.len() >= 2,
        "each project of the collection: {projects:?}"
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
            Some(format!("{DX_URL}/webhooks/ado").as_str())
        );
        assert_eq!(
            s.consumer_input("httpHeaders"),
            Some(format!("X-ADO-Signature:{DX_SECRET}").as_str()),
            "DX's own secret"
        );
    }
    journey.screenshot("72-dx-webhooks-1280").await;

    // The hand-off: DX's labels, secrets hidden until asked, and the POST to DX's API.
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    journey
        .wait_until(
            "the panel",
            "return document.body.dataset.handoff === 'shown'",
        )
        .await;
    let labels = journey
        .js("return [...document.querySelectorAll('#handoff-fields label')].map(l => l.textContent)")
        .await;
    assert_eq!(
        labels,
        serde_json::json!([
            "Azure DevOps URL",
            "Personal access token (Boards) #1",
            "Personal access token (Boards) #2",
            "Webhook URL"
        ])
    );
    assert_eq!(
        journey.value("handoff-webhook-url").await,
        format!("{DX_URL}/webhooks/ado"),
        "the DX URL typed on the previous step is carried"
    );
    assert_ne!(journey.value("handoff-pat-boards-0").await, DX_BOARDS);
    journey.click("handoff-pat-boards-0-reveal").await;
    journey
        .wait_until(
            "the token is revealed",
            &format!(
                "return document.getElementById('handoff-pat-boards-0').value === '{DX_BOARDS}'"
            ),
        )
        .await;
    assert_ne!(
        journey.value("handoff-pat-boards-1").await,
        DX_BOARDS_2,
        "only the field asked for is revealed"
    );

    let api = ProductApi::start(vec![200]).await;
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
            vec![serde_json::Value::String(api.ca_pem.clone())],
        )
        .await;
    journey.screenshot("73-dx-handoff-1280").await;
    journey.click("handoff-send").await;
    journey
        .wait_until(
            "the POST ends",
            "return !!document.body.dataset.handoffPost || !document.getElementById('handoff-alert').hidden",
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
    assert_eq!(received.len(), 2, "one request per credential");
    for (r, pat) in received.iter().zip([DX_BOARDS, DX_BOARDS_2]) {
        assert_eq!(r.path, "/credentials.create");
        assert_eq!(r.authorization, "Bearer dx-api-token-from-the-journey");
        assert_eq!(r.body["connector"], "azure_devops_boards");
        assert_eq!(r.body["secrets"]["personal_access_token"], pat);
    }
    assert_eq!(
        journey.value("handoff-token").await,
        "",
        "the API token leaves the page"
    );
    journey.screenshot("74-dx-delivered-1280").await;
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("handoff").await;
    journey.screenshot("75-dx-handoff-720").await;
    journey.click("handoff-back").await;
    journey.wait_step("product").await;
    journey.assert_no_horizontal_scroll("product").await;
    journey.screenshot("76-dx-needs-720").await;
    journey.finish().await;
}

#[tokio::test]
async fn datafold_from_a_pasted_repository_url_to_its_three_fields() {
    let scenario = with_pats(&[(
        DATAFOLD_PAT,
        &["vso.project", "vso.code_write", "vso.identity"],
    )]);
    let launch = Launch {
        profile: Some(profile("datafold")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-datafold", scenario, launch).await else {
        return;
    };
    assert_eq!(journey.text("product-name").await, "Datafold");
    journey.paste_fiber_api().await;
    journey.type_into("pat", DATAFOLD_PAT).await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    assert_eq!(
        journey.value("product-detail-project").await,
        "Fabrikam Fiber"
    );
    assert_eq!(
        journey.value("product-detail-repository").await,
        "fiber-api"
    );
    run_product_checks(&journey, "passed").await;
    assert!(
        !journey.visible("product-hooks").await,
        "Datafold registers no webhooks"
    );
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    journey
        .wait_until(
            "the panel",
            "return document.body.dataset.handoff === 'shown'",
        )
        .await;
    let fields = journey
        .js("return [...document.querySelectorAll('#handoff-fields li')].map(li => [li.querySelector('label').textContent, li.querySelector('input').value])")
        .await;
    let fields: Vec<(String, String)> = serde_json::from_value(fields).unwrap();
    assert_eq!(
        fields[..3],
        [
            ("Organization".to_string(), journey.collection(0).1),
            ("Project".to_string(), "Fabrikam Fiber".to_string()),
            ("Repository".to_string(), "fiber-api".to_string()),
        ]
    );
    assert_eq!(fields[3].0, "Personal access token");
    assert_ne!(fields[3].1, DATAFOLD_PAT, "hidden until revealed");
    assert!(
        !journey.visible("handoff-post").await,
        "Datafold names no API to post to"
    );
    journey.screenshot("77-datafold-handoff-1280").await;

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
        text.contains("fiber-api") && !text.contains(DATAFOLD_PAT),
        "{text}"
    );
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("handoff").await;
    journey.screenshot("78-datafold-handoff-720").await;

    // Later, from the home: the saved connection's card hands off again.
    journey.click("handoff-home").await;
    journey.wait_step("home").await;
    journey
        .js("delete document.body.dataset.handoff; document.querySelector('#home-list .open-handoff').click(); return true")
        .await;
    journey.wait_step("handoff").await;
    journey
        .wait_until(
            "the panel again",
            "return document.body.dataset.handoff === 'shown' && document.querySelectorAll('#handoff-fields li').length === 4",
        )
        .await;
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

#[tokio::test]
async fn dbt_refuses_a_server_in_the_form_before_anything_is_sent() {
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("dbt")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-dbt", Scenario::demo(), launch).await else {
        return;
    };
    assert!(
        journey
            .js("return document.getElementById('deployment-server').disabled")
            .await
            == serde_json::Value::Bool(true),
        "dbt takes Azure DevOps Services only"
    );
    assert!(
        !journey.visible("use-sandbox").await && journey.visible("use-sandbox-org").await,
        "the sandbox offers its organization only"
    );
    // A Server repository URL pasted anyway: refused in the form.
    let before = journey.emulator.requests().len();
    journey.paste_fiber_api().await;
    journey.type_into("pat", &journey.full_access_pat()).await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the refusal",
            "return document.getElementById('alert-code').textContent === 'unsupported_deployment'",
        )
        .await;
    let message = journey.text("alert").await;
    assert!(
        message.contains("dbt") && message.contains("Azure DevOps Services"),
        "{message}"
    );
    assert_eq!(
        journey.emulator.requests().len(),
        before,
        "nothing was sent"
    );
    journey.screenshot("80-dbt-refuses-server-1280").await;
    journey.finish().await;
}
