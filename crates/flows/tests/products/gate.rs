//! The gate in front of every hand-off: a connection whose checks never passed is checked (and
//! refused with the failing checks); a pass is recorded for a day, for the same credentials and
//! choice, so the next hand-off sends nothing; a new credential, another choice or a day later
//! checks again.

use ado_core::checks::CheckCode;
use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_flows::product::gate::{Clear, Outcome, CLEARANCE_TTL_SECS};
use secrecy::SecretString;

use crate::support::*;

const NO_WRITE: &str = "gate-datafold-read-only-pat-0123456789abcdefghijkl";

#[tokio::test]
async fn a_pass_is_recorded_for_a_day_and_a_new_credential_or_choice_checks_again() {
    let emu = emulator().await;
    let target = services(&emu, "fabrikam");
    let fx = saved(target.clone(), DEMO_FULL_ACCESS_PAT, None).await;
    let t0 = now();

    // Never checked: the hand-off runs the checks, then records the pass.
    emu.clear_requests();
    let first = fx
        .handoff(
            profile("datafold"),
            chosen("Fiber Cloud", "fiber-cloud-api"),
            t0,
        )
        .await
        .expect("passes");
    let probes = requests(&emu);
    assert!(
        emu.requests().iter().any(|r| r
            .path
            .ends_with("/_apis/security/permissionevaluationbatch")),
        "the checks ran (Contribute to pull requests among them)"
    );

    // Within the day: nothing is sent, whatever is asked of the hand-off.
    emu.clear_requests();
    for later in [t0 + 1, t0 + 3600, t0 + CLEARANCE_TTL_SECS - 1] {
        let again = fx
            .handoff(
                profile("datafold"),
                chosen("Fiber Cloud", "fiber-cloud-api"),
                later,
            )
            .await
            .expect("the recorded pass clears it");
        assert_eq!(
            again.field_value("pat:default:0"),
            first.field_value("pat:default:0")
        );
    }
    assert_eq!(requests(&emu), 0, "no re-probe within a day");
    // Names are compared as Azure DevOps compares them.
    fx.handoff(
        profile("datafold"),
        chosen("fiber cloud", "FIBER-CLOUD-API"),
        t0 + 2,
    )
    .await
    .unwrap();
    assert_eq!(requests(&emu), 0);

    // A day later: checked again.
    fx.handoff(
        profile("datafold"),
        chosen("Fiber Cloud", "fiber-cloud-api"),
        t0 + CLEARANCE_TTL_SECS + 1,
    )
    .await
    .unwrap();
    assert!(requests(&emu) >= probes, "the same checks, once more");

    // Another repository: checked again.
    emu.clear_requests();
    fx.handoff(
        profile("datafold"),
        chosen("Fiber Cloud", "fiber-cloud-web"),
        t0 + 3,
    )
    .await
    .unwrap();
    assert!(requests(&emu) > 0, "another choice is checked");

    // "Check access" always checks.
    emu.clear_requests();
    let Outcome::Cleared(_, Some(report)) = fx
        .clear(
            profile("datafold"),
            (Some("Fiber Cloud"), Some("fiber-cloud-web")),
            Vec::new(),
            Clear::Always,
            t0 + 4,
        )
        .await
    else {
        panic!("Clear::Always runs the checks")
    };
    assert!(report.ok && requests(&emu) > 0);

    // A new credential (Dana's PAT saved over the connection's): checked again, and handed off.
    let saved = fx.connections.get(&fx.id).unwrap().unwrap();
    fx.connections
        .replace_secret(&saved, &SecretString::from(DEMO_DEVELOPER_PAT.to_string()))
        .unwrap();
    emu.clear_requests();
    let dana = fx
        .handoff(
            profile("datafold"),
            chosen("Fiber Cloud", "fiber-cloud-api"),
            t0 + 5,
        )
        .await
        .expect("Dana may contribute there");
    assert!(requests(&emu) > 0, "a changed credential is checked");
    assert_eq!(
        dana.field_value("pat:default:0").as_deref(),
        Some(DEMO_DEVELOPER_PAT)
    );
    // …and on a repository where she may not contribute, refused with that check.
    let problem = fx
        .handoff(
            profile("datafold"),
            chosen("Tailwind Traders", "tailwind-traders"),
            t0 + 6,
        )
        .await
        .expect_err("Dana may not contribute to pull requests there");
    assert_eq!(problem.code, CheckCode::InvalidPermissions);
    assert!(
        problem.message.contains("Contribute to pull requests")
            || problem
                .message
                .contains("may not contribute to pull requests"),
        "{}",
        problem.message
    );
}

#[tokio::test]
async fn a_connection_that_fails_its_checks_is_refused_with_them_and_nothing_is_recorded() {
    let emu =
        emulator_with(|s| add_pat(s, NO_WRITE, &["vso.project", "vso.code", "vso.identity"])).await;
    let fx = saved(services(&emu, "fabrikam"), NO_WRITE, None).await;
    for attempt in 0..2 {
        emu.clear_requests();
        let problem = fx
            .handoff(
                profile("datafold"),
                chosen("Fiber Cloud", "fiber-cloud-api"),
                now() + attempt,
            )
            .await
            .expect_err("no Code (Read & write)");
        assert!(requests(&emu) > 0, "attempt {attempt}: the checks ran");
        assert_eq!(problem.code, CheckCode::InvalidPermissions, "{problem:?}");
        assert!(
            problem
                .message
                .contains("The connection has not passed Datafold's checks")
                && problem.message.contains("[invalid_permissions]")
                && problem.message.contains("Code (Read & write)"),
            "{}",
            problem.message
        );
        assert!(
            problem.fix.contains("run the checks again"),
            "{}",
            problem.fix
        );
    }
    // Neither the panel nor a value leaks past the gate.
    assert!(ado_flows::product::saved::handoff_value(
        &fx.connections,
        &fx.settings,
        profile("datafold"),
        &fx.id,
        chosen("Fiber Cloud", "fiber-cloud-api"),
        "pat:default:0",
        now(),
    )
    .await
    .is_err());
}
