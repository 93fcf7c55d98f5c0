//! `make bench`: org-wide webhooks against the emulator. 200 repositories × 3 events (600
//! subscriptions) in one plan and one apply, at 50 ms injected latency per request with every
//! 20th request answered `429` with `Retry-After: 1` (5%). Prints wall time (aim ≤ 5 s), what
//! was created and adopted, duplicates on the server (must be 0), what a second run creates
//! (must be 0) and the CPU time that run takes (aim ≤ 0.5 s). In the same run, the baseline:
//! the same 600 creates with the same client, 16 at once the usual way (a change waiting out
//! its 429 keeps its place), without plan or journal. Figures, not assertions, except the two
//! that must be 0. Writes its section of the results file (`common::write_section`).

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use ado_client::Credential;
use ado_core::target::{Deployment, TargetInput};
use ado_core::webhook::{subscription_body, EventKind};
use ado_emulator::scenario::{ProjectSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator, Faults, HostPath, Scenario};
use ado_flows::hooks::{self, AuthChoice, HookRecords, HookRequest, SecretChoice};
use ado_flows::{verify_connection, ConnectOptions, Connections, SecretStore};
use futures_util::StreamExt as _;
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
    let concurrency = hooks::DEFAULT_CONCURRENCY;
    let heading = format!(
        "org-wide webhooks: {} repositories × {} events, {LATENCY_MS} ms latency, every 20th request 429 with Retry-After: 1, {concurrency} requests on the wire at once",
        PROJECTS * REPOS_PER_PROJECT,
        EVENTS.len(),
    );
    let machine = common::machine();
    println!("{heading}\nmachine: {machine}\n");

    let stats_before = client.stats();
    let first_cpu_before = common::cpu_time();
    let start = Instant::now();
    let plan = hooks::plan_hooks(&client, &records, &request)
        .await
        .expect("the plan");
    let planned = start.elapsed();
    let report = hooks::apply_plan(&client, &records, &plan, &|_| {})
        .await
        .expect("the apply");
    let wall = start.elapsed();
    let first_cpu = common::cpu_time() - first_cpu_before;
    let stats = client.stats();
    assert!(report.ok, "{:#?}", report.failed.first());
    let requests = stats.requests - stats_before.requests;
    let throttled = stats.rate_limited - stats_before.rate_limited;

    let duplicates = duplicates(&emulator, "http://127.0.0.1:9/ado-hooks");
    let subs_after_first = subscriptions(&emulator).len();

    // The second run: nothing to change. CPU time of the whole process (the emulator serving
    // the lists included).
    let second_before = client.stats();
    let cpu_before = common::cpu_time();
    let second_start = Instant::now();
    let again = hooks::plan_hooks(&client, &records, &request)
        .await
        .expect("the second plan");
    let second_planned = second_start.elapsed();
    let second = hooks::apply_plan(&client, &records, &again, &|_| {})
        .await
        .expect("the second apply");
    let second_wall = second_start.elapsed();
    let second_cpu = common::cpu_time() - cpu_before;
    let second_requests = client.stats().requests - second_before.requests;

    // The baseline: the same creates (to another receiver, so the runs do not meet), the same
    // client, 16 at once with `buffer_unordered` and nothing else.
    let specs: Vec<_> = plan
        .plan
        .create
        .iter()
        .map(|item| ado_core::webhook::HookSpec {
            url: "http://127.0.0.1:9/baseline".into(),
            ..item.spec.clone()
        })
        .collect();
    let baseline_client =
        ado_flows::verify::client_for(&target, Credential::pat(pat), &options).unwrap();
    let baseline_cpu_before = common::cpu_time();
    let baseline_start = Instant::now();
    let created: Vec<_> = futures_util::stream::iter(specs.iter().map(|spec| {
        let body = subscription_body(spec, "baseline-secret-0123456789abcdef");
        let client = &baseline_client;
        async move { client.create_subscription(&body).await }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    let baseline_wall = baseline_start.elapsed();
    let baseline_cpu = common::cpu_time() - baseline_cpu_before;
    let baseline_stats = baseline_client.stats();
    assert!(created.iter().all(|r| r.is_ok()), "the baseline creates");
    let load_after = common::load();

    let floor = (stats.requests - stats_before.requests) as f64 * LATENCY_MS as f64
        / 1000.0
        / concurrency as f64;
    let lines = [
        format!(
            "{:<34} {:>8.2} s  (plan {:.2} s, apply {:.2} s; aim ≤ 5 s; {:.2} s CPU)",
            "ado-connect plan + apply",
            wall.as_secs_f64(),
            planned.as_secs_f64(),
            (wall - planned).as_secs_f64(),
            first_cpu.as_secs_f64()
        ),
        format!(
            "{:<34} {:>8.2} s  (600 creates only, {} requests, {} answered 429; {:.2} s CPU)",
            "baseline: 16 at once, 429 holds",
            baseline_wall.as_secs_f64(),
            baseline_stats.requests,
            baseline_stats.rate_limited,
            baseline_cpu.as_secs_f64()
        ),
        format!(
            "{:<34} {:>8.2}x  (ado-connect's apply alone against the baseline's creates: {:.2}x)",
            "baseline / ado-connect",
            baseline_wall.as_secs_f64() / wall.as_secs_f64(),
            baseline_wall.as_secs_f64() / (wall - planned).as_secs_f64()
        ),
        format!(
            "{:<34} {:>8}  ({} answered 429; {:.2} s if 16 were always on the wire)",
            "requests", requests, throttled, floor
        ),
        format!("{:<34} {:>8}", "created", report.created.len()),
        format!("{:<34} {:>8}", "adopted", report.adopted.len()),
        format!(
            "{:<34} {:>8}",
            "subscriptions on the server", subs_after_first
        ),
        format!("{:<34} {:>8}  (must be 0)", "duplicates", duplicates),
        format!(
            "{:<34} {:>8}  (must be 0; {} unchanged)",
            "created on a second run",
            second.created.len(),
            second.unchanged.len()
        ),
        format!(
            "{:<34} {:>8.2} s  CPU (aim ≤ 0.5 s; wall {:.2} s, plan {:.2} s; {} requests)",
            "second run, nothing to change",
            second_cpu.as_secs_f64(),
            second_wall.as_secs_f64(),
            second_planned.as_secs_f64(),
            second_requests
        ),
    ];
    for line in &lines {
        println!("{line}");
    }
    println!("load after: {load_after}");
    common::write_section(
        "2-hooks",
        &format!(
            "## Org-wide webhooks (`crates/flows/benches/hooks.rs`)\n\n{heading}. Machine: {machine}; load after: {load_after}. The baseline runs in the same process against the same emulator, right after.\n\n```\n{}\n```\n\n",
            lines.join("\n")
        ),
    );
    assert_eq!(duplicates, 0);
    assert_eq!(second.created.len(), 0);
    let _ = connections.remove(&profile.id);
}

fn subscriptions(emulator: &Emulator) -> Vec<ado_emulator::hooks::Subscription> {
    emulator
        .world()
        .subscriptions(&HostPath::collection("tfs", "DefaultCollection"))
        .unwrap()
}

/// Two subscriptions to `url` with the same event and repository.
fn duplicates(emulator: &Emulator, url: &str) -> usize {
    let mut keys: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in subscriptions(emulator) {
        let to_url = s
            .consumer_inputs
            .iter()
            .any(|(k, v)| k == "url" && v == url);
        if !to_url {
            continue;
        }
        let repo = s
            .publisher_inputs
            .get("repository")
            .cloned()
            .unwrap_or_default();
        *keys.entry((s.event_type.clone(), repo)).or_default() += 1;
    }
    keys.values().map(|n| n.saturating_sub(1)).sum()
}
