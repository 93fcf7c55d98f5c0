//! Service hooks end to end against the emulator (Azure DevOps Server 2022 collection
//! `tfs/DefaultCollection` of the demo world) with a real receiver on loopback: plan, apply,
//! apply again, adopt, rotate, re-enable, permissions, crash recovery, rollback, test
//! delivery, history, remove, rate limits and ambiguous failures.
//!
//! Secrets go to the real keyring (Secret Service when one runs, else the kernel keyring);
//! each test's profile id is unique (the emulator's port is in it) and is removed at the end.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ado_client::api::hooks::SubscriptionBody;
use ado_client::{AdoClient, Credential};
use ado_core::checks::CheckCode;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_core::webhook::{EventKind, HookOrigin, ReceiverIssue};
use ado_emulator::hooks::{Event, HooksThrottle, SubscriptionStatus as EmuStatus};
use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_emulator::{Config, Emulator, Faults, HostPath};
use ado_flows::hooks::{
    self, ApplyEvent, ApplyOptions, AuthChoice, HookRecords, HookRequest, Phase, SecretChoice,
    SecretSource, SubscriptionId,
};
use ado_flows::{verify_connection, ConnectOptions, Connections, SecretStore};
use axum::http::HeaderMap;
use secrecy::SecretString;

const HOST: &str = "tfs/DefaultCollection";
const PROJECT: &str = "Fabrikam Fiber";
const REPOSITORY: &str = "fiber-api";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: serde_json::Value,
}

