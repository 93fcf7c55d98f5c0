//! A "Code (Read)" PAT (`vso.code` only), and the organization-level forms DX's verification
//! calls: `_apis/git/repositories?projectId=`, `_apis/build/builds?projectId=`,
//! `_apis/wit/workitemtypes?project=`.

use ado_emulator::scenario::DEMO_CODE_ONLY_PAT as CODE_ONLY;
use ado_emulator::HostPath;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_code_read_pat_lists_repositories_but_not_projects() {
    let emu = demo().await;
    for path in [
        "/fabrikam/_apis/git/repositories?api-version=7.0",
        "/fabrikam/Fiber%20Cloud/_apis/git/repositories?api-version=7.0",
        "/fabrikam/Fiber Cloud/_apis/git/repositories/fiber-cloud-api",
        "/fabrikam/_apis/connectionData",
        "/tfs/DefaultCollection/_apis/git/repositories?api-version=7.0",
        "/tfs/DefaultCollection/Fabrikam%20Fiber/_apis/git/repositories",
        "/ContosoCollection/Mobile%20Apps/_apis/git/repositories",
    ] {
        let reply = get_as(&emu, path, CODE_ONLY).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    }
    let id = emu
        .world()
        .project_id(&HostPath::organization("fabrikam"), "Fiber Cloud")
        .unwrap();
    let user_id = get(&emu, "/fabrikam/_apis/connectionData").await.json()["authenticatedUser"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "/fabrikam/_apis/projects?api-version=7.0".to_string(),
        format!("/fabrikam/_apis/projects/{id}?api-version=7.0"),
        "/fabrikam/_apis/projects/Fiber%20Cloud".to_string(),
        "/tfs/DefaultCollection/_apis/projects".to_string(),
        // Builds and work items are other scopes.
        "/fabrikam/Fiber Cloud/_apis/build/builds".to_string(),
        "/fabrikam/Fiber Cloud/_apis/wit/workitemtypes".to_string(),
    ] {
        let reply = get_as(&emu, &path, CODE_ONLY).await;
        assert_eq!(reply.status, 401, "{path}");
        assert_eq!(reply.type_key(), "UnauthorizedRequestException", "{path}");
        assert_eq!(
            reply.message(),
            format!("TF400813: The user '{user_id}' is not authorized to access this resource."),
            "the same answer as any missing scope"
        );
    }
    let info = emu.startup_info();
    let pat = info["pats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["token"] == CODE_ONLY)
        .expect("listed in the startup line");
    assert_eq!(pat["scopes"], json!(["vso.code"]));
    assert_eq!(CODE_ONLY.len(), 52);
}

#[tokio::test]
async fn repositories_at_the_organization_take_a_project_id() {
    let emu = demo().await;
    let host = HostPath::organization("fabrikam");
    let id = emu.world().project_id(&host, "Fiber Cloud").unwrap();
    let by_id = get_as(
        &emu,
        &format!("/fabrikam/_apis/git/repositories?projectId={id}&api-version=7.0"),
        CODE_ONLY,
    )
    .await;
    assert_eq!(by_id.status, 200, "{}", by_id.text);
    assert_eq!(
        names(&by_id.json()),
        ["fiber-cloud-api", "fiber-cloud-web", "sandbox"]
    );
    let by_name = get_as(
        &emu,
        "/fabrikam/_apis/git/repositories?projectId=tailwind%20traders",
        CODE_ONLY,
    )
    .await;
    assert_eq!(names(&by_name.json()), ["tailwind-traders"]);
    // The query parameter wins over the path's project, as the service's controller reads it.
    let both = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories?projectId=Tailwind Traders",
    )
    .await;
    assert_eq!(names(&both.json()), ["tailwind-traders"]);
    // A project it does not name: GitRepositoryNotFoundException naming the parameter.
    let unknown = get(&emu, "/fabrikam/_apis/git/repositories?projectId=Nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.type_key(), "GitRepositoryNotFoundException");
    assert!(unknown
        .message()
        .starts_with("TF401019: The Git repository with name or identifier Nope "));
    // Without it, every repository of the organization.
    let all = get(&emu, "/fabrikam/_apis/git/repositories").await;
    assert_eq!(names(&all.json()).len(), 4);
}

#[tokio::test]
async fn builds_at_the_organization_filter_by_project_id() {
    let emu = demo().await;
    let host = HostPath::organization("fabrikam");
    let fiber = emu.world().project_id(&host, "Fiber Cloud").unwrap();
    let tailwind = emu.world().project_id(&host, "Tailwind Traders").unwrap();
    let ids = |body: serde_json::Value| -> Vec<u64> {
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_u64().unwrap())
            .collect()
    };
    let fiber_builds = get(
        &emu,
        &format!("/fabrikam/_apis/build/builds?projectId={fiber}&api-version=7.0"),
    )
    .await;
    assert_eq!(fiber_builds.status, 200, "{}", fiber_builds.text);
    assert_eq!(ids(fiber_builds.json()), [4, 3, 2, 1]);
    assert_eq!(
        fiber_builds.json(),
        get(
            &emu,
            "/fabrikam/Fiber Cloud/_apis/build/builds?api-version=7.0"
        )
        .await
        .json(),
        "the same as the project form"
    );
    let none = get(
        &emu,
        &format!("/fabrikam/_apis/build/builds?projectId={tailwind}"),
    )
    .await;
    assert_eq!(none.json(), json!({"count": 0, "value": []}));
    let all = get(&emu, "/fabrikam/_apis/build/builds?$top=2").await;
    assert_eq!(ids(all.json()), [4, 3]);
    assert_eq!(all.header("x-ms-continuationtoken"), Some("2"));
    let unknown = get(&emu, "/fabrikam/_apis/build/builds?projectId=Nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.type_key(), "ProjectDoesNotExistWithNameException");
    // A Server collection too, and its version limit.
    let server = get(
        &emu,
        "/tfs/DefaultCollection/_apis/build/builds?projectId=Fabrikam%20Fiber&api-version=7.1",
    )
    .await;
    assert_eq!(server.status, 400);
    assert_eq!(server.type_key(), "VssVersionOutOfRangeException");
    // Build (Read) is needed, as for the project form.
    let refused = get_as(&emu, "/fabrikam/_apis/build/builds", CODE_ONLY).await;
    assert_eq!(refused.status, 401);
}

#[tokio::test]
async fn work_item_types_at_the_organization_take_a_project() {
    let emu = demo().await;
    let reply = get(
        &emu,
        "/fabrikam/_apis/wit/workitemtypes?project=Fiber%20Cloud&api-version=7.0",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json(),
        get(
            &emu,
            "/fabrikam/Fiber Cloud/_apis/wit/workitemtypes?api-version=7.0"
        )
        .await
        .json()
    );
    let unknown = get(&emu, "/fabrikam/_apis/wit/workitemtypes?project=Nope").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.type_key(), "ProjectDoesNotExistWithNameException");
    let without = get(&emu, "/fabrikam/_apis/wit/workitemtypes").await;
    assert_eq!(without.status, 404);
    assert_eq!(without.type_key(), "EmulatorRouteNotFoundException");
}
