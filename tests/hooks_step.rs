//! Issue 21's journeys: the webhooks step leads with what exists and proves what it did.
//! Paste → registered webhooks (Server, PAT, the pasted repository as scope) in at most five
//! clicks, each plan row turned into its result; the home's Webhooks on a connection with hooks
//! (they are shown, their scope and receiver preselected, Apply changes nothing); a missing
//! service-hooks permission stopping the step before anything is created; a stale "Understood"
//! confirmation cleared; focus visible everywhere and nothing cut. Screenshots at 1040×760 and
//! 720×560 are kept under `target/screens/`.

use ado_emulator::scenario::DEMO_DEVELOPER_PAT;
use ado_emulator::{HostPath, Scenario};
use serde_json::Value;

use crate::support::{ok_receiver as receiver, Journey, Launch};

/// The ids of the subscriptions the emulator holds in the demo collection, sorted.
fn server_ids(journey: &Journey) -> Vec<String> {
    let mut ids: Vec<String> = journey
        .emulator
        .world()
        .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
        .unwrap()
        .into_iter()
        .map(|s| s.id.to_string())
        .collect();
    ids.sort();
    ids
}

/// Fails unless `id` (the step's primary action) is in the window without scrolling.
async fn assert_primary_in_view(journey: &Journey, id: &str, size: &str) {
    let at = journey
        .js(&format!(
            "window.scrollTo(0, 0); const r = document.getElementById('{id}').getBoundingClientRect(); \
             return [r.top, r.bottom, window.innerHeight, r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth]"
        ))
        .await;
    assert_eq!(
        at[3],
        Value::Bool(true),
        "#{id} is visible without scrolling at {size}: {at}"
    );
}

/// Screenshots of the step at 1040×760 and 720×560, each checked for its primary action.
async fn both_sizes(journey: &Journey, name: &str, primary: &str) {
    for (w, h) in [(1040, 760), (720, 560)] {
        journey.resize(w, h).await;
        journey.assert_no_horizontal_scroll(name).await;
        assert_primary_in_view(journey, primary, &format!("{w}×{h}")).await;
        journey.screen(&format!("21-{name}-{w}x{h}")).await;
    }
    journey.resize(1040, 760).await;
}

async fn wait_gate(journey: &Journey, status: &str) {
    journey
        .wait_until(
            &format!("the service-hooks permission check says {status}"),
            &format!("const r = document.getElementById('hooks-gate-row'); return !!r && r.dataset.status === '{status}'"),
        )
        .await;
}

/// Paste → verify → webhooks step, counting clicks; the step opened on the pasted repository.
async fn paste_and_open_webhooks(journey: &Journey, pat: &str, clicks: &mut u32) {
    journey.wait_step("connect").await;
    journey.paste_fiber_api().await;
    journey.type_into("pat", pat).await;
    journey.click_counted("verify", clicks).await;
    journey.wait_for_result().await;
    journey.click_counted("to-hooks", clicks).await;
    journey.wait_step("hooks").await;
    journey
        .wait_until(
            "the pasted repository is preselected",
            "return document.getElementById('hook-scope-repositories').checked && \
             [...document.querySelectorAll('#hook-repositories-chips > li')].map((c) => c.dataset.value).join() === 'Fabrikam Fiber/fiber-api'",
        )
        .await;
}

