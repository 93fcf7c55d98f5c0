//! Replies are read by pure functions: every shape a token endpoint can answer with.

use std::time::{Duration, SystemTime};

use ado_auth::{
    parse_device_authorization, parse_device_poll, parse_refresh_reply, parse_token_reply,
    AuthError, Authority, ClientId, FormPost, HttpReply, PollOutcome, Scopes, TokenSet,
};
use secrecy::{ExposeSecret as _, SecretString};

fn authority() -> Authority {
    Authority::entra("organizations").unwrap()
}

fn client_credentials_post(secret: &str) -> FormPost {
    FormPost::client_credentials(
        &authority(),
        &ClientId::default(),
        &SecretString::from(secret),
        &Scopes::service_principal(),
    )
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

#[test]
fn reads_an_entra_token_reply() {
    let reply = HttpReply::json(
        200,
        r#"{"token_type":"Bearer","scope":"499b84ac-1321-427f-aa17-267ca6975798/user_impersonation","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi.access","refresh_token":"0.AAAA.refresh","id_token":"eyJ.id"}"#,
    );
    let tokens = parse_token_reply(&client_credentials_post("s"), &reply, now()).unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "eyJ0eXAi.access");
    assert_eq!(
        tokens.refresh_token.as_ref().unwrap().expose_secret(),
        "0.AAAA.refresh"
    );
    assert_eq!(tokens.expires_at, Some(now() + Duration::from_secs(3599)));
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(
        tokens.scope.as_deref(),
        Some("499b84ac-1321-427f-aa17-267ca6975798/user_impersonation")
    );
    let debug = format!("{tokens:?}");
    assert!(!debug.contains("eyJ0eXAi"), "{debug}");
    assert!(
        !debug.contains("0.AAAA.refresh") && !debug.contains("eyJ.id"),
        "{debug}"
    );
}

#[test]
fn accepts_expires_in_as_a_string() {
    let reply = HttpReply::json(
        200,
        r#"{"token_type":"Bearer","expires_in":"3600","access_token":"a"}"#,
    );
    let tokens = parse_token_reply(&client_credentials_post("s"), &reply, now()).unwrap();
    assert_eq!(tokens.expires_at, Some(now() + Duration::from_secs(3600)));
    assert!(tokens.refresh_token.is_none());
}

#[test]
fn needs_refresh_uses_the_given_clock_and_skew() {
    let tokens = TokenSet::new(
        SecretString::from("a"),
        None,
        Some(now() + Duration::from_secs(600)),
    );
    assert!(!tokens.needs_refresh(now(), Duration::from_secs(300)));
    assert!(
        tokens.needs_refresh(now(), Duration::from_secs(600)),
        "expiring within the skew"
    );
    assert!(
        tokens.needs_refresh(now() + Duration::from_secs(700), Duration::ZERO),
        "expired"
    );
    let unknown = TokenSet::new(SecretString::from("a"), None, None);
    assert!(
        !unknown.needs_refresh(now(), Duration::from_secs(300)),
        "unknown expiry: wait for a 401"
    );
}

#[test]
fn a_broken_success_reply_is_reported_without_its_body() {
    let reply = HttpReply::json(
        200,
        r#"{"token_type":"Bearer","refresh_token":"leaky-refresh"}"#,
    );
    let error = parse_token_reply(&client_credentials_post("s"), &reply, now()).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, AuthError::Decode { .. }), "{text}");
    assert!(text.contains("missing field `access_token`"), "{text}");
    assert!(
        !text.contains("leaky-refresh"),
        "a success body may hold tokens: {text}"
    );

    let mistyped = HttpReply::json(
        200,
        r#"{"token_type":"Bearer","access_token":"a","expires_in":"leaky-value"}"#,
    );
    let error = parse_token_reply(&client_credentials_post("s"), &mistyped, now()).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains("leaky-value"), "{text}");
    assert!(text.contains("expires_in"), "the path is kept: {text}");
}

