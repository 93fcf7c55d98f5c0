//! Issued tokens on the Azure DevOps routes.

use std::time::Duration;

use ado_emulator::scenario::{
    DEMO_FULL_ACCESS_PAT, DEMO_SP_CLIENT_ID, DEMO_SP_NOT_ADDED_CLIENT_ID,
    DEMO_SP_NOT_ADDED_OBJECT_ID, DEMO_SP_NOT_ADDED_SECRET, DEMO_SP_SECRET,
};
use ado_emulator::EntraConfig;

use crate::client_credentials::{client_credentials, SP_SCOPE};
use crate::support::*;

fn tf400813(reply: &Reply, user: &str) {
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(
        reply.json()["message"],
        format!("TF400813: The user '{user}' is not authorized to access this resource.")
    );
    assert_eq!(reply.json()["typeKey"], "UnauthorizedRequestException");
}

#[tokio::test]
async fn a_signed_in_users_token_works_on_connection_data_and_projects() {
    let emu = demo().await;
    let token = text(&sign_in(&emu, Some(DEVELOPER)).await, "access_token");
    let data = ado_get(&emu, "/fabrikam/_apis/connectionData", &token).await;
    assert_eq!(data.status, 200, "{}", data.text);
    assert_eq!(
        data.json()["authenticatedUser"]["providerDisplayName"],
        "Dana Developer"
    );
    let projects = ado_get(&emu, "/fabrikam/_apis/projects?api-version=7.1", &token).await;
    assert_eq!(projects.status, 200, "{}", projects.text);
    assert_eq!(projects.json()["count"], 2);
    let repos = ado_get(&emu, "/fabrikam/_apis/git/repositories", &token).await;
    assert_eq!(repos.status, 200);
}

#[tokio::test]
async fn granular_scopes_are_enforced() {
    let emu = demo().await;
    let pkce = pkce();
    let reply = authorize_vs(
        &emu,
        &pkce,
        &[(
            "scope",
            "499b84ac-1321-427f-aa17-267ca6975798/vso.project offline_access",
        )],
    )
    .await;
    let code = reply.location_params()["code"].clone();
    let token = text(
        &redeem(&emu, &code, &pkce.verifier).await.json(),
        "access_token",
    );
    assert_eq!(
        ado_get(&emu, "/fabrikam/_apis/projects", &token)
            .await
            .status,
        200
    );
    let repos = ado_get(&emu, "/fabrikam/_apis/git/repositories", &token).await;
    assert_eq!(repos.status, 401, "vso.project does not read code");
}

#[tokio::test]
async fn tokens_do_not_work_on_servers_or_without_the_azure_devops_resource() {
    let emu = demo().await;
    let token = text(&sign_in(&emu, None).await, "access_token");
    let server = ado_get(&emu, "/tfs/DefaultCollection/_apis/projects", &token).await;
    assert_eq!(
        server.status, 401,
        "Azure DevOps Server takes no Entra tokens"
    );
    let msa = ado_get(&emu, "/contoso/_apis/projects", &token).await;
    assert_eq!(msa.status, 401, "nor does an MSA-backed organization");
    // A token for nothing but OpenID Connect is not one for Azure DevOps.
    let pkce = pkce();
    let reply = authorize_vs(&emu, &pkce, &[("scope", "openid offline_access")]).await;
    let code = reply.location_params()["code"].clone();
    let other = text(
        &redeem(&emu, &code, &pkce.verifier).await.json(),
        "access_token",
    );
    tf400813(
        &ado_get(&emu, "/fabrikam/_apis/connectionData", &other).await,
        "",
    );
}

