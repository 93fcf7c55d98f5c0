//! Every row of the check table through `ado-connect-cli check --json`, against the emulator:
//! the JSON contract (`ok`, `checks[{code, status, capability, message, fix, curl}]`) and the
//! exit code (0 only when nothing fails).

use std::process::Command;

use ado_emulator::scenario::{
    DEMO_CODE_READ_PAT, DEMO_DEVELOPER_PAT, DEMO_EXPIRED_PAT, DEMO_FULL_ACCESS_PAT,
    DEMO_SP_CLIENT_ID, DEMO_SP_SECRET,
};
use ado_emulator::{Config, Emulator, Faults, Scenario};
use serde_json::Value;

/// Runs the CLI with `args` and the token in the environment; returns (exit code, JSON).
fn check(args: &[&str], env: (&str, &str)) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_ado-connect-cli"))
        .arg("check")
        .args(args)
        .arg("--json")
        .env_remove("ADO_PAT")
        .env_remove("ADO_TOKEN")
        .env(env.0, env.1)
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "one JSON document on stdout ({e}): {stdout} / {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(
        !stdout.contains(env.1) || env.1.len() < 8,
        "the token never reaches the output"
    );
    (output.status.code().unwrap_or(-1), json)
}

fn pat(token: &str) -> (&'static str, &str) {
    ("ADO_PAT", token)
}

/// Asserts the contract and finds the check with `code`.
fn find<'a>(json: &'a Value, code: &str, status: &str) -> &'a Value {
    for key in ["ok", "checks"] {
        assert!(json.get(key).is_some(), "the JSON has {key}");
    }
    let checks = json["checks"].as_array().unwrap();
    for c in checks {
        for key in ["code", "status", "capability", "message", "fix", "curl"] {
            assert!(c.get(key).is_some(), "every check has {key}: {c}");
        }
    }
    let check = checks
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {json:#}"));
    assert_eq!(check["status"], status, "{check}");
    check
}