#[test]
fn an_entra_error_keeps_code_description_and_aadsts_but_never_the_secret() {
    let secret = "Zq8Q~very.secret.value";
    let body = format!(
        r#"{{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. (echo: {secret})","error_codes":[7000215],"trace_id":"t-1","correlation_id":"c-1"}}"#
    );
    let error = parse_token_reply(
        &client_credentials_post(secret),
        &HttpReply::json(401, body),
        now(),
    )
    .unwrap_err();
    let oauth = error.oauth_error().expect("an OAuth error");
    assert_eq!(oauth.error, "invalid_client");
    assert_eq!(oauth.aadsts(), Some(7000215));
    assert_eq!(oauth.trace_id.as_deref(), Some("t-1"));
    assert_eq!(oauth.correlation_id.as_deref(), Some("c-1"));
    let text = format!("{error} {error:?}");
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(
        !text.contains(secret),
        "an echoed secret is scrubbed: {text}"
    );
    assert!(text.contains("[redacted]"), "{text}");
}

#[test]
fn aadsts_from_the_description_when_error_codes_is_absent() {
    let reply = HttpReply::json(
        400,
        r#"{"error":"invalid_scope","error_description":"AADSTS70011: The provided value for scope vso.code_full is not valid."}"#,
    );
    let error = parse_token_reply(&client_credentials_post("s"), &reply, now()).unwrap_err();
    assert_eq!(error.oauth_error().unwrap().aadsts(), Some(70011));
}

#[test]
fn redirects_html_and_lenient_errors() {
    let post = client_credentials_post("a-long-enough-secret");
    let redirect = HttpReply::new(
        302,
        None,
        Some("https://elsewhere.example/token".into()),
        "",
    );
    assert!(matches!(
        parse_token_reply(&post, &redirect, now()),
        Err(AuthError::Redirected { status: 302, location: Some(ref l), .. }) if l == "https://elsewhere.example/token"
    ));

    let html = HttpReply::new(
        502,
        Some("text/html".into()),
        None,
        "<html>Bad gateway</html>",
    );
    match parse_token_reply(&post, &html, now()) {
        Err(AuthError::UnexpectedResponse {
            status: 502, body, ..
        }) => assert!(body.contains("Bad gateway")),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }

    let error_on_200 = HttpReply::json(
        200,
        r#"{"error":"invalid_request","error_description":"x"}"#,
    );
    assert!(
        matches!(
            parse_token_reply(&post, &error_on_200, now()),
            Err(AuthError::OAuth { .. })
        ),
        "an error object on a 200 is still an error"
    );
}

fn refresh_post(refresh: &str) -> (FormPost, TokenSet) {
    let previous = TokenSet::new(
        SecretString::from("old-access"),
        Some(SecretString::from(refresh)),
        Some(now()),
    );
    let post = FormPost::refresh(
        &authority(),
        &ClientId::default(),
        &Scopes::azure_devops(),
        &previous,
    )
    .unwrap();
    (post, previous)
}

#[test]
fn refresh_keeps_a_rotated_refresh_token_else_the_old_one() {
    let (post, previous) = refresh_post("old-refresh");
    let rotated = HttpReply::json(
        200,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"new-access","refresh_token":"new-refresh"}"#,
    );
    let tokens = parse_refresh_reply(&post, &rotated, &previous, now()).unwrap();
    assert_eq!(
        tokens.refresh_token.unwrap().expose_secret(),
        "new-refresh",
        "rotation"
    );
    assert_eq!(tokens.access_token.expose_secret(), "new-access");

    let not_rotated = HttpReply::json(
        200,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"new-access"}"#,
    );
    let tokens = parse_refresh_reply(&post, &not_rotated, &previous, now()).unwrap();
    assert_eq!(
        tokens.refresh_token.unwrap().expose_secret(),
        "old-refresh",
        "no new one: keep the old"
    );
}

