//! Signing in through the real window: Microsoft Entra in the browser (the test plays the
//! browser by following the authorize URL against the emulator), device code, and a service
//! principal, each ending verified and saved.

use ado_emulator::scenario::{DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
use ado_emulator::Scenario;

use crate::support::{Journey, Launch};

const FABRIKAM_TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

async fn choose_sandbox_organization(journey: &Journey, method: &str) {
    journey.click("use-sandbox-org").await;
    journey.click(&format!("method-{method}")).await;
}

#[tokio::test]
async fn sign_in_with_microsoft_in_the_browser() {
    let Some(journey) = Journey::start(
        "signin-browser",
        Scenario::demo(),
        Launch {
            with_sandbox: true,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    choose_sandbox_organization(&journey, "browser").await;
    assert_eq!(journey.text("verify").await, "Sign in with Microsoft");
    journey.click("verify").await;
    journey
        .wait_until(
            "the sign-in link shows",
            "return !document.getElementById('browser-link-row').hidden",
        )
        .await;
    journey.screenshot("30-waiting-for-browser").await;
    let authorize = journey.value("browser-link").await;
    assert!(
        authorize.contains("/oauth2/v2.0/authorize")
            && authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );

    // Play the browser: the emulator signs the user in and redirects to the app's listener.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(&authorize).send().await.expect("authorize");
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let page = http
        .get(&location)
        .send()
        .await
        .expect("the app's loopback listener");
    assert!(page.text().await.unwrap().contains("ADO Connect"));

    journey.wait_for_result().await;
    journey.screenshot("31-signed-in").await;
    assert!(journey.text("result-user").await.contains("Demo Admin"));
    assert_eq!(
        journey.text("result-deployment").await,
        "Azure DevOps Services (cloud)"
    );
    let profiles = std::fs::read_to_string(journey.config_dir.join("connections.json")).unwrap();
    assert!(profiles.contains(FABRIKAM_TENANT), "the tenant is recorded");
    assert!(
        !profiles.to_lowercase().contains("token\":"),
        "no token in the profile file"
    );
    // Scope advice fits the sign-in method: no PAT scopes after a Microsoft sign-in.
    journey.click("to-checks").await;
    journey
        .wait_until(
            "the Entra advice shows",
            "return !document.getElementById('scope-entra-row').hidden",
        )
        .await;
    assert!(!journey.visible("scope-pat-row").await);
    journey.finish().await;
}

#[tokio::test]
async fn device_code_then_cancel_and_service_principal() {
    let Some(journey) = Journey::start(
        "signin-device",
        Scenario::demo(),
        Launch {
            with_sandbox: true,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    choose_sandbox_organization(&journey, "device").await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the device code shows",
            "return !document.getElementById('device-code-row').hidden",
        )
        .await;
    journey.screenshot("32-device-code").await;
    let code = journey.text("device-code").await;
    assert!(journey.text("device-url").await.ends_with("/devicelogin"));

    // Cancel, and the wait ends with a clear message.
    journey.click("cancel-sign-in").await;
    journey
        .wait_until(
            "the cancellation shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    assert!(journey.text("alert-message").await.contains("cancelled"));

    // Again, and this time the user approves the code.
    journey.click("verify").await;
    journey
        .wait_until("a new device code shows", &format!("const c = document.getElementById('device-code'); return !document.getElementById('device-code-row').hidden && c.textContent !== {code:?}"))
        .await;
    let code = journey.text("device-code").await;
    journey
        .emulator
        .entra()
        .approve_device_code(&code, "demo.admin@fabrikam.example")
        .expect("approve");
    journey.wait_for_result().await;
    assert!(journey.text("result-user").await.contains("Demo Admin"));

    // Back, and a service principal.
    journey.click("back").await;
    journey.click("method-sp").await;
    journey.type_into("sp-tenant", FABRIKAM_TENANT).await;
    journey
        .type_into("sp-client-id", &DEMO_SP_CLIENT_ID.to_string())
        .await;
    journey.type_into("sp-secret", DEMO_SP_SECRET).await;
    journey.screenshot("33-service-principal").await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    let user = journey.text("result-user").await;
    assert!(
        user.contains("Fabrikam Automation"),
        "signed in as the service principal: {user}"
    );
    journey.finish().await;
}
