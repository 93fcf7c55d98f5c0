//! Webhooks in the real window: preview and apply a plan, the secret shown once, a test event
//! that the receiver gets with the secret header, a second run that creates nothing, and removal;
//! two projects ticked in the multi-select picker, one plan and one apply for both.

use std::sync::{Arc, Mutex};

use ado_emulator::Scenario;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::{Journey, Launch};

/// A loopback receiver that keeps every request's head (request line and headers).
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks/azure-devops",
        listener.local_addr().unwrap()
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 256 * 1024];
                let mut n = 0;
                // Read until the end of the headers (the body is not needed here).
                while n < buf.len() {
                    match socket.read(&mut buf[n..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(m) => n += m,
                    }
                    if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                keep.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).to_string());
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nreceived").await;
            });
        }
    });
    (url, seen)
}

async fn verify_sandbox_server(journey: &Journey) {
    journey.click("use-sandbox").await;
    journey.click("verify").await;
    journey.wait_for_result().await;
}

async fn plan(journey: &Journey) {
    let before = journey
        .js("return document.body.dataset.hooksPlanned || ''")
        .await;
    journey.click("hooks-plan").await;
    journey
        .wait_until(
            "the plan (or an error) shows",
            &format!("return (document.body.dataset.hooksPlanned || '') !== {before} || !document.getElementById('hooks-alert').hidden"),
        )
        .await;
    if journey.visible("hooks-alert").await {
        panic!(
            "planning failed: {} {}",
            journey.text("hooks-alert-message").await,
            journey.text("hooks-alert-fix").await
        );
    }
}

async fn apply(journey: &Journey) {
    let before = journey
        .js("return document.body.dataset.hooksApplied || ''")
        .await;
    journey.click("hooks-apply").await;
    journey
        .wait_until(
            "the apply finishes",
            &format!("return (document.body.dataset.hooksApplied || '') !== {before}"),
        )
        .await;
}

