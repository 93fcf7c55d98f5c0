//! What the client's preflight calls: pull requests, builds, work item types, permission
//! evaluation, and the demo's users and tokens.

use ado_emulator::scenario::{DEMO_DEVELOPER_EMAIL, DEMO_USER_EMAIL};
use ado_emulator::{Emulator, Scenario};
use axum::http::Method;
use serde_json::{json, Value};

use crate::support::*;

const PRS: &str =
    "/fabrikam/Fiber%20Cloud/_apis/git/pullrequests?$top=1&searchCriteria.status=all&api-version=7.0";

#[tokio::test]
async fn pull_requests_answer_the_preflight_request() {
    let emu = demo().await;
    let reply = get(&emu, PRS, FULL).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8; api-version=7.0")
    );
    let body = reply.json();
    assert_eq!(body["count"], 1);
    let pr = &body["value"][0];
    assert_eq!(pr["pullRequestId"], 4, "newest first");
    for key in [
        "title",
        "status",
        "createdBy",
        "creationDate",
        "sourceRefName",
        "targetRefName",
        "repository",
        "url",
        "mergeStatus",
        "isDraft",
    ] {
        assert!(!pr[key].is_null(), "{key} in {pr}");
    }
    assert_eq!(pr["createdBy"]["displayName"], "Dana Developer");
    assert_eq!(pr["repository"]["name"], "fiber-cloud-web");
    assert_eq!(pr["repository"]["project"]["name"], "Fiber Cloud");
    assert_eq!(pr["targetRefName"], "refs/heads/main");
    assert!(pr["url"].as_str().unwrap().ends_with("/pullRequests/4"));
}

#[tokio::test]
async fn pull_requests_filter_by_status_and_repository() {
    let emu = demo().await;
    let ids = |body: Value| -> Vec<u64> {
        body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pullRequestId"].as_u64().unwrap())
            .collect()
    };
    let active = get(&emu, "/fabrikam/Fiber Cloud/_apis/git/pullrequests", FULL).await;
    assert_eq!(ids(active.json()), [4, 3], "active only by default");
    let completed = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests?searchCriteria.status=completed",
        FULL,
    )
    .await;
    assert_eq!(ids(completed.json()), [1]);
    let in_repo = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories/fiber-cloud-api/pullrequests?searchCriteria.status=all",
        FULL,
    )
    .await;
    assert_eq!(ids(in_repo.json()), [3, 2, 1]);
    let page = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests?searchCriteria.status=all&$top=2&$skip=1",
        FULL,
    )
    .await;
    assert_eq!(ids(page.json()), [3, 2]);
    let missing = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories/nope/pullrequests",
        FULL,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.type_key(), "GitRepositoryNotFoundException");
    let bad = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests?searchCriteria.status=sleeping",
        FULL,
    )
    .await;
    assert_eq!(bad.status, 400);
    let no_project = get(&emu, "/fabrikam/Nope/_apis/git/pullrequests", FULL).await;
    assert_eq!(no_project.status, 404);
    assert_eq!(
        no_project.type_key(),
        "ProjectDoesNotExistWithNameException"
    );
}

#[tokio::test]
async fn builds_answer_the_preflight_request_newest_first() {
    let emu = demo().await;
    let reply = get(
        &emu,
        "/fabrikam/Fiber%20Cloud/_apis/build/builds?$top=1&api-version=7.0",
        FULL,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["count"], 1);
    let build = &body["value"][0];
    assert_eq!(build["id"], 4);
    assert_eq!(build["status"], "inProgress");
    assert!(
        build.get("result").is_none(),
        "a running build has no result"
    );
    assert!(build.get("finishTime").is_none());
    assert_eq!(build["definition"]["name"], "fiber-cloud-web CI");
    assert!(build["definition"]["id"].as_u64().unwrap() > 0);
    for key in [
        "buildNumber",
        "sourceBranch",
        "queueTime",
        "url",
        "project",
        "requestedFor",
    ] {
        assert!(!build[key].is_null(), "{key} in {build}");
    }
    assert_eq!(reply.header("x-ms-continuationtoken"), Some("1"));

    let done = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/build/builds?statusFilter=completed&resultFilter=failed",
        FULL,
    )
    .await
    .json();
    assert_eq!(done["count"], 1);
    assert_eq!(done["value"][0]["id"], 2);
    assert_eq!(done["value"][0]["result"], "failed");
    assert!(done["value"][0]["finishTime"].is_string());

    let none = get(&emu, "/fabrikam/Tailwind Traders/_apis/build/builds", FULL).await;
    assert_eq!(none.json()["count"], 0, "a project without builds");
    assert_eq!(none.header("x-ms-continuationtoken"), None);
}

