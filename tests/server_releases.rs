//! An on-prem team on Azure DevOps Server 2020 (issue 25): in the real window, Verify connects
//! (no "upgrade your server"), the saved connection keeps the server's REST API version, and the
//! checks pass, naming the release and reproducing each probe at api-version 6.0.

use ado_emulator::scenario::{ServerSpec, DEMO_USER_EMAIL};
use ado_emulator::Scenario;

use crate::support::{Journey, Launch};

/// The demo world plus a healthy Azure DevOps Server 2020 at `/azdo2020/DefaultCollection`
/// (the demo's own 2020 has a `localhost` public URL, which the checks rightly fail).
fn with_server_2020() -> Scenario {
    let mut scenario = Scenario::demo();
    let server: ServerSpec = serde_json::from_value(serde_json::json!({
        "name": "azure-devops-2020",
        "version": "2020",
        "virtualDirectory": "azdo2020",
        "collections": [{
            "name": "DefaultCollection",
            "projects": [{
                "name": "Fabrikam Fiber",
                "administrators": [DEMO_USER_EMAIL],
                "repositories": [{"name": "fiber-api"}]
            }]
        }]
    }))
    .expect("a server spec");
    scenario.servers.push(server);
    scenario
}

#[tokio::test]
async fn a_team_on_server_2020_connects_and_passes_the_checks() {
    let Some(journey) = Journey::start("server-2020", with_server_2020(), Launch::default()).await
    else {
        return;
    };
    let base = journey.sandbox()["baseUrl"].as_str().unwrap().to_string();
    journey
        .fill_server_form(
            &format!("{base}/azdo2020"),
            "DefaultCollection",
            &journey.full_access_pat(),
        )
        .await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.screenshot("76-server-2020-verified").await;
    assert_eq!(
        journey.text("result-deployment").await,
        "Azure DevOps Server (on-premises)"
    );
    let projects = journey.text("result-projects").await;
    assert!(
        projects.contains("Fabrikam Fiber") && projects.contains("fiber-api"),
        "{projects}"
    );
    let saved: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(journey.config_dir.join("connections.json"))
            .expect("a saved profile"),
    )
    .unwrap();
    assert_eq!(
        saved["connections"][0]["serverApiVersion"], "6.0",
        "the connection keeps the server's version"
    );

    journey.click("to-checks").await;
    journey
        .wait_until(
            "the scope table shows",
            "return document.getElementById('scope-rows').children.length > 0",
        )
        .await;
    journey.click("run-checks").await;
    journey
        .wait_until(
            "the checks finish",
            "return (document.body.dataset.checksDone || '') !== ''",
        )
        .await;
    journey.screenshot("77-server-2020-checks").await;
    let failed = journey
        .js("return [...document.querySelectorAll('#checklist > li.fail')].map(li => li.textContent)")
        .await;
    assert_eq!(failed, serde_json::json!([]), "every check passes on 2020");
    let version = journey
        .js("const r = document.querySelector('#checklist > li[data-id=serverVersion]'); return r ? r.textContent : ''")
        .await;
    let version = version.as_str().unwrap_or_default();
    assert!(
        version.contains("Azure DevOps Server 2020") && version.contains("6.0"),
        "the row names the release: {version}"
    );
    let sent: Vec<_> = journey
        .emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.to_ascii_lowercase().starts_with("/azdo2020/"))
        .filter_map(|r| r.api_version)
        .collect();
    assert!(!sent.is_empty());
    assert!(
        sent.iter().all(|v| v == "6.0"),
        "every request at the server's version: {sent:?}"
    );
    journey.finish().await;
}
