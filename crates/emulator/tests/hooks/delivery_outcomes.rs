//! What becomes of a delivery: the notification history, retries, probation and disabling,
//! receivers that fail, refuse or are not on loopback, and waiting for background deliveries.

use ado_emulator::hooks::{NotificationResult, SubscriptionStatus};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn notification_history_shows_requests_responses_and_filters() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[200, 404]).await;
    let mut body = subscription(fiber_cloud(&emu), "git.push", &receiver.url);
    // A value no GUID or port in the dump can contain by chance.
    body["consumerInputs"]["httpHeaders"] = json!("X-Token:history-secret-value");
    let sub = id_of(&create(&emu, body).await);
    emu.fire(push()).await.unwrap();
    let failed = emu.fire(push()).await.unwrap();
    assert_eq!(failed[0].result, NotificationResult::Failed);
    assert_eq!(
        failed[0].error_message.as_deref(),
        Some("Response status code does not indicate success: 404 (Not Found).")
    );

    let path = format!("/fabrikam/_apis/hooks/subscriptions/{sub}/notifications");
    let all = get(&emu, &path, FULL).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let all = all.json();
    assert_eq!(all["count"], 2);
    let newest = &all["value"][0];
    assert_eq!(newest["result"], "failed", "newest first");
    assert_eq!(newest["status"], "completed");
    assert_eq!(newest["subscriptionId"], sub.to_string());
    let details = &newest["details"];
    assert_eq!(details["eventType"], "git.push");
    assert_eq!(details["requestAttempts"], 1);
    let request = details["request"].as_str().unwrap();
    assert!(
        request.starts_with(&format!("Method: POST\r\nURI: {}", receiver.url)),
        "{request}"
    );
    assert!(request.contains("X-Token: ********"), "{request}");
    assert!(
        !request.contains("history-secret-value"),
        "the header's value is masked"
    );
    assert!(details["response"]
        .as_str()
        .unwrap()
        .starts_with("Status Code: 404"));
    assert_eq!(details["event"]["eventType"], "git.push");
    assert!(details["event"].get("subscriptionId").is_none());

    let only_ok = get(&emu, &format!("{path}?result=succeeded"), FULL)
        .await
        .json();
    assert_eq!(only_ok["count"], 1);
    let one = get(&emu, &format!("{path}?maxResults=1"), FULL)
        .await
        .json();
    assert_eq!(one["count"], 1);
    let id = newest["id"].as_i64().unwrap();
    let single = get(&emu, &format!("{path}/{id}"), FULL).await;
    assert_eq!(single.status, 200);
    assert_eq!(single.json()["id"], id);
    let missing = get(&emu, &format!("{path}/999"), FULL).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.type_key(), "NotificationNotFoundException");
    assert_eq!(
        get(&emu, &path, DANA).await.status,
        403,
        "history needs ViewSubscriptions"
    );
    assert_eq!(
        get(&emu, &format!("{path}?result=great"), FULL)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn failures_put_a_subscription_on_probation_then_disable_it() {
    let emu = quick(0, 2).await;
    let receiver = Receiver::start(&[500, 500, 500]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    let status = || emu.world().subscription(sub).unwrap();

    emu.fire(push()).await.unwrap();
    assert_eq!(status().status, SubscriptionStatus::OnProbation);
    assert_eq!(status().probation_retries, 0);
    emu.fire(push()).await.unwrap();
    assert_eq!(status().status, SubscriptionStatus::OnProbation);
    assert_eq!(status().probation_retries, 1);
    let shown = get(
        &emu,
        &format!("/fabrikam/_apis/hooks/subscriptions/{sub}"),
        FULL,
    )
    .await
    .json();
    assert_eq!(shown["status"], "onProbation");
    assert_eq!(shown["probationRetries"], 1);
    emu.fire(push()).await.unwrap();
    assert_eq!(status().status, SubscriptionStatus::DisabledBySystem);
    assert_eq!(
        emu.fire(push()).await.unwrap().len(),
        0,
        "disabled subscriptions get nothing"
    );
    assert_eq!(receiver.requests().len(), 3);

    let mut body = shown.clone();
    body["status"] = json!("enabled");
    body["consumerInputs"] = json!({ "url": receiver.url });
    let path = format!("/fabrikam/_apis/hooks/subscriptions/{sub}?api-version=7.1");
    assert_eq!(
        put(&emu, &path, FULL, body).await.json()["status"],
        "enabled"
    );
    assert_eq!(status().probation_retries, 0);
    assert_eq!(
        emu.fire(push()).await.unwrap()[0].result,
        NotificationResult::Succeeded
    );
}

#[tokio::test]
async fn a_success_on_probation_enables_the_subscription_again() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[400]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    emu.fire(push()).await.unwrap();
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::OnProbation
    );
    emu.fire(push()).await.unwrap();
    let after = emu.world().subscription(sub).unwrap();
    assert_eq!(after.status, SubscriptionStatus::Enabled);
    assert_eq!(after.probation_retries, 0);
}

