//! `make bench`: the preflight against the emulator with 100 ms of injected latency per request.
//!
//! Compares, in one run: ADO Connect's preflight (at most three round trips on the critical
//! path), a sequential baseline (the same probes one after another, with the same client), and
//! Microsoft's Python SDK doing the same probes (when `tests/python/.venv` exists). Prints wall
//! time and requests for each. Figures, not assertions: timing belongs here, not in tests.

use std::process::Command;
use std::time::{Duration, Instant};

use ado_client::api::security::{service_hooks_token, EDIT_SUBSCRIPTIONS, SERVICE_HOOKS_NAMESPACE};
use ado_client::{AdoClient, ClientConfig, Credential};
use ado_core::capabilities::Capability;
use ado_core::target::{Deployment, TargetInput};
use ado_emulator::{Config, Emulator, Faults, Scenario};
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::ConnectOptions;

const LATENCY_MS: u64 = 100;
const RUNS: u32 = 3;

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
    let capabilities = Capability::ALL.to_vec();
    println!("preflight against the emulator, {LATENCY_MS} ms injected latency per request, {RUNS} runs each; capabilities: all five\n");

    // ADO Connect's preflight.
    let mut best = Duration::MAX;
    let mut requests = 0;
    for _ in 0..RUNS {
        let request = PreflightRequest {
            target: target.clone(),
            credential: Credential::pat(&pat),
            capabilities: capabilities.clone(),
            project: None,
            repository: None,
            options: ConnectOptions::default(),
            ca_file_hint: None,
        };
        let start = Instant::now();
        let report = run_preflight(&request, &|_| {}).await;
        best = best.min(start.elapsed());
        requests = report.requests;
        assert!(
            report.ok,
            "the demo passes: {:?}",
            report
                .checks
                .iter()
                .filter(|c| c.code.is_some())
                .collect::<Vec<_>>()
        );
    }
    let ours = best;
    println!(
        "{:<34} {:>8.0} ms  {:>3} requests  ({:.1} round trips of {LATENCY_MS} ms)",
        "ado-connect preflight",
        ours.as_secs_f64() * 1000.0,
        requests,
        ours.as_millis() as f64 / LATENCY_MS as f64
    );

    // The same probes, one after another.
    let mut best = Duration::MAX;
    let mut requests = 0;
    for _ in 0..RUNS {
        let client =
            AdoClient::new(ClientConfig::new(target.api_base(), Credential::pat(&pat))).unwrap();
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
        best = best.min(start.elapsed());
        requests = client.stats().requests;
    }
    let sequential = best;
    println!(
        "{:<34} {:>8.0} ms  {:>3} requests",
        "sequential baseline (same client)",
        sequential.as_secs_f64() * 1000.0,
        requests
    );

    // Microsoft's Python SDK.
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/python/.venv/bin/python");
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/bench_sdk.py");
    let sdk = if python.exists() {
        let output = Command::new(&python)
            .arg(&script)
            .arg(&collection_url)
            .arg(RUNS.to_string())
            .env("ADO_PAT", &pat)
            .output();
        match output {
            Ok(o) if o.status.success() => {
                let line = String::from_utf8_lossy(&o.stdout);
                let v: serde_json::Value = serde_json::from_str(line.trim()).unwrap_or_default();
                let ms = v["bestMs"].as_f64().unwrap_or(f64::NAN);
                println!(
                    "{:<34} {:>8.0} ms  {:>3} requests",
                    "azure-devops Python SDK 7.1.0b4", ms, v["requests"]
                );
                Some(ms)
            }
            Ok(o) => {
                println!(
                    "Python SDK run failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                None
            }
            Err(e) => {
                println!("Python SDK run failed: {e}");
                None
            }
        }
    } else {
        println!("(no tests/python/.venv: run `make python-venv` to compare with the Python SDK)");
        None
    };
    println!();
    println!(
        "speed-up over sequential: {:.1}x",
        sequential.as_secs_f64() / ours.as_secs_f64()
    );
    if let Some(ms) = sdk {
        println!(
            "speed-up over the Python SDK: {:.1}x",
            ms / (ours.as_secs_f64() * 1000.0)
        );
    }
    emulator.shutdown().await;
}
