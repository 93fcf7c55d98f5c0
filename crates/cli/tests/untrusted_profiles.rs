//! Issue 19, item 7, through the built binary: control characters from a product profile or
//! from a product's answer never reach the terminal (they are refused when the profile is
//! read, escaped when an answer is printed), and the TLS error of the product's API names
//! `--product-ca-file`, the flag that fixes it. The product's API is a collector on a loopback
//! address with a private CA (`ado_test_support::collector`); the
//! first delivery to it shows where it goes and sends nothing until confirmed.
//!
//! Secrets go to the real keyring: run as
//! `scripts/desktop-session.sh cargo test -p ado-connect-cli --test untrusted_profiles`.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::{Config, Emulator, Scenario};
use ado_test_support::collector::{Answer, Collector};
use ado_test_support::saved::ConfigDir;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ado-connect-cli");
const API_TOKEN: &str = "untrusted-cli-acme-api-token";

/// A small product with an API: one credential (the connection's PAT), posted with the
/// organization to `{api_url}/connections`.
const ACME: &str = r#"format = 1

[product]
id = "acme"
name = "Acme"

[deployments]
services = true
server = false

[sign_in]
methods = ["pat"]
recommended = "pat"

[access]
scopes = ["vso.code"]

[[placeholders]]
name = "api_url"
label = "Acme API URL"
kind = "url"

[handoff]
title = "Paste into Acme"
fields = [
  { source = "organization", label = "Organization" },
  { source = "pat", label = "Personal access token" },
]

[handoff.post]
url = "{api_url}/connections"
token_label = "Acme API token"
per_credential = true
body = { organization = "{organization}", token = "{pat}" }
"#;

/// What a hostile answer carries: clear the screen, home the cursor, retitle the window, ring
/// the bell, a C1 CSI (U+009B) and a carriage return, then a fake verdict.
const HOSTILE: &str =
    "{\"error\":\"\u{1b}[2J\u{1b}[H\u{1b}]0;pwned\u{7}\u{9b}31m\rall checks passed\"}";

struct Setup {
    emu: Emulator,
    config: ConfigDir,
    files: tempfile::TempDir,
}

struct Run {
    code: i32,
    out: Vec<u8>,
    err: Vec<u8>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("code", &self.code)
            .field("out", &self.out())
            .field("err", &self.err())
            .finish()
    }
}

