//! What a product refuses before anything is sent: a deployment it does not support, a PAT
//! expiry date that is not a date or has passed, a missing token per connector, the project
//! and repository its form needs. Each refusal is checked at the connect form
//! (`connect_rules`), in the checks (`check_product`) and at the gate of a saved connection
//! (`open_handoff`, `clear_saved`), and the emulator must have received nothing.

use ado_core::checks::CheckCode;
use ado_core::preflight::Status;
use ado_core::product::handoff::{HandoffFacts, Reveal};
use ado_core::product::verdicts::Rule;
use ado_core::product::SignInMethod;
use ado_core::target::{Deployment, Field};
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_flows::product::gate::{Clear, Outcome};
use ado_flows::product::handoff::{Handoff, HandoffChoice};
use ado_flows::product::saved::{connect_rules, ConnectInput};
use ado_flows::product::ProductReport;

use crate::support::*;

const SERVICES_ONLY: [(&str, &str); 4] = [
    ("dbt", "dbt"),
    ("dx", "DX"),
    ("datafold", "Datafold"),
    ("kong-konnect", "Kong Konnect"),
];

fn refused_for_the_server(report: &ProductReport, name: &str) {
    let r = restriction(report, Rule::Deployment);
    assert_eq!(
        (r.status, r.code, r.field),
        (
            Status::Fail,
            Some(CheckCode::InvalidInput),
            Some(Field::ServerUrl)
        ),
        "{name}: {r:?}"
    );
    assert!(
        r.message.contains(&format!(
            "{name} does not support Azure DevOps Server; it works with Azure DevOps Services only"
        )),
        "{}",
        r.message
    );
    assert!(report.refused && !report.ok, "{name}");
    assert!(report.connectors.is_empty(), "{name}: nothing was probed");
}

#[tokio::test]
async fn services_only_products_refuse_a_server_before_anything_is_sent() {
    let emu = emulator().await;
    let target = server(&emu, "tfs/DefaultCollection");
    // The connection exists (saved while no product was chosen); saving it sent requests.
    let fx = saved(target.clone(), DEMO_FULL_ACCESS_PAT, Some(LATER)).await;
    emu.clear_requests();
    for (id, name) in SERVICES_ONLY {
        let p = profile(id);
        // The connect form: the deployment radio button alone, then the whole target.
        for input in [
            ConnectInput {
                deployment: Some(Deployment::Server),
                ..Default::default()
            },
            ConnectInput {
                target: Some(target.clone()),
                method: Some(p.sign_in.recommended),
                expires_on: Some(LATER.into()),
                ..Default::default()
            },
        ] {
            let rules = connect_rules(&p, &input);
            assert!(rules.refused, "{name}: {:#?}", rules.restrictions);
            let first = rules
                .restrictions
                .iter()
                .find(|r| r.status == Status::Fail)
                .unwrap();
            assert_eq!(
                (first.rule, first.field),
                (Rule::Deployment, Some(Field::ServerUrl))
            );
            assert!(first
                .message
                .contains("does not support Azure DevOps Server"));
        }

        // The checks, with the product's recommended sign-in.
        let mut credential = pat("default", 0, DEMO_FULL_ACCESS_PAT);
        credential.connector = p.connectors[0].id.clone();
        credential.method = p.sign_in.recommended;
        let report = check(&request(p.clone(), target.clone(), vec![credential])).await;
        refused_for_the_server(&report, name);

        // The hand-off of the saved connection, and the gate of the webhooks.
        let problem = fx
            .handoff(p.clone(), chosen("Fabrikam Fiber", "fiber-api"), now())
            .await
            .expect_err("a Server is refused");
        assert_eq!(
            (problem.code, problem.field),
            (CheckCode::InvalidInput.into(), Some(Field::ServerUrl)),
            "{name}: {problem:?}"
        );
        assert!(
            problem
                .message
                .contains(&format!("The connection has not passed {name}'s checks"))
                && problem
                    .message
                    .contains("does not support Azure DevOps Server"),
            "{}",
            problem.message
        );
        match fx
            .clear(p.clone(), (None, None), Vec::new(), Clear::IfStale, now())
            .await
        {
            Outcome::Refused(report) => refused_for_the_server(&report, name),
            Outcome::Cleared(..) => panic!("{name} cleared a Server connection"),
        }
    }
    assert_eq!(
        emu.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>(),
        Vec::<String>::new(),
        "nothing was sent to a server the products refuse"
    );
}

