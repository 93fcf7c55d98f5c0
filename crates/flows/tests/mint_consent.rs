//! Incremental consent for minting (issue 20): with an app registration whose `.default` is the
//! granular `vso.*` permissions, a plain sign-in does not carry the tokens API's permission;
//! minting is then refused `consent_required` (Entra's AADSTS65001 `invalid_grant`) with the CLI
//! command to run, and creates nothing; the interactive sign-in asking for exactly that
//! permission re-saves the connection, after which minting goes on. A revoked sign-in is
//! `sign_in_again`, not a consent question.

use ado_core::product::ProductProfile;
use ado_flows::product::mint::{consent, mint_tokens, revoke_minted, MintCode, MintRequest};
use ado_flows::product::{connector_secret_name, secrets_key};
use ado_flows::{ConnectOptions, ProfileId};
use ado_test_support::entra::{fixture, ADMIN};
use ado_test_support::world::{now, profile};

fn konnect() -> ProductProfile {
    profile("kong-konnect")
}

fn request(id: &ProfileId) -> MintRequest {
    MintRequest {
        profile: konnect(),
        connection_id: id.clone(),
        project: None,
        repository: None,
        lifetime_days: None,
        fit_lifetime: false,
    }
}

/// Plays the browser: the emulator's authorize page signs the hinted user in and redirects to
/// the app's loopback listener.
fn play_browser(url: &url::Url) {
    let url = url.to_string();
    tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let answer = http.get(&url).send().await.expect("authorize");
        assert_eq!(answer.status(), 302, "the emulator signs the user in");
        let location = answer.headers()["location"].to_str().unwrap().to_string();
        http.get(&location).send().await.expect("loopback");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconsented_permission_is_asked_for_interactively_then_minting_goes_on() {
    let Some(f) = fixture().await else { return };
    let entra = f.emulator.entra();
    entra.set_default_permissions(Some(vec!["vso.code".into(), "vso.project".into()]));
    let id = f.sign_in().await;
    assert!(
        !entra
            .consented(ADMIN)
            .iter()
            .any(|p| p == "user_impersonation"),
        "a plain sign-in asks for nothing more"
    );

    let refusal = mint_tokens(&f.connections, &f.settings, request(&id), now(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refusal.code, MintCode::ConsentRequired, "{refusal:?}");
    assert!(
        refusal.message.contains("AADSTS65001"),
        "{}",
        refusal.message
    );
    assert!(
        refusal
            .fix
            .contains("ado-connect-cli login --organization fabrikam --allow-minting"),
        "{}",
        refusal.fix
    );
    assert!(f.emulator.world().minted_pats().is_empty());

    // The app's consent step: the browser sign-in asking for exactly the tokens API's
    // permission, for the connection's own account.
    let mut asked = String::new();
    consent::consent_with_browser(
        &f.connections,
        &f.settings,
        &id,
        |url| {
            asked = url.to_string();
            play_browser(url);
        },
        |_| {},
        now(),
    )
    .await
    .unwrap_or_else(|r| panic!("{r:?}"));
    let scope: String = url::Url::parse(&asked)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    assert_eq!(
        scope, "499b84ac-1321-427f-aa17-267ca6975798/user_impersonation offline_access",
        "exactly the tokens API's permission"
    );
    assert!(asked.contains("login_hint=demo.admin"), "{asked}");
    assert!(entra
        .consented(ADMIN)
        .iter()
        .any(|p| p == "user_impersonation"));

    let report = mint_tokens(&f.connections, &f.settings, request(&id), now(), &|_| {})
        .await
        .unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(report.minted.len(), 1);
    revoke_minted(&f.connections, &f.settings, &id, &konnect())
        .await
        .unwrap();
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn a_revoked_sign_in_is_sign_in_again_and_creates_nothing() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    f.emulator.entra().revoke_refresh_tokens(ADMIN);
    let refusal = mint_tokens(&f.connections, &f.settings, request(&id), now(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(refusal.code, MintCode::SignInAgain, "{refusal:?}");
    assert!(refusal.fix.contains("--allow-minting"), "{}", refusal.fix);
    assert!(f.emulator.world().minted_pats().is_empty());
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn the_device_code_sign_in_for_minting_asks_for_the_permission_too() {
    let Some(f) = fixture().await else { return };
    let entra = f.emulator.entra();
    entra.set_default_permissions(Some(vec!["vso.code".into(), "vso.project".into()]));
    let id = f.sign_in().await;
    // `login --device-code --allow-minting`: the same connection, saved again.
    let approver = f.emulator.entra();
    let again = consent::device_sign_in(
        &f.connections,
        &f.target(),
        &f.settings,
        &ConnectOptions::default(),
        move |prompt| {
            approver
                .approve_device_code(&prompt.user_code, ADMIN)
                .expect("approved");
        },
        |_| {},
        now(),
    )
    .await
    .expect("signed in for minting");
    assert_eq!(again.profile.id, id, "the same connection");
    assert!(entra
        .consented(ADMIN)
        .iter()
        .any(|p| p == "user_impersonation"));
    let report = mint_tokens(&f.connections, &f.settings, request(&id), now(), &|_| {})
        .await
        .unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(report.minted.len(), 1);
    revoke_minted(&f.connections, &f.settings, &id, &konnect())
        .await
        .unwrap();
    let _ = f.connections.remove(&id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forget_asks_for_the_permission_when_microsoft_wants_it_then_revokes_and_forgets() {
    let Some(f) = fixture().await else { return };
    let entra = f.emulator.entra();
    let id = f.sign_in().await;
    let report = mint_tokens(&f.connections, &f.settings, request(&id), now(), &|_| {})
        .await
        .unwrap_or_else(|r| panic!("{r:?}"));
    let minted = &report.minted[0];
    // Later the organization's app registration is granular, the user signs in again without
    // minting, and the permission to manage tokens is withdrawn (My Apps): the saved sign-in
    // no longer carries it.
    entra.set_default_permissions(Some(vec!["vso.code".into(), "vso.project".into()]));
    let again = f.sign_in().await;
    assert_eq!(again, id, "the same connection, saved again");
    entra.withdraw_consent(ADMIN, "user_impersonation");

    // Forget's revocation: Microsoft wants the permission allowed first; nothing is revoked
    // and nothing forgotten yet.
    let refusal = revoke_minted(&f.connections, &f.settings, &id, &konnect())
        .await
        .unwrap_err();
    assert_eq!(refusal.code, MintCode::ConsentRequired, "{refusal:?}");
    assert!(
        f.emulator.world().minted_pats().iter().all(|p| !p.revoked),
        "nothing revoked before the permission is allowed"
    );
    let key = secrets_key(&konnect());
    let kept = |f: &ado_test_support::entra::Fixture| {
        let saved = f.connections.get(&id).unwrap().unwrap();
        f.connections
            .extra_secret(&saved, &connector_secret_name(&key, "default", 0))
            .unwrap()
    };
    assert!(kept(&f).is_some(), "the minted PAT is still kept");

    // What the app does then: the browser sign-in asking for exactly that permission, for the
    // connection's own account, then the revocation again.
    consent::consent_with_browser(
        &f.connections,
        &f.settings,
        &id,
        play_browser,
        |_| {},
        now(),
    )
    .await
    .unwrap_or_else(|r| panic!("{r:?}"));
    let revoked = revoke_minted(&f.connections, &f.settings, &id, &konnect())
        .await
        .unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(revoked, std::slice::from_ref(&minted.authorization_id));
    assert!(f.emulator.world().minted_pats().iter().all(|p| p.revoked));
    assert!(kept(&f).is_none(), "the revoked PAT is forgotten");
    let _ = f.connections.remove(&id);
}
