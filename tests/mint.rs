//! Issue 20 in the real window: DX with "Create the tokens for me". A Microsoft sign-in on the
//! sandbox organization, the Services field then listing the user's organizations; in DX's step
//! the tokens previewed, refused over the organization's maximum lifetime (code, fix and offer),
//! fitted to it, created, checked by DX's checks and handed off; on the home, the minted tokens
//! with their expiry and Renew (the old one revoked); Forget revoking exactly the minted ones.
//! Kong Konnect: its one PAT created after the browser sign-in that allows the tokens API's
//! permission (incremental consent), checked, handed off, renewed and revoked.

use ado_emulator::world::PatPolicy;
use ado_emulator::Scenario;
use serde_json::Value;

use crate::products::{profile, wait_handoff};
use crate::support::{Journey, Launch};

#[tokio::test]
async fn dx_tokens_created_for_the_user_renewed_and_revoked() {
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("dx")),
        ..Launch::default()
    };
    let Some(mut journey) = Journey::start("mint-dx", Scenario::demo(), launch).await else {
        return;
    };
    let organization = journey.sandbox()["organization"]
        .as_str()
        .unwrap_or("fabrikam")
        .to_string();
    journey.click("use-sandbox-org").await;
    journey.click("method-browser").await;
    journey
        .wait_until(
            "DX takes a Microsoft sign-in to create its tokens",
            "return document.body.dataset.connectRules === 'clear' && !document.getElementById('verify').disabled",
        )
        .await;
    journey.click("verify").await;
    journey.play_browser_sign_in().await;
    journey.wait_for_result().await;
    journey
        .wait_until(
            "the organizations are listed",
            "return Number(document.body.dataset.organizations || 0) > 0",
        )
        .await;
    let listed = journey
        .js("return [...document.querySelectorAll('#organization-choices option')].map(o => o.value)")
        .await;
    assert!(
        listed
            .as_array()
            .is_some_and(|l| l.iter().any(|o| o == organization.as_str())),
        "{listed}"
    );
    journey.click("to-hooks").await;
    journey.wait_step("product").await;

    // The preview first: five tokens, nothing created yet.
    journey.click("mint-start").await;
    journey
        .wait_until(
            "the preview shows",
            "return !document.getElementById('mint-preview').hidden",
        )
        .await;
    let rows = journey
        .js("return document.querySelectorAll('#mint-preview-rows tr').length")
        .await;
    assert_eq!(rows, Value::from(5));
    assert!(journey
        .text("mint-preview-rows")
        .await
        .contains("DX – Boards (ADO Connect)"));
    assert!(journey.emulator.world().minted_pats().is_empty());
    journey.screen("90-mint-preview").await;

    // Creation restricted to an allow-list the user is not on: its code and fix, nothing created.
    journey.emulator.world().set_pat_policy(
        &organization,
        PatPolicy {
            creation_allow_list: Some(vec!["pat-admins@fabrikam.example".into()]),
            ..PatPolicy::default()
        },
    );
    journey.click("mint-create").await;
    journey
        .wait_until(
            "the allow-list refusal shows",
            "return document.body.dataset.mint === 'pat_creation_restricted'",
        )
        .await;
    assert!(journey.text("mint-refusal").await.contains("allow-list"));
    assert!(journey.emulator.world().minted_pats().is_empty());

    // Over the organization's maximum: refused with its code, fix and the offer.
    journey.emulator.world().set_pat_policy(
        &organization,
        PatPolicy {
            max_lifetime_days: Some(30),
            ..PatPolicy::default()
        },
    );
    journey.click("mint-create").await;
    journey
        .wait_until(
            "the refusal shows",
            "return document.body.dataset.mint === 'pat_lifetime_over_maximum'",
        )
        .await;
    assert!(journey
        .text("mint-refusal")
        .await
        .contains("pat_lifetime_over_maximum"));
    assert!(
        journey.text("mint-offer").await.contains("30 days"),
        "the longest lifetime the organization accepts is offered"
    );
    journey.screen("91-mint-refused").await;
    journey.click("mint-fit").await;
    journey
        .wait_until(
            "the tokens are created and checked",
            "return document.body.dataset.mint === 'minted' && !!document.body.dataset.productChecks",
        )
        .await;
    assert_eq!(
        journey
            .js("return document.body.dataset.productChecks")
            .await,
        Value::from("passed"),
        "{}",
        journey.text("product-checklist").await
    );
    // The refusal found its offer by creating one token at a shorter lifetime and revoking it.
    let minted: Vec<_> = journey
        .emulator
        .world()
        .minted_pats()
        .into_iter()
        .filter(|p| !p.revoked)
        .collect();
    assert_eq!(minted.len(), 5);
    assert!(minted.iter().all(|p| p.organization == organization));
    journey.screen("92-minted").await;

    // The hand-off shows them.
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");

    // The home: the minted tokens with their expiry; Renew replaces one.
    journey.relaunch().await;
    journey.wait_step("home").await;
    journey
        .wait_until(
            "the minted tokens show",
            "return document.querySelectorAll('#home-list .minted-list li').length === 5",
        )
        .await;
    assert!(journey.text("home-list").await.contains("expires"));
    journey
        .js("document.querySelector('#home-list .renew-minted').click(); return true")
        .await;
    journey
        .wait_until(
            "one token is renewed",
            "return !!document.body.dataset.renewed",
        )
        .await;
    let after = journey.emulator.world().minted_pats();
    assert_eq!(after.len(), 7);
    assert_eq!(
        after.iter().filter(|p| p.revoked).count(),
        2,
        "the old one is revoked (and the lifetime probe before)"
    );
    journey.screen("93-renewed").await;
    // Handed off again from there: the hand-off opens with the new token.
    journey
        .js("document.querySelector('#home-list .handoff-again').click(); return true")
        .await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    journey.relaunch().await;
    journey.wait_step("home").await;

    // Forget: exactly the minted ones are revoked.
    journey
        .js("document.querySelector('#home-list .forget-card').click(); return true")
        .await;
    journey
        .wait_until(
            "the revoke box shows",
            "return document.getElementById('forget-dialog').open && document.getElementById('forget-revoke-row') && !document.getElementById('forget-revoke-row').hidden",
        )
        .await;
    journey.click("forget-confirm").await;
    journey
        .wait_until("forgotten", "return !!document.body.dataset.forgotten")
        .await;
    assert!(journey
        .emulator
        .world()
        .minted_pats()
        .iter()
        .all(|p| p.revoked));
    let said = journey
        .js("return document.getElementById('home-status').textContent")
        .await;
    assert!(
        said.as_str().is_some_and(|s| s.contains("were revoked")),
        "{said}"
    );
    journey.finish().await;
}

