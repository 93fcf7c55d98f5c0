//! `permissionevaluationbatch` asked for many tokens at once ([`AdoClient::have_permission`]):
//! one answer per token in the order asked, one request per `EVALUATIONS_PER_BATCH` tokens,
//! against the emulator.

use ado_client::api::security::{
    service_hooks_token, EDIT_SUBSCRIPTIONS, EVALUATIONS_PER_BATCH, SERVICE_HOOKS_NAMESPACE,
};
use ado_client::{AdoClient, ClientConfig, Credential};
use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_emulator::{Config, Emulator};

fn collection(emu: &Emulator) -> url::Url {
    let info = emu.startup_info();
    let url = info["collectionUrls"][0].as_str().unwrap();
    url::Url::parse(&format!("{}/", url.trim_end_matches('/'))).unwrap()
}

#[tokio::test]
async fn many_tokens_are_asked_in_batches_and_answered_one_by_one() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let base = collection(&emu);
    let admin = AdoClient::new(ClientConfig::new(
        base.clone(),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
    ))
    .unwrap();
    let projects = admin.all_projects().await.unwrap();
    assert!(!projects.is_empty());
    // More tokens than one batch holds: the projects' tokens over and over.
    let tokens: Vec<String> = projects
        .iter()
        .map(|p| service_hooks_token(&p.id))
        .cycle()
        .take(EVALUATIONS_PER_BATCH * 2 + 3)
        .collect();

    let before = admin.stats().requests;
    let allowed = admin
        .have_permission(SERVICE_HOOKS_NAMESPACE, &tokens, EDIT_SUBSCRIPTIONS)
        .await
        .unwrap();
    assert_eq!(admin.stats().requests - before, 3, "one request per batch");
    assert_eq!(allowed.len(), tokens.len());
    // Each answer is the one a single question gets for the same token.
    for (token, allowed) in tokens.iter().zip(&allowed).take(projects.len()) {
        let single = admin
            .has_permission(SERVICE_HOOKS_NAMESPACE, token, EDIT_SUBSCRIPTIONS)
            .await
            .unwrap();
        assert_eq!(*allowed, single, "{token}");
    }
    assert!(
        allowed.iter().any(|a| *a),
        "the administrator may edit somewhere"
    );

    let developer =
        AdoClient::new(ClientConfig::new(base, Credential::pat(DEMO_DEVELOPER_PAT))).unwrap();
    let refused = developer
        .have_permission(SERVICE_HOOKS_NAMESPACE, &tokens[..5], EDIT_SUBSCRIPTIONS)
        .await
        .unwrap();
    assert_eq!(
        refused,
        vec![false; 5],
        "Dana Developer administers nothing"
    );
    assert_eq!(developer.stats().requests, 1);
    assert!(developer
        .have_permission(SERVICE_HOOKS_NAMESPACE, &[], EDIT_SUBSCRIPTIONS)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(developer.stats().requests, 1, "nothing asked for no token");
}
