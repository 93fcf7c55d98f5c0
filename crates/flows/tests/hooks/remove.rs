//! Removing: exactly our subscriptions go and someone else's survive; forgetting a connection
//! removes its webhooks or keeps them untracked.

use ado_core::webhook::EventKind;
use ado_emulator::Faults;
use ado_flows::hooks;

use crate::support::*;

#[tokio::test]
async fn remove_deletes_exactly_ours_and_someone_elses_survives() {
    let f = fixture().await;
    let theirs_same_receiver_other_scope = {
        // Same receiver and event, but the whole project (ours is narrowed to fiber-api):
        // not a match, so not adopted, so not removed.
        f.create_directly(
            EventKind::CodePushed,
            &f.receiver.url,
            "their-own-token-0000",
        )
        .await
    };
    let report = f.plan_and_apply(&ALL).await;
    assert_eq!(report.created.len(), 5, "{report:#?}");
    // One of ours was deleted by hand meanwhile.
    f.client
        .delete_subscription(&report.created[0].subscription_id)
        .await
        .unwrap();

    let removed = hooks::remove_hooks(&f.client, &f.records).await.unwrap();
    assert!(removed.ok, "{removed:#?}");
    assert_eq!(removed.removed.len(), 5);
    assert_eq!(
        removed.removed.iter().filter(|r| r.already_gone).count(),
        1,
        "404 = already gone"
    );
    let left = f.server_subscriptions();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id.to_string(), theirs_same_receiver_other_scope);
    assert!(f.records.recorded().unwrap().is_empty());
}

#[tokio::test]
async fn forgetting_a_connection_removes_its_webhooks_or_keeps_them_untracked() {
    let settings = ado_auth::SignInSettings::from_env().unwrap();
    // Remove (the default): the subscriptions go first, then the profile.
    let f = fixture().await;
    f.plan_and_apply(&[EventKind::CodePushed, EventKind::BuildCompleted])
        .await;
    assert!(hooks::has_hooks(&f.connections, f.records.profile_id()).unwrap());
    let report = hooks::forget_connection(
        &f.connections,
        f.records.profile_id(),
        &settings,
        hooks::HooksOnForget::default(),
    )
    .await
    .unwrap();
    assert!(report.forgotten);
    assert_eq!(report.removed.unwrap().removed.len(), 2);
    assert!(f.server_subscriptions().is_empty(), "no orphaned webhooks");
    assert!(f.connections.list().unwrap().is_empty());

    // Keep: they keep delivering, untracked; the journal goes too.
    let f = fixture().await;
    f.plan_and_apply(&[EventKind::CodePushed]).await;
    f.emu.set_faults(Faults {
        latency_ms: 150,
        ..Faults::none()
    });
    crash_after(
        &f,
        &[EventKind::PullRequestCreated, EventKind::BuildCompleted],
        1,
    )
    .await;
    f.emu.set_faults(Faults::none());
    assert!(f.records.interrupted().unwrap().is_some());
    let report = hooks::forget_connection(
        &f.connections,
        f.records.profile_id(),
        &settings,
        hooks::HooksOnForget::KeepHooks,
    )
    .await
    .unwrap();
    assert!(report.forgotten);
    assert_eq!(
        report.kept.len(),
        2,
        "the recorded one and the one the killed run made"
    );
    assert!(!f.server_subscriptions().is_empty());
    assert!(!f.records.journal_path().exists());
    assert!(f.connections.list().unwrap().is_empty());
}
