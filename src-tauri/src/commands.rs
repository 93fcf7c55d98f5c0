//! One function per UI action, each a few lines over `ado_flows`.

use std::time::{SystemTime, UNIX_EPOCH};

use ado_flows::home::{ConnectionCard, Opened};
use ado_flows::hooks;
use ado_flows::interface::{AccessPlan, Capability, Check, EventKind, TargetInput};
use ado_flows::preflight::{self, PreflightReport};
use ado_flows::resolve::Understood;
use ado_flows::signin::{self, DeviceCodePrompt};
use ado_flows::tls::PresentedChain;
use ado_flows::{ConnectOptions, Connected, PatConnectRequest, Profile};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

use crate::error::{CommandError, ErrorCode};
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
    /// The saved connections, most recently verified first: the home.
    connections: Vec<ConnectionCard>,
    /// The webhook events the app offers, with their labels.
    events: Vec<EventOption>,
}

/// A webhook event as the UI lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventOption {
    /// The `eventType`, e.g. `git.push`.
    value: &'static str,
    /// How people call it.
    label: &'static str,
    /// True for Git events (they take a repository and branch).
    git: bool,
}

/// What the first screen needs. Async, like every command that may wait for the keyring: sync
/// commands run on the UI thread, and a D-Bus round trip there holds back the window's frames.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    tracing::debug!(ms = crate::since_start(), "app_info asked");
    let store = state.connections().ok();
    let connections = store
        .and_then(|c| ado_flows::home::cards(c, now_unix()).ok())
        .unwrap_or_default();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        sandbox: state.sandbox().and_then(Result::ok),
        sandbox_error: state.sandbox().and_then(Result::err),
        secret_store: store.map(|c| c.secret_backend().description()),
        secret_store_error: state.secret_store_error().map(str::to_string),
        connections,
        events: EventKind::ALL
            .into_iter()
            .map(|e| EventOption {
                value: e.event_type(),
                label: e.label(),
                git: e.is_git(),
            })
            .collect(),
    })
}

/// Parses a pasted URL; an ambiguous server path is settled by probing its candidates.
#[tauri::command]
pub async fn parse_url(input: String) -> Result<Understood, CommandError> {
    Ok(ado_flows::resolve::understand_url_or_problem(&input, &ConnectOptions::default()).await?)
}

/// The connect form. The PAT is a secret from deserialization on (never a plain `String`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectForm {
    target: TargetInput,
    pat: SecretString,
    expires_on: Option<String>,
    /// A CA the user chose to trust for this connection (PEM).
    trusted_ca_pem: Option<String>,
    /// An explicit proxy (`http://host:port`), if any.
    #[serde(default)]
    proxy: Option<String>,
    /// The user consented to plain http to a server on another machine.
    #[serde(default)]
    allow_http: bool,
}

#[tauri::command]
pub async fn connect_with_pat(
    state: State<'_, AppState>,
    form: ConnectForm,
) -> Result<Opened, CommandError> {
    let request = PatConnectRequest {
        target: form.target,
        pat: form.pat,
        expires_on: form.expires_on.filter(|d| !d.trim().is_empty()),
        trusted_ca_pem: form.trusted_ca_pem.filter(|p| !p.trim().is_empty()),
        proxy: form.proxy,
        allow_http: form.allow_http,
    };
    let connected = ado_flows::connect_with_pat(state.connections()?, request, now_unix()).await?;
    Ok(opened(&state, &connected))
}

/// What the result step shows of a verified connection; its catalog stays here for search.
pub fn opened(state: &AppState, connected: &Connected) -> Opened {
    let (opened, catalog) = ado_flows::home::open(connected, now_unix());
    state.keep_catalog(connected.profile.id.clone(), catalog);
    opened
}

#[tauri::command]
pub async fn list_connections(state: State<'_, AppState>) -> Result<Vec<Profile>, CommandError> {
    Ok(state.connections()?.list()?)
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The certificate chain a server presents, for "Trust this CA for this connection".
#[tauri::command]
pub async fn inspect_certificate(url: String) -> Result<PresentedChain, CommandError> {
    Ok(ado_flows::tls::inspect_certificate(&url).await?)
}

/// The least access a set of capabilities needs: the scope table.
#[tauri::command]
pub fn access_plan(capabilities: Vec<Capability>) -> AccessPlan {
    ado_flows::interface::access_plan(&capabilities)
}

/// What the checks step sends.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecksForm {
    profile_id: ado_flows::ProfileId,
    capabilities: Vec<Capability>,
    project: Option<String>,
    consent_to_http: bool,
}

