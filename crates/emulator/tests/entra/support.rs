//! Helpers: an emulator, a browser that follows no redirects, PKCE pairs, token requests.

use ado_emulator::{Config, Emulator, EntraConfig, Scenario};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

pub use crate::common::{client, read, start, Reply};

/// The demo's `fabrikam` tenant.
pub const TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
/// Visual Studio's client id (the app's default).
pub const VS: &str = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1";
/// What ADO Connect asks for.
pub const ADO_SCOPES: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access";
pub const ADMIN: &str = "demo.admin@fabrikam.example";
pub const DEVELOPER: &str = "dana.dev@fabrikam.example";

pub async fn demo() -> Emulator {
    with_entra(EntraConfig::default()).await
}

pub async fn with_entra(entra: EntraConfig) -> Emulator {
    start(Config {
        entra,
        ..Config::default()
    })
    .await
}

pub async fn with_scenario(scenario: Scenario, entra: EntraConfig) -> Emulator {
    start(Config {
        scenario,
        entra,
        ..Config::default()
    })
    .await
}

/// A PKCE pair (RFC 7636): a fresh verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// `GET {base}/{tenant}/oauth2/v2.0/authorize?{params}`.
pub async fn authorize(emu: &Emulator, tenant: &str, params: &[(&str, &str)]) -> Reply {
    let mut url = url::Url::parse(&format!(
        "{}/{tenant}/oauth2/v2.0/authorize",
        emu.base_url()
    ))
    .unwrap();
    url.query_pairs_mut().extend_pairs(params);
    read(client().get(url).send().await.unwrap()).await
}

/// A complete authorize request for Visual Studio's client, with extra parameters.
pub async fn authorize_vs(emu: &Emulator, pkce: &Pkce, extra: &[(&str, &str)]) -> Reply {
    let mut params = vec![
        ("client_id", VS),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:53124"),
        ("scope", ADO_SCOPES),
        ("state", "st-1"),
        ("code_challenge", pkce.challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        params.push((name, value));
    }
    authorize(emu, TENANT, &params).await
}

/// `POST {base}/{tenant}/oauth2/v2.0/{endpoint}` with a form.
pub async fn post(emu: &Emulator, tenant: &str, endpoint: &str, form: &[(&str, &str)]) -> Reply {
    let url = format!("{}/{tenant}/oauth2/v2.0/{endpoint}", emu.base_url());
    read(client().post(url).form(form).send().await.unwrap()).await
}

/// Signs the default user (or `login_hint`) in with Visual Studio's client and returns the code.
pub async fn code_for(emu: &Emulator, pkce: &Pkce, login_hint: Option<&str>) -> String {
    let extra: Vec<(&str, &str)> = login_hint.map(|h| ("login_hint", h)).into_iter().collect();
    let reply = authorize_vs(emu, pkce, &extra).await;
    assert_eq!(reply.status, 302, "{}", reply.text);
    reply.location_params()["code"].clone()
}

/// Redeems a code for Visual Studio's client.
pub async fn redeem(emu: &Emulator, code: &str, verifier: &str) -> Reply {
    post(
        emu,
        TENANT,
        "token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", VS),
            ("code", code),
            ("redirect_uri", "http://localhost:53124"),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// The whole browser sign-in: the token reply.
pub async fn sign_in(emu: &Emulator, login_hint: Option<&str>) -> Value {
    let pkce = pkce();
    let code = code_for(emu, &pkce, login_hint).await;
    let reply = redeem(emu, &code, &pkce.verifier).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

pub async fn refresh(emu: &Emulator, refresh_token: &str) -> Reply {
    post(
        emu,
        TENANT,
        "token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", VS),
            ("refresh_token", refresh_token),
            ("scope", ADO_SCOPES),
        ],
    )
    .await
}

/// `GET {base}{path}` with a Bearer token, as SDKs send it (`X-TFS-FedAuthRedirect: Suppress`).
pub async fn ado_get(emu: &Emulator, path: &str, bearer: &str) -> Reply {
    read(
        client()
            .get(format!("{}{path}", emu.base_url()))
            .bearer_auth(bearer)
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The claims of a JWT-shaped token (unsigned; the emulator's tokens are readable).
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT-shaped token");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn text(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {value}"))
        .to_string()
}
