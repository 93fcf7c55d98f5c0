//! `ado-connect-cli hooks …` and `receive`, run as the built binary against an in-process
//! emulator (Azure DevOps Server 2022, `tfs/DefaultCollection`): plan, apply, list, test,
//! history, remove; the secret printed once; a killed apply finished by the next one; the
//! receiver's secret check; a user without the permission.

#[path = "../../flows/tests/support/counting_proxy.rs"]
mod counting_proxy;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_emulator::{Config, Emulator, Faults, HostPath};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_ado-connect-cli");
const SECRET: &str = "cli-test-secret-0123456789abcdef";

struct Setup {
    emu: Emulator,
    config: tempfile::TempDir,
    pat: &'static str,
}

impl Setup {
    async fn new(pat: &'static str) -> Setup {
        Setup {
            emu: Emulator::spawn(Config::default()).await.unwrap(),
            config: tempfile::tempdir().unwrap(),
            pat,
        }
    }

    fn target(&self) -> Vec<String> {
        vec![
            "--server-url".into(),
            format!("{}/tfs", self.emu.base_url()),
            "--collection".into(),
            "DefaultCollection".into(),
        ]
    }

    fn command(&self, args: &[String]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("ADO_CONNECT_CONFIG_DIR", self.config.path())
            .env("ADO_PAT", self.pat)
            .env("HOOK_SECRET", SECRET)
            .env("RUST_LOG", "error")
            .env_remove("ADO_HOOK_PASSWORD")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// Runs `hooks {sub} {target} {extra}`; returns the exit code and stdout, stderr.
    async fn hooks(&self, sub: &str, extra: &[&str]) -> (i32, String, String) {
        let mut args = vec!["hooks".to_string(), sub.to_string()];
        args.extend(self.target());
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = self.command(&args).output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn hooks_json(&self, sub: &str, extra: &[&str]) -> (i32, Value) {
        let mut extra = extra.to_vec();
        extra.push("--json");
        let (code, out, err) = self.hooks(sub, &extra).await;
        let json = serde_json::from_str(out.trim())
            .unwrap_or_else(|e| panic!("hooks {sub} printed no JSON ({e}): {out}\n{err}"));
        (code, json)
    }

    fn subscriptions(&self) -> Vec<ado_emulator::hooks::Subscription> {
        self.emu
            .world()
            .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
            .unwrap()
    }

    fn journal(&self) -> Option<PathBuf> {
        std::fs::read_dir(self.config.path())
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("hooks-journal-"))
            })
    }

    fn recorded(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.config.path().join("connections.json")).unwrap();
        let file: Value = serde_json::from_str(&text).unwrap();
        file["connections"][0]["hooks"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        // Removes the saved connection and its keyring entries (PAT, hook secret).
        let _ = std::process::Command::new(BIN)
            .args(["logout", "--all", "--keep-hooks"])
            .env("ADO_CONNECT_CONFIG_DIR", self.config.path())
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `ado-connect-cli receive` as a child: its URL and the lines it printed so far.
struct ReceiverProcess {
    child: Child,
    url: String,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl ReceiverProcess {
    async fn start(setup: &Setup) -> ReceiverProcess {
        let mut child = setup
            .command(&[
                "receive".into(),
                "--port".into(),
                "0".into(),
                "--secret-env".into(),
                "HOOK_SECRET".into(),
                "--json".into(),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = out.next_line().await.unwrap().expect("the listening line");
        let first: Value = serde_json::from_str(&first).unwrap();
        let url = format!("{}hooks/ado", first["listening"].as_str().unwrap());
        let lines: Arc<Mutex<Vec<Value>>> = Arc::default();
        let sink = lines.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = out.next_line().await {
                if let Ok(v) = serde_json::from_str(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        ReceiverProcess { child, url, lines }
    }

    async fn wait_for(&self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines = self.lines.lock().unwrap().clone();
            if lines.len() >= n || Instant::now() > deadline {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn selection(url: &str) -> Vec<&str> {
    vec![
        "--project",
        "Fabrikam Fiber",
        "--repository",
        "fiber-api",
        "--branch",
        "main",
        "--url",
        url,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_apply_list_test_history_and_remove() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let mut receiver = ReceiverProcess::start(&setup).await;
    let sel = selection(&receiver.url);

    let (code, plan) = setup.hooks_json("plan", &sel).await;
    assert_eq!(code, 0, "{plan}");
    assert_eq!(
        plan["plan"]["create"].as_array().unwrap().len(),
        5,
        "{plan}"
    );
    assert!(setup.subscriptions().is_empty(), "plan changes nothing");

    let mut apply_args = sel.clone();
    apply_args.extend(["--secret-env", "HOOK_SECRET"]);
    let (code, applied) = setup.hooks_json("apply", &apply_args).await;
    assert_eq!(code, 0, "{applied}");
    assert_eq!(applied["report"]["created"].as_array().unwrap().len(), 5);
    assert!(
        applied["report"]["secret"].is_null(),
        "a secret the admin gave is not echoed"
    );
    assert_eq!(setup.subscriptions().len(), 5);
    assert_eq!(setup.recorded().len(), 5);

    let (code, listed) = setup.hooks_json("list", &[]).await;
    assert_eq!(code, 0, "{listed}");
    let hooks = listed["hooks"].as_array().unwrap();
    assert_eq!(hooks.len(), 5);
    assert!(hooks.iter().all(|h| h["status"] == "enabled"), "{listed}");

    let push_id = applied["report"]["created"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["event"] == "git.push")
        .unwrap()["subscriptionId"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, tested) = setup.hooks_json("test", &["--id", &push_id]).await;
    assert_eq!(code, 0, "{tested}");
    let t = &tested["tests"][0];
    assert_eq!(t["delivered"], true, "{tested}");
    assert_eq!(t["receiverStatus"], 200);
    assert!(
        t["responseExcerpt"].as_str().unwrap().contains("git.push"),
        "{tested}"
    );
    let lines = receiver.wait_for(1).await;
    assert_eq!(lines[0]["accepted"], true, "{lines:?}");
    assert_eq!(lines[0]["eventType"], "git.push");

    let (code, history) = setup.hooks_json("history", &["--id", &push_id]).await;
    assert_eq!(code, 0);
    assert_eq!(history["deliveries"][0]["result"], "succeeded", "{history}");

    // Someone else's subscription, made straight through the REST API, survives "remove".
    let project_id = plan["project"]["id"].as_str().unwrap();
    let theirs: Value = reqwest::Client::new()
        .post(format!(
            "{}/tfs/DefaultCollection/_apis/hooks/subscriptions?api-version=7.0",
            setup.emu.base_url()
        ))
        .basic_auth("", Some(DEMO_FULL_ACCESS_PAT))
        .json(&serde_json::json!({
            "publisherId": "tfs", "eventType": "git.push", "resourceVersion": "1.0",
            "consumerId": "webHooks", "consumerActionId": "httpRequest",
            "publisherInputs": {"projectId": project_id},
            "consumerInputs": {"url": "http://127.0.0.1:9/someone-else"}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(setup.subscriptions().len(), 6);
    let (code, removed) = setup.hooks_json("remove", &[]).await;
    assert_eq!(code, 0, "{removed}");
    assert_eq!(removed["removed"].as_array().unwrap().len(), 5);
    let left = setup.subscriptions();
    assert_eq!(left.len(), 1);
    assert_eq!(Some(left[0].id.to_string().as_str()), theirs["id"].as_str());
    assert!(setup.recorded().is_empty());
    receiver.child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_prints_a_generated_secret_once_and_running_again_creates_nothing() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let url = "http://127.0.0.1:9/hooks/ado";
    let mut sel = selection(url);
    sel.extend(["--events", "push,pr-merged"]);
    let (code, out, err) = setup.hooks("apply", &sel).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("created 2"), "{out}");
    let secret_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("X-ADO-Connect-Secret:"))
        .unwrap_or_else(|| panic!("the secret is printed: {out}"));
    let secret = secret_line.split_once(':').unwrap().1.trim();
    assert_eq!(secret.len(), 43);
    assert!(out.contains("shown once"), "{out}");

    let (code, again, _) = setup.hooks("apply", &sel).await;
    assert_eq!(code, 0, "{again}");
    assert!(
        again.contains("created 0") && again.contains("unchanged 2"),
        "{again}"
    );
    assert!(
        !again.contains(secret),
        "the secret is shown once only: {again}"
    );
    assert_eq!(setup.subscriptions().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_apply_is_finished_by_the_next_apply_without_duplicates() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let url = "http://127.0.0.1:9/hooks/ado";
    let mut args = vec!["hooks".to_string(), "apply".to_string()];
    args.extend(setup.target());
    args.extend(selection(url).iter().map(|s| s.to_string()));
    args.extend(["--secret-env".to_string(), "HOOK_SECRET".to_string()]);
    // Slow answers, so that the kill lands while creates are in flight.
    setup.emu.set_faults(Faults {
        latency_ms: 400,
        ..Faults::none()
    });
    let mut child = setup
        .command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let journal = loop {
        if let Some(path) = setup.journal() {
            if std::fs::read_to_string(&path)
                .unwrap_or_default()
                .contains("\"type\":\"intent\"")
            {
                break path;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the apply never announced a change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().await.unwrap(); // SIGKILL: no cleanup runs
    let before = setup.subscriptions().len();
    assert!(before < 5, "killed before finishing ({before} created)");
    assert!(journal.exists(), "the journal survives the kill");
    setup.emu.set_faults(Faults::none());
    // Let any request the server was still answering land.
    tokio::time::sleep(Duration::from_millis(600)).await;

    let mut again = selection(url);
    again.extend(["--secret-env", "HOOK_SECRET"]);
    let (code, out) = setup.hooks_json("apply", &again).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        !out["recovered"].is_null(),
        "the next run recovered first: {out}"
    );
    assert!(setup.journal().is_none(), "the journal is settled");
    let subs = setup.subscriptions();
    assert_eq!(subs.len(), 5, "no duplicates: {subs:#?}");
    let mut recorded: Vec<String> = setup
        .recorded()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    recorded.sort();
    let mut on_server: Vec<String> = subs.iter().map(|s| s.id.to_string()).collect();
    on_server.sort();
    assert_eq!(recorded, on_server, "no orphans");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_accepts_only_the_right_secret() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let mut receiver = ReceiverProcess::start(&setup).await;
    let http = reqwest::Client::new();
    let event = serde_json::json!({"eventType": "build.complete", "resource": {
        "definition": {"name": "fiber-api CI"}, "buildNumber": "1", "result": "succeeded"}});
    let send = |secret: Option<&str>| {
        let mut request = http.post(&receiver.url).json(&event);
        if let Some(secret) = secret {
            request = request.header("X-ADO-Connect-Secret", secret);
        }
        request.send()
    };
    assert_eq!(send(None).await.unwrap().status(), 401);
    assert_eq!(send(Some("not-the-secret")).await.unwrap().status(), 401);
    let ok = send(Some(SECRET)).await.unwrap();
    assert_eq!(ok.status(), 200);
    let lines = receiver.wait_for(3).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["accepted"], false);
    assert!(lines[0]["reason"].as_str().unwrap().starts_with("missing"));
    assert!(lines[1]["reason"].as_str().unwrap().starts_with("wrong"));
    assert_eq!(lines[2]["accepted"], true);
    assert_eq!(lines[2]["summary"], "fiber-api CI 1: succeeded");
    receiver.child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_may_not_edit_service_hooks_is_told_so() {
    let setup = Setup::new(DEMO_DEVELOPER_PAT).await;
    let (code, out) = setup
        .hooks_json("plan", &selection("http://127.0.0.1:9/hooks/ado"))
        .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(out["error"]["code"], "invalid_permissions", "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_exits_2_and_passwords_never_come_from_argv() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let mut sel = selection("http://127.0.0.1:9/hooks/ado");
    sel.extend(["--events", "push,deploy"]);
    // Errors go to stderr as one line; JSON on stdout only with --json.
    let (code, _, out) = setup.hooks("plan", &sel).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("unknown event"), "{out}");

    let mut basic = selection("http://127.0.0.1:9/hooks/ado");
    basic.extend(["--basic-auth-user", "ado"]);
    let (code, _, out) = setup.hooks("plan", &basic).await;
    assert_eq!(code, 2, "no ADO_HOOK_PASSWORD and nothing on stdin: {out}");
    assert!(out.contains("ADO_HOOK_PASSWORD"), "{out}");
    assert!(Path::new(BIN).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_of_a_connection_with_webhooks_needs_a_choice_and_removes_them() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let mut sel = selection("https://hooks.example.com/ado");
    sel.extend(["--events", "push", "--secret-env", "HOOK_SECRET"]);
    let (code, applied) = setup.hooks_json("apply", &sel).await;
    assert_eq!(code, 0, "{applied}");
    assert_eq!(setup.subscriptions().len(), 1);

    let logout = |extra: &[&str]| {
        let mut args = vec!["logout".to_string(), "--all".to_string()];
        args.extend(extra.iter().map(|s| s.to_string()));
        setup.command(&args)
    };
    let out = logout(&[]).output().await.unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("--remove-hooks") && text.contains("--keep-hooks"),
        "{text}"
    );
    assert_eq!(
        setup.subscriptions().len(),
        1,
        "nothing done without a choice"
    );

    let out = logout(&["--remove-hooks"]).output().await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(setup.subscriptions().is_empty(), "no orphaned webhooks");
    assert!(!setup.config.path().join("connections.json").exists() || setup.recorded().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_journal_is_named_and_discarded() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let mut sel = selection("https://hooks.example.com/ado");
    sel.extend(["--events", "push", "--secret-env", "HOOK_SECRET"]);
    let (code, _) = setup.hooks_json("apply", &sel).await;
    assert_eq!(code, 0);
    // A journal without a readable begin line, next to the profile.
    let text = std::fs::read_to_string(setup.config.path().join("connections.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let id = file["connections"][0]["id"].as_str().unwrap().to_string();
    let path = setup
        .config
        .path()
        .join(format!("hooks-journal-{id}.jsonl"));
    std::fs::write(&path, "garbage\n").unwrap();

    let (code, out, err) = setup.hooks("apply", &sel).await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        (out.clone() + &err).contains("discard-journal"),
        "{out}{err}"
    );
    let (code, out, err) = setup.hooks("discard-journal", &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(setup.journal().is_none());
    let (code, out, err) = setup.hooks("apply", &sel).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(setup.subscriptions().len(), 1, "not duplicated");
}

/// The proxy given with the first `hooks` command (issue 13): the connection is verified and saved
/// through it, the profile keeps it, and later commands (which name no proxy) go through it too,
/// because every hooks command opens the saved connection the one way the app does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hooks_session_goes_through_the_proxy_it_was_given() {
    let setup = Setup::new(DEMO_FULL_ACCESS_PAT).await;
    let (proxy, seen) = counting_proxy::start().await;
    let sel = selection("https://hooks.example.com/ado");
    let mut first = sel.clone();
    first.extend(["--proxy", proxy.as_str()]);
    let (code, plan) = setup.hooks_json("plan", &first).await;
    assert_eq!(code, 0, "{plan}");
    let through = |path: &str| {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains(path))
            .count()
    };
    assert!(
        through("/_apis/connectionData") >= 1,
        "verify went around the proxy"
    );
    assert!(
        through("/_apis/hooks/subscriptions") >= 1,
        "the plan went around the proxy"
    );
    let text = std::fs::read_to_string(setup.config.path().join("connections.json")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let saved = file["connections"][0]["proxy"].as_str().unwrap_or_default();
    assert_eq!(saved.trim_end_matches('/'), proxy, "{file}");

    let before = seen.lock().unwrap().len();
    let (code, again) = setup.hooks_json("plan", &sel).await;
    assert_eq!(code, 0, "{again}");
    let after = seen.lock().unwrap().clone();
    assert!(
        after[before..]
            .iter()
            .any(|l| l.contains("/_apis/hooks/subscriptions")),
        "a later command without --proxy went around the saved proxy: {after:?}"
    );
}