/// Runs every preflight check for a saved connection; each check streams to `on_check` as it
/// settles, and the whole report is returned (and kept for "Save report").
#[tauri::command]
pub async fn run_checks(
    state: State<'_, AppState>,
    form: ChecksForm,
    on_check: Channel<Check>,
) -> Result<PreflightReport, CommandError> {
    let request = preflight::request_for_profile(
        state.connections()?,
        &form.profile_id,
        form.capabilities,
        form.project,
        form.consent_to_http,
    )
    .await?;
    let report = preflight::run_preflight(&request, &|check| {
        let _ = on_check.send(check.clone());
    })
    .await;
    state.remember_report(form.profile_id, request.target, report.clone());
    Ok(report)
}

/// Saves the last report as Markdown and JSON; returns the two paths.
#[tauri::command]
pub fn save_report(state: State<'_, AppState>) -> Result<Vec<String>, CommandError> {
    let (name, target, report) = state.last_report().ok_or_else(preflight::no_report_yet)?;
    Ok(preflight::save_report_to_default_dir(
        &name,
        &target,
        &report,
        now_unix(),
    )?)
}

/// The Services sign-in form (no secret).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicesForm {
    organization: String,
    #[serde(default)]
    services_url: String,
    /// A CA (PEM) trusted for this connection, if any.
    #[serde(default)]
    trusted_ca_pem: Option<String>,
    /// An explicit proxy (`http://host:port`), if any.
    #[serde(default)]
    proxy: Option<String>,
}

impl ServicesForm {
    /// How to reach the organization and Entra.
    fn options(&self) -> ConnectOptions {
        ConnectOptions {
            trusted_ca_pem: self.trusted_ca_pem.clone().filter(|p| !p.trim().is_empty()),
            proxy: self.proxy.clone(),
            ..ConnectOptions::default()
        }
    }
}

/// "Sign in with Microsoft": opens the system browser, waits for the loopback redirect. The URL
/// also goes to `on_url`, so the user can open it by hand if no browser opened.
#[tauri::command]
pub async fn sign_in_browser(
    app: AppHandle,
    state: State<'_, AppState>,
    form: ServicesForm,
    on_url: Channel<String>,
) -> Result<Opened, CommandError> {
    let target = signin::services_target(&form.organization, &form.services_url)?;
    let open = |url: &url::Url| {
        let _ = on_url.send(url.to_string());
        if std::env::var_os("ADO_CONNECT_NO_BROWSER").is_none() {
            if let Err(e) = app.opener().open_url(url.as_str(), None::<&str>) {
                tracing::warn!(error = %e, "could not open the system browser; the link is shown instead");
            }
        }
    };
    let result = signin::sign_in_with_browser(
        state.connections()?,
        &target,
        &signin::settings()?,
        &form.options(),
        open,
        |c| state.keep_cancel(c),
        now_unix(),
    )
    .await;
    signed_in(&state, result)
}

/// Ends an interactive sign-in (browser or device code), whatever its outcome: its cancel token
/// goes, then the connection it made opens.
fn signed_in(
    state: &AppState,
    result: Result<Connected, ado_flows::ConnectError>,
) -> Result<Opened, CommandError> {
    state.clear_cancel();
    Ok(opened(state, &result?))
}

/// Device code: the code and URL go to `on_code`; polls until approved or cancelled.
#[tauri::command]
pub async fn sign_in_device(
    state: State<'_, AppState>,
    form: ServicesForm,
    on_code: Channel<DeviceCodePrompt>,
) -> Result<Opened, CommandError> {
    let target = signin::services_target(&form.organization, &form.services_url)?;
    let show = |prompt: DeviceCodePrompt| {
        let _ = on_code.send(prompt);
    };
    let result = signin::sign_in_with_device_code(
        state.connections()?,
        &target,
        &signin::settings()?,
        &form.options(),
        show,
        |c| state.keep_cancel(c),
        now_unix(),
    )
    .await;
    signed_in(&state, result)
}

