//! The OpenID configuration, the startup line, and scenario validation.

use ado_emulator::scenario::ServicePrincipalSpec;
use ado_emulator::{Config, Emulator, Error, Scenario};

use crate::support::*;

async fn get(emu: &Emulator, path: &str) -> Reply {
    read(
        client()
            .get(format!("{}{path}", emu.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_openid_configuration_names_the_emulators_endpoints() {
    let emu = demo().await;
    let base = emu.base_url();
    let reply = get(
        &emu,
        &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
    )
    .await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert_eq!(document["issuer"], format!("{base}/{TENANT}/v2.0"));
    assert_eq!(
        document["authorization_endpoint"],
        format!("{base}/{TENANT}/oauth2/v2.0/authorize")
    );
    assert_eq!(
        document["token_endpoint"],
        format!("{base}/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(
        document["device_authorization_endpoint"],
        format!("{base}/{TENANT}/oauth2/v2.0/devicecode")
    );
    let keys = get(&emu, &format!("/{TENANT}/discovery/v2.0/keys")).await;
    assert_eq!(keys.json()["keys"], serde_json::json!([]));
    let organizations = get(&emu, "/organizations/v2.0/.well-known/openid-configuration").await;
    assert_eq!(
        organizations.json()["issuer"],
        format!("{base}/{{tenantid}}/v2.0"),
        "Entra's template issuer for multi-tenant authorities"
    );
    let unknown = get(
        &emu,
        "/contoso.example/v2.0/.well-known/openid-configuration",
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.oauth_error(), ("invalid_request".into(), 90002));
}

#[tokio::test]
async fn the_startup_line_lists_the_entra_clients() {
    let emu = demo().await;
    let info = emu.startup_info();
    let entra = &info["entra"];
    assert_eq!(entra["authority"], emu.base_url());
    assert_eq!(
        entra["deviceLoginUrl"],
        format!("{}/devicelogin", emu.base_url())
    );
    assert_eq!(entra["apps"][0]["clientId"], VS);
    assert_eq!(entra["apps"][0]["redirectUris"][0], "http://localhost");
    assert_eq!(entra["servicePrincipals"].as_array().unwrap().len(), 2);
    assert_eq!(
        entra["servicePrincipals"][0]["secret"],
        ado_emulator::scenario::DEMO_SP_SECRET
    );
    assert_eq!(
        entra["servicePrincipals"][0]["organizations"][0],
        "fabrikam"
    );
    assert_eq!(entra["tenants"][0], TENANT);
}

#[tokio::test]
async fn the_entra_parts_of_a_scenario_round_trip_through_json() {
    let json = r#"{
      "users": [{ "displayName": "Ada", "email": "ada@contoso.example" },
                { "displayName": "No", "email": "no@contoso.example", "declinesSignIn": true }],
      "organizations": [{ "name": "contoso", "tenantId": "0f9e8d7c-6b5a-4948-8372-615243342516",
                          "oauthPolicyDisabled": true }],
      "entraApps": [{ "clientId": "11111111-2222-3333-4444-555555555555", "displayName": "Mine",
                      "redirectUris": ["http://localhost", "http://127.0.0.1"],
                      "publicClient": true, "allowPublicClientFlows": true }],
      "servicePrincipals": [{ "clientId": "22222222-3333-4444-5555-666666666666",
                              "secret": "s3cret~value", "tenantId": "0f9e8d7c-6b5a-4948-8372-615243342516",
                              "displayName": "Bot", "organizations": ["contoso"] }]
    }"#;
    let scenario = Scenario::from_json(json).unwrap();
    assert!(scenario.users[1].declines_sign_in);
    assert!(scenario.organizations[0].oauth_policy_disabled);
    assert_eq!(scenario.entra_apps[0].redirect_uris.len(), 2);
    assert_eq!(scenario.service_principals[0].object_id, None);
    let again = Scenario::from_json(&serde_json::to_string(&scenario).unwrap()).unwrap();
    assert_eq!(again, scenario);
    let emu = with_scenario(scenario, Default::default()).await;
    assert_eq!(
        emu.startup_info()["entra"]["servicePrincipals"][0]["objectId"]
            .as_str()
            .map(str::len),
        Some(36),
        "an object id derived from the client id"
    );
    let typo = Scenario::from_json(
        r#"{"entraApps":[{"clientId":"11111111-2222-3333-4444-555555555555","displayName":"x","redirectUri":[]}]}"#,
    );
    assert!(typo.is_err(), "unknown fields are rejected");
}

fn sp(organizations: &[&str], tenant: &str) -> ServicePrincipalSpec {
    ServicePrincipalSpec {
        client_id: uuid::Uuid::from_u128(42),
        secret: "s".into(),
        tenant_id: tenant.parse().unwrap(),
        object_id: None,
        display_name: "Bot".into(),
        organizations: organizations.iter().map(|o| o.to_string()).collect(),
    }
}

async fn spawn_with(sp: ServicePrincipalSpec) -> Result<Emulator, Error> {
    let mut scenario = Scenario::demo();
    scenario.service_principals.push(sp);
    Emulator::spawn(Config {
        scenario,
        ..Config::default()
    })
    .await
}

#[tokio::test]
async fn service_principals_must_name_organizations_of_their_tenant() {
    let unknown = spawn_with(sp(&["nowhere"], TENANT)).await.unwrap_err();
    assert!(
        unknown.to_string().contains("unknown organization"),
        "{unknown}"
    );
    let other_tenant = spawn_with(sp(&["fabrikam"], "0f9e8d7c-6b5a-4948-8372-615243342516"))
        .await
        .unwrap_err();
    assert!(
        other_tenant.to_string().contains("tenant"),
        "{other_tenant}"
    );
    let msa = spawn_with(sp(&[], "00000000-0000-0000-0000-000000000000"))
        .await
        .unwrap_err();
    assert!(msa.to_string().contains("all-zero"), "{msa}");
    let mut duplicate = Scenario::demo();
    duplicate.entra_apps.push(duplicate.entra_apps[0].clone());
    assert!(Emulator::spawn(Config {
        scenario: duplicate,
        ..Config::default()
    })
    .await
    .is_err());
}

#[tokio::test]
async fn other_paths_under_a_tenant_are_not_entra() {
    let emu = demo().await;
    let reply = get(&emu, &format!("/{TENANT}/oauth2/v2.0/logout")).await;
    assert_eq!(
        reply.status, 404,
        "the Azure DevOps 404 for an unknown organization"
    );
}
