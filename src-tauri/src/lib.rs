//! The Tauri shell of ADO Connect: state, thin commands, nothing else. The work is in `ado_flows`.

#[macro_use]
mod command_list;
mod commands;
mod error;
mod home;
mod mint;
mod product;
mod state;

use std::sync::OnceLock;
use std::time::Instant;

use tauri::Manager as _;

/// The names of the app's Tauri commands, in the order of `src/command_list.rs` (the one list the
/// handler, the app manifest and the checks of the capability and the UI's calls all come from).
pub const COMMANDS: &[&str] = with_commands!(command_names);

/// `tauri::generate_handler!` over the command list.
macro_rules! invoke_handler {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$command),*]
    };
}

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
        .manage(state::app())
        .setup(move |app| {
            tracing::debug!(ms = since_start(), "setup");
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                handle.state::<ado_flows::app::App>().warm();
                tracing::debug!(ms = since_start(), "state ready");
            });
            Ok(())
        })
        .on_page_load(move |_, payload| {
            tracing::debug!(ms = since_start(), event = ?payload.event(), "page load");
        })
        .invoke_handler(with_commands!(invoke_handler))
        .run(tauri::generate_context!())
        .expect("error while running ADO Connect");
}
