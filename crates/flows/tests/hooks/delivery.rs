//! Deliveries: a test event and a real push reach the receiver with the secret, and the
//! history and the list show them.

use ado_core::webhook::EventKind;
use ado_emulator::hooks::Event;
use ado_flows::hooks;

use crate::support::*;

#[tokio::test]
async fn a_test_event_reaches_the_receiver_with_the_secret_and_history_shows_it() {
    let f = fixture().await;
    let report = f.plan_and_apply(&[EventKind::CodePushed]).await;
    let secret = report.secret.unwrap().value;
    let id = &report.created[0].subscription_id;

    let test = hooks::send_test(&f.client, &f.records, id).await.unwrap();
    assert!(test.delivered, "{test:#?}");
    assert_eq!(test.receiver_status, Some(200));
    assert!(
        test.response_excerpt
            .as_deref()
            .unwrap_or_default()
            .contains("test receiver"),
        "the receiver's own answer is shown: {test:#?}"
    );
    let got = f.receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        header(&got[0], "x-ado-connect-secret"),
        Some(secret.clone())
    );
    assert_eq!(got[0].body["eventType"], "git.push");

    // A real push, too.
    f.emu
        .fire(Event::push(HOST, PROJECT, REPOSITORY))
        .await
        .expect("the push fires");
    let got = f.receiver.received();
    assert_eq!(got.len(), 2, "the push was delivered");
    assert_eq!(header(&got[1], "x-ado-connect-secret"), Some(secret));

    let history = hooks::history(&f.client, &f.records, id, 10).await.unwrap();
    assert_eq!(history.len(), 2, "{history:#?}");
    assert!(
        history
            .iter()
            .all(|d| d.result.as_deref() == Some("succeeded")),
        "{history:#?}"
    );
    assert!(history[0].id > history[1].id, "newest first");
    assert_eq!(history[0].receiver_status, Some(200));

    let listed = hooks::list_hooks(&f.client, &f.records).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].exists);
    assert_eq!(
        listed[0].last_delivery.as_ref().map(|d| d.id),
        Some(history[0].id)
    );
}
