//! "Create the token for me" for products that take one PAT (issue 20): Kong Konnect (Code
//! (Read)) and Datafold (Code (Read & write), Identity (Read)) after a Microsoft sign-in get one
//! org-scoped PAT with exactly the profile's scopes, named after the product, checked through the
//! product gate and handed off like a pasted one; Renew and Forget cover it. Over the
//! organization's maximum lifetime the refusal offers the longest lifetime it accepts. A product
//! not handed a PAT (dbt) has nothing to mint.

use ado_core::product::handoff::Reveal;
use ado_core::product::ProductProfile;
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::world::PatPolicy;
use ado_flows::product::gate::{clearance_name, Clear, ConnectorPat, Outcome, SavedCheck};
use ado_flows::product::mint::{
    mint_tokens, minted_tokens, renew_token, revoke_minted, MintCode, MintRequest,
};
use ado_flows::product::{connector_secret_name, secrets_key};
use ado_flows::ProfileId;
use ado_test_support::entra::{fixture, Fixture};
use ado_test_support::world::{now, profile};
use secrecy::{ExposeSecret as _, SecretString};

fn request(profile: ProductProfile, id: &ProfileId, days: Option<u32>, fit: bool) -> MintRequest {
    let datafold = profile.product.id == "datafold";
    MintRequest {
        profile,
        connection_id: id.clone(),
        project: datafold.then(|| "Fiber Cloud".to_string()),
        repository: datafold.then(|| "fiber-cloud-api".to_string()),
        lifetime_days: days,
        fit_lifetime: fit,
    }
}

/// The PAT kept for the product's one credential, as the gate and the hand-off read it.
fn kept(f: &Fixture, id: &ProfileId, profile: &ProductProfile) -> Option<SecretString> {
    let saved = f.connections.get(id).unwrap().unwrap();
    f.connections
        .extra_secret(
            &saved,
            &connector_secret_name(&secrets_key(profile), "default", 0),
        )
        .unwrap()
}

