//! DX once its checks pass: connector PATs kept only then, its pull-request webhooks per
//! project with the `X-ADO-Signature` secret DX gives, the POST of each credential to DX's
//! `credentials.create` (a TLS test double, trusted through configuration only) in DX's
//! documented body shape, and the script that recreates the webhooks.

use std::collections::BTreeMap;
use std::time::Duration;

use ado_core::checks::CheckCode;
use ado_core::product::handoff::{HandoffFacts, Reveal, SecretKey};
use ado_core::product::SignInMethod;
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_emulator::HostPath;
use ado_flows::hooks::HookRecords;
use ado_flows::product::gate::{Clear, Outcome};
use ado_flows::product::handoff::{recorded_specs, Handoff, HandoffChoice};
use ado_flows::product::post::{post_handoff, PostOptions};
use ado_flows::product::{apply_product_hooks, plan_product_hooks, ProductHooksRequest};
use ado_flows::ConnectOptions;
use secrecy::SecretString;

use crate::product_api::ProductApi;
use crate::support::*;

const DX_SECRET: &str = "dx-given-webhook-secret-0123456789";
const DX_URL: &str = "https://acme.getdx.invalid";
const BOARDS_NO_WORK: &str = "dx-boards-without-work-items-pat-0123456789abcdef";

fn fast(ca: Option<String>) -> PostOptions {
    PostOptions {
        trusted_ca_pem: ca,
        backoff: Duration::from_millis(20),
        ..Default::default()
    }
}

#[tokio::test]
async fn connector_pats_are_kept_only_once_every_check_passes() {
    let emu = emulator_with(|s| {
        dx_world(s);
        add_pat(
            s,
            BOARDS_NO_WORK,
            &["vso.graph", "vso.identity", "vso.project", "vso.release"],
        );
    })
    .await;
    let fx = saved(
        services(&emu, "fabrikam"),
        DEMO_FULL_ACCESS_PAT,
        Some(LATER),
    )
    .await;
    let mut wrong = dx_pats();
    wrong[0] = connector_pat("boards", 0, BOARDS_NO_WORK, LATER);
    let Outcome::Refused(report) = fx
        .clear(profile("dx"), (None, None), wrong, Clear::Always, now())
        .await
    else {
        panic!("a Boards token without Work Items (Read) does not pass")
    };
    assert!(report
        .failures()
        .iter()
        .any(|f| f.0 == "invalid_credentials"));
    // Nothing was kept: without tokens given now, none are found.
    let Outcome::Refused(report) = fx
        .clear(
            profile("dx"),
            (None, None),
            Vec::new(),
            Clear::Always,
            now(),
        )
        .await
    else {
        panic!("no connector token was kept after a failure")
    };
    assert!(report
        .restrictions
        .iter()
        .any(|r| r.title == "A token per connector"
            && r.message.contains("Boards, Pipelines, Repositories")));

    let outcome = fx
        .clear(profile("dx"), (None, None), dx_pats(), Clear::Always, now())
        .await;
    let Outcome::Cleared(_, Some(report)) = outcome else {
        panic!("DX's service accounts pass: {outcome:#?}")
    };
    assert!(report.ok);
    // Kept, with their dates (DX refuses an undated token): "Check access" finds them.
    let Outcome::Cleared(_, Some(again)) = fx
        .clear(
            profile("dx"),
            (None, None),
            Vec::new(),
            Clear::Always,
            now(),
        )
        .await
    else {
        panic!("the kept tokens pass again")
    };
    assert!(again.ok, "{:#?}", again.failures());
    let checked: Vec<&str> = again
        .connectors
        .iter()
        .map(|c| c.connector.as_str())
        .collect();
    assert_eq!(
        checked,
        [
            "boards",
            "pipelines",
            "repos",
            "pull_commits",
            "commits",
            "webhooks"
        ]
    );

    // The hand-off gives each connector its own token, never the connection's.
    let handoff = fx
        .handoff(profile("dx"), HandoffChoice::default(), now())
        .await
        .expect("cleared by the recorded pass");
    let panel = handoff.panel(&Reveal::All);
    let shown: Vec<(&str, Option<&str>)> = panel
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref()))
        .collect();
    let tokens: Vec<String> = DX_CONNECTORS.iter().map(|(c, _, _)| dx_token(c)).collect();
    assert_eq!(
        shown,
        [
            ("Personal access token (Boards)", Some(tokens[0].as_str())),
            (
                "Personal access token (Pipelines)",
                Some(tokens[1].as_str())
            ),
            (
                "Personal access token (Repositories)",
                Some(tokens[2].as_str())
            ),
            (
                "Personal access token (Pull Commits)",
                Some(tokens[3].as_str())
            ),
            (
                "Personal access token (Commits (default branch))",
                Some(tokens[4].as_str())
            ),
        ]
    );
    assert!(!format!("{panel:?}").contains(DEMO_FULL_ACCESS_PAT));
}

