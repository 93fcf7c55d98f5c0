//! The webhooks step's gate and links (issue 21) against the emulator's demo Server collection
//! `tfs/DefaultCollection`: the service-hooks permission asked before anything is planned, asked
//! again by apply (a plan applied with a credential that lacks it creates nothing), the Service
//! hooks page of a recorded subscription, and "not found" for a collection naming the ones that
//! exist. Secrets go to the real keyring; each profile is removed at the end.

use ado_client::{AdoClient, Credential};
use ado_core::checks::CheckCode;
use ado_core::target::{Deployment, Field, TargetInput};
use ado_core::webhook::EventKind;
use ado_emulator::scenario::{DEMO_DEVELOPER_PAT, DEMO_FULL_ACCESS_PAT};
use ado_emulator::{Config, Emulator, HostPath};
use ado_flows::hooks::{self, AuthChoice, HookRecords, HookRequest, SecretChoice};
use ado_flows::{verify_connection, ConnectOptions};
use ado_test_support::saved::{saved, Saved};

/// A saved connection to the demo collection with `pat`, and a receiver URL nothing listens on
/// (delivery is not what these tests are about).
struct Fixture {
    emu: Emulator,
    /// The saved connection; its profile and keyring entries go with it.
    _saved: Saved,
    records: HookRecords,
    client: AdoClient,
}

fn target(emu: &Emulator, collection: &str) -> ado_core::target::ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("{}/tfs", emu.base_url()),
        collection: collection.into(),
        ..Default::default()
    }
    .validate()
    .expect("a valid target")
}

async fn fixture(pat: &str) -> Fixture {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let target = target(&emu, "DefaultCollection");
    let client =
        ado_flows::verify::client_for(&target, Credential::pat(pat), &ConnectOptions::default())
            .unwrap();
    let saved = saved(target, pat, None).await;
    Fixture {
        records: HookRecords::new(saved.connections.clone(), saved.id.clone()),
        client,
        _saved: saved,
        emu,
    }
}

impl Fixture {
    fn request(&self) -> HookRequest {
        HookRequest {
            project: "Fabrikam Fiber".into(),
            projects: Vec::new(),
            all_projects: false,
            repository: Some("fiber-api".into()),
            repositories: Vec::new(),
            branch: None,
            events: vec![EventKind::CodePushed, EventKind::PullRequestCreated],
            url: "http://127.0.0.1:9/hooks".into(),
            auth: AuthChoice::SecretHeader {
                header: None,
                secret: SecretChoice::Keep,
            },
            take_over: false,
        }
    }

