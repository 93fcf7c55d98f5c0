//! Client credentials: service principals.

use ado_emulator::scenario::{
    DEMO_SP_CLIENT_ID, DEMO_SP_NOT_ADDED_CLIENT_ID, DEMO_SP_NOT_ADDED_SECRET, DEMO_SP_SECRET,
};
use serde_json::json;

use crate::support::*;

pub const SP_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default";

pub async fn client_credentials(
    emu: &ado_emulator::Emulator,
    tenant: &str,
    client_id: &str,
    secret: Option<&str>,
    scope: &str,
) -> Reply {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("scope", scope),
    ];
    if let Some(secret) = secret {
        form.push(("client_secret", secret));
    }
    post(emu, tenant, "token", &form).await
}

#[tokio::test]
async fn a_good_secret_gets_an_app_token_without_refresh_token() {
    let emu = demo().await;
    let sp = DEMO_SP_CLIENT_ID.to_string();
    let reply = client_credentials(&emu, TENANT, &sp, Some(DEMO_SP_SECRET), SP_SCOPE).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["token_type", "expires_in", "ext_expires_in", "access_token"]
    );
    assert_eq!(body["expires_in"], json!(3600));
    let claims = claims(&text(&body, "access_token"));
    assert_eq!(claims["idtyp"], "app");
    assert_eq!(claims["appid"], sp);
    assert_eq!(
        claims["oid"],
        ado_emulator::scenario::DEMO_SP_OBJECT_ID.to_string()
    );
    // The resource URI form of the scope works too.
    let uri = client_credentials(
        &emu,
        TENANT,
        &sp,
        Some(DEMO_SP_SECRET),
        "https://app.vssps.visualstudio.com/.default",
    )
    .await;
    assert_eq!(uri.status, 200, "{}", uri.text);
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client_401() {
    let emu = demo().await;
    let sp = DEMO_SP_CLIENT_ID.to_string();
    let reply = client_credentials(&emu, TENANT, &sp, Some("wrong"), SP_SCOPE).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.oauth_error(), ("invalid_client".into(), 7000215));
    assert!(reply.text.contains(&format!(
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{sp}'."
    )));
    let none = client_credentials(&emu, TENANT, &sp, None, SP_SCOPE).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.oauth_error(), ("invalid_client".into(), 7000218));
    // Another service principal's secret is as wrong as any.
    let swapped =
        client_credentials(&emu, TENANT, &sp, Some(DEMO_SP_NOT_ADDED_SECRET), SP_SCOPE).await;
    assert_eq!(swapped.oauth_error().1, 7000215);
}

#[tokio::test]
async fn an_unknown_service_principal_is_aadsts700016() {
    let emu = demo().await;
    let reply = client_credentials(
        &emu,
        TENANT,
        "00000000-1111-2222-3333-444444444444",
        Some("whatever"),
        SP_SCOPE,
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.oauth_error(), ("unauthorized_client".into(), 700016));
    assert!(reply
        .text
        .contains(&format!("was not found in the directory '{TENANT}'")));
    // Visual Studio's public client is no service principal.
    let vs = client_credentials(&emu, TENANT, VS, Some("x"), SP_SCOPE).await;
    assert_eq!(vs.oauth_error().1, 700016);
}

#[tokio::test]
async fn the_scope_must_be_a_default_scope_of_azure_devops() {
    let emu = demo().await;
    let sp = DEMO_SP_CLIENT_ID.to_string();
    for scope in [
        "499b84ac-1321-427f-aa17-267ca6975798/vso.code",
        "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access",
    ] {
        let reply = client_credentials(&emu, TENANT, &sp, Some(DEMO_SP_SECRET), scope).await;
        assert_eq!(
            reply.oauth_error(),
            ("invalid_scope".into(), 1002012),
            "{scope}"
        );
    }
    let graph = client_credentials(
        &emu,
        TENANT,
        &sp,
        Some(DEMO_SP_SECRET),
        "https://graph.microsoft.com/.default",
    )
    .await;
    assert_eq!(graph.oauth_error(), ("invalid_resource".into(), 500011));
    let missing = post(
        &emu,
        TENANT,
        "token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sp.as_str()),
            ("client_secret", DEMO_SP_SECRET),
        ],
    )
    .await;
    assert_eq!(missing.oauth_error(), ("invalid_request".into(), 900144));
}

#[tokio::test]
async fn client_credentials_need_a_tenant() {
    let emu = demo().await;
    let sp = DEMO_SP_CLIENT_ID.to_string();
    for tenant in ["organizations", "common"] {
        let reply = client_credentials(&emu, tenant, &sp, Some(DEMO_SP_SECRET), SP_SCOPE).await;
        assert_eq!(
            reply.oauth_error(),
            ("invalid_request".into(), 9001023),
            "{tenant}"
        );
    }
}

#[tokio::test]
async fn a_service_principal_not_added_anywhere_still_gets_a_token() {
    let emu = demo().await;
    let sp = DEMO_SP_NOT_ADDED_CLIENT_ID.to_string();
    let reply =
        client_credentials(&emu, TENANT, &sp, Some(DEMO_SP_NOT_ADDED_SECRET), SP_SCOPE).await;
    assert_eq!(
        reply.status, 200,
        "Entra issues it; Azure DevOps refuses it (azure_devops.rs)"
    );
}
