//! Issue 18: each product's rules in the connect form, as the backend decides them, applied the
//! moment a paste or a deployment choice reveals them, and each hand-off offering only what the
//! product has.
//!
//! - dbt: a pasted Server URL is refused at once, before any token is used and with nothing
//!   sent; choosing Services clears it; the sandbox organization picks dbt's recommended service
//!   principal.
//! - Kong Konnect: the sandbox organization picks a PAT (Konnect takes nothing else); a Code
//!   (Read) token is enough; the hand-off is its form's three fields, nothing to send and no
//!   script.
//! - Appcircle on Services: a Microsoft sign-in; Appcircle creates its webhooks itself (checked
//!   that it may); the hand-off is Appcircle's own steps, numbered, with nothing to paste.

use ado_emulator::scenario::DEMO_CODE_READ_PAT;
use ado_emulator::Scenario;
use serde_json::{json, Value};

use crate::products::{handoff_rows, profile, run_product_checks, wait_handoff};
use crate::support::{Journey, Launch};

/// The ids of the sign-in methods the form shows.
async fn methods_shown(journey: &Journey) -> Value {
    journey
        .js("return [...document.querySelectorAll('input[name=method]')].filter(i => i.closest('label').getClientRects().length > 0).map(i => i.id)")
        .await
}

#[tokio::test]
async fn dbt_refuses_a_pasted_server_at_once_and_sends_nothing() {
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("dbt")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-dbt", Scenario::demo(), launch).await else {
        return;
    };
    assert!(
        !journey.visible("use-sandbox").await && journey.visible("use-sandbox-org").await,
        "the sandbox offers its organization only"
    );
    // A Server repository URL pasted: refused at the Server URL before any token is typed.
    let before = journey.emulator.requests().len();
    journey.paste_fiber_api().await;
    journey
        .wait_until(
            "the refusal at the server URL",
            "return document.body.dataset.connectRules === 'refused' && !document.getElementById('connect-refusal').hidden \
             && document.getElementById('server-url').getAttribute('aria-invalid') === 'true'",
        )
        .await;
    let refusal = journey.text("connect-refusal").await;
    assert!(
        refusal.contains("dbt") && refusal.contains("Azure DevOps Services"),
        "{refusal}"
    );
    assert_eq!(journey.value("pat").await, "", "no token was asked for");
    assert_eq!(
        journey.js("return [document.getElementById('verify').disabled, document.getElementById('connect-refusal').dataset.rule]").await,
        json!([true, "deployment"])
    );
    journey.screen("80-dbt-refuses-server-1280").await;

    // Azure DevOps Services instead: the refusal clears.
    journey.click("deployment-services").await;
    journey
        .wait_until(
            "the refusal clears",
            "return document.body.dataset.connectRules === 'clear' && document.getElementById('connect-refusal').hidden \
             && !document.querySelector('#step-connect [aria-invalid=true]')",
        )
        .await;
    assert_eq!(
        journey.emulator.requests().len(),
        before,
        "nothing was sent"
    );

    // The sandbox organization: dbt's recommended service principal, among the methods it takes.
    journey.click("use-sandbox-org").await;
    journey
        .wait_until(
            "the service principal is chosen",
            "return document.getElementById('method-sp').checked && !document.getElementById('sp-fields').hidden",
        )
        .await;
    assert_eq!(
        methods_shown(&journey).await,
        json!(["method-browser", "method-device", "method-sp"])
    );
    assert!(journey
        .text("method-field")
        .await
        .contains("recommended by dbt"));
    assert_eq!(
        journey.emulator.requests().len(),
        before,
        "still nothing sent"
    );
    journey.finish().await;
}

