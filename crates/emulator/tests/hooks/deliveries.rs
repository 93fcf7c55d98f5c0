//! Events delivered to a receiver on 127.0.0.1: which subscriptions get them, their payloads,
//! the filters of each event type, and the real things they name.

use ado_emulator::activity::BuildResult;
use ado_emulator::hooks::{Event, NotificationResult};
use ado_emulator::HostPath;
use base64::Engine as _;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_push_is_posted_with_headers_basic_auth_and_the_documented_payload() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let project = fiber_cloud(&emu);
    let api = repo(&emu, "fiber-cloud-api");
    let mut body = subscription(project, "git.push", &receiver.url);
    body["publisherInputs"]["repository"] = json!(api);
    body["publisherInputs"]["branch"] = json!("main");
    body["consumerInputs"]["httpHeaders"] = json!("X-Token:abc\nX-Other: two");
    body["consumerInputs"]["basicAuthUsername"] = json!("robot");
    body["consumerInputs"]["basicAuthPassword"] = json!("s3cret");
    let sub = id_of(&create(&emu, body).await);

    let done = emu.fire(push().title("Fix the build")).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].result, NotificationResult::Succeeded);
    assert_eq!(done[0].status_code, Some(200));
    assert_eq!(done[0].request_attempts, 1);

    let got = receiver.requests();
    assert_eq!(got.len(), 1);
    let request = &got[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hook");
    assert_eq!(
        request.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(request.header("x-token"), Some("abc"));
    assert_eq!(request.header("x-other"), Some("two"));
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("robot:s3cret")
    );
    assert_eq!(request.header("authorization"), Some(expected.as_str()));

    let payload = request.json();
    let keys: Vec<&str> = payload
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "subscriptionId",
            "notificationId",
            "id",
            "eventType",
            "publisherId",
            "message",
            "detailedMessage",
            "resource",
            "resourceVersion",
            "resourceContainers",
            "createdDate"
        ]
    );
    assert_eq!(payload["subscriptionId"], sub.to_string());
    assert_eq!(payload["notificationId"], done[0].id);
    assert_eq!(payload["eventType"], "git.push");
    assert_eq!(payload["publisherId"], "tfs");
    assert_eq!(payload["resourceVersion"], "1.0");
    assert_eq!(
        payload["message"]["text"],
        "Demo Admin pushed updates to branch main of repository fiber-cloud-api."
    );
    assert!(payload["detailedMessage"]["text"]
        .as_str()
        .unwrap()
        .contains("Fix the build"));
    let resource = &payload["resource"];
    assert_eq!(resource["refUpdates"][0]["name"], "refs/heads/main");
    assert_eq!(resource["repository"]["id"], api.to_string());
    assert_eq!(resource["repository"]["project"]["id"], project.to_string());
    assert_eq!(resource["pushedBy"]["displayName"], "Demo Admin");
    assert_eq!(resource["commits"][0]["comment"], "Fix the build");
    assert_eq!(
        resource["commits"][0]["commitId"].as_str().unwrap().len(),
        40
    );
    assert_eq!(resource["pushId"], 1);
    let org = emu.startup_info()["organizations"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        payload["resourceContainers"]["project"]["id"],
        project.to_string()
    );
    assert_eq!(
        payload["resourceContainers"]["collection"]["baseUrl"],
        format!("{org}/")
    );
    assert!(payload["createdDate"].is_string());
    assert_eq!(done[0].payload, payload);
}

#[tokio::test]
async fn only_matching_subscriptions_receive_an_event() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let project = fiber_cloud(&emu);
    let mut on_main = subscription(project, "git.push", &receiver.url);
    on_main["publisherInputs"]["repository"] = json!(repo(&emu, "fiber-cloud-api"));
    on_main["publisherInputs"]["branch"] = json!("refs/heads/main");
    create(&emu, on_main).await;

    assert_eq!(
        emu.fire(push().branch("feature/x")).await.unwrap().len(),
        0,
        "other branch"
    );
    let web = Event::push("fabrikam", "Fiber Cloud", "fiber-cloud-web");
    assert_eq!(emu.fire(web).await.unwrap().len(), 0, "other repository");
    let other_project = Event::push("fabrikam", "Tailwind Traders", "tailwind-traders");
    assert_eq!(
        emu.fire(other_project).await.unwrap().len(),
        0,
        "other project"
    );
    let other_host = Event::push("contoso", "Contoso Mobile", "contoso-mobile");
    assert_eq!(
        emu.fire(other_host).await.unwrap().len(),
        0,
        "other organization"
    );
    let pr = Event::pull_request_created("fabrikam", "Fiber Cloud", "fiber-cloud-api");
    assert_eq!(emu.fire(pr).await.unwrap().len(), 0, "other event type");
    assert_eq!(emu.fire(push().branch("MAIN")).await.unwrap().len(), 1);
    assert_eq!(receiver.requests().len(), 1);
}

