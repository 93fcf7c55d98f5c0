//! `_apis/hooks/subscriptions`, `subscriptionsquery`, publishers and consumers: shapes,
//! validation, permissions, scopes and throttling.

use ado_emulator::hooks::{HooksThrottle, SubscriptionStatus};
use ado_emulator::{Faults, HostPath};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

const URL: &str = "https://example.com/hook";

fn with_secrets(project: Uuid) -> Value {
    let mut body = subscription(project, "git.push", URL);
    body["consumerInputs"] = json!({
        "url": URL,
        "httpHeaders": "X-Token:abc\nX-Other:v",
        "basicAuthUsername": "robot",
        "basicAuthPassword": "s3cret",
    });
    body
}

#[tokio::test]
async fn create_fills_in_what_the_service_fills_in() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let created = create(&emu, with_secrets(project)).await;
    let id = id_of(&created);
    assert_eq!(created["status"], "enabled");
    assert_eq!(created["publisherId"], "tfs");
    assert_eq!(created["eventType"], "git.push");
    assert_eq!(created["resourceVersion"], "1.0");
    assert_eq!(
        created["url"],
        format!("{}/fabrikam/_apis/hooks/subscriptions/{id}", emu.base_url())
    );
    let inputs = &created["publisherInputs"];
    assert_eq!(inputs["projectId"], project.to_string());
    assert!(Uuid::parse_str(inputs["tfsSubscriptionId"].as_str().unwrap()).is_ok());
    assert!(Uuid::parse_str(inputs["hostId"].as_str().unwrap()).is_ok());
    let consumer = &created["consumerInputs"];
    assert_eq!(consumer["basicAuthPassword"], "********", "confidential");
    assert_eq!(consumer["basicAuthUsername"], "robot");
    assert_eq!(consumer["httpHeaders"], "X-Token:abc\nX-Other:v");
    assert_eq!(created["createdBy"]["displayName"], "Demo Admin");
    assert_eq!(
        created["modifiedBy"]["uniqueName"],
        "demo.admin@fabrikam.example"
    );
    assert!(created["createdDate"].is_string() && created["modifiedDate"].is_string());
    assert_eq!(created["actionDescription"], "To host example.com");
    assert_eq!(created["eventDescription"], "Any branch on any repository");

    let fetched = get(
        &emu,
        &format!("/fabrikam/_apis/hooks/subscriptions/{id}"),
        FULL,
    )
    .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json(), created);
    let stored = emu.world().subscriptions(&fabrikam()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].consumer_input("basicAuthPassword"),
        Some("s3cret")
    );
}

#[tokio::test]
async fn list_filters_by_type_and_consumer() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    create(&emu, subscription(project, "git.push", URL)).await;
    create(&emu, subscription(project, "build.complete", URL)).await;
    let all = get(&emu, SUBSCRIPTIONS, FULL).await.json();
    assert_eq!(all["count"], 2);
    let pushes = get(
        &emu,
        "/fabrikam/_apis/hooks/subscriptions?eventType=git.push",
        FULL,
    )
    .await
    .json();
    assert_eq!(pushes["count"], 1);
    assert_eq!(pushes["value"][0]["eventType"], "git.push");
    let other = get(
        &emu,
        "/fabrikam/_apis/hooks/subscriptions?consumerId=slack",
        FULL,
    )
    .await
    .json();
    assert_eq!(other["count"], 0);
    let contoso = get(&emu, "/contoso/_apis/hooks/subscriptions", FULL)
        .await
        .json();
    assert_eq!(
        contoso["count"], 0,
        "subscriptions belong to their organization"
    );
}

#[tokio::test]
async fn members_cannot_edit_and_see_nothing() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let denied = post(
        &emu,
        SUBSCRIPTIONS,
        DANA,
        subscription(project, "git.push", URL),
    )
    .await;
    assert_eq!(denied.status, 403, "{}", denied.text);
    assert_eq!(denied.type_key(), "AccessCheckException");
    assert_eq!(
        denied.message(),
        format!(
            "Access Denied: Dana Developer needs the following permission(s) on the resource PublisherSecurity/{project} to perform this action: Edit Subscription"
        )
    );
    assert_eq!(denied.json()["customProperties"]["RequestedPermissions"], 2);
    let created = create(&emu, subscription(project, "git.push", URL)).await;
    let id = id_of(&created);
    let list = get(&emu, SUBSCRIPTIONS, DANA).await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.json()["count"],
        0,
        "listing hides what one may not view"
    );
    let one = get(
        &emu,
        &format!("/fabrikam/_apis/hooks/subscriptions/{id}"),
        DANA,
    )
    .await;
    assert_eq!(one.status, 403);
    let gone = delete(
        &emu,
        &format!("/fabrikam/_apis/hooks/subscriptions/{id}?api-version=7.1"),
        DANA,
    )
    .await;
    assert_eq!(gone.status, 403);
    let changed = put(
        &emu,
        &format!("/fabrikam/_apis/hooks/subscriptions/{id}?api-version=7.1"),
        DANA,
        subscription(project, "git.push", URL),
    )
    .await;
    assert_eq!(changed.status, 403);
}

