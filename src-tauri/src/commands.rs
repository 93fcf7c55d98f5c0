//! The commands of the connect, sign-in and checks steps and the webhooks step: each deserializes
//! its form, calls its action on [`ado_flows::app::App`] and hands the answer back. Sync commands
//! run on the UI thread, so every command that may wait for the keyring or the network is async.

use ado_flows::app::{App, AppInfo, ChecksForm, ConnectForm, ServicePrincipalForm, ServicesForm};
use ado_flows::home::Opened;
use ado_flows::hooks::{self, ApplyEvent, HookRequest, SubscriptionId};
use ado_flows::interface::{AccessPlan, Capability, Check};
use ado_flows::preflight::PreflightReport;
use ado_flows::resolve::Understood;
use ado_flows::signin::DeviceCodePrompt;
use ado_flows::tls::PresentedChain;
use ado_flows::{Profile, ProfileId};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

use crate::error::CommandError;
use crate::state::open_in_browser;

/// What the first screen needs.
#[tauri::command]
pub async fn app_info(app: State<'_, App>) -> Result<AppInfo, CommandError> {
    tracing::debug!(ms = crate::since_start(), "app_info asked");
    Ok(app.app_info(env!("CARGO_PKG_VERSION")))
}

#[tauri::command]
pub async fn parse_url(app: State<'_, App>, input: String) -> Result<Understood, CommandError> {
    app.parse_url(&input).await
}

#[tauri::command]
pub async fn connect_with_pat(
    app: State<'_, App>,
    form: ConnectForm,
) -> Result<Opened, CommandError> {
    app.connect_with_pat(form).await
}

#[tauri::command]
pub async fn list_connections(app: State<'_, App>) -> Result<Vec<Profile>, CommandError> {
    app.list_connections()
}

#[tauri::command]
pub async fn inspect_certificate(
    app: State<'_, App>,
    url: String,
) -> Result<PresentedChain, CommandError> {
    app.inspect_certificate(&url).await
}

#[tauri::command]
pub fn access_plan(app: State<'_, App>, capabilities: Vec<Capability>) -> AccessPlan {
    app.access_plan(&capabilities)
}

/// Each check streams to `on_check` as it settles.
#[tauri::command]
pub async fn run_checks(
    app: State<'_, App>,
    form: ChecksForm,
    on_check: Channel<Check>,
) -> Result<PreflightReport, CommandError> {
    app.run_checks(form, &|check| drop(on_check.send(check.clone())))
        .await
}

#[tauri::command]
pub fn save_report(app: State<'_, App>) -> Result<Vec<String>, CommandError> {
    app.save_report()
}

/// The sign-in address goes to `on_url` too, for the user to open by hand if no browser opened.
#[tauri::command]
pub async fn sign_in_browser(
    handle: AppHandle,
    app: State<'_, App>,
    form: ServicesForm,
    on_url: Channel<String>,
) -> Result<Opened, CommandError> {
    let open = |url: &url::Url| {
        drop(on_url.send(url.to_string()));
        open_in_browser(&handle, url.as_str());
    };
    app.sign_in_browser(form, open).await
}

#[tauri::command]
pub async fn sign_in_device(
    app: State<'_, App>,
    form: ServicesForm,
    on_code: Channel<DeviceCodePrompt>,
) -> Result<Opened, CommandError> {
    app.sign_in_device(form, |prompt| drop(on_code.send(prompt)))
        .await
}

#[tauri::command]
pub async fn sign_in_service_principal(
    app: State<'_, App>,
    form: ServicePrincipalForm,
) -> Result<Opened, CommandError> {
    app.sign_in_service_principal(form).await
}

#[tauri::command]
pub fn cancel_sign_in(app: State<'_, App>) -> bool {
    app.cancel_sign_in()
}

#[tauri::command]
pub async fn plan_hooks(
    app: State<'_, App>,
    profile_id: ProfileId,
    request: HookRequest,
) -> Result<hooks::HookPlan, CommandError> {
    app.plan_hooks(profile_id, &request).await
}

#[tauri::command]
pub async fn apply_hooks(
    app: State<'_, App>,
    on_event: Channel<ApplyEvent>,
) -> Result<hooks::ApplyReport, CommandError> {
    app.apply_hooks(&|e| drop(on_event.send(e.clone()))).await
}

#[tauri::command]
pub async fn recover_hooks(
    app: State<'_, App>,
    profile_id: ProfileId,
    on_event: Channel<ApplyEvent>,
) -> Result<hooks::ApplyReport, CommandError> {
    app.recover_hooks(&profile_id, &|e| drop(on_event.send(e.clone())))
        .await
}

#[tauri::command]
pub async fn rollback_hooks(
    app: State<'_, App>,
    profile_id: ProfileId,
) -> Result<hooks::RollbackReport, CommandError> {
    app.rollback_hooks(&profile_id).await
}

#[tauri::command]
pub async fn test_hook(
    app: State<'_, App>,
    profile_id: ProfileId,
    subscription_id: SubscriptionId,
) -> Result<hooks::TestDelivery, CommandError> {
    app.test_hook(&profile_id, &subscription_id).await
}

#[tauri::command]
pub async fn hook_history(
    app: State<'_, App>,
    profile_id: ProfileId,
    subscription_id: SubscriptionId,
) -> Result<Vec<hooks::Delivery>, CommandError> {
    app.hook_history(&profile_id, &subscription_id).await
}

#[tauri::command]
pub async fn remove_hooks(
    app: State<'_, App>,
    profile_id: ProfileId,
) -> Result<hooks::RemoveReport, CommandError> {
    app.remove_hooks(&profile_id).await
}
