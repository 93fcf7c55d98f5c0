//! Appcircle (a server URL without a path, the collection as Owner) and Kong Konnect (an
//! organization and a Code (Read) PAT).

use ado_emulator::scenario::{DEMO_CODE_ONLY_PAT, DEMO_FULL_ACCESS_PAT};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn appcircle_refuses_a_virtual_directory_and_hands_off_a_root_collection() {
    let s = Setup::new().await;
    let appcircle = profile("appcircle");
    let base = s.emu.base_url();
    let tfs = s.server("tfs/DefaultCollection");
    for args in [
        &["check", "--profile", &appcircle][..],
        &["handoff", "--profile", &appcircle, "--json"],
        &["hooks", "apply", "--profile", &appcircle],
    ] {
        let run = s.run(args, &tfs, &[]).await;
        assert_eq!(run.code, 1, "{args:?}: {run:#?}");
        assert!(
            run.says(&format!("it would call {base}/DefaultCollection/_apis/"))
                && run.says("virtual directory /tfs"),
            "the URL Appcircle would call: {run:#?}"
        );
    }
    assert_eq!(s.requests(), Vec::<String>::new());
    assert_eq!(s.saved(), 0);

    let root = s.server("ContosoCollection");
    let appcircle_check = ["check", "--profile", appcircle.as_str()];
    let run = s.run(&appcircle_check, &root, &[]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.out
            .contains("pass  [default#0] List projects (Appcircle's token check)"),
        "{}",
        run.out
    );
    let run = s
        .run(
            &[
                "handoff",
                "--profile",
                &appcircle,
                "--json",
                "--show-secrets",
            ],
            &root,
            &[],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        fields(&run.json()),
        [
            ("Server URL".to_string(), json!(PUBLIC)),
            ("Owner".to_string(), json!("ContosoCollection")),
            (
                "Personal access token".to_string(),
                json!(DEMO_FULL_ACCESS_PAT)
            ),
        ],
        "the public origin without a path, the collection as Owner, the PAT"
    );
    let run = s
        .run(&["hooks", "apply", "--profile", &appcircle], &root, &[])
        .await;
    assert_eq!(run.code, 1);
    assert!(
        run.says("Appcircle creates its webhooks itself"),
        "{run:#?}"
    );

    // misconfigured-tfs: under /azdo, 2020, its public URL localhost.
    let run = s
        .run(&appcircle_check, &s.server("azdo/DefaultCollection"), &[])
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    // legacy-tfs: Azure DevOps Server 2019 at the root; Appcircle needs 2022 or later.
    let run = s
        .run(&appcircle_check, &s.server("LegacyCollection"), &[])
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.out
            .contains("FAIL  Appcircle supports this Server version [server_too_old]"),
        "{}",
        run.out
    );
}

#[tokio::test]
async fn kong_konnect_takes_a_code_read_only_pat_and_hands_off_organization_and_pat() {
    let s = Setup::new().await;
    let konnect = profile("kong-konnect");
    let only_code = [("ADO_PAT", DEMO_CODE_ONLY_PAT)];
    let run = s
        .run(
            &["check", "--profile", &konnect, "--json"],
            &s.services(),
            &only_code,
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.json()["ok"], true);
    let run = s
        .run(
            &["handoff", "--profile", &konnect, "--json", "--show-secrets"],
            &s.services(),
            &only_code,
        )
        .await;
    assert_eq!(
        run.code, 0,
        "a Code (Read) PAT is all Kong Konnect needs: {run:#?}"
    );
    assert_eq!(
        fields(&run.json())[..2],
        [
            (
                "Azure DevOps organization name".to_string(),
                json!("fabrikam")
            ),
            (
                "Azure DevOps personal access token (PAT)".to_string(),
                json!(DEMO_CODE_ONLY_PAT)
            ),
        ]
    );
}
