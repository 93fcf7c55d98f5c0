//! ADO Connect's own sign-in library (`ado-auth`, a dev-dependency only) against the emulator:
//! every flow as the app runs it, with `ADO_CONNECT_AUTHORITY` pointing at the emulator and the
//! tenant found by the app's discovery (an anonymous request to the organization).

use std::time::{Duration, SystemTime};

use ado_auth::{
    tenant_from_headers, AuthCodeFlow, AuthError, Authority, BrowserOptions, ClientId,
    DeviceCodeFlow, HttpClient, PublicClient, RedirectStyle, Scopes, ServicePrincipal,
    SignInSettings, TenantHint, TokenSet,
};
use ado_emulator::scenario::{
    DEMO_DECLINING_USER_EMAIL, DEMO_SP_CLIENT_ID, DEMO_SP_NOT_ADDED_CLIENT_ID,
    DEMO_SP_NOT_ADDED_OBJECT_ID, DEMO_SP_NOT_ADDED_SECRET, DEMO_SP_SECRET,
};
use ado_emulator::{Emulator, EntraConfig};
use secrecy::{ExposeSecret as _, SecretString};

use crate::support::*;

/// The app's way to the tenant: an anonymous `connectionData` with Suppress, then the headers.
async fn discover_tenant(emu: &Emulator, organization: &str) -> TenantHint {
    let reply = client()
        .get(format!(
            "{}/{organization}/_apis/connectionData",
            emu.base_url()
        ))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        let values: Vec<&str> = reply
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    tenant_from_headers(
        header("www-authenticate").as_deref(),
        header("x-vss-resourcetenant").as_deref(),
    )
}

/// `ADO_CONNECT_AUTHORITY=http://127.0.0.1:{port}`, default client id, discovery for `fabrikam`.
async fn public_client(emu: &Emulator) -> PublicClient {
    let base = emu.base_url().to_string();
    let settings =
        SignInSettings::from_lookup(|name| (name == ado_auth::ENV_AUTHORITY).then(|| base.clone()))
            .unwrap();
    let hint = discover_tenant(emu, "fabrikam").await;
    assert_eq!(
        hint,
        TenantHint::Tenant {
            tenant_id: TENANT.to_string()
        }
    );
    let authority = settings.authority_for(&hint).unwrap();
    assert_eq!(
        authority.token_endpoint().as_str(),
        format!("{base}/{TENANT}/oauth2/v2.0/token")
    );
    PublicClient::new(
        authority,
        settings.client_id,
        Scopes::azure_devops(),
        HttpClient::from_builder(reqwest::Client::builder().no_proxy()).unwrap(),
    )
}

/// What a person's browser does: opens the authorize URL, and follows the redirect to the app's
/// loopback listener (`localhost` written as `127.0.0.1`, where the listener is bound).
async fn play_browser(authorize_url: &url::Url) -> Reply {
    let reply = read(client().get(authorize_url.as_str()).send().await.unwrap()).await;
    let Some(location) = reply.header("location") else {
        return reply;
    };
    let location = location.replacen("http://localhost:", "http://127.0.0.1:", 1);
    read(client().get(location).send().await.unwrap()).await
}

async fn projects_status(emu: &Emulator, tokens: &TokenSet) -> u16 {
    ado_get(
        emu,
        "/fabrikam/_apis/projects",
        tokens.access_token.expose_secret(),
    )
    .await
    .status
    .as_u16()
}

#[tokio::test]
async fn auth_code_flow_signs_in_through_the_browser() {
    let emu = demo().await;
    let client = public_client(&emu).await;
    let flow = AuthCodeFlow::start(
        &client,
        BrowserOptions::default().with_login_hint(DEVELOPER),
    )
    .await
    .unwrap();
    let url = flow.authorize_url().clone();
    assert!(url.as_str().starts_with(&format!(
        "{}/{TENANT}/oauth2/v2.0/authorize?",
        emu.base_url()
    )));
    let (tokens, browser) = tokio::join!(flow.finish(), play_browser(&url));
    assert_eq!(
        browser.status, 200,
        "the app's listener answers the browser"
    );
    assert!(
        browser.text.contains("You are signed in"),
        "{}",
        browser.text
    );
    let tokens = tokens.unwrap();
    assert!(tokens.refresh_token.is_some());
    assert!(!tokens.needs_refresh(SystemTime::now(), Duration::from_secs(300)));
    assert_eq!(
        claims(tokens.access_token.expose_secret())["upn"],
        DEVELOPER
    );
    assert_eq!(projects_status(&emu, &tokens).await, 200);
}

