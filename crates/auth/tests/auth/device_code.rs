//! Device code polling against a scripted authority; the wait between polls is recorded instead of
//! slept, so `slow_down` and expiry are checked in milliseconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ado_auth::{AuthError, DeviceCodeFlow};
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::support::{token_reply, Canned, MockAuthority};

fn device_reply(expires_in: u64, interval: Option<u64>) -> Canned {
    let mut body = json!({
        "user_code": "FJ2K3LQ9A",
        "device_code": "device-code-secret",
        "verification_uri": "https://microsoft.com/devicelogin",
        "expires_in": expires_in,
        "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FJ2K3LQ9A to authenticate.",
    });
    if let Some(interval) = interval {
        body["interval"] = interval.into();
    }
    Canned::json(200, body)
}

fn error(code: &str) -> Canned {
    Canned::json(
        400,
        json!({ "error": code, "error_description": format!("{code} (test)") }),
    )
}

/// Runs `finish_with_sleep`, returning the result and the waits it asked for.
async fn poll(flow: DeviceCodeFlow) -> (Result<ado_auth::TokenSet, AuthError>, Vec<u64>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let recorder = waits.clone();
    let result = flow
        .finish_with_sleep(move |d: Duration| {
            recorder.lock().unwrap().push(d.as_secs());
            std::future::ready(())
        })
        .await;
    let waits = waits.lock().unwrap().clone();
    (result, waits)
}

#[tokio::test]
async fn pending_then_slow_down_then_tokens() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::device_path(), device_reply(900, Some(5)));
    let token = MockAuthority::token_path();
    mock.reply(&token, error("authorization_pending"));
    mock.reply(&token, error("slow_down"));
    mock.reply(&token, error("authorization_pending"));
    mock.reply(&token, token_reply("device-access", Some("device-refresh")));

    let flow = DeviceCodeFlow::start(&mock.public_client()).await.unwrap();
    let shown = flow.authorization();
    assert_eq!(shown.user_code, "FJ2K3LQ9A");
    assert_eq!(
        shown.verification_uri.as_str(),
        "https://microsoft.com/devicelogin"
    );
    assert_eq!(shown.expires_in, Duration::from_secs(900));
    assert!(shown.message.is_some());

    let (result, waits) = poll(flow).await;
    let tokens = result.unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "device-access");
    assert_eq!(
        waits,
        [5, 5, 10, 10],
        "slow_down adds 5 s to every later wait (RFC 8628 §3.5)"
    );

    let received = mock.received();
    let device_request = &received[0];
    assert_eq!(device_request.path, MockAuthority::device_path());
    assert_eq!(received[1].path, MockAuthority::token_path());
    assert!(device_request.body.contains("client_id=test-client"));
    assert!(device_request
        .body
        .contains("scope=499b84ac-1321-427f-aa17-267ca6975798%2F.default+offline_access"));
    let poll_body = &received[1].body;
    assert!(poll_body.contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"));
    assert!(poll_body.contains("device_code=device-code-secret"));
}

#[tokio::test]
async fn expired_token_declined_and_denied() {
    for (code, expect_expired) in [
        ("expired_token", true),
        ("authorization_declined", false),
        ("access_denied", false),
    ] {
        let mock = MockAuthority::start().await;
        mock.reply(&MockAuthority::device_path(), device_reply(900, Some(1)));
        mock.reply(&MockAuthority::token_path(), error("authorization_pending"));
        mock.reply(&MockAuthority::token_path(), error(code));
        let (result, waits) =
            poll(DeviceCodeFlow::start(&mock.public_client()).await.unwrap()).await;
        assert_eq!(waits, [1, 1]);
        match result {
            Err(AuthError::DeviceCodeExpired) => assert!(expect_expired, "{code}"),
            Err(AuthError::AccessDenied { error }) => {
                assert!(!expect_expired, "{code}");
                assert_eq!(error.error, code);
            }
            other => panic!("{code}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn stops_when_expires_in_has_passed() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::device_path(), device_reply(12, None));
    for _ in 0..3 {
        mock.reply(&MockAuthority::token_path(), error("authorization_pending"));
    }
    let (result, waits) = poll(DeviceCodeFlow::start(&mock.public_client()).await.unwrap()).await;
    assert!(
        matches!(result, Err(AuthError::DeviceCodeExpired)),
        "{result:?}"
    );
    assert_eq!(
        waits,
        [5, 5, 5],
        "default interval 5 s; 15 s >= expires_in 12 s"
    );
}

#[tokio::test]
async fn cancellation_stops_polling() {
    let mock = MockAuthority::start().await;
    mock.reply(&MockAuthority::device_path(), device_reply(900, Some(1)));
    let flow = DeviceCodeFlow::start(&mock.public_client()).await.unwrap();
    let cancel = flow.cancel_token();
    cancel.cancel();
    assert!(matches!(flow.finish().await, Err(AuthError::Cancelled)));
    assert_eq!(mock.received().len(), 1, "no poll after cancellation");
}

#[tokio::test]
async fn device_code_errors_from_the_start() {
    let mock = MockAuthority::start().await;
    mock.reply(
        &MockAuthority::device_path(),
        crate::support::entra_error(400, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    );
    let error = DeviceCodeFlow::start(&mock.public_client())
        .await
        .unwrap_err();
    assert_eq!(
        error.oauth_error().and_then(|e| e.aadsts()),
        Some(7000218),
        "what Entra says when \"Allow public client flows\" is off"
    );
}