#[tokio::test]
async fn kong_konnect_gets_one_code_read_pat_handed_off_renewed_and_revoked() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let konnect = profile("kong-konnect");

    // Before minting, the Microsoft sign-in itself is not handed to Konnect: the gate refuses
    // it and says a PAT can be created.
    let refused = f
        .handoff(&id, konnect.clone())
        .await
        .expect_err("a Microsoft sign-in is not a PAT");
    assert!(
        refused.message.contains("Create the tokens for me"),
        "{}",
        refused.message
    );

    let report = f.mint(request(konnect.clone(), &id, None, false)).await;
    assert!(report.report.ok, "{:#?}", report.report.failures());
    assert_eq!(report.minted.len(), 1, "one PAT");
    let minted = f.emulator.world().minted_pats();
    assert_eq!(minted.len(), 1);
    assert_eq!(minted[0].display_name, "Kong Konnect (ADO Connect)");
    assert_eq!(minted[0].scope, "vso.code", "exactly the profile's scopes");
    assert_eq!(minted[0].organization, "fabrikam", "org-scoped");
    assert_eq!(report.minted[0].connector, "default");

    // Handed off like a pasted PAT: the panel's PAT field is the minted token.
    let pat = kept(&f, &id, &konnect).expect("kept with the connection");
    assert_eq!(f.status_with(&pat).await, Some(200));
    let handoff = f
        .handoff(&id, konnect.clone())
        .await
        .expect("the minted PAT clears the gate");
    let panel = handoff.panel(&Reveal::All);
    let field = panel
        .fields
        .iter()
        .find(|f| f.label == "Azure DevOps personal access token (PAT)")
        .expect("the PAT field");
    assert_eq!(field.value.as_deref(), Some(pat.expose_secret()));
    assert!(handoff.missing().is_empty());

    // The home's list, Renew (the old one then fails with 401), Forget's revocation.
    let listed = minted_tokens(&f.connections, &id, &konnect).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].valid_to.is_empty());
    let renewed = renew_token(
        &f.connections,
        &f.settings,
        request(konnect.clone(), &id, None, false),
        "default",
        now(),
        &|_| {},
    )
    .await
    .unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(renewed.revoked, [listed[0].authorization_id.clone()]);
    let new = kept(&f, &id, &konnect).unwrap();
    assert_ne!(new.expose_secret(), pat.expose_secret());
    assert_eq!(
        f.status_with(&pat).await,
        Some(401),
        "the old one is revoked"
    );
    assert_eq!(f.status_with(&new).await, Some(200));
    assert_eq!(renewed.minted[0].scope, "vso.code");

    let revoked = revoke_minted(&f.connections, &f.settings, &id, &konnect)
        .await
        .unwrap();
    assert_eq!(revoked.len(), 1);
    assert_eq!(f.status_with(&new).await, Some(401));
    assert!(minted_tokens(&f.connections, &id, &konnect)
        .unwrap()
        .is_empty());
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn datafold_gets_one_pat_with_both_scopes_checked_for_contribute_to_pull_requests() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let datafold = profile("datafold");
    // Without the repository Datafold's form needs: refused before anything is created.
    let mut without = request(datafold.clone(), &id, Some(30), false);
    without.repository = None;
    let refusal = mint_tokens(&f.connections, &f.settings, without, now(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refusal.code, MintCode::DetailsMissing, "{refusal:?}");
    assert!(refusal.fix.contains("--repository"), "{}", refusal.fix);
    assert!(
        f.emulator.world().minted_pats().is_empty(),
        "nothing created"
    );

    let report = f
        .mint(request(datafold.clone(), &id, Some(30), false))
        .await;
    let rows: Vec<&str> = report.report.connectors[0]
        .checks
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert!(
        rows.contains(&"Contribute to pull requests"),
        "Datafold's own checks ran: {rows:?}"
    );
    assert!(report.report.ok, "{:#?}", report.report.failures());
    let minted = f.emulator.world().minted_pats();
    assert_eq!(minted.len(), 1);
    assert_eq!(minted[0].display_name, "Datafold (ADO Connect)");
    assert_eq!(minted[0].scope, "vso.code_write vso.identity");
    assert_eq!(report.plan.lifetime_days, 30);

    // The hand-off needs the same project and repository: cleared for them.
    let check = SavedCheck {
        profile: datafold.clone(),
        connection_id: id.clone(),
        project: Some("Fiber Cloud".into()),
        repository: Some("fiber-cloud-api".into()),
        pats: Vec::new(),
    };
    let outcome = f.gate(check, Clear::IfStale).await;
    assert!(matches!(outcome, Outcome::Cleared(..)));

    // The home renews without the product step's choice: the recorded project and repository.
    let mut from_home = request(datafold.clone(), &id, None, false);
    from_home.project = None;
    from_home.repository = None;
    let renewed = renew_token(
        &f.connections,
        &f.settings,
        from_home,
        "default",
        now(),
        &|_| {},
    )
    .await
    .unwrap_or_else(|r| panic!("{r:?}"));
    assert!(renewed.report.ok, "{:#?}", renewed.report.failures());
    assert_eq!(renewed.minted[0].project.as_deref(), Some("Fiber Cloud"));
    assert_eq!(renewed.plan.lifetime_days, 30, "the same lifetime");
    revoke_minted(&f.connections, &f.settings, &id, &datafold)
        .await
        .unwrap();
    assert!(f.emulator.world().minted_pats().iter().all(|p| p.revoked));
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn over_the_maximum_lifetime_the_refusal_offers_the_longest_accepted_and_leaves_nothing() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let konnect = profile("kong-konnect");
    // 45 days: not a rung; the longest rung it accepts is 30.
    f.emulator.world().set_pat_policy(
        "fabrikam",
        PatPolicy {
            max_lifetime_days: Some(45),
            ..PatPolicy::default()
        },
    );
    let refusal = mint_tokens(
        &f.connections,
        &f.settings,
        request(konnect.clone(), &id, Some(365), false),
        now(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refusal.code, MintCode::PatLifetimeOverMaximum);
    assert_eq!(refusal.offer_days, Some(30), "{refusal:?}");
    assert!(
        refusal.message.contains("is 30 days"),
        "{}",
        refusal.message
    );
    assert!(
        f.emulator.world().minted_pats().iter().all(|p| p.revoked),
        "the token that found the lifetime is revoked at once"
    );
    assert!(kept(&f, &id, &konnect).is_none(), "nothing kept");

    // Taking the offer: created for 30 days.
    let report = f
        .mint(request(konnect.clone(), &id, refusal.offer_days, false))
        .await;
    assert_eq!(report.plan.lifetime_days, 30);

    // Not even a day: nothing to offer.
    f.emulator.world().set_pat_policy(
        "fabrikam",
        PatPolicy {
            max_lifetime_days: Some(0),
            ..PatPolicy::default()
        },
    );
    let refusal = mint_tokens(
        &f.connections,
        &f.settings,
        request(konnect.clone(), &id, Some(90), false),
        now(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refusal.code, MintCode::PatLifetimeOverMaximum);
    assert_eq!(refusal.offer_days, None);
    revoke_minted(&f.connections, &f.settings, &id, &konnect)
        .await
        .unwrap();
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn a_product_not_handed_a_pat_has_nothing_to_mint() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let refusal = mint_tokens(
        &f.connections,
        &f.settings,
        request(profile("dbt"), &id, None, false),
        now(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refusal.code, MintCode::ProductTakesNoPat, "{refusal:?}");
    assert!(f.emulator.world().minted_pats().is_empty());
    let _ = f.connections.remove(&id);
}

/// The product's recorded pass, as the gate keeps it.
fn clearance(f: &Fixture, id: &ProfileId, profile: &ProductProfile) -> Option<SecretString> {
    let saved = f.connections.get(id).unwrap().unwrap();
    f.connections
        .extra_secret(&saved, &clearance_name(&secrets_key(profile)))
        .unwrap()
}

#[tokio::test]
async fn a_revoked_minted_pat_leaves_the_keyring_so_the_handoff_asks_for_a_new_one() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let konnect = profile("kong-konnect");
    f.mint(request(konnect.clone(), &id, None, false)).await;
    f.handoff(&id, konnect.clone())
        .await
        .expect("the minted PAT clears the hand-off");
    assert!(kept(&f, &id, &konnect).is_some());
    assert!(
        clearance(&f, &id, &konnect).is_some(),
        "the pass is recorded"
    );

    let revoked = revoke_minted(&f.connections, &f.settings, &id, &konnect)
        .await
        .unwrap();
    assert_eq!(revoked.len(), 1);
    assert!(
        kept(&f, &id, &konnect).is_none(),
        "the revoked PAT is no longer kept"
    );
    assert!(
        clearance(&f, &id, &konnect).is_none(),
        "the pass recorded for it is gone"
    );
    let saved = f.connections.get(&id).unwrap().unwrap();
    let key = secrets_key(&konnect);
    assert!(
        !saved
            .extra_secret_keys
            .iter()
            .any(|k| k.contains(&format!("product-pat:{key}:"))
                || k.contains(&format!("product-pat-minted:{key}:"))
                || k.contains(&format!("product-cleared:{key}"))),
        "nothing of it is listed with the connection: {:?}",
        saved.extra_secret_keys
    );
    // The hand-off does not hand over a dead token: it asks for one (create or paste).
    let refused = f
        .handoff(&id, konnect.clone())
        .await
        .expect_err("no PAT is kept any more");
    assert!(
        refused.message.contains("Create the tokens for me"),
        "{}",
        refused.message
    );
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn a_pat_pasted_over_a_minted_one_stays_when_the_minted_one_is_revoked() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let konnect = profile("kong-konnect");
    f.mint(request(konnect.clone(), &id, None, false)).await;
    // The user pastes a PAT of their own in the product step ("Check access"): it takes the
    // minted one's place.
    let pasted = SecretString::from(DEMO_FULL_ACCESS_PAT.to_string());
    let check = SavedCheck {
        profile: konnect.clone(),
        connection_id: id.clone(),
        project: None,
        repository: None,
        pats: vec![ConnectorPat {
            connector: "default".into(),
            index: 0,
            pat: pasted.clone(),
            expires_on: Some("2099-01-31".into()),
        }],
    };
    let outcome = f.gate(check, Clear::Always).await;
    assert!(
        matches!(outcome, Outcome::Cleared(..)),
        "the pasted PAT passes"
    );

    let revoked = revoke_minted(&f.connections, &f.settings, &id, &konnect)
        .await
        .unwrap();
    assert_eq!(revoked.len(), 1, "the minted one is revoked");
    assert_eq!(
        kept(&f, &id, &konnect).map(|p| p.expose_secret().to_string()),
        Some(DEMO_FULL_ACCESS_PAT.to_string()),
        "the pasted PAT is the user's: it stays"
    );
    assert!(clearance(&f, &id, &konnect).is_some(), "its pass stays too");
    let handoff = f
        .handoff(&id, konnect.clone())
        .await
        .expect("the pasted PAT still clears the hand-off");
    assert!(handoff.missing().is_empty());
    let _ = f.connections.remove(&id);
}
