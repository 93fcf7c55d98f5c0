//! The product steps: a product profile opened with the app (`--profile FILE`,
//! `ADO_CONNECT_PROFILE`, a `profile.toml` next to the executable, or the file picker on the
//! first step), its checks, its webhooks and the hand-off. Adapters over `ado_flows::app`.

use std::path::PathBuf;

use ado_flows::app::{
    App, ChoiceForm, ConsentForm, ProductCheckForm, ProductHooksForm, ProductInfo, RulesForm,
};
use ado_flows::hooks::ApplyEvent;
use ado_flows::product::saved::{ConnectRules, Delivered, HandoffView, Script, Written};
use ado_flows::product::{
    load_profile, LoadError, LoadedProfile, ProductEvent, ProductHookPlan, ProductHooksReport,
    ProductReport,
};
use ado_flows::ProfileId;
use secrecy::SecretString;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::CommandError;

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

/// Reads the profile named on the command line, in the environment, or next to the app.
pub fn from_process() -> Option<Result<LoadedProfile, LoadError>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = profile_path(
        &args,
        std::env::var("ADO_CONNECT_PROFILE").ok(),
        std::env::current_exe().ok(),
    )?;
    let loaded = load_profile(&path);
    if let Err(e) = &loaded {
        tracing::warn!("product profile not loaded: {e}");
    }
    Some(loaded)
}

/// A product event, as JSON, into a channel.
pub fn to_channel(channel: &Channel<serde_json::Value>) -> impl Fn(&ProductEvent<'_>) + Sync + '_ {
    |event| drop(serde_json::to_value(event).map(|v| channel.send(v)))
}

#[tauri::command]
pub fn product_info(app: State<'_, App>) -> Option<ProductInfo> {
    app.product_info()
}

/// A broken profile is refused with every mistake (and its code) and the current one stays.
#[tauri::command]
pub fn open_product_profile(
    app: State<'_, App>,
    name: String,
    text: String,
) -> Result<ProductInfo, CommandError> {
    app.open_product_profile(&name, &text)
}

#[tauri::command]
pub fn close_product_profile(app: State<'_, App>) {
    app.close_product_profile()
}

#[tauri::command]
pub fn product_connect_rules(
    app: State<'_, App>,
    form: RulesForm,
) -> Result<ConnectRules, CommandError> {
    app.product_connect_rules(form)
}

/// Each row streams to `on_event`.
#[tauri::command]
pub async fn product_check(
    app: State<'_, App>,
    form: ProductCheckForm,
    on_event: Channel<serde_json::Value>,
) -> Result<ProductReport, CommandError> {
    app.product_check(form, &to_channel(&on_event)).await
}

#[tauri::command]
pub async fn product_hooks_plan(
    app: State<'_, App>,
    form: ProductHooksForm,
) -> Result<ProductHookPlan, CommandError> {
    app.product_hooks_plan(form).await
}

#[tauri::command]
pub async fn product_hooks_apply(
    app: State<'_, App>,
    form: ProductHooksForm,
    on_event: Channel<ApplyEvent>,
) -> Result<ProductHooksReport, CommandError> {
    app.product_hooks_apply(form, &|e| drop(on_event.send(e.clone())))
        .await
}

#[tauri::command]
pub async fn handoff_panel(
    app: State<'_, App>,
    profile_id: ProfileId,
    choice: ChoiceForm,
) -> Result<HandoffView, CommandError> {
    app.handoff_panel(&profile_id, choice).await
}

#[tauri::command]
pub async fn handoff_value(
    app: State<'_, App>,
    profile_id: ProfileId,
    choice: ChoiceForm,
    key: String,
) -> Result<Option<String>, CommandError> {
    app.handoff_value(&profile_id, choice, &key).await
}

#[tauri::command]
pub async fn handoff_export(
    app: State<'_, App>,
    profile_id: ProfileId,
    choice: ChoiceForm,
    include_secrets: bool,
) -> Result<Written, CommandError> {
    app.handoff_export(&profile_id, choice, include_secrets)
        .await
}

#[tauri::command]
pub async fn handoff_script(
    app: State<'_, App>,
    profile_id: ProfileId,
    choice: ChoiceForm,
) -> Result<Script, CommandError> {
    app.handoff_script(&profile_id, choice).await
}

#[tauri::command]
pub async fn handoff_post(
    app: State<'_, App>,
    profile_id: ProfileId,
    choice: ChoiceForm,
    token: Option<SecretString>,
    trusted_ca_pem: Option<String>,
    consent: Option<ConsentForm>,
) -> Result<Delivered, CommandError> {
    app.handoff_post(&profile_id, choice, token, trusted_ca_pem, consent)
        .await
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
        let e = App::new(None).product().unwrap_err();
        assert_eq!(e.code().as_str(), "nothing_yet");
        assert!(e.message.contains("No product profile"), "{}", e.message);
    }
}