#[test]
fn a_refused_refresh_means_sign_in_again() {
    let (post, previous) = refresh_post("old-refresh");
    for (error, aadsts) in [("invalid_grant", 700082), ("interaction_required", 50076)] {
        let reply = HttpReply::json(
            400,
            format!(
                r#"{{"error":"{error}","error_description":"AADSTS{aadsts}: The refresh token has expired.","error_codes":[{aadsts}]}}"#
            ),
        );
        let refused = parse_refresh_reply(&post, &reply, &previous, now()).unwrap_err();
        assert!(refused.is_sign_in_again(), "{error} on refresh: {refused}");
        assert!(
            refused.to_string().starts_with("sign in again"),
            "{refused}"
        );
        assert!(!format!("{refused:?}").contains("old-refresh"));
    }
    let other = HttpReply::json(400, r#"{"error":"invalid_client"}"#);
    assert!(!parse_refresh_reply(&post, &other, &previous, now())
        .unwrap_err()
        .is_sign_in_again());
}

fn device_post() -> FormPost {
    FormPost::device_authorization(&authority(), &ClientId::default(), &Scopes::azure_devops())
        .unwrap()
}

#[test]
fn reads_entra_device_authorization() {
    let reply = HttpReply::json(
        200,
        r#"{"user_code":"FJ2K3LQ9A","device_code":"DAQABAAEAAAD--secret","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FJ2K3LQ9A to authenticate."}"#,
    );
    let auth = parse_device_authorization(&device_post(), &reply).unwrap();
    assert_eq!(auth.user_code, "FJ2K3LQ9A");
    assert_eq!(
        auth.verification_uri.as_str(),
        "https://microsoft.com/devicelogin"
    );
    assert_eq!(auth.expires_in, Duration::from_secs(900));
    assert_eq!(auth.interval, Duration::from_secs(5));
    assert!(auth.message.as_deref().unwrap().contains("FJ2K3LQ9A"));
    assert!(
        !format!("{auth:?}").contains("DAQABAAEAAAD--secret"),
        "the device code stays hidden"
    );
}

#[test]
fn device_authorization_accepts_verification_url_and_defaults_the_interval() {
    let reply = HttpReply::json(
        200,
        r#"{"user_code":"ABCD","device_code":"dc","verification_url":"https://microsoft.com/devicelogin","expires_in":"900"}"#,
    );
    let auth = parse_device_authorization(&device_post(), &reply).unwrap();
    assert_eq!(
        auth.verification_uri.as_str(),
        "https://microsoft.com/devicelogin"
    );
    assert_eq!(
        auth.interval,
        Duration::from_secs(5),
        "RFC 8628 §3.2 default"
    );
    assert_eq!(auth.expires_in, Duration::from_secs(900));
}

#[test]
fn device_poll_outcomes() {
    let reply = HttpReply::json(
        200,
        r#"{"user_code":"ABCD","device_code":"dc","verification_uri":"https://x.example/device","expires_in":900}"#,
    );
    let auth = parse_device_authorization(&device_post(), &reply).unwrap();
    let post = FormPost::device_token(&authority(), &ClientId::default(), &auth);
    assert_eq!(
        post.param("grant_type"),
        Some("urn:ietf:params:oauth:grant-type:device_code")
    );
    assert_eq!(post.secret_param_names(), ["device_code"]);
    let poll = |status, body: &str| parse_device_poll(&post, &HttpReply::json(status, body), now());

    assert!(matches!(
        poll(400, r#"{"error":"authorization_pending"}"#),
        Ok(PollOutcome::Pending)
    ));
    assert!(matches!(
        poll(400, r#"{"error":"slow_down"}"#),
        Ok(PollOutcome::SlowDown)
    ));
    assert!(matches!(
        poll(400, r#"{"error":"expired_token"}"#),
        Err(AuthError::DeviceCodeExpired)
    ));
    assert!(matches!(
        poll(400, r#"{"error":"access_denied"}"#),
        Err(AuthError::AccessDenied { .. })
    ));
    assert!(
        matches!(
            poll(
                400,
                r#"{"error":"authorization_declined","error_description":"AADSTS70000: declined"}"#
            ),
            Err(AuthError::AccessDenied { .. })
        ),
        "Entra's name for a declined device code"
    );
    assert!(matches!(
        poll(400, r#"{"error":"bad_verification_code"}"#),
        Err(AuthError::OAuth { .. })
    ));
    assert!(matches!(
        poll(
            200,
            r#"{"token_type":"Bearer","access_token":"a","expires_in":60}"#
        ),
        Ok(PollOutcome::Done(_))
    ));
}
