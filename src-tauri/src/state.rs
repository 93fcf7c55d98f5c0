//! What the app holds while it runs.

use std::sync::{Arc, Mutex, OnceLock};

use ado_flows::catalog::Catalog;
use ado_flows::hooks::HookPlan;
use ado_flows::interface::{CancellationToken, ConnectionTarget};
use ado_flows::preflight::PreflightReport;
use ado_flows::sandbox::Sandbox;
use ado_flows::{Connections, SecretStore};

use crate::error::{CommandError, ErrorCode};

/// Managed state: the connection store (if a secret store exists), the sandbox, if any, the
/// last preflight report (for "Save report"), and the catalog of the connection in use (what the
/// pickers search, a page at a time).
///
/// The secret store and the sandbox file are found lazily, not before the window exists: the
/// keyring probe is a D-Bus round trip (and, without a Secret Service, a fallback) that the first
/// paint must not wait for. [`AppState::warm`] starts them on a thread as the window opens; the
/// first command that needs them waits for that one probe, never a second.
pub struct AppState {
    connections: OnceLock<Result<Connections, String>>,
    sandbox: OnceLock<Option<Result<Sandbox, String>>>,
    last_report: Mutex<Option<(ado_flows::ProfileId, ConnectionTarget, PreflightReport)>>,
    sign_in: Mutex<Option<CancellationToken>>,
    hook_plan: Mutex<Option<(ado_flows::ProfileId, HookPlan)>>,
    catalog: Mutex<Option<(ado_flows::ProfileId, Arc<Catalog>)>>,
}

impl AppState {
    /// Empty state: nothing is probed or read yet (see [`AppState::warm`]).
    pub fn new() -> Self {
        AppState {
            connections: OnceLock::new(),
            sandbox: OnceLock::new(),
            last_report: Mutex::new(None),
            sign_in: Mutex::new(None),
            hook_plan: Mutex::new(None),
            catalog: Mutex::new(None),
        }
    }

    /// Detects the secret store and reads the sandbox file, once (later calls return at once).
    pub fn warm(&self) {
        self.store();
        self.sandbox();
    }

    fn store(&self) -> &Result<Connections, String> {
        self.connections.get_or_init(|| {
            let started = std::time::Instant::now();
            let store = SecretStore::detect()
                .map(|secrets| Connections::new(Connections::default_dir(), secrets))
                .map_err(|e| e.to_string());
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "secret store probed"
            );
            store
        })
    }

    /// The sandbox named by `ADO_CONNECT_SANDBOX`, if any (read once).
    pub fn sandbox(&self) -> Option<Result<Sandbox, String>> {
        self.sandbox
            .get_or_init(ado_flows::sandbox::from_env)
            .clone()
    }

    /// The connection store, or why there is none.
    pub fn connections(&self) -> Result<&Connections, CommandError> {
        self.store().as_ref().map_err(|e| {
            CommandError::new(
                ErrorCode::SecretStore,
                None,
                e.clone(),
                "ADO Connect keeps tokens only in the OS keyring. Start your desktop's keyring (e.g. GNOME Keyring) and restart ADO Connect.",
            )
        })
    }

    /// Keeps the last report of a connection.
    pub fn remember_report(
        &self,
        profile_id: ado_flows::ProfileId,
        target: ConnectionTarget,
        report: PreflightReport,
    ) {
        *self.last_report.lock().expect("report lock") = Some((profile_id, target, report));
    }

    /// The last report, if any.
    pub fn last_report(&self) -> Option<(ado_flows::ProfileId, ConnectionTarget, PreflightReport)> {
        self.last_report.lock().expect("report lock").clone()
    }

    /// Keeps the cancel handle of the sign-in under way.
    pub fn keep_cancel(&self, token: CancellationToken) {
        *self.sign_in.lock().expect("sign-in lock") = Some(token);
    }

    /// Forgets it (the sign-in ended).
    pub fn clear_cancel(&self) {
        *self.sign_in.lock().expect("sign-in lock") = None;
    }

    /// Cancels the sign-in under way; false if there was none.
    pub fn cancel_sign_in(&self) -> bool {
        match self.sign_in.lock().expect("sign-in lock").take() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Keeps the last webhook plan (its secret stays in memory, never on disk).
    pub fn keep_hook_plan(&self, profile_id: ado_flows::ProfileId, plan: HookPlan) {
        *self.hook_plan.lock().expect("plan lock") = Some((profile_id, plan));
    }

    /// Takes the kept plan: a plan is applied at most once.
    pub fn take_hook_plan(&self) -> Option<(ado_flows::ProfileId, HookPlan)> {
        self.hook_plan.lock().expect("plan lock").take()
    }

    /// Why there is no secret store, if there is none.
    pub fn secret_store_error(&self) -> Option<&str> {
        self.store().as_ref().err().map(String::as_str)
    }

    /// Keeps the catalog of the connection just verified.
    pub fn keep_catalog(&self, profile_id: ado_flows::ProfileId, catalog: Catalog) {
        *self.catalog.lock().expect("catalog lock") = Some((profile_id, Arc::new(catalog)));
    }

    /// The catalog of `profile_id`, if it was verified in this session.
    pub fn catalog(&self, profile_id: &str) -> Option<Arc<Catalog>> {
        self.catalog
            .lock()
            .expect("catalog lock")
            .as_ref()
            .filter(|(id, _)| id == profile_id)
            .map(|(_, c)| c.clone())
    }

    /// Drops the catalog of a forgotten connection.
    pub fn drop_catalog(&self, profile_id: &str) {
        let mut kept = self.catalog.lock().expect("catalog lock");
        if kept.as_ref().is_some_and(|(id, _)| id == profile_id) {
            *kept = None;
        }
    }
}
