//! `ado-connect-cli mint` after a Microsoft sign-in (issue 20): a dry run creates nothing; the
//! mint names each PAT by its authorizationId and never prints a token unless asked; `--list`,
//! `--renew` and `--revoke`; a policy refusal is its own code with the fix and the offer.

use std::process::Command;

use ado_emulator::world::PatPolicy;
use ado_test_support::entra::fixture;

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
    let Some(f) = fixture().await else { return };
    let (emulator, connections) = (&f.emulator, &f.connections);
    let base = emulator.base_url().to_string();
    let services_url = format!("{base}/");
    // `login --device-code`, as the CLI runs it, with the user approving at once.
    let id = f.sign_in().await;
    let envs = [
        ("ADO_CONNECT_AUTHORITY", base.as_str()),
        ("ADO_CONNECT_CONFIG_DIR", f.dir().to_str().unwrap()),
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
    assert_eq!(
        json["error"]["offerDays"], 30,
        "the longest lifetime the organization accepts"
    );
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
    for pat in emulator.world().minted_pats().iter().filter(|p| !p.revoked) {
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
    let _ = connections.remove(&id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kong_konnect_gets_its_one_pat_minted_and_handed_off_like_a_pasted_one() {
    let Some(f) = fixture().await else { return };
    let (emulator, connections) = (&f.emulator, &f.connections);
    let base = emulator.base_url().to_string();
    let services_url = format!("{base}/");
    let id = f.sign_in().await;
    let envs = [
        ("ADO_CONNECT_AUTHORITY", base.as_str()),
        ("ADO_CONNECT_CONFIG_DIR", f.dir().to_str().unwrap()),
    ];
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../profiles/kong-konnect.toml"
    );
    let common = [
        "--profile",
        profile,
        "--organization",
        "fabrikam",
        "--services-url",
        services_url.as_str(),
        "--json",
    ];
    let run = |command: &str, extra: &[&str]| {
        let mut a = vec![command];
        a.extend(common);
        a.extend(extra);
        cli(&a, &envs)
    };

    // Before minting, the hand-off refuses the Microsoft sign-in and says what to do.
    let (code, json, stderr) = run("handoff", &[]);
    assert_eq!(code, 1, "{json} {stderr}");
    assert!(stderr.contains("ado-connect-cli mint"), "{stderr}");

    let (code, json, stderr) = run("mint", &[]);
    assert_eq!(code, 0, "{json} {stderr}");
    let minted = json["minted"].as_array().unwrap();
    assert_eq!(minted.len(), 1, "{json}");
    assert_eq!(minted[0]["displayName"], "Kong Konnect (ADO Connect)");
    assert_eq!(minted[0]["scope"], "vso.code");
    assert!(minted[0]["authorizationId"].is_string() && minted[0].get("token").is_none());
    let pat = emulator.world().minted_pats();
    assert_eq!(pat.len(), 1);
    assert_eq!(pat[0].scope, "vso.code");

    // The hand-off now passes and hands over the minted PAT (shown only when asked).
    let (code, json, stderr) = run("handoff", &["--show-secrets"]);
    assert_eq!(code, 0, "{json} {stderr}");
    let text = json.to_string();
    let (_, minted_json, _) = run("mint", &["--list"]);
    assert_eq!(minted_json["minted"].as_array().unwrap().len(), 1);
    let (code, json, stderr) = run("mint", &["--renew", "boards"]);
    assert_eq!(code, 2, "{json} {stderr}");
    assert!(
        stderr.contains("--renew boards: Kong Konnect has no connector \"boards\"")
            && stderr.contains("Use one of: default."),
        "{stderr}"
    );
    // The product's one PAT: --renew needs no name.
    let (code, renewed, stderr) = run("mint", &["--renew", "--show-tokens"]);
    assert_eq!(code, 0, "{renewed} {stderr}");
    let old_revoked = emulator
        .world()
        .minted_pats()
        .iter()
        .filter(|p| p.revoked)
        .count();
    assert_eq!(old_revoked, 1, "Renew revoked the old one");
    assert!(
        !text.contains(renewed["minted"][0]["token"].as_str().unwrap()),
        "the renewed token is a new one"
    );
    let (code, json, _) = run("mint", &["--revoke"]);
    assert_eq!(code, 0);
    assert_eq!(json["revoked"].as_array().unwrap().len(), 1);
    assert!(emulator.world().minted_pats().iter().all(|p| p.revoked));
    // The revoked PAT is no longer kept: the hand-off asks for a token again instead of
    // handing over one that answers 401.
    let saved = connections.get(&id).unwrap().unwrap();
    assert!(
        !saved
            .extra_secret_keys
            .iter()
            .any(|k| k.starts_with("product-pat:")
                || k.starts_with("product-pat-minted:")
                || k.starts_with("product-cleared:")),
        "{:?}",
        saved.extra_secret_keys
    );
    let (code, json, stderr) = run("handoff", &["--show-secrets"]);
    assert_eq!(code, 1, "{json} {stderr}");
    assert!(stderr.contains("ado-connect-cli mint"), "{stderr}");
    let _ = connections.remove(&id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconsented_permission_names_login_allow_minting_which_grants_it() {
    let Some(f) = fixture().await else { return };
    let (emulator, connections) = (&f.emulator, &f.connections);
    // The app registration's `.default` is granular: the tokens API's permission is not in it.
    emulator
        .entra()
        .set_default_permissions(Some(vec!["vso.code".into(), "vso.project".into()]));
    let base = emulator.base_url().to_string();
    let services_url = format!("{base}/");
    let id = f.sign_in().await;
    let envs = [
        ("ADO_CONNECT_AUTHORITY", base.as_str()),
        ("ADO_CONNECT_CONFIG_DIR", f.dir().to_str().unwrap()),
    ];
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../profiles/kong-konnect.toml"
    );
    let mint = [
        "mint",
        "--profile",
        profile,
        "--organization",
        "fabrikam",
        "--services-url",
        services_url.as_str(),
        "--json",
    ];
    let (code, json, stderr) = cli(&mint, &envs);
    assert_eq!(code, 1, "{json} {stderr}");
    assert_eq!(json["error"]["code"], "consent_required");
    let command = format!(
        "ado-connect-cli login --organization fabrikam --allow-minting --services-url {services_url}"
    );
    assert!(stderr.contains(&command), "{stderr}");
    assert!(emulator.world().minted_pats().is_empty());

    // Run exactly that command (the browser played by the test), then mint again.
    let args: Vec<String> = command
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .chain(["--no-browser".to_string()])
        .collect();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ado-connect-cli"))
        .args(&args)
        .envs(envs)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    let url = loop {
        let line = lines.next_line().await.unwrap().expect("the sign-in link");
        if line.starts_with("http") {
            break line;
        }
    };
    assert!(url.contains("user_impersonation"), "{url}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    http.get(&location).send().await.unwrap();
    let status = child.wait().await.unwrap();
    assert!(status.success(), "login --allow-minting signed in");
    assert!(emulator
        .entra()
        .consented("demo.admin@fabrikam.example")
        .iter()
        .any(|p| p == "user_impersonation"));

    let (code, json, stderr) = cli(&mint, &envs);
    assert_eq!(code, 0, "{json} {stderr}");
    assert_eq!(json["minted"].as_array().unwrap().len(), 1);
    let (code, _, _) = cli(
        &[
            "mint",
            "--profile",
            profile,
            "--organization",
            "fabrikam",
            "--services-url",
            services_url.as_str(),
            "--revoke",
        ],
        &envs,
    );
    assert_eq!(code, 0);
    let _ = connections.remove(&id);
}
