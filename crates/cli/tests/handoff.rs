//! `--profile` on `check` and `hooks`, and `handoff`, through the built binary against an
//! in-process emulator: the same engine as the app (`ado_flows::product`).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use ado_emulator::scenario::{TokenSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator, HostPath, Scenario};
use serde_json::Value;
use tokio::process::Command;

#[path = "../../flows/tests/support/product_api.rs"]
mod product_api;
use product_api::ProductApi;

const BIN: &str = env!("CARGO_BIN_EXE_ado-connect-cli");
const NO_WRITE: &str = "cli-datafold-read-only-pat-0123456789abcdefghijklmn";
const DX_SECRET: &str = "cli-dx-given-secret-0123456789";

fn profile(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../profiles/{name}.toml"))
        .display()
        .to_string()
}

struct Setup {
    emu: Emulator,
    config: tempfile::TempDir,
}

impl Setup {
    async fn new() -> Setup {
        let mut scenario = Scenario::demo();
        scenario.pats.push(TokenSpec::everywhere(
            NO_WRITE,
            DEMO_USER_EMAIL,
            &["vso.project", "vso.code", "vso.identity"],
        ));
        Setup {
            emu: Emulator::spawn(Config {
                scenario,
                ..Default::default()
            })
            .await
            .unwrap(),
            config: tempfile::tempdir().unwrap(),
        }
    }

    fn services(&self) -> Vec<String> {
        vec![
            "--organization".into(),
            "fabrikam".into(),
            "--services-url".into(),
            format!("{}/", self.emu.base_url()),
        ]
    }

    fn server(&self) -> Vec<String> {
        vec![
            "--server-url".into(),
            format!("{}/tfs", self.emu.base_url()),
            "--collection".into(),
            "DefaultCollection".into(),
        ]
    }

    /// Runs the binary; returns the exit code, stdout and stderr.
    async fn run(&self, args: &[String], env: &[(&str, &str)]) -> (i32, String, String) {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env("ADO_CONNECT_CONFIG_DIR", self.config.path())
            .env("ADO_PAT", DEMO_FULL_ACCESS_PAT)
            .env("RUST_LOG", "error")
            .env_remove("ADO_TOKEN")
            .env_remove("ADO_CONNECT_PRODUCT_TOKEN")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into(),
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        // Remove the saved connections and their keyring entries.
        if let Ok(store) = ado_flows::SecretStore::detect() {
            let connections = ado_flows::Connections::new(self.config.path(), store);
            for p in connections.list().unwrap_or_default() {
                let _ = connections.remove(&p.id);
            }
        }
    }
}

fn args(list: &[&str], more: Vec<String>) -> Vec<String> {
    list.iter().map(|s| s.to_string()).chain(more).collect()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test]
async fn check_with_a_profile_names_the_missing_scope_and_refuses_what_the_product_cannot_use() {
    let s = Setup::new().await;
    let datafold = profile("datafold");
    let (code, out, err) = s
        .run(
            &args(&["check", "--profile", &datafold, "--json"], s.services()),
            &[("ADO_PAT", NO_WRITE)],
        )
        .await;
    assert_eq!(code, 1, "{err}");
    let report = json(&out);
    let scopes = &report["connectors"][0]["scopes"];
    let failing = scopes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "fail")
        .expect("a failing scope");
    assert_eq!(failing["code"], "invalid_permissions");
    assert!(
        failing["message"]
            .as_str()
            .unwrap()
            .contains("Code (Read & write)"),
        "{failing}"
    );

    let (code, out, _) = s
        .run(
            &args(&["check", "--profile", &datafold, "--json"], s.services()),
            &[],
        )
        .await;
    assert_eq!(code, 0, "a full-access PAT passes: {out}");

    let (code, out, _) = s
        .run(
            &args(&["check", "--profile", &profile("dbt")], s.server()),
            &[],
        )
        .await;
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL  dbt supports this deployment [invalid_input]"),
        "{out}"
    );
}

#[tokio::test]
async fn a_broken_profile_names_its_line_and_field() {
    let s = Setup::new().await;
    let dir = tempfile::tempdir().unwrap();
    let broken: PathBuf = dir.path().join("broken.toml");
    let text = std::fs::read_to_string(profile("datafold"))
        .unwrap()
        .replace("\"vso.code_write\"", "\"vso.code_writ\"");
    std::fs::write(&broken, text).unwrap();
    let (code, out, err) = s
        .run(
            &args(
                &["check", "--profile", &broken.display().to_string()],
                s.services(),
            ),
            &[],
        )
        .await;
    assert_eq!(code, 2);
    assert!(
        err.contains("broken.toml:22:")
            && err.contains("access.scopes[0]")
            && err.contains("vso.code_write"),
        "{err}"
    );
    assert_eq!(
        json(&out)["error"]["errors"][0]["field"],
        "access.scopes[0]"
    );
}

