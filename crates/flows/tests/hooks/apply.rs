//! Planning and applying: what a plan creates, running again, a stale plan applied twice,
//! someone else's matching subscription left alone or taken over, a disabled subscription
//! re-enabled, several repositories in one plan, Services organizations, and the client's
//! subscriptions query.

use std::sync::Mutex;

use ado_core::checks::CheckCode;
use ado_core::webhook::{EventKind, HookOrigin, ReceiverIssue};
use ado_emulator::hooks::{Event, SubscriptionStatus as EmuStatus};
use ado_flows::hooks::{self, ApplyEvent, ApplyOptions, Phase, SecretSource};

use crate::support::*;

#[tokio::test]
async fn plan_then_apply_creates_and_applying_again_changes_nothing() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    assert_eq!(plan.plan.create.len(), 5, "{}", plan.plan.summary());
    assert_eq!(plan.secret_source, SecretSource::Generated);
    assert_eq!(plan.project.name, PROJECT);
    assert_eq!(plan.repository.as_ref().unwrap().name, REPOSITORY);
    let issues: Vec<ReceiverIssue> = plan.warnings.iter().map(|w| w.issue).collect();
    assert_eq!(
        issues,
        [ReceiverIssue::Loopback, ReceiverIssue::PlainHttp],
        "a loopback http receiver works only because the sandbox is local, and says so"
    );
    assert!(
        plan.notes.iter().any(|n| n.contains("Build completed")),
        "build events ignore the repository: {:?}",
        plan.notes
    );

    let events = Mutex::new(Vec::<ApplyEvent>::new());
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|e| {
        events.lock().unwrap().push(e.clone())
    })
    .await
    .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.created.len(), 5);
    let secret = report
        .secret
        .clone()
        .expect("a generated secret is shown once");
    assert_eq!(secret.header, "X-ADO-Connect-Secret");
    assert_eq!(secret.value.len(), 43);
    let json = serde_json::to_string(&plan).unwrap();
    assert!(
        !json.contains(&secret.value),
        "the plan never serializes the secret: {json}"
    );
    let events = events.into_inner().unwrap();
    assert_eq!(
        events.iter().filter(|e| e.phase == Phase::Started).count(),
        5
    );
    assert_eq!(events.iter().filter(|e| e.phase == Phase::Done).count(), 5);

    let server = f.server_subscriptions();
    assert_eq!(server.len(), 5, "one subscription per event");
    let merged = server
        .iter()
        .find(|s| s.event_type == "git.pullrequest.merged")
        .unwrap();
    assert_eq!(
        merged
            .publisher_inputs
            .get("mergeResult")
            .map(String::as_str),
        Some("Succeeded")
    );
    assert_eq!(
        merged.consumer_input("httpHeaders"),
        Some(format!("X-ADO-Connect-Secret:{}", secret.value).as_str())
    );
    let recorded = f.records.recorded().unwrap();
    assert_eq!(recorded.len(), 5);
    assert!(recorded.iter().all(|r| r.origin == HookOrigin::Created));
    assert!(
        f.records.interrupted().unwrap().is_none(),
        "a clean run leaves no journal"
    );

    // Again: nothing to do, nothing created, the secret is kept and not shown again.
    let again = f.plan(&ALL).await;
    assert!(again.plan.is_noop(), "{}", again.plan.summary());
    assert_eq!(again.plan.unchanged.len(), 5);
    assert_eq!(again.secret_source, SecretSource::Kept);
    let report = hooks::apply_plan(&f.client, &f.records, &again, &|_| {})
        .await
        .unwrap();
    assert!(report.created.is_empty() && report.secret.is_none());
    assert_eq!(
        f.server_subscriptions().len(),
        5,
        "running again never duplicates"
    );
}

#[tokio::test]
async fn a_stale_plan_applied_twice_does_not_duplicate() {
    let f = fixture().await;
    let plan = f.plan(&[EventKind::CodePushed]).await;
    hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    // The same (now stale) plan again, as a double click would.
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.created.is_empty(), "{report:#?}");
    assert!(
        report.secret.is_none(),
        "the secret is shown once, not again"
    );
    assert_eq!(f.server_subscriptions().len(), 1);
    assert_eq!(
        report.replanned.len(),
        1,
        "the change is reported: {:?}",
        report.replanned
    );
}

