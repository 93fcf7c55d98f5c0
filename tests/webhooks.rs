//! Webhooks in the real window: preview and apply a plan, the secret shown once, a test event
//! that the receiver gets with the secret header, a second run that creates nothing, and removal.

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
        .js("return document.querySelectorAll('#hooks-list > li').length")
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
    journey
        .wait_until(
            "a project is preselected",
            "return document.getElementById('hook-project').value !== ''",
        )
        .await;
    journey.pick("hook-project", "Fabrikam Fiber").await;
    journey.pick("hook-repository", "fiber-api").await;
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
            "return document.querySelectorAll('#hooks-list > li').length === 4",
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
        .js("document.querySelector('#hooks-list > li .test-hook').click(); return true")
        .await;
    journey
        .wait_until(
            "the test event is delivered",
            "return document.querySelector('#hooks-list > li[data-tested=delivered]') !== null",
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
            "return document.querySelectorAll('#hooks-list > li').length === 0",
        )
        .await;
    assert!(status.starts_with("Removed 4"), "{status}");
    journey.finish().await;
}
