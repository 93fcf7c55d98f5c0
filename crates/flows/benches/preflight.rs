//! `make bench`: the preflight against the emulator with 100 ms of injected latency per request.
//!
//! Compares, in one run and interleaved (each round runs all three, one after another, so that
//! all see the same machine): ADO Connect's preflight (two round trips on the critical path), a
//! sequential baseline (the same probes one after another, with the same client), and
//! Microsoft's Python SDK doing the same probes (when `tests/python/.venv` exists; one process,
//! warmed up by an untimed run, timed per round). Prints median and best wall time and the
//! requests of each, the ratios of medians and the machine's load; writes its section of the
//! results file. Figures, not assertions: timing belongs here, not in tests.

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ado_client::api::security::{service_hooks_token, EDIT_SUBSCRIPTIONS, SERVICE_HOOKS_NAMESPACE};
use ado_client::{AdoClient, ClientConfig, Credential};
use ado_core::capabilities::Capability;
use ado_core::target::{Deployment, TargetInput};
use ado_emulator::{Config, Emulator, Faults, Scenario};
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::ConnectOptions;

const LATENCY_MS: u64 = 100;
const ROUNDS: usize = 7;

#[tokio::main]
async fn main() {
    let emulator = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        faults: Faults {
            latency_ms: LATENCY_MS,
            ..Faults::none()
        },
        ..Default::default()
    })
    .await
    .expect("the emulator starts");
    let info = emulator.startup_info();
    let collection_url = info["collectionUrls"][0].as_str().unwrap().to_string();
    let pat = info["pats"][0]["token"].as_str().unwrap().to_string();
    let (server, collection) = collection_url.rsplit_once('/').unwrap();
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: server.to_string(),
        collection: collection.to_string(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let heading = format!(
        "preflight, all five capabilities, against the emulator (an Azure DevOps Server collection, its version not known beforehand) with {LATENCY_MS} ms injected latency per request; {ROUNDS} interleaved rounds"
    );
    let machine = common::machine();
    println!("{heading}\nmachine: {machine}\n");

    let mut sdk = Sdk::start(&collection_url, &pat);
    let mut ours = Vec::new();
    let mut sequential = Vec::new();
    let mut python = Vec::new();
    let (mut ours_requests, mut sequential_requests, mut sdk_requests) = (0, 0, 0);
    for _ in 0..ROUNDS {
        let (elapsed, requests) = preflight(&target, &pat).await;
        ours.push(elapsed);
        ours_requests = requests;
        let (elapsed, requests) = one_after_another(&target, &pat).await;
        sequential.push(elapsed);
        sequential_requests = requests;
        if let Some((elapsed, requests)) = sdk.as_mut().and_then(Sdk::run) {
            python.push(elapsed);
            sdk_requests = requests;
        }
    }
    let load_after = common::load();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v[v.len() / 2]
    };
    let best = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    let row = |label: &str, v: &[Duration], requests: u64| {
        format!(
            "{label:<34} {:>6.0} ms median  {:>6.0} ms best  {requests:>3} requests",
            ms(median(v)),
            ms(best(v))
        )
    };
    let mut lines = vec![
        format!(
            "{}  ({:.1} round trips of {LATENCY_MS} ms)",
            row("ado-connect preflight", &ours, ours_requests),
            ms(median(&ours)) / LATENCY_MS as f64
        ),
        row(
            "sequential baseline (same client)",
            &sequential,
            sequential_requests,
        ),
    ];
    if python.is_empty() {
        lines.push("(no tests/python/.venv: run `make python-venv` to compare with Microsoft's Python SDK)".into());
    } else {
        lines.push(row(
            "azure-devops Python SDK 7.1.0b4",
            &python,
            sdk_requests,
        ));
    }
    lines.push(String::new());
    lines.push(format!(
        "sequential / ado-connect: {:.1}x (medians)",
        ms(median(&sequential)) / ms(median(&ours))
    ));
    if !python.is_empty() {
        lines.push(format!(
            "Python SDK / ado-connect: {:.1}x (medians; aim ≥ 4x)",
            ms(median(&python)) / ms(median(&ours))
        ));
    }
    for line in &lines {
        println!("{line}");
    }
    println!("load after: {load_after}");
    common::write_section(
        "1-preflight",
        &format!(
            "## Preflight (`crates/flows/benches/preflight.rs`)\n\n{heading}. Machine: {machine}; load after: {load_after}. Fairness: the same emulator, latency and probes for all three, one round of each at a time; the Python SDK warmed up by an untimed run in the same process.\n\n```\n{}\n```\n\n",
            lines.join("\n")
        ),
    );
    emulator.shutdown().await;
}

