//! No token, secret, code, device code or verifier in any `Debug` or `Display`: every value and
//! error of full flows is formatted and searched for the secrets that went through them.

use ado_auth::{AuthCodeFlow, BrowserOptions, ClientId, DeviceCodeFlow, ServicePrincipal};
use secrecy::SecretString;
use serde_json::json;

use crate::support::{
    browser_redirect, entra_error, http, query_param, token_reply, Canned, MockAuthority,
};

const ACCESS: &str = "AT-4f1c0ffee-access-token";
const REFRESH: &str = "RT-9ab-refresh-token";
const ROTATED: &str = "RT-rotated-refresh-token";
const CODE: &str = "AC-code-value-123";
const DEVICE_CODE: &str = "DC-device-code-456";
const CLIENT_SECRET: &str = "CS~client.secret-789";

fn assert_clean(what: &str, text: &str, extra: &[&str]) {
    for secret in [ACCESS, REFRESH, ROTATED, CODE, DEVICE_CODE, CLIENT_SECRET]
        .iter()
        .chain(extra)
    {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

#[tokio::test]
async fn nothing_secret_in_any_debug_or_display() {
    let mock = MockAuthority::start().await;
    let client = mock.public_client();
    let token = MockAuthority::token_path();
    let mut seen = Vec::<String>::new();

    // Browser sign-in.
    mock.reply(&token, token_reply(ACCESS, Some(REFRESH)));
    let flow = AuthCodeFlow::start(&client, BrowserOptions::default())
        .await
        .unwrap();
    let state = query_param(flow.authorize_url(), "state").unwrap();
    seen.push(format!("{flow:?}"));
    let port = flow.port();
    let finish = tokio::spawn(flow.finish());
    browser_redirect(port, &format!("code={CODE}&state={state}"))
        .await
        .unwrap();
    let tokens = finish.await.unwrap().unwrap();
    seen.push(format!("{tokens:?}"));
    let verifier = url::form_urlencoded::parse(mock.received()[0].body.as_bytes())
        .find(|(n, _)| n == "code_verifier")
        .map(|(_, v)| v.into_owned())
        .unwrap();

    // Refresh with rotation, then a refused refresh.
    mock.reply(&token, token_reply("AT-second", Some(ROTATED)));
    let refreshed = client.refresh(&tokens).await.unwrap();
    seen.push(format!("{refreshed:?}"));
    mock.reply(
        &token,
        entra_error(
            400,
            "invalid_grant",
            70008,
            &format!("The refresh token has expired. ({ROTATED})"),
        ),
    );
    let refused = client.refresh(&refreshed).await.unwrap_err();
    assert!(refused.is_sign_in_again());
    seen.push(format!("{refused} | {refused:?}"));

    // Device code.
    mock.reply(&MockAuthority::device_path(), Canned::json(200, json!({
        "user_code": "USER-CODE", "device_code": DEVICE_CODE,
        "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 1,
    })));
    mock.reply(&token, Canned::json(400, json!({"error": "authorization_declined", "error_description": format!("declined {DEVICE_CODE}")})));
    let device = DeviceCodeFlow::start(&client).await.unwrap();
    seen.push(format!("{device:?} | {:?}", device.authorization()));
    let declined = device
        .finish_with_sleep(|_| std::future::ready(()))
        .await
        .unwrap_err();
    seen.push(format!("{declined} | {declined:?}"));

    // Service principal with a wrong secret; the server even echoes it.
    let sp = ServicePrincipal::new(
        mock.authority(),
        ClientId::new("sp-client").unwrap(),
        SecretString::from(CLIENT_SECRET),
        http(),
    );
    seen.push(format!("{sp:?}"));
    mock.reply(
        &token,
        entra_error(
            401,
            "invalid_client",
            7000215,
            &format!("Invalid client secret provided: {CLIENT_SECRET}"),
        ),
    );
    let wrong = sp.acquire_token().await.unwrap_err();
    assert_eq!(
        wrong.oauth_error().unwrap().error,
        "invalid_client",
        "the OAuth code survives"
    );
    seen.push(format!("{wrong} | {wrong:?}"));
    mock.reply(
        &token,
        Canned {
            status: 500,
            content_type: "text/html",
            body: format!("<pre>client_secret={CLIENT_SECRET}</pre>"),
        },
    );
    let html = sp.acquire_token().await.unwrap_err();
    seen.push(format!("{html} | {html:?}"));

    for text in &seen {
        assert_clean("formatted value", text, &[&verifier]);
    }
    assert!(
        seen.iter().any(|t| t.contains("[redacted]")),
        "the redaction marker shows up"
    );
}