/// A receiver on loopback that records every delivery and answers 200 with a small JSON body.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let sink = got.clone();
        let app = axum::Router::new().route(
            "/hooks/ado",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let sink = sink.clone();
                async move {
                    sink.lock().unwrap().push(Received {
                        headers,
                        body: serde_json::from_str(&body).unwrap_or_default(),
                    });
                    axum::Json(serde_json::json!({"received": true, "by": "test receiver"}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/ado", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got }
    }

    fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

struct Fixture {
    emu: Emulator,
    _dir: tempfile::TempDir,
    connections: Connections,
    records: HookRecords,
    client: AdoClient,
    receiver: Receiver,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // The profile's keyring entries (PAT, hook secret) go with it.
        let _ = self.connections.remove(self.records.profile_id());
    }
}

async fn fixture() -> Fixture {
    fixture_with(Config::default(), DEMO_FULL_ACCESS_PAT).await
}

async fn fixture_with(config: Config, pat: &str) -> Fixture {
    let emu = Emulator::spawn(config).await.expect("the emulator starts");
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("{}/tfs", emu.base_url()),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .expect("a valid target");
    fixture_at(emu, target, pat).await
}

/// The Services organization `fabrikam` of the sandbox.
async fn services_fixture() -> Fixture {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let target = TargetInput {
        deployment: Some(Deployment::Services),
        organization: "fabrikam".into(),
        services_url: format!("{}/", emu.base_url()),
        ..Default::default()
    }
    .validate()
    .expect("a valid target");
    fixture_at(emu, target, DEMO_FULL_ACCESS_PAT).await
}

async fn fixture_at(emu: Emulator, target: ConnectionTarget, pat: &str) -> Fixture {
    let verified = verify_connection(&target, Credential::pat(pat), &ConnectOptions::default())
        .await
        .expect("the demo PAT works");
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::detect().expect("a keyring (Secret Service or kernel keyring)");
    let connections = Connections::new(dir.path(), store);
    let profile = connections
        .save_connection(
            &verified,
            &SecretString::from(pat.to_string()),
            ado_flows::AuthMethod::Pat { expires_on: None },
            &ConnectOptions::default(),
            0,
        )
        .expect("the profile saves");
    let client =
        ado_flows::verify::client_for(&target, Credential::pat(pat), &ConnectOptions::default())
            .unwrap();
    Fixture {
        records: HookRecords::new(connections.clone(), profile.id),
        connections,
        client,
        receiver: Receiver::start().await,
        _dir: dir,
        emu,
    }
}

impl Fixture {
    fn request(&self, events: &[EventKind]) -> HookRequest {
        HookRequest {
            project: PROJECT.into(),
            projects: Vec::new(),
            all_projects: false,
            repository: Some(REPOSITORY.into()),
            repositories: Vec::new(),
            branch: Some("main".into()),
            events: events.to_vec(),
            url: self.receiver.url.clone(),
            auth: AuthChoice::SecretHeader {
                header: None,
                secret: SecretChoice::Keep,
            },
            take_over: false,
        }
    }

    /// The emulator's subscriptions to our receiver.
    fn server_subscriptions(&self) -> Vec<ado_emulator::hooks::Subscription> {
        self.emu
            .world()
            .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
            .unwrap()
            .into_iter()
            .filter(|s| s.consumer_input("url") == Some(self.receiver.url.as_str()))
            .collect()
    }

    fn set_status(&self, id: &str, status: EmuStatus) {
        let sub = self
            .server_subscriptions()
            .into_iter()
            .find(|s| s.id.to_string() == id)
            .expect("the subscription exists");
        assert!(self.emu.world().set_subscription_status(sub.id, status));
    }

    async fn plan(&self, events: &[EventKind]) -> hooks::HookPlan {
        hooks::plan_hooks(&self.client, &self.records, &self.request(events))
            .await
            .expect("the plan")
    }

    async fn plan_and_apply(&self, events: &[EventKind]) -> hooks::ApplyReport {
        let plan = self.plan(events).await;
        hooks::apply_plan(&self.client, &self.records, &plan, &|_| {})
            .await
            .expect("the apply")
    }

    /// Someone else's subscription, created straight through the REST API.
    async fn create_directly(&self, event: EventKind, url: &str, secret: &str) -> SubscriptionId {
        let project = self.client.project(PROJECT).await.unwrap();
        let mut publisher_inputs = std::collections::BTreeMap::new();
        publisher_inputs.insert("projectId".to_string(), project.id.into_string());
        let mut consumer_inputs = std::collections::BTreeMap::new();
        consumer_inputs.insert("url".to_string(), url.to_string());
        consumer_inputs.insert("httpHeaders".to_string(), format!("X-Other-Token:{secret}"));
        self.client
            .create_subscription(&SubscriptionBody {
                publisher_id: "tfs".into(),
                event_type: event.event_type().into(),
                resource_version: "1.0".into(),
                consumer_id: "webHooks".into(),
                consumer_action_id: "httpRequest".into(),
                publisher_inputs,
                consumer_inputs,
                status: None,
            })
            .await
            .expect("a direct create")
            .id
    }
}

const ALL: [EventKind; 5] = EventKind::ALL;

fn header(received: &Received, name: &str) -> Option<String> {
    received
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

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
async fn rotating_the_secret_updates_every_subscription() {
    let f = fixture().await;
    let first = f.plan_and_apply(&ALL).await.secret.unwrap().value;
    let report = hooks::rotate_secret(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.updated.len(), 5);
    let second = report.secret.expect("the new secret is shown once").value;
    assert_ne!(first, second);
    for sub in f.server_subscriptions() {
        assert_eq!(
            sub.consumer_input("httpHeaders"),
            Some(format!("X-ADO-Connect-Secret:{second}").as_str()),
            "{} carries the new secret",
            sub.event_type
        );
    }
    let plan = f.plan(&ALL).await;
    assert!(
        plan.plan.is_noop(),
        "after rotation everything is current: {}",
        plan.plan.summary()
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
async fn a_user_who_may_not_edit_service_hooks_gets_invalid_permissions() {
    let f = fixture_with(Config::default(), DEMO_DEVELOPER_PAT).await;
    let problem = hooks::plan_hooks(&f.client, &f.records, &f.request(&ALL))
        .await
        .expect_err("Dana Developer administers nothing");
    assert_eq!(problem.code, CheckCode::InvalidPermissions, "{problem:?}");
    assert!(
        problem.message.contains("Dana Developer"),
        "{}",
        problem.message
    );
    assert!(
        problem.fix.contains("Project Administrators"),
        "{}",
        problem.fix
    );
    assert!(f.server_subscriptions().is_empty());
}

#[tokio::test]
async fn a_receiver_with_credentials_in_its_url_is_refused_before_anything_is_sent() {
    let f = fixture().await;
    let mut request = f.request(&ALL);
    request.url = request.url.replace("http://", "http://user:pw@");
    let problem = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap_err();
    assert_eq!(problem.code, CheckCode::InvalidInput);
    assert!(
        problem.fix.contains("basic authentication"),
        "{}",
        problem.fix
    );
}

/// Stops an apply after `n` changes are done, the way a crash would: the future is dropped
/// wherever it is, requests in flight included.
async fn crash_after(f: &Fixture, events: &[EventKind], n: usize) {
    let plan = f.plan(events).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let progress = move |e: &ApplyEvent| {
        if e.phase == Phase::Done {
            let _ = tx.send(());
        }
    };
    let one_at_a_time = ApplyOptions {
        concurrency: 1,
        ..ApplyOptions::default()
    };
    let apply = hooks::apply_plan_with(&f.client, &f.records, &plan, &one_at_a_time, &progress);
    tokio::select! {
        _ = apply => panic!("the apply should have been cut short"),
        _ = async { for _ in 0..n { rx.recv().await; } } => {}
    }
}

#[tokio::test]
async fn a_crash_mid_apply_is_recovered_without_duplicates_or_orphans() {
    let f = fixture().await;
    // Slow answers, so that the third create is in flight when the "crash" comes.
    f.emu.set_faults(Faults {
        latency_ms: 150,
        ..Faults::none()
    });
    crash_after(&f, &ALL, 2).await;

    let run = f
        .records
        .interrupted()
        .unwrap()
        .expect("the journal survives the crash");
    assert!(!run.finished);
    assert!(run.entries.len() >= 2, "{run:#?}");
    let plan = f.plan(&ALL).await;
    assert!(plan.interrupted.is_some(), "the plan says a run is pending");
    // The killed run's own subscriptions are its, not someone's to adopt.
    let made: Vec<SubscriptionId> = run
        .entries
        .iter()
        .filter_map(|e| match &e.outcome {
            hooks::journal::Outcome::Done { subscription_id } => Some(subscription_id.clone()),
            _ => None,
        })
        .collect();
    assert!(!made.is_empty());
    for id in &made {
        assert!(plan.in_flight.contains(id), "{id} in {:?}", plan.in_flight);
    }
    let refused = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap_err();
    assert!(refused.fix.contains("roll it back"), "{refused:?}");

    let recovered = hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    assert!(recovered.ok, "{recovered:#?}");
    assert!(
        f.records.interrupted().unwrap().is_none(),
        "recovery settles the journal"
    );
    f.emu.set_faults(Faults::none());
    let report = f.plan_and_apply(&ALL).await;
    assert!(report.ok, "{report:#?}");

    let server = f.server_subscriptions();
    assert_eq!(server.len(), 5, "no duplicates: {server:#?}");
    let recorded = f.records.recorded().unwrap();
    let mut ids: Vec<String> = recorded.iter().map(|r| r.id.to_string()).collect();
    ids.sort();
    let mut on_server: Vec<String> = server.iter().map(|s| s.id.to_string()).collect();
    on_server.sort();
    assert_eq!(
        ids, on_server,
        "no orphans: every subscription on the server is recorded"
    );
    assert!(f.plan(&ALL).await.plan.is_noop());
}

#[tokio::test]
async fn recovery_adopts_a_create_that_landed_and_creates_one_that_did_not() {
    let f = fixture().await;
    let plan = f
        .plan(&[EventKind::CodePushed, EventKind::BuildCompleted])
        .await;
    // A journal as a crash leaves it: two creates announced, neither concluded; the first
    // reached Azure DevOps before the process died.
    let path = f.records.journal_path();
    let journal = hooks::journal::Journal::create(
        &path,
        &hooks::journal::Record::Begin {
            version: 1,
            run_id: "crashed".into(),
            profile_id: f.records.profile_id().clone(),
            base_url: f.client.base_url().to_string(),
            started_at: 0,
            secret_fingerprint: None,
        },
    )
    .unwrap();
    for (seq, spec) in plan.specs().iter().enumerate() {
        journal
            .append(&hooks::journal::Record::Intent {
                seq: seq as u32 + 1,
                action: ado_core::webhook::Action::Create,
                spec: spec.clone(),
                subscription_id: None,
                adopting: false,
            })
            .unwrap();
    }
    drop(journal);
    // The secret reached the keyring before the first change (as apply does it), and the
    // first create landed.
    let secret = "the-secret-the-crashed-run-used-0123456789";
    let profile = f.records.profile().unwrap();
    f.connections
        .put_extra_secret(&profile, "hook-secret", &SecretString::from(secret))
        .unwrap();
    let landed_spec = plan.specs()[0].clone();
    let body = ado_core::webhook::subscription_body(&landed_spec, secret);
    let landed = f.client.create_subscription(&body).await.unwrap().id;

    let report = hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    // Recovery POSTed one; the other had landed before the crash: recorded, not "created".
    assert_eq!(report.created.len(), 1, "{report:#?}");
    assert_ne!(report.created[0].subscription_id, landed);
    assert_eq!(report.recorded_from_interrupted_run.len(), 1, "{report:#?}");
    assert_eq!(
        report.recorded_from_interrupted_run[0].subscription_id, landed,
        "the landed one is adopted"
    );
    assert_eq!(f.server_subscriptions().len(), 2, "and not created twice");
    let recorded = f.records.recorded().unwrap();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|r| r.origin == HookOrigin::Created));
    assert!(f.records.interrupted().unwrap().is_none());
}

#[tokio::test]
async fn rollback_deletes_what_the_interrupted_run_created_and_nothing_else() {
    let f = fixture().await;
    let theirs = f
        .create_directly(
            EventKind::CodePushed,
            "http://127.0.0.1:9/elsewhere",
            "their-own-token-0000",
        )
        .await;
    f.emu.set_faults(Faults {
        latency_ms: 100,
        ..Faults::none()
    });
    crash_after(&f, &ALL, 2).await;
    f.emu.set_faults(Faults::none());
    assert!(!f.server_subscriptions().is_empty());

    let report = hooks::rollback(&f.client, &f.records).await.unwrap();
    assert!(report.failed.is_empty(), "{report:#?}");
    assert!(report.deleted.len() >= 2, "{report:#?}");
    assert!(
        f.server_subscriptions().is_empty(),
        "everything the run created is gone"
    );
    assert!(f.records.recorded().unwrap().is_empty());
    assert!(f.records.interrupted().unwrap().is_none());
    assert!(
        f.client.subscription(&theirs).await.is_ok(),
        "someone else's subscription survives"
    );
}

#[tokio::test]
async fn a_test_event_reaches_the_receiver_with_the_secret_and_history_shows_it() {
    let f = fixture().await;
    let report = f.plan_and_apply(&[EventKind::CodePushed]).await;
    let secret = report.secret.unwrap().value;
    let id = &report.created[0].subscription_id;

    let test = hooks::send_test(&f.client, &f.records, id).await.unwrap();
    assert!(test.delivered, "{test:#?}");
    assert_eq!(test.receiver_status, Some(200));
    assert!(
        test.response_excerpt
            .as_deref()
            .unwrap_or_default()
            .contains("test receiver"),
        "the receiver's own answer is shown: {test:#?}"
    );
    let got = f.receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        header(&got[0], "x-ado-connect-secret"),
        Some(secret.clone())
    );
    assert_eq!(got[0].body["eventType"], "git.push");

    // A real push, too.
    f.emu
        .fire(Event::push(HOST, PROJECT, REPOSITORY))
        .await
        .expect("the push fires");
    let got = f.receiver.received();
    assert_eq!(got.len(), 2, "the push was delivered");
    assert_eq!(header(&got[1], "x-ado-connect-secret"), Some(secret));

    let history = hooks::history(&f.client, &f.records, id, 10).await.unwrap();
    assert_eq!(history.len(), 2, "{history:#?}");
    assert!(
        history
            .iter()
            .all(|d| d.result.as_deref() == Some("succeeded")),
        "{history:#?}"
    );
    assert!(history[0].id > history[1].id, "newest first");
    assert_eq!(history[0].receiver_status, Some(200));

    let listed = hooks::list_hooks(&f.client, &f.records).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].exists);
    assert_eq!(
        listed[0].last_delivery.as_ref().map(|d| d.id),
        Some(history[0].id)
    );
}

