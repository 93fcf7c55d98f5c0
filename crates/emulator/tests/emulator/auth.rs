//! Bad credentials answered as Azure DevOps answers them.

use ado_emulator::scenario::TokenSpec;
use ado_emulator::{Config, SignInMode};
use base64::Engine;
use reqwest::Method;

use crate::support::*;

fn url(emu: &ado_emulator::Emulator, path: &str) -> String {
    format!("{}{path}", emu.base_url())
}

#[tokio::test]
async fn with_suppress_a_bad_pat_gets_401_and_a_vss_body() {
    let emu = demo().await;
    let reply = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Pat("wrong"),
        true,
    )
    .await;
    assert_eq!(reply.status, 401);
    let body = reply.json();
    for key in [
        "$id",
        "innerException",
        "message",
        "typeName",
        "typeKey",
        "errorCode",
        "eventId",
    ] {
        assert!(body.get(key).is_some(), "VSS body has {key}");
    }
    assert_eq!(
        reply.message(),
        "TF400813: The user '' is not authorized to access this resource."
    );
    assert_eq!(reply.type_key(), "UnauthorizedRequestException");
    assert!(reply
        .header("x-tfs-serviceerror")
        .unwrap()
        .starts_with("TF400813%3A"));
    for header in ["x-vss-e2eid", "activityid"] {
        assert!(reply.header(header).is_some(), "{header} on errors too");
    }
}

#[tokio::test]
async fn services_name_their_tenant_on_401() {
    let emu = demo().await;
    let reply = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/connectionData"),
        Auth::None,
        true,
    )
    .await;
    assert_eq!(reply.status, 401);
    let tenant = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    assert_eq!(reply.header("x-vss-resourcetenant"), Some(tenant));
    let challenges: Vec<&str> = reply
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        challenges.contains(
            &format!("Bearer authorization_uri=https://login.microsoftonline.com/{tenant}")
                .as_str()
        ),
        "{challenges:?}"
    );
    let msa = send(
        Method::GET,
        &url(&emu, "/contoso/_apis/connectionData"),
        Auth::None,
        true,
    )
    .await;
    assert_eq!(
        msa.header("x-vss-resourcetenant"),
        Some("00000000-0000-0000-0000-000000000000"),
        "an MSA-backed organization has the empty tenant"
    );
}

#[tokio::test]
async fn without_suppress_services_redirect_to_a_sign_in_page_on_the_emulator() {
    let emu = demo().await;
    let reply = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Pat("wrong"),
        false,
    )
    .await;
    assert_eq!(reply.status, 302);
    let location = reply.header("location").unwrap().to_string();
    assert!(
        location.starts_with(&format!("{}/_signin?", emu.base_url())),
        "{location}"
    );
    assert!(location.contains("reply_to="), "{location}");
    let page = send(Method::GET, &location, Auth::None, false).await;
    assert_eq!(page.status, 200);
    assert!(page
        .text
        .contains("<title>Azure DevOps Services | Sign In</title>"));
}

#[tokio::test]
async fn an_organization_can_answer_with_a_203_page_instead() {
    let emu = demo().await;
    // contoso is set to "page" in the demo.
    let reply = send(
        Method::GET,
        &url(&emu, "/contoso/_apis/projects"),
        Auth::None,
        false,
    )
    .await;
    assert_eq!(reply.status, 203);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(reply.text.contains("Sign In"));

    let forced = start(Config {
        sign_in: Some(SignInMode::Page),
        ..Config::default()
    })
    .await;
    let reply = send(
        Method::GET,
        &url(&forced, "/fabrikam/_apis/projects"),
        Auth::Pat("wrong"),
        false,
    )
    .await;
    assert_eq!(
        reply.status, 203,
        "the override applies to every organization"
    );
}

#[tokio::test]
async fn a_malformed_authorization_header_gets_203() {
    let emu = demo().await;
    let not_base64 = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Raw("Basic %%%"),
        false,
    )
    .await;
    assert_eq!(not_base64.status, 203);
    let no_colon = base64::engine::general_purpose::STANDARD.encode("just-a-token");
    let reply = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Raw(&format!("Basic {no_colon}")),
        false,
    )
    .await;
    assert_eq!(reply.status, 203);
}

#[tokio::test]
async fn servers_answer_401_with_or_without_suppress() {
    let emu = demo().await;
    for suppress in [true, false] {
        let reply = send(
            Method::GET,
            &url(&emu, "/tfs/DefaultCollection/_apis/projects"),
            Auth::Pat("wrong"),
            suppress,
        )
        .await;
        assert_eq!(reply.status, 401, "suppress={suppress}");
        assert_eq!(reply.type_key(), "UnauthorizedRequestException");
        let challenges: Vec<&str> = reply
            .headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert!(
            challenges.contains(&"NTLM") && challenges.contains(&"Negotiate"),
            "{challenges:?}"
        );
        assert!(
            reply.header("x-vss-resourcetenant").is_none(),
            "on-premises has no tenant"
        );
    }
}