    fn subscriptions(&self) -> usize {
        self.emu
            .world()
            .subscriptions(&HostPath::collection("fabrikam-tfs", "DefaultCollection"))
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn the_gate_answers_the_permission_per_project_before_anything_is_planned() {
    let admin = fixture(DEMO_FULL_ACCESS_PAT).await;
    let gate = hooks::hook_gate(
        &admin.client,
        &admin.records,
        &["Fabrikam Fiber".into(), "Contoso Web".into()],
    )
    .await
    .expect("the gate answers");
    assert!(gate.ok && gate.problem.is_none(), "{gate:?}");
    let names: Vec<&str> = gate.projects.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Fabrikam Fiber", "Contoso Web"]);

    let nothing = hooks::hook_gate(&admin.client, &admin.records, &[" ".into()])
        .await
        .unwrap();
    assert!(
        nothing.ok && nothing.projects.is_empty(),
        "no project named: nothing to ask yet"
    );
    let unknown = hooks::hook_gate(&admin.client, &admin.records, &["No Such".into()])
        .await
        .expect_err("an unknown project is an error, not a refusal");
    assert_eq!(unknown.code, CheckCode::NotFound, "{unknown:?}");
    let near = hooks::hook_gate(&admin.client, &admin.records, &["Fabrikam Fibre".into()])
        .await
        .expect_err("a near miss is still not found");
    assert!(
        near.fix.starts_with("Did you mean Fabrikam Fiber?"),
        "names the project that exists: {}",
        near.fix
    );
    let mut request = admin.request();
    request.repository = Some("fiber-apl".into());
    let repo = hooks::plan_hooks(&admin.client, &admin.records, &request)
        .await
        .expect_err("no such repository");
    assert!(
        repo.fix.starts_with("Did you mean fiber-api?"),
        "{}",
        repo.fix
    );

    let dana = fixture(DEMO_DEVELOPER_PAT).await;
    let refused = hooks::hook_gate(&dana.client, &dana.records, &["Fabrikam Fiber".into()])
        .await
        .expect("a refusal is an answer");
    assert!(!refused.ok, "Dana Developer administers nothing");
    let problem = refused.problem.expect("the refusal says why");
    assert_eq!(problem.code, CheckCode::InvalidPermissions);
    assert_eq!(problem.field, Some(Field::Pat));
    assert!(
        problem.message.contains(
            "Dana Developer may not edit service-hook subscriptions in project Fabrikam Fiber"
        ),
        "{}",
        problem.message
    );
    assert!(
        problem.fix.contains("Project Administrators")
            && problem
                .fix
                .contains("Fabrikam%20Fiber/_settings/permissions"),
        "{}",
        problem.fix
    );
    assert_eq!(dana.subscriptions(), 0, "asking creates nothing");
}

#[tokio::test]
async fn apply_asks_again_and_a_credential_without_the_permission_creates_nothing() {
    let admin = fixture(DEMO_FULL_ACCESS_PAT).await;
    let plan = hooks::plan_hooks(&admin.client, &admin.records, &admin.request())
        .await
        .expect("the admin may plan");
    assert_eq!(plan.plan.create.len(), 2);
    // The same plan, applied with Dana's credential (the permission is gone at apply time).
    let dana = ado_flows::verify::client_for(
        &target(&admin.emu, "DefaultCollection"),
        Credential::pat(DEMO_DEVELOPER_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let refused = hooks::apply_checked(&dana, &admin.records, &plan, &|_| {
        panic!("nothing may start")
    })
    .await
    .expect_err("apply refuses without the permission");
    assert_eq!(refused.code, CheckCode::InvalidPermissions, "{refused:?}");
    assert_eq!(admin.subscriptions(), 0, "nothing was created");
    assert!(
        admin.records.interrupted().unwrap().is_none(),
        "no run began"
    );

    let report = hooks::apply_checked(&admin.client, &admin.records, &plan, &|_| {})
        .await
        .expect("with the permission it applies");
    assert_eq!((report.ok, report.created.len()), (true, 2));
    assert_eq!(admin.subscriptions(), 2);
}

#[tokio::test]
async fn a_recorded_subscription_links_to_its_projects_service_hooks_page() {
    let f = fixture(DEMO_FULL_ACCESS_PAT).await;
    let plan = hooks::plan_hooks(&f.client, &f.records, &f.request())
        .await
        .unwrap();
    let report = hooks::apply_checked(&f.client, &f.records, &plan, &|_| {})
        .await
        .unwrap();
    let id = &report.created[0].subscription_id;
    let page = hooks::hook_page(&f.client, &f.records, id).await.unwrap();
    assert_eq!(
        page,
        format!(
            "{}/tfs/DefaultCollection/Fabrikam%20Fiber/_settings/serviceHooks",
            f.emu.base_url()
        )
    );
    let listed = hooks::list_hooks(&f.client, &f.records).await.unwrap();
    assert!(listed
        .iter()
        .all(|h| h.page_url.as_deref() == Some(page.as_str())));
    let other: hooks::SubscriptionId =
        serde_json::from_value(serde_json::json!("00000000-0000-0000-0000-000000000001")).unwrap();
    let refused = hooks::hook_page(&f.client, &f.records, &other)
        .await
        .expect_err("only a subscription this connection recorded has a page here");
    assert!(refused
        .message
        .contains("not one this connection registered"));
}

#[tokio::test]
async fn an_unknown_collection_is_answered_with_the_collections_that_exist() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let problem = verify_connection(
        &target(&emu, "DefaultColection"),
        Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .await
    .expect_err("no such collection");
    assert_eq!(problem.code, CheckCode::NotFound);
    assert_eq!(problem.field, Some(Field::Collection));
    assert!(
        problem
            .message
            .ends_with("The server has 3 collections: Big, DefaultCollection, Empty."),
        "{}",
        problem.message
    );
    assert!(
        problem.fix.starts_with("Did you mean DefaultCollection?"),
        "{}",
        problem.fix
    );

    // A token the server does not accept learns nothing about its collections.
    let stranger = verify_connection(
        &target(&emu, "Nope"),
        Credential::pat("not-a-token-the-server-knows-0123456789"),
        &ConnectOptions::default(),
    )
    .await
    .expect_err("no such collection");
    assert!(
        !stranger.message.contains("DefaultCollection"),
        "{}",
        stranger.message
    );
}
