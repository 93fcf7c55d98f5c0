//! `GET /{tenant}/oauth2/v2.0/authorize`.

use crate::support::*;

/// An error the user sees: Entra's page, `200`, and no way back to the app.
fn assert_error_page(reply: &Reply, aadsts: &str) {
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.header("location").is_none(), "no redirect");
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html"),
        "an HTML page"
    );
    assert!(reply.text.contains(aadsts), "{aadsts} in {}", reply.text);
    assert!(reply.header("x-ms-request-id").is_some());
}

#[tokio::test]
async fn a_sign_in_redirects_to_the_app_with_a_code_and_the_state() {
    let emu = demo().await;
    let pkce = pkce();
    let state = "a b&c=d/é";
    let reply = authorize_vs(&emu, &pkce, &[("state", state)]).await;
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").unwrap();
    assert!(
        location.starts_with("http://localhost:53124?code="),
        "{location}"
    );
    let params = reply.location_params();
    assert_eq!(params["state"], state, "state comes back unchanged");
    assert!(!params["code"].is_empty());
    assert!(params.contains_key("session_state"));
    assert!(!params.contains_key("error"));
}

#[tokio::test]
async fn localhost_redirects_match_any_port_but_not_another_host() {
    let emu = demo().await;
    for redirect in [
        "http://localhost:1",
        "http://localhost:65000/",
        "http://localhost",
    ] {
        let reply = authorize_vs(&emu, &pkce(), &[("redirect_uri", redirect)]).await;
        assert_eq!(reply.status, 302, "{redirect}: {}", reply.text);
    }
    // Visual Studio's client registered http://localhost only: 127.0.0.1 is another host.
    let reply = authorize_vs(
        &emu,
        &pkce(),
        &[("redirect_uri", "http://127.0.0.1:53124/")],
    )
    .await;
    assert_error_page(&reply, "AADSTS50011");
    assert!(reply.text.contains("http://127.0.0.1:53124/"));
    for wrong in [
        "https://localhost:53124",
        "http://localhost:53124/callback",
        "http://evil.example/",
    ] {
        let reply = authorize_vs(&emu, &pkce(), &[("redirect_uri", wrong)]).await;
        assert_error_page(&reply, "AADSTS50011");
    }
}

