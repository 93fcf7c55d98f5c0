//! Subscriptions the service refuses, refused the same way (status and typeKey), and the area
//! scope each event type needs.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

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
