//! `_apis/hooks/subscriptions`: what the service fills in, list, update and delete, who may
//! edit, throttling and faults, and the Server versions that have service hooks.

use ado_emulator::hooks::{HooksThrottle, SubscriptionStatus};
use ado_emulator::{Faults, HostPath};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

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