#[tokio::test]
async fn auth_code_flow_reports_a_declined_sign_in() {
    let emu = demo().await;
    let client = public_client(&emu).await;
    let flow = AuthCodeFlow::start(
        &client,
        BrowserOptions::default().with_login_hint(DEMO_DECLINING_USER_EMAIL),
    )
    .await
    .unwrap();
    let url = flow.authorize_url().clone();
    let (result, _) = tokio::join!(flow.finish(), play_browser(&url));
    match result {
        Err(AuthError::Authorization { error, description }) => {
            assert_eq!(error, "access_denied");
            assert!(description.unwrap().starts_with("AADSTS65004"));
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
}

#[tokio::test]
async fn the_loopback_redirect_style_needs_a_registered_127_0_0_1() {
    let emu = demo().await;
    let client = public_client(&emu).await;
    let flow = AuthCodeFlow::start(
        &client,
        BrowserOptions::default().with_redirect(RedirectStyle::Loopback),
    )
    .await
    .unwrap();
    // Visual Studio's client has only http://localhost: Entra stops at its error page.
    let page = play_browser(flow.authorize_url()).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("AADSTS50011"), "{}", page.text);
    drop(flow);
}

#[tokio::test]
async fn device_code_flow_with_approval_by_library_call() {
    let emu = with_entra(EntraConfig {
        device_code_interval_secs: 1,
        ..EntraConfig::default()
    })
    .await;
    let client = public_client(&emu).await;
    let flow = DeviceCodeFlow::start(&client).await.unwrap();
    let shown = flow.authorization();
    assert_eq!(
        shown.verification_uri.as_str(),
        format!("{}/devicelogin", emu.base_url())
    );
    assert!(shown.message.as_deref().unwrap().contains(&shown.user_code));
    assert_eq!(shown.interval, Duration::from_secs(1));
    emu.entra()
        .approve_device_code(&shown.user_code, ADMIN)
        .unwrap();
    let tokens = flow.finish().await.unwrap();
    assert!(tokens.refresh_token.is_some());
    assert_eq!(projects_status(&emu, &tokens).await, 200);
}

#[tokio::test]
async fn device_code_flow_denied_and_expired() {
    let emu = with_entra(EntraConfig {
        device_code_interval_secs: 1,
        device_code_lifetime_secs: 2,
        ..EntraConfig::default()
    })
    .await;
    let client = public_client(&emu).await;
    let denied = DeviceCodeFlow::start(&client).await.unwrap();
    emu.entra()
        .deny_device_code(&denied.authorization().user_code)
        .unwrap();
    assert!(matches!(
        denied.finish().await,
        Err(AuthError::AccessDenied { .. })
    ));
    let expiring = DeviceCodeFlow::start(&client).await.unwrap();
    assert!(matches!(
        expiring.finish().await,
        Err(AuthError::DeviceCodeExpired)
    ));
}

#[tokio::test]
async fn service_principal_acquires_a_token() {
    let emu = demo().await;
    let http = HttpClient::from_builder(reqwest::Client::builder().no_proxy()).unwrap();
    let authority = Authority::entra_at(&url::Url::parse(emu.base_url()).unwrap(), TENANT).unwrap();
    let sp = ServicePrincipal::new(
        authority.clone(),
        ClientId::new(DEMO_SP_CLIENT_ID.to_string()).unwrap(),
        SecretString::from(DEMO_SP_SECRET),
        http.clone(),
    );
    let tokens = sp.acquire_token().await.unwrap();
    assert!(tokens.refresh_token.is_none());
    assert!(tokens.expires_at.is_some());
    assert_eq!(projects_status(&emu, &tokens).await, 200);

    let wrong = ServicePrincipal::new(
        authority.clone(),
        ClientId::new(DEMO_SP_CLIENT_ID.to_string()).unwrap(),
        SecretString::from("wrong-secret"),
        http.clone(),
    );
    match wrong.acquire_token().await {
        Err(AuthError::OAuth { error, .. }) => {
            assert_eq!(error.error, "invalid_client");
            assert_eq!(error.aadsts(), Some(7000215));
            assert!(error.trace_id.is_some() && error.correlation_id.is_some());
            assert!(!format!("{error:?} {error}").contains("wrong-secret"));
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }

    let unknown = ServicePrincipal::new(
        authority.clone(),
        ClientId::new("00000000-1111-2222-3333-444444444444").unwrap(),
        SecretString::from("x"),
        http.clone(),
    );
    let error = unknown.acquire_token().await.unwrap_err();
    assert_eq!(error.oauth_error().unwrap().aadsts(), Some(700016));

    // Tokens of a service principal not added to the organization are refused there.
    let outsider = ServicePrincipal::new(
        authority,
        ClientId::new(DEMO_SP_NOT_ADDED_CLIENT_ID.to_string()).unwrap(),
        SecretString::from(DEMO_SP_NOT_ADDED_SECRET),
        http,
    );
    let tokens = outsider.acquire_token().await.unwrap();
    let refused = ado_get(
        &emu,
        "/fabrikam/_apis/projects",
        tokens.access_token.expose_secret(),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert!(refused
        .text
        .contains(&DEMO_SP_NOT_ADDED_OBJECT_ID.to_string()));
}

#[tokio::test]
async fn public_client_refresh_rotates_and_a_revoked_sign_in_must_be_redone() {
    let emu = with_entra(EntraConfig {
        device_code_interval_secs: 1,
        ..EntraConfig::default()
    })
    .await;
    let client = public_client(&emu).await;
    let flow = DeviceCodeFlow::start(&client).await.unwrap();
    emu.entra()
        .approve_device_code(&flow.authorization().user_code, ADMIN)
        .unwrap();
    let first = flow.finish().await.unwrap();
    // "Refresh before expiry": the app renews; the old access token keeps working until it
    // expires, the new one works too.
    let second = client.refresh(&first).await.unwrap();
    assert_ne!(
        second.refresh_token.as_ref().unwrap().expose_secret(),
        first.refresh_token.as_ref().unwrap().expose_secret(),
        "rotated"
    );
    assert_eq!(projects_status(&emu, &second).await, 200);
    // "Token revoked mid-flow": the access token expires, the refresh is refused.
    emu.entra().expire_access_tokens();
    assert_eq!(projects_status(&emu, &second).await, 401);
    emu.entra().revoke_refresh_tokens(ADMIN);
    let error = client.refresh(&second).await.unwrap_err();
    assert!(error.is_sign_in_again(), "{error:?}");
    assert_eq!(error.oauth_error().unwrap().aadsts(), Some(50173));
}

#[tokio::test]
async fn discovery_documents_are_readable_by_the_app() {
    let emu = demo().await;
    let http = HttpClient::from_builder(reqwest::Client::builder().no_proxy()).unwrap();
    let issuer = format!("{}/{TENANT}/v2.0", emu.base_url());
    let authority = Authority::discover(&http, &issuer).await.unwrap();
    assert_eq!(authority.issuer(), Some(issuer.as_str()));
    assert_eq!(
        authority.device_code_endpoint().unwrap().as_str(),
        format!("{}/{TENANT}/oauth2/v2.0/devicecode", emu.base_url())
    );
    // An MSA-backed organization: the app is told to use a PAT.
    assert_eq!(
        discover_tenant(&emu, "contoso").await,
        TenantHint::MicrosoftAccount
    );
}