#[tokio::test]
async fn another_teams_matching_subscription_is_left_alone_unless_taken_over() {
    let f = fixture().await;
    // Same event, scope and receiver, but another team's header (X-Other-Token) and secret.
    let theirs = f
        .create_directly(
            EventKind::BuildCompleted,
            &f.receiver.url,
            "their-own-token-0000",
        )
        .await;
    let plan = f.plan(&[EventKind::BuildCompleted]).await;
    assert_eq!(plan.plan.foreign.len(), 1, "{:#?}", plan.plan);
    assert_eq!(plan.plan.foreign[0].subscription_id, theirs);
    assert!(plan.plan.items().next().is_none(), "{:#?}", plan.plan);
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.left_alone.len(), 1, "{report:#?}");
    assert!(report.updated.is_empty() && report.created.is_empty());
    let server = f.server_subscriptions();
    assert_eq!(server.len(), 1, "not duplicated");
    assert_eq!(
        server[0].consumer_input("httpHeaders"),
        Some("X-Other-Token:their-own-token-0000"),
        "their header is untouched"
    );
    assert!(f.records.recorded().unwrap().is_empty(), "not recorded");
    let removed = hooks::remove_hooks(&f.client, &f.records).await.unwrap();
    assert!(removed.removed.is_empty());
    assert_eq!(f.server_subscriptions().len(), 1, "remove leaves theirs");

    // Taking it over is the admin's explicit choice: adopted and fixed, not duplicated.
    let mut request = f.request(&[EventKind::BuildCompleted]);
    request.take_over = true;
    let plan = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert_eq!(plan.plan.update.len(), 1, "{:#?}", plan.plan);
    let item = &plan.plan.update[0];
    assert!(item.adopting, "not ours yet");
    assert_eq!(item.created_by.as_deref(), Some("Demo Admin"));
    // Their receiver gets another secret: never silently.
    assert!(plan.rotates_secret);
    let refused = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap_err();
    assert!(
        refused.fix.contains("--confirm-secret-change"),
        "{refused:?}"
    );
    assert_eq!(
        f.server_subscriptions()[0].consumer_input("httpHeaders"),
        Some("X-Other-Token:their-own-token-0000"),
        "nothing changed without the confirmation"
    );
    let confirmed = ApplyOptions {
        confirm_secret_change: true,
        ..ApplyOptions::default()
    };
    let report = hooks::apply_plan_with(&f.client, &f.records, &plan, &confirmed, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.updated.len(), 1);
    assert_eq!(f.server_subscriptions().len(), 1, "adopted, not duplicated");
    let recorded = f.records.recorded().unwrap();
    assert_eq!(
        (recorded[0].id.as_str(), recorded[0].origin),
        (theirs.as_str(), HookOrigin::Adopted)
    );
}

#[tokio::test]
async fn a_subscription_disabled_by_the_system_is_planned_for_reenable_with_the_reason() {
    let f = fixture().await;
    let report = f
        .plan_and_apply(&[EventKind::CodePushed, EventKind::PullRequestCreated])
        .await;
    let push = report
        .created
        .iter()
        .find(|c| c.event == EventKind::CodePushed)
        .unwrap();
    // The receiver answers 410 Gone to a real push: Azure DevOps disables the subscription.
    let sub = f
        .server_subscriptions()
        .into_iter()
        .find(|s| s.id.to_string() == push.subscription_id)
        .unwrap();
    f.emu.fail_deliveries(sub.id, 410);
    f.emu
        .fire(Event::push(HOST, PROJECT, REPOSITORY))
        .await
        .unwrap();
    f.emu.clear_delivery_failures(sub.id);
    assert_eq!(
        f.emu.world().subscription(sub.id).unwrap().status,
        EmuStatus::DisabledBySystem
    );

    let plan = f
        .plan(&[EventKind::CodePushed, EventKind::PullRequestCreated])
        .await;
    assert_eq!(plan.plan.reenable.len(), 1, "{:#?}", plan.plan);
    let item = &plan.plan.reenable[0];
    assert_eq!(
        item.subscription_id.as_deref(),
        Some(push.subscription_id.as_str())
    );
    assert!(
        item.reason
            .as_deref()
            .unwrap()
            .contains("disabled by Azure DevOps"),
        "{:?}",
        item.reason
    );
    assert_eq!(plan.plan.unchanged.len(), 1);

    // The other one goes on probation: it is re-enabled too, with its own reason.
    let created = report
        .created
        .iter()
        .find(|c| c.event == EventKind::PullRequestCreated)
        .unwrap();
    f.set_status(&created.subscription_id, EmuStatus::OnProbation);
    let plan = f
        .plan(&[EventKind::CodePushed, EventKind::PullRequestCreated])
        .await;
    assert_eq!(plan.plan.reenable.len(), 2, "{:#?}", plan.plan);
    assert!(plan.plan.reenable.iter().any(|r| r
        .reason
        .as_deref()
        .unwrap()
        .contains("on probation")));
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert_eq!(report.reenabled.len(), 2);
    assert!(f
        .server_subscriptions()
        .iter()
        .all(|s| s.status == EmuStatus::Enabled));
}

