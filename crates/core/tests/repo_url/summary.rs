//! The summary (the CLI contract) and the one-line description.

use ado_core::repo_url::RepoUrl;

const CONTRACT_KEYS: [&str; 9] = [
    "deployment",
    "organization",
    "collection",
    "serverUrl",
    "project",
    "repository",
    "branch",
    "path",
    "pullRequestId",
];

fn contract(input: &str) -> serde_json::Value {
    let value = serde_json::to_value(RepoUrl::parse(input).unwrap().summary()).unwrap();
    let object = value.as_object().expect("the summary is a JSON object");
    let picked: serde_json::Map<String, serde_json::Value> = CONTRACT_KEYS
        .iter()
        .map(|k| {
            let v = object
                .get(*k)
                .unwrap_or_else(|| panic!("summary lacks {k:?}: {value}"));
            (k.to_string(), v.clone())
        })
        .collect();
    serde_json::Value::Object(picked)
}

#[test]
fn summary_services_pull_request() {
    assert_eq!(
        contract("https://dev.azure.com/fabrikam/Fiber%20Project/_git/fiber-api/pullrequest/12"),
        serde_json::json!({
            "deployment": "services",
            "organization": "fabrikam",
            "collection": null,
            "serverUrl": null,
            "project": "Fiber Project",
            "repository": "fiber-api",
            "branch": null,
            "path": null,
            "pullRequestId": 12
        })
    );
}

#[test]
fn summary_server_browse() {
    assert_eq!(
        contract("http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api?path=%2Fsrc&version=GBmain"),
        serde_json::json!({
            "deployment": "server",
            "organization": null,
            "collection": "DefaultCollection",
            "serverUrl": "http://tfs.example.com:8080/tfs",
            "project": "Fiber",
            "repository": "fiber-api",
            "branch": "main",
            "path": "/src",
            "pullRequestId": null
        })
    );
}

#[test]
fn summary_org_only_has_nulls() {
    assert_eq!(
        contract("https://dev.azure.com/fabrikam"),
        serde_json::json!({
            "deployment": "services",
            "organization": "fabrikam",
            "collection": null,
            "serverUrl": null,
            "project": null,
            "repository": null,
            "branch": null,
            "path": null,
            "pullRequestId": null
        })
    );
}

#[test]
fn summary_extras_for_ambiguous_server() {
    let value = serde_json::to_value(
        RepoUrl::parse("https://host.example.com/tfs/Coll")
            .unwrap()
            .summary(),
    )
    .unwrap();
    assert_eq!(value["ambiguous"], true);
    assert_eq!(value["apiUrl"], "https://host.example.com/tfs/Coll");
    assert_eq!(
        value["candidates"],
        serde_json::json!([
            {"deployment": "server", "organization": null, "serverUrl": "https://host.example.com/tfs",
             "collection": "Coll", "project": null, "collectionUrl": "https://host.example.com/tfs/Coll"},
            {"deployment": "server", "organization": null, "serverUrl": "https://host.example.com",
             "collection": "tfs", "project": "Coll", "collectionUrl": "https://host.example.com/tfs"},
        ])
    );
}

#[test]
fn describes_in_one_line() {
    let d = |s: &str| RepoUrl::parse(s).unwrap().describe();
    assert_eq!(
        d("https://dev.azure.com/fabrikam/Fiber/_git/fiber-api"),
        "Azure DevOps Services · organization fabrikam · project Fiber · repository fiber-api"
    );
    assert_eq!(
        d("http://host:8080/tfs/DefaultCollection/Fiber/_git/fiber-api?version=GBmain"),
        "Azure DevOps Server · http://host:8080/tfs · collection DefaultCollection · project Fiber · \
         repository fiber-api · branch main"
    );
    assert_eq!(
        d("https://host.example.com/x/y"),
        "Azure DevOps Server · https://host.example.com · collection x · project y \
         (ambiguous: 2 possible readings, most likely shown)"
    );
    assert_eq!(
        RepoUrl::parse("https://dev.azure.com/fabrikam")
            .unwrap()
            .to_string(),
        "Azure DevOps Services · organization fabrikam"
    );
}
