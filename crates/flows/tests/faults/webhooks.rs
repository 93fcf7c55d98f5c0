//! Faults on creating and deleting service hooks: apply and remove classify them and the
//! profile records only the subscriptions that exist.

use std::net::SocketAddr;
use std::time::Duration;

use ado_emulator::{Config, Emulator};
use ado_flows::{ConnectOptions, Connections, SecretStore};

use crate::support::*;

/// The hooks rows open the saved connection the one way, with the client's default 20 s
/// timeout (a timeout is not saved). A hung create is ambiguous, so apply looks and tries again
/// up to 3 times (hooks/apply.rs `CREATE_RETRIES`, backoff 0.5 + 2 + 8 s): 4 x 20 + 10.5 s.
const HOOKS_BOUND: Duration = Duration::from_secs(100);

/// A hooks row: save the connection, plan and apply one subscription (the create row's fault
/// hits the POST), then remove it (the delete row's fault hits the DELETE). A failed create
/// records nothing; a failed delete keeps the record (so removing again retries).
async fn hooks_row(route: &'static str, fault: Fault, store: SecretStore) -> Row {
    use ado_flows::hooks::{self, AuthChoice, HookRequest, SecretChoice};
    // An emulator of its own: subscriptions are state, and rows run at once.
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let upstream: SocketAddr = emu
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let addr = fault_proxy(upstream, route, fault).await;
    let target = target_at(addr);
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), store);
    // The fault is on the hooks route only: saving the connection first gets the client's
    // default timeout, so a loaded machine's slow answer is not taken for the row's fault.
    let connected = ado_flows::verify_and_save_pat(
        &connections,
        &target,
        &pat(),
        None,
        &ConnectOptions::default(),
        0,
    )
    .await
    .map_err(|e| format!("saving failed: {e}"))?;
    let id = connected.profile.id.clone();
    let result = async {
        let hooks::Session { client, records } =
            hooks::open_session(&connections, &id, &ado_auth::SignInSettings::default())
                .await
                .map_err(|p| format!("open_session: {p:?}"))?;
        let request = HookRequest {
            project: "Fabrikam Fiber".into(),
            projects: Vec::new(),
            all_projects: false,
            repository: Some("fiber-api".into()),
            repositories: Vec::new(),
            take_over: false,
            branch: None,
            events: vec![ado_core::webhook::EventKind::CodePushed],
            url: "https://hooks.example.com/ado".into(),
            auth: AuthChoice::SecretHeader {
                header: None,
                secret: SecretChoice::Keep,
            },
        };
        let plan = hooks::plan_hooks(&client, &records, &request)
            .await
            .map_err(|p| format!("plan: {p:?}"))?;
        let recorded = || {
            connections
                .get(&id)
                .map(|p| p.map(|p| p.hooks.len()).unwrap_or(0))
        };
        let codes = |failed: &[hooks::FailedHook]| {
            failed
                .iter()
                .map(|f| f.problem.code.as_str().to_string())
                .collect::<Vec<_>>()
        };
        let applied = hooks::apply_plan(&client, &records, &plan, &|_| {}).await;
        if route.starts_with("POST") {
            let code = match applied {
                Err(p) => p.code.as_str().to_string(),
                Ok(report) if !report.ok => codes(&report.failed).join(","),
                Ok(_) => return Err("the create succeeded through the fault".to_string()),
            };
            if recorded().map_err(|e| e.to_string())? != 0 {
                return Err("a subscription that was not created is recorded".into());
            }
            return check_code(fault, &code);
        }
        let report = applied.map_err(|p| format!("apply: {p:?}"))?;
        if !report.ok {
            return Err(format!("apply failed: {:?}", codes(&report.failed)));
        }
        let code = match hooks::remove_hooks(&client, &records).await {
            Err(p) => p.code.as_str().to_string(),
            Ok(report) if !report.ok => codes(&report.failed).join(","),
            // A 404 on delete means gone already, and a 200 needs no body: both are success.
            Ok(_) if matches!(fault, Fault::NotFound404 | Fault::TruncatedJson) => return Ok(()),
            Ok(_) => return Err("the delete succeeded through the fault".to_string()),
        };
        if recorded().map_err(|e| e.to_string())? != 1 {
            return Err("a subscription that was not deleted lost its record".into());
        }
        check_code(fault, &code)
    }
    .await;
    let _ = connections.remove(&id);
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_hooks_create_and_delete_is_classified_and_records_stay_true() {
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: the hooks rows need a keyring (scripts/desktop-session.sh)");
        return;
    };
    let mut rows: Vec<RowFuture> = Vec::new();
    for fault in FAULTS {
        for (kind, route) in [
            ("hooks create", "POST /_apis/hooks/subscriptions"),
            ("hooks delete", "DELETE /_apis/hooks/subscriptions/"),
        ] {
            rows.push(Box::pin(timed_within(
                HOOKS_BOUND,
                format!("{kind} / {fault:?}"),
                hooks_row(route, fault, store.clone()),
            )));
        }
    }
    run_rows(rows).await;
}
