//! Self-description: OPTIONS tables, resource areas, connectionData, and public URLs.

use reqwest::Method;

use crate::support::*;

async fn options(emu: &ado_emulator::Emulator, path: &str) -> Reply {
    send(
        Method::OPTIONS,
        &format!("{}{path}", emu.base_url()),
        Auth::Pat(FULL),
        true,
    )
    .await
}

#[tokio::test]
async fn options_lists_the_served_resources_with_the_host_limits() {
    let emu = demo().await;
    let server = options(&emu, "/tfs/defaultcollection/_apis").await.json();
    let projects = server["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "603fe2ac-9723-48b9-88ad-09305aa6c6e1")
        .unwrap()
        .clone();
    assert_eq!(projects["routeTemplate"], "_apis/{resource}/{*projectId}");
    assert_eq!(projects["maxVersion"], "7.0");
    assert_eq!(projects["releasedVersion"], "7.0");
    assert_eq!(projects["minVersion"], "1.0");

    let services = options(&emu, "/fabrikam/_apis/git").await.json();
    let git = services["value"].as_array().unwrap();
    assert!(
        git.iter().all(|l| l["area"] == "git"),
        "OPTIONS _apis/git lists only git"
    );
    let repositories = git
        .iter()
        .find(|l| l["id"] == "225f7195-f9c7-4d14-ab28-a83f7ff77e1f")
        .expect("repositories are listed");
    assert_eq!(
        repositories["routeTemplate"],
        "{project}/_apis/{area}/{resource}/{repositoryId}"
    );
    assert_eq!(repositories["maxVersion"], "7.2");
    assert_eq!(repositories["releasedVersion"], "7.1");
}

#[tokio::test]
async fn services_list_resource_areas_pointing_back_at_the_emulator_and_servers_none() {
    let emu = demo().await;
    let areas = get(&emu, "/fabrikam/_apis/ResourceAreas").await.json();
    let core = areas["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "79134c72-4a58-4b42-976c-04e7115f32bf")
        .expect("core is listed");
    assert_eq!(core["locationUrl"], format!("{}/fabrikam/", emu.base_url()));
    let server = get(&emu, "/tfs/DefaultCollection/_apis/ResourceAreas")
        .await
        .json();
    assert_eq!(server["count"], 0, "on-premises lists no areas");
}

#[tokio::test]
async fn connection_data_describes_a_server() {
    let emu = demo().await;
    let data = get(&emu, "/tfs/DefaultCollection/_apis/connectionData?connectOptions=1&lastChangeId=-1&lastChangeId64=-1")
        .await
        .json();
    assert_eq!(data["deploymentType"], "onPremises");
    assert_eq!(
        data["authenticatedUser"]["providerDisplayName"],
        "Demo Admin"
    );
    assert_eq!(
        data["authorizedUser"]["id"],
        data["authenticatedUser"]["id"]
    );
    assert_eq!(data["webApplicationRelativeDirectory"], "/tfs/");
    let location = &data["locationServiceData"];
    assert_eq!(
        location["defaultAccessMappingMoniker"],
        "PublicAccessMapping"
    );
    assert!(location["lastChangeId64"].as_i64().unwrap() > 0);
    let mapping = &location["accessMappings"][0];
    assert_eq!(mapping["moniker"], "PublicAccessMapping");
    assert_eq!(mapping["accessPoint"], format!("{}/tfs", emu.base_url()));
    for key in ["displayName", "serviceOwner", "virtualDirectory"] {
        assert!(mapping.get(key).is_some(), "{key}");
    }
    for key in ["instanceId", "deploymentId"] {
        assert!(data[key].is_string(), "{key}");
    }
}

#[tokio::test]
async fn access_mappings_come_only_with_include_services() {
    let emu = demo().await;
    let plain = get(&emu, "/fabrikam/_apis/connectionData").await.json();
    assert_eq!(plain["deploymentType"], "hosted");
    assert!(plain["locationServiceData"].get("accessMappings").is_none());
    let named = get(
        &emu,
        "/fabrikam/_apis/connectionData?connectOptions=includeServices",
    )
    .await
    .json();
    assert_eq!(
        named["locationServiceData"]["accessMappings"][0]["accessPoint"],
        emu.base_url(),
        "Services echo the request's base URL"
    );
}

#[tokio::test]
async fn a_misconfigured_public_url_leaks_into_every_url() {
    let emu = demo().await;
    let data = get(
        &emu,
        "/azdo/DefaultCollection/_apis/connectionData?connectOptions=1",
    )
    .await
    .json();
    assert_eq!(
        data["locationServiceData"]["accessMappings"][0]["accessPoint"],
        "http://localhost:8080/azdo"
    );
    let repos = get(&emu, "/azdo/DefaultCollection/_apis/git/repositories")
        .await
        .json();
    let repo = &repos["value"][0];
    assert!(repo["remoteUrl"]
        .as_str()
        .unwrap()
        .starts_with("http://localhost:8080/azdo/DefaultCollection/"));
    assert!(repo["url"]
        .as_str()
        .unwrap()
        .starts_with("http://localhost:8080/azdo/DefaultCollection/"));
}

#[tokio::test]
async fn last_change_id_moves_when_the_world_changes() {
    let emu = demo().await;
    let before = get(&emu, "/fabrikam/_apis/connectionData").await.json()["locationServiceData"]
        ["lastChangeId64"]
        .as_i64()
        .unwrap();
    let fresh = get(
        &emu,
        &format!("/fabrikam/_apis/connectionData?lastChangeId64={before}"),
    )
    .await
    .json();
    assert_eq!(fresh["locationServiceData"]["clientCacheFresh"], true);
    emu.world()
        .add_project(
            &ado_emulator::HostPath::organization("fabrikam"),
            ado_emulator::scenario::ProjectSpec::named("Late Arrival"),
        )
        .unwrap();
    let after = get(&emu, "/fabrikam/_apis/connectionData").await.json()["locationServiceData"]
        ["lastChangeId64"]
        .as_i64()
        .unwrap();
    assert!(after > before);
    assert!(names(&get(&emu, "/fabrikam/_apis/projects").await.json())
        .contains(&"Late Arrival".to_string()));
}

#[tokio::test]
async fn every_response_carries_correlation_headers() {
    let emu = demo().await;
    for path in [
        "/fabrikam/_apis/projects",
        "/nobody/_apis/projects",
        "/",
        "/_signin",
    ] {
        let reply = get(&emu, path).await;
        assert!(reply.header("x-vss-e2eid").is_some(), "{path}");
        assert!(reply.header("activityid").is_some(), "{path}");
    }
}
