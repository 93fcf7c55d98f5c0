//! Sign-in flows end to end against the emulator's Microsoft Entra endpoints: browser (the test
//! plays the browser), device code, service principal, refresh before expiry, revocation, and the
//! organizations Entra cannot serve. Secrets go to the kernel keyring here (no Secret Service is
//! needed for these tests; the keyring tests cover the Secret Service).

#[path = "support/counting_proxy.rs"]
mod counting_proxy;

use std::time::SystemTime;

use ado_auth::SignInSettings;
use ado_core::checks::CheckCode;
use ado_emulator::scenario::{
    DEMO_SP_CLIENT_ID, DEMO_SP_NOT_ADDED_CLIENT_ID, DEMO_SP_NOT_ADDED_SECRET, DEMO_SP_SECRET,
};
use ado_emulator::{Config, Emulator, EntraConfig, Scenario};
use ado_flows::profiles::AuthMethod;
use ado_flows::signin::{self, services_target};
use ado_flows::{Backend, ConnectError, ConnectOptions, Connections, SecretStore};
use secrecy::SecretString;

const FABRIKAM_TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

struct Fixture {
    emulator: Emulator,
    connections: Connections,
    settings: SignInSettings,
    _dir: tempfile::TempDir,
}

async fn fixture(entra: EntraConfig) -> Option<Fixture> {
    let store = match SecretStore::probe(Backend::SecretService)
        .or_else(|_| SecretStore::probe(Backend::KernelKeyring))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipping: no secret store ({e})");
            return None;
        }
    };
    let emulator = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        entra,
        ..Default::default()
    })
    .await
    .expect("emulator");
    let base = emulator.base_url().to_string();
    let settings =
        SignInSettings::from_lookup(|name| (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone()))
            .expect("settings");
    let dir = tempfile::tempdir().unwrap();
    Some(Fixture {
        connections: Connections::new(dir.path(), store),
        emulator,
        settings,
        _dir: dir,
    })
}

fn fabrikam(f: &Fixture) -> ado_core::target::ConnectionTarget {
    services_target("fabrikam", &format!("{}/", f.emulator.base_url())).unwrap()
}

/// Plays the browser: GET the authorize URL without following redirects, then deliver the
/// `Location` (the loopback redirect with the code) to the app's listener.
async fn play_browser(url: url::Url) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(url).send().await.expect("authorize answers");
    assert_eq!(
        answer.status(),
        302,
        "the emulator signs the user in and redirects"
    );
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.starts_with("http://localhost:") || location.starts_with("http://127.0.0.1:"),
        "{location}"
    );
    let page = http
        .get(&location)
        .send()
        .await
        .expect("the loopback listener answers");
    assert!(
        page.text().await.unwrap().contains("ADO Connect"),
        "the listener shows the return page"
    );
}

/// The whole browser sign-in with `options`, the test playing the browser.
async fn browser_sign_in(
    f: &Fixture,
    target: &ado_core::target::ConnectionTarget,
    options: &ConnectOptions,
) -> ado_flows::Connected {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let browser = tokio::spawn(async move { play_browser(rx.await.unwrap()).await });
    let connected = signin::sign_in_with_browser(
        &f.connections,
        target,
        &f.settings,
        options,
        |url| tx.send(url.clone()).unwrap(),
        |_| {},
        1,
    )
    .await
    .expect("signed in");
    browser.await.unwrap();
    connected
}

/// The whole device-code sign-in with `options`, the user approving at once.
async fn device_sign_in(f: &Fixture, options: &ConnectOptions) -> ado_flows::Connected {
    let entra = f.emulator.entra();
    signin::sign_in_with_device_code(
        &f.connections,
        &fabrikam(f),
        &f.settings,
        options,
        move |prompt| {
            assert!(!prompt.user_code.is_empty());
            assert!(
                prompt.verification_uri.ends_with("/devicelogin"),
                "{}",
                prompt.verification_uri
            );
            entra
                .approve_device_code(&prompt.user_code, "demo.admin@fabrikam.example")
                .expect("approved");
        },
        |_| {},
        1,
    )
    .await
    .expect("signed in")
}

