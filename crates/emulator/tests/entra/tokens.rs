//! `POST /{tenant}/oauth2/v2.0/token`: codes and refresh tokens.

use ado_emulator::EntraConfig;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_code_buys_bearer_tokens_with_entra_fields() {
    let emu = demo().await;
    let body = sign_in(&emu, None).await;
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "token_type",
            "scope",
            "expires_in",
            "ext_expires_in",
            "access_token",
            "refresh_token"
        ],
        "Entra's order, no id_token without openid"
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], json!(3600), "a number, not a string");
    assert_eq!(body["ext_expires_in"], json!(3600));
    assert_eq!(
        body["scope"],
        "499b84ac-1321-427f-aa17-267ca6975798/user_impersonation"
    );
    let claims = claims(&text(&body, "access_token"));
    assert_eq!(claims["aud"], "499b84ac-1321-427f-aa17-267ca6975798");
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["appid"], VS);
    assert_eq!(claims["scp"], "user_impersonation");
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
}

#[tokio::test]
async fn openid_adds_an_id_token_with_the_nonce() {
    let emu = demo().await;
    let pkce = pkce();
    let reply = authorize_vs(
        &emu,
        &pkce,
        &[
            (
                "scope",
                "openid profile offline_access 499b84ac-1321-427f-aa17-267ca6975798/.default",
            ),
            ("nonce", "n-0S6_WzA2Mj"),
        ],
    )
    .await;
    let code = reply.location_params()["code"].clone();
    let body = redeem(&emu, &code, &pkce.verifier).await.json();
    let id = claims(&text(&body, "id_token"));
    assert_eq!(id["aud"], VS);
    assert_eq!(id["preferred_username"], ADMIN);
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["iss"], format!("{}/{TENANT}/v2.0", emu.base_url()));
    assert_eq!(
        body["scope"],
        "499b84ac-1321-427f-aa17-267ca6975798/user_impersonation openid profile"
    );
}

#[tokio::test]
async fn a_wrong_verifier_is_aadsts501481_in_entras_error_body() {
    let emu = demo().await;
    let pkce = pkce();
    let code = code_for(&emu, &pkce, None).await;
    let reply = read(
        client()
            .post(format!("{}/{TENANT}/oauth2/v2.0/token", emu.base_url()))
            .header("client-request-id", "0a49cdbc-2e94-4089-bc6f-1162b123592c")
            .form(&[
                ("grant_type", "authorization_code"),
                ("client_id", VS),
                ("code", code.as_str()),
                ("redirect_uri", "http://localhost:53124"),
                ("code_verifier", &pkce::other_verifier()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let body = reply.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "error",
            "error_description",
            "error_codes",
            "timestamp",
            "trace_id",
            "correlation_id",
            "error_uri"
        ]
    );
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"], json!([501481]));
    let description = text(&body, "error_description");
    assert!(description.starts_with(
        "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.\r\nTrace ID: "
    ), "{description}");
    assert!(description
        .contains("\r\nCorrelation ID: 0a49cdbc-2e94-4089-bc6f-1162b123592c\r\nTimestamp: "));
    assert_eq!(
        body["correlation_id"],
        "0a49cdbc-2e94-4089-bc6f-1162b123592c"
    );
    assert_eq!(
        reply.header("client-request-id"),
        Some("0a49cdbc-2e94-4089-bc6f-1162b123592c")
    );
    assert_eq!(reply.header("x-ms-request-id"), body["trace_id"].as_str());
    assert_eq!(
        body["error_uri"],
        "https://login.microsoftonline.com/error?code=501481"
    );
    let timestamp = text(&body, "timestamp");
    assert_eq!(timestamp.len(), "2016-01-09 02:02:12Z".len(), "{timestamp}");
    // The failed attempt did not use the code up: the right verifier still works.
    assert_eq!(redeem(&emu, &code, &pkce.verifier).await.status, 200);
}

mod pkce {
    pub fn other_verifier() -> String {
        "x".repeat(43)
    }
}

#[tokio::test]
async fn a_missing_verifier_is_aadsts50148() {
    let emu = demo().await;
    let pkce = pkce();
    let code = code_for(&emu, &pkce, None).await;
    let reply = post(
        &emu,
        TENANT,
        "token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", VS),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost:53124"),
        ],
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.oauth_error(), ("invalid_grant".into(), 50148));
}

#[tokio::test]
async fn codes_are_single_use() {
    let emu = demo().await;
    let pkce = pkce();
    let code = code_for(&emu, &pkce, None).await;
    assert_eq!(redeem(&emu, &code, &pkce.verifier).await.status, 200);
    let again = redeem(&emu, &code, &pkce.verifier).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.oauth_error(), ("invalid_grant".into(), 54005));
    let unknown = redeem(&emu, "1.AQnot-a-code", &pkce.verifier).await;
    assert_eq!(unknown.oauth_error(), ("invalid_grant".into(), 9002313));
}

