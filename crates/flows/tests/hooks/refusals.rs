//! What a plan refuses before anything is sent: a user who may not edit service hooks, a
//! receiver URL with credentials in it.

use ado_core::checks::CheckCode;
use ado_emulator::scenario::DEMO_DEVELOPER_PAT;
use ado_emulator::Config;
use ado_flows::hooks;

use crate::support::*;

#[tokio::test]
async fn a_user_who_may_not_edit_service_hooks_gets_invalid_permissions() {
    let f = fixture_with(Config::default(), DEMO_DEVELOPER_PAT).await;
    let problem = hooks::plan_hooks(&f.client, &f.records, &f.request(&ALL))
        .await
        .expect_err("Dana Developer administers nothing");
    assert_eq!(problem.code, CheckCode::InvalidPermissions, "{problem:?}");
    assert!(
        problem.message.contains("Dana Developer"),
        "{}",
        problem.message
    );
    assert!(
        problem.fix.contains("Project Administrators"),
        "{}",
        problem.fix
    );
    assert!(f.server_subscriptions().is_empty());
}

#[tokio::test]
async fn a_receiver_with_credentials_in_its_url_is_refused_before_anything_is_sent() {
    let f = fixture().await;
    let mut request = f.request(&ALL);
    request.url = request.url.replace("http://", "http://user:pw@");
    let problem = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap_err();
    assert_eq!(problem.code, CheckCode::InvalidInput);
    assert!(
        problem.fix.contains("basic authentication"),
        "{}",
        problem.fix
    );
}