#[tokio::test]
async fn a_pat_expiry_that_is_not_a_date_or_has_passed_is_refused_naming_the_field() {
    let emu = emulator().await;
    let target = services(&emu, "fabrikam");
    for (date, code, words) in [
        (
            "31/01/2027",
            CheckCode::InvalidInput,
            "The expiry date \"31/01/2027\" is not a date written YYYY-MM-DD",
        ),
        ("2027-02-30", CheckCode::InvalidInput, "is not a date"),
        (
            "2020-01-01",
            CheckCode::TokenExpired,
            "expired on 2020-01-01",
        ),
    ] {
        // Any product, whether it asks for a date or not: a date given must be one.
        for id in ["dx", "kong-konnect"] {
            let rules = connect_rules(
                &profile(id),
                &ConnectInput {
                    target: Some(target.clone()),
                    method: Some(SignInMethod::Pat),
                    expires_on: Some(date.into()),
                    ..Default::default()
                },
            );
            let r = rules
                .restrictions
                .iter()
                .find(|r| r.rule == Rule::PatExpiry)
                .expect("an expiry row");
            assert!(rules.refused, "{id} {date}");
            assert_eq!(
                (r.status, r.code, r.field),
                (Status::Fail, Some(code), Some(Field::Pat)),
                "{id} {date}: {r:?}"
            );
            assert!(r.message.contains(words), "{}", r.message);
        }

        // One connector's PAT among good ones.
        let mut boards = pat("boards", 0, DEMO_FULL_ACCESS_PAT);
        boards.expires_on = Some(date.into());
        let mut req = request(
            profile("dx"),
            target.clone(),
            vec![
                boards,
                pat("pipelines", 0, DEMO_FULL_ACCESS_PAT),
                pat("repos", 0, DEMO_FULL_ACCESS_PAT),
                pat("pull_commits", 0, DEMO_FULL_ACCESS_PAT),
                pat("commits", 0, DEMO_FULL_ACCESS_PAT),
            ],
        );
        req.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));
        let report = check(&req).await;
        let failing = failing_restrictions(&report);
        assert_eq!(failing.len(), 1, "only the bad date: {failing:#?}");
        assert_eq!(
            (failing[0].rule, failing[0].code, failing[0].field),
            (Rule::PatExpiry, Some(code), Some(Field::Pat))
        );
        assert!(failing[0].message.contains(words), "{}", failing[0].message);
        assert!(report.refused && report.connectors.is_empty());
    }

    // A DX PAT without a date at all.
    let mut undated = pat("boards", 0, DEMO_FULL_ACCESS_PAT);
    undated.expires_on = None;
    let report = check(&request(profile("dx"), target.clone(), vec![undated])).await;
    let r = restriction(&report, Rule::PatExpiry);
    assert_eq!((r.status, r.field), (Status::Fail, Some(Field::Pat)));
    assert!(
        r.message
            .contains("DX asks for a PAT with an expiration date"),
        "{}",
        r.message
    );

    // At the gate: a connector PAT with a nonsense date is refused and not kept.
    let fx = saved(target, DEMO_FULL_ACCESS_PAT, Some(LATER)).await;
    emu.clear_requests();
    let pats = ["boards", "pipelines", "repos", "pull_commits", "commits"]
        .iter()
        .map(|c| {
            let date = if *c == "boards" { "31/01/2027" } else { LATER };
            connector_pat(c, 0, DEMO_FULL_ACCESS_PAT, date)
        })
        .collect();
    let Outcome::Refused(report) = fx
        .clear(profile("dx"), (None, None), pats, Clear::Always, now())
        .await
    else {
        panic!("a nonsense date clears nothing")
    };
    assert_eq!(
        restriction(&report, Rule::PatExpiry).field,
        Some(Field::Pat)
    );
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
        panic!("no connector token was kept")
    };
    assert!(
        failing_restrictions(&report)
            .iter()
            .any(|r| r.title == "A token per connector"),
        "{:#?}",
        report.restrictions
    );
    assert_eq!(emu.requests().len(), 0, "refused before anything is sent");
}

