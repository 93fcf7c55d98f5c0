//! Datafold: the project and repository named when missing, Contribute to pull requests
//! checked, and the gate: one probe per credential and choice within a day.

use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn datafold_names_what_is_missing_checks_contribute_and_the_gate_probes_once() {
    let s = Setup::new().await;
    let datafold = profile("datafold");
    let services = s.services();
    let handoff = |more: &[&str]| -> Vec<String> {
        let mut args = strings(&["handoff", "--profile", &datafold, "--json"]);
        args.extend(strings(more));
        args
    };
    let run_handoff = |more: Vec<String>, pat: &'static str| {
        let s = &s;
        let services = services.clone();
        async move {
            let args: Vec<&str> = more.iter().map(String::as_str).collect();
            s.run(&args, &services, &[("ADO_PAT", pat)]).await
        }
    };

    for (more, missing) in [
        (vec![], vec!["project", "repository"]),
        (vec!["--project", "Fiber Cloud"], vec!["repository"]),
    ] {
        let run = run_handoff(handoff(&more), DEMO_FULL_ACCESS_PAT).await;
        assert!(run.code == 1 || run.code == 2, "{run:#?}");
        assert!(
            !run.out.contains("\"ok\":true"),
            "never ok with empty fields: {run:#?}"
        );
        for what in missing {
            assert!(
                run.err.contains(&format!(
                    "Datafold asks for the {what}, and none was chosen"
                )),
                "{what}: {run:#?}"
            );
        }
    }
    let run = s
        .run(
            &["check", "--profile", &datafold, "--project", "Fiber Cloud"],
            &services,
            &[],
        )
        .await;
    assert_eq!(run.code, 1);
    assert!(run.says("Datafold asks for the repository"), "{run:#?}");

    // Both given: the fields in Datafold's order and words, the permission checked.
    let both = handoff(&[
        "--project",
        "Fiber Cloud",
        "--repository",
        "fiber-cloud-api",
    ]);
    s.emu.clear_requests();
    let run = run_handoff(both.clone(), DEMO_FULL_ACCESS_PAT).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        fields(&run.json()),
        [
            ("Personal/project Access Token".to_string(), Value::Null),
            ("Organization".to_string(), json!("fabrikam")),
            ("Project".to_string(), json!("Fiber Cloud")),
            ("Repository".to_string(), json!("fiber-cloud-api")),
        ]
    );
    assert!(
        s.requests()
            .iter()
            .any(|r| r.ends_with("/_apis/security/permissionevaluationbatch")),
        "Contribute to pull requests was checked: {:?}",
        s.requests()
    );

    // The pass is recorded: the same hand-off again sends nothing.
    s.emu.clear_requests();
    let mut shown = both.clone();
    shown.push("--show-secrets".into());
    let run = run_handoff(shown.clone(), DEMO_FULL_ACCESS_PAT).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.out.contains(DEMO_FULL_ACCESS_PAT),
        "revealed on request"
    );
    assert_eq!(
        s.requests(),
        Vec::<String>::new(),
        "no re-probe within a day"
    );
    // Another repository is checked.
    let run = run_handoff(
        handoff(&[
            "--project",
            "Fiber Cloud",
            "--repository",
            "fiber-cloud-web",
        ]),
        DEMO_FULL_ACCESS_PAT,
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(!s.requests().is_empty());

    // A new credential (Dana's, saved over it) is checked again; she may not contribute to
    // pull requests on tailwind-traders.
    let run = s
        .run(
            &["verify", "--save"],
            &services,
            &[("ADO_PAT", DEMO_DEVELOPER_PAT)],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    s.emu.clear_requests();
    let run = run_handoff(shown, DEMO_DEVELOPER_PAT).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.out.contains(DEMO_DEVELOPER_PAT), "Dana's token now");
    assert!(!s.requests().is_empty(), "a changed credential is checked");
    let run = run_handoff(
        handoff(&[
            "--project",
            "Tailwind Traders",
            "--repository",
            "tailwind-traders",
        ]),
        DEMO_DEVELOPER_PAT,
    )
    .await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.err.contains("error[invalid_permissions]")
            && run.err.contains("Dana Developer may not contribute to pull requests in Tailwind Traders/tailwind-traders"),
        "{run:#?}"
    );
}
