//! An on-prem team's first journey: Azure DevOps Server, server URL, collection, PAT, Verify.

use ado_emulator::Scenario;
use ado_flows::{Backend, SecretStore};

use crate::support::{Journey, Launch};

#[tokio::test]
async fn good_pat_shows_user_deployment_projects_and_repositories_then_forgets() {
    let Some(journey) = Journey::start("good-pat", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let (server, collection) = journey.collection(0);
    let pat = journey.full_access_pat();
    journey.fill_server_form(&server, &collection, &pat).await;
    journey.screenshot("01-server-form-filled").await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the result step shows",
            "return !document.getElementById('step-result').hidden",
        )
        .await;
    journey.screenshot("02-verified").await;

    let user = journey.text("result-user").await;
    assert!(
        user.contains("Demo Admin"),
        "signed in as the PAT's user: {user}"
    );
    assert_eq!(
        journey.text("result-deployment").await,
        "Azure DevOps Server (on-premises)"
    );
    let projects = journey.text("result-projects").await;
    for expected in ["Fabrikam Fiber", "fiber-api", "Contoso Web", "contoso-web"] {
        assert!(
            projects.contains(expected),
            "{expected} listed in: {projects}"
        );
    }

    // The PAT is in the real Secret Service, and in no file of the config directory.
    let store =
        SecretStore::probe(Backend::SecretService).expect("gnome-keyring runs in the test session");
    let profiles = std::fs::read_to_string(journey.config_dir.join("connections.json"))
        .expect("a saved profile");
    assert!(
        !profiles.contains(&pat),
        "the profile file never holds the PAT"
    );
    let profile: serde_json::Value = serde_json::from_str(&profiles).unwrap();
    let key = profile["connections"][0]["secretKey"]
        .as_str()
        .expect("the profile names its keyring key")
        .to_string();
    let stored = store
        .get(&key)
        .expect("keyring read")
        .expect("the PAT is in the keyring");
    assert_eq!(secrecy::ExposeSecret::expose_secret(&stored), pat.as_str());
    let store_text = journey.text("result-store").await;
    assert!(store_text.contains("Secret Service"), "{store_text}");

    journey.click("forget").await;
    // The dialog opens once the card's current webhook count is read (an async call).
    journey
        .wait_until(
            "Forget asks first: the forget dialog opens",
            "return document.getElementById('forget-dialog').open",
        )
        .await;
    journey.click("forget-confirm").await;
    journey
        .wait_until(
            "the connection is forgotten",
            "return !!document.body.dataset.forgotten",
        )
        .await;
    assert!(
        store.get(&key).expect("keyring read").is_none(),
        "sign-out removes the PAT from the keyring"
    );
    journey.finish().await;
}

#[tokio::test]
async fn bad_pat_names_the_token_field_and_keeps_the_form() {
    let Some(journey) = Journey::start("bad-pat", Scenario::demo(), Launch::default()).await else {
        return;
    };
    let (server, collection) = journey.collection(0);
    journey
        .fill_server_form(&server, &collection, "not-a-real-token-0123456789")
        .await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the error shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    journey.screenshot("03-bad-pat").await;

    assert_eq!(journey.text("alert-code").await, "invalid_credentials");
    assert!(
        journey.error_under("pat").await,
        "the PAT field carries the error, shown once"
    );
    assert!(
        journey.text("alert-fix").await.contains("token"),
        "the fix says what to do"
    );
    assert_eq!(
        journey.value("server-url").await,
        server,
        "nothing the user typed is lost"
    );
    assert_eq!(journey.value("collection").await, collection);
    journey.finish().await;
}

#[tokio::test]
async fn unknown_collection_names_the_collection_field() {
    let Some(journey) =
        Journey::start("unknown-collection", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let (server, _) = journey.collection(0);
    let pat = journey.full_access_pat();
    journey
        .fill_server_form(&server, "NoSuchCollection", &pat)
        .await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the error shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    journey.screenshot("04-unknown-collection").await;

    assert_eq!(journey.text("alert-code").await, "not_found");
    assert!(
        journey.error_under("collection").await,
        "the collection field carries the error, shown once"
    );
    let message = journey.text("alert-message").await;
    assert!(message.contains("NoSuchCollection"), "{message}");
    // The server lists its collections (`_apis/projectCollections`): the answer names them.
    assert!(
        message.contains("The server has 3 collections: Big, DefaultCollection, Empty."),
        "{message}"
    );
    assert!(
        journey
            .text("alert-fix")
            .await
            .contains("DefaultCollection"),
        "{}",
        journey.text("alert-fix").await
    );

    // A near miss gets "Did you mean …?"; the stale error goes as soon as the field changes.
    journey.type_into("collection", "DefaultColection").await;
    assert!(
        !journey.visible("alert").await,
        "editing the field at fault clears its error"
    );
    journey.click("verify").await;
    journey
        .wait_until(
            "the error shows again",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    assert!(journey.error_under("collection").await);
    let fix = journey.text("alert-fix").await;
    assert!(fix.starts_with("Did you mean DefaultCollection?"), "{fix}");
    journey
        .screenshot("04-unknown-collection-did-you-mean")
        .await;
    journey.finish().await;
}

#[tokio::test]
async fn unreachable_server_names_the_server_url_field() {
    let Some(journey) = Journey::start("unreachable", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    // Port 9 on loopback: nothing listens there.
    journey
        .fill_server_form(
            "http://127.0.0.1:9/tfs",
            "DefaultCollection",
            "whatever-token",
        )
        .await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the error shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    journey.screenshot("05-unreachable").await;

    assert_eq!(journey.text("alert-code").await, "unreachable");
    assert!(
        journey.error_under("server-url").await,
        "the server URL field carries the error, shown once"
    );
    journey.finish().await;
}

#[tokio::test]
async fn sandbox_button_fills_the_form_for_the_demo() {
    let Some(journey) = Journey::start(
        "sandbox",
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
    assert!(
        journey.visible("sandbox-banner").await,
        "the demo shows where the sandbox is"
    );
    journey.screenshot("00-start-with-sandbox").await;
    journey.click("use-sandbox").await;
    let (server, collection) = journey.collection(0);
    assert_eq!(journey.value("server-url").await, server);
    assert_eq!(journey.value("collection").await, collection);
    journey.click("verify").await;
    journey
        .wait_until(
            "the result step shows",
            "return !document.getElementById('step-result').hidden",
        )
        .await;
    journey.finish().await;
}
