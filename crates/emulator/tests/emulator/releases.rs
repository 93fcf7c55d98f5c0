//! Server releases as Microsoft publishes them: each release's version range and the answers in
//! its spec's shapes (`ado_emulator::spec`, extracted from `MicrosoftDocs/vsts-rest-api-specs`).

use ado_emulator::spec::published;
use ado_emulator::ServerVersion;
use reqwest::Method;
use serde_json::Value;

use crate::support::*;

/// The demo's collection of each release.
const RELEASES: [(ServerVersion, &str, &str); 4] = [
    (ServerVersion::V2018, "/tfs2018/DefaultCollection", "4.1"),
    (ServerVersion::V2019, "/LegacyCollection", "5.0"),
    (ServerVersion::V2020, "/azdo/DefaultCollection", "6.0"),
    (ServerVersion::V2022, "/tfs/DefaultCollection", "7.0"),
];

#[tokio::test]
async fn each_release_refuses_7_0_with_its_latest_or_serves_it() {
    let emu = demo().await;
    for (release, collection, latest) in RELEASES {
        let reply = get(
            &emu,
            &format!("{collection}/_apis/projects?api-version=7.0"),
        )
        .await;
        if release == ServerVersion::V2022 {
            assert_eq!(reply.status, 200);
            continue;
        }
        assert_eq!(reply.status, 400, "{collection}");
        assert_eq!(reply.type_key(), "VssVersionOutOfRangeException");
        assert_eq!(
            reply.message(),
            format!("The requested REST API version of 7.0 is out of range for this server. The latest REST API version this server supports is {latest}.")
        );
    }
}

#[tokio::test]
async fn resource_locations_carry_each_release_range() {
    let emu = demo().await;
    for (_, collection, latest) in RELEASES {
        let table = send(
            Method::OPTIONS,
            &format!("{}{collection}/_apis", emu.base_url()),
            Auth::Pat(FULL),
            true,
        )
        .await
        .json();
        let locations = table["value"].as_array().unwrap();
        assert!(!locations.is_empty());
        for location in locations {
            assert_eq!(location["maxVersion"], latest, "{collection}: {location}");
        }
        let hooks = locations
            .iter()
            .find(|l| l["resourceName"] == "subscriptions")
            .expect("hooks subscriptions are listed");
        assert_eq!(hooks["releasedVersion"], latest, "{collection}");
    }
}

/// Every member of `value` is one `definition` has in `release`'s spec.
fn assert_published(release: ServerVersion, definition: &str, value: &Value) {
    let members = published()
        .properties(release, definition)
        .unwrap_or_else(|| panic!("{definition} is in the extract"));
    for name in value.as_object().unwrap().keys() {
        assert!(
            members.iter().any(|m| m == name),
            "{} has no {definition}.{name}",
            release.product_name()
        );
    }
}

#[tokio::test]
async fn answers_have_the_shapes_of_each_release_spec() {
    let emu = demo().await;
    for (release, collection, latest) in RELEASES {
        let v = format!("api-version={latest}");
        let projects = get(&emu, &format!("{collection}/_apis/projects?{v}"))
            .await
            .json();
        let project = &projects["value"][0];
        assert_published(release, "TeamProjectReference", project);
        let name = project["name"].as_str().unwrap().replace(' ', "%20");
        let repos = get(&emu, &format!("{collection}/_apis/git/repositories?{v}"))
            .await
            .json();
        let repo = &repos["value"][0];
        assert_published(release, "GitRepository", repo);
        assert_eq!(
            repo.get("webUrl").is_some(),
            release != ServerVersion::V2018 && release != ServerVersion::V2019,
            "webUrl came with Azure DevOps Server 2020 (spec git/azure-devops-server-6.0)"
        );
        assert_eq!(
            repo.get("isDisabled").is_some(),
            release == ServerVersion::V2022,
            "isDisabled came with Azure DevOps Server 2022"
        );
        assert!(repo["remoteUrl"].is_string(), "every release has remoteUrl");
        let types = get(
            &emu,
            &format!("{collection}/{name}/_apis/wit/workitemtypes?{v}"),
        )
        .await
        .json();
        assert_published(release, "WorkItemType", &types["value"][0]);
        let subscriptions = get(&emu, &format!("{collection}/_apis/hooks/subscriptions?{v}")).await;
        assert_eq!(subscriptions.status, 200, "{collection}");
    }
}

#[tokio::test]
async fn the_request_log_keeps_the_api_version_as_sent() {
    let emu = demo().await;
    emu.clear_requests();
    get(&emu, "/LegacyCollection/_apis/projects?api-version=5.0").await;
    let log = emu.requests();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].api_version.as_deref(), Some("5.0"));
    assert_eq!(log[0].path, "/LegacyCollection/_apis/projects");
}
