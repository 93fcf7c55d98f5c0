//! Issue 9's journeys: paste → verify → webhooks in at most five clicks, a returning user who
//! re-verifies and opens webhooks from the home without typing, Forget removing the webhooks after
//! a confirmation, renewing a PAT from the reminder, a 720×560 window without horizontal scroll,
//! and a 250-project collection whose counts agree and whose pasted project is preselected.

use ado_emulator::Scenario;
use serde_json::{json, Value};

use crate::support::{ok_receiver as receiver, Journey, Launch};

/// The subscriptions Azure DevOps (the emulator) holds for a collection.
async fn subscriptions(collection_url: &str, pat: &str) -> Vec<Value> {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/_apis/hooks/subscriptions?api-version=6.0",
            collection_url.trim_end_matches('/')
        ))
        .basic_auth("", Some(pat))
        .send()
        .await
        .expect("list subscriptions");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(
        status.is_success(),
        "listing subscriptions: {status} {text}"
    );
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("subscriptions JSON ({status}): {e}: {text}"));
    body["value"].as_array().cloned().unwrap_or_default()
}

fn collection_url(journey: &Journey) -> String {
    let (server, collection) = journey.collection(0);
    format!("{server}/{collection}")
}

/// Preview and apply in the webhooks step, counting the clicks.
/// A journey on the sandbox, verified, with webhooks registered to a fresh receiver; and the
/// sandbox's full-access PAT. `None` when the desktop pieces are missing and not required.
async fn sandbox_with_webhooks(name: &str) -> Option<(Journey, String)> {
    let journey = Journey::start(
        name,
        Scenario::demo(),
        Launch {
            with_sandbox: true,
            ..Default::default()
        },
    )
    .await?;
    let url = receiver().await;
    let pat = journey.full_access_pat();
    journey.click("use-sandbox").await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("hooks").await;
    // Nothing pasted: the step guesses no project, so one is chosen (issue 21).
    journey
        .wait_until(
            "the step is ready",
            "return !!document.body.dataset.hooksPreselected",
        )
        .await;
    journey.pick("hook-projects", "Fabrikam Fiber").await;
    register(&journey, &url, &mut 0).await;
    Some((journey, pat))
}

async fn register(journey: &Journey, url: &str, clicks: &mut u32) {
    journey.type_into("hook-url", url).await;
    journey.click_counted("hooks-plan", clicks).await;
    journey
        .wait_until(
            "the plan shows",
            "return !!document.body.dataset.hooksPlanned || !document.getElementById('hooks-alert').hidden",
        )
        .await;
    assert!(
        !journey.visible("hooks-alert").await,
        "planning failed: {}",
        journey.text("hooks-alert").await
    );
    journey.click_counted("hooks-apply", clicks).await;
    journey
        .wait_until(
            "the hooks are listed",
            "return document.querySelectorAll('#hooks-list li[data-subscription-id]').length === 4",
        )
        .await;
}