#[tokio::test]
async fn dx_registers_its_webhooks_and_posts_each_credential_in_its_documented_body() {
    let emu = emulator_with(dx_world).await;
    let target = services(&emu, "fabrikam");
    let fx = saved(target.clone(), DEMO_FULL_ACCESS_PAT, Some(LATER)).await;
    let cleared = fx
        .clear(profile("dx"), (None, None), dx_pats(), Clear::Always, now())
        .await
        .cleared()
        .unwrap_or_else(|p| panic!("DX's service accounts pass: {p:?}"));
    let client = ado_flows::verify::client_for(
        &target,
        ado_client::Credential::pat(DEMO_FULL_ACCESS_PAT),
        &ConnectOptions::default(),
    )
    .unwrap();
    let records = HookRecords::new(fx.connections.clone(), fx.id.clone());
    let mut hooks = ProductHooksRequest {
        placeholders: BTreeMap::from([("dx_url".to_string(), DX_URL.to_string())]),
        projects: Vec::new(),
        repositories: Vec::new(),
        secret: None,
    };
    let problem = apply_product_hooks(&cleared, &client, &records, &hooks, &|_| {})
        .await
        .expect_err("DX gives the secret");
    assert!(problem.message.contains("X-ADO-Signature"), "{problem:?}");
    hooks.secret = Some(SecretString::from(DX_SECRET.to_string()));

    let report = apply_product_hooks(&cleared, &client, &records, &hooks, &|_| {})
        .await
        .expect("the hooks apply");
    assert!(report.ok, "{report:#?}");
    let subscriptions = emu
        .world()
        .subscriptions(&HostPath::organization("fabrikam"))
        .unwrap();
    let projects = client.all_projects().await.unwrap();
    assert_eq!(projects.len(), 2);
    assert_eq!(subscriptions.len(), 3 * projects.len(), "three per project");
    for p in &projects {
        let mut events: Vec<&str> = subscriptions
            .iter()
            .filter(|s| {
                s.publisher_inputs.get("projectId").map(String::as_str) == Some(p.id.as_str())
            })
            .map(|s| s.event_type.as_str())
            .collect();
        events.sort();
        assert_eq!(
            events,
            [
                "git.pullrequest.created",
                "git.pullrequest.merged",
                "git.pullrequest.updated"
            ],
            "project {}",
            p.name
        );
    }
    for s in &subscriptions {
        assert_eq!(
            (
                s.publisher_id.as_str(),
                s.consumer_id.as_str(),
                s.consumer_action_id.as_str()
            ),
            ("tfs", "webHooks", "httpRequest")
        );
        assert_eq!(s.resource_version.as_deref(), Some("1.0"));
        assert_eq!(
            s.consumer_input("url"),
            Some(format!("{DX_URL}/webhooks/ado").as_str())
        );
        assert_eq!(
            s.consumer_input("httpHeaders"),
            Some(format!("X-ADO-Signature:{DX_SECRET}").as_str()),
            "DX's own secret, not a generated one"
        );
    }
    let again = apply_product_hooks(&cleared, &client, &records, &hooks, &|_| {})
        .await
        .unwrap();
    assert!(
        again.runs.iter().all(|r| r.report.created.is_empty()),
        "a second run creates nothing"
    );
    let plan = plan_product_hooks(&cleared, &client, &records, &hooks)
        .await
        .unwrap();
    assert_eq!(
        (plan.plans.len(), plan.header.as_str()),
        (2, "X-ADO-Signature")
    );

    // The POST to DX's API, per credential, over TLS with a private CA.
    let api = ProductApi::start(vec![503, 200]).await;
    let mut choice = HandoffChoice {
        placeholders: BTreeMap::from([
            ("dx_api_url".to_string(), api.url.clone()),
            ("dx_connection_id".to_string(), "456".to_string()),
        ]),
        ..Default::default()
    };
    let handoff = fx
        .handoff(profile("dx"), choice.clone(), now())
        .await
        .expect("cleared");
    let token = SecretString::from("dx-api-token-for-tests".to_string());
    let untrusted = post_handoff(&handoff, &token, &fast(None)).await.unwrap();
    assert_eq!(
        untrusted.failed.as_ref().map(|f| f.problem.code),
        Some(CheckCode::TlsUntrusted),
        "verification stays on: {untrusted:#?}"
    );
    assert!(
        api.received().is_empty(),
        "nothing reached an untrusted API"
    );

    let result = post_handoff(&handoff, &token, &fast(Some(api.ca_pem.clone())))
        .await
        .unwrap();
    assert!(result.ok, "{result:#?}");
    assert_eq!(result.delivered[0].attempts, 2, "the 503 was retried");
    assert_eq!(result.delivered.len(), 5, "one per credential");
    let received = api.received();
    assert_eq!(
        received.len(),
        6,
        "one retried request plus one per credential"
    );
    for r in &received {
        assert_eq!(r.path, "/credentials.create");
        assert_eq!(r.authorization, "Bearer dx-api-token-for-tests");
    }
    for (r, (connector, _, _)) in received[1..].iter().zip(DX_CONNECTORS) {
        assert_eq!(
            r.body,
            serde_json::json!({
                "id": 456,
                "secrets": { "personal_access_token": dx_token(connector) }
            }),
            "DX's documented body, the connection id a JSON number"
        );
    }

    // A connection id that is not a whole number is refused before anything is sent.
    choice
        .placeholders
        .insert("dx_connection_id".into(), "four".into());
    let handoff_bad = fx.handoff(profile("dx"), choice, now()).await.unwrap();
    let problem = post_handoff(&handoff_bad, &token, &fast(Some(api.ca_pem.clone())))
        .await
        .expect_err("not a number");
    assert!(
        problem.message.contains("dx_connection_id")
            || problem.message.contains("DX connection ID"),
        "{problem:?}"
    );
    assert_eq!(api.received().len(), 6);

    // The script that recreates the subscriptions elsewhere: secrets as variables only.
    let specs = recorded_specs(&fx.connections, &fx.id).unwrap();
    let script = handoff.reproduction_script(&specs);
    assert_eq!(script.matches("curl ").count(), subscriptions.len());
    assert!(
        script.contains("X-ADO-Signature:${WEBHOOK_SECRET}") && !script.contains(DX_SECRET),
        "{script}"
    );
}