#[tokio::test]
async fn an_expired_bearer_token_is_refused_like_an_unknown_one() {
    let emu = with_entra(EntraConfig {
        token_lifetime_secs: 1,
        ..EntraConfig::default()
    })
    .await;
    let body = sign_in(&emu, None).await;
    assert_eq!(body["expires_in"], 1);
    let token = text(&body, "access_token");
    assert_eq!(
        ado_get(&emu, "/fabrikam/_apis/projects", &token)
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = ado_get(&emu, "/fabrikam/_apis/projects", &token).await;
    tf400813(&expired, "");
    assert!(expired.header("www-authenticate").is_some());
    // Without Suppress: the organization's sign-in redirect, as for any bad credential.
    let browser = read(
        client()
            .get(format!("{}/fabrikam/_apis/projects", emu.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(browser.status, 302);
    // The refresh token buys a working one.
    let fresh = text(
        &refresh(&emu, &text(&body, "refresh_token")).await.json(),
        "access_token",
    );
    assert_eq!(
        ado_get(&emu, "/fabrikam/_apis/projects", &fresh)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn expire_access_tokens_ends_them_now() {
    let emu = demo().await;
    let admin = text(&sign_in(&emu, None).await, "access_token");
    let dana = text(&sign_in(&emu, Some(DEVELOPER)).await, "access_token");
    assert_eq!(emu.entra().expire_access_tokens_of(DEVELOPER), 1);
    tf400813(&ado_get(&emu, "/fabrikam/_apis/projects", &dana).await, "");
    assert_eq!(
        ado_get(&emu, "/fabrikam/_apis/projects", &admin)
            .await
            .status,
        200
    );
    assert_eq!(emu.entra().expire_access_tokens(), 2);
    tf400813(&ado_get(&emu, "/fabrikam/_apis/projects", &admin).await, "");
}

#[tokio::test]
async fn a_service_principal_works_where_it_was_added_only() {
    let emu = demo().await;
    let added = text(
        &client_credentials(
            &emu,
            TENANT,
            &DEMO_SP_CLIENT_ID.to_string(),
            Some(DEMO_SP_SECRET),
            SP_SCOPE,
        )
        .await
        .json(),
        "access_token",
    );
    let data = ado_get(&emu, "/fabrikam/_apis/connectionData", &added).await;
    assert_eq!(data.status, 200, "{}", data.text);
    assert_eq!(
        data.json()["authenticatedUser"]["providerDisplayName"],
        "Fabrikam Automation"
    );
    assert_eq!(
        ado_get(&emu, "/fabrikam/_apis/projects", &added)
            .await
            .status,
        200
    );
    let outsider = text(
        &client_credentials(
            &emu,
            TENANT,
            &DEMO_SP_NOT_ADDED_CLIENT_ID.to_string(),
            Some(DEMO_SP_NOT_ADDED_SECRET),
            SP_SCOPE,
        )
        .await
        .json(),
        "access_token",
    );
    let refused = ado_get(&emu, "/fabrikam/_apis/projects", &outsider).await;
    tf400813(&refused, &DEMO_SP_NOT_ADDED_OBJECT_ID.to_string());
    assert_eq!(
        refused.header("x-vss-resourcetenant"),
        Some(TENANT),
        "with the usual 401 headers"
    );
    // Even without Suppress it is a 401: the identity is known, just not a member.
    let browser = read(
        client()
            .get(format!("{}/fabrikam/_apis/projects", emu.base_url()))
            .bearer_auth(&outsider)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(browser.status, 401);
}

#[tokio::test]
async fn with_the_oauth_policy_off_bearer_tokens_get_tf400813() {
    let json = serde_json::to_string(&ado_emulator::Scenario::demo())
        .unwrap()
        .replacen(
            "\"name\":\"fabrikam\"",
            "\"name\":\"fabrikam\",\"oauthPolicyDisabled\":true",
            1,
        );
    let scenario = ado_emulator::Scenario::from_json(&json).unwrap();
    assert!(scenario.organizations[0].oauth_policy_disabled);
    let emu = with_scenario(scenario, EntraConfig::default()).await;
    let body = sign_in(&emu, None).await;
    let token = text(&body, "access_token");
    let admin_id = claims(&token)["oid"].as_str().unwrap().to_string();
    let refused = ado_get(&emu, "/fabrikam/_apis/projects", &token).await;
    tf400813(&refused, &admin_id);
    // PATs are not OAuth: they still work.
    let pat = read(
        client()
            .get(format!("{}/fabrikam/_apis/projects", emu.base_url()))
            .basic_auth("", Some(DEMO_FULL_ACCESS_PAT))
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(pat.status, 200);
    // Switched back on at run time.
    emu.entra()
        .set_oauth_policy_disabled("fabrikam", false)
        .unwrap();
    assert_eq!(
        ado_get(&emu, "/fabrikam/_apis/projects", &token)
            .await
            .status,
        200
    );
    emu.entra()
        .set_oauth_policy_disabled("FABRIKAM", true)
        .unwrap();
    tf400813(
        &ado_get(&emu, "/fabrikam/_apis/projects", &token).await,
        &admin_id,
    );
    assert!(emu.entra().set_oauth_policy_disabled("nope", true).is_err());
}

#[tokio::test]
async fn anonymous_requests_name_the_tenant_to_sign_in_to() {
    let emu = demo().await;
    for (organization, tenant) in [
        ("fabrikam", TENANT),
        ("contoso", "00000000-0000-0000-0000-000000000000"),
    ] {
        let reply = read(
            client()
                .get(format!(
                    "{}/{organization}/_apis/connectionData",
                    emu.base_url()
                ))
                .header("X-TFS-FedAuthRedirect", "Suppress")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.header("x-vss-resourcetenant"), Some(tenant));
        let challenges: Vec<&str> = reply
            .headers
            .get_all("www-authenticate")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert!(challenges.contains(
            &format!("Bearer authorization_uri=https://login.microsoftonline.com/{tenant}")
                .as_str()
        ));
        // Without Suppress the tenant header is there too.
        let browser = read(
            client()
                .get(format!(
                    "{}/{organization}/_apis/connectionData",
                    emu.base_url()
                ))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(browser.header("x-vss-resourcetenant"), Some(tenant));
    }
}
