// The command list is the inventory of the IPC surface: each gets an `allow-<command>` permission,
// granted one by one in capabilities/default.json.
const COMMANDS: &[&str] = &[
    "app_info",
    "parse_url",
    "connect_with_pat",
    "list_connections",
    "connection_cards",
    "reverify_connection",
    "rename_connection",
    "forget_connection",
    "search_catalog",
    "http_alternative",
    "inspect_certificate",
    "access_plan",
    "run_checks",
    "save_report",
    "sign_in_browser",
    "sign_in_device",
    "sign_in_service_principal",
    "cancel_sign_in",
    "hooks_overview",
    "plan_hooks",
    "apply_hooks",
    "recover_hooks",
    "rollback_hooks",
    "test_hook",
    "hook_history",
    "remove_hooks",
    "product_info",
    "open_product_profile",
    "close_product_profile",
    "product_check",
    "product_hooks_plan",
    "product_hooks_apply",
    "handoff_panel",
    "handoff_value",
    "handoff_export",
    "handoff_script",
    "handoff_post",
    "product_connect_rules",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
