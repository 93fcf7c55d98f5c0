//! The demo's `contoso-azdo`: Azure DevOps Server 2022 without a virtual directory, so a bare
//! server URL (`http://host:port`) plus a collection name reaches it, and its URLs are the
//! ones it is reached by.

use ado_emulator::scenario::{
    DEMO_CODE_ONLY_PAT, DEMO_CODE_READ_PAT, DEMO_DEVELOPER_PAT, DEMO_EXPIRED_PAT,
    DEMO_FULL_ACCESS_PAT, DEMO_PROJECT_ONLY_PAT, DEMO_REVOKED_PAT,
};
use reqwest::Method;

use crate::support::*;

#[tokio::test]
async fn contoso_azdo_is_a_2022_server_with_collections_at_the_root() {
    let emu = demo().await;
    let collection = emu
        .collection_url("contoso-azdo", "ContosoCollection")
        .expect("the demo has it");
    assert_eq!(collection, format!("{}/ContosoCollection", emu.base_url()));
    let info = emu.startup_info();
    let server = info["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "contoso-azdo")
        .expect("listed in the startup line");
    assert_eq!(server["version"], "2022");
    assert_eq!(server["maxApiVersion"], "7.0");
    assert!(server["virtualDirectory"].is_null(), "{server}");
    assert!(server["publicUrl"].is_null(), "its public URL is correct");
    assert_eq!(server["url"], emu.base_url());

    let projects = get(&emu, "/ContosoCollection/_apis/projects?api-version=7.0").await;
    assert_eq!(projects.status, 200, "{}", projects.text);
    assert_eq!(names(&projects.json()), ["Mobile Apps"]);
    let repos = get(
        &emu,
        "/ContosoCollection/Mobile%20Apps/_apis/git/repositories?api-version=7.0",
    )
    .await;
    let body = repos.json();
    assert_eq!(names(&body), ["ios-app"]);
    let repo = &body["value"][0];
    assert_eq!(
        repo["remoteUrl"],
        format!(
            "{}/ContosoCollection/Mobile%20Apps/_git/ios-app",
            emu.base_url()
        )
    );
    assert_eq!(repo["webUrl"], repo["remoteUrl"]);
    assert!(repo["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/ContosoCollection/", emu.base_url())));

    let too_new = get(&emu, "/ContosoCollection/_apis/projects?api-version=7.1").await;
    assert_eq!(too_new.status, 400);
    assert_eq!(too_new.type_key(), "VssVersionOutOfRangeException");
}

#[tokio::test]
async fn contoso_azdo_describes_itself_as_an_on_premises_root() {
    let emu = demo().await;
    let data = get(
        &emu,
        "/ContosoCollection/_apis/connectionData?connectOptions=1",
    )
    .await
    .json();
    assert_eq!(data["deploymentType"], "onPremises");
    assert_eq!(data["webApplicationRelativeDirectory"], "/");
    let mappings = data["locationServiceData"]["accessMappings"]
        .as_array()
        .unwrap();
    assert!(
        mappings.iter().all(|m| m["accessPoint"] == emu.base_url()),
        "{mappings:?}"
    );
    let areas = get(&emu, "/ContosoCollection/_apis/ResourceAreas")
        .await
        .json();
    assert_eq!(areas["count"], 0, "on-premises: no resource areas");
    // A bad PAT gets a Server's 401 (no sign-in redirect), with or without Suppress.
    let bad = send(
        Method::GET,
        &format!("{}/ContosoCollection/_apis/projects", emu.base_url()),
        Auth::Pat("not-a-pat"),
        false,
    )
    .await;
    assert_eq!(bad.status, 401);
}

#[tokio::test]
async fn the_demo_pats_work_on_contoso_azdo_as_on_the_other_servers() {
    let emu = demo().await;
    let projects = "/ContosoCollection/_apis/projects";
    let repos = "/ContosoCollection/_apis/git/repositories";
    let commits = "/ContosoCollection/Mobile Apps/_apis/git/repositories/ios-app/commits";
    for (pat, projects_status, repos_status) in [
        (DEMO_FULL_ACCESS_PAT, 200, 200),
        (DEMO_DEVELOPER_PAT, 200, 200),
        (DEMO_PROJECT_ONLY_PAT, 200, 401),
        (DEMO_CODE_READ_PAT, 200, 200),
        (DEMO_CODE_ONLY_PAT, 401, 200),
        (DEMO_EXPIRED_PAT, 401, 401),
        (DEMO_REVOKED_PAT, 401, 401),
    ] {
        assert_eq!(
            get_as(&emu, projects, pat).await.status,
            projects_status,
            "{pat}"
        );
        assert_eq!(get_as(&emu, repos, pat).await.status, repos_status, "{pat}");
        // The same answers as on the 2022 server with a virtual directory.
        assert_eq!(
            get_as(&emu, "/tfs/DefaultCollection/_apis/projects", pat)
                .await
                .status,
            projects_status,
            "{pat}"
        );
    }
    let history = get_as(&emu, commits, DEMO_CODE_ONLY_PAT).await;
    assert_eq!(history.status, 200, "{}", history.text);
    let first = &history.json()["value"][0];
    assert!(first["remoteUrl"].as_str().unwrap().starts_with(&format!(
        "{}/ContosoCollection/Mobile%20Apps/_git/ios-app/commit/",
        emu.base_url()
    )));
}