#[tokio::test]
async fn pull_request_events_change_the_world_and_filter_on_merge_results() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let project = fiber_cloud(&emu);
    create(
        &emu,
        subscription(project, "git.pullrequest.created", &receiver.url),
    )
    .await;
    let mut merged_ok = subscription(project, "git.pullrequest.merged", &receiver.url);
    merged_ok["publisherInputs"]["mergeResult"] = json!("Succeeded");
    create(&emu, merged_ok).await;
    let mut merged_bad = subscription(project, "git.pullrequest.merged", &receiver.url);
    merged_bad["publisherInputs"]["mergeResult"] = json!("Unsuccessful");
    create(&emu, merged_bad).await;

    let created = emu
        .fire(
            Event::pull_request_created("fabrikam", "Fiber Cloud", "fiber-cloud-api")
                .title("Add retries")
                .source_branch("feature/retries"),
        )
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
    let resource = &created[0].payload["resource"];
    assert_eq!(resource["pullRequestId"], 6, "after the host's seeded 1–5");
    assert_eq!(resource["status"], "active");
    assert_eq!(resource["sourceRefName"], "refs/heads/feature/retries");
    assert_eq!(
        created[0].payload["message"]["text"],
        "Demo Admin created a new pull request"
    );
    let listed = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests?$top=1",
        FULL,
    )
    .await
    .json();
    assert_eq!(
        listed["value"][0]["title"], "Add retries",
        "the world has the new pull request"
    );

    let conflict = emu
        .fire(
            Event::pull_request_merged("fabrikam", "Fiber Cloud", "fiber-cloud-api")
                .pull_request(6)
                .merge_result("Conflicts"),
        )
        .await
        .unwrap();
    assert_eq!(conflict.len(), 1, "only the Unsuccessful subscription");
    assert_eq!(conflict[0].payload["resource"]["mergeStatus"], "conflicts");
    let merged = emu
        .fire(
            Event::pull_request_merged("fabrikam", "Fiber Cloud", "fiber-cloud-api")
                .pull_request(6),
        )
        .await
        .unwrap();
    assert_eq!(merged.len(), 1);
    assert_eq!(merged[0].payload["resource"]["status"], "completed");
    assert!(merged[0].payload["resource"]["closedDate"].is_string());
    let again = emu
        .fire(Event::pull_request_merged(
            "fabrikam",
            "Fiber Cloud",
            "fiber-cloud-api",
        ))
        .await;
    assert!(
        again.is_ok(),
        "the newest active pull request (3) is merged"
    );
    let none = emu
        .fire(Event::pull_request_merged(
            "fabrikam",
            "Fiber Cloud",
            "fiber-cloud-api",
        ))
        .await;
    assert!(
        matches!(none, Err(ado_emulator::Error::NotFound(_))),
        "{none:?}"
    );
}

#[tokio::test]
async fn pull_request_updates_filter_on_the_notification_type() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let mut status_only = subscription(fiber_cloud(&emu), "git.pullrequest.updated", &receiver.url);
    status_only["publisherInputs"]["notificationType"] = json!("StatusUpdateNotification");
    create(&emu, status_only).await;
    let updated = Event::pull_request_updated("fabrikam", "Fiber Cloud", "fiber-cloud-api");
    assert_eq!(
        emu.fire(updated.clone()).await.unwrap().len(),
        0,
        "a push update"
    );
    let status = emu
        .fire(updated.notification_type("StatusUpdateNotification"))
        .await
        .unwrap();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].payload["resource"]["pullRequestId"], 3);
}

