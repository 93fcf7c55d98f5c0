//! "Contribute to pull requests" (Git Repositories namespace, `PullRequestContribute` 16384)
//! through `POST _apis/security/permissionevaluationbatch`.

use ado_emulator::scenario::{
    ProjectSpec, RepositorySpec, Scenario, TokenSpec, DEMO_DEVELOPER_EMAIL, DEMO_USER_EMAIL,
};
use ado_emulator::{Emulator, HostPath};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

const GIT: &str = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
const PULL_REQUEST_CONTRIBUTE: u32 = 16384;
const BATCH: &str = "/fabrikam/_apis/security/permissionevaluationbatch?api-version=7.0";

fn token(project: Uuid, repository: Option<Uuid>) -> String {
    match repository {
        Some(repository) => format!("repoV2/{project}/{repository}"),
        None => format!("repoV2/{project}"),
    }
}

async fn evaluate(emu: &Emulator, pat: &str, token: &str, permissions: u32) -> Value {
    let reply = post(
        emu,
        BATCH,
        pat,
        json!({
            "alwaysAllowAdministrators": false,
            "evaluations": [{ "securityNamespaceId": GIT, "token": token, "permissions": permissions }]
        }),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["evaluations"][0].clone()
}

async fn holds(emu: &Emulator, pat: &str, token: &str, permissions: u32) -> bool {
    evaluate(emu, pat, token, permissions).await["value"]
        .as_bool()
        .expect("a boolean value")
}

#[tokio::test]
async fn members_and_administrators_contribute_to_pull_requests() {
    let emu = demo().await;
    let project = fiber_cloud(&emu);
    let api = token(project, Some(repo(&emu, "fiber-cloud-api")));
    let answer = evaluate(&emu, DANA, &api, PULL_REQUEST_CONTRIBUTE).await;
    assert_eq!(
        answer,
        json!({
            "securityNamespaceId": GIT,
            "token": api,
            "permissions": PULL_REQUEST_CONTRIBUTE,
            "value": true,
        }),
        "a member (Contributor) holds it"
    );
    assert!(holds(&emu, FULL, &api, PULL_REQUEST_CONTRIBUTE).await);
    assert!(holds(&emu, DANA, &token(project, None), PULL_REQUEST_CONTRIBUTE).await);
    // Read + Contribute + Contribute to pull requests together.
    assert!(holds(&emu, DANA, &api, 2 | 4 | PULL_REQUEST_CONTRIBUTE).await);
    // Manage permissions (8192) is the administrators'.
    assert!(!holds(&emu, DANA, &api, 8192).await);
    assert!(holds(&emu, FULL, &api, 8192).await);
    // Bypass policies when completing pull requests (32768) is set for nobody.
    assert!(!holds(&emu, FULL, &api, 32768).await);
    // The whole namespace (every project) needs a collection administrator.
    assert!(!holds(&emu, DANA, "repoV2", PULL_REQUEST_CONTRIBUTE).await);
    // A project the host does not have.
    assert!(
        !holds(
            &emu,
            FULL,
            &token(Uuid::nil(), None),
            PULL_REQUEST_CONTRIBUTE
        )
        .await
    );
}

#[tokio::test]
async fn the_demo_denies_dana_on_tailwind_traders() {
    let emu = demo().await;
    let host = HostPath::organization("fabrikam");
    let project = emu.world().project_id(&host, "Tailwind Traders").unwrap();
    let repository = emu
        .world()
        .repository_id(&host, "Tailwind Traders", "tailwind-traders")
        .unwrap();
    let denied = token(project, Some(repository));
    assert!(!holds(&emu, DANA, &denied, PULL_REQUEST_CONTRIBUTE).await);
    // Only that bit, only there, only Dana.
    assert!(holds(&emu, DANA, &denied, 2).await, "she still reads it");
    assert!(holds(&emu, DANA, &token(project, None), PULL_REQUEST_CONTRIBUTE).await);
    assert!(holds(&emu, FULL, &denied, PULL_REQUEST_CONTRIBUTE).await);
    // A branch token below the repository inherits the deny.
    assert!(
        !holds(
            &emu,
            DANA,
            &format!("{denied}/refs/heads/6d00610069006e00"),
            PULL_REQUEST_CONTRIBUTE
        )
        .await
    );
    // Any valid token may ask, with the property names in any case.
    let lower = post(
        &emu,
        BATCH,
        PROJECT_ONLY,
        json!({"evaluations": [{"securitynamespaceid": GIT, "token": denied, "permissions": PULL_REQUEST_CONTRIBUTE}]}),
    )
    .await;
    assert_eq!(
        lower.json()["evaluations"][0]["value"],
        true,
        "Demo Admin's token"
    );
}

#[tokio::test]
async fn a_scenario_denies_with_pull_request_contribute_denied() {
    let mut scenario = Scenario::minimal();
    scenario.users.push(ado_emulator::scenario::UserSpec {
        display_name: "Dana Developer".to_string(),
        email: DEMO_DEVELOPER_EMAIL.to_string(),
        id: None,
        account: None,
        collection_administrator: false,
        declines_sign_in: false,
    });
    scenario.pats.push(TokenSpec::everywhere(
        "dana-token",
        DEMO_DEVELOPER_EMAIL,
        &["vso.code"],
    ));
    let mut project = ProjectSpec::named("Gamma").with_administrator(DEMO_USER_EMAIL);
    project.repositories = vec![
        RepositorySpec::named("open"),
        RepositorySpec::named("closed").deny_pull_request_contribute(DEMO_DEVELOPER_EMAIL),
    ];
    scenario.organizations[0].projects.push(project);
    // The field round-trips through scenario JSON under its camelCase name.
    let json = serde_json::to_string(&scenario).unwrap();
    assert!(json.contains("\"pullRequestContributeDenied\":[\"dana.dev@fabrikam.example\"]"));
    let emu = with_scenario(Scenario::from_json(&json).unwrap()).await;
    let host = HostPath::organization("acme");
    let id = |name: &str| emu.world().repository_id(&host, "Gamma", name).unwrap();
    let project = emu.world().project_id(&host, "Gamma").unwrap();
    let batch = "/acme/_apis/security/permissionevaluationbatch?api-version=7.0";
    let ask = |repository: Uuid| {
        json!({"evaluations": [{"securityNamespaceId": GIT,
            "token": token(project, Some(repository)), "permissions": PULL_REQUEST_CONTRIBUTE}]})
    };
    let open = post(&emu, batch, "dana-token", ask(id("open")))
        .await
        .json();
    assert_eq!(open["evaluations"][0]["value"], true);
    let closed = post(&emu, batch, "dana-token", ask(id("closed")))
        .await
        .json();
    assert_eq!(closed["evaluations"][0]["value"], false);
    // The administrator's group permission overrides a deny naming them.
    let admin = post(&emu, batch, FULL, ask(id("closed"))).await.json();
    assert_eq!(admin["evaluations"][0]["value"], true);

    // An unknown user in the list is refused when the world is built.
    let mut bad = Scenario::minimal();
    bad.organizations[0].projects[0].repositories[0]
        .pull_request_contribute_denied
        .push("ghost@example.invalid".to_string());
    assert!(ado_emulator::Emulator::spawn(ado_emulator::Config {
        scenario: bad,
        ..Default::default()
    })
    .await
    .is_err());
}
