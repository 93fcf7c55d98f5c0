//! `/_emulator/…`: firing events with curl, reading deliveries, throttling, forcing failures.

use serde_json::{json, Value};

use crate::support::*;

async fn control(
    emu: &ado_emulator::Emulator,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", emu.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn events_fire_from_the_control_endpoint() {
    let emu = demo().await;
    emu.set_delivery_config(ado_emulator::hooks::DeliveryConfig::quick(0, 7));
    let receiver = Receiver::start(&[]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    let (status, fired) = control(
        &emu,
        reqwest::Method::POST,
        "/_emulator/events?wait=true",
        Some(
            json!({"kind": "push", "host": "fabrikam", "project": "Fiber Cloud",
                    "repository": "fiber-cloud-api", "branch": "main"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{fired}");
    assert_eq!(fired["eventType"], "git.push");
    assert_eq!(fired["notifications"][0]["subscriptionId"], sub.to_string());
    assert_eq!(fired["deliveries"][0]["result"], "succeeded");
    assert_eq!(receiver.requests().len(), 1);

    // Without wait the answer comes at once; /_emulator/wait waits for the delivery.
    let (status, fired) = control(
        &emu,
        reqwest::Method::POST,
        "/_emulator/events",
        Some(json!({"kind": "pullRequestCreated", "host": "fabrikam", "project": "Fiber Cloud"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(fired["eventType"], "git.pullrequest.created");
    assert!(fired.get("deliveries").is_none());
    let (status, _) = control(&emu, reqwest::Method::POST, "/_emulator/wait", None).await;
    assert_eq!(status, 200);

    let (_, all) = control(&emu, reqwest::Method::GET, "/_emulator/deliveries", None).await;
    assert_eq!(all["count"], 1, "the pull request matched no subscription");
    assert_eq!(all["value"][0]["statusCode"], 200);
    assert_eq!(all["value"][0]["payload"]["eventType"], "git.push");

    for (event, wanted) in [
        (
            json!({"kind": "push", "host": "tfs/DefaultCollection", "project": "Fabrikam Fiber"}),
            200,
        ),
        (
            json!({"kind": "buildCompleted", "host": "fabrikam", "project": "Fiber Cloud", "result": "failed"}),
            200,
        ),
        (
            json!({"kind": "push", "host": "fabrikam", "project": "Nope"}),
            404,
        ),
        (
            json!({"kind": "teleport", "host": "fabrikam", "project": "Fiber Cloud"}),
            400,
        ),
        (
            json!({"kind": "pullRequestMerged", "host": "fabrikam", "project": "Fiber Cloud", "mergeResult": "Maybe"}),
            400,
        ),
    ] {
        let (status, body) = control(
            &emu,
            reqwest::Method::POST,
            "/_emulator/events",
            Some(event.clone()),
        )
        .await;
        assert_eq!(status, wanted, "{event}: {body}");
    }
}

#[tokio::test]
async fn throttle_config_and_failures_are_set_over_http() {
    let emu = demo().await;
    let (status, body) = control(
        &emu,
        reqwest::Method::POST,
        "/_emulator/hooks/throttle",
        Some(json!({"rejectNext": 1, "retryAfterSecs": 7})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let limited = get(&emu, SUBSCRIPTIONS, FULL).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(get(&emu, SUBSCRIPTIONS, FULL).await.status, 200);

    let (_, config) = control(
        &emu,
        reqwest::Method::POST,
        "/_emulator/hooks/config",
        Some(json!({"transientRetries": 0, "maxProbationRetries": 1})),
    )
    .await;
    assert_eq!(config["transientRetries"], 0);
    assert_eq!(config["timeoutMs"], 5000, "unchanged fields stay");
    assert_eq!(emu.delivery_config().max_probation_retries, 1);

    let receiver = Receiver::start(&[]).await;
    let sub = id_of(
        &create(
            &emu,
            subscription(fiber_cloud(&emu), "git.push", &receiver.url),
        )
        .await,
    );
    let path = format!("/_emulator/subscriptions/{sub}/fail");
    let (status, _) = control(
        &emu,
        reqwest::Method::POST,
        &path,
        Some(json!({"status": 503})),
    )
    .await;
    assert_eq!(status, 200);
    let push = ado_emulator::hooks::Event::push("fabrikam", "Fiber Cloud", "fiber-cloud-api");
    let done = emu.fire(push.clone()).await.unwrap();
    assert_eq!(done[0].status_code, Some(503));
    assert!(receiver.requests().is_empty());
    control(&emu, reqwest::Method::DELETE, &path, None).await;
    let (status, body) = control(
        &emu,
        reqwest::Method::POST,
        &format!("/_emulator/subscriptions/{sub}/status"),
        Some(json!({"status": "enabled"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    emu.fire(push).await.unwrap();
    assert_eq!(receiver.requests().len(), 1);

    let (status, _) = control(&emu, reqwest::Method::GET, "/_emulator/nothing", None).await;
    assert_eq!(status, 404);
    let (status, _) = control(
        &emu,
        reqwest::Method::POST,
        &format!("/_emulator/subscriptions/{}/fail", uuid::Uuid::new_v4()),
        Some(json!({"status": 503})),
    )
    .await;
    assert_eq!(status, 404);
}
