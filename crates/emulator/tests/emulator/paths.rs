//! Paths: Azure DevOps matches every segment in any case, decodes `%20`, and takes a project by
//! name or id.

use ado_emulator::scenario::{CollectionSpec, ProjectSpec, ServerSpec};
use ado_emulator::{Scenario, ServerVersion};

use crate::support::*;

#[tokio::test]
async fn every_segment_matches_in_any_case() {
    let emu = demo().await;
    let lower = get(
        &emu,
        "/tfs/defaultcollection/fabrikam%20fiber/_apis/git/repositories",
    )
    .await;
    let upper = get(
        &emu,
        "/TFS/DEFAULTCOLLECTION/FABRIKAM%20FIBER/_APIS/GIT/REPOSITORIES",
    )
    .await;
    assert_eq!(lower.status, 200, "{}", lower.text);
    assert_eq!(
        lower.json(),
        upper.json(),
        "case does not change the answer"
    );
    assert_eq!(
        names(&lower.json()),
        ["Fabrikam Fiber", "fiber-api", "web portal"]
    );

    let org = get(&emu, "/FabriKAM/_Apis/Projects").await;
    assert_eq!(names(&org.json()), ["Fiber Cloud", "Tailwind Traders"]);
}

#[tokio::test]
async fn bodies_use_the_canonical_names_whatever_the_request_case() {
    let emu = demo().await;
    let body = get(
        &emu,
        "/tfs/defaultcollection/_apis/projects/parts%20unlimited",
    )
    .await
    .json();
    assert_eq!(body["name"], "Parts Unlimited");
    let url = body["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "{}/tfs/DefaultCollection/_apis/projects/",
            emu.base_url()
        )),
        "{url}"
    );
}

#[tokio::test]
async fn a_server_without_virtual_directory_serves_collections_at_the_root() {
    let emu = demo().await;
    let reply = get(&emu, "/LegacyCollection/_apis/git/repositories").await;
    assert_eq!(names(&reply.json()), ["old-repo"]);
    let repo = &reply.json()["value"][0];
    assert_eq!(
        repo["remoteUrl"],
        format!(
            "{}/LegacyCollection/Old%20Project/_git/old-repo",
            emu.base_url()
        )
    );
    assert_eq!(
        emu.collection_url("legacy-tfs", "LegacyCollection")
            .unwrap(),
        format!("{}/LegacyCollection", emu.base_url())
    );
}

#[tokio::test]
async fn a_project_is_found_by_id_as_well_as_by_name() {
    let emu = demo().await;
    let id = emu
        .world()
        .project_id(
            &ado_emulator::HostPath::collection("fabrikam-tfs", "DefaultCollection"),
            "Contoso Web",
        )
        .unwrap();
    let by_id = get(
        &emu,
        &format!("/tfs/DefaultCollection/{id}/_apis/git/repositories"),
    )
    .await;
    let by_name = get(
        &emu,
        "/tfs/DefaultCollection/Contoso%20Web/_apis/git/repositories",
    )
    .await;
    assert_eq!(by_id.json(), by_name.json());
    let upper = get(
        &emu,
        &format!(
            "/tfs/DefaultCollection/_apis/projects/{}",
            id.to_string().to_uppercase()
        ),
    )
    .await;
    assert_eq!(
        upper.json()["name"],
        "Contoso Web",
        "GUIDs match in any case"
    );
}

#[tokio::test]
async fn a_repository_is_found_by_name_with_spaces_or_by_id() {
    let emu = demo().await;
    let by_name = get(
        &emu,
        "/tfs/DefaultCollection/Fabrikam%20Fiber/_apis/git/repositories/Web%20Portal",
    )
    .await;
    assert_eq!(by_name.status, 200, "{}", by_name.text);
    let id = by_name.json()["id"].as_str().unwrap().to_string();
    // At collection level, without the project, the id works too.
    let by_id = get(
        &emu,
        &format!("/tfs/DefaultCollection/_apis/git/repositories/{id}"),
    )
    .await;
    assert_eq!(by_id.json()["name"], "web portal");
}

