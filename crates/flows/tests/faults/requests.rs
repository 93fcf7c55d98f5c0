//! Every fault on every Azure DevOps request kind, through verify-and-save and the preflight
//! checks; and a host that refuses connections.

use std::net::SocketAddr;
use std::time::Instant;

use ado_core::capabilities::Capability;
use ado_core::preflight::Status;
use ado_emulator::{Config, Emulator};
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::{Connections, SecretStore};
use tokio::net::TcpListener;

use crate::support::*;

/// The request kinds: a path fragment each request of that kind has.
const ROUTES: [(&str, &str); 8] = [
    ("connectionData", "/_apis/connectionData"),
    ("projects", "/_apis/projects"),
    ("repositories", "/_apis/git/repositories"),
    ("pull requests", "/_apis/git/pullrequests"),
    ("builds", "/_apis/build/builds"),
    ("work item types", "/_apis/wit/workitemtypes"),
    (
        "service-hooks permission",
        "/_apis/security/permissionevaluationbatch",
    ),
    ("hooks list", "/_apis/hooks/subscriptions"),
];

/// Verify-and-save through a store that already holds another connection.
async fn verify_row(
    upstream: SocketAddr,
    route: &'static str,
    fault: Fault,
    store: Option<SecretStore>,
) -> Row {
    let addr = fault_proxy(upstream, route, fault).await;
    let target = target_at(addr);
    let Some(store) = store else {
        // No keyring: verify only.
        return match ado_flows::verify_connection(&target, pat().credential(), &options()).await {
            Err(p) => check_code(fault, p.code.as_str()),
            Ok(v) => warned(fault, v.warnings.iter().map(|w| w.code.as_str())),
        };
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("connections.json");
    let before = br#"{"version":2,"connections":[]}"#;
    std::fs::write(&file, before).unwrap();
    let connections = Connections::new(dir.path(), store.clone());
    let result =
        ado_flows::verify_and_save_pat(&connections, &target, &pat(), None, &options(), 0).await;
    match result {
        Err(ado_flows::ConnectError::Problem(p)) => {
            unchanged(dir.path(), before)?;
            let key = format!("pat:{}", ado_flows::profiles::profile_id(&target));
            if store.get(&key).map_err(|e| e.to_string())?.is_some() {
                return Err("a secret was left behind".into());
            }
            check_code(fault, p.code.as_str())
                .map_err(|e| format!("{e} ({}; {:?})", p.message, p.server_message))
        }
        Err(other) => Err(format!("not a diagnosed problem: {other}")),
        Ok(connected) => {
            // Only a repositories failure may still verify (a warning): then it saved whole.
            let saved = connections.list().map_err(|e| e.to_string())?;
            let _ = connections.remove(&connected.profile.id);
            if saved.len() != 1 {
                return Err(format!("saved {} profiles", saved.len()));
            }
            warned(
                fault,
                connected.verified.warnings.iter().map(|w| w.code.as_str()),
            )
        }
    }
}

fn warned<'a>(fault: Fault, mut codes: impl Iterator<Item = &'a str>) -> Row {
    let codes: Vec<&str> = codes.by_ref().collect();
    if codes.iter().any(|c| fault.expected().contains(c)) {
        Ok(())
    } else {
        Err(format!(
            "verified with warnings {codes:?}, expected one of {:?}",
            fault.expected()
        ))
    }
}

/// The preflight checklist with every capability: the row's fault must show as a failing or
/// warning check with an expected code, and every failing check must carry a code.
async fn preflight_row(upstream: SocketAddr, route: &'static str, fault: Fault) -> Row {
    let addr = fault_proxy(upstream, route, fault).await;
    let request = PreflightRequest {
        target: target_at(addr),
        credential: pat().credential(),
        capabilities: vec![
            Capability::Repositories,
            Capability::PullRequests,
            Capability::Pipelines,
            Capability::Boards,
            Capability::Webhooks,
        ],
        project: None,
        repository: None,
        options: options(),
        ca_file_hint: None,
    };
    let report = run_preflight(&request, &|_| {}).await;
    let flagged: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .map(|c| c.code.map(|c| c.as_str()).unwrap_or("none"))
        .collect();
    if flagged.contains(&"none") {
        return Err(format!("a failing check without a code: {flagged:?}"));
    }
    warned(fault, flagged.into_iter())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_request_kind_is_classified_in_time_and_leaves_nothing_half_written() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let upstream: SocketAddr = emu
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let store = SecretStore::detect().ok();
    if store.is_none() {
        eprintln!("no keyring: the verify rows check the verdict only, not the save");
    }
    let mut rows: Vec<RowFuture> = Vec::new();
    for fault in FAULTS {
        for (kind, route) in ROUTES {
            if matches!(
                route,
                "/_apis/connectionData" | "/_apis/projects" | "/_apis/git/repositories"
            ) {
                rows.push(Box::pin(timed(
                    format!("verify / {kind} / {fault:?}"),
                    verify_row(upstream, route, fault, store.clone()),
                )));
            }
            rows.push(Box::pin(timed(
                format!("preflight / {kind} / {fault:?}"),
                preflight_row(upstream, route, fault),
            )));
        }
    }
    run_rows(rows).await;
}

#[tokio::test]
async fn connection_refused_is_unreachable_and_saves_nothing() {
    // Bind then drop: nothing listens on the port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let started = Instant::now();
    let problem = ado_flows::verify_connection(&target_at(addr), pat().credential(), &options())
        .await
        .unwrap_err();
    assert_eq!(problem.code.as_str(), "unreachable", "{problem:?}");
    assert!(started.elapsed() < BOUND);
}
