// The command list is the inventory of the IPC surface: each gets an `allow-<command>` permission,
// granted one by one in capabilities/default.json. It is written once, in src/command_list.rs
// (the same list `generate_handler!` is built from).
include!("src/command_list.rs");

const COMMANDS: &[&str] = with_commands!(command_names);

fn main() {
    println!("cargo:rerun-if-changed=src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step");
}
