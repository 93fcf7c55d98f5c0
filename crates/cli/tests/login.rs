//! `login --service-principal` and `logout` through the CLI against the emulator's Entra
//! endpoints: the secret comes from the environment (never argv), the profile holds no secret,
//! and logout removes the connection.

use std::process::Command;

use ado_emulator::scenario::{DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
use ado_emulator::{Config, Emulator, Scenario};

fn cli(args: &[&str], envs: &[(&str, &str)]) -> (i32, serde_json::Value, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ado-connect-cli"));
    command.args(args);
    for (k, v) in envs {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_principal_login_then_logout() {
    if ado_flows::SecretStore::detect().is_err() {
        eprintln!("skipping: no secret store on this machine");
        return;
    }
    let emulator = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        ..Default::default()
    })
    .await
    .unwrap();
    let config = tempfile::tempdir().unwrap();
    let base = emulator.base_url().to_string();
    let services_url = format!("{base}/");
    let client_id = DEMO_SP_CLIENT_ID.to_string();
    let envs = [
        ("ADO_CONNECT_AUTHORITY", base.as_str()),
        ("ADO_CONNECT_CONFIG_DIR", config.path().to_str().unwrap()),
        ("ADO_SP_SECRET", DEMO_SP_SECRET),
    ];
    let (code, json, stderr) = cli(
        &[
            "login",
            "--organization",
            "fabrikam",
            "--services-url",
            &services_url,
            "--service-principal",
            "--tenant",
            "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "--client-id",
            &client_id,
        ],
        &envs,
    );
    assert_eq!(code, 0, "{json} {stderr}");
    assert_eq!(json["user"]["displayName"], "Fabrikam Automation");
    let id = json["profile"]["id"].as_str().unwrap().to_string();
    let profiles = std::fs::read_to_string(config.path().join("connections.json")).unwrap();
    assert!(
        !profiles.contains(DEMO_SP_SECRET),
        "the secret is only in the keyring"
    );

    let (code, json, _) = cli(&["logout", "--id", &id], &envs);
    assert_eq!(code, 0);
    assert_eq!(json["removed"][0], id.as_str());
    let profiles = std::fs::read_to_string(config.path().join("connections.json")).unwrap();
    assert!(!profiles.contains(&id), "the profile is gone");

    let (code, _, stderr) = cli(
        &[
            "login",
            "--organization",
            "fabrikam",
            "--services-url",
            &services_url,
            "--service-principal",
            "--tenant",
            "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "--client-id",
            &client_id,
        ],
        &[
            ("ADO_CONNECT_AUTHORITY", base.as_str()),
            ("ADO_CONNECT_CONFIG_DIR", config.path().to_str().unwrap()),
            ("ADO_SP_SECRET", "wrong-secret"),
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("7000215") && !stderr.contains("wrong-secret"),
        "{stderr}"
    );
}

/// The browser opener (a stand-in `xdg-open` first on PATH) starts with the CLI's environment
/// minus every `ADO_*` variable: an exported PAT or client secret never reaches the browser.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_is_opened_without_the_ado_secrets_in_its_environment() {
    use std::os::unix::fs::PermissionsExt as _;
    if ado_flows::SecretStore::detect().is_err() {
        eprintln!("skipping: no secret store on this machine");
        return;
    }
    let emulator = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        "#!/bin/sh\n{ env; echo \"url=$1\"; } > \"$OPENER_OUT.tmp\" && mv \"$OPENER_OUT.tmp\" \"$OPENER_OUT\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dir.path().join("opener-env");
    let base = emulator.base_url().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ado-connect-cli"))
        .args([
            "login",
            "--organization",
            "fabrikam",
            "--services-url",
            &format!("{base}/"),
            "--tenant",
            "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            "--client-id",
            &DEMO_SP_CLIENT_ID.to_string(),
        ])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("OPENER_OUT", &out)
        .env("ADO_CONNECT_AUTHORITY", &base)
        .env("ADO_CONNECT_CONFIG_DIR", dir.path().join("config"))
        .env("ADO_PAT", "pat-canary-8d1f")
        .env("ADO_SP_SECRET", "sp-canary-77c2")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !out.exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    let seen = std::fs::read_to_string(&out).expect("the opener was started");
    assert!(
        seen.contains("url=http"),
        "the opener got the sign-in URL: {seen}"
    );
    assert!(
        seen.contains("OPENER_OUT="),
        "the rest of the environment is passed on"
    );
    assert!(!seen.contains("pat-canary-8d1f") && !seen.contains("sp-canary-77c2"));
    assert!(!seen.lines().any(|l| l.starts_with("ADO_")), "{seen}");
}
