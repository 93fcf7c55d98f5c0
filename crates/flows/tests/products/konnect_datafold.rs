//! Kong Konnect (organization + a Code (Read) PAT) and Datafold (Code (Read & write), Identity
//! (Read), Contribute to pull requests on the repository; Organization / Project / Repository).

use ado_core::checks::CheckCode;
use ado_core::preflight::Status;
use ado_core::product::handoff::Reveal;
use ado_core::target::Field;
use ado_emulator::scenario::{DEMO_CODE_ONLY_PAT, DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_flows::product::handoff::HandoffChoice;

use crate::support::*;

const DATAFOLD_NO_WRITE: &str = "datafold-read-only-pat-0123456789abcdefghijklmnopq";

#[tokio::test]
async fn kong_konnect_passes_a_code_read_only_pat_asking_for_nothing_more() {
    let emu = emulator().await;
    let report = check(&request(
        profile("kong-konnect"),
        services(&emu, "fabrikam"),
        vec![pat("default", 0, DEMO_CODE_ONLY_PAT)],
    ))
    .await;
    assert!(
        report.ok,
        "Code (Read) is all Konnect needs: {:#?}",
        report.failures()
    );
    assert_eq!(
        report.connectors[0].access.as_ref().unwrap().pat_scopes,
        ["Code (Read)"]
    );
    let rows: Vec<(&str, Status)> = report.connectors[0]
        .checks
        .iter()
        .map(|c| (c.title.as_str(), c.status))
        .collect();
    assert_eq!(
        rows,
        [
            ("Token works", Status::Pass),
            ("Token has Code (Read)", Status::Pass)
        ]
    );
}

#[tokio::test]
async fn kong_konnect_hands_off_the_organization_and_a_code_read_only_pat() {
    let emu = emulator().await;
    let target = services(&emu, "fabrikam");
    // The connection is verified and saved as the app's Verify (and the CLI's first hand-off)
    // does: with a token that has Code (Read) and nothing else.
    let verified = ado_flows::verify_connection(
        &target,
        ado_client::Credential::pat(DEMO_CODE_ONLY_PAT),
        &Default::default(),
    )
    .await;
    assert!(
        verified.is_ok(),
        "a Code (Read)-only PAT, all Kong Konnect asks for, must be accepted when the connection \
         is verified and saved: {verified:?}"
    );
    let fx = saved(target, DEMO_CODE_ONLY_PAT, None).await;
    let handoff = fx
        .handoff(profile("kong-konnect"), HandoffChoice::default(), now())
        .await
        .expect("cleared");
    let shown: Vec<(String, Option<String>)> = handoff
        .panel(&Reveal::All)
        .fields
        .into_iter()
        .map(|f| (f.label, f.value))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "Azure DevOps organization name".to_string(),
                Some("fabrikam".to_string())
            ),
            (
                "Azure DevOps personal access token (PAT)".to_string(),
                Some(DEMO_CODE_ONLY_PAT.to_string())
            ),
            ("Description".to_string(), None),
        ]
    );
    assert!(handoff.missing().is_empty(), "the description is optional");
}

