//! Requests are values: what each grant sends, checked without a network (a scripted HTTP client
//! records what `oauth2` built).

use ado_auth::{
    authorize_url, new_state, AuthError, Authority, AuthorizationCode, BrowserOptions, ClientId,
    ConfigError, DeviceCodeFlow, PkceCodeChallenge, PkceCodeVerifier, PublicClient, RedirectStyle,
    Scopes, ServicePrincipal, TokenSet,
};
use secrecy::SecretString;

use crate::support::{json_reply, query_param, scripted};

const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const TOKEN: &str = r#"{"token_type":"Bearer","expires_in":3600,"access_token":"a"}"#;

fn entra() -> Authority {
    Authority::entra("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap()
}

#[test]
fn authorize_url_carries_challenge_and_state_but_never_the_verifier() {
    let verifier = PkceCodeVerifier::new(RFC_VERIFIER.to_owned());
    let state = new_state();
    let url = authorize_url(
        &entra(),
        &ClientId::default(),
        &Scopes::azure_devops(),
        &RedirectStyle::Localhost.redirect_uri(53124),
        &state,
        &PkceCodeChallenge::from_code_verifier_sha256(&verifier),
        &BrowserOptions::default().with_prompt("select_account"),
    )
    .unwrap();
    assert_eq!(
        url.as_str().split('?').next().unwrap(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize"
    );
    let param = |name| query_param(&url, name);
    assert_eq!(
        param("client_id").as_deref(),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert_eq!(param("response_type").as_deref(), Some("code"));
    assert_eq!(
        param("redirect_uri").as_deref(),
        Some("http://localhost:53124")
    );
    assert_eq!(
        param("scope").as_deref(),
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default offline_access")
    );
    assert_eq!(
        param("code_challenge").as_deref(),
        Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    );
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(param("prompt").as_deref(), Some("select_account"));
    assert_eq!(
        param("state").map(|s| s.len()),
        Some(43),
        "32 random bytes, base64url"
    );
    assert!(
        !url.as_str().contains(RFC_VERIFIER),
        "the verifier never goes into the URL"
    );
}

#[test]
fn redirect_styles() {
    assert_eq!(
        RedirectStyle::Localhost.redirect_uri(8400),
        "http://localhost:8400"
    );
    assert_eq!(
        RedirectStyle::Loopback.redirect_uri(8400),
        "http://127.0.0.1:8400/"
    );
}

#[tokio::test]
async fn code_redemption_sends_code_and_verifier_only_in_the_body() {
    let (http, sent) = scripted(vec![json_reply(200, TOKEN)]);
    let client = PublicClient::new(entra(), ClientId::default(), Scopes::azure_devops(), http);
    let code = AuthorizationCode::new("the-code".into());
    let verifier = PkceCodeVerifier::new(RFC_VERIFIER.to_owned());
    let debug = format!("{code:?} {verifier:?}");
    assert!(
        !debug.contains(RFC_VERIFIER) && !debug.contains("the-code"),
        "{debug}"
    );
    client
        .exchange_code(code, "http://localhost:53124", verifier)
        .await
        .unwrap();
    let sent = sent.lock().unwrap()[0].clone();
    assert_eq!(
        sent.url,
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    );
    assert_eq!(
        sent.param("grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(
        sent.param("redirect_uri").as_deref(),
        Some("http://localhost:53124"),
        "exactly as in the authorize URL"
    );
    assert_eq!(
        sent.param("client_id").as_deref(),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert_eq!(sent.param("code").as_deref(), Some("the-code"));
    assert_eq!(sent.param("code_verifier").as_deref(), Some(RFC_VERIFIER));
    assert!(
        sent.authorization.is_none(),
        "a public client sends no credentials"
    );
    assert!(!sent.url.contains("the-code") && !sent.url.contains(RFC_VERIFIER));
}

#[tokio::test]
async fn refresh_request() {
    let (http, sent) = scripted(vec![json_reply(200, TOKEN)]);
    let client = PublicClient::new(entra(), ClientId::default(), Scopes::azure_devops(), http);
    let tokens = TokenSet::new(
        SecretString::from("at"),
        Some(SecretString::from("rt-secret")),
        None,
    );
    client.refresh(&tokens).await.unwrap();
    let sent = sent.lock().unwrap()[0].clone();
    assert_eq!(sent.param("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(
        sent.param("client_id").as_deref(),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert_eq!(
        sent.param("scope").as_deref(),
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default offline_access")
    );
    assert_eq!(sent.param("refresh_token").as_deref(), Some("rt-secret"));

    let (http, sent) = scripted(vec![json_reply(200, TOKEN)]);
    let client = PublicClient::new(entra(), ClientId::default(), Scopes::azure_devops(), http);
    let without = TokenSet::new(SecretString::from("at"), None, None);
    let error = client.refresh(&without).await.unwrap_err();
    assert!(
        error.is_sign_in_again(),
        "no refresh token means sign in again: {error}"
    );
    assert!(sent.lock().unwrap().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn client_credentials_request() {
    let (http, sent) = scripted(vec![json_reply(200, TOKEN)]);
    let sp = ServicePrincipal::new(
        entra(),
        ClientId::new("00000000-1111-2222-3333-444444444444").unwrap(),
        SecretString::from("sp~secret/value"),
        http,
    );
    sp.acquire_token().await.unwrap();
    let sent = sent.lock().unwrap()[0].clone();
    assert_eq!(
        sent.param("grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(
        sent.param("scope").as_deref(),
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default")
    );
    assert_eq!(
        sent.param("client_id").as_deref(),
        Some("00000000-1111-2222-3333-444444444444")
    );
    assert!(
        sent.body.contains("client_secret=sp%7Esecret%2Fvalue"),
        "the secret is form-encoded in the body (client_secret_post): {}",
        sent.body
    );
    assert!(sent.authorization.is_none(), "not in a Basic header");
    let debug = format!("{sp:?}");
    assert!(!debug.contains("sp~secret/value"), "{debug}");
}

#[tokio::test]
async fn device_code_request() {
    let (http, sent) = scripted(vec![json_reply(
        200,
        r#"{"user_code":"U","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":900}"#,
    )]);
    let client = PublicClient::new(entra(), ClientId::default(), Scopes::azure_devops(), http);
    DeviceCodeFlow::start(&client).await.unwrap();
    let sent = sent.lock().unwrap()[0].clone();
    assert_eq!(
        sent.url,
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/devicecode"
    );
    assert_eq!(
        sent.param("client_id").as_deref(),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert_eq!(
        sent.param("scope").as_deref(),
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default offline_access")
    );

    let custom = Authority::custom(
        "https://id.example/authorize",
        "https://id.example/token",
        None,
    )
    .unwrap();
    let (http, sent) = scripted(vec![json_reply(500, "{}")]);
    let client = PublicClient::new(custom, ClientId::default(), Scopes::azure_devops(), http);
    assert!(
        matches!(
            DeviceCodeFlow::start(&client).await,
            Err(AuthError::Config(ConfigError::NoDeviceCodeEndpoint))
        ),
        "an authority without a device endpoint cannot start a device code sign-in"
    );
    assert!(sent.lock().unwrap().is_empty());
}