#[tokio::test]
async fn one_plan_covers_several_repositories_and_runs_never_call_other_scopes_stale() {
    let f = fixture().await;
    let events = [EventKind::CodePushed, EventKind::PullRequestCreated];
    let mut request = f.request(&events);
    request.branch = None;
    request.repository = None;
    request.projects = vec!["Contoso Web".into()];
    request.repositories = vec![
        "fiber-api".into(),
        "Fabrikam Fiber/web portal".into(),
        "contoso-web".into(),
    ];
    let plan = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert_eq!(plan.scopes.len(), 3, "{:#?}", plan.scopes);
    assert_eq!(plan.plan.create.len(), 6, "{:#?}", plan.plan);
    let events_seen = std::sync::Mutex::new(Vec::new());
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|e| {
        events_seen.lock().unwrap().push(e.total)
    })
    .await
    .unwrap();
    assert!(report.ok && report.created.len() == 6, "{report:#?}");
    assert!(
        events_seen.lock().unwrap().iter().all(|t| *t == 6),
        "one progress stream for the whole run"
    );
    assert_eq!(f.server_subscriptions().len(), 6);

    // A run for one of the repositories: the others' subscriptions are not "stale".
    let mut one = request.clone();
    one.projects.clear();
    one.repositories = vec!["fiber-api".into()];
    let plan = hooks::plan_hooks(&f.client, &f.records, &one)
        .await
        .unwrap();
    assert!(plan.plan.stale.is_empty(), "{:#?}", plan.plan.stale);
    assert!(plan.plan.is_noop(), "{:#?}", plan.plan);

    // A repository no chosen project has is named as not found.
    let mut unknown = request.clone();
    unknown.projects = vec!["Fiber Cloud".into()];
    unknown.repositories = vec!["nonexistent-repo".into()];
    let problem = hooks::plan_hooks(&f.client, &f.records, &unknown)
        .await
        .unwrap_err();
    assert_eq!(problem.code, CheckCode::NotFound, "{problem:?}");
}

#[tokio::test]
async fn services_organizations_work_the_same_way() {
    let f = services_fixture().await;
    let mut request = f.request(&[EventKind::CodePushed, EventKind::PullRequestMerged]);
    request.project = "Fiber Cloud".into();
    request.repository = Some("fiber-cloud-api".into());
    let plan = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert_eq!(plan.plan.create.len(), 2);
    assert!(
        plan.warnings.iter().all(|w| w.message.contains("sandbox") || w.issue == ReceiverIssue::PlainHttp),
        "Services refuses loopback receivers, except when Azure DevOps itself is the local sandbox: {:?}",
        plan.warnings
    );
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    f.emu
        .fire(Event::push("fabrikam", "Fiber Cloud", "fiber-cloud-api"))
        .await
        .unwrap();
    let got = f.receiver.received();
    assert_eq!(got.len(), 1, "the push reached the receiver");
    assert_eq!(got[0].body["eventType"], "git.push");
    let again = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert!(again.plan.is_noop());
}

#[tokio::test]
async fn the_client_queries_subscriptions_by_publisher_input() {
    use ado_client::api::hooks::{InputFilter, SubscriptionsQuery};
    let f = fixture().await;
    let report = f
        .plan_and_apply(&[EventKind::CodePushed, EventKind::BuildCompleted])
        .await;
    let project = f.client.project(PROJECT).await.unwrap();
    let query = |event: &str| SubscriptionsQuery {
        publisher_id: Some("tfs".into()),
        event_type: Some(event.into()),
        consumer_id: Some("webHooks".into()),
        publisher_input_filters: vec![InputFilter::equals("projectId", &project.id)],
        ..Default::default()
    };
    let found = f
        .client
        .query_subscriptions(&query("git.push"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let push = report
        .created
        .iter()
        .find(|c| c.event == EventKind::CodePushed)
        .unwrap();
    assert_eq!(found[0].id, push.subscription_id);
    let mut other = query("git.push");
    other.publisher_input_filters = vec![InputFilter::equals(
        "projectId",
        "00000000-0000-0000-0000-000000000000",
    )];
    assert!(f
        .client
        .query_subscriptions(&other)
        .await
        .unwrap()
        .is_empty());
}