#[tokio::test]
async fn codes_are_bound_to_redirect_uri_tenant_and_client() {
    let emu = demo().await;
    let pkce = pkce();
    let code = code_for(&emu, &pkce, None).await;
    let form = |redirect: &'static str| {
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", VS),
            ("code", code.as_str()),
            ("redirect_uri", redirect),
            ("code_verifier", pkce.verifier.as_str()),
        ]
    };
    let other_port = post(&emu, TENANT, "token", &form("http://localhost:53125")).await;
    assert_eq!(other_port.oauth_error(), ("invalid_grant".into(), 500112));
    assert!(other_port.text.contains(
        "The reply address 'http://localhost:53125' does not match the reply address 'http://localhost:53124' provided when requesting Authorization code."
    ));
    let other_tenant = post(
        &emu,
        "organizations",
        "token",
        &form("http://localhost:53124"),
    )
    .await;
    assert_eq!(other_tenant.oauth_error(), ("invalid_grant".into(), 700005));
    let with_secret = post(
        &emu,
        TENANT,
        "token",
        &[
            form("http://localhost:53124"),
            vec![("client_secret", "s3cret")],
        ]
        .concat(),
    )
    .await;
    assert_eq!(with_secret.status, 401, "a public client sends no secret");
    assert_eq!(with_secret.oauth_error(), ("invalid_client".into(), 700025));
    let mut sp_client = form("http://localhost:53124");
    let sp = ado_emulator::scenario::DEMO_SP_CLIENT_ID.to_string();
    sp_client[1] = ("client_id", sp.as_str());
    let wrong_client = post(&emu, TENANT, "token", &sp_client).await;
    assert_eq!(
        wrong_client.oauth_error(),
        ("unauthorized_client".into(), 700016)
    );
    // None of that used the code up.
    assert_eq!(
        post(&emu, TENANT, "token", &form("http://localhost:53124"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn codes_expire() {
    let emu = with_entra(EntraConfig {
        auth_code_lifetime_secs: 1,
        ..EntraConfig::default()
    })
    .await;
    let pkce = pkce();
    let code = code_for(&emu, &pkce, None).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let reply = redeem(&emu, &code, &pkce.verifier).await;
    assert_eq!(reply.oauth_error(), ("invalid_grant".into(), 70008));
}

#[tokio::test]
async fn the_token_endpoint_refuses_what_it_does_not_know() {
    let emu = demo().await;
    let unsupported = post(
        &emu,
        TENANT,
        "token",
        &[("grant_type", "password"), ("client_id", VS)],
    )
    .await;
    assert_eq!(unsupported.status, 400);
    assert_eq!(
        unsupported.oauth_error(),
        ("unsupported_grant_type".into(), 70003)
    );
    let missing = post(&emu, TENANT, "token", &[("client_id", VS)]).await;
    assert_eq!(missing.oauth_error(), ("invalid_request".into(), 900144));
    assert!(missing.text.contains("'grant_type'"));
    let get = read(
        client()
            .get(format!("{}/{TENANT}/oauth2/v2.0/token", emu.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(get.oauth_error(), ("invalid_request".into(), 900561));
    let tenant = post(
        &emu,
        "nope.example",
        "token",
        &[("grant_type", "refresh_token")],
    )
    .await;
    assert_eq!(tenant.status, 400);
    assert_eq!(tenant.oauth_error(), ("invalid_request".into(), 90002));
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_still_works_like_entra() {
    let emu = demo().await;
    let first = sign_in(&emu, None).await;
    let old = text(&first, "refresh_token");
    let reply = refresh(&emu, &old).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let second = reply.json();
    let new = text(&second, "refresh_token");
    assert_ne!(new, old, "a new refresh token each time");
    assert_ne!(text(&second, "access_token"), text(&first, "access_token"));
    // Entra does not revoke a used refresh token.
    assert_eq!(refresh(&emu, &old).await.status, 200);
    assert_eq!(refresh(&emu, &new).await.status, 200);
}

#[tokio::test]
async fn single_use_refresh_tokens_refuse_replay() {
    let emu = with_entra(EntraConfig {
        single_use_refresh_tokens: true,
        ..EntraConfig::default()
    })
    .await;
    let old = text(&sign_in(&emu, None).await, "refresh_token");
    let new = text(&refresh(&emu, &old).await.json(), "refresh_token");
    let replay = refresh(&emu, &old).await;
    assert_eq!(replay.oauth_error(), ("invalid_grant".into(), 70000));
    assert_eq!(refresh(&emu, &new).await.status, 200);
    // And switched off again at run time.
    emu.entra().set_single_use_refresh_tokens(false);
    assert_eq!(refresh(&emu, &new).await.status, 200);
}

#[tokio::test]
async fn revoked_and_expired_refresh_tokens_are_invalid_grant() {
    let emu = demo().await;
    let admin = text(&sign_in(&emu, None).await, "refresh_token");
    let dana = text(&sign_in(&emu, Some(DEVELOPER)).await, "refresh_token");
    assert_eq!(emu.entra().revoke_refresh_tokens(ADMIN), 1);
    let revoked = refresh(&emu, &admin).await;
    assert_eq!(revoked.oauth_error(), ("invalid_grant".into(), 50173));
    assert!(revoked.text.contains("TokensValidFrom"), "{}", revoked.text);
    assert_eq!(
        refresh(&emu, &dana).await.status,
        200,
        "other users are not affected"
    );
    assert!(emu.entra().expire_refresh_tokens(DEVELOPER) >= 1);
    let expired = refresh(&emu, &dana).await;
    assert_eq!(expired.oauth_error(), ("invalid_grant".into(), 700082));
    let unknown = refresh(&emu, "1.AQnothing").await;
    assert_eq!(unknown.oauth_error(), ("invalid_grant".into(), 9002313));
}

#[tokio::test]
async fn refresh_cannot_widen_the_grant() {
    let emu = demo().await;
    let pkce = pkce();
    let reply = authorize_vs(
        &emu,
        &pkce,
        &[(
            "scope",
            "499b84ac-1321-427f-aa17-267ca6975798/vso.code offline_access",
        )],
    )
    .await;
    let code = reply.location_params()["code"].clone();
    let body = redeem(&emu, &code, &pkce.verifier).await.json();
    assert_eq!(
        body["scope"],
        "499b84ac-1321-427f-aa17-267ca6975798/vso.code"
    );
    let token = text(&body, "refresh_token");
    let wider = post(
        &emu,
        TENANT,
        "token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", VS),
            ("refresh_token", token.as_str()),
            (
                "scope",
                "499b84ac-1321-427f-aa17-267ca6975798/vso.project offline_access",
            ),
        ],
    )
    .await;
    assert_eq!(wider.oauth_error(), ("invalid_grant".into(), 65001));
    let same = post(
        &emu,
        TENANT,
        "token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", VS),
            ("refresh_token", token.as_str()),
        ],
    )
    .await;
    assert_eq!(same.status, 200, "{}", same.text);
}

#[tokio::test]
async fn no_offline_access_no_refresh_token() {
    let emu = demo().await;
    let pkce = pkce();
    let reply = authorize_vs(
        &emu,
        &pkce,
        &[("scope", "499b84ac-1321-427f-aa17-267ca6975798/.default")],
    )
    .await;
    let code = reply.location_params()["code"].clone();
    let body = redeem(&emu, &code, &pkce.verifier).await.json();
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body.get("access_token").is_some());
}

/// Incremental consent (issue 20): with `.default` standing for the registration's granular
/// permissions, refreshing for the tokens API's `user_impersonation` is AADSTS65001 until the
/// user signs in interactively asking for it; then the first sign-in's refresh token may ask too.
#[tokio::test]
async fn an_interactive_sign_in_consents_to_a_permission_default_does_not_hold() {
    let emu = demo().await;
    let ado = "499b84ac-1321-427f-aa17-267ca6975798";
    emu.entra()
        .set_default_permissions(Some(vec!["vso.code".into(), "vso.project".into()]));
    let first = sign_in(&emu, Some(ADMIN)).await;
    assert_eq!(
        first["scope"],
        format!("{ado}/vso.code {ado}/vso.project"),
        ".default is the registration's permissions"
    );
    let token = text(&first, "refresh_token");
    let impersonation = format!("{ado}/user_impersonation offline_access");
    let ask = |token: String| {
        let scope = impersonation.clone();
        let emu = &emu;
        async move {
            post(
                emu,
                TENANT,
                "token",
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", VS),
                    ("refresh_token", token.as_str()),
                    ("scope", scope.as_str()),
                ],
            )
            .await
        }
    };
    let refused = ask(token.clone()).await;
    assert_eq!(refused.oauth_error(), ("invalid_grant".into(), 65001));
    assert!(!emu
        .entra()
        .consented(ADMIN)
        .contains(&"user_impersonation".to_string()));

    let pkce = pkce();
    let reply = authorize_vs(
        &emu,
        &pkce,
        &[("scope", impersonation.as_str()), ("login_hint", ADMIN)],
    )
    .await;
    let code = reply.location_params()["code"].clone();
    let body = redeem(&emu, &code, &pkce.verifier).await.json();
    assert_eq!(body["scope"], format!("{ado}/user_impersonation"));
    assert!(emu
        .entra()
        .consented(ADMIN)
        .contains(&"user_impersonation".to_string()));

    let allowed = ask(token).await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    // Another user has consented to nothing more.
    let dana = sign_in(&emu, Some(DEVELOPER)).await;
    let other = ask(text(&dana, "refresh_token")).await;
    assert_eq!(other.oauth_error(), ("invalid_grant".into(), 65001));
}
