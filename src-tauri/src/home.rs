//! The home's commands (saved connections: re-verify, rename, forget), the catalog search the
//! pickers page through, and the webhooks step's overview, gate and "Open in Azure DevOps".

use ado_flows::app::{App, HooksOverview};
use ado_flows::catalog::{Page, SearchScope};
use ado_flows::home::{ConnectionCard, Opened};
use ado_flows::hooks::{ForgetReport, HookGate, HooksOnForget, SubscriptionId};
use ado_flows::ProfileId;
use tauri::{AppHandle, State};

use crate::error::CommandError;
use crate::state::open_in_browser;

#[tauri::command]
pub async fn connection_cards(app: State<'_, App>) -> Result<Vec<ConnectionCard>, CommandError> {
    app.connection_cards()
}

#[tauri::command]
pub async fn reverify_connection(
    app: State<'_, App>,
    id: ProfileId,
) -> Result<Opened, CommandError> {
    app.reverify_connection(&id).await
}

#[tauri::command]
pub async fn rename_connection(
    app: State<'_, App>,
    id: ProfileId,
    name: String,
) -> Result<ConnectionCard, CommandError> {
    app.rename_connection(&id, &name)
}

#[tauri::command]
pub async fn forget_connection(
    app: State<'_, App>,
    id: ProfileId,
    hooks: HooksOnForget,
) -> Result<ForgetReport, CommandError> {
    app.forget_connection(&id, hooks).await
}

#[tauri::command]
pub async fn http_alternative(
    app: State<'_, App>,
    url: String,
    proxy: Option<String>,
) -> Result<Option<String>, CommandError> {
    Ok(app.http_alternative(&url, proxy).await)
}

#[tauri::command]
pub fn search_catalog(
    app: State<'_, App>,
    profile_id: ProfileId,
    scope: SearchScope,
    query: String,
    offset: usize,
    limit: usize,
) -> Result<Page, CommandError> {
    app.search_catalog(&profile_id, &scope, &query, offset, limit)
}

#[tauri::command]
pub async fn hooks_overview(
    app: State<'_, App>,
    profile_id: ProfileId,
) -> Result<HooksOverview, CommandError> {
    app.hooks_overview(&profile_id).await
}

#[tauri::command]
pub async fn hooks_gate(
    app: State<'_, App>,
    profile_id: ProfileId,
    projects: Vec<String>,
) -> Result<HookGate, CommandError> {
    app.hooks_gate(&profile_id, &projects).await
}

/// Opens the page in the system browser and returns its address.
#[tauri::command]
pub async fn open_hook_page(
    handle: AppHandle,
    app: State<'_, App>,
    profile_id: ProfileId,
    subscription_id: SubscriptionId,
) -> Result<String, CommandError> {
    let page = app.hook_page(&profile_id, &subscription_id).await?;
    open_in_browser(&handle, &page);
    Ok(page)
}
