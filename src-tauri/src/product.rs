//! The product steps: a product profile opened with the app (`--profile FILE`,
//! `ADO_CONNECT_PROFILE`, a `profile.toml` next to the executable, or the file picker on the
//! first step), its checks, its webhooks and the hand-off. Thin commands over
//! `ado_flows::product`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use ado_flows::hooks::ApplyEvent;
use ado_flows::interface::{ProductProfile, TargetInput};
use ado_flows::product::delivery::Consent;
use ado_flows::product::gate::{clear_saved, Clear, Cleared, ConnectorPat, SavedCheck};
use ado_flows::product::handoff::{open_handoff, Handoff, HandoffChoice};
use ado_flows::product::post::PostOptions;
use ado_flows::product::saved::{
    self, ConnectInput, ConnectRules, Delivered, HandoffView, Script, Written,
};
use ado_flows::product::{
    apply_product_hooks, load_profile, load_profile_text, plan_product_hooks, LoadError,
    LoadedProfile, ProductEvent, ProductHookPlan, ProductHooksReport, ProductHooksRequest,
    ProductReport,
};
use ado_flows::{signin, ProfileId};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;

use crate::commands::{hooks_session, now_unix};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The product profile the app was opened with, read once at start.
pub struct ProductState {
    opened: Mutex<Option<Result<LoadedProfile, LoadError>>>,
}

/// Where a profile comes from: `--profile FILE` (or `--profile=FILE`), else
/// `ADO_CONNECT_PROFILE`, else `profile.toml` next to the executable.
pub fn profile_path(args: &[String], env: Option<String>, exe: Option<PathBuf>) -> Option<PathBuf> {
    let mut given = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--profile" {
            given = iter.next().cloned();
        } else if let Some(path) = arg.strip_prefix("--profile=") {
            given = Some(path.to_string());
        }
    }
    given
        .or(env.filter(|v| !v.trim().is_empty()))
        .map(PathBuf::from)
        .or_else(|| {
            let beside = exe?.parent()?.join("profile.toml");
            beside.is_file().then_some(beside)
        })
}

impl ProductState {
    /// Reads the profile named on the command line, in the environment, or next to the app.
    pub fn from_process() -> ProductState {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let path = profile_path(
            &args,
            std::env::var("ADO_CONNECT_PROFILE").ok(),
            std::env::current_exe().ok(),
        );
        ProductState {
            opened: Mutex::new(path.map(|p| {
                let loaded = load_profile(&p);
                if let Err(e) = &loaded {
                    tracing::warn!("product profile not loaded: {e}");
                }
                loaded
            })),
        }
    }

    pub(crate) fn profile(&self) -> Result<ProductProfile, CommandError> {
        match &*self.opened.lock().expect("profile lock") {
            Some(Ok(loaded)) => Ok(loaded.profile.clone()),
            _ => Err(CommandError::new(
                ErrorCode::NothingYet,
                None,
                "No product profile is open.",
                "Start ADO Connect with --profile FILE (a product's .toml profile).",
            )),
        }
    }
}

/// What the UI shows of the profile: the profile itself, or why it could not be read.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInfo {
    /// The profile, when it loaded.
    loaded: Option<LoadedProfile>,
    /// Why it did not (each mistake with its line and field).
    error: Option<LoadError>,
    /// The error's stable code (the UI shows it; it never makes one up).
    code: Option<&'static str>,
}

impl ProductInfo {
    fn loaded(loaded: LoadedProfile) -> ProductInfo {
        ProductInfo {
            loaded: Some(loaded),
            error: None,
            code: None,
        }
    }

    fn refused(error: LoadError) -> ProductInfo {
        ProductInfo {
            loaded: None,
            code: Some(error.code()),
            error: Some(error),
        }
    }
}

/// The product profile the app was opened with, if any.
#[tauri::command]
pub fn product_info(product: State<'_, ProductState>) -> Option<ProductInfo> {
    let opened = product.opened.lock().expect("profile lock");
    opened.as_ref().map(|opened| match opened {
        Ok(loaded) => ProductInfo::loaded(loaded.clone()),
        Err(e) => ProductInfo::refused(e.clone()),
    })
}

/// Opens a profile the user picked (its name and text, read by the page): the wizard then works
/// for that product. A broken one is refused with every mistake and the current one stays.
#[tauri::command]
pub fn open_product_profile(
    product: State<'_, ProductState>,
    name: String,
    text: String,
) -> Result<ProductInfo, ProductInfo> {
    match load_profile_text(&name, &text) {
        Ok(loaded) => {
            *product.opened.lock().expect("profile lock") = Some(Ok(loaded.clone()));
            Ok(ProductInfo::loaded(loaded))
        }
        Err(e) => Err(ProductInfo::refused(e)),
    }
}