#[tokio::test]
async fn dx_without_a_token_per_connector_is_refused_before_anything_is_sent() {
    let emu = emulator().await;
    let target = services(&emu, "fabrikam");
    let mut req = request(profile("dx"), target.clone(), Vec::new());
    req.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));
    let report = check(&req).await;
    let failing = failing_restrictions(&report);
    assert_eq!(failing.len(), 1, "{failing:#?}");
    assert_eq!(failing[0].title, "A token per connector");
    assert_eq!(failing[0].field, Some(Field::Pat));
    assert!(
        failing[0].message.contains(
            "DX needs its own token for each connector; none was given for Boards, Pipelines, Repositories, Pull Commits, Commits (default branch)"
        ),
        "{}",
        failing[0].message
    );

    // Only some connectors: the others are named.
    let mut some = request(
        profile("dx"),
        target.clone(),
        vec![
            pat("boards", 0, DEMO_FULL_ACCESS_PAT),
            pat("repos", 0, DEMO_FULL_ACCESS_PAT),
        ],
    );
    some.hooks_credential = Some(pat("webhooks", 0, DEMO_FULL_ACCESS_PAT));
    let report = check(&some).await;
    let failing = failing_restrictions(&report);
    assert!(
        failing.len() == 1
            && failing[0]
                .message
                .ends_with("none was given for Pipelines, Pull Commits, Commits (default branch)."),
        "{failing:#?}"
    );

    // A saved connection with none kept: the connection's own PAT does not stand in.
    let fx = saved(target, DEMO_FULL_ACCESS_PAT, Some(LATER)).await;
    emu.clear_requests();
    let problem = fx
        .handoff(profile("dx"), HandoffChoice::default(), now())
        .await
        .expect_err("no connector token, no hand-off");
    assert!(
        problem
            .message
            .contains("DX needs its own token for each connector"),
        "{}",
        problem.message
    );
    assert_eq!(emu.requests().len(), 0);
}

#[tokio::test]
async fn datafold_without_project_or_repository_is_refused_naming_what_is_missing() {
    let emu = emulator().await;
    let target = services(&emu, "fabrikam");
    let fx = saved(target.clone(), DEMO_FULL_ACCESS_PAT, None).await;
    emu.clear_requests();
    for (choice, named, not_named) in [
        (
            HandoffChoice::default(),
            vec!["project", "repository"],
            vec![],
        ),
        (
            HandoffChoice {
                project: Some("Fiber Cloud".into()),
                ..Default::default()
            },
            vec!["repository"],
            vec!["project"],
        ),
        (
            HandoffChoice {
                project: Some("Fiber Cloud".into()),
                repository: Some("  ".into()),
                ..Default::default()
            },
            vec!["repository"],
            vec!["project"],
        ),
    ] {
        let problem = fx
            .handoff(profile("datafold"), choice.clone(), now())
            .await
            .expect_err("refused");
        assert_eq!(problem.code, CheckCode::InvalidInput, "{problem:?}");
        for what in named {
            assert!(
                problem.message.contains(&format!(
                    "Datafold asks for the {what}, and none was chosen"
                )),
                "{what}: {}",
                problem.message
            );
        }
        for what in not_named {
            assert!(
                !problem.message.contains(&format!("asks for the {what},")),
                "{}",
                problem.message
            );
        }
    }
    assert_eq!(emu.requests().len(), 0, "refused before anything is sent");

    // The hand-off itself never hands over an empty field either.
    let facts = HandoffFacts {
        target,
        method: SignInMethod::Pat,
        server_public_url: None,
        project: Some("Fiber Cloud".into()),
        repository: None,
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: Vec::new(),
        placeholders: Default::default(),
    };
    let handoff = Handoff::new(profile("datafold"), facts);
    let missing: Vec<String> = handoff.missing().into_iter().map(|m| m.label).collect();
    assert_eq!(missing, ["Personal/project Access Token", "Repository"]);
    let problem = handoff.require_complete().expect_err("incomplete");
    assert!(
        problem
            .message
            .contains("Personal/project Access Token, Repository"),
        "{}",
        problem.message
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("datafold.json");
    handoff
        .export_to(&file, false, 1)
        .expect_err("no export with a field missing");
    assert!(!file.exists(), "nothing written");
    let panel = handoff.panel(&Reveal::All);
    assert_eq!(
        panel
            .fields
            .iter()
            .find(|f| f.label == "Repository")
            .map(|f| &f.value),
        Some(&None)
    );
}
