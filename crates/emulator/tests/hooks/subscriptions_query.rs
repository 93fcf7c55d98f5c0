//! `subscriptionsquery`, and the publisher and the webHooks consumer as they describe themselves.

use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn subscriptions_query_applies_input_filters() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let api = repo(&emu, "fiber-cloud-api");
    let mut on_api = subscription(project, "git.push", URL);
    on_api["publisherInputs"]["repository"] = json!(api);
    create(&emu, on_api).await;
    create(
        &emu,
        subscription(project, "git.push", "https://example.com/second"),
    )
    .await;
    let query = |filters: Value| {
        let mut q = json!({ "publisherId": "tfs", "eventType": "git.push" });
        for (k, v) in filters.as_object().unwrap() {
            q[k] = v.clone();
        }
        q
    };
    let path = "/fabrikam/_apis/hooks/subscriptionsquery?api-version=7.1";
    let by_repo = post(
        &emu,
        path,
        FULL,
        query(json!({"publisherInputFilters": [{"conditions": [
        {"inputId": "repository", "operator": "equals", "inputValue": api.to_string()}]}]})),
    )
    .await;
    assert_eq!(by_repo.status, 200, "{}", by_repo.text);
    let body = by_repo.json();
    assert_eq!(body["publisherId"], "tfs", "the query comes back");
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    let not_second = post(&emu, path, FULL, query(json!({"consumerInputFilters": [{"conditions": [
        {"inputId": "url", "operator": "notEquals", "inputValue": "HTTPS://EXAMPLE.COM/SECOND"}]}]})))
    .await
    .json();
    assert_eq!(
        not_second["results"].as_array().unwrap().len(),
        1,
        "case-insensitive by default"
    );
    let either = post(
        &emu,
        path,
        FULL,
        query(json!({"consumerInputFilters": [
        {"conditions": [{"inputId": "url", "inputValue": URL}]},
        {"conditions": [{"inputId": "url", "inputValue": "https://example.com/second"}]}]})),
    )
    .await
    .json();
    assert_eq!(
        either["results"].as_array().unwrap().len(),
        2,
        "filters are alternatives"
    );
    let builds = post(&emu, path, FULL, json!({"eventType": "build.complete"}))
        .await
        .json();
    assert_eq!(builds["results"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_publisher_and_the_webhooks_consumer_describe_themselves() {
    let emu = demo().await;
    let types = get(
        &emu,
        "/fabrikam/_apis/hooks/publishers/tfs/eventtypes",
        FULL,
    )
    .await
    .json();
    let ids: Vec<&str> = types["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "git.push",
        "git.pullrequest.created",
        "git.pullrequest.updated",
        "git.pullrequest.merged",
        "build.complete",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let merged = types["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "git.pullrequest.merged")
        .unwrap();
    assert!(merged["inputDescriptors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == "mergeResult"));
    let consumer = get(&emu, "/fabrikam/_apis/hooks/consumers/webHooks", FULL)
        .await
        .json();
    assert_eq!(consumer["name"], "Web Hooks");
    let action = &consumer["actions"][0];
    assert_eq!(action["id"], "httpRequest");
    let descriptors = action["inputDescriptors"].as_array().unwrap();
    let find = |id: &str| descriptors.iter().find(|d| d["id"] == id).unwrap().clone();
    assert_eq!(find("url")["validation"]["dataType"], "uri");
    assert_eq!(find("url")["validation"]["isRequired"], true);
    assert_eq!(find("basicAuthPassword")["isConfidential"], true);
    assert_eq!(
        find("httpHeaders")["validation"]["pattern"],
        r"^([\S]+[\s]*:[\s]*[\S]+[\s]*[\r\n\f]+)*?([\S]+[\s]*:[\s]*[\S]+)+$"
    );
    assert_eq!(
        find("messagesToSend")["values"]["possibleValues"][4]["value"],
        "none"
    );
    assert_eq!(
        get(&emu, "/fabrikam/_apis/hooks/consumers/slack", FULL)
            .await
            .status,
        404
    );
    assert_eq!(
        get(
            &emu,
            "/fabrikam/_apis/hooks/publishers/rm2/eventtypes",
            FULL
        )
        .await
        .status,
        404
    );
    let list = get(&emu, "/fabrikam/_apis/hooks/consumers", FULL)
        .await
        .json();
    assert_eq!(list["count"], 1);
    let actions = get(
        &emu,
        "/fabrikam/_apis/hooks/consumers/webHooks/actions",
        FULL,
    )
    .await
    .json();
    assert_eq!(actions["value"][0]["id"], "httpRequest");
    let action = get(
        &emu,
        "/fabrikam/_apis/hooks/consumers/webHooks/actions/httpRequest",
        FULL,
    )
    .await;
    assert_eq!(action.json()["consumerId"], "webHooks");
    let other = get(
        &emu,
        "/fabrikam/_apis/hooks/consumers/webHooks/actions/postMessage",
        FULL,
    )
    .await;
    assert_eq!(other.type_key(), "ConsumerActionNotFoundException");
    let publishers = get(&emu, "/fabrikam/_apis/hooks/publishers", FULL)
        .await
        .json();
    assert_eq!(publishers["value"][0]["id"], "tfs");
    assert!(
        publishers["value"][0]["supportedEvents"]
            .as_array()
            .unwrap()
            .len()
            >= 5
    );
    let publisher = get(&emu, "/fabrikam/_apis/hooks/publishers/tfs", FULL)
        .await
        .json();
    assert_eq!(publisher["id"], "tfs");
    let push = get(
        &emu,
        "/fabrikam/_apis/hooks/publishers/tfs/eventtypes/git.push",
        FULL,
    )
    .await
    .json();
    assert_eq!(push["name"], "Code pushed");
    let none = get(
        &emu,
        "/fabrikam/_apis/hooks/publishers/tfs/eventtypes/git.teleport",
        FULL,
    )
    .await;
    assert_eq!(none.status, 404);
    assert_eq!(none.type_key(), "EventTypeNotFoundException");
}
