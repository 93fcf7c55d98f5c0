//! Every shape a token endpoint can answer with, read through the flows with a scripted HTTP
//! client (no network): `oauth2` parses, our seam classifies and scrubs, our errors map.

use std::time::{Duration, SystemTime};

use ado_auth::{
    AuthError, Authority, ClientId, DeviceCodeFlow, HttpClient, HttpResponse, PublicClient, Scopes,
    ServicePrincipal, TokenSet,
};
use secrecy::{ExposeSecret as _, SecretString};

use crate::support::{json_reply, reply, scripted};

fn authority() -> Authority {
    Authority::entra("organizations").unwrap()
}

/// A client-credentials request with `secret`, answered with `replies`.
async fn client_credentials(
    secret: &str,
    replies: Vec<HttpResponse>,
) -> Result<TokenSet, AuthError> {
    let (http, _) = scripted(replies);
    ServicePrincipal::new(
        authority(),
        ClientId::default(),
        SecretString::from(secret),
        http,
    )
    .acquire_token()
    .await
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

#[tokio::test]
async fn reads_an_entra_token_reply() {
    let before = SystemTime::now();
    let tokens = client_credentials("s", vec![json_reply(
        200,
        r#"{"token_type":"Bearer","scope":"499b84ac-1321-427f-aa17-267ca6975798/user_impersonation","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi.access","refresh_token":"0.AAAA.refresh","id_token":"eyJ.id"}"#,
    )])
    .await
    .unwrap();
    let after = SystemTime::now();
    assert_eq!(tokens.access_token.expose_secret(), "eyJ0eXAi.access");
    assert_eq!(
        tokens.refresh_token.as_ref().unwrap().expose_secret(),
        "0.AAAA.refresh"
    );
    let expires_at = tokens.expires_at.unwrap();
    assert!(
        expires_at >= before + Duration::from_secs(3599)
            && expires_at <= after + Duration::from_secs(3599),
        "sent time + expires_in"
    );
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

#[tokio::test]
async fn a_broken_success_reply_is_reported_without_its_body() {
    let error = client_credentials(
        "s",
        vec![json_reply(
            200,
            r#"{"token_type":"Bearer","refresh_token":"leaky-refresh"}"#,
        )],
    )
    .await
    .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, AuthError::Decode { .. }), "{text}");
    assert!(text.contains("missing field `access_token`"), "{text}");
    assert!(
        !text.contains("leaky-refresh"),
        "a success body may hold tokens: {text}"
    );

    let error = client_credentials(
        "s",
        vec![json_reply(
            200,
            r#"{"token_type":"Bearer","access_token":"a","expires_in":"leaky-value"}"#,
        )],
    )
    .await
    .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains("leaky-value"), "{text}");
    assert!(text.contains("expires_in"), "the path is kept: {text}");
}