async fn demo(config: Config) -> Emulator {
    Emulator::spawn(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_table_through_the_cli() {
    let e = demo(Config {
        scenario: Scenario::demo(),
        ..Default::default()
    })
    .await;
    let tfs = format!("{}/tfs", e.base_url());
    let base = e.base_url().to_string();

    let (code, json) = check(
        &[
            "--server-url",
            &tfs,
            "--collection",
            "DefaultCollection",
            "--capabilities",
            "repos,pulls,pipelines,boards,webhooks",
        ],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    assert_eq!(
        (code, &json["ok"]),
        (0, &Value::Bool(true)),
        "a healthy server passes: {json:#}"
    );

    let (code, json) = check(
        &[
            "--server-url",
            "http://127.0.0.1:9/tfs",
            "--collection",
            "DefaultCollection",
        ],
        pat("anything-at-all"),
    );
    assert_eq!(code, 1);
    let c = find(&json, "unreachable", "fail");
    assert!(c["curl"].as_str().unwrap().contains("$ADO_PAT"));

    let (code, json) = check(
        &[
            "--server-url",
            "http://tfs.invalid:8080/tfs",
            "--collection",
            "DefaultCollection",
        ],
        pat("anything-at-all"),
    );
    assert_eq!(code, 1);
    find(&json, "http_insecure", "fail");

    // Team Foundation Server 2018: too old. Azure DevOps Server 2019 (at the root) passes.
    let tfs_2018 = format!("{base}/tfs2018");
    let (_, json) = check(
        &[
            "--server-url",
            &tfs_2018,
            "--collection",
            "DefaultCollection",
        ],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    find(&json, "server_too_old", "fail");
    let (_, json) = check(
        &["--server-url", &base, "--collection", "LegacyCollection"],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["code"] != "server_too_old"),
        "Server 2019 is supported: {json}"
    );

    let (_, json) = check(
        &["--server-url", &tfs, "--collection", "DefaultCollection"],
        pat("wrong-token-0123456789"),
    );
    find(&json, "invalid_credentials", "fail");

    let (_, json) = check(
        &["--server-url", &tfs, "--collection", "DefaultCollection"],
        pat(DEMO_EXPIRED_PAT),
    );
    find(&json, "token_expired", "fail");

    let (_, json) = check(
        &[
            "--server-url",
            &tfs,
            "--collection",
            "DefaultCollection",
            "--capabilities",
            "repos,pipelines",
        ],
        pat(DEMO_CODE_READ_PAT),
    );
    let c = find(&json, "invalid_permissions", "fail");
    assert_eq!(c["capability"], "pipelines");

    let (_, json) = check(
        &[
            "--server-url",
            &tfs,
            "--collection",
            "DefaultCollection",
            "--capabilities",
            "webhooks",
        ],
        pat(DEMO_DEVELOPER_PAT),
    );
    find(&json, "invalid_permissions", "fail");

    let (_, json) = check(
        &["--server-url", &tfs, "--collection", "Empty"],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    find(&json, "no_resources", "fail");

    let (_, json) = check(
        &["--server-url", &tfs, "--collection", "NoSuchCollection"],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    find(&json, "not_found", "fail");

    // --url: the URL names the collection, project and repository.
    let (code, json) = check(
        &[
            "--url",
            &format!("{tfs}/DefaultCollection/Fabrikam%20Fiber/_git/fiber-api"),
            "--capabilities",
            "repos,pulls",
        ],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    assert_eq!(code, 0, "{json:#}");

    // oauth_policy_disabled: an OAuth token (a service principal's) in ADO_TOKEN.
    let base_url = base.clone();
    let settings = ado_auth::SignInSettings::from_lookup(|n| {
        (n == "ADO_CONNECT_AUTHORITY").then(|| base_url.clone())
    })
    .unwrap();
    let secret = secrecy::SecretString::from(DEMO_SP_SECRET.to_string());
    let (tokens, _) = ado_flows::signin::service_principal_token(
        &settings,
        "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        &DEMO_SP_CLIENT_ID.to_string(),
        &secret,
        &ado_flows::ConnectOptions::default(),
    )
    .await
    .expect("a token");
    e.entra()
        .set_oauth_policy_disabled("fabrikam", true)
        .unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&tokens.access_token).to_string();
    let (_, json) = check(
        &[
            "--organization",
            "fabrikam",
            "--services-url",
            &format!("{base}/"),
        ],
        ("ADO_TOKEN", &token),
    );
    find(&json, "oauth_policy_disabled", "fail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_public_url_and_rate_limits_through_the_cli() {
    let e = demo(Config {
        scenario: Scenario::demo(),
        tls: true,
        ..Default::default()
    })
    .await;
    let tfs = format!("{}/tfs", e.base_url());
    let (_, json) = check(
        &["--server-url", &tfs, "--collection", "DefaultCollection"],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    find(&json, "tls_untrusted", "fail");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, e.ca_pem().unwrap()).unwrap();
    let (code, json) = check(
        &[
            "--server-url",
            &tfs,
            "--collection",
            "DefaultCollection",
            "--ca-file",
            ca.to_str().unwrap(),
        ],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    assert_eq!(code, 0, "trusting the CA for this connection: {json:#}");

    let scenario =
        Scenario::from_json(include_str!("../../flows/tests/localhost_public_url.json")).unwrap();
    let e = demo(Config {
        scenario,
        ..Default::default()
    })
    .await;
    let (_, json) = check(
        &[
            "--server-url",
            &format!("{}/tfs", e.base_url()),
            "--collection",
            "DefaultCollection",
        ],
        pat("localhostpublicurl2full3access4token5for6tests7only8"),
    );
    find(&json, "public_url_localhost", "fail");

    let e = demo(Config {
        scenario: Scenario::demo(),
        faults: Faults {
            rate_limit_every: 3,
            retry_after_secs: 1,
            ..Faults::none()
        },
        ..Default::default()
    })
    .await;
    let (code, json) = check(
        &[
            "--server-url",
            &format!("{}/tfs", e.base_url()),
            "--collection",
            "DefaultCollection",
            "--capabilities",
            "repos,pulls,pipelines,boards,webhooks",
        ],
        pat(DEMO_FULL_ACCESS_PAT),
    );
    find(&json, "rate_limited", "warn");
    assert_eq!(code, 0, "throttling is waited out, so nothing fails");
}

/// `HTTP_PROXY` / `NO_PROXY` from the environment are honoured; a 407 names the proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_proxy_and_no_proxy() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
        }
    });
    let run = |no_proxy: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_ado-connect-cli"))
            .args([
                "check",
                "--server-url",
                "http://127.0.0.1:9/tfs",
                "--collection",
                "DefaultCollection",
                "--json",
            ])
            .env("ADO_PAT", "anything-at-all")
            .env("HTTP_PROXY", &proxy)
            .env("http_proxy", &proxy)
            .env("NO_PROXY", no_proxy)
            .env("no_proxy", no_proxy)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let via_proxy = run("");
    let c = find(&via_proxy, "unreachable", "fail");
    assert_eq!(c["field"], "proxy", "{c}");
    let direct = run("127.0.0.1");
    let c = find(&direct, "unreachable", "fail");
    assert_eq!(c["field"], "serverUrl", "NO_PROXY bypasses the proxy: {c}");
}