impl Run {
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }

    fn err(&self) -> String {
        String::from_utf8_lossy(&self.err).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_str(self.out().lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {self:#?}"))
    }

    /// Neither stream carries ESC or another C0 control (BEL, CR, …) but the line feed: what
    /// `--json` guarantees (JSON escapes them).
    fn assert_no_c0_control(&self, what: &str) {
        for (name, bytes) in [("stdout", &self.out), ("stderr", &self.err)] {
            assert!(
                !bytes.contains(&0x1b),
                "{what}: an ESC byte on {name}: {:?}",
                String::from_utf8_lossy(bytes)
            );
            let bad: Vec<u8> = bytes
                .iter()
                .copied()
                .filter(|b| (*b < 0x20 && *b != b'\n') || *b == 0x7f)
                .collect();
            assert!(
                bad.is_empty(),
                "{what}: {bad:?} on {name}: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    /// Nor a C1 control (U+0080–U+009F, as UTF-8: U+009B is a CSI to a terminal that obeys
    /// C1 controls, as `terminal::plain` knows).
    fn assert_nothing_a_terminal_obeys(&self, what: &str) {
        self.assert_no_c0_control(what);
        for (name, bytes) in [("stdout", &self.out), ("stderr", &self.err)] {
            let text = String::from_utf8_lossy(bytes);
            let c1: Vec<char> = text
                .chars()
                .filter(|c| ('\u{80}'..='\u{9f}').contains(c))
                .collect();
            assert!(c1.is_empty(), "{what}: {c1:?} on {name}: {text:?}");
        }
    }
}

impl Setup {
    async fn new() -> Setup {
        Setup {
            emu: Emulator::spawn(Config {
                scenario: Scenario::demo(),
                ..Default::default()
            })
            .await
            .unwrap(),
            config: ConfigDir::new(),
            files: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes a file into the test's folder; returns its path.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.files.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `handoff` of `profile` to fabrikam with the product's API at `api`, and `more`.
    async fn handoff(
        &self,
        profile: &Path,
        api: &Collector,
        more: &[&str],
        env: &[(&str, &str)],
    ) -> Run {
        let mut cmd = self.config.command(BIN);
        cmd.args(["handoff", "--profile"])
            .arg(profile)
            .args(["--organization", "fabrikam", "--services-url"])
            .arg(format!("{}/", self.emu.base_url()))
            .arg("--set")
            .arg(format!("api_url={}", api.url))
            .args(more);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().await.unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            out: out.stdout,
            err: out.stderr,
        }
    }
}

const CONFIRMED: [&str; 4] = [
    "--post",
    "--confirm-delivery-to",
    "127.0.0.1",
    "--allow-local-destination",
];

#[tokio::test]
async fn control_characters_from_a_profile_or_a_products_answer_never_reach_the_terminal() {
    let s = Setup::new().await;
    let token = [("ADO_CONNECT_PRODUCT_TOKEN", API_TOKEN)];

    // A profile whose title, label or name would clear the screen: refused when read, and the
    // refusal itself prints no control character.
    let idle = Collector::start(Ipv4Addr::LOCALHOST, Answer::json(200, "{}")).await;
    for (what, from, to) in [
        (
            "handoff.title",
            "title = \"Paste into Acme\"",
            "title = \"\\u001b[2J\\u001b[HPaste into Acme\"",
        ),
        (
            "handoff.fields[0].label",
            "label = \"Organization\"",
            "label = \"Organization\\r\\u009b31m\"",
        ),
        (
            "product.name",
            "name = \"Acme\"",
            "name = \"Acme\\u001b]0;pwned\\u0007\"",
        ),
    ] {
        let evil = ACME.replace(from, to);
        assert_ne!(evil, ACME);
        let path = s.file("evil.toml", &evil);
        let run = s.handoff(&path, &idle, &["--show-secrets"], &[]).await;
        assert_eq!(run.code, 2, "{what}: {run:#?}");
        assert!(run.err().contains(what), "{what} is named: {run:#?}");
        run.assert_nothing_a_terminal_obeys(what);
    }
    assert_eq!(idle.connections(), 0);

    // The product refuses with a hostile answer: shown, escaped.
    let refusing = Collector::start(Ipv4Addr::LOCALHOST, Answer::json(400, HOSTILE)).await;
    let ca = s.file("refusing-ca.pem", &refusing.ca_pem);
    let acme = s.file("acme.toml", ACME);
    let ca_arg = ["--product-ca-file", ca.to_str().unwrap()];

    // First, without the confirmation: the preview, and nothing sent.
    let run = s
        .handoff(
            &acme,
            &refusing,
            &[&["--post", "--allow-local-destination"][..], &ca_arg].concat(),
            &token,
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.err().contains(&format!(
            "would send 1 request(s) to {}/connections",
            refusing.url
        )) && run
            .err()
            .contains("carrying: Acme API token (Authorization header)")
            && run.err().contains("--confirm-delivery-to 127.0.0.1"),
        "{run:#?}"
    );
    assert_eq!(
        refusing.connections(),
        0,
        "nothing sent before the confirmation"
    );
    run.assert_nothing_a_terminal_obeys("the preview");

    let run = s
        .handoff(
            &acme,
            &refusing,
            &[&CONFIRMED[..], &ca_arg].concat(),
            &token,
        )
        .await;
    assert_eq!(run.code, 1, "the product refused: {run:#?}");
    assert_eq!(refusing.received().len(), 1, "{run:#?}");
    assert!(
        run.err().contains("\\u{1b}[2J") && run.err().contains("all checks passed"),
        "the answer is shown, escaped: {run:#?}"
    );
    run.assert_nothing_a_terminal_obeys("a refusal's answer");
    let run = s
        .handoff(
            &acme,
            &refusing,
            &[&CONFIRMED[..], &ca_arg, &["--json"]].concat(),
            &token,
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.json()["post"]["failed"]["answer"]
            .as_str()
            .is_some_and(|a| a.contains("all checks passed")),
        "{run:#?}"
    );
    run.assert_no_c0_control("a refusal's answer, as JSON");

    // The product accepts with the same answer, and the fields are printed with the secrets.
    let accepting = Collector::start(Ipv4Addr::LOCALHOST, Answer::json(200, HOSTILE)).await;
    let ca = s.file("accepting-ca.pem", &accepting.ca_pem);
    let ca_arg = ["--product-ca-file", ca.to_str().unwrap()];
    for json in [false, true] {
        let more = [&CONFIRMED[..], &ca_arg, &["--show-secrets"]].concat();
        let more = [&more[..], if json { &["--json"][..] } else { &[] }].concat();
        let run = s.handoff(&acme, &accepting, &more, &token).await;
        assert_eq!(run.code, 0, "{run:#?}");
        assert!(run.out().contains(DEMO_FULL_ACCESS_PAT), "{run:#?}");
        if json {
            run.assert_no_c0_control("an acceptance's answer, as JSON");
        } else {
            run.assert_nothing_a_terminal_obeys("an acceptance");
        }
    }
    assert_eq!(accepting.received().len(), 2);
}

#[tokio::test]
async fn json_output_escapes_c1_controls_of_a_products_answer_too() {
    let s = Setup::new().await;
    let token = [("ADO_CONNECT_PRODUCT_TOKEN", API_TOKEN)];
    let acme = s.file("acme.toml", ACME);
    for status in [400, 200] {
        let api = Collector::start(Ipv4Addr::LOCALHOST, Answer::json(status, HOSTILE)).await;
        let ca = s.file("ca.pem", &api.ca_pem);
        let ca_arg = ["--product-ca-file", ca.to_str().unwrap()];
        let run = s
            .handoff(
                &acme,
                &api,
                &[&CONFIRMED[..], &ca_arg, &["--json"]].concat(),
                &token,
            )
            .await;
        assert_eq!(api.received().len(), 1, "{run:#?}");
        // JSON may write U+009B as \u009b: the same string to a JSON reader, nothing to a
        // terminal.
        run.assert_nothing_a_terminal_obeys(&format!("HTTP {status}'s answer, as JSON"));
    }
}

#[tokio::test]
async fn the_tls_error_of_the_products_api_names_product_ca_file() {
    let s = Setup::new().await;
    let token = [("ADO_CONNECT_PRODUCT_TOKEN", API_TOKEN)];
    let untrusted = Collector::start(Ipv4Addr::LOCALHOST, Answer::json(200, "{}")).await;
    let acme = s.file("acme.toml", ACME);

    let run = s.handoff(&acme, &untrusted, &CONFIRMED, &token).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let err = run.err();
    assert!(
        err.contains("tls_untrusted") && err.contains("--product-ca-file"),
        "{run:#?}"
    );
    assert!(
        !err.contains("--ca-file"),
        "the flag for Azure DevOps' CA is not the fix: {err}"
    );
    run.assert_nothing_a_terminal_obeys("a TLS error");

    let run = s
        .handoff(
            &acme,
            &untrusted,
            &[&CONFIRMED[..], &["--json"]].concat(),
            &token,
        )
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    let problem = &run.json()["post"]["failed"]["problem"];
    assert_eq!(problem["code"], "tls_untrusted", "{run:#?}");
    let fix = problem["fix"].as_str().unwrap_or_default();
    assert!(
        fix.contains("--product-ca-file") && !fix.contains("--ca-file"),
        "{run:#?}"
    );
    assert!(!run.out().contains("--ca-file") && !run.err().contains("--ca-file"));
    assert!(
        untrusted.received().is_empty(),
        "nothing was sent to an API whose certificate is not trusted"
    );
}