#[tokio::test]
async fn a_registered_127_0_0_1_redirect_matches_any_port() {
    let mut scenario = ado_emulator::Scenario::demo();
    scenario
        .entra_apps
        .push(ado_emulator::scenario::EntraAppSpec {
            client_id: uuid::Uuid::from_u128(7),
            display_name: "ADO Connect (own)".into(),
            redirect_uris: vec!["http://127.0.0.1".into()],
            public_client: true,
            allow_public_client_flows: false,
            tenant_id: Some(TENANT.parse().unwrap()),
        });
    let emu = with_scenario(scenario, Default::default()).await;
    let pkce = pkce();
    let client_id = uuid::Uuid::from_u128(7).to_string();
    let reply = authorize_vs(
        &emu,
        &pkce,
        &[
            ("client_id", client_id.as_str()),
            ("redirect_uri", "http://127.0.0.1:40001/"),
        ],
    )
    .await;
    assert_eq!(reply.status, 302, "{}", reply.text);
    // A single-tenant app is not found through `organizations`.
    let reply = authorize(
        &emu,
        "organizations",
        &[
            ("client_id", client_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:40001/"),
            ("scope", ADO_SCOPES),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert_error_page(&reply, "AADSTS50194");
}

#[tokio::test]
async fn an_unknown_client_gets_a_page_not_a_redirect() {
    let emu = demo().await;
    let reply = authorize_vs(
        &emu,
        &pkce(),
        &[("client_id", "00000000-1111-2222-3333-444444444444")],
    )
    .await;
    assert_error_page(&reply, "AADSTS700016");
    assert!(reply.text.contains(
        "Application with identifier &#39;00000000-1111-2222-3333-444444444444&#39; was not found"
    ));
    let missing = authorize(&emu, TENANT, &[("response_type", "code")]).await;
    assert_error_page(&missing, "AADSTS900144");
    let no_redirect = authorize(&emu, TENANT, &[("client_id", VS)]).await;
    assert_error_page(&no_redirect, "AADSTS900971");
}

#[tokio::test]
async fn an_unknown_tenant_gets_aadsts90002() {
    let emu = demo().await;
    for tenant in [
        "11111111-2222-3333-4444-555555555555",
        "contoso.onmicrosoft.com",
        "consumers",
        "00000000-0000-0000-0000-000000000000",
    ] {
        let reply = authorize(&emu, tenant, &[("client_id", VS)]).await;
        assert_error_page(&reply, "AADSTS90002");
    }
    for tenant in ["organizations", "common", TENANT, &TENANT.to_uppercase()] {
        let pkce = pkce();
        let reply = authorize(
            &emu,
            tenant,
            &[
                ("client_id", VS),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:1234"),
                ("scope", ADO_SCOPES),
                ("code_challenge", &pkce.challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        assert_eq!(reply.status, 302, "{tenant}: {}", reply.text);
    }
}

/// Errors after the redirect URI is known go back to the app, with the state.
async fn assert_back(reply: Reply, error: &str, aadsts: &str) {
    assert_eq!(reply.status, 302, "{}", reply.text);
    let params = reply.location_params();
    assert_eq!(params["error"], error, "{params:?}");
    assert!(
        params["error_description"].starts_with(&format!("{aadsts}: ")),
        "{params:?}"
    );
    assert!(params["error_description"].contains("\r\nTrace ID: "));
    assert_eq!(params["state"], "st-1");
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn a_declining_user_sends_access_denied_back() {
    let emu = demo().await;
    let reply = authorize_vs(
        &emu,
        &pkce(),
        &[(
            "login_hint",
            ado_emulator::scenario::DEMO_DECLINING_USER_EMAIL,
        )],
    )
    .await;
    assert_back(reply, "access_denied", "AADSTS65004").await;
    // A user made to decline at run time too.
    emu.entra().set_declines_sign_in(DEVELOPER, true);
    let reply = authorize_vs(&emu, &pkce(), &[("login_hint", DEVELOPER)]).await;
    assert_back(reply, "access_denied", "AADSTS65004").await;
}

#[tokio::test]
async fn a_bare_vso_scope_is_invalid_scope() {
    let emu = demo().await;
    let reply = authorize_vs(&emu, &pkce(), &[("scope", "vso.code_full offline_access")]).await;
    assert_back(reply, "invalid_scope", "AADSTS70011").await;
    let reply = authorize_vs(&emu, &pkce(), &[("scope", "")]).await;
    assert_back(reply, "invalid_request", "AADSTS900144").await;
    let reply = authorize_vs(&emu, &pkce(), &[("response_type", "token")]).await;
    assert_back(reply, "unsupported_response_type", "AADSTS700051").await;
    let reply = authorize_vs(&emu, &pkce(), &[("response_mode", "form_post")]).await;
    assert_back(reply, "invalid_request", "AADSTS70007").await;
    // Granular scopes of the Azure DevOps resource are fine.
    let reply = authorize_vs(
        &emu,
        &pkce(),
        &[(
            "scope",
            "499b84ac-1321-427f-aa17-267ca6975798/vso.code 499b84ac-1321-427f-aa17-267ca6975798/vso.project offline_access",
        )],
    )
    .await;
    assert_eq!(reply.status, 302);
    assert!(reply.location_params().contains_key("code"));
}

#[tokio::test]
async fn public_clients_must_send_an_s256_challenge() {
    let emu = demo().await;
    let pkce = pkce();
    let base = [
        ("client_id", VS),
        ("response_type", "code"),
        ("redirect_uri", "http://localhost:53124"),
        ("scope", ADO_SCOPES),
        ("state", "st-1"),
    ];
    let reply = authorize(&emu, TENANT, &base).await;
    assert_back(reply, "invalid_request", "AADSTS900144").await;
    let mut plain = base.to_vec();
    plain.extend([
        ("code_challenge", pkce.verifier.as_str()),
        ("code_challenge_method", "plain"),
    ]);
    assert_back(
        authorize(&emu, TENANT, &plain).await,
        "invalid_request",
        "AADSTS50149",
    )
    .await;
    let mut no_method = base.to_vec();
    no_method.push(("code_challenge", pkce.challenge.as_str()));
    assert_back(
        authorize(&emu, TENANT, &no_method).await,
        "invalid_request",
        "AADSTS50149",
    )
    .await;
    let mut short = base.to_vec();
    short.extend([("code_challenge", "abc"), ("code_challenge_method", "S256")]);
    assert_back(
        authorize(&emu, TENANT, &short).await,
        "invalid_request",
        "AADSTS501491",
    )
    .await;
}

#[tokio::test]
async fn login_hint_picks_the_user_and_an_unknown_one_is_a_page() {
    let emu = demo().await;
    let admin = sign_in(&emu, None).await;
    assert_eq!(
        claims(&text(&admin, "access_token"))["upn"],
        ADMIN,
        "the first user by default"
    );
    let dana = sign_in(&emu, Some("DANA.DEV@fabrikam.example")).await;
    assert_eq!(claims(&text(&dana, "access_token"))["upn"], DEVELOPER);
    let reply = authorize_vs(&emu, &pkce(), &[("login_hint", "nobody@fabrikam.example")]).await;
    assert_error_page(&reply, "AADSTS50034");
    // A service principal is no person to sign in as.
    let sp = ado_emulator::scenario::DEMO_SP_CLIENT_ID.to_string();
    let reply = authorize_vs(&emu, &pkce(), &[("login_hint", sp.as_str())]).await;
    assert_error_page(&reply, "AADSTS50034");
}

#[tokio::test]
async fn authorize_accepts_a_form_post_too() {
    let emu = demo().await;
    let pkce = pkce();
    let reply = read(
        client()
            .post(format!("{}/{TENANT}/oauth2/v2.0/authorize", emu.base_url()))
            .form(&[
                ("client_id", VS),
                ("response_type", "code"),
                ("redirect_uri", "http://localhost:53124"),
                ("scope", ADO_SCOPES),
                ("code_challenge", pkce.challenge.as_str()),
                ("code_challenge_method", "S256"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, 302, "{}", reply.text);
}
