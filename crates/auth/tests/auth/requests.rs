//! Requests are values: what each grant sends, checked without a network.

use ado_auth::{
    authorize_url, AuthCode, Authority, BrowserOptions, ClientId, CsrfState, FormPost,
    PkceVerifier, RedirectStyle, Scopes, ServicePrincipal,
};
use secrecy::SecretString;

use crate::support::{http, query_param};

const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

fn entra() -> Authority {
    Authority::entra("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap()
}

#[test]
fn authorize_url_carries_challenge_and_state_but_never_the_verifier() {
    let verifier = PkceVerifier::new(SecretString::from(RFC_VERIFIER)).unwrap();
    let state = CsrfState::generate();
    let url = authorize_url(
        &entra(),
        &ClientId::default(),
        &Scopes::azure_devops(),
        &RedirectStyle::Localhost.redirect_uri(53124),
        &state,
        &verifier.challenge(),
        &BrowserOptions::default().with_prompt("select_account"),
    );
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

#[test]
fn code_redemption_sends_code_and_verifier_only_in_the_body() {
    let verifier = PkceVerifier::new(SecretString::from(RFC_VERIFIER)).unwrap();
    let post = FormPost::authorization_code(
        &entra(),
        &ClientId::default(),
        &AuthCode::new("the-code".into()),
        "http://localhost:53124",
        verifier,
    );
    assert_eq!(
        post.url().as_str(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
    );
    assert_eq!(post.param("grant_type"), Some("authorization_code"));
    assert_eq!(post.param("redirect_uri"), Some("http://localhost:53124"));
    assert_eq!(
        post.param("client_id"),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert_eq!(post.secret_param_names(), ["code", "code_verifier"]);
    assert_eq!(
        post.param("code_verifier"),
        None,
        "secret parameters are not readable by name"
    );
    let body = post.expose_body();
    assert!(
        body.contains(&format!("code_verifier={RFC_VERIFIER}")),
        "{}",
        body.as_str()
    );
    assert!(body.contains("code=the-code"));
    let debug = format!("{post:?}");
    assert!(
        !debug.contains(RFC_VERIFIER) && !debug.contains("the-code"),
        "{debug}"
    );
    assert!(debug.contains("[redacted]"));
}

#[test]
fn refresh_request() {
    let tokens = ado_auth::TokenSet::new(
        SecretString::from("at"),
        Some(SecretString::from("rt-secret")),
        None,
    );
    let post = FormPost::refresh(
        &entra(),
        &ClientId::default(),
        &Scopes::azure_devops(),
        &tokens,
    )
    .unwrap();
    assert_eq!(post.param("grant_type"), Some("refresh_token"));
    assert_eq!(
        post.param("client_id"),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert_eq!(
        post.param("scope"),
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default offline_access")
    );
    assert_eq!(post.secret_param_names(), ["refresh_token"]);
    assert!(post.expose_body().contains("refresh_token=rt-secret"));

    let without = ado_auth::TokenSet::new(SecretString::from("at"), None, None);
    let error = FormPost::refresh(
        &entra(),
        &ClientId::default(),
        &Scopes::azure_devops(),
        &without,
    )
    .unwrap_err();
    assert!(
        error.is_sign_in_again(),
        "no refresh token means sign in again: {error}"
    );
}

#[test]
fn client_credentials_request() {
    let sp = ServicePrincipal::new(
        entra(),
        ClientId::new("00000000-1111-2222-3333-444444444444").unwrap(),
        SecretString::from("sp~secret/value"),
        http(),
    );
    let post = sp.token_request();
    assert_eq!(post.param("grant_type"), Some("client_credentials"));
    assert_eq!(
        post.param("scope"),
        Some("499b84ac-1321-427f-aa17-267ca6975798/.default")
    );
    assert_eq!(
        post.param("client_id"),
        Some("00000000-1111-2222-3333-444444444444")
    );
    assert_eq!(post.secret_param_names(), ["client_secret"]);
    assert!(
        post.expose_body()
            .contains("client_secret=sp%7Esecret%2Fvalue"),
        "the secret is form-encoded in the body"
    );
    let debug = format!("{sp:?} {post:?}");
    assert!(!debug.contains("sp~secret/value"), "{debug}");
}

#[test]
fn device_code_request() {
    let post =
        FormPost::device_authorization(&entra(), &ClientId::default(), &Scopes::azure_devops())
            .unwrap();
    assert_eq!(
        post.url().as_str(),
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/devicecode"
    );
    assert_eq!(
        post.param("client_id"),
        Some("872cd9fa-d31f-45e0-9eab-6e460a02d1f1")
    );
    assert!(post.secret_param_names().is_empty());

    let custom = Authority::custom(
        "https://id.example/authorize",
        "https://id.example/token",
        None,
    )
    .unwrap();
    assert!(
        FormPost::device_authorization(&custom, &ClientId::default(), &Scopes::azure_devops())
            .is_err(),
        "an authority without a device endpoint cannot start a device code sign-in"
    );
}