#[tokio::test]
async fn collection_wide_subscriptions_need_a_collection_administrator() {
    let emu = demo().await;
    let mut body = subscription(Uuid::nil(), "git.push", URL);
    body["publisherInputs"] = json!({});
    let reply = post(&emu, SUBSCRIPTIONS, FULL, body).await;
    assert_eq!(reply.status, 403);
    assert!(
        reply
            .message()
            .contains("on the resource PublisherSecurity to"),
        "{}",
        reply.message()
    );
}

#[tokio::test]
async fn update_replaces_inputs_keeps_masked_secrets_and_changes_status() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let created = create(&emu, with_secrets(project)).await;
    let id = id_of(&created);
    let path = format!("/fabrikam/_apis/hooks/subscriptions/{id}?api-version=7.1");
    let mut body = created.clone();
    body["consumerInputs"]["url"] = json!("https://example.com/other");
    body["status"] = json!("disabledByUser");
    let reply = put(&emu, &path, FULL, body.clone()).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let updated = reply.json();
    assert_eq!(
        updated["consumerInputs"]["url"],
        "https://example.com/other"
    );
    assert_eq!(updated["status"], "disabledByUser");
    assert_eq!(updated["createdDate"], created["createdDate"]);
    assert_eq!(
        updated["publisherInputs"]["tfsSubscriptionId"],
        created["publisherInputs"]["tfsSubscriptionId"]
    );
    let stored = emu.world().subscription(id).unwrap();
    assert_eq!(
        stored.consumer_input("basicAuthPassword"),
        Some("s3cret"),
        "******** keeps the secret"
    );

    emu.world()
        .set_subscription_status(id, SubscriptionStatus::DisabledBySystem);
    body["status"] = json!("enabled");
    let enabled = put(&emu, &path, FULL, body.clone()).await.json();
    assert_eq!(enabled["status"], "enabled", "PUT with enabled re-enables");

    body["status"] = json!("onProbation");
    let refused = put(&emu, &path, FULL, body.clone()).await;
    assert_eq!(refused.status, 400);
    body["status"] = json!("enabled");
    body["publisherInputs"]["projectId"] = json!(emu
        .world()
        .project_id(&fabrikam(), "Tailwind Traders")
        .unwrap());
    let moved = put(&emu, &path, FULL, body).await;
    assert_eq!(moved.status, 400, "the project cannot change");
    assert_eq!(moved.type_key(), "SubscriptionInputException");

    let missing = put(
        &emu,
        &format!(
            "/fabrikam/_apis/hooks/subscriptions/{}?api-version=7.1",
            Uuid::new_v4()
        ),
        FULL,
        created,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.type_key(), "SubscriptionNotFoundException");
}

#[tokio::test]
async fn delete_answers_204_then_the_subscription_is_gone() {
    let emu = demo().await;
    let created = create(&emu, subscription(fiber_cloud(&emu), "git.push", URL)).await;
    let path = format!(
        "/fabrikam/_apis/hooks/subscriptions/{}?api-version=7.1",
        id_of(&created)
    );
    let gone = delete(&emu, &path, FULL).await;
    assert_eq!(gone.status, 204);
    assert!(gone.text.is_empty());
    let again = get(&emu, &path, FULL).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.type_key(), "SubscriptionNotFoundException");
    let not_a_guid = get(&emu, "/fabrikam/_apis/hooks/subscriptions/nope", FULL).await;
    assert_eq!(not_a_guid.status, 404);
}