#[tokio::test]
async fn datafold_with_project_and_repository_checks_contribute_to_pull_requests() {
    let emu = emulator_with(|s| {
        add_pat(
            s,
            DATAFOLD_NO_WRITE,
            &["vso.project", "vso.code", "vso.identity"],
        )
    })
    .await;
    let target = services(&emu, "fabrikam");
    let datafold = |token: &str, project: &str, repository: &str| {
        let mut r = request(
            profile("datafold"),
            target.clone(),
            vec![pat("default", 0, token)],
        );
        r.project = Some(project.into());
        r.repository = Some(repository.into());
        r
    };
    let report = check(&datafold(
        DEMO_FULL_ACCESS_PAT,
        "Fiber Cloud",
        "fiber-cloud-api",
    ))
    .await;
    assert!(report.ok, "{:#?}", report.failures());
    let rows: Vec<(&str, Status)> = report.connectors[0]
        .checks
        .iter()
        .map(|c| (c.title.as_str(), c.status))
        .collect();
    assert_eq!(
        rows,
        [
            ("Token works", Status::Pass),
            ("Token has Code (Read & write)", Status::Pass),
            ("Token has Identity (Read)", Status::Pass),
            ("Contribute to pull requests", Status::Pass),
        ]
    );
    let contribute = row(&report, "default", "Contribute to pull requests");
    assert!(
        contribute
            .message
            .contains("Demo Admin may contribute to pull requests in Fiber Cloud/fiber-cloud-api"),
        "{}",
        contribute.message
    );

    // Dana may contribute on fiber-cloud-api, not on tailwind-traders.
    let dana = check(&datafold(
        DEMO_DEVELOPER_PAT,
        "Fiber Cloud",
        "fiber-cloud-api",
    ))
    .await;
    assert!(dana.ok, "{:#?}", dana.failures());
    let denied = check(&datafold(
        DEMO_DEVELOPER_PAT,
        "Tailwind Traders",
        "tailwind-traders",
    ))
    .await;
    assert!(!denied.ok);
    let failing: Vec<&str> = denied.connectors[0]
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(
        failing,
        ["Contribute to pull requests"],
        "only the permission"
    );
    let row = row(&denied, "default", "Contribute to pull requests");
    assert_eq!(
        (row.code, row.field),
        (Some(CheckCode::InvalidPermissions), Some(Field::Pat))
    );
    assert!(
        row.message.contains(
            "Dana Developer may not contribute to pull requests in Tailwind Traders/tailwind-traders"
        ) && row.fix.contains("tailwind-traders → Security"),
        "{row:?}"
    );
    assert!(row
        .curl
        .as_deref()
        .is_some_and(|c| c.contains("permissionevaluationbatch")));

    // A token without Code (Read & write): the scope is named, with the probe's reproduction.
    let no_write = check(&datafold(
        DATAFOLD_NO_WRITE,
        "Fiber Cloud",
        "fiber-cloud-api",
    ))
    .await;
    let row = crate::support::row(&no_write, "default", "Token has Code (Read & write)");
    assert_eq!(
        (row.status, row.code, row.field),
        (
            Status::Fail,
            Some(CheckCode::InvalidPermissions),
            Some(Field::Pat)
        )
    );
    assert!(
        row.message.contains("vso.code_write") && row.fix.contains("Code (Read & write)"),
        "{row:?}"
    );
    assert!(
        row.curl
            .as_deref()
            .is_some_and(|c| c.contains("/refs") && c.contains("$ADO_PAT")),
        "{:?}",
        row.curl
    );

    // A repository the token does not see: the permission cannot be checked, and says why.
    let unknown = check(&datafold(
        DEMO_FULL_ACCESS_PAT,
        "Fiber Cloud",
        "no-such-repo",
    ))
    .await;
    let row = crate::support::row(&unknown, "default", "Contribute to pull requests");
    assert_eq!(
        (row.status, row.code),
        (Status::Fail, Some(CheckCode::NotFound))
    );
    assert!(row.message.contains("\"no-such-repo\""), "{}", row.message);
}

#[tokio::test]
async fn datafold_hands_off_its_four_fields_and_exports_secrets_only_when_asked() {
    let emu = emulator().await;
    let fx = saved(services(&emu, "fabrikam"), DEMO_FULL_ACCESS_PAT, None).await;
    let handoff = fx
        .handoff(
            profile("datafold"),
            chosen("Fiber Cloud", "fiber-cloud-api"),
            now(),
        )
        .await
        .expect("cleared");
    let panel = handoff.panel(&Reveal::Nothing);
    assert_eq!(panel.title, "Paste into Datafold");
    let shown: Vec<(&str, Option<&str>, bool)> = panel
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref(), f.secret))
        .collect();
    assert_eq!(
        shown,
        [
            ("Personal/project Access Token", None, true),
            ("Organization", Some("fabrikam"), false),
            ("Project", Some("Fiber Cloud"), false),
            ("Repository", Some("fiber-cloud-api"), false),
        ],
        "Datafold's form, in its order and words"
    );
    assert_eq!(
        handoff.field_value("pat:default:0").as_deref(),
        Some(DEMO_FULL_ACCESS_PAT)
    );

    let dir = tempfile::tempdir().unwrap();
    let without = dir.path().join("plain.json");
    let doc = handoff.export_to(&without, false, 1).unwrap();
    assert!(doc.warning.is_none() && !doc.secrets_included);
    let text = std::fs::read_to_string(&without).unwrap();
    assert!(
        !text.contains(DEMO_FULL_ACCESS_PAT),
        "no secret unless asked"
    );
    let exported: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(exported["productId"], "datafold");
    assert_eq!(exported["fields"][3]["value"], "fiber-cloud-api");

    let with = dir.path().join("secret.json");
    let doc = handoff.export_to(&with, true, 1).unwrap();
    assert!(doc
        .warning
        .as_deref()
        .is_some_and(|w| w.contains("holds secrets")));
    assert!(std::fs::read_to_string(&with)
        .unwrap()
        .contains(DEMO_FULL_ACCESS_PAT));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&with).unwrap().permissions().mode() & 0o777,
            0o600,
            "an export with secrets is the owner's only"
        );
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&without, &link).unwrap();
        handoff
            .export_to(&link, true, 1)
            .expect_err("a symbolic link is not followed");
        assert!(!std::fs::read_to_string(&without)
            .unwrap()
            .contains(DEMO_FULL_ACCESS_PAT));
    }
}
