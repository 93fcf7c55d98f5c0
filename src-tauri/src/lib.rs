//! The Tauri shell of ADO Connect: state, thin commands, nothing else. The work is in `ado_flows`.

mod commands;
mod error;
mod home;
mod product;
mod state;

/// Starts the app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .manage(state::AppState::load())
        .manage(product::ProductState::from_process())
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
        ])
        .run(tauri::generate_context!())
        .expect("error while running ADO Connect");
}
