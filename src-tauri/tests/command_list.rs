//! The command list is written once (`src/command_list.rs`): the handler and the app manifest
//! (build.rs) are built from it. The places that still name commands by hand are checked here
//! against it: the capability that grants them, the UI's calls, and the `#[tauri::command]`
//! functions themselves. Each check names the commands one place has and the list does not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ado_connect_lib::COMMANDS;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn listed() -> BTreeSet<String> {
    COMMANDS.iter().map(|c| c.to_string()).collect()
}

/// Fails naming what `place` has that the list lacks, and what the list has that `place` lacks.
fn assert_same(place: &str, found: &BTreeSet<String>) {
    let listed = listed();
    let only_there: Vec<_> = found.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(found).collect();
    assert!(
        only_there.is_empty() && missing.is_empty(),
        "{place} and src/command_list.rs disagree:\n  only in {place}: {only_there:?}\n  \
         missing from {place}: {missing:?}"
    );
}

/// Every string literal that directly follows `call(` in `source`: `invoke("app_info"` gives `app_info`.
fn first_string_arguments(source: &str, call: &str) -> Vec<String> {
    let mut names = Vec::new();
    let pattern = format!("{call}(");
    let mut rest = source;
    while let Some(at) = rest.find(&pattern) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + pattern.len()..];
        // `invokeStreaming(` also contains `Streaming(`: only whole identifiers count.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let arg = rest.trim_start();
        let Some(quote) = arg.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else {
            continue; // `function invoke(command, args)`, `invoke(command, …)`
        };
        let arg = &arg[1..];
        let end = arg.find(quote).expect("an unterminated string literal");
        names.push(arg[..end].to_string());
    }
    names
}

fn backend_js_names(source: &str) -> BTreeSet<String> {
    ["invoke", "invokeStreaming"]
        .iter()
        .flat_map(|call| first_string_arguments(source, call))
        .collect()
}

/// The `allow-<command>` permissions of a capability, as command names (`allow-app-info` → `app_info`).
/// Permissions of Tauri's core and of plugins (`core:…`, `opener:…`) are not the app's commands.
fn granted(capability: &serde_json::Value) -> BTreeSet<String> {
    let permissions = capability["permissions"]
        .as_array()
        .expect("a capability has a permissions array");
    permissions
        .iter()
        .map(|p| match p {
            serde_json::Value::String(s) => s.clone(),
            other => other["identifier"]
                .as_str()
                .expect("a permission object has an identifier")
                .to_string(),
        })
        .filter(|p| !p.contains(':'))
        .map(|p| {
            let command = p.strip_prefix("allow-").unwrap_or_else(|| {
                panic!("{p}: the app's own permissions are allow-<command> (deny- is not used)")
            });
            command.replace('-', "_")
        })
        .collect()
}

/// The names of the functions marked `#[tauri::command]` in `source`.
fn command_functions(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("#[tauri::command") {
            continue;
        }
        let signature = lines
            .by_ref()
            .find(|l| l.contains("fn "))
            .expect("#[tauri::command] is followed by a fn");
        let after = &signature[signature.find("fn ").unwrap() + 3..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        names.push(after[..end].to_string());
    }
    names
}

#[test]
fn the_list_names_each_command_once() {
    let mut seen = BTreeSet::new();
    let twice: Vec<_> = COMMANDS.iter().filter(|c| !seen.insert(**c)).collect();
    assert!(
        twice.is_empty(),
        "listed twice in src/command_list.rs: {twice:?}"
    );
    assert!(!COMMANDS.is_empty());
}

#[test]
fn the_capability_grants_exactly_the_listed_commands() {
    let path = manifest_dir().join("capabilities/default.json");
    let capability: serde_json::Value =
        serde_json::from_str(&read(&path)).expect("default.json is JSON");
    assert_same("capabilities/default.json", &granted(&capability));
}

#[test]
fn the_ui_invokes_exactly_the_listed_commands() {
    let path = manifest_dir().join("../ui/src/backend.js");
    assert_same("ui/src/backend.js", &backend_js_names(&read(&path)));
}

#[test]
fn each_tauri_command_function_is_listed() {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(manifest_dir().join("src")).expect("src/") {
        let path = entry.expect("a src/ entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            for name in command_functions(&read(&path)) {
                assert!(
                    found.insert(name.clone()),
                    "two #[tauri::command] fns named {name}"
                );
            }
        }
    }
    assert_same("the #[tauri::command] functions of src/", &found);
}

// The scanners themselves, on the shapes they must tell apart.

#[test]
fn the_backend_scan_reads_both_calls_and_skips_the_helpers() {
    let source = r#"
        function invoke(command, args) { return tauri.core.invoke(command, args); }
        function invokeStreaming(command, args, key, onMessage) { return invoke(command, { ...args }); }
        export const backend = {
          appInfo: () => invoke("app_info"),
          runChecks: (form, onCheck) => invokeStreaming( 'run_checks', { form }, "onCheck", onCheck),
          myinvoke: () => notinvoke("other"),
        };
    "#;
    let names: Vec<_> = backend_js_names(source).into_iter().collect();
    assert_eq!(names, ["app_info", "run_checks"]);
}

#[test]
fn the_capability_scan_reads_app_permissions_only() {
    let capability = serde_json::json!({ "permissions": [
        "core:event:default",
        "allow-app-info",
        { "identifier": "allow-sign-in-device" },
        "opener:allow-open-url"
    ]});
    let names: Vec<_> = granted(&capability).into_iter().collect();
    assert_eq!(names, ["app_info", "sign_in_device"]);
}

#[test]
fn the_function_scan_reads_names_after_the_attribute() {
    let source = "#[tauri::command]\npub async fn app_info(\n) {}\nfn helper() {}\n\
                  #[tauri::command(rename_all = \"snake_case\")]\n#[allow(x)]\npub fn parse_url() {}\n";
    assert_eq!(command_functions(source), ["app_info", "parse_url"]);
}