#[tokio::test]
async fn an_expired_pat_is_told_so() {
    let emu = demo().await;
    let reply = get_as(&emu, "/fabrikam/_apis/projects", EXPIRED).await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.message(),
        "Access Denied: The Personal Access Token used has expired."
    );
    assert_eq!(reply.type_key(), "AccessCheckException");
    let html = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Pat(EXPIRED),
        false,
    )
    .await;
    assert_eq!(html.status, 401);
    assert!(html
        .text
        .contains("<title>Access Denied: The Personal Access Token used has expired.</title>"));
    let server = get_as(&emu, "/tfs/DefaultCollection/_apis/projects", EXPIRED).await;
    assert_eq!(server.type_key(), "AccessCheckException");
}

#[tokio::test]
async fn a_missing_scope_is_a_401_naming_the_user() {
    let emu = demo().await;
    let projects = get_as(&emu, "/fabrikam/_apis/projects", PROJECT_ONLY).await;
    assert_eq!(projects.status, 200, "vso.project may list projects");
    let repos = get_as(&emu, "/fabrikam/_apis/git/repositories", PROJECT_ONLY).await;
    assert_eq!(repos.status, 401);
    assert_eq!(repos.type_key(), "UnauthorizedRequestException");
    let user_id = get(&emu, "/fabrikam/_apis/connectionData").await.json()["authenticatedUser"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(repos.message().contains(&user_id), "{}", repos.message());
    let connection = get_as(&emu, "/fabrikam/_apis/connectionData", PROJECT_ONLY).await;
    assert_eq!(
        connection.status, 200,
        "connectionData needs no particular scope"
    );
}

#[tokio::test]
async fn code_scopes_imply_read() {
    let emu = demo().await;
    emu.world()
        .add_pat(TokenSpec::everywhere(
            "code-write-token",
            "demo.admin@fabrikam.example",
            &["vso.code_write"],
        ))
        .unwrap();
    assert_eq!(
        get_as(&emu, "/fabrikam/_apis/git/repositories", "code-write-token")
            .await
            .status,
        200
    );
    assert_eq!(
        get_as(&emu, "/fabrikam/_apis/projects", "code-write-token")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn a_pat_works_only_where_it_was_made_for() {
    let emu = demo().await;
    emu.world()
        .add_pat(TokenSpec {
            all_hosts: false,
            organizations: vec!["fabrikam".to_string()],
            ..TokenSpec::everywhere(
                "fabrikam-only",
                "demo.admin@fabrikam.example",
                &["app_token"],
            )
        })
        .unwrap();
    assert_eq!(
        get_as(&emu, "/fabrikam/_apis/projects", "fabrikam-only")
            .await
            .status,
        200
    );
    assert_eq!(
        get_as(&emu, "/contoso/_apis/projects", "fabrikam-only")
            .await
            .status,
        401
    );
    assert_eq!(
        get_as(
            &emu,
            "/tfs/DefaultCollection/_apis/projects",
            "fabrikam-only"
        )
        .await
        .status,
        401
    );
}

#[tokio::test]
async fn a_revoked_pat_stops_working_at_once() {
    let emu = demo().await;
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    assert!(emu.world().revoke_token(FULL));
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 401);
}

#[tokio::test]
async fn registered_bearer_tokens_are_accepted() {
    let emu = demo().await;
    emu.world()
        .add_access_token(TokenSpec::everywhere(
            "eyJ.fake.entra",
            "demo.admin@fabrikam.example",
            &["vso.code", "vso.project"],
        ))
        .unwrap();
    let ok = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/git/repositories"),
        Auth::Bearer("eyJ.fake.entra"),
        true,
    )
    .await;
    assert_eq!(ok.status, 200);
    let unknown = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Bearer("eyJ.other"),
        true,
    )
    .await;
    assert_eq!(unknown.status, 401);
    let pat_as_bearer = send(
        Method::GET,
        &url(&emu, "/fabrikam/_apis/projects"),
        Auth::Bearer(FULL),
        true,
    )
    .await;
    assert_eq!(
        pat_as_bearer.status, 401,
        "a PAT is a Basic password, not a Bearer token"
    );
}

#[tokio::test]
async fn any_user_name_goes_with_a_pat() {
    let emu = demo().await;
    let reply = client()
        .get(url(&emu, "/fabrikam/_apis/projects"))
        .basic_auth("whoever@example.com", Some(FULL))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}