#[tokio::test]
async fn paste_verify_and_register_webhooks_in_five_clicks() {
    let Some(journey) = Journey::start("five-clicks", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    // No saved connection: straight into the wizard.
    journey.wait_step("connect").await;
    let url = receiver().await;
    let mut clicks = 0;
    journey.paste_fiber_api().await;
    journey.type_into("pat", &journey.full_access_pat()).await;
    journey.click_counted("verify", &mut clicks).await;
    journey.wait_for_result().await;
    assert_eq!(journey.value("pat").await, "", "the PAT leaves the page");
    journey.screenshot("50-result-1280").await;
    journey.click_counted("to-hooks", &mut clicks).await;
    journey.wait_step("hooks").await;
    journey
        .wait_until(
            "the pasted scope is preselected",
            "return document.getElementById('hook-scope-repositories').checked && \
             [...document.querySelectorAll('#hook-repositories-chips > li')].map((c) => c.dataset.value).join() === 'Fabrikam Fiber/fiber-api'",
        )
        .await;
    assert_eq!(
        journey
            .js("return document.activeElement.id")
            .await
            .as_str(),
        Some("hooks-title"),
        "focus moves to the new step's heading"
    );
    register(&journey, &url, &mut clicks).await;
    journey.screenshot("51-hooks-registered-1280").await;
    eprintln!("paste → verify → webhooks registered: {clicks} clicks");
    assert!(clicks <= 5, "{clicks} clicks");
    let listed = journey.text("hooks-list").await;
    assert!(
        listed.contains("Fabrikam Fiber / fiber-api") && listed.contains(&url),
        "the hooks list names project, repository and receiver: {listed}"
    );
    journey.finish().await;
}

#[tokio::test]
async fn a_returning_user_reverifies_opens_webhooks_and_forgets_them() {
    let Some((mut journey, pat)) = sandbox_with_webhooks("returning").await else {
        return;
    };
    assert_eq!(
        subscriptions(&collection_url(&journey), &pat).await.len(),
        4
    );

    journey.relaunch().await;
    journey.wait_step("home").await;
    journey
        .wait_until(
            "the card shows its webhooks' state",
            "return document.querySelector('#home-list .conn') !== null && /4 webhooks ·/.test(document.getElementById('home-list').textContent)",
        )
        .await;
    let card = journey.text("home-list").await;
    for expected in [
        "Azure DevOps Server",
        "Demo Admin",
        "Personal access token",
        "today",
    ] {
        assert!(card.contains(expected), "{expected} in {card}");
    }
    journey.resize(1280, 800).await;
    let shot = journey.screenshot("60-home-1280").await;
    let _ = std::fs::copy(
        &shot,
        crate::support::workspace_root().join("docs/home.png"),
    );

    // Re-verify with the stored token: nothing typed.
    journey
        .js("document.querySelector('#home-list .reverify').click(); return true")
        .await;
    journey.wait_for_result().await;
    journey.click("nav-home").await;
    journey
        .js("document.querySelector('#nav-home button').click(); return true")
        .await;
    journey.wait_step("home").await;
    journey
        .js("document.querySelector('#home-list .open-hooks').click(); return true")
        .await;
    journey.wait_step("hooks").await;
    journey
        .wait_until(
            "the four hooks are listed",
            "return document.querySelectorAll('#hooks-list li[data-subscription-id]').length === 4",
        )
        .await;

    // Forget asks, and by default removes the webhooks first.
    journey
        .js("document.querySelector('#nav-home button').click(); return true")
        .await;
    journey.wait_step("home").await;
    journey
        .js("document.querySelector('#home-list .forget-card').click(); return true")
        .await;
    // The dialog opens once the card's current webhook count is read (an async call).
    journey
        .wait_until(
            "a confirmation: the forget dialog opens",
            "return document.getElementById('forget-dialog').open",
        )
        .await;
    assert!(journey
        .text("forget-hooks")
        .await
        .contains("Remove them first"));
    journey.screenshot("61-forget-dialog").await;
    journey.click("forget-confirm").await;
    journey
        .wait_until("forgotten", "return !!document.body.dataset.forgotten")
        .await;
    assert_eq!(
        subscriptions(&collection_url(&journey), &pat).await.len(),
        0,
        "the webhooks were removed from Azure DevOps"
    );
    let status = journey
        .js("return document.getElementById('home-status').textContent + document.getElementById('verify-status').textContent")
        .await;
    assert!(
        status
            .as_str()
            .unwrap_or_default()
            .contains("4 webhook(s) were removed"),
        "{status}"
    );
    journey.finish().await;
}

#[tokio::test]
async fn renew_a_pat_from_the_reminder() {
    let Some(mut journey) = Journey::start("renew", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let (server, collection) = journey.collection(0);
    journey
        .fill_server_form(&server, &collection, &journey.full_access_pat())
        .await;
    let soon = journey
        .js("const d = new Date(Date.now() + 3 * 86400000); return d.toISOString().slice(0, 10)")
        .await;
    journey
        .type_into("pat-expiry", soon.as_str().unwrap())
        .await;
    journey.click("verify").await;
    journey.wait_for_result().await;

    journey.relaunch().await;
    journey.wait_step("home").await;
    let reminder = journey
        .js("return document.querySelector('#home-list .reminder').textContent")
        .await;
    assert!(
        reminder
            .as_str()
            .unwrap_or_default()
            .contains("expires in 3 days"),
        "{reminder}"
    );
    let new_pat = "renewed-full-access-pat-0123456789abcdef";
    journey
        .emulator
        .world()
        .add_pat(
            serde_json::from_value(json!({
                "token": new_pat, "user": "demo.admin@fabrikam.example", "scopes": ["app_token"], "allHosts": true
            }))
            .unwrap(),
        )
        .unwrap();
    journey
        .js("document.querySelector('#home-list .reminder-renew').click(); return true")
        .await;
    journey.wait_step("connect").await;
    assert_eq!(
        journey.value("server-url").await,
        server,
        "the form is filled"
    );
    assert_eq!(
        journey
            .js("return document.activeElement.id")
            .await
            .as_str(),
        Some("pat"),
        "the token field has focus"
    );
    journey.type_into("pat", new_pat).await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    let profiles = std::fs::read_to_string(journey.config_dir.join("connections.json")).unwrap();
    let profiles: Value = serde_json::from_str(&profiles).unwrap();
    assert_eq!(
        profiles["connections"].as_array().unwrap().len(),
        1,
        "one connection, renewed"
    );
    let key = profiles["connections"][0]["secretKey"].as_str().unwrap();
    let store = ado_flows::SecretStore::probe(ado_flows::Backend::SecretService).unwrap();
    let stored = store.get(key).unwrap().unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&stored), new_pat);
    journey.finish().await;
}

