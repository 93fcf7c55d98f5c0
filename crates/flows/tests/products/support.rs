//! What the product tests share beyond `ado_test_support` (the profiles as shipped, emulator
//! worlds and targets, DX's service accounts, saved connections in the real keyring): a check
//! that counts its streamed rows, the rows and restrictions of a report, and the emulator's
//! request log.

use std::sync::Mutex;

use ado_client::Credential;
use ado_core::preflight::{Check, Status};
use ado_core::product::verdicts::{Restriction, Rule};
use ado_core::product::{ProductProfile, SignInMethod};
use ado_core::target::ConnectionTarget;
use ado_emulator::scenario::DEMO_USER_EMAIL;
use ado_emulator::{Emulator, Scenario};
use ado_flows::product::handoff::HandoffChoice;
use ado_flows::product::{check_product, ProductCheckRequest, ProductCredential, ProductReport};
use ado_flows::ConnectOptions;
pub use ado_test_support::saved::{connector_pat, dx_pats, saved};
pub use ado_test_support::world::*;

pub async fn emulator() -> Emulator {
    emulator_with(|_| {}).await
}

/// Adds a PAT of Demo Admin with exactly `scopes`.
pub fn add_pat(scenario: &mut Scenario, token: &str, scopes: &[&str]) {
    add_pat_of(scenario, token, DEMO_USER_EMAIL, scopes);
}

/// A connector's PAT, dated `LATER`.
pub fn pat(connector: &str, index: usize, token: &str) -> ProductCredential {
    ProductCredential {
        connector: connector.into(),
        index,
        credential: Credential::pat(token),
        method: SignInMethod::Pat,
        expires_on: Some(LATER.into()),
    }
}

pub fn request(
    profile: ProductProfile,
    target: ConnectionTarget,
    credentials: Vec<ProductCredential>,
) -> ProductCheckRequest {
    ProductCheckRequest {
        profile,
        target,
        options: ConnectOptions::default(),
        consent_to_http: false,
        project: None,
        repository: None,
        credentials,
        hooks_credential: None,
    }
}

/// Runs the checks; every restriction and row is streamed before the report returns.
pub async fn check(request: &ProductCheckRequest) -> ProductReport {
    let events = Mutex::new(0usize);
    let report = check_product(request, &|_| *events.lock().unwrap() += 1).await;
    let rows: usize = report.connectors.iter().map(|c| c.checks.len()).sum();
    assert_eq!(
        *events.lock().unwrap(),
        report.restrictions.len() + rows,
        "every restriction and row is streamed once"
    );
    report
}

pub fn restriction(report: &ProductReport, rule: Rule) -> &Restriction {
    report
        .restrictions
        .iter()
        .find(|r| r.rule == rule)
        .unwrap_or_else(|| panic!("no {rule:?} in {:#?}", report.restrictions))
}

pub fn failing_restrictions(report: &ProductReport) -> Vec<&Restriction> {
    report
        .restrictions
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect()
}

/// The row titled `title` of a connector's (first) credential.
pub fn row<'r>(report: &'r ProductReport, connector: &str, title: &str) -> &'r Check {
    let c = report
        .connectors
        .iter()
        .find(|c| c.connector == connector)
        .unwrap_or_else(|| panic!("{connector} was not checked: {report:#?}"));
    c.checks
        .iter()
        .find(|k| k.title == title)
        .unwrap_or_else(|| panic!("no row {title:?} for {connector}: {:#?}", c.checks))
}

/// Requests the emulator received (the control API's own are not logged).
pub fn requests(emu: &Emulator) -> usize {
    emu.requests().len()
}

/// The project and repository the hand-off gets.
pub fn chosen(project: &str, repository: &str) -> HandoffChoice {
    HandoffChoice {
        project: Some(project.into()),
        repository: Some(repository.into()),
        ..Default::default()
    }
}

/// The five connector PATs of [`dx_world`] for the checks, dated `LATER`.
pub fn dx_credentials() -> Vec<ProductCredential> {
    DX_CONNECTORS
        .iter()
        .map(|(c, _, _)| pat(c, 0, &dx_token(c)))
        .collect()
}
