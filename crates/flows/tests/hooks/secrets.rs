//! The secret: rotating it, basic auth instead of the secret header, never in the journal or
//! the profile, and the keyed fingerprints (older unkeyed ones migrated).

use std::time::Duration;

use ado_core::webhook::EventKind;
use ado_emulator::Faults;
use ado_flows::hooks::{self, AuthChoice, SecretSource};
use ado_flows::SecretStore;
use secrecy::SecretString;

use crate::support::*;

#[tokio::test]
async fn rotating_the_secret_updates_every_subscription() {
    let f = fixture().await;
    let first = f.plan_and_apply(&ALL).await.secret.unwrap().value;
    let report = hooks::rotate_secret(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.updated.len(), 5);
    let second = report.secret.expect("the new secret is shown once").value;
    assert_ne!(first, second);
    for sub in f.server_subscriptions() {
        assert_eq!(
            sub.consumer_input("httpHeaders"),
            Some(format!("X-ADO-Connect-Secret:{second}").as_str()),
            "{} carries the new secret",
            sub.event_type
        );
    }
    let plan = f.plan(&ALL).await;
    assert!(
        plan.plan.is_noop(),
        "after rotation everything is current: {}",
        plan.plan.summary()
    );
}

#[tokio::test]
async fn basic_auth_is_the_alternative_to_the_secret_header() {
    let f = fixture().await;
    let mut request = f.request(&[EventKind::CodePushed]);
    request.auth = AuthChoice::Basic {
        username: "ado-connect".into(),
        password: SecretString::from("receiver-password-1"),
    };
    let plan = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert_eq!(plan.secret_source, SecretSource::BasicPassword);
    assert_eq!(plan.secret_header, None);
    // The plan the CLI prints with --json and the app shows: no fingerprint of the password.
    let shown = serde_json::to_string(&plan).unwrap();
    assert!(!shown.contains("ingerprint"), "{shown}");
    // The fingerprint compared in memory is keyed (HMAC under a key in the keyring).
    match &plan.specs()[0].auth {
        ado_core::webhook::HookAuth::Basic { password, .. } => {
            let fp = password.fingerprint.as_deref().unwrap();
            assert!(fp.starts_with("hmac:"), "{fp}");
        }
        other => panic!("{other:?}"),
    }
    let report = hooks::apply_plan(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    assert!(
        report.ok && report.secret.is_none(),
        "a password the admin typed is not echoed"
    );
    let id = report.created[0].subscription_id.clone();
    let test = hooks::send_test(&f.client, &f.records, &id).await.unwrap();
    assert!(test.delivered, "{test:#?}");
    let got = f.receiver.received();
    let auth = header(&got[0], "authorization").expect("basic auth");
    assert!(auth.starts_with("Basic "), "{auth}");
    // Again with the same password: the server masks it, but our record vouches for it.
    let again = hooks::plan_hooks(&f.client, &f.records, &request)
        .await
        .unwrap();
    assert!(again.plan.is_noop(), "{:#?}", again.plan);
    let listed =
        serde_json::to_string(&hooks::list_hooks(&f.client, &f.records).await.unwrap()).unwrap();
    assert!(!listed.contains("ingerprint"), "{listed}");
    let profile_json =
        std::fs::read_to_string(f.connections.dir().join("connections.json")).unwrap();
    assert!(!profile_json.contains("receiver-password-1"));
}

#[tokio::test]
async fn journal_and_profile_never_hold_the_secret() {
    let f = fixture().await;
    f.emu.set_faults(Faults {
        latency_ms: 100,
        ..Faults::none()
    });
    crash_after(&f, &ALL, 1).await;
    f.emu.set_faults(Faults::none());
    let secret = SecretStore::detect()
        .unwrap()
        .get(&format!("hook-secret:{}", f.records.profile_id()))
        .unwrap()
        .expect("the secret is in the keyring before the first change");
    let journal = std::fs::read_to_string(f.records.journal_path()).unwrap();
    use secrecy::ExposeSecret as _;
    assert!(!journal.contains(secret.expose_secret()), "{journal}");
    hooks::recover(&f.client, &f.records, &|_| {})
        .await
        .unwrap();
    let profile_json =
        std::fs::read_to_string(f.connections.dir().join("connections.json")).unwrap();
    assert!(!profile_json.contains(secret.expose_secret()));
    tokio::time::sleep(Duration::from_millis(1)).await;
}

#[tokio::test]
async fn unkeyed_fingerprints_of_older_profiles_are_migrated_to_keyed_ones() {
    use sha2::{Digest as _, Sha256};
    let f = fixture().await;
    f.plan_and_apply(&[EventKind::CodePushed]).await;
    let profile = f.records.profile().unwrap();
    let secret = f
        .connections
        .extra_secret(&profile, "hook-secret")
        .unwrap()
        .unwrap();
    // As a profile written before keyed fingerprints holds it, with no key in the keyring.
    let digest = Sha256::new()
        .chain_update(b"ado-connect hook secret v1\0")
        .chain_update(secrecy::ExposeSecret::expose_secret(&secret).as_bytes())
        .finalize();
    let legacy: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    f.connections
        .update_profile(&profile.id, |p| {
            p.hooks[0].secret_fingerprint = Some(format!("sha256:{legacy}"))
        })
        .unwrap();
    SecretStore::detect()
        .unwrap()
        .delete(&format!("hook-fingerprint-key:{}", profile.id))
        .unwrap();

    let keyed = f.records.fingerprinter().unwrap();
    let recorded = f.records.recorded().unwrap();
    assert_eq!(
        recorded[0].secret_fingerprint.as_deref(),
        Some(keyed.of_secret(&secret).as_str())
    );
    assert!(f.plan(&[EventKind::CodePushed]).await.plan.is_noop());
}