#[tokio::test]
async fn remove_deletes_exactly_ours_and_someone_elses_survives() {
    let f = fixture().await;
    let theirs_same_receiver_other_scope = {
        // Same receiver and event, but the whole project (ours is narrowed to fiber-api):
        // not a match, so not adopted, so not removed.
        f.create_directly(
            EventKind::CodePushed,
            &f.receiver.url,
            "their-own-token-0000",
        )
        .await
    };
    let report = f.plan_and_apply(&ALL).await;
    assert_eq!(report.created.len(), 5, "{report:#?}");
    // One of ours was deleted by hand meanwhile.
    f.client
        .delete_subscription(&report.created[0].subscription_id)
        .await
        .unwrap();

    let removed = hooks::remove_hooks(&f.client, &f.records).await.unwrap();
    assert!(removed.ok, "{removed:#?}");
    assert_eq!(removed.removed.len(), 5);
    assert_eq!(
        removed.removed.iter().filter(|r| r.already_gone).count(),
        1,
        "404 = already gone"
    );
    let left = f.server_subscriptions();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id.to_string(), theirs_same_receiver_other_scope);
    assert!(f.records.recorded().unwrap().is_empty());
}

#[tokio::test]
async fn rate_limits_are_waited_out_and_apply_completes() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    // Three 429s with Retry-After.
    f.emu.throttle_hooks(HooksThrottle::reject(3, 1));
    let before = f.client.stats();
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.created.len(), 5);
    assert_eq!(f.server_subscriptions().len(), 5);
    let after = f.client.stats();
    assert!(after.rate_limited > before.rate_limited, "{after:?}");
    assert!(
        after.waited_ms >= 1000,
        "Retry-After was honoured: {after:?}"
    );
}

