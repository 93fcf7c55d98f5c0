//! Refusals before anything is sent: a Server for a Services-only product (every command), a
//! profile with a mistake.

use std::path::{Path, PathBuf};

use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;

use crate::support::*;

#[tokio::test]
async fn every_command_refuses_a_server_for_a_services_only_product_and_sends_nothing() {
    let s = Setup::new().await;
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.json").display().to_string();
    let script = dir.path().join("hooks.sh").display().to_string();
    let server = s.server("tfs/DefaultCollection");
    for (id, name) in [
        ("dbt", "dbt"),
        ("dx", "DX"),
        ("datafold", "Datafold"),
        ("kong-konnect", "Kong Konnect"),
    ] {
        let p = profile(id);
        let commands: [&[&str]; 8] = [
            &["check", "--profile", &p, "--pat-expires", LATER],
            &["check", "--profile", &p, "--json"],
            &[
                "hooks",
                "plan",
                "--profile",
                &p,
                "--set",
                "dx_url=https://dx.invalid",
            ],
            &[
                "hooks",
                "apply",
                "--profile",
                &p,
                "--set",
                "dx_url=https://dx.invalid",
                "--json",
            ],
            &[
                "handoff",
                "--profile",
                &p,
                "--json",
                "--project",
                "Fabrikam Fiber",
                "--repository",
                "fiber-api",
            ],
            &[
                "handoff",
                "--profile",
                &p,
                "--export",
                &export,
                "--include-secrets",
            ],
            &[
                "handoff",
                "--profile",
                &p,
                "--post",
                "--set",
                "dx_api_url=https://dx.invalid",
            ],
            &[
                "handoff",
                "--profile",
                &p,
                "--script",
                &script,
                "--pat-expires",
                LATER,
            ],
        ];
        for args in commands {
            let run = s
                .run(
                    args,
                    &server,
                    &[
                        ("ADO_PAT_BOARDS", DEMO_FULL_ACCESS_PAT),
                        ("ADO_CONNECT_PRODUCT_TOKEN", "cli-token"),
                        ("ADO_HOOK_SECRET", DX_SECRET),
                    ],
                )
                .await;
            assert_eq!(run.code, 1, "{name} {args:?}: {run:#?}");
            assert!(
                run.says(&format!(
                    "{name} does not support Azure DevOps Server; it works with Azure DevOps Services only."
                )),
                "{name} {args:?}: {run:#?}"
            );
            assert!(!run.out.contains("\"ok\":true"), "{run:#?}");
        }
    }
    assert_eq!(s.requests(), Vec::<String>::new(), "nothing was sent");
    assert_eq!(s.saved(), 0, "no connection was saved");
    assert!(!Path::new(&export).exists() && !Path::new(&script).exists());
}

#[tokio::test]
async fn a_broken_profile_names_its_line_and_field() {
    let s = Setup::new().await;
    let dir = tempfile::tempdir().unwrap();
    let broken: PathBuf = dir.path().join("broken.toml");
    let text = std::fs::read_to_string(profile("datafold"))
        .unwrap()
        .replace("\"vso.code_write\"", "\"vso.code_writ\"");
    let line = text
        .lines()
        .position(|l| l.contains("vso.code_writ\""))
        .unwrap()
        + 1;
    std::fs::write(&broken, text).unwrap();
    let path = broken.display().to_string();
    for args in [
        &["check", "--profile", &path][..],
        &["handoff", "--profile", &path],
        &["hooks", "plan", "--profile", &path],
    ] {
        let run = s.run(args, &s.services(), &[]).await;
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert!(
            run.err.contains(&format!("broken.toml:{line}:"))
                && run.err.contains("access.scopes[0]")
                && run.err.contains("vso.code_write"),
            "{run:#?}"
        );
        let error = &run.json()["error"];
        assert_eq!(error["code"], "invalid_profile");
        assert_eq!(error["profile"]["errors"][0]["field"], "access.scopes[0]");
        assert!(
            error["profile"]["path"]
                .as_str()
                .unwrap()
                .ends_with("broken.toml"),
            "{error}"
        );
    }
    assert_eq!(s.requests(), Vec::<String>::new());
}