#[tokio::test]
async fn kong_konnect_takes_a_pat_and_gets_its_three_fields() {
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("kong-konnect")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-konnect", Scenario::demo(), launch).await else {
        return;
    };
    // The sandbox organization signs in the way Konnect takes, a PAT (preselected); a Microsoft
    // sign-in is offered too, to have that PAT created (issue 20; tests/mint.rs).
    journey.click("use-sandbox-org").await;
    journey
        .wait_until(
            "the PAT is chosen",
            "return document.getElementById('method-pat').checked && document.getElementById('pat').getClientRects().length > 0",
        )
        .await;
    assert_eq!(
        methods_shown(&journey).await,
        json!(["method-browser", "method-device", "method-pat"])
    );
    assert_eq!(journey.text("verify").await, "Verify");
    // Code (Read) is all Konnect asks for.
    journey.type_into("pat", DEMO_CODE_READ_PAT).await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    assert!(
        !journey.visible("product-hooks").await && !journey.visible("product-credentials").await
    );
    run_product_checks(&journey, "passed").await;
    journey.screen("81-konnect-needs-1280").await;
    journey
        .js("window.scrollTo(0, document.documentElement.scrollHeight); return true")
        .await;
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    journey.assert_at_top("handoff").await;
    let rows = handoff_rows(&journey).await;
    let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Azure DevOps organization name",
            "Azure DevOps personal access token (PAT)",
            "Description"
        ]
    );
    assert_eq!(rows[0].1, "fabrikam");
    // The optional description is typed in its own row (Konnect's form order).
    assert_eq!(
        journey
            .js("return document.querySelector('#handoff-fields li[data-key=\"placeholder:description\"] input').id")
            .await,
        "handoff-detail-description"
    );
    journey
        .type_into("handoff-detail-description", "Fabrikam's repositories")
        .await;
    let intro = journey.text("handoff-intro").await;
    assert!(
        !intro.contains("send it"),
        "Konnect has no API to send to: {intro}"
    );
    assert!(!journey.visible("handoff-post").await && !journey.visible("handoff-script").await);
    journey.screen("82-konnect-handoff-1280").await;
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("handoff").await;
    journey.screen("83-konnect-handoff-720").await;
    journey.finish().await;
}

#[tokio::test]
async fn appcircle_on_services_creates_its_webhooks_and_follows_its_own_steps() {
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("appcircle")),
        ..Launch::default()
    };
    let Some(journey) = Journey::start("product-appcircle", Scenario::demo(), launch).await else {
        return;
    };
    // On Services, Appcircle takes a Microsoft sign-in (its own OAuth happens in Appcircle).
    journey.click("use-sandbox-org").await;
    journey
        .wait_until(
            "the browser sign-in is chosen",
            "return document.getElementById('method-browser').checked && document.body.dataset.connectRules === 'clear'",
        )
        .await;
    assert_eq!(
        methods_shown(&journey).await,
        json!(["method-browser", "method-device"])
    );
    assert!(journey
        .text("product-connect-note")
        .await
        .contains("Appcircle"));
    journey.click("verify").await;
    journey.play_browser_sign_in().await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    assert!(
        !journey.visible("product-hooks-register").await,
        "nothing to register"
    );
    run_product_checks(&journey, "passed").await;
    assert_eq!(
        journey.text("product-hooks-itself").await,
        "Appcircle creates its webhooks itself; ADO Connect checked that it may."
    );
    journey.screen("84-appcircle-needs-1280").await;
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    journey.assert_at_top("handoff").await;
    let steps = journey
        .js("return [...document.querySelectorAll('#handoff-guide li')].map(li => li.textContent)")
        .await;
    assert_eq!(steps.as_array().map(Vec::len), Some(3), "{steps}");
    assert!(steps[0]
        .as_str()
        .unwrap()
        .contains("Third-party application access via OAuth"));
    assert!(
        !journey.visible("handoff-fields").await
            && !journey.visible("handoff-post").await
            && !journey.visible("handoff-script").await
            && !journey.visible("handoff-export").await,
        "nothing to paste, send or recreate"
    );
    journey.screen("85-appcircle-handoff-1280").await;
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("handoff").await;
    journey.screen("86-appcircle-handoff-720").await;
    journey.finish().await;
}