#[tokio::test]
async fn browser_sign_in_verifies_saves_and_refreshes() {
    let Some(f) = fixture(EntraConfig {
        token_lifetime_secs: 60,
        ..Default::default()
    })
    .await
    else {
        return;
    };
    let target = fabrikam(&f);
    let connected = browser_sign_in(&f, &target, &ConnectOptions::default()).await;
    assert_eq!(connected.verified.user.display_name, "Demo Admin");
    let recorded = format!("{}/{FABRIKAM_TENANT}", f.emulator.base_url());
    assert!(
        matches!(&connected.profile.auth, AuthMethod::Entra { tenant, authority: Some(a), client_id }
            if tenant == FABRIKAM_TENANT && *a == recorded && client_id == ado_auth::VISUAL_STUDIO_CLIENT_ID),
        "the sign-in records its authority and client id: {:?}",
        connected.profile.auth
    );
    let file = std::fs::read_to_string(f.connections.dir().join("connections.json")).unwrap();
    assert!(
        !file.contains("eyJ") && !file.contains("accessToken"),
        "no token in the profile file"
    );

    // Within five minutes of expiry (the token lives 60 s): refreshed silently.
    let credential = signin::credential_for(
        &f.connections,
        &connected.profile,
        &f.settings,
        SystemTime::now(),
    )
    .await
    .expect("fresh credential");
    let client =
        ado_client::AdoClient::new(ado_client::ClientConfig::new(target.api_base(), credential))
            .unwrap();
    assert_eq!(
        client
            .connection_data()
            .await
            .unwrap()
            .authenticated_user
            .display_name(),
        "Demo Admin"
    );

    // Later the environment names another authority and client id: the refresh still goes where
    // the sign-in went, as the app it signed in with.
    let elsewhere = SignInSettings::from_lookup(|name| match name {
        "ADO_CONNECT_AUTHORITY" => Some("http://127.0.0.1:9".to_string()),
        "ADO_CONNECT_CLIENT_ID" => Some("11111111-2222-3333-4444-555555555555".to_string()),
        _ => None,
    })
    .unwrap();
    signin::credential_for(
        &f.connections,
        &connected.profile,
        &elsewhere,
        SystemTime::now(),
    )
    .await
    .expect("refreshed at the recorded authority");

    // A revoked refresh token: "sign in again"; the profile and its keyring entry stay, only the
    // dead refresh token is dropped so it is not sent again.
    assert!(
        f.emulator
            .entra()
            .revoke_refresh_tokens("demo.admin@fabrikam.example")
            > 0,
        "a refresh token to revoke"
    );
    let problem = signin::credential_for(
        &f.connections,
        &connected.profile,
        &f.settings,
        SystemTime::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(problem.code, CheckCode::TokenExpired, "{problem:?}");
    assert!(problem.fix.contains("Sign in again"), "{}", problem.fix);
    assert_eq!(
        f.connections.list().unwrap().len(),
        1,
        "everything else is kept"
    );
    let kept = f
        .connections
        .secret_of(&connected.profile)
        .unwrap()
        .expect("the keyring entry is kept");
    let kept: serde_json::Value =
        serde_json::from_str(secrecy::ExposeSecret::expose_secret(&kept)).unwrap();
    assert!(
        kept["refreshToken"].is_null(),
        "the dead refresh token is dropped"
    );
    let again = signin::credential_for(
        &f.connections,
        &connected.profile,
        &f.settings,
        SystemTime::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        again.code,
        CheckCode::TokenExpired,
        "still says sign in again: {again:?}"
    );
    f.connections.remove(&connected.profile.id).unwrap();
}

#[tokio::test]
async fn device_code_sign_in() {
    let Some(f) = fixture(EntraConfig {
        device_code_interval_secs: 1,
        ..Default::default()
    })
    .await
    else {
        return;
    };
    let connected = device_sign_in(&f, &ConnectOptions::default()).await;
    assert_eq!(connected.verified.user.display_name, "Demo Admin");
    f.connections.remove(&connected.profile.id).unwrap();
}

#[tokio::test]
async fn cancelling_a_browser_sign_in_ends_it() {
    let Some(f) = fixture(EntraConfig::default()).await else {
        return;
    };
    let target = fabrikam(&f);
    let result = signin::sign_in_with_browser(
        &f.connections,
        &target,
        &f.settings,
        &ConnectOptions::default(),
        |_| {},
        |cancel| cancel.cancel(),
        1,
    )
    .await;
    match result {
        Err(ConnectError::Problem(p)) => assert!(p.message.contains("cancelled"), "{p:?}"),
        other => panic!(
            "expected a cancelled sign-in, got {:?}",
            other.map(|c| c.profile.id)
        ),
    }
}

#[tokio::test]
async fn service_principal_added_and_not_added() {
    let Some(f) = fixture(EntraConfig::default()).await else {
        return;
    };
    let target = fabrikam(&f);
    let secret = SecretString::from(DEMO_SP_SECRET.to_string());
    let connected = signin::sign_in_as_service_principal(
        &f.connections,
        &target,
        &f.settings,
        signin::ServicePrincipalLogin {
            tenant: FABRIKAM_TENANT,
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &secret,
        },
        &ConnectOptions::default(),
        1,
    )
    .await
    .expect("the service principal signs in");
    assert!(matches!(
        connected.profile.auth,
        AuthMethod::ServicePrincipal { .. }
    ));
    assert_eq!(
        connected.profile.extra_secret_keys.len(),
        1,
        "its secret is kept in the keyring"
    );

    let outsider = SecretString::from(DEMO_SP_NOT_ADDED_SECRET.to_string());
    let err = signin::sign_in_as_service_principal(
        &f.connections,
        &target,
        &f.settings,
        signin::ServicePrincipalLogin {
            tenant: FABRIKAM_TENANT,
            client_id: &DEMO_SP_NOT_ADDED_CLIENT_ID.to_string(),
            secret: &outsider,
        },
        &ConnectOptions::default(),
        1,
    )
    .await
    .expect_err("an SP not added to the organization fails");
    match err {
        ConnectError::Problem(p) => assert!(
            p.fix.contains("Organization settings → Users"),
            "names the fix: {p:?}"
        ),
        other => panic!("{other:?}"),
    }
    let wrong = SecretString::from("not-the-secret".to_string());
    let err = signin::sign_in_as_service_principal(
        &f.connections,
        &target,
        &f.settings,
        signin::ServicePrincipalLogin {
            tenant: FABRIKAM_TENANT,
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &wrong,
        },
        &ConnectOptions::default(),
        1,
    )
    .await
    .err()
    .unwrap();
    let text = format!("{err:?} {err}");
    assert!(text.contains("7000215"), "the AADSTS code is kept: {text}");
    assert!(
        !text.contains("not-the-secret"),
        "the secret never reaches an error"
    );
    f.connections.remove(&connected.profile.id).unwrap();
}

#[tokio::test]
async fn an_msa_backed_organization_is_told_to_use_a_pat() {
    let Some(f) = fixture(EntraConfig::default()).await else {
        return;
    };
    let target = services_target("contoso", &format!("{}/", f.emulator.base_url())).unwrap();
    let err = signin::sign_in_with_browser(
        &f.connections,
        &target,
        &f.settings,
        &ConnectOptions::default(),
        |_| {},
        |_| {},
        1,
    )
    .await
    .err()
    .unwrap();
    match err {
        ConnectError::Problem(p) => {
            assert_eq!(
                p.code,
                CheckCode::MsaOrganization,
                "its own code, not invalid_credentials: nothing was typed wrong ({p:?})"
            );
            assert_eq!(p.field, None, "no field is at fault");
            assert!(p.fix.contains("personal access token"), "{p:?}");
            assert!(
                p.fix.contains("Microsoft Entra ID"),
                "or connect it to Entra: {p:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_service_principal_on_an_msa_backed_organization_is_told_why() {
    let Some(f) = fixture(EntraConfig::default()).await else {
        return;
    };
    // The service principal signs in to its own tenant; contoso is backed by Microsoft accounts
    // (tenant all zeros), so Azure DevOps refuses its token with 401 TF400813.
    let target = services_target("contoso", &format!("{}/", f.emulator.base_url())).unwrap();
    let secret = SecretString::from(DEMO_SP_SECRET.to_string());
    let err = signin::sign_in_as_service_principal(
        &f.connections,
        &target,
        &f.settings,
        signin::ServicePrincipalLogin {
            tenant: FABRIKAM_TENANT,
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &secret,
        },
        &ConnectOptions::default(),
        1,
    )
    .await
    .expect_err("no Entra token reaches an MSA-backed organization");
    match err {
        ConnectError::Problem(p) => {
            assert_eq!(p.code, CheckCode::MsaOrganization, "{p:?}");
            assert!(p.message.contains("Microsoft accounts"), "{p:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn servers_do_not_offer_entra() {
    let target = ado_core::target::TargetInput {
        deployment: Some(ado_core::target::Deployment::Server),
        server_url: "http://127.0.0.1:9/tfs".into(),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let problem = signin::discover_tenant(&target, &Default::default())
        .await
        .unwrap_err();
    assert!(problem.fix.contains("personal access token"));
}

/// Options naming a fresh counting proxy, and what it saw.
async fn proxied() -> (
    ConnectOptions,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    let (proxy, seen) = counting_proxy::start().await;
    let options = ConnectOptions {
        proxy: Some(proxy),
        ..ConnectOptions::default()
    };
    (options, seen)
}

fn through_proxy(seen: &std::sync::Mutex<Vec<String>>, path: &str) -> usize {
    seen.lock()
        .unwrap()
        .iter()
        .filter(|line| line.contains(path))
        .count()
}

#[tokio::test]
async fn browser_sign_in_goes_through_the_proxy() {
    let Some(f) = fixture(EntraConfig {
        token_lifetime_secs: 60,
        ..Default::default()
    })
    .await
    else {
        return;
    };
    let (proxy, seen) = counting_proxy::start().await;
    let options = ConnectOptions {
        proxy: Some(proxy.clone()),
        ..ConnectOptions::default()
    };
    let target = fabrikam(&f);
    let connected = browser_sign_in(&f, &target, &options).await;
    assert_eq!(
        through_proxy(&seen, "/oauth2/v2.0/token"),
        1,
        "the code exchange went through the proxy: {:?}",
        seen.lock().unwrap()
    );
    assert!(
        through_proxy(&seen, "/_apis/connectionData") >= 1,
        "so did the verify"
    );
    assert_eq!(
        connected.profile.options.proxy, options.proxy,
        "recorded for refreshes"
    );

    // The refresh of the saved connection uses the recorded proxy too.
    signin::credential_for(
        &f.connections,
        &connected.profile,
        &f.settings,
        SystemTime::now(),
    )
    .await
    .expect("refreshed");
    assert_eq!(
        through_proxy(&seen, "/oauth2/v2.0/token"),
        2,
        "the refresh went through the proxy"
    );
    f.connections.remove(&connected.profile.id).unwrap();
}

#[tokio::test]
async fn device_code_sign_in_goes_through_the_proxy() {
    let Some(f) = fixture(EntraConfig {
        device_code_interval_secs: 1,
        ..Default::default()
    })
    .await
    else {
        return;
    };
    let (options, seen) = proxied().await;
    let connected = device_sign_in(&f, &options).await;
    assert_eq!(
        through_proxy(&seen, "/oauth2/v2.0/devicecode"),
        1,
        "{:?}",
        seen.lock().unwrap()
    );
    assert!(
        through_proxy(&seen, "/oauth2/v2.0/token") >= 1,
        "the polls went through the proxy"
    );
    f.connections.remove(&connected.profile.id).unwrap();
}

#[tokio::test]
async fn service_principal_sign_in_goes_through_the_proxy() {
    let Some(f) = fixture(EntraConfig::default()).await else {
        return;
    };
    let (options, seen) = proxied().await;
    let target = fabrikam(&f);
    let secret = SecretString::from(DEMO_SP_SECRET.to_string());
    let connected = signin::sign_in_as_service_principal(
        &f.connections,
        &target,
        &f.settings,
        signin::ServicePrincipalLogin {
            tenant: FABRIKAM_TENANT,
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &secret,
        },
        &options,
        1,
    )
    .await
    .expect("signed in through the proxy");
    assert_eq!(
        through_proxy(&seen, "/oauth2/v2.0/token"),
        1,
        "{:?}",
        seen.lock().unwrap()
    );
    f.connections.remove(&connected.profile.id).unwrap();
}