/// Previews and applies, counting clicks; returns the plan rows' (action, result, id).
async fn preview_and_apply(journey: &Journey, clicks: &mut u32) -> Vec<Value> {
    journey
        .js("delete document.body.dataset.hooksPlanned; delete document.body.dataset.hooksApplied; return true")
        .await;
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
            "the plan rows became results",
            "return !!document.body.dataset.hooksApplied",
        )
        .await;
    let rows = journey
        .js("return [...document.querySelectorAll('#hooks-plan-list li[data-action]')].map((li) => \
             [li.dataset.action, li.dataset.result || '', li.dataset.subscriptionId || '', li.querySelector('.mark').textContent, !!li.querySelector('.page-link')])")
        .await;
    rows.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn first_run_registers_the_pasted_repositorys_webhooks_in_five_clicks_and_shows_results() {
    let Some(journey) =
        Journey::start("hooks-first-run", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let url = receiver().await;
    let mut clicks = 0;
    paste_and_open_webhooks(&journey, &journey.full_access_pat(), &mut clicks).await;
    wait_gate(&journey, "pass").await;
    assert!(journey.text("hooks-lead").await.starts_with("None yet"));
    journey.type_into("hook-url", &url).await;
    both_sizes(&journey, "hooks-first-run", "hooks-plan").await;

    let rows = preview_and_apply(&journey, &mut clicks).await;
    eprintln!("paste → registered webhooks: {clicks} clicks");
    assert!(
        clicks <= 5,
        "{clicks} clicks from paste to registered webhooks"
    );
    let ids = server_ids(&journey);
    assert_eq!(rows.len(), ids.len(), "a row per subscription: {rows:?}");
    assert!(!rows.is_empty());
    for row in &rows {
        assert_eq!(row[0], "create", "{row}");
        assert_eq!(row[1], "created", "each row is its result now: {row}");
        assert_eq!(row[3], "Created", "{row}");
        assert_eq!(row[4], Value::Bool(true), "a link to it: {row}");
        let id = row[2].as_str().unwrap_or_default().to_lowercase();
        assert!(ids.contains(&id), "{id} exists in Azure DevOps: {ids:?}");
    }
    let status = journey.text("hooks-status").await;
    assert!(status.starts_with("Done:"), "{status}");
    both_sizes(&journey, "hooks-results", "hooks-plan").await;
    for (w, h) in [(1040, 760), (720, 560)] {
        journey.resize(w, h).await;
        journey
            .js("document.getElementById('hooks-plan-list').scrollIntoView({block: 'center'}); return true")
            .await;
        journey
            .screen(&format!("21-hooks-result-rows-{w}x{h}"))
            .await;
    }
    journey.resize(1040, 760).await;

    // The link opens the project's Service hooks page (the test's browser is switched off).
    journey
        .js("document.querySelector('#hooks-plan-list .page-link').click(); return true")
        .await;
    journey
        .wait_until(
            "the page opened",
            "return !!document.querySelector('#hooks-plan-list .page-link[data-opened]')",
        )
        .await;
    let opened = journey
        .js("return document.querySelector('#hooks-plan-list .page-link').dataset.opened")
        .await;
    assert!(
        opened
            .as_str()
            .unwrap_or_default()
            .ends_with("/tfs/DefaultCollection/Fabrikam%20Fiber/_settings/serviceHooks"),
        "{opened}"
    );
    // And what exists now leads the step.
    let lead = journey.text("hooks-lead").await;
    assert!(
        lead.starts_with(&format!("{} webhooks", ids.len())),
        "{lead}"
    );
    journey.finish().await;
}

#[tokio::test]
async fn the_homes_webhooks_show_what_exists_preselect_it_and_apply_changes_nothing() {
    let Some(mut journey) =
        Journey::start("hooks-from-home", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let url = receiver().await;
    paste_and_open_webhooks(&journey, &journey.full_access_pat(), &mut 0).await;
    journey.type_into("hook-url", &url).await;
    preview_and_apply(&journey, &mut 0).await;
    let before = server_ids(&journey);
    assert_eq!(before.len(), 4);

    // A returning user: the home, then Webhooks on the card. Nothing pasted in this session.
    journey.relaunch().await;
    journey.wait_step("home").await;
    journey
        .js("document.querySelector('#home-list .open-hooks').click(); return true")
        .await;
    journey.wait_step("hooks").await;
    journey
        .wait_until(
            "what exists is listed and preselected",
            "return document.querySelectorAll('#hooks-list .hook-group li[data-subscription-id]').length === 4 \
               && !!document.body.dataset.hooksPreselected",
        )
        .await;
    let groups = journey
        .js("return [...document.querySelectorAll('#hooks-list .hook-group')].map((g) => [g.dataset.scope, g.querySelectorAll('li[data-status=enabled]').length, g.textContent])")
        .await;
    assert_eq!(
        groups.as_array().map(Vec::len),
        Some(1),
        "one scope: {groups}"
    );
    assert_eq!(groups[0][0], "Fabrikam Fiber / fiber-api", "{groups}");
    assert_eq!(groups[0][1], 4, "each with its status: {groups}");
    let text = groups[0][2].as_str().unwrap_or_default();
    assert!(
        text.contains(&url) && text.contains("nothing delivered yet"),
        "{text}"
    );
    // The lead sits above the form: what exists comes first.
    let order = journey
        .js("return document.getElementById('hooks-list').compareDocumentPosition(document.getElementById('hooks-form')) & Node.DOCUMENT_POSITION_FOLLOWING")
        .await;
    assert_ne!(order, Value::from(0), "the list leads the step");
    assert!(journey
        .js("return document.getElementById('hook-scope-repositories').checked")
        .await
        .as_bool()
        .unwrap());
    assert_eq!(
        journey
            .js("return [...document.querySelectorAll('#hook-repositories-chips > li')].map((c) => c.dataset.value).join()")
            .await,
        "Fabrikam Fiber/fiber-api",
        "their scope is preselected, not the first project in the list"
    );
    assert_eq!(journey.value("hook-url").await, url, "their receiver too");
    wait_gate(&journey, "pass").await;
    both_sizes(&journey, "hooks-from-home", "hooks-plan").await;

    let rows = preview_and_apply(&journey, &mut 0).await;
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert_eq!(row[0], "unchanged", "{row}");
        assert_eq!(row[1], "unchanged", "{row}");
        assert_eq!(row[3], "Already right", "{row}");
        assert!(before.contains(&row[2].as_str().unwrap_or_default().to_lowercase()));
    }
    assert_eq!(server_ids(&journey), before, "Apply changed nothing");
    journey.screen("21-hooks-from-home-applied-1040x760").await;
    journey.finish().await;
}

#[tokio::test]
async fn a_missing_service_hooks_permission_stops_the_step_before_anything_is_created() {
    let Some(journey) =
        Journey::start("hooks-no-permission", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    // Dana Developer: a valid PAT, a project member who may not edit service hooks.
    paste_and_open_webhooks(&journey, DEMO_DEVELOPER_PAT, &mut 0).await;
    wait_gate(&journey, "fail").await;
    let gate = journey
        .js("const r = document.getElementById('hooks-gate-row'); return [r.dataset.code, r.textContent]")
        .await;
    assert_eq!(gate[0], "invalid_permissions", "{gate}");
    let text = gate[1].as_str().unwrap_or_default();
    assert!(
        text.contains(
            "Dana Developer may not edit service-hook subscriptions in project Fabrikam Fiber"
        ) && text.contains("Project Administrators"),
        "the refusal and its fix: {text}"
    );
    assert!(
        journey
            .js("return document.getElementById('hooks-plan').disabled && document.getElementById('hooks-apply').disabled")
            .await
            .as_bool()
            .unwrap(),
        "nothing can be planned or applied"
    );
    assert!(
        !journey.visible("hooks-alert").await,
        "the refusal shows in one place"
    );
    both_sizes(&journey, "hooks-no-permission", "hooks-plan").await;
    assert!(server_ids(&journey).is_empty(), "nothing was created");

    // The Checks step has Webhooks on by default and says the same.
    journey
        .js("document.querySelector('#nav-checks button').click(); return true")
        .await;
    journey.wait_step("checks").await;
    assert!(journey
        .js("return document.querySelector('input[name=capability][value=webhooks]').checked")
        .await
        .as_bool()
        .unwrap());
    journey.click("run-checks").await;
    journey
        .wait_until(
            "the checks ran",
            "return !!document.body.dataset.checksDone",
        )
        .await;
    let row = journey
        .js("const li = [...document.querySelectorAll('#checklist > li')].find((l) => l.textContent.includes('Manage service hooks')); return li ? [li.className, li.dataset.code] : null")
        .await;
    assert_eq!(row[0], "fail", "{row}");
    assert_eq!(row[1], "invalid_permissions", "{row}");
    journey.finish().await;
}

#[tokio::test]
async fn the_understood_confirmation_follows_the_fields() {
    let Some(journey) =
        Journey::start("stale-confirmation", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    journey.wait_step("connect").await;
    journey.paste_fiber_api().await;
    journey
        .wait_until(
            "the paste is understood",
            "return document.getElementById('paste-result').classList.contains('understood')",
        )
        .await;
    let understood = journey.text("paste-result").await;
    assert!(
        understood.starts_with("Understood:") && understood.contains("DefaultCollection"),
        "{understood}"
    );
    journey.type_into("collection", "Big").await;
    let now = journey
        .js("const p = document.getElementById('paste-result'); return [p.className, p.textContent, p.dataset.stale || '']")
        .await;
    assert_eq!(now[0], "hint", "no longer a confirmation: {now}");
    assert!(
        !now[1].as_str().unwrap_or_default().contains("Understood"),
        "{now}"
    );
    assert_eq!(now[2], "true", "{now}");
    journey.screen("21-stale-confirmation-1040x760").await;
    journey.finish().await;
}

#[tokio::test]
async fn every_focusable_element_shows_focus_and_nothing_is_cut() {
    let profile = crate::support::workspace_root().join("profiles/kong-konnect.toml");
    let Some(journey) = Journey::start(
        "focus-and-fit",
        Scenario::demo(),
        Launch {
            with_sandbox: true,
            profile: Some(profile),
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    journey.wait_step("connect").await;
    journey.resize(1040, 760).await;
    journey
        .js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); return true")
        .await;
    // Tab through the first screen: every stop is a visible element with a visible focus ring,
    // and the hidden file input behind "Open a product profile…" is never one of them.
    let mut stops = Vec::new();
    for _ in 0..12 {
        journey
            .client
            .active_element()
            .await
            .expect("an active element")
            .send_keys("\u{E004}")
            .await
            .expect("Tab");
        let stop = journey
            .js("const e = document.activeElement; const r = e.getBoundingClientRect(); const s = getComputedStyle(e); \
                 return [e.id || e.className || e.tagName, r.width > 2 && r.height > 2, s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0]")
            .await;
        assert_ne!(
            stop[0], "profile-file",
            "the hidden file input takes no focus"
        );
        assert_eq!(
            stop[1],
            Value::Bool(true),
            "the focused element shows: {stop}"
        );
        assert_eq!(stop[2], Value::Bool(true), "its focus shows: {stop}");
        stops.push(stop[0].clone());
    }
    assert!(stops.contains(&Value::from("profile-pick")), "{stops:?}");

    // Kong Konnect on Services (the sandbox organization): the organization URL's prefix is
    // shown whole at 1040 px and at 720 px.
    journey.click("use-sandbox-org").await;
    for (w, h) in [(1040, 760), (720, 560)] {
        journey.resize(w, h).await;
        let prefix = journey
            .js("const p = document.getElementById('services-prefix'); return [p.textContent, p.scrollWidth <= p.clientWidth + 1, getComputedStyle(p).textOverflow]")
            .await;
        assert_eq!(
            prefix[1],
            Value::Bool(true),
            "the prefix is not cut at {w}×{h}: {prefix}"
        );
        journey.assert_no_horizontal_scroll("kong-connect").await;
        assert_primary_in_view(&journey, "verify", &format!("{w}×{h}")).await;
        journey.screen(&format!("21-kong-connect-{w}x{h}")).await;
    }
    // What Kong Konnect needs: no table heading or first column breaks inside a word.
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.resize(1040, 760).await;
    assert_primary_in_view(&journey, "to-hooks", "1040×760").await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    for (w, h) in [(1040, 760), (720, 560)] {
        journey.resize(w, h).await;
        let cut = journey
            .js("return [...document.querySelectorAll('#step-product .scopes th, #step-product .scopes td:first-child')] \
                 .filter((c) => c.offsetParent !== null && (c.scrollWidth > c.clientWidth + 1 || /[a-z]\\n[a-z]/i.test(c.innerText))) \
                 .map((c) => c.textContent)")
            .await;
        assert_eq!(
            cut,
            Value::Array(Vec::new()),
            "cut or broken cells at {w}×{h}: {cut}"
        );
        journey.assert_no_horizontal_scroll("kong-product").await;
        assert_primary_in_view(&journey, "product-run-checks", &format!("{w}×{h}")).await;
        journey.screen(&format!("21-kong-product-{w}x{h}")).await;
    }
    journey.finish().await;
}