/// Goes back to the wizard without a product.
#[tauri::command]
pub fn close_product_profile(product: State<'_, ProductState>) {
    *product.opened.lock().expect("profile lock") = None;
}

/// What the connect form holds so far, for [`product_connect_rules`].
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConnectForm {
    #[serde(default)]
    target: Option<TargetInput>,
    #[serde(default)]
    method: Option<ado_flows::interface::SignInMethod>,
    #[serde(default)]
    expires_on: Option<String>,
}

/// What the connect form may offer for the product and what it refuses, before any request.
#[tauri::command]
pub fn product_connect_rules(
    product: State<'_, ProductState>,
    form: ConnectForm,
) -> Result<ConnectRules, CommandError> {
    let input = ConnectInput {
        deployment: form.target.as_ref().and_then(|t| t.deployment),
        target: form.target.and_then(|t| t.validate().ok()),
        method: form.method,
        expires_on: form.expires_on,
    };
    Ok(saved::connect_rules(&product.profile()?, &input))
}

/// A connector PAT from the product step.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatForm {
    connector: String,
    index: usize,
    pat: SecretString,
    #[serde(default)]
    expires_on: Option<String>,
}

/// What the product step sends to run its checks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductCheckForm {
    profile_id: ProfileId,
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    pats: Vec<PatForm>,
}

fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Runs the product's checks for a saved connection, streaming each row.
#[tauri::command]
pub async fn product_check(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    form: ProductCheckForm,
    on_event: Channel<serde_json::Value>,
) -> Result<ProductReport, CommandError> {
    let pats = form.pats.into_iter().map(|p| ConnectorPat {
        connector: p.connector,
        index: p.index,
        pat: p.pat,
        expires_on: given(p.expires_on),
    });
    let request = SavedCheck {
        profile: product.profile()?,
        connection_id: form.profile_id,
        project: given(form.project),
        repository: given(form.repository),
        pats: pats.collect(),
    };
    let send =
        |event: &ProductEvent<'_>| drop(serde_json::to_value(event).map(|v| on_event.send(v)));
    let (connections, settings) = (state.connections()?, signin::settings()?);
    Ok(saved::check_saved(connections, &settings, request, now_unix(), &send).await?)
}

/// What the product step sends for its webhooks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductHooksForm {
    profile_id: ProfileId,
    #[serde(default)]
    choice: ChoiceForm,
    /// Empty: every project the connection sees.
    #[serde(default)]
    projects: Vec<String>,
    /// The secret the product gave, for profiles whose product gives it.
    #[serde(default)]
    secret: Option<SecretString>,
}

/// The gate for the product's webhooks: the connection passed the product's checks.
async fn cleared(
    state: &AppState,
    product: &ProductState,
    id: &ProfileId,
    choice: &ChoiceForm,
) -> Result<Cleared, CommandError> {
    let request = SavedCheck {
        profile: product.profile()?,
        connection_id: id.clone(),
        project: given(choice.project.clone()),
        repository: given(choice.repository.clone()),
        pats: Vec::new(),
    };
    let (connections, settings) = (state.connections()?, signin::settings()?);
    let outcome = clear_saved(
        connections,
        &settings,
        request,
        Clear::IfStale,
        now_unix(),
        &|_| {},
    );
    Ok(outcome.await?.cleared()?)
}

fn hooks_request(form: ProductHooksForm) -> ProductHooksRequest {
    ProductHooksRequest {
        placeholders: HandoffChoice::from(form.choice).placeholders,
        projects: form.projects,
        repositories: Vec::new(),
        secret: form.secret,
    }
}

/// Plans exactly the product's webhooks; nothing changes yet.
#[tauri::command]
pub async fn product_hooks_plan(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    form: ProductHooksForm,
) -> Result<ProductHookPlan, CommandError> {
    let cleared = cleared(&state, &product, &form.profile_id, &form.choice).await?;
    let session = hooks_session(&state, &form.profile_id).await?;
    let request = hooks_request(form);
    Ok(plan_product_hooks(&cleared, &session.client, &session.records, &request).await?)
}

/// Registers exactly the product's webhooks, streaming progress.
#[tauri::command]
pub async fn product_hooks_apply(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    form: ProductHooksForm,
    on_event: Channel<ApplyEvent>,
) -> Result<ProductHooksReport, CommandError> {
    let cleared = cleared(&state, &product, &form.profile_id, &form.choice).await?;
    let session = hooks_session(&state, &form.profile_id).await?;
    let request = hooks_request(form);
    let progress = |e: &ApplyEvent| drop(on_event.send(e.clone()));
    Ok(apply_product_hooks(
        &cleared,
        &session.client,
        &session.records,
        &request,
        &progress,
    )
    .await?)
}

/// The hand-off's choices: what the saved connection does not hold.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceForm {
    #[serde(default)]
    project: Option<String>,
    #[serde(default)]
    repository: Option<String>,
    #[serde(default)]
    public_url: Option<String>,
    #[serde(default)]
    placeholders: BTreeMap<String, String>,
}