async fn listed(journey: &Journey) -> u64 {
    journey
        .js("return document.querySelectorAll('#hooks-list li[data-subscription-id]').length")
        .await
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn register_test_rerun_and_remove() {
    let Some(journey) = Journey::start(
        "webhooks",
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
    let (url, seen) = receiver().await;
    verify_sandbox_server(&journey).await;
    journey.click("to-hooks").await;
    // Nothing pasted and nothing registered yet: no project is guessed (issue 21).
    journey
        .wait_until(
            "the step asks where",
            "return !!document.body.dataset.hooksPreselected && document.getElementById('hook-scope-from').textContent === 'Choose where the webhooks go.'",
        )
        .await;
    assert_eq!(chips(&journey, "hook-projects").await, "");
    journey.click("hook-scope-repositories").await;
    journey
        .pick("hook-repositories", "Fabrikam Fiber/fiber-api")
        .await;
    journey.type_into("hook-url", &url).await;

    plan(&journey).await;
    journey.screenshot("40-hooks-plan").await;
    let creates = journey
        .js("return document.querySelectorAll('#hooks-plan-list > li[data-action=create]').length")
        .await;
    assert_eq!(
        creates, 4,
        "four default events, four subscriptions to create"
    );

    apply(&journey).await;
    journey
        .wait_until(
            "the hooks are listed",
            "return document.querySelectorAll('#hooks-list li[data-subscription-id]').length === 4",
        )
        .await;
    assert!(
        journey.visible("hooks-secret").await,
        "a new secret is shown once"
    );
    let secret = journey.value("hooks-secret-value").await;
    assert!(
        secret.len() >= 32,
        "a strong secret: {} chars",
        secret.len()
    );
    journey.screenshot("41-hooks-applied").await;

    // A test event reaches the receiver with the secret header.
    journey
        .js("document.querySelector('#hooks-list li[data-subscription-id] .test-hook').click(); return true")
        .await;
    journey
        .wait_until(
            "the test event is delivered",
            "return document.querySelector('#hooks-list li[data-subscription-id][data-tested=delivered]') !== null",
        )
        .await;
    journey.screenshot("42-hooks-test-delivered").await;
    let heads = seen.lock().unwrap().clone();
    let with_secret = heads
        .iter()
        .filter(|h| {
            h.to_ascii_lowercase().contains(&format!(
                "x-ado-connect-secret: {}",
                secret.to_ascii_lowercase()
            ))
        })
        .count();
    assert!(
        with_secret >= 1,
        "the receiver got the secret header: {heads:?}"
    );

    // Running again changes nothing and creates no duplicate.
    plan(&journey).await;
    let status = journey.text("hooks-status").await;
    assert!(status.starts_with("Nothing to change"), "{status}");
    apply(&journey).await;
    assert_eq!(listed(&journey).await, 4, "still four: no duplicates");
    assert!(
        !journey.visible("hooks-secret").await
            || journey.value("hooks-secret-value").await == secret,
        "the secret is not shown again as new"
    );

    // Remove deletes exactly ours.
    let before = journey
        .js("return document.body.dataset.hooksRemoved || ''")
        .await;
    journey.click("hooks-remove").await;
    journey
        .wait_until(
            "the hooks are removed",
            &format!("return (document.body.dataset.hooksRemoved || '') !== {before}"),
        )
        .await;
    journey.screenshot("43-hooks-removed").await;
    let status = journey.text("hooks-status").await;
    journey
        .wait_until(
            "the list empties",
            "return document.querySelectorAll('#hooks-list li[data-subscription-id]').length === 0",
        )
        .await;
    assert!(status.starts_with("Removed 4"), "{status}");
    journey.finish().await;
}

/// The chosen values of a multi-select picker, in order, comma-joined.
async fn chips(journey: &Journey, id: &str) -> String {
    journey
        .js(&format!("return [...document.querySelectorAll('#{id}-chips > li')].map((c) => c.dataset.value).join()"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The subscriptions the sandbox holds for its first collection.
async fn subscriptions(journey: &Journey) -> Vec<serde_json::Value> {
    let (server, collection) = journey.collection(0);
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{server}/{collection}/_apis/hooks/subscriptions?api-version=6.0"
        ))
        .basic_auth("", Some(journey.full_access_pat()))
        .send()
        .await
        .expect("list subscriptions")
        .json()
        .await
        .expect("subscriptions JSON");
    body["value"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn two_projects_ticked_share_one_plan_and_one_apply() {
    let Some(journey) = Journey::start(
        "webhooks-two-projects",
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
    let (url, _seen) = receiver().await;
    journey.resize(1280, 800).await;
    verify_sandbox_server(&journey).await;
    journey.click("to-hooks").await;
    journey
        .wait_until(
            "the step is ready",
            "return !!document.body.dataset.hooksPreselected",
        )
        .await;
    assert_eq!(
        chips(&journey, "hook-projects").await,
        "",
        "no project is guessed (issue 21)"
    );
    journey.pick("hook-projects", "Fabrikam Fiber").await;
    let first = chips(&journey, "hook-projects").await;
    // Tick a second project in the type-to-filter list; the list stays open for more.
    journey.pick("hook-projects", "Parts Unlimited").await;
    assert_eq!(
        chips(&journey, "hook-projects").await,
        format!("{first},Parts Unlimited")
    );
    assert_eq!(
        journey.text("hook-projects-count").await,
        "2 projects chosen."
    );
    journey
        .wait_until(
            "the ticked row shows ticked",
            "return document.querySelector('#hook-projects-list [data-value=\"Parts Unlimited\"]').getAttribute('aria-selected') === 'true'",
        )
        .await;
    journey
        .screenshot("44-hooks-two-projects-picker-1280")
        .await;
    // A chip's × removes it, and ticking again brings it back.
    journey
        .js("document.querySelector('#hook-projects-chips > li[data-value=\"Parts Unlimited\"] button').click(); return true")
        .await;
    assert_eq!(chips(&journey, "hook-projects").await, first);
    journey.pick("hook-projects", "Parts Unlimited").await;
    journey.type_into("hook-url", &url).await;

    plan(&journey).await;
    let creates = journey
        .js("return document.querySelectorAll('#hooks-plan-list > li[data-action=create]').length")
        .await;
    assert_eq!(
        creates, 8,
        "four events in each of two projects, in one plan"
    );
    let planned = journey.text("hooks-plan-list").await;
    assert!(
        planned.contains(&first) && planned.contains("Parts Unlimited"),
        "each planned row names its project: {planned}"
    );
    journey.screenshot("45-hooks-two-projects-plan-1280").await;
    apply(&journey).await;
    journey
        .wait_until(
            "both projects' hooks are listed",
            "return document.querySelectorAll('#hooks-list li[data-subscription-id]').length === 8",
        )
        .await;
    let listed_text = journey.text("hooks-list").await;
    assert!(
        listed_text.contains(&format!("{first} / all repositories"))
            && listed_text.contains("Parts Unlimited / all repositories"),
        "{listed_text}"
    );
    let subs = subscriptions(&journey).await;
    let mut projects: Vec<&str> = subs
        .iter()
        .filter(|s| s["consumerInputs"]["url"] == url.as_str())
        .filter_map(|s| s["publisherInputs"]["projectId"].as_str())
        .collect();
    assert_eq!(
        projects.len(),
        8,
        "eight subscriptions in Azure DevOps: {subs:?}"
    );
    projects.sort_unstable();
    projects.dedup();
    assert_eq!(projects.len(), 2, "in two projects");
    journey
        .screenshot("46-hooks-two-projects-applied-1280")
        .await;

    // "All projects" plans the third project and leaves the first two alone (not stale).
    journey.click("hook-scope-all").await;
    plan(&journey).await;
    let counts = journey
        .js("const n = (a) => document.querySelectorAll(`#hooks-plan-list > li[data-action=${a}]`).length; \
             return [n('create'), n('unchanged')].join()")
        .await;
    assert_eq!(
        counts.as_str(),
        Some("4,8"),
        "one more project to create, two already right"
    );

    // 720×560: nothing scrolls sideways, with the list open.
    journey.click("hook-scope-projects").await;
    journey.resize(720, 560).await;
    journey.click("hook-projects").await;
    journey
        .wait_until(
            "the list is open",
            "return !document.getElementById('hook-projects-list').hidden && document.querySelectorAll('#hook-projects-list .option').length > 1",
        )
        .await;
    journey.assert_no_horizontal_scroll("hooks").await;
    journey.screenshot("47-hooks-two-projects-picker-720").await;
    journey.finish().await;
}