#[tokio::test]
async fn an_entra_error_keeps_code_description_and_aadsts_but_never_the_secret() {
    let secret = "Zq8Q~very.secret.value";
    let body = format!(
        r#"{{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. (echo: {secret})","error_codes":[7000215],"trace_id":"t-1","correlation_id":"c-1"}}"#
    );
    let error = client_credentials(secret, vec![json_reply(401, &body)])
        .await
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

#[tokio::test]
async fn aadsts_from_the_description_when_error_codes_is_absent() {
    let error = client_credentials("s", vec![json_reply(
        400,
        r#"{"error":"invalid_scope","error_description":"AADSTS70011: The provided value for scope vso.code_full is not valid."}"#,
    )])
    .await
    .unwrap_err();
    assert_eq!(error.oauth_error().unwrap().aadsts(), Some(70011));
}

#[tokio::test]
async fn redirects_html_and_lenient_errors() {
    let secret = "a-long-enough-secret";
    let redirect = reply(
        302,
        "text/html",
        Some("https://elsewhere.example/token"),
        "",
    );
    assert!(matches!(
        client_credentials(secret, vec![redirect]).await,
        Err(AuthError::Redirected { status: 302, location: Some(ref l), .. }) if l == "https://elsewhere.example/token"
    ));

    let html = reply(404, "text/html", None, "<html>Not here</html>");
    match client_credentials(secret, vec![html]).await {
        Err(AuthError::UnexpectedResponse {
            status: 404, body, ..
        }) => assert!(body.contains("Not here")),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
    let gateway = reply(502, "text/html", None, "<html>Bad gateway</html>");
    assert!(
        matches!(
            client_credentials(secret, vec![gateway]).await,
            Err(AuthError::Unavailable {
                status: 502,
                error: None,
                ..
            })
        ),
        "a gateway's 5xx page is the server failing, not an unexpected reply"
    );

    let error_on_200 = json_reply(
        200,
        r#"{"error":"invalid_request","error_description":"x"}"#,
    );
    assert!(
        matches!(
            client_credentials(secret, vec![error_on_200]).await,
            Err(AuthError::OAuth { .. })
        ),
        "an error object on a 200 is still an error"
    );
}

/// A reply with a `Retry-After` header.
fn with_retry_after(mut reply: HttpResponse, value: &str) -> HttpResponse {
    reply
        .headers_mut()
        .insert("retry-after", value.parse().unwrap());
    reply
}

#[tokio::test]
async fn throttling_and_server_failures_carry_the_status_and_retry_after() {
    let secret = "Zq8Q~very.secret.value";
    let throttled = with_retry_after(
        json_reply(
            429,
            &format!(
                r#"{{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred. (echo: {secret})","error_codes":[90033],"trace_id":"t-9"}}"#
            ),
        ),
        "7",
    );
    let error = client_credentials(secret, vec![throttled])
        .await
        .unwrap_err();
    assert!(error.is_throttled(), "{error:?}");
    match &error {
        AuthError::Unavailable {
            status: 429,
            retry_after,
            error: Some(oauth),
            ..
        } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
            assert_eq!(oauth.error, "temporarily_unavailable");
            assert_eq!(oauth.aadsts(), Some(90033));
            assert_eq!(oauth.trace_id.as_deref(), Some("t-9"));
        }
        other => panic!("expected Unavailable 429, got {other:?}"),
    }
    let text = format!("{error} {error:?}");
    assert!(
        text.contains("429") && text.contains("AADSTS90033"),
        "{text}"
    );
    assert!(
        !text.contains(secret),
        "an echoed secret is scrubbed: {text}"
    );

    let failing = json_reply(
        503,
        r#"{"error":"temporarily_unavailable","error_description":"AADSTS90033"}"#,
    );
    let error = client_credentials(secret, vec![failing]).await.unwrap_err();
    assert!(!error.is_throttled(), "a 503 is not throttling: {error:?}");
    assert!(
        matches!(
            error,
            AuthError::Unavailable {
                status: 503,
                retry_after: None,
                error: Some(_),
                ..
            }
        ),
        "{error:?}"
    );

    for (header, expected) in [
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("soon", None),
        ("-1", None),
        ("999999", Some(Duration::from_secs(3600))),
    ] {
        let bare = with_retry_after(reply(429, "text/plain", None, ""), header);
        match client_credentials(secret, vec![bare]).await {
            Err(AuthError::Unavailable {
                status: 429,
                retry_after,
                error: None,
                ..
            }) => assert_eq!(retry_after, expected, "Retry-After: {header}"),
            other => panic!("expected Unavailable 429, got {other:?}"),
        }
    }
}

fn refresh_client(replies: Vec<HttpResponse>) -> (PublicClient, TokenSet) {
    let (http, _) = scripted(replies);
    let previous = TokenSet::new(
        SecretString::from("old-access"),
        Some(SecretString::from("old-refresh")),
        Some(now()),
    );
    (
        PublicClient::new(
            authority(),
            ClientId::default(),
            Scopes::azure_devops(),
            http,
        ),
        previous,
    )
}

#[tokio::test]
async fn refresh_keeps_a_rotated_refresh_token_else_the_old_one() {
    let (client, previous) = refresh_client(vec![json_reply(
        200,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"new-access","refresh_token":"new-refresh"}"#,
    )]);
    let tokens = client.refresh(&previous).await.unwrap();
    assert_eq!(
        tokens.refresh_token.unwrap().expose_secret(),
        "new-refresh",
        "rotation"
    );
    assert_eq!(tokens.access_token.expose_secret(), "new-access");

    let (client, previous) = refresh_client(vec![json_reply(
        200,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"new-access"}"#,
    )]);
    let tokens = client.refresh(&previous).await.unwrap();
    assert_eq!(
        tokens.refresh_token.unwrap().expose_secret(),
        "old-refresh",
        "no new one: keep the old"
    );
}

