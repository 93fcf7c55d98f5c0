//! dbt: Services only, a service principal recommended (dbt gets its tenant ID, application
//! (client) ID and client secret), the legacy service user a guide only; dbt creates its
//! pull-request webhooks itself, so only its permission to is checked.

use ado_core::product::handoff::{HandoffFacts, Reveal};
use ado_core::product::SignInMethod;
use ado_emulator::scenario::{ProjectSpec, DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
use ado_emulator::{Emulator, HostPath};
use ado_flows::product::handoff::{open_handoff, Handoff, HandoffChoice};
use ado_flows::{Connections, ProfileId, SecretStore};
use secrecy::SecretString;

use crate::support::*;

const FABRIKAM_TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

/// The demo's service principal "Fabrikam Automation" signed in and saved for fabrikam, against
/// the emulator's Entra; removed on drop.
struct SavedPrincipal {
    connections: Connections,
    id: ProfileId,
    settings: ado_auth::SignInSettings,
    _dir: tempfile::TempDir,
}

impl Drop for SavedPrincipal {
    fn drop(&mut self) {
        let _ = self.connections.remove(&self.id);
    }
}

async fn principal(emu: &Emulator) -> SavedPrincipal {
    let base = emu.base_url().to_string();
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), SecretStore::detect().expect("a keyring"));
    let client_id = DEMO_SP_CLIENT_ID.to_string();
    let connected = ado_flows::signin::sign_in_as_service_principal(
        &connections,
        &services(emu, "fabrikam"),
        &settings,
        ado_flows::signin::ServicePrincipalLogin {
            tenant: FABRIKAM_TENANT,
            client_id: &client_id,
            secret: &SecretString::from(DEMO_SP_SECRET.to_string()),
        },
        &Default::default(),
        now(),
    )
    .await
    .unwrap_or_else(|e| panic!("the service principal signs in: {e}"));
    SavedPrincipal {
        id: connected.profile.id,
        connections,
        settings,
        _dir: dir,
    }
}

#[tokio::test]
async fn a_service_principal_that_may_create_webhooks_hands_off_tenant_client_and_secret() {
    // Without the service-hooks permission, dbt could not create its webhooks: refused.
    let emu = emulator().await;
    let sp = principal(&emu).await;
    let problem = open_handoff(
        &sp.connections,
        &sp.settings,
        profile("dbt"),
        &sp.id,
        HandoffChoice::default(),
        now(),
    )
    .await
    .expect_err("the principal may not edit service-hook subscriptions");
    assert!(
        problem
            .message
            .contains("Fabrikam Automation may not edit service-hook subscriptions")
            && problem
                .message
                .contains("so dbt cannot create its webhooks"),
        "{}",
        problem.message
    );

    // A Project Administrator of the project checked (the first by name): cleared, and dbt
    // gets its three values.
    emu.world()
        .add_project(
            &HostPath::organization("fabrikam"),
            ProjectSpec::named("Analytics")
                .with_repository("dbt")
                .with_administrator(&DEMO_SP_CLIENT_ID.to_string()),
        )
        .unwrap();
    let sp = principal(&emu).await;
    let handoff = open_handoff(
        &sp.connections,
        &sp.settings,
        profile("dbt"),
        &sp.id,
        HandoffChoice::default(),
        now(),
    )
    .await
    .expect("cleared");
    let panel = handoff.panel(&Reveal::All);
    assert_eq!(panel.title, "Connect dbt");
    let client_id = DEMO_SP_CLIENT_ID.to_string();
    let shown: Vec<(&str, Option<&str>, bool)> = panel
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref(), f.secret))
        .collect();
    assert_eq!(
        shown,
        [
            ("Tenant ID", Some(FABRIKAM_TENANT), false),
            ("Application (client) ID", Some(client_id.as_str()), false),
            ("Client secret", Some(DEMO_SP_SECRET), true),
        ]
    );
    assert!(panel.guides.is_empty());
    assert_eq!(
        handoff.panel(&Reveal::Nothing).fields[2].value,
        None,
        "the secret only on request"
    );
}

#[tokio::test]
async fn the_service_user_gets_dbts_guide_and_nothing_to_paste() {
    let emu = emulator().await;
    for method in [SignInMethod::Browser, SignInMethod::DeviceCode] {
        let facts = HandoffFacts {
            target: services(&emu, "fabrikam"),
            method,
            server_public_url: None,
            project: None,
            repository: None,
            repository_url: None,
            tenant_id: None,
            client_id: None,
            credentials: Vec::new(),
            placeholders: Default::default(),
        };
        let handoff = Handoff::new(profile("dbt"), facts);
        let panel = handoff.panel(&Reveal::All);
        assert!(panel.fields.is_empty(), "{method:?}: {panel:#?}");
        assert!(
            panel.guides.len() == 2 && panel.guides[0].contains("service user"),
            "{:#?}",
            panel.guides
        );
        assert!(handoff.missing().is_empty() && !handoff.deliveries().post);
    }
}
