//! One function per UI action, each a few lines over `ado_flows`.

use std::time::{SystemTime, UNIX_EPOCH};

use ado_core::target::{Field, TargetInput};
use ado_flows::resolve::Understood;
use ado_flows::{ConnectOptions, Connected, PatConnectRequest, Profile};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// What the UI needs at start.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    sandbox: Option<ado_flows::sandbox::Sandbox>,
    sandbox_error: Option<String>,
    secret_store: Option<&'static str>,
    secret_store_error: Option<String>,
    connections: Vec<Profile>,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let store = state.connections().ok();
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        sandbox: state.sandbox.clone().and_then(Result::ok),
        sandbox_error: state.sandbox.clone().and_then(Result::err),
        secret_store: store.map(|c| c.secret_backend().description()),
        secret_store_error: state.secret_store_error().map(str::to_string),
        connections: store.and_then(|c| c.list().ok()).unwrap_or_default(),
    }
}

/// Parses a pasted URL; an ambiguous server path is settled by probing its candidates.
#[tauri::command]
pub async fn parse_url(input: String) -> Result<Understood, CommandError> {
    ado_flows::resolve::understand_url(&input, &ConnectOptions::default())
        .await
        .map_err(|e| CommandError::new("invalid_url", Some(Field::Url), e.to_string(), "Paste the address of an Azure DevOps repository, project or organization."))
}

/// The connect form. The PAT is wrapped as soon as it arrives.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectForm {
    target: TargetInput,
    pat: String,
    expires_on: Option<String>,
}

#[tauri::command]
pub async fn connect_with_pat(
    state: State<'_, AppState>,
    form: ConnectForm,
) -> Result<Connected, CommandError> {
    let request = PatConnectRequest {
        target: form.target,
        pat: SecretString::from(form.pat),
        expires_on: form.expires_on.filter(|d| !d.trim().is_empty()),
        trusted_ca_pem: None,
    };
    Ok(ado_flows::connect_with_pat(state.connections()?, request, now_unix()).await?)
}

#[tauri::command]
pub fn list_connections(state: State<'_, AppState>) -> Result<Vec<Profile>, CommandError> {
    Ok(state.connections()?.list()?)
}

/// Removes a connection and every secret it stored (sign-out).
#[tauri::command]
pub fn remove_connection(state: State<'_, AppState>, id: String) -> Result<bool, CommandError> {
    Ok(state.connections()?.remove(&id)?)
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
