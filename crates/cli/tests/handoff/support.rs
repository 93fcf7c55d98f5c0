//! What the CLI product tests share: the binary run against an in-process emulator (the demo,
//! with DX's service accounts and contoso-azdo on a public address), a config directory of its
//! own, the keyring cleaned on drop, and DX's connectors.

use std::path::Path;
use std::process::Stdio;

use ado_emulator::scenario::{TokenSpec, UserSpec, DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator, Scenario};
use serde_json::Value;
use tokio::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_ado-connect-cli");
pub const LATER: &str = "2099-01-31";
pub const DX_SECRET: &str = "cli-dx-given-secret-0123456789";
pub const DX_URL: &str = "https://acme.getdx.invalid";
pub const BOARDS_NO_WORK: &str = "cli-dx-boards-without-work-items-pat-0123456789";
/// A public address (TEST-NET-3) for contoso-azdo: Appcircle's cloud could reach it.
pub const PUBLIC: &str = "https://203.0.113.10";
/// DX's connectors with exactly the scopes its page lists, each a service account of its own.
pub const DX: [(&str, &[&str]); 5] = [
    (
        "boards",
        &[
            "vso.work",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    (
        "pipelines",
        &[
            "vso.build",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    (
        "repos",
        &[
            "vso.code",
            "vso.graph",
            "vso.identity",
            "vso.project",
            "vso.release",
            "vso.taskgroups_read",
        ],
    ),
    ("pull_commits", &["vso.code"]),
    ("commits", &["vso.code"]),
];

pub fn dx_token(connector: &str) -> String {
    format!("cli-dx-{connector}-service-account-pat-0123456789")
}

/// `ADO_PAT_<CONNECTOR>` for each DX connector, each its own service account's token.
pub fn dx_env() -> Vec<(String, String)> {
    DX.iter()
        .map(|(c, _)| (format!("ADO_PAT_{}", c.to_uppercase()), dx_token(c)))
        .collect()
}

pub fn profile(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../profiles/{name}.toml"))
        .display()
        .to_string()
}

pub struct Setup {
    pub emu: Emulator,
    pub config: tempfile::TempDir,
}

impl Setup {
    /// The demo world with DX's service accounts, a Boards token without Work Items, and
    /// contoso-azdo's public URL on a public address.
    pub async fn new() -> Setup {
        let mut scenario = Scenario::demo();
        for (connector, scopes) in DX {
            let user = format!("svc-{connector}@fabrikam.example");
            scenario.users.push(UserSpec {
                display_name: format!("svc-{connector}"),
                email: user.clone(),
                id: None,
                account: None,
                collection_administrator: false,
                declines_sign_in: false,
            });
            scenario
                .pats
                .push(TokenSpec::everywhere(&dx_token(connector), &user, scopes));
        }
        scenario.pats.push(TokenSpec::everywhere(
            BOARDS_NO_WORK,
            DEMO_USER_EMAIL,
            &["vso.graph", "vso.identity", "vso.project", "vso.release"],
        ));
        scenario
            .servers
            .iter_mut()
            .find(|s| s.name == "contoso-azdo")
            .expect("the demo has contoso-azdo")
            .public_url = Some(PUBLIC.into());
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

    pub fn services(&self) -> Vec<String> {
        strings(&[
            "--organization",
            "fabrikam",
            "--services-url",
            &format!("{}/", self.emu.base_url()),
        ])
    }

    /// `tfs/DefaultCollection`, `ContosoCollection`, `azdo/DefaultCollection`.
    pub fn server(&self, vdir_and_collection: &str) -> Vec<String> {
        let (vdir, collection) = vdir_and_collection
            .rsplit_once('/')
            .unwrap_or(("", vdir_and_collection));
        let url = format!("{}/{vdir}", self.emu.base_url());
        strings(&[
            "--server-url",
            url.trim_end_matches('/'),
            "--collection",
            collection,
        ])
    }

    /// Runs the binary with `args` then `target`; returns the exit code, stdout and stderr.
    pub async fn run(&self, args: &[&str], target: &[String], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .args(target)
            .env("ADO_CONNECT_CONFIG_DIR", self.config.path())
            .env("ADO_PAT", DEMO_FULL_ACCESS_PAT)
            .env("RUST_LOG", "error")
            .env_remove("ADO_TOKEN")
            .env_remove("ADO_CONNECT_PRODUCT_TOKEN")
            .env_remove("ADO_HOOK_SECRET")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        for (connector, _) in DX {
            cmd.env_remove(format!("ADO_PAT_{}", connector.to_uppercase()));
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().await.unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out.stdout).into(),
            err: String::from_utf8_lossy(&out.stderr).into(),
        }
    }

    /// The connections saved in the config directory.
    pub fn saved(&self) -> usize {
        let store = ado_flows::SecretStore::detect().expect("a keyring");
        ado_flows::Connections::new(self.config.path(), store)
            .list()
            .map_or(0, |l| l.len())
    }

    /// What the emulator received, as `METHOD /path`.
    pub fn requests(&self) -> Vec<String> {
        self.emu
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
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

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.out.lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {self:#?}"))
    }

    pub fn says(&self, words: &str) -> bool {
        self.out.contains(words) || self.err.contains(words)
    }
}

pub fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub fn env(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The hand-off fields as (label, value).
pub fn fields(v: &Value) -> Vec<(String, Value)> {
    v["handoff"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields: {v}"))
        .iter()
        .map(|f| (f["label"].as_str().unwrap().to_string(), f["value"].clone()))
        .collect()
}
