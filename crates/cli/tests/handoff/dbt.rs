//! dbt through the CLI: a service principal signed in with `login --service-principal` is handed
//! to dbt as its tenant ID, application (client) ID and client secret.

use ado_emulator::scenario::{ProjectSpec, DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
use ado_emulator::HostPath;
use serde_json::json;

use crate::support::*;

const FABRIKAM_TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";

#[tokio::test]
async fn dbt_hands_off_a_saved_service_principal() {
    let s = Setup::new().await;
    let client_id = DEMO_SP_CLIENT_ID.to_string();
    // The principal may create dbt's webhooks in the first project it sees.
    s.emu
        .world()
        .add_project(
            &HostPath::organization("fabrikam"),
            ProjectSpec::named("Analytics")
                .with_repository("dbt")
                .with_administrator(&client_id),
        )
        .unwrap();
    let base = s.emu.base_url().to_string();
    let entra = [
        ("ADO_CONNECT_AUTHORITY", base.as_str()),
        ("ADO_SP_SECRET", DEMO_SP_SECRET),
    ];
    let run = s
        .run(
            &[
                "login",
                "--service-principal",
                "--tenant",
                FABRIKAM_TENANT,
                "--client-id",
                &client_id,
            ],
            &s.services(),
            &entra,
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");

    let dbt = profile("dbt");
    let run = s
        .run(
            &["handoff", "--profile", &dbt, "--json", "--show-secrets"],
            &s.services(),
            &entra,
        )
        .await;
    assert!(
        !run.says("dbt does not accept this sign-in"),
        "the saved connection is a service principal, dbt's recommended method: {run:#?}"
    );
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        fields(&run.json()),
        [
            ("Tenant ID".to_string(), json!(FABRIKAM_TENANT)),
            ("Application (client) ID".to_string(), json!(client_id)),
            ("Client secret".to_string(), json!(DEMO_SP_SECRET)),
        ]
    );
}