#[tokio::test]
async fn gone_disables_at_once() {
    let emu = quick(3, 7).await;
    let receiver = Receiver::start(&[410]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    let done = emu.fire(push()).await.unwrap();
    assert_eq!(done[0].request_attempts, 1, "410 is not retried");
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::DisabledBySystem
    );
}

#[tokio::test]
async fn transient_failures_are_retried() {
    let emu = quick(2, 7).await;
    let receiver = Receiver::start(&[503, 504, 200]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    let done = emu.fire(push()).await.unwrap();
    assert_eq!(done[0].result, NotificationResult::Succeeded);
    assert_eq!(done[0].request_attempts, 3);
    assert_eq!(receiver.requests().len(), 3);
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::Enabled
    );

    receiver.answer(&[503, 503, 503]);
    let exhausted = emu.fire(push()).await.unwrap();
    assert_eq!(exhausted[0].result, NotificationResult::Failed);
    assert_eq!(exhausted[0].request_attempts, 3);
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::OnProbation,
        "exhausted retries count as an enduring failure"
    );
}

#[tokio::test]
async fn connection_failures_and_redirects_fail_the_delivery() {
    let emu = quick(1, 7).await;
    // A port nobody listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    create(
        &emu,
        subscription(
            fiber_cloud(&emu),
            "git.push",
            &format!("http://127.0.0.1:{port}/x"),
        ),
    )
    .await;
    let done = emu.fire(push()).await.unwrap();
    assert_eq!(done[0].result, NotificationResult::Failed);
    assert_eq!(
        done[0].request_attempts, 2,
        "connection errors are transient"
    );
    assert_eq!(
        done[0].error_message.as_deref(),
        Some("An error occurred while sending the request.")
    );

    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[302]).await;
    create(
        &emu,
        subscription(fiber_cloud(&emu), "git.push", &receiver.url),
    )
    .await;
    let done = emu.fire(push()).await.unwrap();
    assert_eq!(
        done[0].result,
        NotificationResult::Failed,
        "redirects are not followed"
    );
    assert_eq!(done[0].status_code, Some(302));
    assert_eq!(receiver.requests().len(), 1);
}

#[tokio::test]
async fn only_loopback_receivers_are_contacted() {
    let emu = quick(3, 7).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", "https://example.com/hook"),
        )
        .await,
    );
    let done = emu.fire(push()).await.unwrap();
    assert_eq!(done[0].result, NotificationResult::Failed);
    assert_eq!(done[0].request_attempts, 1);
    assert!(done[0]
        .error_detail
        .as_deref()
        .unwrap()
        .contains("loopback"));
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::Enabled,
        "not the receiver's fault"
    );
}

#[tokio::test]
async fn deliveries_can_be_made_to_fail() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    emu.fail_deliveries(sub, 410);
    let done = emu.fire(push()).await.unwrap();
    assert_eq!(done[0].status_code, Some(410));
    assert!(
        receiver.requests().is_empty(),
        "the receiver is not contacted"
    );
    assert_eq!(
        emu.world().subscription(sub).unwrap().status,
        SubscriptionStatus::DisabledBySystem
    );
    emu.clear_delivery_failures(sub);
    emu.world()
        .set_subscription_status(sub, SubscriptionStatus::Enabled);
    emu.fire(push()).await.unwrap();
    assert_eq!(receiver.requests().len(), 1);
}

#[tokio::test]
async fn background_deliveries_can_be_awaited() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    let fired = emu.fire_in_background(push()).unwrap();
    assert_eq!(fired.event_type, "git.push");
    assert_eq!(fired.notifications.len(), 1);
    assert_eq!(fired.notifications[0].0, sub);
    emu.wait_for_deliveries().await;
    assert_eq!(receiver.requests().len(), 1);
    let all = emu.deliveries();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].result, NotificationResult::Succeeded);
    assert_eq!(emu.world().notifications(sub).len(), 1);
}
