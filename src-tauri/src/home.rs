//! The home's commands (saved connections: re-verify, rename, forget) and the catalog search the
//! pickers and the result list page through. Each is a few lines over `ado_flows::home` and
//! `ado_flows::catalog`.

use ado_flows::catalog::{Page, SearchScope};
use ado_flows::home::{ConnectionCard, Opened};
use ado_flows::hooks;
use ado_flows::signin;
use serde::Serialize;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

use crate::commands::{hooks_session, now_unix, opened};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The saved connections, most recently verified first.
#[tauri::command]
pub async fn connection_cards(
    state: State<'_, AppState>,
) -> Result<Vec<ConnectionCard>, CommandError> {
    Ok(ado_flows::home::cards(state.connections()?, now_unix())?)
}

/// Verifies a saved connection again with its stored secret: nothing to type.
#[tauri::command]
pub async fn reverify_connection(
    state: State<'_, AppState>,
    id: ado_flows::ProfileId,
) -> Result<Opened, CommandError> {
    let connected =
        ado_flows::home::reverify(state.connections()?, &id, &signin::settings()?, now_unix())
            .await?;
    Ok(opened(&state, &connected))
}

/// Names a connection (blank: the name made from its address).
#[tauri::command]
pub fn rename_connection(
    state: State<'_, AppState>,
    id: ado_flows::ProfileId,
    name: String,
) -> Result<ConnectionCard, CommandError> {
    let profile = ado_flows::home::rename(state.connections()?, &id, &name)?;
    Ok(ado_flows::home::card(&profile, now_unix()))
}

/// Forgets a connection; its webhooks are removed first unless the user chose to keep them.
#[tauri::command]
pub async fn forget_connection(
    state: State<'_, AppState>,
    id: ado_flows::ProfileId,
    hooks: hooks::HooksOnForget,
) -> Result<hooks::ForgetReport, CommandError> {
    let forgotten =
        hooks::forget_connection(state.connections()?, &id, &signin::settings()?, hooks).await?;
    state.drop_catalog(&id);
    Ok(forgotten)
}

/// When `url` (https) failed: the `http://` URL on the same port, if plain HTTP answers there.
#[tauri::command]
pub async fn http_alternative(url: String, proxy: Option<String>) -> Option<String> {
    let options = ado_flows::ConnectOptions {
        proxy: proxy.filter(|p| !p.trim().is_empty()),
        ..Default::default()
    };
    ado_flows::hints::http_answers_instead(&url, &options)
        .await
        .map(String::from)
}

/// One page of the connection's projects and repositories matching `query`.
#[tauri::command]
pub fn search_catalog(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    scope: SearchScope,
    query: String,
    offset: usize,
    limit: usize,
) -> Result<Page, CommandError> {
    let catalog = state.catalog(&profile_id).ok_or_else(|| {
        CommandError::new(
            ErrorCode::NothingYet,
            None,
            "This connection has not been verified since the app started.",
            "Verify it again from the list of connections.",
        )
    })?;
    Ok(catalog.search(&scope, &query, offset, limit))
}

/// A recorded webhook with the names of its project and repository.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookView {
    #[serde(flatten)]
    state: hooks::HookState,
    /// How people call the event.
    event_label: &'static str,
    project_name: Option<String>,
    repository_name: Option<String>,
}

/// The webhook step's starting point: the hooks this app recorded, their status, and any
/// interrupted run.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HooksOverview {
    hooks: Vec<HookView>,
    interrupted: Option<hooks::InterruptedRun>,
}

#[tauri::command]
pub async fn hooks_overview(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
) -> Result<HooksOverview, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    let catalog = state.catalog(&profile_id);
    let hooks = hooks::list_hooks(&client, &records)
        .await?
        .into_iter()
        .map(|hook| {
            let spec = &hook.recorded.spec;
            let (project_name, repository_name) = catalog
                .as_ref()
                .map(|c| c.names_for(&spec.project_id, spec.repository_id.as_deref()))
                .unwrap_or_default();
            HookView {
                event_label: spec.event.label(),
                project_name,
                repository_name,
                state: hook,
            }
        })
        .collect();
    Ok(HooksOverview {
        hooks,
        interrupted: records.interrupted()?,
    })
}

/// The webhooks step's gate: may the signed-in user edit service-hook subscriptions in
/// `projects`? Asked when the step opens, before anything is planned.
#[tauri::command]
pub async fn hooks_gate(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    projects: Vec<String>,
) -> Result<hooks::HookGate, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    Ok(hooks::hook_gate(&client, &records, &projects).await?)
}

/// Opens the Azure DevOps page that lists a subscription this connection registered (its
/// project's Service hooks settings) in the system browser; returns the address. The page comes
/// from the saved connection, never from the UI.
#[tauri::command]
pub async fn open_hook_page(
    app: AppHandle,
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    subscription_id: hooks::SubscriptionId,
) -> Result<String, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    let page = hooks::hook_page(&client, &records, &subscription_id).await?;
    if std::env::var_os("ADO_CONNECT_NO_BROWSER").is_none() {
        if let Err(e) = app.opener().open_url(page.as_str(), None::<&str>) {
            tracing::warn!(error = %e, "could not open the system browser");
        }
    }
    Ok(page)
}
