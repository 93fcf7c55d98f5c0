//! What the CLI product tests share beyond `ado_test_support` (DX's service accounts and
//! tokens, emulator targets, the config folder cleaned on drop): the binary run against an
//! in-process emulator (the demo, with DX's service accounts and contoso-azdo on a public
//! address), and reading its answers.

use ado_emulator::scenario::{TokenSpec, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator, Scenario};
use ado_test_support::saved::ConfigDir;
pub use ado_test_support::world::{dx_token, dx_world, DX_CONNECTORS, LATER};
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_ado-connect-cli");
pub const DX_SECRET: &str = "cli-dx-given-secret-0123456789";
pub const DX_URL: &str = "https://acme.getdx.invalid";
pub const BOARDS_NO_WORK: &str = "cli-dx-boards-without-work-items-pat-0123456789";
/// A public address (TEST-NET-3) for contoso-azdo: Appcircle's cloud could reach it.
pub const PUBLIC: &str = "https://203.0.113.10";

/// `ADO_PAT_<CONNECTOR>` for each DX connector, each its own service account's token.
pub fn dx_env() -> Vec<(String, String)> {
    DX_CONNECTORS
        .iter()
        .map(|(c, _, _)| (format!("ADO_PAT_{}", c.to_uppercase()), dx_token(c)))
        .collect()
}

/// A shipped profile's path, as the CLI is given it.
pub fn profile(name: &str) -> String {
    ado_test_support::world::profile_path(name)
        .display()
        .to_string()
}

pub struct Setup {
    pub emu: Emulator,
    pub config: ConfigDir,
}

impl Setup {
    /// The demo world with DX's service accounts, a Boards token without Work Items, and
    /// contoso-azdo's public URL on a public address.
    pub async fn new() -> Setup {
        let mut scenario = Scenario::demo();
        dx_world(&mut scenario);
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
            config: ConfigDir::new(),
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
        let mut cmd = self.config.command(BIN);
        cmd.args(args).args(target);
        for (connector, _, _) in DX_CONNECTORS {
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
        self.config
            .connections()
            .expect("a keyring")
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
