//! Rate limits and ambiguous failures: 429s waited out, slow-down headers on successes
//! honoured, server errors on create retried after a lookup without duplicates.

use ado_emulator::hooks::HooksThrottle;
use ado_emulator::Faults;
use ado_flows::hooks::{self, ApplyOptions};

use crate::support::*;

#[tokio::test]
async fn rate_limits_are_waited_out_and_apply_completes() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    // Three 429s with Retry-After.
    f.emu.throttle_hooks(HooksThrottle::reject(3, 1));
    let before = f.client.stats();
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.created.len(), 5);
    assert_eq!(f.server_subscriptions().len(), 5);
    let after = f.client.stats();
    assert!(after.rate_limited > before.rate_limited, "{after:?}");
    assert!(
        after.waited_ms >= 1000,
        "Retry-After was honoured: {after:?}"
    );
}

#[tokio::test]
async fn slow_down_headers_on_successful_answers_are_honoured() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    // 200s that carry Retry-After and X-RateLimit-* (docs: honour them even on success).
    f.emu.throttle_hooks(HooksThrottle::warn(3, 1));
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(f.server_subscriptions().len(), 5);
    let stats = f.client.stats();
    assert!(stats.waited_ms >= 900, "the client slowed down: {stats:?}");
}

#[tokio::test]
async fn server_errors_on_create_are_retried_after_a_lookup_without_duplicates() {
    let f = fixture().await;
    let plan = f.plan(&ALL).await;
    // Every third request fails with 503 (before the server does anything); one change at a
    // time, so that each failed create is followed by its lookup and a retry that passes.
    f.emu.set_faults(Faults {
        fail_every: 3,
        fail_status: 503,
        ..Faults::none()
    });
    let report = hooks::apply_plan_with(
        &f.client,
        &f.records,
        &plan,
        &ApplyOptions {
            concurrency: 1,
            ..ApplyOptions::default()
        },
        &|_| {},
    )
    .await
    .unwrap();
    f.emu.set_faults(Faults::none());
    assert!(report.ok, "{report:#?}");
    assert_eq!(f.server_subscriptions().len(), 5, "no duplicates");
}
