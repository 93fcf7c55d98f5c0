//! What every hooks test shares: the demo world's collection, project and repository, the
//! receiver on loopback that records every delivery, the fixture (the emulator, a saved
//! connection with its PAT in the real keyring, the hook records and a client) and its helpers,
//! and a crash in the middle of an apply.

use std::sync::{Arc, Mutex};

use ado_client::api::hooks::SubscriptionBody;
use ado_client::{AdoClient, Credential};
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_core::webhook::EventKind;
use ado_emulator::hooks::SubscriptionStatus as EmuStatus;
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::{Config, Emulator, HostPath};
use ado_flows::hooks::{
    self, ApplyEvent, ApplyOptions, AuthChoice, HookRecords, HookRequest, Phase, SecretChoice,
    SubscriptionId,
};
use ado_flows::{ConnectOptions, Connections};
use ado_test_support::saved::{saved, Saved};
use axum::http::HeaderMap;

pub const HOST: &str = "tfs/DefaultCollection";
pub const PROJECT: &str = "Fabrikam Fiber";
pub const REPOSITORY: &str = "fiber-api";

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

/// A receiver on loopback that records every delivery and answers 200 with a small JSON body.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
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

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

pub struct Fixture {
    pub emu: Emulator,
    /// The saved connection; its profile and keyring entries (PAT, hook secret) go with it.
    _saved: Saved,
    pub connections: Connections,
    pub records: HookRecords,
    pub client: AdoClient,
    pub receiver: Receiver,
}

pub async fn fixture() -> Fixture {
    fixture_with(Config::default(), DEMO_FULL_ACCESS_PAT).await
}

pub async fn fixture_with(config: Config, pat: &str) -> Fixture {
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
pub async fn services_fixture() -> Fixture {
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
    let client =
        ado_flows::verify::client_for(&target, Credential::pat(pat), &ConnectOptions::default())
            .unwrap();
    let saved = saved(target, pat, None).await;
    Fixture {
        records: HookRecords::new(saved.connections.clone(), saved.id.clone()),
        connections: saved.connections.clone(),
        client,
        receiver: Receiver::start().await,
        _saved: saved,
        emu,
    }
}

impl Fixture {
    pub fn request(&self, events: &[EventKind]) -> HookRequest {
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
    pub fn server_subscriptions(&self) -> Vec<ado_emulator::hooks::Subscription> {
        self.emu
            .world()
            .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
            .unwrap()
            .into_iter()
            .filter(|s| s.consumer_input("url") == Some(self.receiver.url.as_str()))
            .collect()
    }

    pub fn set_status(&self, id: &str, status: EmuStatus) {
        let sub = self
            .server_subscriptions()
            .into_iter()
            .find(|s| s.id.to_string() == id)
            .expect("the subscription exists");
        assert!(self.emu.world().set_subscription_status(sub.id, status));
    }

    pub async fn plan(&self, events: &[EventKind]) -> hooks::HookPlan {
        hooks::plan_hooks(&self.client, &self.records, &self.request(events))
            .await
            .expect("the plan")
    }

    pub async fn plan_and_apply(&self, events: &[EventKind]) -> hooks::ApplyReport {
        let plan = self.plan(events).await;
        hooks::apply_plan(&self.client, &self.records, &plan, &|_| {})
            .await
            .expect("the apply")
    }

    /// Someone else's subscription, created straight through the REST API.
    pub async fn create_directly(
        &self,
        event: EventKind,
        url: &str,
        secret: &str,
    ) -> SubscriptionId {
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

pub const ALL: [EventKind; 5] = EventKind::ALL;

/// A header of a delivery, as text.
pub fn header(received: &Received, name: &str) -> Option<String> {
    received
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Stops an apply after `n` changes are done, the way a crash would: the future is dropped
/// wherever it is, requests in flight included.
pub async fn crash_after(f: &Fixture, events: &[EventKind], n: usize) {
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