/// ADO Connect's preflight, all five capabilities: (wall time, requests).
async fn preflight(target: &ado_core::target::ConnectionTarget, pat: &str) -> (Duration, u64) {
    let request = PreflightRequest {
        target: target.clone(),
        credential: Credential::pat(pat),
        capabilities: Capability::ALL.to_vec(),
        project: None,
        repository: None,
        options: ConnectOptions::default(),
        ca_file_hint: None,
    };
    let start = Instant::now();
    let report = run_preflight(&request, &|_| {}).await;
    let elapsed = start.elapsed();
    assert!(
        report.ok,
        "the demo passes: {:?}",
        report
            .checks
            .iter()
            .filter(|c| c.code.is_some())
            .collect::<Vec<_>>()
    );
    (elapsed, report.requests)
}

/// The same probes one after another, with the same client.
async fn one_after_another(
    target: &ado_core::target::ConnectionTarget,
    pat: &str,
) -> (Duration, u64) {
    let client =
        AdoClient::new(ClientConfig::new(target.api_base(), Credential::pat(pat))).unwrap();
    let start = Instant::now();
    client.connection_data().await.unwrap();
    let projects = client.projects_page(100, None).await.unwrap().items;
    client.repositories(None).await.unwrap();
    client.subscriptions().await.unwrap();
    let project = &projects[0];
    client.pull_requests(&project.name, 1).await.unwrap();
    client.builds(&project.name, 1).await.unwrap();
    client.work_item_types(&project.name).await.unwrap();
    client
        .has_permission(
            SERVICE_HOOKS_NAMESPACE,
            &service_hooks_token(&project.id),
            EDIT_SUBSCRIPTIONS,
        )
        .await
        .unwrap();
    (start.elapsed(), client.stats().requests)
}

/// `tests/python/bench_sdk.py`, warmed up, timing one run per line it is sent.
struct Sdk {
    child: std::process::Child,
    answers: BufReader<std::process::ChildStdout>,
}

impl Sdk {
    fn start(collection_url: &str, pat: &str) -> Option<Sdk> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = root.join("tests/python/.venv/bin/python");
        if !python.exists() {
            return None;
        }
        let mut child = Command::new(&python)
            .arg(root.join("tests/python/bench_sdk.py"))
            .arg(collection_url)
            .env("ADO_PAT", pat)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| println!("the Python SDK could not start: {e}"))
            .ok()?;
        let answers = BufReader::new(child.stdout.take()?);
        Some(Sdk { child, answers })
    }

    /// One timed run: (wall time the script measured, requests).
    fn run(&mut self) -> Option<(Duration, u64)> {
        writeln!(self.child.stdin.as_mut()?, "go").ok()?;
        let mut line = String::new();
        self.answers.read_line(&mut line).ok()?;
        let v: serde_json::Value = serde_json::from_str(line.trim())
            .map_err(|_| println!("the Python SDK run failed: {line:?}"))
            .ok()?;
        Some((
            Duration::from_secs_f64(v["ms"].as_f64()? / 1000.0),
            v["requests"].as_u64()?,
        ))
    }
}

impl Drop for Sdk {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}