#[tokio::test]
async fn slow_down_headers_on_successful_answers_are_honoured() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    // 200s that carry Retry-After and X-RateLimit-* (docs: honour them even on success).
    f.emu.throttle_hooks(HooksThrottle::warn(3, 1));
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(f.server_subscriptions().len(), 5);
    let stats = f.client.stats();
    assert!(stats.waited_ms >= 900, "the client slowed down: {stats:?}");
}

#[tokio::test]
async fn server_errors_on_create_are_retried_after_a_lookup_without_duplicates() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    // Every third request fails with 503 (before the server does anything); one change at a
    // time, so that each failed create is followed by its lookup and a retry that passes.
    f.emu.set_faults(Faults {
        fail_every: 3,
        fail_status: 503,
        ..Faults::none()
    });
    let report = hooks::apply_plan_with(
        &f.client,
        &f.records,
        &plan,
        &ApplyOptions {
            concurrency: 1,
            ..ApplyOptions::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
    f.emu.set_faults(Faults::none());
    assert!(report.ok, "{report:#?}");
    assert_eq!(f.server_subscriptions().len(), 5, "no duplicates");
}

#[tokio::test]
async fn basic_auth_is_the_alternative_to_the_secret_header() {
    let f = fixture().await;
    let mut request = f.request(&[EventKind::CodePushed]);
    request.auth = AuthChoice::Basic {
        username: "ado-connect".into(),
        password: SecretString::from("receiver-password-1"),
    };
    let plan = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert_eq!(plan.secret_source, SecretSource::BasicPassword);
    assert_eq!(plan.secret_header, None);
    // The plan the CLI prints with --json and the app shows: no fingerprint of the password.
    let shown = serde_json::to_string(&plan).unwrap();
    assert!(!shown.contains("ingerprint"), "{shown}");
    // The fingerprint compared in memory is keyed (HMAC under a key in the keyring).
    match &plan.specs()[0].auth {
        ado_core::webhook::HookAuth::Basic { password, .. } => {
            let fp = password.fingerprint.as_deref().unwrap();
            assert!(fp.starts_with("hmac:"), "{fp}");
        }
        other => panic!("{other:?}"),
    }
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(
        report.ok && report.secret.is_none(),
        "a password the admin typed is not echoed"
    );
    let id = report.created[0].subscription_id.clone();
    let test = hooks::send_test(&f.client, &f.records, &id).await.unwrap();
    assert!(test.delivered, "{test:#?}");
    let got = f.receiver.received();
    let auth = header(&got[0], "authorization").expect("basic auth");
    assert!(auth.starts_with("Basic "), "{auth}");
    // Again with the same password: the server masks it, but our record vouches for it.
    let again = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert!(again.plan.is_noop(), "{:#?}", again.plan);
    let listed =
        serde_json::to_string(&hooks::list_hooks(&f.client, &f.records).await.unwrap()).unwrap();
    assert!(!listed.contains("ingerprint"), "{listed}");
    let profile_json =
        std::fs::read_to_string(f.connections.dir().join("connections.json")).unwrap();
    assert!(!profile_json.contains("receiver-password-1"));
}

#[tokio::test]
async fn journal_and_profile_never_hold_the_secret() {
    let f = fixture().await;
    f.emu.set_faults(Faults {
        latency_ms: 100,
        ..Faults::none()
    });
    crash_after(&f, &ALL, 1).await;
    f.emu.set_faults(Faults::none());
    let secret = SecretStore::detect()
        .unwrap()
        .get(&format!("hook-secret:{}", f.records.profile_id()))
        .unwrap()
        .expect("the secret is in the keyring before the first change");
    let journal = std::fs::read_to_string(f.records.journal_path()).unwrap();
    use secrecy::ExposeSecret as _;
    assert!(!journal.contains(secret.expose_secret()), "{journal}");
    hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    let profile_json =
        std::fs::read_to_string(f.connections.dir().join("connections.json")).unwrap();
    assert!(!profile_json.contains(secret.expose_secret()));
    tokio::time::sleep(Duration::from_millis(1)).await;
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

#[tokio::test]
async fn a_corrupt_journal_is_reported_and_can_be_discarded() {
    let f = fixture().await;
    std::fs::write(f.records.journal_path(), "{not json\n\u{0}garbage\n").unwrap();
    assert!(matches!(
        f.records.journal_status(),
        hooks::JournalStatus::Unreadable { .. }
    ));
    let blocked = f.records.interrupted().unwrap_err();
    assert!(blocked.fix.contains("discard-journal"), "{blocked:?}");
    // Recovery and rollback say so instead of doing nothing.
    assert!(hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .is_err());
    assert!(hooks::rollback(&f.client, &f.records).await.is_err());

    assert!(hooks::discard_journal(&f.records).unwrap());
    assert_eq!(f.records.journal_status(), hooks::JournalStatus::None);
    let report = f.plan_and_apply(&[EventKind::CodePushed]).await;
    assert!(report.ok && report.created.len() == 1, "{report:#?}");
}

#[tokio::test]
async fn rollback_with_nothing_interrupted_says_so() {
    let f = fixture().await;
    let report = hooks::rollback(&f.client, &f.records).await.unwrap();
    assert_eq!(report.run_id, None);
    assert!(report.deleted.is_empty());
}

#[tokio::test]
async fn forgetting_a_connection_removes_its_webhooks_or_keeps_them_untracked() {
    let settings = ado_auth::SignInSettings::from_env().unwrap();
    // Remove (the default): the subscriptions go first, then the profile.
    let f = fixture().await;
    f.plan_and_apply(&[EventKind::CodePushed, EventKind::BuildCompleted])
        .await;
    assert!(hooks::has_hooks(&f.connections, f.records.profile_id()).unwrap());
    let report = hooks::forget_connection(
        &f.connections,
        f.records.profile_id(),
        &settings,
        hooks::HooksOnForget::default(),
    )
    .await
    .unwrap();
    assert!(report.forgotten);
    assert_eq!(report.removed.unwrap().removed.len(), 2);
    assert!(f.server_subscriptions().is_empty(), "no orphaned webhooks");
    assert!(f.connections.list().unwrap().is_empty());

    // Keep: they keep delivering, untracked; the journal goes too.
    let f = fixture().await;
    f.plan_and_apply(&[EventKind::CodePushed]).await;
    f.emu.set_faults(Faults {
        latency_ms: 150,
        ..Faults::none()
    });
    crash_after(
        &f,
        &[EventKind::PullRequestCreated, EventKind::BuildCompleted],
        1,
    )
    .await;
    f.emu.set_faults(Faults::none());
    assert!(f.records.interrupted().unwrap().is_some());
    let report = hooks::forget_connection(
        &f.connections,
        f.records.profile_id(),
        &settings,
        hooks::HooksOnForget::KeepHooks,
    )
    .await
    .unwrap();
    assert!(report.forgotten);
    assert_eq!(
        report.kept.len(),
        2,
        "the recorded one and the one the killed run made"
    );
    assert!(!f.server_subscriptions().is_empty());
    assert!(!f.records.journal_path().exists());
    assert!(f.connections.list().unwrap().is_empty());
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
async fn unkeyed_fingerprints_of_older_profiles_are_migrated_to_keyed_ones() {
    use sha2::{Digest as _, Sha256};
    let f = fixture().await;
    f.plan_and_apply(&[EventKind::CodePushed]).await;
    let profile = f.records.profile().unwrap();
    let secret = f
        .connections
        .extra_secret(&profile, "hook-secret")
        .unwrap()
        .unwrap();
    // As a profile written before keyed fingerprints holds it, with no key in the keyring.
    let digest = Sha256::new()
        .chain_update(b"ado-connect hook secret v1\0")
        .chain_update(secrecy::ExposeSecret::expose_secret(&secret).as_bytes())
        .finalize();
    let legacy: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    f.connections
        .update_profile(&profile.id, |p| {
            p.hooks[0].secret_fingerprint = Some(format!("sha256:{legacy}"))
        })
        .unwrap();
    SecretStore::detect()
        .unwrap()
        .delete(&format!("hook-fingerprint-key:{}", profile.id))
        .unwrap();

    let keyed = f.records.fingerprinter().unwrap();
    let recorded = f.records.recorded().unwrap();
    assert_eq!(
        recorded[0].secret_fingerprint.as_deref(),
        Some(keyed.of_secret(&secret).as_str())
    );
    assert!(f.plan(&[EventKind::CodePushed]).await.plan.is_noop());
}
