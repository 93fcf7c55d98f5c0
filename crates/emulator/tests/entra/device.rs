//! The device code flow: `POST /{tenant}/oauth2/v2.0/devicecode`, polling, `/devicelogin`.

use std::time::Duration;

use ado_emulator::{EntraConfig, Error};
use serde_json::Value;

use crate::support::*;

/// Polling every `interval` seconds, so the tests never wait (except for `slow_down`).
fn no_wait() -> EntraConfig {
    EntraConfig {
        device_code_interval_secs: 0,
        ..EntraConfig::default()
    }
}

async fn start(emu: &ado_emulator::Emulator) -> Value {
    let reply = post(
        emu,
        TENANT,
        "devicecode",
        &[("client_id", VS), ("scope", ADO_SCOPES)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

async fn poll(emu: &ado_emulator::Emulator, device_code: &str) -> Reply {
    post(
        emu,
        TENANT,
        "token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", VS),
            ("device_code", device_code),
        ],
    )
    .await
}

#[tokio::test]
async fn the_device_authorization_says_where_and_what_to_type() {
    let emu = demo().await;
    let body = start(&emu).await;
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "user_code",
            "device_code",
            "verification_uri",
            "expires_in",
            "interval",
            "message"
        ]
    );
    let user_code = text(&body, "user_code");
    let uri = format!("{}/devicelogin", emu.base_url());
    assert_eq!(body["verification_uri"], uri.as_str());
    assert_eq!(body["expires_in"], 900);
    assert_eq!(body["interval"], 5);
    assert_eq!(
        body["message"],
        format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate.")
    );
    assert_eq!(emu.entra().pending_device_codes(), [user_code]);
}

#[tokio::test]
async fn pending_then_approved_then_gone() {
    let emu = with_entra(no_wait()).await;
    let body = start(&emu).await;
    let device_code = text(&body, "device_code");
    let pending = poll(&emu, &device_code).await;
    assert_eq!(pending.status, 400);
    assert_eq!(
        pending.oauth_error(),
        ("authorization_pending".into(), 70016)
    );
    emu.entra()
        .approve_device_code(&text(&body, "user_code").to_lowercase(), DEVELOPER)
        .unwrap();
    let done = poll(&emu, &device_code).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let tokens = done.json();
    assert_eq!(claims(&text(&tokens, "access_token"))["upn"], DEVELOPER);
    assert!(tokens.get("refresh_token").is_some());
    let again = poll(&emu, &device_code).await;
    assert_eq!(again.oauth_error(), ("bad_verification_code".into(), 70018));
    assert!(emu.entra().pending_device_codes().is_empty());
}

#[tokio::test]
async fn polling_faster_than_the_interval_is_slow_down() {
    let emu = demo().await;
    let body = start(&emu).await;
    let device_code = text(&body, "device_code");
    let first = poll(&emu, &device_code).await;
    assert_eq!(first.oauth_error(), ("slow_down".into(), 70016));
    assert!(
        first.text.contains("wait at least 10 seconds"),
        "{}",
        first.text
    );
    let second = poll(&emu, &device_code).await;
    assert_eq!(second.oauth_error(), ("slow_down".into(), 70016));
    assert!(
        second.text.contains("wait at least 15 seconds"),
        "+5 s each time (RFC 8628 §3.5)"
    );
}

#[tokio::test]
async fn polling_at_the_interval_is_fine() {
    let emu = with_entra(EntraConfig {
        device_code_interval_secs: 1,
        ..EntraConfig::default()
    })
    .await;
    let body = start(&emu).await;
    let device_code = text(&body, "device_code");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        poll(&emu, &device_code).await.oauth_error().0,
        "authorization_pending"
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        poll(&emu, &device_code).await.oauth_error().0,
        "authorization_pending"
    );
}

#[tokio::test]
async fn a_denied_or_declined_code_is_authorization_declined() {
    let emu = with_entra(no_wait()).await;
    let denied = start(&emu).await;
    emu.entra()
        .deny_device_code(&text(&denied, "user_code"))
        .unwrap();
    let reply = poll(&emu, &text(&denied, "device_code")).await;
    assert_eq!(
        reply.oauth_error(),
        ("authorization_declined".into(), 65004)
    );
    assert!(matches!(
        emu.entra()
            .approve_device_code(&text(&denied, "user_code"), ADMIN),
        Err(Error::Conflict(_))
    ));
    let declined = start(&emu).await;
    emu.entra()
        .approve_device_code(
            &text(&declined, "user_code"),
            ado_emulator::scenario::DEMO_DECLINING_USER_EMAIL,
        )
        .unwrap();
    let reply = poll(&emu, &text(&declined, "device_code")).await;
    assert_eq!(reply.oauth_error().0, "authorization_declined");
}

