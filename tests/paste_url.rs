//! A developer pastes a URL and the fields fill themselves.

use ado_emulator::Scenario;

use crate::support::{Journey, Launch};

/// Types `url` into the paste box and waits until the wizard says it understood it, naming
/// `expect` (so an earlier paste's answer cannot satisfy the wait).
async fn paste(journey: &Journey, url: &str, expect: &str) {
    journey.type_into("paste-url", url).await;
    let script = format!(
        "const r = document.getElementById('paste-result'); \
         return r.className.includes(' understood') && r.textContent.includes({expect:?})"
    );
    journey
        .wait_until(&format!("the paste of {url} is understood"), &script)
        .await;
}

#[tokio::test]
async fn https_ssh_and_on_prem_urls_fill_the_fields() {
    let Some(journey) = Journey::start("paste", Scenario::demo(), Launch::default()).await else {
        return;
    };

    paste(
        &journey,
        "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/fiber-api",
        "fiber-api",
    )
    .await;
    assert!(journey
        .js("return document.getElementById('deployment-services').checked")
        .await
        .as_bool()
        .unwrap());
    assert_eq!(journey.value("organization").await, "fabrikam");
    let understood = journey.text("paste-result").await;
    assert!(
        understood.contains("Fabrikam Fiber") && understood.contains("fiber-api"),
        "{understood}"
    );
    journey.screenshot("10-paste-https").await;

    paste(
        &journey,
        "git@ssh.dev.azure.com:v3/contoso/Web/portal",
        "portal",
    )
    .await;
    assert_eq!(journey.value("organization").await, "contoso");

    paste(
        &journey,
        "https://tfs.contoso.local:8443/tfs/DefaultCollection/Parts%20Unlimited/_git/parts",
        "Parts Unlimited",
    )
    .await;
    assert!(journey
        .js("return document.getElementById('deployment-server').checked")
        .await
        .as_bool()
        .unwrap());
    assert_eq!(
        journey.value("server-url").await,
        "https://tfs.contoso.local:8443/tfs"
    );
    assert_eq!(journey.value("collection").await, "DefaultCollection");
    journey.screenshot("11-paste-on-prem").await;

    // Nothing typed is lost: a paste that overwrote a field offers to restore it.
    journey.type_into("collection", "MyTypedCollection").await;
    paste(
        &journey,
        "http://build-server:8080/tfs/Other/Proj/_git/repo",
        "Proj",
    )
    .await;
    assert_eq!(journey.value("collection").await, "Other");
    assert!(journey.visible("paste-undo").await, "an undo is offered");
    journey.click("paste-undo").await;
    assert_eq!(
        journey.value("collection").await,
        "MyTypedCollection",
        "undo restores what was typed"
    );

    journey
        .type_into("paste-url", "https://github.com/octo/repo")
        .await;
    journey
        .wait_until(
            "the GitHub URL is refused",
            "return document.getElementById('paste-result').className.includes('not-understood')",
        )
        .await;
    let said = journey.text("paste-result").await;
    assert!(
        said.contains("GitHub"),
        "says what it looks like instead: {said}"
    );
    journey.screenshot("12-paste-github").await;
    journey.finish().await;
}
