//! `ado-connect-cli mint` after a Microsoft sign-in (issue 20): a dry run creates nothing; the
//! mint names each PAT by its authorizationId and never prints a token unless asked; `--list`,
//! `--renew` and `--revoke`; a policy refusal is its own code with the fix and the offer.

use std::process::Command;

use ado_emulator::world::PatPolicy;
use ado_emulator::{Config, Emulator, Scenario};
use ado_flows::signin::{self, services_target};
use ado_flows::{ConnectOptions, Connections, SecretStore};

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
async fn mint_after_login_names_authorization_ids_never_tokens() {
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: no secret store on this machine");
        return;
    };
    let emulator = Emulator::spawn(Config {
        scenario: Scenario::demo(),
        ..Default::default()
    })
    .await
    .unwrap();
    let config = tempfile::tempdir().unwrap();
    let base = emulator.base_url().to_string();
    let services_url = format!("{base}/");
    // `login --device-code`, as the CLI runs it, with the user approving at once.
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .unwrap();
    let connections = Connections::new(config.path(), store);
    let entra = emulator.entra();
    let connected = signin::sign_in_with_device_code(
        &connections,
        &services_target("fabrikam", &services_url).unwrap(),
        &settings,
        &ConnectOptions::default(),
        move |prompt| {
            entra
                .approve_device_code(&prompt.user_code, "demo.admin@fabrikam.example")
                .unwrap();
        },
        |_| {},
        1,
    )
    .await
    .expect("signed in");
    let envs = [
        ("ADO_CONNECT_AUTHORITY", base.as_str()),
        ("ADO_CONNECT_CONFIG_DIR", config.path().to_str().unwrap()),
    ];
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../profiles/dx.toml");
    let args = |extra: &[&'static str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "mint",
            "--profile",
            profile,
            "--organization",
            "fabrikam",
            "--services-url",
            &services_url,
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |extra: &[&'static str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        cli(&a, &envs)
    };

    let (code, json, stderr) = run(&["--dry-run"]);
    assert_eq!(code, 0, "{json} {stderr}");
    assert_eq!(json["plan"]["tokens"].as_array().unwrap().len(), 5);
    assert!(
        emulator.world().minted_pats().is_empty(),
        "a dry run creates nothing"
    );

    emulator.world().set_pat_policy(
        "fabrikam",
        PatPolicy {
            max_lifetime_days: Some(30),
            ..PatPolicy::default()
        },
    );
    let (code, json, stderr) = run(&[]);
    assert_eq!(code, 1, "{json} {stderr}");
    assert_eq!(json["error"]["code"], "pat_lifetime_over_maximum");
    assert_eq!(json["error"]["offerDays"], 60);
    assert!(
        stderr.contains("error[pat_lifetime_over_maximum]"),
        "{stderr}"
    );

    let (code, json, stderr) = run(&["--fit-lifetime"]);
    assert_eq!(code, 0, "{json} {stderr}");
    assert_eq!(json["plan"]["lifetimeDays"], 30);
    let minted = json["minted"].as_array().unwrap();
    assert_eq!(minted.len(), 5);
    assert!(minted
        .iter()
        .all(|m| m["authorizationId"].is_string() && m.get("token").is_none()));
    let text = json.to_string();
    for pat in emulator.world().minted_pats() {
        assert!(text.contains(&pat.authorization_id.to_string()));
    }

    let (code, json, _) = run(&["--list"]);
    assert_eq!(code, 0);
    assert_eq!(json["minted"].as_array().unwrap().len(), 5);

    let (code, json, stderr) = run(&["--renew", "boards", "--show-tokens"]);
    assert_eq!(code, 0, "{json} {stderr}");
    assert_eq!(json["revoked"].as_array().unwrap().len(), 1);
    assert_eq!(
        json["minted"][0]["token"].as_str().map(str::len),
        Some(52),
        "asked for"
    );

    let (code, json, _) = run(&["--revoke"]);
    assert_eq!(code, 0);
    assert_eq!(json["revoked"].as_array().unwrap().len(), 5);
    assert!(emulator.world().minted_pats().iter().all(|p| p.revoked));
    let _ = connections.remove(&connected.profile.id);
}
