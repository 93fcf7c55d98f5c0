//! An interrupted apply: recovered without duplicates or orphans (a create that landed is
//! adopted), rolled back to nothing of its own, a corrupt journal reported and discarded.

use ado_core::webhook::{EventKind, HookOrigin};
use ado_emulator::Faults;
use ado_flows::hooks::{self, SubscriptionId};
use secrecy::SecretString;

use crate::support::*;

#[tokio::test]
async fn a_crash_mid_apply_is_recovered_without_duplicates_or_orphans() {
    let f = fixture().await;
    // Slow answers, so that the third create is in flight when the "crash" comes.
    f.emu.set_faults(Faults {
        latency_ms: 150,
        ..Faults::none()
    });
    crash_after(&f, &ALL, 2).await;

    let run = f
        .records
        .interrupted()
        .unwrap()
        .expect("the journal survives the crash");
    assert!(!run.finished);
    assert!(run.entries.len() >= 2, "{run:#?}");
    let plan = f.plan(&ALL).await;
    assert!(plan.interrupted.is_some(), "the plan says a run is pending");
    // The killed run's own subscriptions are its, not someone's to adopt.
    let made: Vec<SubscriptionId> = run
        .entries
        .iter()
        .filter_map(|e| match &e.outcome {
            hooks::journal::Outcome::Done { subscription_id } => Some(subscription_id.clone()),
            _ => None,
        })
        .collect();
    assert!(!made.is_empty());
    for id in &made {
        assert!(plan.in_flight.contains(id), "{id} in {:?}", plan.in_flight);
    }
    let refused = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap_err();
    assert!(refused.fix.contains("roll it back"), "{refused:?}");

    let recovered = hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    assert!(recovered.ok, "{recovered:#?}");
    assert!(
        f.records.interrupted().unwrap().is_none(),
        "recovery settles the journal"
    );
    f.emu.set_faults(Faults::none());
    let report = f.plan_and_apply(&ALL).await;
    assert!(report.ok, "{report:#?}");

    let server = f.server_subscriptions();
    assert_eq!(server.len(), 5, "no duplicates: {server:#?}");
    let recorded = f.records.recorded().unwrap();
    let mut ids: Vec<String> = recorded.iter().map(|r| r.id.to_string()).collect();
    ids.sort();
    let mut on_server: Vec<String> = server.iter().map(|s| s.id.to_string()).collect();
    on_server.sort();
    assert_eq!(
        ids, on_server,
        "no orphans: every subscription on the server is recorded"
    );
    assert!(f.plan(&ALL).await.plan.is_noop());
}

#[tokio::test]
async fn recovery_adopts_a_create_that_landed_and_creates_one_that_did_not() {
    let f = fixture().await;
    let plan = f
        .plan(&[EventKind::CodePushed, EventKind::BuildCompleted])
        .await;
    // A journal as a crash leaves it: two creates announced, neither concluded; the first
    // reached Azure DevOps before the process died.
    let path = f.records.journal_path();
    let journal = hooks::journal::Journal::create(
        &path,
        &hooks::journal::Record::Begin {
            version: 1,
            run_id: "crashed".into(),
            profile_id: f.records.profile_id().clone(),
            base_url: f.client.base_url().to_string(),
            started_at: 0,
            secret_fingerprint: None,
        },
    )
    .unwrap();
    for (seq, spec) in plan.specs().iter().enumerate() {
        journal
            .append(&hooks::journal::Record::Intent {
                seq: seq as u32 + 1,
                action: ado_core::webhook::Action::Create,
                spec: spec.clone(),
                subscription_id: None,
                adopting: false,
            })
            .unwrap();
    }
    drop(journal);
    // The secret reached the keyring before the first change (as apply does it), and the
    // first create landed.
    let secret = "the-secret-the-crashed-run-used-0123456789";
    let profile = f.records.profile().unwrap();
    f.connections
        .put_extra_secret(&profile, "hook-secret", &SecretString::from(secret))
        .unwrap();
    let landed_spec = plan.specs()[0].clone();
    let body = ado_core::webhook::subscription_body(&landed_spec, secret);
    let landed = f.client.create_subscription(&body).await.unwrap().id;

    let report = hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    // Recovery POSTed one; the other had landed before the crash: recorded, not "created".
    assert_eq!(report.created.len(), 1, "{report:#?}");
    assert_ne!(report.created[0].subscription_id, landed);
    assert_eq!(report.recorded_from_interrupted_run.len(), 1, "{report:#?}");
    assert_eq!(
        report.recorded_from_interrupted_run[0].subscription_id, landed,
        "the landed one is adopted"
    );
    assert_eq!(f.server_subscriptions().len(), 2, "and not created twice");
    let recorded = f.records.recorded().unwrap();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|r| r.origin == HookOrigin::Created));
    assert!(f.records.interrupted().unwrap().is_none());
}

#[tokio::test]
async fn rollback_deletes_what_the_interrupted_run_created_and_nothing_else() {
    let f = fixture().await;
    let theirs = f
        .create_directly(
            EventKind::CodePushed,
            "http://127.0.0.1:9/elsewhere",
            "their-own-token-0000",
        )
        .await;
    f.emu.set_faults(Faults {
        latency_ms: 100,
        ..Faults::none()
    });
    crash_after(&f, &ALL, 2).await;
    f.emu.set_faults(Faults::none());
    assert!(!f.server_subscriptions().is_empty());

    let report = hooks::rollback(&f.client, &f.records).await.unwrap();
    assert!(report.failed.is_empty(), "{report:#?}");
    assert!(report.deleted.len() >= 2, "{report:#?}");
    assert!(
        f.server_subscriptions().is_empty(),
        "everything the run created is gone"
    );
    assert!(f.records.recorded().unwrap().is_empty());
    assert!(f.records.interrupted().unwrap().is_none());
    assert!(
        f.client.subscription(&theirs).await.is_ok(),
        "someone else's subscription survives"
    );
}

#[tokio::test]
async fn a_corrupt_journal_is_reported_and_can_be_discarded() {
    let f = fixture().await;
    std::fs::write(f.records.journal_path(), "{not json\n\u{0}garbage\n").unwrap();
    assert!(matches!(
        f.records.journal_status(),
        hooks::JournalStatus::Unreadable { .. }
    ));
    let blocked = f.records.interrupted().unwrap_err();
    assert!(blocked.fix.contains("discard-journal"), "{blocked:?}");
    // Recovery and rollback say so instead of doing nothing.
    assert!(hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .is_err());
    assert!(hooks::rollback(&f.client, &f.records).await.is_err());

    assert!(hooks::discard_journal(&f.records).unwrap());
    assert_eq!(f.records.journal_status(), hooks::JournalStatus::None);
    let report = f.plan_and_apply(&[EventKind::CodePushed]).await;
    assert!(report.ok && report.created.len() == 1, "{report:#?}");
}

#[tokio::test]
async fn rollback_with_nothing_interrupted_says_so() {
    let f = fixture().await;
    let report = hooks::rollback(&f.client, &f.records).await.unwrap();
    assert_eq!(report.run_id, None);
    assert!(report.deleted.is_empty());
}
