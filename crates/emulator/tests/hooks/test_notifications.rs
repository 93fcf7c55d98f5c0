//! Test notifications: a sample or a subscription's real data delivered on demand, answered
//! with the outcome, leaving the subscription as it was.

use ado_emulator::hooks::SubscriptionStatus;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn test_notifications_deliver_a_sample_and_answer_with_the_outcome() {
    let emu = quick(3, 7).await;
    let receiver = Receiver::start(&[]).await;
    let project = fiber_cloud(&emu);
    let test = json!({
        "details": {
            "publisherId": "tfs",
            "eventType": "git.push",
            "consumerId": "webHooks",
            "consumerActionId": "httpRequest",
            "publisherInputs": { "projectId": project },
            "consumerInputs": { "url": receiver.url, "httpHeaders": "X-Token:abc" }
        }
    });
    let reply = post(
        &emu,
        "/fabrikam/_apis/hooks/testnotifications?api-version=7.1",
        FULL,
        test.clone(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let notification = reply.json();
    assert_eq!(notification["result"], "succeeded");
    assert_eq!(notification["status"], "completed");
    assert_eq!(notification["subscriptionId"], Uuid::nil().to_string());
    assert!(notification["details"]["request"]
        .as_str()
        .unwrap()
        .contains("X-Token: ********"));
    assert!(notification["details"]["response"]
        .as_str()
        .unwrap()
        .starts_with("Status Code: 200"));
    let got = receiver.requests();
    assert_eq!(got.len(), 1);
    let payload = got[0].json();
    assert_eq!(payload["subscriptionId"], Uuid::nil().to_string());
    assert_eq!(
        payload["resource"]["repository"]["name"], "Fabrikam-Fiber-Git",
        "sample data"
    );
    assert_eq!(
        payload["resourceContainers"]["project"]["id"],
        "be9b3917-87e6-42a4-a549-2bc06a7a878f"
    );
    assert_eq!(got[0].header("x-token"), Some("abc"));

    // The tester can read it back, as the web UI polls it.
    let id = notification["id"].as_i64().unwrap();
    let back = get(
        &emu,
        &format!(
            "/fabrikam/_apis/hooks/subscriptions/{}/notifications/{id}",
            Uuid::nil()
        ),
        FULL,
    )
    .await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.json()["result"], "succeeded");

    let dana = post(
        &emu,
        "/fabrikam/_apis/hooks/testnotifications?api-version=7.1",
        DANA,
        test,
    )
    .await;
    assert_eq!(dana.status, 403);
    let real_without_subscription = post(
        &emu,
        "/fabrikam/_apis/hooks/testnotifications?useRealData=true&api-version=7.1",
        FULL,
        json!({"details": {"publisherId": "tfs", "eventType": "git.push", "consumerId": "webHooks", "consumerActionId": "httpRequest"}}),
    )
    .await;
    assert_eq!(real_without_subscription.status, 400);
}

#[tokio::test]
async fn test_notifications_of_a_subscription_use_real_data_and_leave_it_alone() {
    let emu = quick(3, 7).await;
    let receiver = Receiver::start(&[410]).await;
    let project = fiber_cloud(&emu);
    let sub = id_of(
        &create(
            &emu,
            subscription(project, "git.pullrequest.merged", &receiver.url),
        )
        .await,
    );
    let reply = post(
        &emu,
        "/fabrikam/_apis/hooks/testnotifications?useRealData=true&api-version=7.1",
        FULL,
        json!({ "subscriptionId": sub }),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let notification = reply.json();
    assert_eq!(notification["result"], "failed");
    assert_eq!(
        notification["details"]["requestAttempts"], 1,
        "tests are not retried"
    );
    let payload = receiver.requests()[0].json();
    assert_eq!(payload["subscriptionId"], sub.to_string());
    assert_eq!(
        payload["resource"]["repository"]["project"]["id"],
        project.to_string(),
        "real data"
    );
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::Enabled,
        "a test never changes the subscription"
    );
    let history = get(
        &emu,
        &format!("/fabrikam/_apis/hooks/subscriptions/{sub}/notifications"),
        FULL,
    )
    .await
    .json();
    assert_eq!(history["count"], 1);
    let overridden = post(
        &emu,
        "/fabrikam/_apis/hooks/testnotifications?useRealData=true&api-version=7.1",
        FULL,
        json!({ "subscriptionId": sub, "details": { "consumerInputs": { "url": receiver.url } } }),
    )
    .await;
    assert_eq!(overridden.status, 400);
    assert_eq!(overridden.type_key(), "InvalidOperationException");
    let unknown_type: Value = post(
        &emu,
        "/fabrikam/_apis/hooks/testnotifications?api-version=7.1",
        FULL,
        json!({"details": {"publisherId": "tfs", "eventType": "workitem.created", "consumerId": "webHooks",
               "consumerActionId": "httpRequest", "publisherInputs": {"projectId": project},
               "consumerInputs": {"url": receiver.url}}}),
    )
    .await
    .json();
    assert_eq!(unknown_type["typeKey"], "ArgumentException");
}