#[tokio::test]
async fn work_item_types_are_the_agile_backlog_types() {
    let emu = demo().await;
    let reply = get(
        &emu,
        "/tfs/DefaultCollection/Fabrikam%20Fiber/_apis/wit/workitemtypes?api-version=7.0",
        FULL,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in ["Bug", "Task", "User Story", "Feature", "Epic"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let bug = &body["value"][0];
    assert_eq!(bug["referenceName"], "Microsoft.VSTS.WorkItemTypes.Bug");
    assert_eq!(bug["color"], "CC293D");
    assert_eq!(bug["icon"]["id"], "icon_insect");
    assert!(bug["icon"]["url"].as_str().unwrap().contains("icon_insect"));
    assert_eq!(bug["isDisabled"], false);
    assert!(bug["description"].is_string());
}

#[tokio::test]
async fn each_probe_needs_its_scope() {
    let emu = demo().await;
    let prs = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests",
        CODE_READ,
    )
    .await;
    assert_eq!(prs.status, 200, "vso.code reads pull requests");
    for path in [
        "/fabrikam/Fiber Cloud/_apis/build/builds",
        "/fabrikam/Fiber Cloud/_apis/wit/workitemtypes",
    ] {
        let reply = get(&emu, path, CODE_READ).await;
        assert_eq!(reply.status, 401, "{path}");
        assert!(
            reply.message().starts_with("TF400813"),
            "{}",
            reply.message()
        );
    }
    let prs = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests",
        PROJECT_ONLY,
    )
    .await;
    assert_eq!(prs.status, 401, "vso.project alone does not read code");
}

fn batch(project: &str) -> Value {
    json!({
        "alwaysAllowAdministrators": false,
        "evaluations": [{
            "securityNamespaceId": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046",
            "token": format!("PublisherSecurity/{project}"),
            "permissions": 2
        }]
    })
}

const BATCH: &str = "/fabrikam/_apis/security/permissionevaluationbatch?api-version=7.0";

#[tokio::test]
async fn permission_evaluation_answers_per_user() {
    let emu = demo().await;
    let project = fiber_cloud(&emu).to_string();
    let admin = post(&emu, BATCH, FULL, batch(&project)).await;
    assert_eq!(admin.status, 200, "{}", admin.text);
    let body = admin.json();
    assert_eq!(body["evaluations"][0]["value"], true);
    assert_eq!(
        body["evaluations"][0]["token"],
        format!("PublisherSecurity/{project}")
    );
    assert_eq!(body["evaluations"][0]["permissions"], 2);
    assert_eq!(
        body["evaluations"][0]["securityNamespaceId"],
        "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046"
    );
    let dana = post(&emu, BATCH, DANA, batch(&project)).await.json();
    assert_eq!(
        dana["evaluations"][0]["value"], false,
        "a member is no administrator"
    );
    // The whole namespace needs a collection administrator.
    let root = json!({"evaluations": [{
        "securityNamespaceId": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046",
        "token": "PublisherSecurity", "permissions": 1}]});
    assert_eq!(
        post(&emu, BATCH, FULL, root).await.json()["evaluations"][0]["value"],
        false
    );
}

