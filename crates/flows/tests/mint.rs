//! "Create the tokens for me" end to end against the emulator (issue 20): a Microsoft sign-in
//! lists the user's organizations; DX gets one org-scoped PAT per connector with exactly that
//! connector's scopes, checked by DX's own checks through the gate and kept like pasted ones;
//! Renew replaces one (the old one then fails with 401); Forget revokes exactly the minted ones;
//! each refusal has its code and fix and leaves nothing behind.

use ado_core::product::ProductProfile;
use ado_emulator::scenario::{DEMO_FULL_ACCESS_PAT, DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
use ado_emulator::world::PatPolicy;
use ado_emulator::Scenario;
use ado_flows::organizations::organizations_of;
use ado_flows::product::gate::{
    clear_saved, clearance_name, expiry_name, Clear, ConnectorPat, Outcome, SavedCheck,
};
use ado_flows::product::mint::{
    minted_tokens, plan_mint, renew_token, revoke_minted, MintCode, MintRequest,
    DEFAULT_LIFETIME_DAYS,
};
use ado_flows::product::{connector_secret_name, secrets_key};
use ado_flows::signin::{self, services_target, ServicePrincipalLogin};
use ado_flows::{ConnectOptions, ProfileId};
use ado_test_support::entra::{fixture, fixture_with, Fixture};
use ado_test_support::world::{now, profile};
use secrecy::{ExposeSecret as _, SecretString};

const TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

fn dx() -> ProductProfile {
    profile("dx")
}

fn mint_request(id: &ProfileId, days: Option<u32>, fit: bool) -> MintRequest {
    MintRequest {
        profile: dx(),
        connection_id: id.clone(),
        project: None,
        repository: None,
        lifetime_days: days,
        fit_lifetime: fit,
    }
}

/// The PAT kept for a connector, as the gate reads it.
fn kept(f: &Fixture, id: &ProfileId, connector: &str) -> SecretString {
    let saved = f.connections.get(id).unwrap().unwrap();
    f.connections
        .extra_secret(
            &saved,
            &connector_secret_name(&secrets_key(&dx()), connector, 0),
        )
        .unwrap()
        .expect("the PAT is kept")
}

#[tokio::test]
async fn a_microsoft_sign_in_lists_the_users_organizations_its_own_preselected() {
    // A second organization in the same tenant; contoso (MSA-backed) is not the tenant's.
    let mut scenario = Scenario::demo();
    let mut northwind = scenario.organizations[0].clone();
    northwind.name = "northwind".into();
    northwind.id = None;
    northwind.projects.truncate(1);
    scenario.organizations.push(northwind);
    let Some(f) = fixture_with(scenario).await else {
        return;
    };
    let id = f.sign_in().await;
    let list = organizations_of(&f.connections, &f.settings, &id)
        .await
        .expect("listed");
    let names: Vec<(&str, bool)> = list.iter().map(|o| (o.name.as_str(), o.current)).collect();
    assert_eq!(
        names,
        [("fabrikam", true), ("northwind", false)],
        "the tenant's organizations by name, the signed-in one preselected"
    );
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn dx_gets_one_org_scoped_pat_per_connector_checked_kept_renewed_and_revoked() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let profile = dx();
    let plan = plan_mint(&profile, "fabrikam", None, now());
    assert_eq!(plan.tokens.len(), profile.connectors.len());
    assert_eq!(plan.lifetime_days, DEFAULT_LIFETIME_DAYS);
    assert_eq!(
        plan.tokens[0].display_name,
        format!("DX – {} (ADO Connect)", profile.connectors[0].label)
    );
    assert!(
        f.emulator.world().minted_pats().is_empty(),
        "the preview creates nothing"
    );

    let report = f.mint(mint_request(&id, None, false)).await;
    assert!(report.report.ok, "{:#?}", report.report.failures());
    assert_eq!(report.minted.len(), profile.connectors.len());
    let in_emulator = f.emulator.world().minted_pats();
    for planned in &plan.tokens {
        let pat = in_emulator
            .iter()
            .find(|p| p.display_name == planned.display_name)
            .unwrap_or_else(|| panic!("{} was minted", planned.display_name));
        assert_eq!(
            pat.scope,
            planned.scope_ids.join(" "),
            "exactly the connector's scopes"
        );
        assert_eq!(pat.organization, "fabrikam", "org-scoped");
    }
    let listed = minted_tokens(&f.connections, &id, &profile).unwrap();
    assert_eq!(listed.len(), profile.connectors.len());
    assert!(
        listed.iter().all(|m| !m.valid_to.is_empty()),
        "each has its expiry"
    );

    // The gate keeps them like pasted PATs: a later hand-off is cleared without new tokens.
    let check = SavedCheck {
        profile: profile.clone(),
        connection_id: id.clone(),
        project: None,
        repository: None,
        pats: Vec::new(),
    };
    let outcome = f.gate(check, Clear::IfStale).await;
    assert!(
        matches!(outcome, Outcome::Cleared(..)),
        "the minted PATs clear the hand-off"
    );

    // Renew one: a new PAT with the same scopes, then the old one fails with 401.
    let connector = profile.connectors[0].id.clone();
    let old = kept(&f, &id, &connector);
    assert_eq!(f.status_with(&old).await, Some(200));
    let renewed = renew_token(
        &f.connections,
        &f.settings,
        mint_request(&id, None, false),
        &connector,
        now(),
        &|_| {},
    )
    .await
    .unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(renewed.revoked.len(), 1);
    let new = kept(&f, &id, &connector);
    assert_ne!(new.expose_secret(), old.expose_secret());
    assert_eq!(
        f.status_with(&old).await,
        Some(401),
        "the old PAT is revoked"
    );
    assert_eq!(f.status_with(&new).await, Some(200));
    assert_eq!(renewed.minted[0].scope, listed[0].scope, "same scopes");

    // Forget: exactly the minted ones are revoked; the scenario's own PAT still works.
    let revoked = revoke_minted(&f.connections, &f.settings, &id, &profile)
        .await
        .unwrap();
    assert_eq!(revoked.len(), profile.connectors.len());
    assert!(f.emulator.world().minted_pats().iter().all(|p| p.revoked));
    assert_eq!(f.status_with(&new).await, Some(401));
    assert_eq!(
        f.status_with(&SecretString::from(DEMO_FULL_ACCESS_PAT.to_string()))
            .await,
        Some(200)
    );
    assert!(minted_tokens(&f.connections, &id, &profile)
        .unwrap()
        .is_empty());
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn each_policy_refusal_has_its_code_and_fix_and_leaves_nothing_behind() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let world = f.emulator.world();
    let mint = |days, fit| {
        ado_flows::product::mint::mint_tokens(
            &f.connections,
            &f.settings,
            mint_request(&id, days, fit),
            now(),
            &|_| {},
        )
    };

    world.set_pat_policy(
        "fabrikam",
        PatPolicy {
            creation_allow_list: Some(vec!["admins@fabrikam.example".into()]),
            ..PatPolicy::default()
        },
    );
    let refusal = mint(None, false).await.unwrap_err();
    assert_eq!(refusal.code, MintCode::PatCreationRestricted, "{refusal:?}");
    assert!(refusal.fix.contains("allow-list"));

    world.set_pat_policy(
        "fabrikam",
        PatPolicy {
            no_full_scope: true,
            max_lifetime_days: Some(7),
            ..PatPolicy::default()
        },
    );
    let refusal = mint(Some(90), false).await.unwrap_err();
    assert_eq!(refusal.code, MintCode::PatLifetimeOverMaximum);
    assert_eq!(
        refusal.offer_days,
        Some(7),
        "the longest lifetime the organization accepts is offered"
    );
    assert!(
        world.minted_pats().iter().all(|p| p.revoked),
        "a refused run leaves no working PAT (the one that found the lifetime is revoked)"
    );

    let fitted = mint(Some(90), true)
        .await
        .unwrap_or_else(|r| panic!("{r:?}"));
    assert_eq!(
        fitted.plan.lifetime_days, 7,
        "fitted to the organization's maximum"
    );
    revoke_minted(&f.connections, &f.settings, &id, &dx())
        .await
        .unwrap();
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn a_service_principal_and_azure_devops_server_cannot_mint_and_say_what_to_do() {
    let Some(f) = fixture().await else { return };
    let target = services_target("fabrikam", &format!("{}/", f.emulator.base_url())).unwrap();
    let sp = signin::sign_in_as_service_principal(
        &f.connections,
        &target,
        &f.settings,
        ServicePrincipalLogin {
            tenant: TENANT,
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &SecretString::from(DEMO_SP_SECRET.to_string()),
        },
        &ConnectOptions::default(),
        1,
    )
    .await
    .expect("the service principal signs in")
    .profile
    .id;
    let refusal = ado_flows::product::mint::mint_tokens(
        &f.connections,
        &f.settings,
        mint_request(&sp, None, false),
        now(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refusal.code, MintCode::ServicePrincipalCannotMint);
    let _ = f.connections.remove(&sp);

    let server = ado_core::target::TargetInput {
        deployment: Some(ado_core::target::Deployment::Server),
        server_url: format!("{}/tfs", f.emulator.base_url()),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let pat = ado_flows::Pat::parse(&SecretString::from(DEMO_FULL_ACCESS_PAT.to_string())).unwrap();
    let saved = ado_flows::verify_and_save_pat(
        &f.connections,
        &server,
        &pat,
        None,
        &ConnectOptions::default(),
        1,
    )
    .await
    .expect("the Server connection saves")
    .profile
    .id;
    let refusal = ado_flows::product::mint::mint_tokens(
        &f.connections,
        &f.settings,
        mint_request(&saved, None, false),
        now(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refusal.code, MintCode::ServerHasNoPatApi);
    assert!(
        refusal.steps[0].contains("/tfs/DefaultCollection/_usersSettings/tokens"),
        "{:?}",
        refusal.steps
    );
    for (step, connector) in refusal.steps[1..].iter().zip(dx().connectors) {
        for scope in connector.access().scope_ids {
            assert!(step.contains(&scope), "{step} names {scope}");
        }
    }
    assert!(f.emulator.world().minted_pats().is_empty());
    let _ = f.connections.remove(&saved);
}

#[tokio::test]
async fn the_tokens_api_permission_is_asked_for_only_when_minting_and_its_refusal_is_named() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    // The sign-in itself asked for nothing more; minting asks Entra for the tokens API's
    // permission now, and a refused grant (revoked sessions) is sign_in_again, nothing created.
    f.emulator
        .entra()
        .revoke_refresh_tokens("demo.admin@fabrikam.example");
    let refusal = ado_flows::product::mint::mint_tokens(
        &f.connections,
        &f.settings,
        mint_request(&id, None, false),
        now(),
        &|_| {},
    )
    .await
    .unwrap_err();
    assert_eq!(refusal.code, MintCode::SignInAgain, "{refusal:?}");
    assert!(refusal.fix.contains("--allow-minting"), "{}", refusal.fix);
    assert!(f.emulator.world().minted_pats().is_empty());
    let _ = f.connections.remove(&id);
}

#[tokio::test]
async fn revoking_dx_tokens_forgets_them_and_a_boards_token_pasted_beside_moves_up() {
    let Some(f) = fixture().await else { return };
    let id = f.sign_in().await;
    let profile = dx();
    f.mint(mint_request(&id, None, false)).await;
    // "Add another Boards token": the user pastes a second Boards PAT beside the minted ones.
    let mut pats: Vec<ConnectorPat> = minted_tokens(&f.connections, &id, &profile)
        .unwrap()
        .into_iter()
        .map(|m| ConnectorPat {
            pat: kept(&f, &id, &m.connector),
            connector: m.connector,
            index: 0,
            expires_on: Some(m.valid_to[..10].to_string()),
        })
        .collect();
    pats.push(ConnectorPat {
        connector: "boards".into(),
        index: 1,
        pat: SecretString::from(DEMO_FULL_ACCESS_PAT.to_string()),
        expires_on: Some("2099-01-31".into()),
    });
    let check = SavedCheck {
        profile: profile.clone(),
        connection_id: id.clone(),
        project: None,
        repository: None,
        pats,
    };
    let outcome = f.gate(check, Clear::Always).await;
    if let Outcome::Refused(report) = &outcome {
        let p = report.refusal();
        panic!("the pasted Boards PAT passes: {} {}", p.message, p.fix);
    }

    let revoked = revoke_minted(&f.connections, &f.settings, &id, &profile)
        .await
        .unwrap();
    assert_eq!(revoked.len(), profile.connectors.len());
    let key = secrets_key(&profile);
    let saved = f.connections.get(&id).unwrap().unwrap();
    let slot = |connector: &str, index: usize| {
        f.connections
            .extra_secret(&saved, &connector_secret_name(&key, connector, index))
            .unwrap()
            .map(|p| p.expose_secret().to_string())
    };
    assert_eq!(
        slot("boards", 0).as_deref(),
        Some(DEMO_FULL_ACCESS_PAT),
        "the pasted Boards PAT stays, first now"
    );
    assert_eq!(slot("boards", 1), None);
    for connector in profile.connectors.iter().filter(|c| c.id != "boards") {
        assert_eq!(
            slot(&connector.id, 0),
            None,
            "{} is forgotten",
            connector.id
        );
    }
    let expiry = f
        .connections
        .extra_secret(&saved, &expiry_name(&key, "boards", 0))
        .unwrap()
        .map(|d| d.expose_secret().to_string());
    assert_eq!(expiry.as_deref(), Some("2099-01-31"), "with its own date");
    assert!(
        f.connections
            .extra_secret(&saved, &clearance_name(&key))
            .unwrap()
            .is_none(),
        "the pass of the revoked tokens is gone"
    );
    // The hand-off asks for the missing connectors' tokens instead of handing over dead ones.
    let outcome = clear_saved(
        &f.connections,
        &f.settings,
        SavedCheck {
            profile: profile.clone(),
            connection_id: id.clone(),
            project: None,
            repository: None,
            pats: Vec::new(),
        },
        Clear::IfStale,
        now(),
        &|_| {},
    )
    .await
    .unwrap();
    let Outcome::Refused(report) = outcome else {
        panic!("the gate refuses without the revoked tokens")
    };
    let refusal = report.refusal();
    assert!(
        refusal.message.contains("Create the tokens for me")
            || refusal.fix.contains("Create the tokens for me"),
        "{refusal:?}"
    );
    let _ = f.connections.remove(&id);
}