#[tokio::test]
async fn device_codes_expire() {
    let emu = with_entra(EntraConfig {
        device_code_lifetime_secs: 1,
        device_code_interval_secs: 0,
        ..EntraConfig::default()
    })
    .await;
    let body = start(&emu).await;
    assert_eq!(body["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let reply = poll(&emu, &text(&body, "device_code")).await;
    assert_eq!(reply.oauth_error(), ("expired_token".into(), 70019));
    assert!(matches!(
        emu.entra()
            .approve_device_code(&text(&body, "user_code"), ADMIN),
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn unknown_codes_and_users_are_refused() {
    let emu = with_entra(no_wait()).await;
    let reply = poll(&emu, "DAQABAAEAAAD-nothing").await;
    assert_eq!(reply.oauth_error(), ("bad_verification_code".into(), 70018));
    let body = start(&emu).await;
    assert!(matches!(
        emu.entra().approve_device_code("NOPE-NOPE", ADMIN),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        emu.entra()
            .approve_device_code(&text(&body, "user_code"), "ghost@fabrikam.example"),
        Err(Error::NotFound(_))
    ));
    let missing = post(&emu, TENANT, "devicecode", &[("client_id", VS)]).await;
    assert_eq!(missing.oauth_error(), ("invalid_request".into(), 900144));
    let unknown_client = post(
        &emu,
        TENANT,
        "devicecode",
        &[
            ("client_id", "00000000-1111-2222-3333-444444444444"),
            ("scope", ADO_SCOPES),
        ],
    )
    .await;
    assert_eq!(
        unknown_client.oauth_error(),
        ("unauthorized_client".into(), 700016)
    );
}

#[tokio::test]
async fn without_public_client_flows_polling_is_invalid_client() {
    let mut scenario = ado_emulator::Scenario::demo();
    scenario.entra_apps[0].allow_public_client_flows = false;
    let emu = with_scenario(scenario, no_wait()).await;
    let body = start(&emu).await;
    let reply = poll(&emu, &text(&body, "device_code")).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.oauth_error(), ("invalid_client".into(), 7000218));
}

/// A person at the device sign-in page, with a plain HTTP client.
async fn page_post(emu: &ado_emulator::Emulator, form: &[(&str, &str)]) -> Reply {
    read(
        client()
            .post(format!("{}/devicelogin", emu.base_url()))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_person_approves_on_the_device_login_page() {
    let emu = with_entra(no_wait()).await;
    let body = start(&emu).await;
    let user_code = text(&body, "user_code");
    let form = read(
        client()
            .get(format!("{}/devicelogin", emu.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("name=\"otc\""), "{}", form.text);
    let confirm = page_post(&emu, &[("otc", &user_code)]).await;
    assert!(
        confirm
            .text
            .contains("Are you trying to sign in to Visual Studio?"),
        "{}",
        confirm.text
    );
    assert!(confirm.text.contains(DEVELOPER));
    assert!(!confirm
        .text
        .contains(&ado_emulator::scenario::DEMO_SP_CLIENT_ID.to_string()));
    let done = page_post(
        &emu,
        &[
            ("otc", &user_code),
            ("user", DEVELOPER),
            ("action", "approve"),
        ],
    )
    .await;
    assert!(
        done.text
            .contains("You have signed in to the Visual Studio application on your device"),
        "{}",
        done.text
    );
    let tokens = poll(&emu, &text(&body, "device_code")).await.json();
    assert_eq!(claims(&text(&tokens, "access_token"))["upn"], DEVELOPER);
    let reuse = page_post(&emu, &[("otc", &user_code), ("action", "approve")]).await;
    assert!(reuse.text.contains("AADSTS90120"), "{}", reuse.text);
}

#[tokio::test]
async fn a_person_cancels_on_the_device_login_page() {
    let emu = with_entra(no_wait()).await;
    let body = start(&emu).await;
    let user_code = text(&body, "user_code");
    let done = page_post(&emu, &[("otc", &user_code), ("action", "deny")]).await;
    assert!(
        done.text.contains("You have declined to sign in"),
        "{}",
        done.text
    );
    let reply = poll(&emu, &text(&body, "device_code")).await;
    assert_eq!(reply.oauth_error().0, "authorization_declined");
    let wrong = page_post(&emu, &[("otc", "ZZZZZZZZ")]).await;
    assert!(
        wrong.text.contains("That code didn&#39;t work"),
        "{}",
        wrong.text
    );
}