#[tokio::test]
async fn a_refused_refresh_means_sign_in_again() {
    for (error, aadsts) in [("invalid_grant", 700082), ("interaction_required", 50076)] {
        let (client, previous) = refresh_client(vec![json_reply(
            400,
            &format!(
                r#"{{"error":"{error}","error_description":"AADSTS{aadsts}: The refresh token has expired.","error_codes":[{aadsts}]}}"#
            ),
        )]);
        let refused = client.refresh(&previous).await.unwrap_err();
        assert!(refused.is_sign_in_again(), "{error} on refresh: {refused}");
        assert!(
            refused.to_string().starts_with("sign in again"),
            "{refused}"
        );
        assert!(!format!("{refused:?}").contains("old-refresh"));
    }
    let (client, previous) = refresh_client(vec![json_reply(400, r#"{"error":"invalid_client"}"#)]);
    assert!(!client
        .refresh(&previous)
        .await
        .unwrap_err()
        .is_sign_in_again());
}

fn device_client(replies: Vec<HttpResponse>) -> PublicClient {
    let (http, _): (HttpClient, _) = scripted(replies);
    PublicClient::new(
        authority(),
        ClientId::default(),
        Scopes::azure_devops(),
        http,
    )
}

#[tokio::test]
async fn reads_entra_device_authorization() {
    let client = device_client(vec![json_reply(
        200,
        r#"{"user_code":"FJ2K3LQ9A","device_code":"DAQABAAEAAAD--secret","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5,"message":"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FJ2K3LQ9A to authenticate."}"#,
    )]);
    let flow = DeviceCodeFlow::start(&client).await.unwrap();
    let auth = flow.authorization();
    assert_eq!(auth.user_code, "FJ2K3LQ9A");
    assert_eq!(
        auth.verification_uri.as_str(),
        "https://microsoft.com/devicelogin"
    );
    assert_eq!(auth.expires_in, Duration::from_secs(900));
    assert_eq!(auth.interval, Duration::from_secs(5));
    assert!(auth.message.as_deref().unwrap().contains("FJ2K3LQ9A"));
    assert!(
        !format!("{auth:?} {flow:?}").contains("DAQABAAEAAAD--secret"),
        "the device code stays hidden"
    );
}

#[tokio::test]
async fn device_authorization_accepts_verification_url_and_defaults_the_interval() {
    let client = device_client(vec![json_reply(
        200,
        r#"{"user_code":"ABCD","device_code":"dc","verification_url":"https://microsoft.com/devicelogin","expires_in":900}"#,
    )]);
    let flow = DeviceCodeFlow::start(&client).await.unwrap();
    let auth = flow.authorization();
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

#[tokio::test]
async fn device_poll_outcomes() {
    const AUTHORIZATION: &str = r#"{"user_code":"ABCD","device_code":"dc","verification_uri":"https://x.example/device","expires_in":900}"#;
    let poll_with = |answer: HttpResponse| async move {
        let (http, sent) = scripted(vec![json_reply(200, AUTHORIZATION), answer]);
        let client = PublicClient::new(
            authority(),
            ClientId::default(),
            Scopes::azure_devops(),
            http,
        );
        let flow = DeviceCodeFlow::start(&client).await.unwrap();
        let result = flow.finish_with_sleep(|_| std::future::ready(())).await;
        let poll = sent.lock().unwrap()[1].clone();
        assert_eq!(
            poll.param("grant_type").as_deref(),
            Some("urn:ietf:params:oauth:grant-type:device_code")
        );
        assert_eq!(poll.param("device_code").as_deref(), Some("dc"));
        result
    };
    let poll = |status: u16, body: &'static str| poll_with(json_reply(status, body));
    assert!(matches!(
        poll(400, r#"{"error":"expired_token"}"#).await,
        Err(AuthError::DeviceCodeExpired)
    ));
    assert!(matches!(
        poll(400, r#"{"error":"access_denied"}"#).await,
        Err(AuthError::AccessDenied { .. })
    ));
    assert!(
        matches!(
            poll(
                400,
                r#"{"error":"authorization_declined","error_description":"AADSTS70000: declined"}"#
            )
            .await,
            Err(AuthError::AccessDenied { .. })
        ),
        "Entra's name for a declined device code"
    );
    assert!(matches!(
        poll(400, r#"{"error":"bad_verification_code"}"#).await,
        Err(AuthError::OAuth { .. })
    ));
    assert!(poll(
        200,
        r#"{"token_type":"Bearer","access_token":"a","expires_in":60}"#
    )
    .await
    .is_ok());
    assert!(
        matches!(
            poll_with(reply(
                302,
                "text/html",
                Some("https://elsewhere.example/"),
                ""
            ))
            .await,
            Err(AuthError::Redirected { status: 302, .. })
        ),
        "a redirect ends the polling at once, not at expiry"
    );
    assert!(
        matches!(
            poll_with(reply(200, "text/html", None, "<html>proxy page</html>")).await,
            Err(AuthError::UnexpectedResponse { status: 200, .. })
        ),
        "so does a proxy's page"
    );
    assert!(
        matches!(
            poll_with(reply(502, "text/html", None, "<html>proxy error</html>")).await,
            Err(AuthError::Unavailable { status: 502, .. })
        ),
        "and a 5xx"
    );
    let throttled = with_retry_after(
        json_reply(429, r#"{"error":"temporarily_unavailable"}"#),
        "3",
    );
    assert!(
        matches!(
            poll_with(throttled).await,
            Err(AuthError::Unavailable { status: 429, retry_after: Some(wait), .. }) if wait == Duration::from_secs(3)
        ),
        "and a 429, with its Retry-After"
    );
}