#[tokio::test]
async fn a_720_by_560_window_never_scrolls_sideways() {
    let Some(journey) = Journey::start(
        "narrow",
        Scenario::demo(),
        Launch {
            with_sandbox: true,
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    journey.resize(720, 560).await;
    journey.assert_no_horizontal_scroll("connect").await;
    journey.screenshot("70-connect-720").await;
    // A long URL in an error.
    let long = format!(
        "http://127.0.0.1:9/{}",
        "very-long-virtual-directory-name/".repeat(6)
    );
    journey
        .fill_server_form(&long, "DefaultCollection", "whatever-token-0123456789")
        .await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the error shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    journey.assert_no_horizontal_scroll("connect-error").await;
    journey.screenshot("71-connect-error-720").await;
    journey.click("use-sandbox").await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.assert_no_horizontal_scroll("result").await;
    journey.screenshot("72-result-720").await;
    journey.click("to-checks").await;
    journey.wait_step("checks").await;
    journey.click("run-checks").await;
    journey
        .wait_until(
            "the checks finish",
            "return !!document.body.dataset.checksDone",
        )
        .await;
    journey.assert_no_horizontal_scroll("checks").await;
    journey.screenshot("73-checks-720").await;
    journey.click("checks-to-hooks").await;
    journey.wait_step("hooks").await;
    let url = receiver().await;
    journey
        .wait_until(
            "the step is ready",
            "return !!document.body.dataset.hooksPreselected",
        )
        .await;
    journey.pick("hook-projects", "Fabrikam Fiber").await;
    register(&journey, &url, &mut 0).await;
    journey.assert_no_horizontal_scroll("hooks").await;
    journey.screenshot("74-hooks-720").await;
    journey
        .js("document.querySelector('#nav-home button').click(); return true")
        .await;
    journey.wait_step("home").await;
    journey.assert_no_horizontal_scroll("home").await;
    journey.screenshot("75-home-720").await;
    journey.finish().await;
}

/// A collection of 250 projects: "Fabrikam Fiber" (with fiber-api) and 249 generated ones.
fn large_scenario() -> Scenario {
    Scenario::from_json(
        &json!({
            "name": "large",
            "users": [{ "displayName": "Demo Admin", "email": "admin@fabrikam.example", "collectionAdministrator": true }],
            "servers": [{
                "name": "onprem", "version": "2022", "virtualDirectory": "tfs",
                "collections": [{
                    "name": "DefaultCollection",
                    "projects": [{ "name": "Fabrikam Fiber", "repositories": [{ "name": "fiber-api" }, { "name": "fiber-web" }] }],
                    "generatedProjects": { "count": 249, "namePrefix": "Team", "repositoryPrefix": "team" }
                }]
            }],
            "pats": [{ "token": "large-full-access-pat-0123456789", "user": "admin@fabrikam.example", "scopes": ["app_token"], "allHosts": true }]
        })
        .to_string(),
    )
    .expect("the 250-project scenario")
}

#[tokio::test]
async fn a_250_project_collection_counts_agree_and_preselects_the_paste() {
    let Some(journey) = Journey::start("large", large_scenario(), Launch::default()).await else {
        return;
    };
    journey.paste_fiber_api().await;
    journey
        .type_into("pat", "large-full-access-pat-0123456789")
        .await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    let counts = journey.text("result-counts").await;
    assert_eq!(counts, "250 projects, 251 repositories");
    let rows = journey
        .js("return document.querySelectorAll('#result-projects .vrow').length")
        .await
        .as_u64()
        .unwrap();
    assert!(rows < 60, "only the visible rows are in the page: {rows}");
    // A near miss gets "did you mean".
    journey.type_into("result-filter", "Fabrikam Fibre").await;
    journey
        .wait_until(
            "did you mean",
            "return /Did you mean Fabrikam Fiber/.test(document.getElementById('result-filter-count').textContent)",
        )
        .await;
    journey.screenshot("80-large-did-you-mean").await;

    journey.click("to-checks").await;
    journey.wait_step("checks").await;
    assert_eq!(journey.value("check-project").await, "Fabrikam Fiber");
    journey.click("checks-to-hooks").await;
    journey.wait_step("hooks").await;
    journey
        .wait_until(
            "the pasted project is preselected",
            "return [...document.querySelectorAll('#hook-projects-chips > li')].map((c) => c.dataset.value).join() === 'Fabrikam Fiber'",
        )
        .await;
    // The pasted repository is the default scope; the project picker counts the same 250.
    journey.click("hook-scope-projects").await;
    journey
        .js("const i = document.getElementById('hook-projects'); i.value = ''; i.dispatchEvent(new Event('input')); return true")
        .await;
    journey
        .wait_until(
            "the picker counts every project",
            "return document.getElementById('hook-projects-hint').textContent === '250 projects.'",
        )
        .await;
    journey.type_into("hook-projects", "team 24").await;
    journey
        .wait_until(
            "the picker filters",
            "return document.getElementById('hook-projects-hint').textContent.startsWith('10 projects match')",
        )
        .await;
    journey.screenshot("81-large-picker").await;
    // The keyboard ticks too: ArrowDown, Enter adds the first match to the chosen set.
    journey
        .js("const i = document.getElementById('hook-projects'); \
             for (const key of ['ArrowDown', 'Enter']) i.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true })); \
             return true")
        .await;
    assert_eq!(
        journey
            .js("return [...document.querySelectorAll('#hook-projects-chips > li')].map((c) => c.dataset.value).join()")
            .await
            .as_str(),
        Some("Fabrikam Fiber,Team 240")
    );
    assert_eq!(
        journey.text("hook-projects-count").await,
        "2 projects chosen."
    );
    journey.finish().await;
}

#[tokio::test]
async fn a_2000_project_organization_shows_a_searchable_list_not_a_wall() {
    let scenario = Scenario::from_json(
        &json!({
            "name": "huge",
            "users": [{ "displayName": "Demo Admin", "email": "admin@fabrikam.example" }],
            "servers": [{
                "name": "onprem", "version": "2022", "virtualDirectory": "tfs",
                "collections": [{ "name": "DefaultCollection",
                    "generatedProjects": { "count": 2000, "namePrefix": "Team", "repositoryPrefix": "team" } }]
            }],
            "pats": [{ "token": "huge-full-access-pat-0123456789", "user": "admin@fabrikam.example", "scopes": ["app_token"], "allHosts": true }]
        })
        .to_string(),
    )
    .expect("the 2,000-project scenario");
    let Some(journey) = Journey::start("huge", scenario, Launch::default()).await else {
        return;
    };
    let (server, collection) = journey.collection(0);
    journey
        .fill_server_form(&server, &collection, "huge-full-access-pat-0123456789")
        .await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey
        .wait_until(
            "the first rows paint",
            "return document.querySelectorAll('#result-projects .vrow').length > 0",
        )
        .await;
    assert_eq!(
        journey.text("result-counts").await,
        "2,000 projects, 2,000 repositories"
    );
    // Each keystroke searches on the Rust side: the page holds only the rows in view. (How fast,
    // and how little memory, is measured by `make bench`'s large_org, not asserted here.)
    journey.type_into("result-filter", "team 1999").await;
    journey
        .wait_until(
            "the filter narrows the list to one project",
            "return [...document.querySelectorAll('#result-projects .vrow')].some(r => r.textContent.includes('Team 1999'))",
        )
        .await;
    let rows = journey
        .js("return document.querySelectorAll('#result-projects .vrow').length")
        .await;
    assert!(rows.as_u64().unwrap() < 60, "{rows} rows in the DOM");
    journey.finish().await;
}

#[tokio::test]
async fn the_server_form_splits_a_collection_and_offers_http() {
    let Some(journey) = Journey::start("forms", Scenario::demo(), Launch::default()).await else {
        return;
    };
    let (server, collection) = journey.collection(0);
    // A collection typed at the end of the server URL is offered to be split off.
    journey.click("deployment-server").await;
    journey
        .type_into("server-url", &format!("{server}/{collection}"))
        .await;
    journey
        .wait_until(
            "the split is offered",
            "return !document.getElementById('split-offer').hidden",
        )
        .await;
    journey.click("split-apply").await;
    assert_eq!(journey.value("server-url").await, server);
    assert_eq!(journey.value("collection").await, collection);

    // https against the plain-http port: the form says http answers, and offers it.
    let https = server.replacen("http://", "https://", 1);
    journey.type_into("server-url", &https).await;
    journey.type_into("pat", &journey.full_access_pat()).await;
    journey.click("verify").await;
    journey
        .wait_until(
            "http is offered",
            "return !document.getElementById('http-offer').hidden",
        )
        .await;
    journey.screenshot("90-http-offer").await;
    assert!(journey.error_under("server-url").await);
    journey.click("http-offer-apply").await;
    assert_eq!(journey.value("server-url").await, server);
    assert!(
        !journey.error_under("server-url").await && !journey.visible("alert").await,
        "the error clears when its field changes"
    );
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.finish().await;
}

#[tokio::test]
async fn forget_can_keep_the_webhooks_and_stop_tracking_them() {
    let Some((journey, pat)) = sandbox_with_webhooks("forget-keep").await else {
        return;
    };
    journey.click("hooks-back").await;
    journey.click("forget").await;
    journey.click("forget-keep").await;
    journey.click("forget-confirm").await;
    journey
        .wait_until("forgotten", "return !!document.body.dataset.forgotten")
        .await;
    assert_eq!(
        subscriptions(&collection_url(&journey), &pat).await.len(),
        4,
        "kept in Azure DevOps"
    );
    let profiles = std::fs::read_to_string(journey.config_dir.join("connections.json")).unwrap();
    let profiles: Value = serde_json::from_str(&profiles).unwrap();
    assert_eq!(
        profiles["connections"].as_array().map(Vec::len),
        Some(0),
        "no longer tracked"
    );
    let status = journey.text("verify-status").await;
    assert!(
        status.contains("4 webhook(s) stay in Azure DevOps"),
        "{status}"
    );
    journey.finish().await;
}