impl From<ChoiceForm> for HandoffChoice {
    fn from(form: ChoiceForm) -> Self {
        HandoffChoice {
            project: given(form.project),
            repository: given(form.repository),
            server_public_url: given(form.public_url),
            placeholders: form
                .placeholders
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .collect(),
        }
    }
}

/// The hand-off of a saved connection, through the gate.
async fn handoff(
    state: &AppState,
    product: &ProductState,
    id: &ProfileId,
    choice: ChoiceForm,
) -> Result<Handoff, CommandError> {
    let (connections, settings) = (state.connections()?, signin::settings()?);
    let profile = product.profile()?;
    Ok(open_handoff(
        connections,
        &settings,
        profile,
        id,
        choice.into(),
        now_unix(),
    )
    .await?)
}

/// The "Paste into …" panel for a saved connection (refused until the checks passed).
#[tauri::command]
pub async fn handoff_panel(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
    choice: ChoiceForm,
) -> Result<HandoffView, CommandError> {
    let (connections, settings) = (state.connections()?, signin::settings()?);
    let profile = product.profile()?;
    Ok(saved::handoff_view(
        connections,
        &settings,
        profile,
        &profile_id,
        choice.into(),
        now_unix(),
    )
    .await?)
}

/// One field's value, secret or not (Reveal, Copy).
#[tauri::command]
pub async fn handoff_value(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
    choice: ChoiceForm,
    key: String,
) -> Result<Option<String>, CommandError> {
    let handoff = handoff(&state, &product, &profile_id, choice).await?;
    handoff.require_complete()?;
    Ok(handoff.field_value(&key))
}

/// Writes the export file (secrets only when asked).
#[tauri::command]
pub async fn handoff_export(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
    choice: ChoiceForm,
    include_secrets: bool,
) -> Result<Written, CommandError> {
    let handoff = handoff(&state, &product, &profile_id, choice).await?;
    Ok(saved::export_to_default_dir(
        &handoff,
        include_secrets,
        now_unix(),
    )?)
}

/// Writes and returns the script that recreates the webhook subscriptions.
#[tauri::command]
pub async fn handoff_script(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
    choice: ChoiceForm,
) -> Result<Script, CommandError> {
    let handoff = handoff(&state, &product, &profile_id, choice).await?;
    Ok(saved::script_to_default_dir(
        state.connections()?,
        &handoff,
    )?)
}

/// What the user said about a delivery (after seeing where it goes and what it carries).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConsentForm {
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    allow_local: bool,
}

/// Delivers the hand-off to the product's API, or says where it would go and what it would
/// carry and asks first. A token given here is kept in the keyring for that host.
#[tauri::command]
pub async fn handoff_post(
    state: State<'_, AppState>,
    product: State<'_, ProductState>,
    profile_id: ProfileId,
    choice: ChoiceForm,
    token: Option<SecretString>,
    trusted_ca_pem: Option<String>,
    consent: Option<ConsentForm>,
) -> Result<Delivered, CommandError> {
    let handoff = handoff(&state, &product, &profile_id, choice).await?;
    let options = PostOptions {
        trusted_ca_pem: given(trusted_ca_pem),
        ..PostOptions::default()
    };
    let consent = consent.unwrap_or_default();
    let consent = Consent {
        host: given(consent.host),
        allow_local: consent.allow_local,
    };
    Ok(saved::deliver(state.connections()?, &handoff, token, &consent, &options).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_command_line_wins_then_the_environment_then_a_file_beside_the_app() {
        assert_eq!(
            profile_path(
                &args(&["--profile", "dx.toml"]),
                Some("env.toml".into()),
                None
            ),
            Some(PathBuf::from("dx.toml"))
        );
        assert_eq!(
            profile_path(&args(&["--profile=a b.toml"]), None, None),
            Some(PathBuf::from("a b.toml"))
        );
        assert_eq!(
            profile_path(&[], Some("env.toml".into()), None),
            Some(PathBuf::from("env.toml"))
        );
        assert_eq!(profile_path(&[], Some("  ".into()), None), None);
        let dir = tempfile_dir();
        let exe = dir.join("ado-connect");
        assert_eq!(profile_path(&[], None, Some(exe.clone())), None);
        std::fs::write(dir.join("profile.toml"), "format = 1").unwrap();
        assert_eq!(
            profile_path(&[], None, Some(exe)),
            Some(dir.join("profile.toml"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ado-connect-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn without_a_profile_the_product_commands_say_how_to_open_one() {
        let state = ProductState {
            opened: Mutex::new(None),
        };
        let e = state.profile().unwrap_err();
        assert!(e.message.contains("No product profile"), "{}", e.message);
    }
}