#[tokio::test]
async fn build_events_filter_on_status_and_definition_and_add_builds() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let project = fiber_cloud(&emu);
    let mut failed = subscription(project, "build.complete", &receiver.url);
    failed["publisherInputs"]["buildStatus"] = json!("Failed");
    failed["publisherInputs"]["definitionName"] = json!("fiber-cloud-api CI");
    let created = create(&emu, failed).await;
    assert_eq!(
        created["eventDescription"],
        "Build fiber-cloud-api CI, status Failed"
    );

    let green = Event::build_completed("fabrikam", "Fiber Cloud").repository("fiber-cloud-api");
    assert_eq!(emu.fire(green).await.unwrap().len(), 0);
    let red_web = Event::build_completed("fabrikam", "Fiber Cloud")
        .repository("fiber-cloud-web")
        .result(BuildResult::Failed);
    assert_eq!(emu.fire(red_web).await.unwrap().len(), 0, "other pipeline");
    let red = Event::build_completed("fabrikam", "Fiber Cloud")
        .repository("fiber-cloud-api")
        .result(BuildResult::Failed);
    let done = emu.fire(red).await.unwrap();
    assert_eq!(done.len(), 1);
    let resource = &done[0].payload["resource"];
    assert_eq!(
        resource["status"], "failed",
        "resourceVersion 1.0 names the result status"
    );
    assert_eq!(resource["definition"]["name"], "fiber-cloud-api CI");
    assert!(done[0].payload["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with(" failed"));
    let builds = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/build/builds?$top=1",
        FULL,
    )
    .await
    .json();
    assert_eq!(
        builds["value"][0]["id"], resource["id"],
        "the world has the new build"
    );
    assert_eq!(builds["value"][0]["result"], "failed");
}

#[tokio::test]
async fn consumer_inputs_shape_the_payload() {
    let emu = quick(0, 7).await;
    let receiver = Receiver::start(&[]).await;
    let mut body = subscription(fiber_cloud(&emu), "git.push", &receiver.url);
    body["consumerInputs"]["messagesToSend"] = json!("text");
    body["consumerInputs"]["detailedMessagesToSend"] = json!("none");
    body["consumerInputs"]["resourceDetailsToSend"] = json!("minimal");
    create(&emu, body).await;
    emu.fire(push()).await.unwrap();
    let payload = receiver.requests()[0].json();
    assert_eq!(payload["message"].as_object().unwrap().len(), 1);
    assert!(payload["message"]["text"].is_string());
    assert!(payload.get("detailedMessage").is_none());
    assert_eq!(
        payload["resource"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["pushId", "url"]
    );

    let mut v2 = subscription(fiber_cloud(&emu), "build.complete", &receiver.url);
    v2["resourceVersion"] = json!("2.0");
    create(&emu, v2).await;
    emu.fire(Event::build_completed("fabrikam", "Fiber Cloud"))
        .await
        .unwrap();
    let build = receiver.requests().last().unwrap().json();
    assert_eq!(build["resourceVersion"], "2.0");
    assert_eq!(
        build["resource"]["status"], "completed",
        "2.0 is the REST Build"
    );
    assert_eq!(build["resource"]["result"], "succeeded");
}

#[tokio::test]
async fn events_name_real_things() {
    let emu = demo().await;
    let emu = &emu;
    let unknown = |e: Event| async move { emu.fire(e).await.unwrap_err() };
    assert!(matches!(
        unknown(Event::push("nowhere", "Fiber Cloud", "x")).await,
        ado_emulator::Error::NotFound(_)
    ));
    assert!(matches!(
        unknown(Event::push("fabrikam", "Nope", "x")).await,
        ado_emulator::Error::NotFound(_)
    ));
    assert!(matches!(
        unknown(Event::push("fabrikam", "Fiber Cloud", "nope")).await,
        ado_emulator::Error::NotFound(_)
    ));
    assert!(matches!(
        unknown(push().actor("ghost@example.com")).await,
        ado_emulator::Error::NotFound(_)
    ));
    assert!(matches!(
        unknown(
            Event::pull_request_merged("fabrikam", "Fiber Cloud", "fiber-cloud-api")
                .merge_result("Maybe")
        )
        .await,
        ado_emulator::Error::InvalidEvent(_)
    ));
    // A Server collection by its path; the first push into an empty repository sets its branch.
    let host = HostPath::collection("fabrikam-tfs", "DefaultCollection");
    emu.fire(Event::push(
        "tfs/DefaultCollection",
        "Fabrikam Fiber",
        "web portal",
    ))
    .await
    .unwrap();
    emu.fire(Event::push("fabrikam", "Fiber Cloud", "sandbox").branch("trunk"))
        .await
        .unwrap();
    let sandbox = get(
        emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories/sandbox",
        FULL,
    )
    .await
    .json();
    assert_eq!(sandbox["defaultBranch"], "refs/heads/trunk");
    assert!(emu.world().project_id(&host, "Fabrikam Fiber").is_some());
}