/// The service principal form. The secret is wrapped as soon as it arrives.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipalForm {
    #[serde(flatten)]
    services: ServicesForm,
    tenant: String,
    client_id: String,
    client_secret: String,
}

/// Signs in as a service principal.
#[tauri::command]
pub async fn sign_in_service_principal(
    state: State<'_, AppState>,
    form: ServicePrincipalForm,
) -> Result<Opened, CommandError> {
    let target = signin::services_target(&form.services.organization, &form.services.services_url)?;
    let secret = SecretString::from(form.client_secret);
    let connected = signin::sign_in_as_service_principal(
        state.connections()?,
        &target,
        &signin::settings()?,
        signin::ServicePrincipalLogin {
            tenant: &form.tenant,
            client_id: &form.client_id,
            secret: &secret,
        },
        &form.services.options(),
        now_unix(),
    )
    .await?;
    Ok(opened(&state, &connected))
}

/// Cancels a browser or device-code sign-in under way.
#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>) -> bool {
    state.cancel_sign_in()
}

/// Opens a hooks session for a saved connection.
pub async fn hooks_session(
    state: &AppState,
    profile_id: &ado_flows::ProfileId,
) -> Result<hooks::Session, CommandError> {
    Ok(hooks::open_session(state.connections()?, profile_id, &signin::settings()?).await?)
}

/// Plans what to create, adopt, update or re-enable; nothing changes yet. The plan (with any
/// generated secret, in memory only) is kept for "Apply".
#[tauri::command]
pub async fn plan_hooks(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    request: hooks::HookRequest,
) -> Result<hooks::HookPlan, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    let plan = hooks::plan_hooks(&client, &records, &request).await?;
    state.keep_hook_plan(profile_id, plan.clone());
    Ok(plan)
}

/// Applies the kept plan, streaming progress; the report reveals a new secret once.
#[tauri::command]
pub async fn apply_hooks(
    state: State<'_, AppState>,
    on_event: Channel<hooks::ApplyEvent>,
) -> Result<hooks::ApplyReport, CommandError> {
    let (profile_id, plan) = state.take_hook_plan().ok_or_else(|| {
        CommandError::new(
            ErrorCode::NothingYet,
            None,
            "There is no plan to apply.",
            "Preview the plan first.",
        )
    })?;
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    // The service-hooks permission is asked again first: nothing is created without it.
    Ok(hooks::apply_checked(&client, &records, &plan, &|e| {
        drop(on_event.send(e.clone()))
    })
    .await?)
}

/// Finishes an interrupted run.
#[tauri::command]
pub async fn recover_hooks(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    on_event: Channel<hooks::ApplyEvent>,
) -> Result<hooks::ApplyReport, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    Ok(hooks::recover(&client, &records, &|e| drop(on_event.send(e.clone()))).await?)
}

/// Rolls an interrupted run back: deletes what it created.
#[tauri::command]
pub async fn rollback_hooks(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
) -> Result<hooks::RollbackReport, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    Ok(hooks::rollback(&client, &records).await?)
}

/// Sends a test event through one subscription and shows the receiver's answer.
#[tauri::command]
pub async fn test_hook(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    subscription_id: hooks::SubscriptionId,
) -> Result<hooks::TestDelivery, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    Ok(hooks::send_test(&client, &records, &subscription_id).await?)
}

/// Recent deliveries of one subscription.
#[tauri::command]
pub async fn hook_history(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
    subscription_id: hooks::SubscriptionId,
) -> Result<Vec<hooks::Delivery>, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    Ok(hooks::history(&client, &records, &subscription_id, 20).await?)
}

/// Deletes exactly the subscriptions this app created or adopted.
#[tauri::command]
pub async fn remove_hooks(
    state: State<'_, AppState>,
    profile_id: ado_flows::ProfileId,
) -> Result<hooks::RemoveReport, CommandError> {
    let hooks::Session { client, records } = hooks_session(&state, &profile_id).await?;
    Ok(hooks::remove_hooks(&client, &records).await?)
}
