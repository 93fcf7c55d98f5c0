//! Injected faults.

use std::time::{Duration, Instant};

use ado_emulator::{Config, Faults};

use crate::support::*;

#[tokio::test]
async fn every_nth_request_is_rate_limited_with_retry_after() {
    let emu = start(Config {
        faults: Faults {
            rate_limit_every: 3,
            retry_after_secs: 4,
            ..Faults::none()
        },
        ..Config::default()
    })
    .await;
    let statuses = [
        get(&emu, "/fabrikam/_apis/projects").await,
        get(&emu, "/fabrikam/_apis/projects").await,
        get(&emu, "/fabrikam/_apis/projects").await,
    ];
    assert_eq!(statuses[0].status, 200);
    assert_eq!(statuses[1].status, 200);
    let limited = &statuses[2];
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("4"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    for header in [
        "x-ratelimit-resource",
        "x-ratelimit-limit",
        "x-ratelimit-reset",
    ] {
        assert!(limited.header(header).is_some(), "{header}");
    }
    assert!(
        limited
            .message()
            .starts_with("TF400733: The request has been canceled"),
        "{}",
        limited.message()
    );
    assert_eq!(limited.type_key(), "RequestBlockedException");
}

#[tokio::test]
async fn server_failures_can_be_injected_and_changed_at_run_time() {
    let emu = demo().await;
    emu.set_faults(Faults {
        fail_every: 2,
        fail_status: 500,
        ..Faults::none()
    });
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    let failed = get(&emu, "/fabrikam/_apis/projects").await;
    assert_eq!(failed.status, 500);
    assert!(
        failed.message().starts_with("TF400898"),
        "{}",
        failed.message()
    );
    emu.set_faults(Faults {
        fail_every: 1,
        ..Faults::none()
    });
    assert_eq!(
        get(&emu, "/fabrikam/_apis/projects").await.status,
        503,
        "503 is the default"
    );
    emu.set_faults(Faults::none());
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
}

#[tokio::test]
async fn latency_delays_answers() {
    let emu = start(Config {
        faults: Faults {
            latency_ms: 150,
            ..Faults::none()
        },
        ..Config::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}
