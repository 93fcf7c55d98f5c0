// The IPC surface of ADO Connect, written once. Each entry is `module::command`.
//
// `with_commands!(callback)` calls `callback!` with the list. `lib.rs` turns it into the
// `tauri::generate_handler!` and `COMMANDS`; `build.rs` includes this file and turns it into the
// app manifest's command list (each command gets an `allow-<command>` permission). The two other
// places that name commands, `capabilities/default.json` (which grants them) and `ui/src/backend.js`
// (which invokes them), are checked against it by `tests/command_list.rs`.
//
// This file is `include!`d by build.rs: it holds only this macro.
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
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
        }
    };
}

/// The command names of a `module::command` list, in order: `command_names! { a::b, c::d }`.
macro_rules! command_names {
    ($($module:ident :: $command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}