#[tokio::test]
async fn hooks_apply_with_the_dx_profile_then_handoff_posts_and_writes_the_script() {
    let s = Setup::new().await;
    let dx = profile("dx");
    let apply = args(
        &[
            "hooks",
            "apply",
            "--profile",
            &dx,
            "--set",
            "dx_url=https://acme.getdx.invalid",
            "--json",
        ],
        s.server(),
    );
    let (code, out, err) = s.run(&apply, &[("ADO_HOOK_SECRET", DX_SECRET)]).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let subs = s
        .emu
        .world()
        .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
        .unwrap();
    assert_eq!(subs.len(), 9, "3 PR events × 3 projects");
    assert!(subs.iter().all(|s| s.consumer_input("httpHeaders")
        == Some(format!("X-ADO-Signature:{DX_SECRET}").as_str())));

    let (code, out, _) = s
        .run(
            &args(
                &[
                    "hooks",
                    "plan",
                    "--profile",
                    &dx,
                    "--set",
                    "dx_url=https://acme.getdx.invalid",
                    "--json",
                ],
                s.server(),
            ),
            &[("ADO_HOOK_SECRET", DX_SECRET)],
        )
        .await;
    assert_eq!(code, 0);
    assert_eq!(
        json(&out)["plans"].as_array().map(Vec::len),
        Some(3),
        "one plan per project, all unchanged"
    );

    let api = ProductApi::start(vec![200]).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &api.ca_pem).unwrap();
    let script = dir.path().join("hooks.sh");
    let handoff = args(
        &[
            "handoff",
            "--profile",
            &dx,
            "--set",
            "dx_url=https://acme.getdx.invalid",
            "--set",
        ],
        vec![
            format!("dx_api_url={}", api.url),
            "--post".into(),
            "--json".into(),
            "--product-ca-file".into(),
            ca.display().to_string(),
            "--script".into(),
            script.display().to_string(),
        ],
    );
    let handoff: Vec<String> = handoff.into_iter().chain(s.server()).collect();
    let env = [
        ("ADO_PAT_REPOS", "cli-dx-repos-pat"),
        ("ADO_CONNECT_PRODUCT_TOKEN", "cli-dx-api-token"),
    ];
    let (code, out, err) = s.run(&handoff, &env).await;
    assert_eq!(code, 0, "{out}\n{err}");
    let v = json(&out);
    assert_eq!(v["post"]["delivered"].as_array().map(Vec::len), Some(1));
    let received = api.received();
    assert_eq!(received[0].path, "/credentials.create");
    assert_eq!(received[0].authorization, "Bearer cli-dx-api-token");
    assert_eq!(
        received[0].body["secrets"]["personal_access_token"],
        "cli-dx-repos-pat"
    );
    assert!(
        !out.contains("cli-dx-repos-pat") && !err.contains("cli-dx-api-token"),
        "no secret printed without --show-secrets"
    );
    let script = std::fs::read_to_string(&script).unwrap();
    assert_eq!(script.matches("curl ").count(), 9);
    assert!(!script.contains(DX_SECRET));
}

#[tokio::test]
async fn handoff_json_prints_datafolds_three_fields_with_its_labels() {
    let s = Setup::new().await;
    let cmd = args(
        &[
            "handoff",
            "--profile",
            &profile("datafold"),
            "--project",
            "Fiber Cloud",
            "--repository",
            "fiber-cloud-api",
            "--json",
        ],
        s.services(),
    );
    let (code, out, err) = s.run(&cmd, &[]).await;
    assert_eq!(code, 0, "{err}");
    let fields = json(&out)["handoff"]["fields"].clone();
    let shown: Vec<(String, Value)> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["label"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect();
    assert_eq!(
        shown,
        [
            ("Organization".to_string(), Value::from("fabrikam")),
            ("Project".to_string(), Value::from("Fiber Cloud")),
            ("Repository".to_string(), Value::from("fiber-cloud-api")),
            ("Personal access token".to_string(), Value::Null),
        ]
    );
    let (_, shown, _) = s
        .run(&[cmd.clone(), vec!["--show-secrets".into()]].concat(), &[])
        .await;
    assert!(shown.contains(DEMO_FULL_ACCESS_PAT), "revealed on request");
}
