//! DX's checks: a token per connector, each making exactly DX's own verification calls and
//! judged with DX's own codes (`invalid_credentials` for a 401, `invalid_permissions` for a
//! 403, `no_resources` for a 404 or an empty list), and a warning when connectors share one
//! identity.

use ado_core::checks::CheckCode;
use ado_core::preflight::Status;
use ado_core::product::verdicts::Rule;
use ado_core::target::Field;
use ado_emulator::scenario::{DEMO_FULL_ACCESS_PAT, DEMO_REVOKED_PAT};
use ado_emulator::{Fault, FaultRule};
use ado_flows::product::ProductReport;

use crate::support::*;

const BOARDS_NO_WORK: &str = "dx-boards-without-work-items-pat-0123456789abcdef";

/// Each connector's rows: (title, status).
fn rows(report: &ProductReport, connector: &str) -> Vec<(String, Status)> {
    report
        .connectors
        .iter()
        .find(|c| c.connector == connector)
        .unwrap_or_else(|| panic!("{connector} was not checked"))
        .checks
        .iter()
        .map(|c| (c.title.clone(), c.status))
        .collect()
}

fn passed(titles: &[&str]) -> Vec<(String, Status)> {
    titles
        .iter()
        .map(|t| (t.to_string(), Status::Pass))
        .collect()
}

#[tokio::test]
async fn one_pat_for_every_connector_is_warned_about_naming_the_identity() {
    let emu = emulator().await;
    let mut req = request(
        profile("dx"),
        services(&emu, "fabrikam"),
        DX_CONNECTORS
            .iter()
            .map(|(c, _, _)| pat(c, 0, DEMO_FULL_ACCESS_PAT))
            .collect(),
    );
    req.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));
    let report = check(&req).await;
    let r = restriction(&report, Rule::SameIdentity);
    assert_eq!(
        (r.status, r.field),
        (Status::Warn, Some(Field::Pat)),
        "{r:?}"
    );
    assert!(
        r.message.contains(
            "Boards and Pipelines and Repositories and Pull Commits and Commits (default branch) use tokens of the same identity, Demo Admin ("
        ) && r.message.contains("DX asks for a separate service account per connector"),
        "{}",
        r.message
    );
    assert!(!report.refused, "a warning, not a refusal");
    assert!(
        report.ok,
        "the shared token has every scope; only the warning remains: {:#?}",
        report.failures()
    );
}

#[tokio::test]
async fn a_service_account_per_connector_passes_exactly_dxs_own_calls() {
    let emu = emulator_with(dx_world).await;
    let mut req = request(profile("dx"), services(&emu, "fabrikam"), dx_credentials());
    req.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));
    let report = check(&req).await;
    assert_eq!(
        restriction(&report, Rule::SameIdentity).status,
        Status::Pass
    );
    assert_eq!(
        rows(&report, "boards"),
        passed(&[
            "Token works",
            "List projects",
            "List users (Graph)",
            "List work item types"
        ])
    );
    assert_eq!(
        rows(&report, "pipelines"),
        passed(&[
            "Token works",
            "List projects",
            "List users (Graph)",
            "List builds"
        ])
    );
    assert_eq!(
        rows(&report, "repos"),
        passed(&[
            "Token works",
            "List projects",
            "List users (Graph)",
            "List repositories"
        ])
    );
    assert_eq!(
        rows(&report, "pull_commits"),
        passed(&["Token works", "List a pull request's commits"]),
        "a Code (Read) token finds its pull request without listing projects"
    );
    assert_eq!(
        rows(&report, "commits"),
        passed(&["Token works", "List commits"])
    );
    assert_eq!(
        rows(&report, "webhooks"),
        passed(&["Token works", "Manage service hooks"]),
        "the connection's own PAT registers the webhooks"
    );
    let call = row(&report, "boards", "List work item types");
    assert!(
        call.curl
            .as_deref()
            .is_some_and(|c| c.contains("/fabrikam/_apis/wit/workitemtypes?project=")
                && c.contains("api-version=7.0")),
        "DX's own call, at its api-version: {:?}",
        call.curl
    );
    assert!(report.ok, "{:#?}", report.failures());
}

#[tokio::test]
async fn a_connector_token_refused_by_a_call_carries_dxs_own_code() {
    let emu = emulator_with(|s| {
        dx_world(s);
        // Boards without Work Items (Read).
        add_pat(
            s,
            BOARDS_NO_WORK,
            &[
                "vso.graph",
                "vso.identity",
                "vso.project",
                "vso.release",
                "vso.taskgroups_read",
            ],
        );
    })
    .await;
    let mut credentials = dx_credentials();
    credentials[0] = pat("boards", 0, BOARDS_NO_WORK);
    credentials[4] = pat("commits", 0, DEMO_REVOKED_PAT);
    let mut req = request(profile("dx"), services(&emu, "fabrikam"), credentials);
    req.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));

    // 401 for a valid token: a missing scope, which DX reports as invalid_credentials.
    let report = check(&req).await;
    assert!(!report.ok && !report.refused);
    let work = row(&report, "boards", "List work item types");
    assert_eq!(
        (
            work.status,
            work.code,
            work.product_code.as_deref(),
            work.field
        ),
        (
            Status::Fail,
            Some(CheckCode::InvalidPermissions),
            Some("invalid_credentials"),
            Some(Field::Pat)
        ),
        "{work:?}"
    );
    assert!(
        work.message
            .contains("refused with 401 although the same token signs in")
            && work.fix.contains("Work Items (Read) (vso.work)"),
        "{work:?}"
    );
    // A revoked token fails at once, with DX's code for it.
    let token = row(&report, "commits", "Token works");
    assert_eq!(
        (token.status, token.code, token.product_code.as_deref()),
        (
            Status::Fail,
            Some(CheckCode::InvalidCredentials),
            Some("invalid_credentials")
        ),
        "{token:?}"
    );
    assert_eq!(rows(&report, "commits").len(), 1, "nothing more is tried");
    let failures = report.failures();
    assert!(
        failures
            .iter()
            .any(|(code, message, _)| code == "invalid_credentials"
                && message.starts_with("Boards: ")),
        "the product's code leads: {failures:#?}"
    );

    // 403 and 404, as Azure DevOps may answer them: invalid_permissions and no_resources.
    emu.add_fault(FaultRule::on_path(
        "*/_apis/build/builds",
        Fault::Status {
            status: 403,
            retry_after_secs: None,
        },
    ))
    .unwrap();
    emu.add_fault(FaultRule::on_path(
        "*/_apis/git/repositories/*/commits",
        Fault::Status {
            status: 404,
            retry_after_secs: None,
        },
    ))
    .unwrap();
    req.credentials[4] = pat("commits", 0, &dx_token("commits"));
    let report = check(&req).await;
    let builds = row(&report, "pipelines", "List builds");
    assert_eq!(
        (builds.status, builds.code, builds.product_code.as_deref()),
        (
            Status::Fail,
            Some(CheckCode::InvalidPermissions),
            Some("invalid_permissions")
        ),
        "{builds:?}"
    );
    let commits = row(&report, "commits", "List commits");
    assert_eq!(
        (commits.status, commits.product_code.as_deref()),
        (Status::Fail, Some("no_resources")),
        "{commits:?}"
    );
    assert_eq!(
        row(&report, "repos", "List repositories").product_code,
        None,
        "a passing call carries no code"
    );
}
