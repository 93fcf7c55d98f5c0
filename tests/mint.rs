//! Issue 20 in the real window: DX with "Create the tokens for me". A Microsoft sign-in on the
//! sandbox organization, the Services field then listing the user's organizations; in DX's step
//! the tokens previewed, refused over the organization's maximum lifetime (code, fix and offer),
//! fitted to it, created, checked by DX's checks and handed off; on the home, the minted tokens
//! with their expiry and Renew (the old one revoked); Forget revoking exactly the minted ones.

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
    let minted = journey.emulator.world().minted_pats();
    assert_eq!(minted.len(), 5);
    assert!(minted
        .iter()
        .all(|p| p.organization == organization && !p.revoked));
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
    assert_eq!(after.len(), 6);
    assert_eq!(
        after.iter().filter(|p| p.revoked).count(),
        1,
        "the old one is revoked"
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
            "return document.getElementById('forget-revoke-row') && !document.getElementById('forget-revoke-row').hidden",
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
