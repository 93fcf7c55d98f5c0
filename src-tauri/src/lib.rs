//! The Tauri shell of ADO Connect: state, thin commands, nothing else. The work is in `ado_flows`.

mod commands;
mod error;
mod home;
mod mint;
mod product;
mod state;

use std::sync::OnceLock;
use std::time::Instant;

use tauri::Manager as _;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Milliseconds since [`run`] began (for the start-up phase logs).
pub(crate) fn since_start() -> u64 {
    STARTED.get_or_init(Instant::now).elapsed().as_millis() as u64
}

/// Linux: WebKitGTK's accelerated compositing makes the first frame wait for GL, and without a
/// GPU (VMs, remote desktops, CI; Mesa's llvmpipe) that first frame of this page cost ~800 ms after
/// the page had loaded: start to first paint 1,240 ms against 421 ms without it (`make bench`,
/// issue 9). Without compositing, WebKit's DMA-BUF renderer then made about half the starts wait
/// ~500 ms more before the page even began to load (9 of 16 runs; 1 of 16 without it, measured
/// with `benches/start_phases.py`; a bare Tauri app does the same). A form wizard gains nothing
/// from either, so both are off unless the user says otherwise (set the variable to `0` to turn
/// one back on). Runs before any thread starts.
fn first_frame_without_compositing() {
    #[cfg(target_os = "linux")]
    for knob in [
        "WEBKIT_DISABLE_COMPOSITING_MODE",
        "WEBKIT_DISABLE_DMABUF_RENDERER",
    ] {
        if std::env::var_os(knob).is_none() {
            std::env::set_var(knob, "1");
        }
    }
}

/// Starts the app. Nothing slow runs before the window exists: the secret store and the sandbox
/// file are found on a thread once it does (see `state::AppState`). `RUST_LOG=ado_connect_lib=debug`
/// logs each start-up phase with the milliseconds since `run` began.
pub fn run() {
    since_start();
    first_frame_without_compositing();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .manage(state::AppState::new())
        .manage(product::ProductState::from_process())
        .setup(move |app| {
            tracing::debug!(ms = since_start(), "setup");
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                handle.state::<state::AppState>().warm();
                tracing::debug!(ms = since_start(), "state ready");
            });
            Ok(())
        })
        .on_page_load(move |_, payload| {
            tracing::debug!(ms = since_start(), event = ?payload.event(), "page load");
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::parse_url,
            commands::connect_with_pat,
            commands::list_connections,
            home::connection_cards,
            home::reverify_connection,
            home::rename_connection,
            home::forget_connection,
            home::search_catalog,
            home::http_alternative,
            commands::inspect_certificate,
            commands::access_plan,
            commands::run_checks,
            commands::save_report,
            commands::sign_in_browser,
            commands::sign_in_device,
            commands::sign_in_service_principal,
            commands::cancel_sign_in,
            home::hooks_overview,
            home::hooks_gate,
            home::open_hook_page,
            commands::plan_hooks,
            commands::apply_hooks,
            commands::recover_hooks,
            commands::rollback_hooks,
            commands::test_hook,
            commands::hook_history,
            commands::remove_hooks,
            product::product_info,
            product::open_product_profile,
            product::close_product_profile,
            product::product_check,
            product::product_hooks_plan,
            product::product_hooks_apply,
            product::handoff_panel,
            product::handoff_value,
            product::handoff_export,
            product::handoff_script,
            product::handoff_post,
            product::product_connect_rules,
            mint::list_organizations,
            mint::mint_plan,
            mint::mint_tokens,
            mint::minted_tokens,
            mint::revoke_minted,
        ])
        .run(tauri::generate_context!())
        .expect("error while running ADO Connect");
}
