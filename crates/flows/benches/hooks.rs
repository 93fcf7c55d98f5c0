//! `make bench`: org-wide webhooks against the emulator. 200 repositories × 3 events (600
//! subscriptions) in one plan and one apply, at 50 ms injected latency per request with every
//! 20th request answered `429` with `Retry-After: 1` (5%). Prints wall time (aim ≤ 8 s), what
//! was created and adopted, duplicates on the server (must be 0), and what a second run creates
//! (must be 0). Figures, not assertions, except the two that must be 0.

use std::collections::BTreeMap;
use std::time::Instant;

use ado_client::Credential;
use ado_core::target::{Deployment, TargetInput};
use ado_core::webhook::EventKind;
use ado_emulator::scenario::{ProjectSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator, Faults, HostPath, Scenario};
use ado_flows::hooks::{self, AuthChoice, HookRecords, HookRequest, SecretChoice};
use ado_flows::{verify_connection, ConnectOptions, Connections, SecretStore};
use secrecy::SecretString;

const LATENCY_MS: u64 = 50;
const PROJECTS: usize = 10;
const REPOS_PER_PROJECT: usize = 20;
const EVENTS: [EventKind; 3] = [
    EventKind::PullRequestCreated,
    EventKind::PullRequestMerged,
    EventKind::CodePushed,
];

#[tokio::main]
async fn main() {
    let mut scenario = Scenario::minimal();
    let collection = &mut scenario.servers[0].collections[0];
    collection.projects = (0..PROJECTS)
        .map(|p| {
            let mut project =
                ProjectSpec::named(&format!("Project {p:02}")).with_administrator(DEMO_USER_EMAIL);
            for r in 0..REPOS_PER_PROJECT {
                project = project.with_repository(&format!("repo-{p:02}-{r:02}"));
            }
            project
        })
        .collect();
    let emulator = Emulator::spawn(Config {
        scenario,
        ..Default::default()
    })
    .await
    .expect("the emulator starts");
    let info = emulator.startup_info();
    let collection_url = info["collectionUrls"][0].as_str().unwrap().to_string();
    let (server, collection) = collection_url.rsplit_once('/').unwrap();
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: server.to_string(),
        collection: collection.to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let pat = DEMO_FULL_ACCESS_PAT;
    let options = ConnectOptions::default();
    let verified = verify_connection(&target, Credential::pat(pat), &options)
        .await
        .expect("the PAT works");
    let dir = tempfile::tempdir().unwrap();
    let store = SecretStore::detect().expect("a keyring (Secret Service or kernel keyring)");
    let connections = Connections::new(dir.path(), store);
    let profile = connections
        .save_connection(
            &verified,
            &SecretString::from(pat),
            ado_flows::AuthMethod::Pat { expires_on: None },
            &options,
            0,
        )
        .expect("the profile saves");
    let records = HookRecords::new(connections.clone(), profile.id.clone());
    let client = ado_flows::verify::client_for(&target, Credential::pat(pat), &options).unwrap();

    let request = HookRequest {
        project: String::new(),
        projects: (0..PROJECTS).map(|p| format!("Project {p:02}")).collect(),
        all_projects: false,
        repository: None,
        repositories: (0..PROJECTS)
            .flat_map(|p| (0..REPOS_PER_PROJECT).map(move |r| format!("repo-{p:02}-{r:02}")))
            .collect(),
        branch: None,
        events: EVENTS.to_vec(),
        url: "http://127.0.0.1:9/ado-hooks".into(),
        auth: AuthChoice::SecretHeader {
            header: None,
            secret: SecretChoice::Keep,
        },
        take_over: false,
    };
    emulator.set_faults(Faults {
        latency_ms: LATENCY_MS,
        rate_limit_every: 20,
        retry_after_secs: 1,
        ..Faults::none()
    });
    println!(
        "org-wide webhooks: {} repositories × {} events, {LATENCY_MS} ms latency, every 20th request 429 with Retry-After: 1, {} changes at once\n",
        PROJECTS * REPOS_PER_PROJECT,
        EVENTS.len(),
        hooks::DEFAULT_CONCURRENCY
    );

    let stats_before = client.stats();
    let start = Instant::now();
    let plan = hooks::plan_hooks(&client, &records, &request)
        .await
        .expect("the plan");
    let planned = start.elapsed();
    let report = hooks::apply_plan(&client, &records, &plan, &|_| {})
        .await
        .expect("the apply");
    let wall = start.elapsed();
    let stats = client.stats();
    assert!(report.ok, "{:#?}", report.failed.first());

    // Duplicates: two subscriptions with the same event, repository and receiver.
    let subs = emulator
        .world()
        .subscriptions(&HostPath::collection("tfs", "DefaultCollection"))
        .unwrap();
    let mut keys: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in &subs {
        let repo = s
            .publisher_inputs
            .get("repository")
            .cloned()
            .unwrap_or_default();
        *keys.entry((s.event_type.clone(), repo)).or_default() += 1;
    }
    let duplicates: usize = keys.values().map(|n| n.saturating_sub(1)).sum();

    let second_start = Instant::now();
    let again = hooks::plan_hooks(&client, &records, &request)
        .await
        .expect("the second plan");
    let second = hooks::apply_plan(&client, &records, &again, &|_| {})
        .await
        .expect("the second apply");
    let second_wall = second_start.elapsed();

    println!(
        "{:<28} {:>8.2} s  (plan {:.2} s)",
        "wall time, plan + apply",
        wall.as_secs_f64(),
        planned.as_secs_f64()
    );
    println!(
        "{:<28} {:>8}  ({} answered 429, {:.1} s waited in total across requests)",
        "requests",
        stats.requests - stats_before.requests,
        stats.rate_limited - stats_before.rate_limited,
        (stats.waited_ms - stats_before.waited_ms) as f64 / 1000.0
    );
    println!("{:<28} {:>8}", "created", report.created.len());
    println!("{:<28} {:>8}", "adopted", report.adopted.len());
    println!("{:<28} {:>8}", "subscriptions on the server", subs.len());
    println!("{:<28} {:>8}  (must be 0)", "duplicates", duplicates);
    println!(
        "{:<28} {:>8}  (must be 0; {} unchanged, {:.2} s)",
        "created on a second run",
        second.created.len(),
        second.unchanged.len(),
        second_wall.as_secs_f64()
    );
    assert_eq!(duplicates, 0);
    assert_eq!(second.created.len(), 0);
    let _ = connections.remove(&profile.id);
}
