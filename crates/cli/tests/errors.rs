//! How the CLI fails, through the real binary: one line on stderr (JSON on stdout only with
//! `--json`), a quiet exit on a closed stdout, no ANSI colours in logs written to a file, plain
//! http to another machine refused without `--allow-http`, `logout` of an unknown id, and the
//! field a bad `--repository` is labelled with.

use std::process::{Command, Output, Stdio};

use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::{Config, Emulator};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ado-connect-cli");

fn cli(args: &[&str], config_dir: Option<&std::path::Path>) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("ADO_PAT", DEMO_FULL_ACCESS_PAT)
        .env_remove("ADO_TOKEN")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    if let Some(dir) = config_dir {
        cmd.env("ADO_CONNECT_CONFIG_DIR", dir);
    }
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the CLI runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Runs with stdout's reading end closed before the command writes; returns (code, stderr).
fn run_with_closed_stdout(cmd: &mut Command) -> (i32, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const NOTHING_LISTENS: &[&str] = &[
    "verify",
    "--server-url",
    "http://127.0.0.1:9/tfs",
    "--collection",
    "DefaultCollection",
];

#[test]
fn errors_are_one_line_on_stderr_and_json_on_stdout_only_with_json() {
    let (code, stdout, stderr) = run(&mut cli(NOTHING_LISTENS, None));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "", "no JSON without --json");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error[unreachable]: Server URL: "),
        "{stderr}"
    );

    let mut args = NOTHING_LISTENS.to_vec();
    args.push("--json");
    let (code, stdout, stderr) = run(&mut cli(&args, None));
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(stdout.trim()).expect("one JSON document");
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"]["code"], "unreachable");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn logs_written_to_a_file_carry_no_ansi_colours() {
    let (_, _, stderr) = run(cli(NOTHING_LISTENS, None).env("RUST_LOG", "debug"));
    assert!(
        stderr.contains("DEBUG"),
        "debug logs were written: {stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no escape sequences: {stderr:?}"
    );
}

#[test]
fn plain_http_to_another_machine_needs_allow_http_and_sends_nothing_without_it() {
    // `.invalid` never resolves: without consent the answer is the refusal (nothing sent, not
    // even a DNS query); with it, the request is attempted and fails on DNS.
    let target = [
        "verify",
        "--server-url",
        "http://tfs.invalid:8080/tfs",
        "--collection",
        "DefaultCollection",
        "--json",
    ];
    let (code, stdout, stderr) = run(&mut cli(&target, None));
    assert_eq!(code, 1, "{stderr}");
    let json: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(json["error"]["code"], "http_consent_required", "{json}");
    assert_eq!(json["error"]["field"], "serverUrl");
    assert!(
        json["error"]["fix"]
            .as_str()
            .unwrap()
            .contains("--allow-http"),
        "{json}"
    );

    let mut consented = target.to_vec();
    consented.push("--allow-http");
    let (code, stdout, _) = run(&mut cli(&consented, None));
    assert_eq!(code, 1);
    let json: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(json["error"]["code"], "unreachable", "{json}");
}

#[test]
fn the_pat_is_refused_on_argv_by_every_command_that_connects() {
    for command in ["verify", "check"] {
        let (code, _, stderr) = run(&mut cli(
            &[
                command,
                "--organization",
                "fabrikam",
                "--pat",
                "secret-on-argv",
            ],
            None,
        ));
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stderr.contains("--pat is not accepted"), "{stderr}");
        assert!(!stderr.contains("secret-on-argv"));
    }
}

#[test]
fn parse_url_exits_quietly_on_a_closed_stdout() {
    let (code, stderr) = run_with_closed_stdout(&mut cli(
        &[
            "parse-url",
            "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api",
        ],
        None,
    ));
    assert_ne!(code, 101, "no panic: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "", "quiet");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_exits_quietly_on_a_closed_stdout() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let server_url = format!("{}/tfs", emu.base_url());
    let (code, stderr) = tokio::task::spawn_blocking(move || {
        run_with_closed_stdout(&mut cli(
            &[
                "verify",
                "--server-url",
                &server_url,
                "--collection",
                "DefaultCollection",
            ],
            None,
        ))
    })
    .await
    .unwrap();
    assert_ne!(code, 101, "no panic: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "", "quiet");
}

/// Tests that need a keyring run in `scripts/desktop-session.sh`; elsewhere they say so and pass.
fn keyring_available() -> bool {
    let ok = ado_flows::SecretStore::detect().is_ok();
    if !ok {
        eprintln!("skipping: no keyring");
    }
    ok
}

#[test]
fn logout_of_an_unknown_id_is_not_found() {
    if !keyring_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(&mut cli(
        &["logout", "--id", "server-http-nowhere-1234"],
        Some(dir.path()),
    ));
    assert_eq!(code, 1, "{stdout} {stderr}");
    // (A keyring fallback may log a warning first; the error is the last line.)
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error[not_found]: "), "{stderr}");
    assert_eq!(stdout, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_save_saves_only_what_verifies_and_a_bad_repository_is_labelled_repository() {
    if !keyring_available() {
        return;
    }
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server_url = format!("{}/tfs", emu.base_url());
    let config = dir.path().to_path_buf();
    let (code, stdout, stderr, hooks_err) = tokio::task::spawn_blocking(move || {
        let target = [
            "--server-url",
            server_url.as_str(),
            "--collection",
            "DefaultCollection",
        ];
        let mut verify = vec!["verify", "--save", "--proxy", "http://127.0.0.1:9"];
        verify.extend(target);
        // An explicit proxy is used as given: a verify through a dead one fails, saves nothing.
        let (dead_code, _, _) = run(&mut cli(&verify, Some(&config)));
        let mut verify = vec!["verify", "--save"];
        verify.extend(target);
        let (code, stdout, stderr) = run(&mut cli(&verify, Some(&config)));
        let mut plan = vec![
            "hooks",
            "plan",
            "--project",
            "Fabrikam Fiber",
            "--repository",
            "no-such-repo",
            "--url",
            "https://hooks.example.com/ado",
        ];
        plan.extend(target);
        let (_, _, hooks_err) = run(&mut cli(&plan, Some(&config)));
        assert_eq!(dead_code, 1, "a dead proxy fails the verify");
        (code, stdout, stderr, hooks_err)
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(stdout.trim()).unwrap();
    let id = json["profile"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("server-http-127-0-0-1-"), "{id}");
    let file: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("connections.json")).unwrap())
            .unwrap();
    assert_eq!(file["version"], 2);
    assert_eq!(
        file["connections"].as_array().unwrap().len(),
        1,
        "the dead-proxy run saved nothing"
    );
    assert!(hooks_err.contains("Repository: "), "{hooks_err}");
    assert!(!hooks_err.contains("Azure DevOps URL"), "{hooks_err}");
    let (code, _, stderr) = run(&mut cli(&["logout", "--id", &id], Some(dir.path())));
    assert_eq!(code, 0, "{stderr}");
}