#[tokio::test]
async fn permission_evaluation_takes_any_token_and_any_case() {
    let emu = demo().await;
    let project = fiber_cloud(&emu).to_string();
    let lower = json!({
        "alwaysallowadministrators": false,
        "evaluations": [{
            "securitynamespaceid": "cb594ebe-87dd-4fc9-ac2c-6a10a4c92046",
            "token": format!("PublisherSecurity/{project}"),
            "permissions": 1
        }]
    });
    let reply = post(&emu, BATCH, PROJECT_ONLY, lower).await;
    assert_eq!(reply.status, 200, "any valid token: {}", reply.text);
    assert_eq!(reply.json()["evaluations"][0]["value"], true);
    let empty = call(&emu, Method::POST, BATCH, FULL, None).await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.type_key(), "ArgumentNullException");
    let get_it = get(&emu, BATCH, FULL).await;
    assert_eq!(get_it.status, 405);
}

#[tokio::test]
async fn collection_administrators_hold_everything() {
    let emu = with_scenario(Scenario::minimal()).await;
    let project = emu
        .world()
        .project_id(&ado_emulator::HostPath::organization("acme"), "Alpha")
        .unwrap();
    let reply = post(
        &emu,
        "/acme/_apis/security/permissionevaluationbatch?api-version=7.0",
        FULL,
        batch(&project.to_string()),
    )
    .await;
    assert_eq!(reply.json()["evaluations"][0]["value"], true);
}

async fn who(emu: &Emulator, pat: &str) -> Reply {
    get(emu, "/fabrikam/_apis/connectionData", pat).await
}

#[tokio::test]
async fn the_demo_has_dana_a_code_reader_a_revoked_pat_and_an_empty_collection() {
    let emu = demo().await;
    let dana = who(&emu, DANA).await;
    assert_eq!(dana.status, 200);
    assert_eq!(
        dana.json()["authenticatedUser"]["providerDisplayName"],
        "Dana Developer"
    );
    let revoked = who(&emu, REVOKED).await;
    assert_eq!(revoked.status, 401, "a revoked PAT is refused");
    assert_eq!(revoked.type_key(), "UnauthorizedRequestException");
    let code = get(&emu, "/fabrikam/_apis/git/repositories", CODE_READ).await;
    assert_eq!(code.status, 200);
    let empty = get(&emu, "/tfs/Empty/_apis/projects", FULL).await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json()["count"], 0);

    let info = emu.startup_info();
    assert_eq!(info["controlUrl"], format!("{}/_emulator", emu.base_url()));
    let pats = info["pats"].as_array().unwrap();
    assert_eq!(pats[0]["user"], DEMO_USER_EMAIL);
    assert_eq!(pats[0]["scopes"], json!(["app_token"]));
    let dana_index = pats
        .iter()
        .position(|p| p["user"] == DEMO_DEVELOPER_EMAIL)
        .expect("Dana's PAT is listed");
    assert!(dana_index > 0, "never at index 0");
    let revoked = pats
        .iter()
        .find(|p| p["token"] == REVOKED)
        .expect("the revoked PAT is listed");
    assert_eq!(revoked["revoked"], true);
    assert_eq!(pats[0]["revoked"], false);
    assert!(info["collectionUrls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u.as_str().unwrap().ends_with("/tfs/Empty")));
}

#[tokio::test]
async fn revoked_in_a_scenario_file() {
    let mut scenario = Scenario::minimal();
    scenario.pats[0].revoked = true;
    let emu = with_scenario(scenario).await;
    assert_eq!(get(&emu, "/acme/_apis/projects", FULL).await.status, 401);
}

#[tokio::test]
async fn the_new_resources_are_listed_and_version_limited() {
    let emu = demo().await;
    let options = call(&emu, Method::OPTIONS, "/fabrikam/_apis/hooks", FULL, None)
        .await
        .json();
    let ids: Vec<&str> = options["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"fc50d02a-849f-41fb-8af1-0a5216103269"),
        "{ids:?}"
    );
    assert!(ids.contains(&"1139462c-7e27-4524-a997-31b9b73551fe"));
    let legacy = get(
        &emu,
        "/LegacyCollection/Old Project/_apis/build/builds?api-version=7.0",
        FULL,
    )
    .await;
    assert_eq!(legacy.status, 400, "Server 2019 stops at 5.0");
    assert_eq!(legacy.type_key(), "VssVersionOutOfRangeException");
    let ok = get(
        &emu,
        "/LegacyCollection/Old Project/_apis/build/builds?api-version=5.0",
        FULL,
    )
    .await;
    assert_eq!(ok.status, 200);
}