/// `(mutation, status, typeKey)`.
type Case = (fn(&mut Value), u16, &'static str);

#[tokio::test]
async fn invalid_subscriptions_are_refused_like_the_service_refuses_them() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let cases: Vec<(&str, Case)> = vec![
        (
            "no publisherId",
            (
                |b| {
                    b.as_object_mut().unwrap().remove("publisherId");
                },
                400,
                "ArgumentNullException",
            ),
        ),
        (
            "no eventType",
            (
                |b| {
                    b["eventType"] = json!("");
                },
                400,
                "ArgumentNullException",
            ),
        ),
        (
            "no consumerId",
            (
                |b| {
                    b.as_object_mut().unwrap().remove("consumerId");
                },
                400,
                "ArgumentNullException",
            ),
        ),
        (
            "no consumerActionId",
            (
                |b| {
                    b.as_object_mut().unwrap().remove("consumerActionId");
                },
                400,
                "ArgumentNullException",
            ),
        ),
        (
            "unknown publisher",
            (
                |b| {
                    b["publisherId"] = json!("rm2");
                },
                404,
                "PublisherNotFoundException",
            ),
        ),
        (
            "unknown event type",
            (
                |b| {
                    b["eventType"] = json!("git.teleport");
                },
                404,
                "EventTypeNotFoundException",
            ),
        ),
        (
            "unknown consumer",
            (
                |b| {
                    b["consumerId"] = json!("slack");
                },
                404,
                "ConsumerNotFoundException",
            ),
        ),
        (
            "unknown action",
            (
                |b| {
                    b["consumerActionId"] = json!("postMessage");
                },
                404,
                "ConsumerActionNotFoundException",
            ),
        ),
        (
            "no url",
            (
                |b| {
                    b["consumerInputs"] = json!({});
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "relative url",
            (
                |b| {
                    b["consumerInputs"]["url"] = json!("/hook");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "ftp url",
            (
                |b| {
                    b["consumerInputs"]["url"] = json!("ftp://example.com/x");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "headers without colon",
            (
                |b| {
                    b["consumerInputs"]["httpHeaders"] = json!("X-Token abc");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "header value with a space",
            (
                |b| {
                    b["consumerInputs"]["httpHeaders"] = json!("Authorization: Bearer abc");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "user with a space",
            (
                |b| {
                    b["consumerInputs"]["basicAuthUsername"] = json!("a b");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "masked password",
            (
                |b| {
                    b["consumerInputs"]["basicAuthPassword"] = json!("********");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "empty input",
            (
                |b| {
                    b["consumerInputs"]["messagesToSend"] = json!("");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "unknown input",
            (
                |b| {
                    b["consumerInputs"]["signingSecret"] = json!("x");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "project not a GUID",
            (
                |b| {
                    b["publisherInputs"]["projectId"] = json!("Fiber Cloud");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "unknown project",
            (
                |b| {
                    b["publisherInputs"]["projectId"] = json!(Uuid::nil());
                },
                404,
                "ProjectDoesNotExistException",
            ),
        ),
        (
            "repository not a GUID",
            (
                |b| {
                    b["publisherInputs"]["repository"] = json!("fiber-cloud-api");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
        (
            "bad merge result",
            (
                |b| {
                    b["eventType"] = json!("git.pullrequest.merged");
                    b["publisherInputs"]["mergeResult"] = json!("Maybe");
                },
                400,
                "SubscriptionInputException",
            ),
        ),
    ];
    for (name, (mutate, status, type_key)) in cases {
        let mut body = subscription(project, "git.push", URL);
        mutate(&mut body);
        let reply = post(&emu, SUBSCRIPTIONS, FULL, body).await;
        assert_eq!(reply.status.as_u16(), status, "{name}: {}", reply.text);
        assert_eq!(reply.type_key(), type_key, "{name}");
        assert!(!reply.message().is_empty(), "{name}");
    }
    let empty = post(&emu, SUBSCRIPTIONS, FULL, json!(null)).await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.type_key(), "ArgumentNullException");
    let no_version = post(
        &emu,
        "/fabrikam/_apis/hooks/subscriptions",
        FULL,
        subscription(project, "git.push", URL),
    )
    .await;
    assert_eq!(no_version.status, 400);
    assert_eq!(no_version.type_key(), "VssVersionNotSpecifiedException");
    assert!(emu.world().subscriptions(&fabrikam()).unwrap().is_empty());
}

#[tokio::test]
async fn event_types_need_their_area_scope() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let push = post(
        &emu,
        SUBSCRIPTIONS,
        CODE_READ,
        subscription(project, "git.push", URL),
    )
    .await;
    assert_eq!(
        push.status, 200,
        "vso.code covers git events: {}",
        push.text
    );
    let build = post(
        &emu,
        SUBSCRIPTIONS,
        CODE_READ,
        subscription(project, "build.complete", URL),
    )
    .await;
    assert_eq!(build.status, 403);
    assert_eq!(build.type_key(), "HttpException");
    assert_eq!(build.message(), "No scope found");
    create(&emu, subscription(project, "build.complete", URL)).await;
    let seen = get(&emu, SUBSCRIPTIONS, CODE_READ).await.json();
    assert_eq!(
        seen["count"], 1,
        "build subscriptions are hidden from a code-only token"
    );
    let asked = get(
        &emu,
        "/fabrikam/_apis/hooks/subscriptions?eventType=build.complete",
        CODE_READ,
    )
    .await;
    assert_eq!(asked.status, 404);
    let project_only = get(&emu, SUBSCRIPTIONS, PROJECT_ONLY).await;
    assert_eq!(
        project_only.status, 401,
        "no code, build or work scope at all"
    );
    assert!(project_only.message().starts_with("TF400813"));
}

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

#[tokio::test]
async fn put_without_an_id_in_the_path_takes_the_body_id() {
    let emu = demo().await;
    let created = create(&emu, subscription(fiber_cloud(&emu), "git.push", URL)).await;
    let mut body = created.clone();
    body["consumerInputs"]["url"] = json!("https://example.com/moved");
    let reply = put(&emu, SUBSCRIPTIONS, FULL, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["id"], created["id"]);
    assert_eq!(
        reply.json()["consumerInputs"]["url"],
        "https://example.com/moved"
    );
    let mut no_id = created;
    no_id.as_object_mut().unwrap().remove("id");
    assert_eq!(put(&emu, SUBSCRIPTIONS, FULL, no_id).await.status, 400);
}

#[tokio::test]
async fn hooks_requests_can_be_throttled() {
    let emu = demo().await;
    emu.throttle_hooks(HooksThrottle::reject(2, 3));
    for _ in 0..2 {
        let limited = get(&emu, SUBSCRIPTIONS, FULL).await;
        assert_eq!(limited.status, 429);
        assert_eq!(limited.header("retry-after"), Some("3"));
        assert_eq!(limited.type_key(), "RequestBlockedException");
    }
    // Other areas are not throttled by this.
    assert_eq!(
        get(&emu, "/fabrikam/_apis/projects", FULL).await.status,
        200
    );
    let ok = get(&emu, SUBSCRIPTIONS, FULL).await;
    assert_eq!(ok.status, 200);
    emu.throttle_hooks(HooksThrottle::warn(1, 5));
    let warned = get(&emu, SUBSCRIPTIONS, FULL).await;
    assert_eq!(warned.status, 200, "a warning is still a success");
    assert_eq!(warned.header("retry-after"), Some("5"));
    assert_eq!(warned.header("x-ratelimit-remaining"), Some("0"));
    assert!(warned.header("x-ratelimit-reset").is_some());
    assert!(warned.header("x-ratelimit-limit").is_some());
    let after = get(&emu, SUBSCRIPTIONS, FULL).await;
    assert_eq!(after.header("retry-after"), None);
}

#[tokio::test]
async fn the_global_faults_reach_hooks_routes_too() {
    let emu = demo().await;
    emu.set_faults(Faults {
        rate_limit_every: 1,
        retry_after_secs: 2,
        ..Faults::none()
    });
    let limited = get(&emu, SUBSCRIPTIONS, FULL).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("2"));
}

#[tokio::test]
async fn servers_have_hooks_within_their_version() {
    let emu = demo().await;
    let project = emu
        .world()
        .project_id(
            &HostPath::collection("fabrikam-tfs", "DefaultCollection"),
            "Fabrikam Fiber",
        )
        .unwrap();
    let path = "/tfs/DefaultCollection/_apis/hooks/subscriptions?api-version=7.0";
    let created = post(
        &emu,
        path,
        FULL,
        subscription(project, "build.complete", URL),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert!(created.json()["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!(
            "{}/tfs/DefaultCollection/_apis/hooks/subscriptions/",
            emu.base_url()
        )));
    let too_new = get(
        &emu,
        "/tfs/DefaultCollection/_apis/hooks/subscriptions?api-version=7.1",
        FULL,
    )
    .await;
    assert_eq!(too_new.status, 400);
    assert_eq!(too_new.type_key(), "VssVersionOutOfRangeException");
}