#[tokio::test]
async fn repository_urls_have_azure_devops_shapes() {
    let emu = demo().await;
    let base = emu.base_url();
    let services = get(
        &emu,
        "/fabrikam/Tailwind%20Traders/_apis/git/repositories/tailwind-traders",
    )
    .await
    .json();
    let project_id = services["project"]["id"].as_str().unwrap();
    let repo_id = services["id"].as_str().unwrap();
    let authority = base.trim_start_matches("http://");
    assert_eq!(
        services["url"],
        format!("{base}/fabrikam/{project_id}/_apis/git/repositories/{repo_id}")
    );
    assert_eq!(
        services["remoteUrl"],
        format!("http://fabrikam@{authority}/fabrikam/Tailwind%20Traders/_git/tailwind-traders")
    );
    assert_eq!(
        services["sshUrl"],
        "git@127.0.0.1:v3/fabrikam/Tailwind%20Traders/tailwind-traders"
    );
    assert_eq!(
        services["webUrl"],
        format!("{base}/fabrikam/Tailwind%20Traders/_git/tailwind-traders")
    );
    assert_eq!(services["defaultBranch"], "refs/heads/main");
    assert_eq!(services["project"]["state"], "wellFormed");
    for key in ["size", "isDisabled", "isInMaintenance"] {
        assert!(services.get(key).is_some(), "{key} is present");
    }

    let empty = get(
        &emu,
        "/fabrikam/Fiber%20Cloud/_apis/git/repositories/sandbox",
    )
    .await
    .json();
    assert!(
        empty.get("defaultBranch").is_none(),
        "an empty repository has no defaultBranch"
    );
    assert_eq!(empty["size"], 0);
}

#[tokio::test]
async fn two_servers_can_share_the_emulator() {
    let mut scenario = Scenario::minimal();
    scenario.servers.push(ServerSpec {
        name: "second".to_string(),
        version: ServerVersion::V2020,
        virtual_directory: Some("Azure DevOps".to_string()),
        public_url: None,
        id: None,
        collections: vec![CollectionSpec {
            name: "Other Collection".to_string(),
            id: None,
            projects: vec![ProjectSpec::named("Gamma").with_repository("gamma")],
            generated_projects: None,
        }],
    });
    let emu = with_scenario(scenario).await;
    let url = emu.collection_url("second", "Other Collection").unwrap();
    assert_eq!(
        url,
        format!("{}/Azure%20DevOps/Other%20Collection", emu.base_url())
    );
    let reply = send(
        reqwest::Method::GET,
        &format!("{url}/_apis/projects"),
        Auth::Pat(FULL),
        true,
    )
    .await;
    assert_eq!(names(&reply.json()), ["Gamma"]);
    let minimal = get(&emu, "/tfs/DefaultCollection/_apis/projects").await;
    assert_eq!(names(&minimal.json()), ["Beta"]);
}

#[tokio::test]
async fn double_slashes_are_ignored() {
    let emu = demo().await;
    let reply = get(&emu, "/fabrikam//_apis/projects").await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn the_example_scenario_file_loads_and_serves() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example.json");
    let emu =
        with_scenario(Scenario::from_path(path).expect("the README's example is valid")).await;
    let reply = get_as(
        &emu,
        "/contoso/_apis/projects",
        "example2full3access4pat5for6the7emulator2only3abcdef",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("x-ms-continuationtoken"),
        Some("100"),
        "121 projects page"
    );
    let onprem = get_as(
        &emu,
        "/tfs/DefaultCollection/_apis/git/repositories",
        "onprem-only",
    )
    .await;
    assert_eq!(names(&onprem.json()), ["legacy"]);
    assert!(onprem.json()["value"][0]["remoteUrl"]
        .as_str()
        .unwrap()
        .starts_with("http://localhost:8080/tfs/"));
}
