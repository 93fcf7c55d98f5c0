//! Item 2 of issue 19: a product name with a line break is refused when the profile is read,
//! and names that reach the webhook reproduction script (the product's, the projects') cannot
//! start a line of their own in it: the script parses, and running it runs only its own
//! commands (curl, here a stand-in that talks to nobody).

use std::collections::BTreeMap;
use std::path::Path;

use ado_core::ids::ProjectId;
use ado_emulator::scenario::{ProjectSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_flows::hooks::HookRecords;
use ado_flows::product::handoff::{recorded_specs, HandoffChoice};
use ado_flows::product::saved::script_of;
use ado_flows::product::{apply_product_hooks, load_profile, LoadError, ProductHooksRequest};
use ado_flows::ConnectOptions;

use crate::support::*;

/// The file an injected command would create in the folder the script runs in.
const MARK: &str = "an-injected-command-ran";

/// What a name smuggles in: a line that prints the PAT, one that leaves a mark, and a `#` that
/// comments out the rest of the original line (no slash: the emulator refuses one in a
/// project name).
fn payload() -> String {
    format!("Fiber\necho $ADO_PAT\ntouch {MARK}\n#")
}

#[test]
fn a_product_name_with_a_line_break_is_refused_naming_product_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(profile_path("datafold")).unwrap();
    let evil = text.replace(
        "name = \"Datafold\"",
        "name = \"Datafold\\necho $ADO_PAT\\n#\"",
    );
    assert_ne!(evil, text);
    let path = dir.path().join("datafold.toml");
    std::fs::write(&path, &evil).unwrap();
    let line = evil.lines().position(|l| l.starts_with("name = ")).unwrap() + 1;
    for loaded in [
        load_profile(&path),
        ado_flows::product::load_profile_text("datafold.toml", &evil),
    ] {
        let Err(LoadError::Invalid { errors, .. }) = loaded else {
            panic!("a name with a line break is refused: {loaded:?}")
        };
        let error = errors
            .iter()
            .find(|e| e.field == "product.name")
            .unwrap_or_else(|| panic!("product.name is named: {errors:#?}"));
        assert_eq!(error.line, line, "{error:?}");
        assert!(error.message.contains("control character"), "{error:?}");
    }
}

/// Writes `script`, checks that `sh -n` parses it and that no line starts a command the
/// script does not own, then runs it in `dir` with a stand-in `curl` (which reads its input
/// and logs one line): returns how many times curl ran.
fn run_script(dir: &Path, script: &str) -> usize {
    let marker = dir.join(MARK);
    for line in script.lines() {
        let t = line.trim_start();
        assert!(
            !t.starts_with("echo") && !t.starts_with("touch"),
            "an injected command line: {line:?}\n{script}"
        );
    }
    let path = dir.join("webhooks.sh");
    std::fs::write(&path, script).unwrap();
    let parsed = std::process::Command::new("sh")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        parsed.status.success(),
        "sh -n: {}\n{script}",
        String::from_utf8_lossy(&parsed.stderr)
    );

    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let curl = bin.join("curl");
    std::fs::write(
        &curl,
        "#!/bin/sh\ncat >/dev/null\necho curl >>\"$CURL_LOG\"\n",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = dir.join("curl.log");
    let _ = std::fs::remove_file(&log);
    let ran = std::process::Command::new("sh")
        .arg(&path)
        .current_dir(dir)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("ADO_PAT", "the-pat-the-script-tells-you-to-export")
        .env(
            "WEBHOOK_SECRET",
            "the-webhook-secret-it-tells-you-to-export",
        )
        .env("CURL_LOG", &log)
        .env_remove("ADO_URL")
        .output()
        .unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(ran.status.success(), "{out}\n{script}");
    assert!(
        !out.contains("the-pat-the-script"),
        "the PAT was printed: {out}"
    );
    assert!(!marker.exists(), "an injected command ran:\n{script}");
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .count()
}

#[tokio::test]
async fn the_reproduction_script_runs_only_its_own_commands_whatever_the_names() {
    let dir = tempfile::tempdir().unwrap();
    let evil_project = payload();
    let emu = emulator_with(|s| {
        let fabrikam = s
            .organizations
            .iter_mut()
            .find(|o| o.name == "fabrikam")
            .unwrap();
        fabrikam.projects.push(ProjectSpec {
            administrators: vec![DEMO_USER_EMAIL.to_string()],
            ..ProjectSpec::named(&evil_project)
        });
    })
    .await;
    let fx = saved(
        services(&emu, "fabrikam"),
        DEMO_FULL_ACCESS_PAT,
        Some(LATER),
    )
    .await;
    let alpha = written(
        dir.path(),
        "alpha.toml",
        &wizard_product(
            "alpha",
            "Alpha",
            "https://alpha.receiver.invalid/hooks",
            "git.push",
        ),
    );
    let cleared = fx
        .clear_now(alpha.clone(), Vec::new())
        .await
        .cleared()
        .unwrap_or_else(|p| panic!("the connection's PAT passes: {p:?}"));
    let client = ado_flows::verify::client_for(
        &fx.target,
        ado_client::Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let records = HookRecords::new(fx.connections.clone(), fx.id.clone());
    let request = ProductHooksRequest {
        placeholders: BTreeMap::new(),
        projects: Vec::new(),
        repositories: Vec::new(),
        secret: None,
    };
    let report = apply_product_hooks(&cleared, &client, &records, &request, &|_| {})
        .await
        .expect("the hooks apply");
    assert!(report.ok, "{report:#?}");
    assert!(
        report.runs.iter().any(|r| r.project == evil_project),
        "the project with a line break got its webhook: {report:#?}"
    );

    // The script of what was registered, as the app and the CLI write it.
    let mut handoff = fx
        .handoff_now(alpha, HandoffChoice::default())
        .await
        .expect("cleared");
    let (script, subscriptions) = script_of(&fx.connections, &handoff).unwrap();
    assert_eq!(subscriptions, 3, "one per project");
    assert_eq!(run_script(dir.path(), &script), 3);

    // The same subscriptions described with the names the server and the profile gave (a
    // project name and a product name with line breaks, CR, NEL and LINE SEPARATOR): still
    // comments only. The profile's name cannot even be read that way (above); this one is
    // changed after reading, to check the script's own escaping.
    handoff.profile.product.name = payload();
    let specs: Vec<_> = recorded_specs(&fx.connections, &fx.id)
        .unwrap()
        .into_iter()
        .map(|(spec, _)| {
            let name = format!("{}\r\necho $ADO_PAT\u{2028}echo again\u{85}x", payload());
            (spec, ProjectId::from(name.as_str()))
        })
        .collect();
    let script = handoff.reproduction_script(&specs);
    assert_eq!(run_script(dir.path(), &script), 3);
}