#[tokio::test]
async fn a_refused_post_carries_the_products_answer() {
    let api = ProductApi::start(vec![422]).await;
    let emu = emulator().await;
    let facts = HandoffFacts {
        target: services(&emu, "fabrikam"),
        method: SignInMethod::Pat,
        server_public_url: None,
        project: None,
        repository: None,
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: Vec::new(),
        placeholders: BTreeMap::from([
            ("dx_api_url".to_string(), api.url.clone()),
            ("dx_connection_id".to_string(), "456".to_string()),
        ]),
    };
    let handoff = Handoff::new(profile("dx"), facts).with_secret(
        SecretKey::Pat {
            connector: "repos".into(),
            index: 0,
        },
        SecretString::from("p".to_string()),
    );
    let report = post_handoff(
        &handoff,
        &SecretString::from("t0ken".to_string()),
        &fast(Some(api.ca_pem.clone())),
    )
    .await
    .unwrap();
    let failed = report.failed.expect("422 is a refusal");
    assert_eq!(
        (failed.status, failed.attempts),
        (Some(422), 1),
        "a 4xx is not retried"
    );
    assert!(
        failed
            .answer
            .as_deref()
            .is_some_and(|a| a.contains("name already taken")),
        "{failed:?}"
    );
    assert!(
        !format!("{failed:?}").contains("t0ken"),
        "the token is in no error"
    );
}