/// Plays the browser for the consent sign-in whose link the mint box shows.
async fn play_consent(journey: &Journey) {
    journey
        .wait_until(
            "the consent sign-in is asked for",
            "return document.body.dataset.mintConsent === 'asked' && !!document.getElementById('mint-consent-link').value",
        )
        .await;
    let authorize = journey.value("mint-consent-link").await;
    assert!(authorize.contains("user_impersonation"), "{authorize}");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let answer = http.get(&authorize).send().await.expect("authorize");
    assert_eq!(answer.status(), 302, "the emulator signs the user in");
    let location = answer.headers()["location"]
        .to_str()
        .expect("a redirect")
        .to_string();
    http.get(&location)
        .send()
        .await
        .expect("the app's loopback listener");
}

#[tokio::test]
async fn kong_konnect_token_created_after_consent_handed_off_renewed_and_revoked() {
    let launch = Launch {
        with_sandbox: true,
        profile: Some(profile("kong-konnect")),
        ..Launch::default()
    };
    let Some(mut journey) = Journey::start("mint-konnect", Scenario::demo(), launch).await else {
        return;
    };
    // The app registration's `.default` is granular: the sign-in does not carry the tokens API's
    // permission, which minting then asks for (incremental consent).
    journey.emulator.entra().set_default_permissions(Some(vec![
        "vso.profile".into(),
        "vso.project".into(),
        "vso.code".into(),
    ]));
    journey.click("use-sandbox-org").await;
    journey.click("method-browser").await;
    journey
        .wait_until(
            "Kong Konnect takes a Microsoft sign-in to create its token",
            "return document.body.dataset.connectRules === 'clear' && !document.getElementById('verify').disabled",
        )
        .await;
    assert!(journey
        .text("product-connect-note")
        .await
        .contains("sign in with Microsoft and let ADO Connect create its token"));
    journey.resize(1280, 800).await;
    journey.screen("94a-konnect-connect").await;
    journey.click("verify").await;
    journey.play_browser_sign_in().await;
    journey.wait_for_result().await;
    journey.click("to-hooks").await;
    journey.wait_step("product").await;
    assert_eq!(journey.text("mint-start").await, "Create the token for me");
    assert!(journey
        .text("mint-hint")
        .await
        .contains("is handed a personal access token, not this sign-in"));
    journey.screen("94-konnect-mint-offered").await;
    journey.resize(720, 560).await;
    journey.screen("94-konnect-mint-offered-min").await;
    journey.resize(1280, 800).await;

    journey.click("mint-start").await;
    journey
        .wait_until(
            "the preview shows",
            "return !document.getElementById('mint-preview').hidden",
        )
        .await;
    let rows = journey
        .js("return document.querySelectorAll('#mint-preview-rows tr').length")
        .await;
    assert_eq!(rows, Value::from(1));
    let preview = journey.text("mint-preview-rows").await;
    assert!(preview.contains("Kong Konnect (ADO Connect)") && preview.contains("vso.code"));
    assert!(journey
        .text("mint-preview-text")
        .await
        .starts_with("1 token for"));

    // Creating asks Microsoft for the permission in the browser first, then goes on.
    journey.click("mint-create").await;
    play_consent(&journey).await;
    journey.screen("95-konnect-consent").await;
    journey
        .wait_until(
            "the token is created and checked",
            "return document.body.dataset.mint === 'minted' && !!document.body.dataset.productChecks",
        )
        .await;
    assert_eq!(
        journey
            .js("return document.body.dataset.productChecks")
            .await,
        Value::from("passed"),
        "{}",
        journey.text("product-checklist").await
    );
    let minted = journey.emulator.world().minted_pats();
    assert_eq!(minted.len(), 1);
    assert_eq!(minted[0].scope, "vso.code", "exactly Konnect's scope");
    assert_eq!(minted[0].display_name, "Kong Konnect (ADO Connect)");
    assert!(journey
        .emulator
        .entra()
        .consented("demo.admin@fabrikam.example")
        .iter()
        .any(|p| p == "user_impersonation"));
    journey.screen("96-konnect-minted").await;
    journey.resize(720, 560).await;
    journey.screen("96-konnect-minted-min").await;
    journey.resize(1280, 800).await;

    // Handed off like a pasted PAT.
    journey.click("product-next").await;
    journey.wait_step("handoff").await;
    assert_eq!(wait_handoff(&journey).await, "shown");
    let rows = crate::products::handoff_rows(&journey).await;
    assert!(
        rows.iter()
            .any(|(label, _)| label == "Azure DevOps personal access token (PAT)"),
        "{rows:?}"
    );
    journey.screen("97-konnect-handoff").await;

    // The home: the token with its expiry; Renew replaces it; Forget revokes it.
    journey.relaunch().await;
    journey.wait_step("home").await;
    journey
        .wait_until(
            "the minted token shows",
            "return document.querySelectorAll('#home-list .minted-list li').length === 1",
        )
        .await;
    assert!(journey
        .text("home-list")
        .await
        .contains("Kong Konnect (ADO Connect) · expires"));
    journey
        .js("document.querySelector('#home-list .renew-minted').click(); return true")
        .await;
    journey
        .wait_until("renewed", "return !!document.body.dataset.renewed")
        .await;
    let after = journey.emulator.world().minted_pats();
    assert_eq!(
        (after.len(), after.iter().filter(|p| p.revoked).count()),
        (2, 1),
        "a new one, the old one revoked"
    );
    journey.screen("98-konnect-renewed").await;
    journey
        .js("document.querySelector('#home-list .forget-card').click(); return true")
        .await;
    journey
        .wait_until(
            "the revoke box shows",
            "return document.getElementById('forget-dialog').open && document.getElementById('forget-revoke-row') && !document.getElementById('forget-revoke-row').hidden",
        )
        .await;
    let revoke_text = journey.text("forget-revoke-text").await;
    assert!(
        revoke_text.contains("Also revoke the token ADO Connect created for Kong Konnect"),
        "{revoke_text}"
    );
    journey.click("forget-confirm").await;
    journey
        .wait_until("forgotten", "return !!document.body.dataset.forgotten")
        .await;
    assert!(journey
        .emulator
        .world()
        .minted_pats()
        .iter()
        .all(|p| p.revoked));
    journey.finish().await;
}
