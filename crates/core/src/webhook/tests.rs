//! Tests of the webhook planner, matching, bodies and receiver checks.

use std::collections::BTreeMap;

use super::*;
use crate::checks::CheckCode;
use crate::target::Deployment;

const PROJECT: &str = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c";
const REPO: &str = "3411ebc1-d5aa-464f-9615-0b527bc66719";
const URL: &str = "https://hooks.example.com/ado";

/// The fingerprint function of these tests: visibly not the secret.
fn fp(secret: &str) -> String {
    format!(
        "fp({})",
        secret.len() + secret.bytes().map(usize::from).sum::<usize>()
    )
}

fn header_auth(secret: &str) -> HookAuth {
    HookAuth::SecretHeader {
        header: DEFAULT_SECRET_HEADER.into(),
        secret: SecretRef {
            key: "hook-secret:p".into(),
            fingerprint: Some(fp(secret)),
        },
    }
}

fn spec(event: EventKind) -> HookSpec {
    HookSpec {
        event,
        project_id: PROJECT.into(),
        repository_id: None,
        branch: None,
        url: URL.into(),
        auth: header_auth("s3cret-value-0123456789"),
    }
}

/// What the server would return for `spec` created with `secret`.
fn existing_for(id: &str, spec: &HookSpec, secret: &str) -> ExistingSubscription {
    let body = subscription_body(spec, secret);
    let mut publisher = body.publisher_inputs.clone();
    publisher.insert("tfsSubscriptionId".into(), "42".into());
    ExistingSubscription::from_wire(
        id,
        Some(&body.publisher_id),
        Some(&body.event_type),
        Some(&body.resource_version),
        Some(&body.consumer_id),
        Some(&body.consumer_action_id),
        &publisher,
        &body.consumer_inputs,
        Some("enabled"),
        &fp,
    )
}

fn recorded(id: &str, spec: &HookSpec, secret: &str) -> RecordedHook {
    RecordedHook {
        id: id.into(),
        spec: spec.clone(),
        origin: HookOrigin::Created,
        secret_fingerprint: Some(fp(secret)),
        recorded_at: 0,
    }
}

const SECRET: &str = "s3cret-value-0123456789";

#[test]
fn event_names_round_trip() {
    for e in EventKind::ALL {
        assert_eq!(EventKind::from_event_type(e.event_type()), Some(e));
        assert_eq!(EventKind::from_cli_name(e.cli_name()), Some(e));
        assert_eq!(
            EventKind::from_cli_name(e.event_type()),
            Some(e),
            "eventType works on the CLI too"
        );
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            e.event_type(),
            "JSON uses Azure DevOps' names"
        );
    }
    assert_eq!(
        EventKind::from_cli_name("PR-MERGED"),
        Some(EventKind::PullRequestMerged)
    );
    assert_eq!(EventKind::from_cli_name("workitem.created"), None);
}

#[test]
fn a_selection_becomes_one_spec_per_event_and_build_events_stay_project_wide() {
    let selection = HookSelection {
        events: vec![
            EventKind::BuildCompleted,
            EventKind::CodePushed,
            EventKind::CodePushed,
        ],
        project_id: PROJECT.into(),
        repository_id: Some(REPO.into()),
        branch: Some("refs/heads/main".into()),
        url: format!(" {URL} "),
        auth: header_auth(SECRET),
    };
    let specs = selection.specs().unwrap();
    assert_eq!(specs.len(), 2, "duplicates drop: {specs:?}");
    assert_eq!(specs[0].event, EventKind::CodePushed, "in the UI's order");
    assert_eq!(specs[0].repository_id.as_deref(), Some(REPO));
    assert_eq!(
        specs[0].branch.as_deref(),
        Some("main"),
        "refs/heads/ is dropped"
    );
    assert_eq!(specs[0].url, URL, "trimmed");
    assert_eq!(specs[1].event, EventKind::BuildCompleted);
    assert_eq!(
        (
            specs[1].repository_id.as_deref(),
            specs[1].branch.as_deref()
        ),
        (None, None)
    );
}

#[test]
fn selections_that_cannot_work_are_refused() {
    let base = HookSelection {
        events: vec![EventKind::CodePushed],
        project_id: PROJECT.into(),
        repository_id: None,
        branch: None,
        url: URL.into(),
        auth: header_auth(SECRET),
    };
    let cases: Vec<(HookSelection, SelectionError)> = vec![
        (
            HookSelection {
                events: vec![],
                ..base.clone()
            },
            SelectionError::NoEvents,
        ),
        (
            HookSelection {
                project_id: " ".into(),
                ..base.clone()
            },
            SelectionError::NoProject,
        ),
        (
            HookSelection {
                branch: Some("main".into()),
                ..base.clone()
            },
            SelectionError::BranchWithoutRepository("main".into()),
        ),
    ];
    for (selection, error) in cases {
        assert_eq!(selection.specs().unwrap_err(), error);
    }
    let bad_header = HookSelection {
        auth: HookAuth::SecretHeader {
            header: "Authorization".into(),
            secret: SecretRef {
                key: "k".into(),
                fingerprint: None,
            },
        },
        ..base.clone()
    };
    assert!(matches!(
        bad_header.specs(),
        Err(SelectionError::BadHeaderName(_))
    ));
    let bad_user = HookSelection {
        auth: HookAuth::Basic {
            username: "a:b".into(),
            password: SecretRef {
                key: "k".into(),
                fingerprint: None,
            },
        },
        ..base
    };
    assert!(matches!(
        bad_user.specs(),
        Err(SelectionError::BadUsername(_))
    ));
}

#[test]
fn bodies_carry_the_documented_inputs_per_event() {
    let narrowed = |e| HookSpec {
        repository_id: Some(REPO.into()),
        branch: Some("main".into()),
        ..spec(e)
    };
    let git = [
        ("projectId", PROJECT),
        ("repository", REPO),
        ("branch", "main"),
    ];
    let cases: Vec<(EventKind, Vec<(&str, &str)>)> = vec![
        (EventKind::PullRequestCreated, git.to_vec()),
        (EventKind::PullRequestUpdated, git.to_vec()),
        (
            EventKind::PullRequestMerged,
            [git.as_slice(), &[("mergeResult", "Succeeded")]].concat(),
        ),
        (EventKind::CodePushed, git.to_vec()),
        (EventKind::BuildCompleted, vec![("projectId", PROJECT)]),
    ];
    for (event, inputs) in cases {
        let body = subscription_body(&narrowed(event), SECRET);
        let expected: BTreeMap<String, String> = inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(body.publisher_inputs, expected, "{event:?}");
        assert_eq!(
            (
                body.publisher_id.as_str(),
                body.consumer_id.as_str(),
                body.consumer_action_id.as_str(),
                body.resource_version.as_str()
            ),
            ("tfs", "webHooks", "httpRequest", "1.0")
        );
        assert_eq!(body.event_type, event.event_type());
    }
}

#[test]
fn consumer_inputs_hold_the_url_the_secret_and_what_to_send() {
    let body = subscription_body(&spec(EventKind::CodePushed), SECRET);
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(
        json["consumerInputs"],
        serde_json::json!({
            "url": URL,
            "httpHeaders": format!("X-ADO-Connect-Secret:{SECRET}"),
            "resourceDetailsToSend": "all",
            "messagesToSend": "none",
            "detailedMessagesToSend": "none",
        })
    );
    let basic = HookSpec {
        auth: HookAuth::Basic {
            username: "ado".into(),
            password: SecretRef {
                key: "k".into(),
                fingerprint: None,
            },
        },
        ..spec(EventKind::CodePushed)
    };
    let body = subscription_body(&basic, "pw-123");
    assert_eq!(body.consumer_inputs["basicAuthUsername"], "ado");
    assert_eq!(body.consumer_inputs["basicAuthPassword"], "pw-123");
    assert!(!body.consumer_inputs.contains_key("httpHeaders"));
    let debug = format!("{body:?}");
    assert!(
        !debug.contains("pw-123"),
        "Debug never shows the password: {debug}"
    );
    let debug = format!(
        "{:?}",
        subscription_body(&spec(EventKind::CodePushed), SECRET)
    );
    assert!(
        !debug.contains(SECRET),
        "Debug never shows the header secret: {debug}"
    );
}

#[test]
fn urls_normalize_to_what_identifies_the_receiver() {
    let same = [
        (
            "https://Hooks.Example.com/ado",
            "https://hooks.example.com/ado",
        ),
        (
            "https://hooks.example.com:443/ado/",
            "https://hooks.example.com/ado",
        ),
        (
            "https://hooks.example.com/ado#frag",
            "https://hooks.example.com/ado",
        ),
        ("https://hooks.example.com/", "https://hooks.example.com"),
        ("HTTP://h:80", "http://h"),
    ];
    for (a, b) in same {
        assert_eq!(normalize_url(a), normalize_url(b), "{a} = {b}");
    }
    let different = [
        ("https://h/ado", "https://h/ADO"),
        ("https://h/ado", "http://h/ado"),
        ("https://h/ado?x=1", "https://h/ado?x=2"),
        ("https://h:8443/ado", "https://h/ado"),
    ];
    for (a, b) in different {
        assert_ne!(normalize_url(a), normalize_url(b), "{a} ≠ {b}");
    }
}

#[test]
fn http_headers_split_per_line() {
    assert_eq!(
        parse_http_headers("X-A: 1\r\nX-B:two:parts\n\nbroken\n : empty-name"),
        vec![
            ("X-A".to_string(), "1".to_string()),
            ("X-B".to_string(), "two:parts".to_string())
        ]
    );
}

#[test]
fn the_matching_rule() {
    let base = HookSpec {
        repository_id: Some(REPO.into()),
        branch: Some("main".into()),
        ..spec(EventKind::CodePushed)
    };
    let existing = existing_for("a", &base, SECRET);
    type Edit = fn(&mut ExistingSubscription);
    let cases: Vec<(&str, Edit, bool)> = vec![
        ("identical", |_| {}, true),
        (
            "other secret",
            |e| e.headers[0].value = SecretFact::Fingerprint("x".into()),
            true,
        ),
        (
            "disabled",
            |e| e.status = SubscriptionStatus::DisabledBySystem,
            true,
        ),
        (
            "url with slash and caps",
            |e| e.url = Some("https://HOOKS.example.com/ado/".into()),
            true,
        ),
        (
            "branch as a ref",
            |e| {
                e.publisher_inputs
                    .insert("branch".into(), "refs/heads/main".into());
            },
            true,
        ),
        (
            "ids in capitals",
            |e| {
                e.publisher_inputs
                    .insert("projectId".into(), PROJECT.to_uppercase());
            },
            true,
        ),
        (
            "other url",
            |e| e.url = Some("https://other.example.com/ado".into()),
            false,
        ),
        (
            "other event",
            |e| e.event_type = "git.pullrequest.created".into(),
            false,
        ),
        (
            "other project",
            |e| {
                e.publisher_inputs.insert("projectId".into(), "p2".into());
            },
            false,
        ),
        (
            "any repository",
            |e| {
                e.publisher_inputs.remove("repository");
            },
            false,
        ),
        (
            "other branch",
            |e| {
                e.publisher_inputs.insert("branch".into(), "dev".into());
            },
            false,
        ),
        (
            "any branch (empty)",
            |e| {
                e.publisher_inputs.insert("branch".into(), "".into());
            },
            false,
        ),
        ("other consumer", |e| e.consumer_id = "slack".into(), false),
        ("other publisher", |e| e.publisher_id = "rm".into(), false),
    ];
    for (name, edit, expected) in cases {
        let mut e = existing.clone();
        edit(&mut e);
        assert_eq!(matches(&base, &e), expected, "{name}");
    }
    // A spec for "any repository" does not take a repository-scoped subscription.
    assert!(!matches(&spec(EventKind::CodePushed), &existing));
}

#[test]
fn drift_is_named_change_by_change() {
    let merged = spec(EventKind::PullRequestMerged);
    let fresh = existing_for("a", &merged, SECRET);
    let mine = recorded("a", &merged, SECRET);
    assert_eq!(
        changes(&merged, &fresh, Some(&mine)),
        vec![],
        "identical: no change"
    );

    type Edit = fn(&mut ExistingSubscription);
    let cases: Vec<(&str, Edit, bool, Vec<Change>)> = vec![
        (
            "rotated secret",
            |e| e.headers[0].value = SecretFact::Fingerprint("old".into()),
            true,
            vec![Change::SecretChanged {
                header: DEFAULT_SECRET_HEADER.into(),
            }],
        ),
        (
            "masked, ours, same secret",
            |e| e.headers[0].value = SecretFact::Masked,
            true,
            vec![],
        ),
        (
            "masked, not ours",
            |e| e.headers[0].value = SecretFact::Masked,
            false,
            vec![Change::SecretUnverified],
        ),
        (
            "header missing",
            |e| e.headers.clear(),
            true,
            vec![Change::SecretHeaderMissing {
                header: DEFAULT_SECRET_HEADER.into(),
            }],
        ),
        (
            "merged without mergeResult fires on every attempt",
            |e| {
                e.publisher_inputs.remove("mergeResult");
            },
            true,
            vec![Change::Filter {
                input: "mergeResult".into(),
                from: None,
                to: Some("Succeeded".into()),
            }],
        ),
        (
            "someone's extra filter",
            |e| {
                e.publisher_inputs
                    .insert("pullrequestCreatedBy".into(), "ada".into());
            },
            true,
            vec![Change::Filter {
                input: "pullrequestCreatedBy".into(),
                from: Some("ada".into()),
                to: None,
            }],
        ),
        (
            "empty filters are no filter",
            |e| {
                e.publisher_inputs
                    .insert("notificationType".into(), "".into());
            },
            true,
            vec![],
        ),
        (
            "messages left at the default",
            |e| {
                e.other_consumer_inputs.remove("messagesToSend");
            },
            true,
            vec![Change::Delivery {
                input: "messagesToSend".into(),
                from: None,
                to: "none".into(),
            }],
        ),
        (
            "empty resourceDetailsToSend means all",
            |e| {
                e.other_consumer_inputs
                    .insert("resourceDetailsToSend".into(), "".into());
            },
            true,
            vec![],
        ),
        (
            "preview payload",
            |e| e.resource_version = Some("1.0-preview.1".into()),
            true,
            vec![Change::ResourceVersion {
                from: "1.0-preview.1".into(),
                to: "1.0".into(),
            }],
        ),
        (
            "basic auth instead of the header",
            |e| e.basic_auth_username = Some("u".into()),
            true,
            vec![Change::AuthMethodChanged],
        ),
        (
            "another header too",
            |e| {
                e.headers.push(ExistingHeader {
                    name: "X-Other".into(),
                    value: SecretFact::Masked,
                })
            },
            true,
            vec![Change::ExtraHeaders {
                names: vec!["X-Other".into()],
            }],
        ),
    ];
    for (name, edit, ours, expected) in cases {
        let mut e = fresh.clone();
        edit(&mut e);
        let record = ours.then_some(&mine);
        assert_eq!(changes(&merged, &e, record), expected, "{name}");
        for change in &expected {
            assert!(!change.describe().is_empty());
        }
    }
    let stale_record = recorded("a", &merged, "an-older-secret-value");
    let mut masked = fresh.clone();
    masked.headers[0].value = SecretFact::Masked;
    assert_eq!(
        changes(&merged, &masked, Some(&stale_record)),
        vec![Change::SecretChanged {
            header: DEFAULT_SECRET_HEADER.into()
        }],
        "masked, and our record says an older secret: push the current one"
    );
}

#[test]
fn basic_auth_drift() {
    let basic = HookSpec {
        auth: HookAuth::Basic {
            username: "ado".into(),
            password: SecretRef {
                key: "k".into(),
                fingerprint: Some(fp("pw-123456")),
            },
        },
        ..spec(EventKind::CodePushed)
    };
    let mut e = existing_for("a", &basic, "pw-123456");
    assert_eq!(changes(&basic, &e, None), vec![]);
    e.basic_auth_password = Some(SecretFact::Masked);
    assert_eq!(changes(&basic, &e, None), vec![Change::SecretUnverified]);
    let mine = RecordedHook {
        secret_fingerprint: None,
        ..recorded("a", &basic, "")
    };
    assert_eq!(
        changes(&basic, &e, Some(&mine)),
        vec![],
        "ours, masked, nothing says it changed"
    );
    e.basic_auth_username = Some("other".into());
    assert_eq!(
        changes(&basic, &e, Some(&mine)),
        vec![Change::BasicAuthUsername {
            from: Some("other".into()),
            to: "ado".into()
        }]
    );
}

#[test]
fn masked_inputs_become_facts_not_fingerprints() {
    let mut consumer = BTreeMap::new();
    consumer.insert("url".to_string(), URL.to_string());
    consumer.insert("httpHeaders".to_string(), "********".to_string());
    consumer.insert("basicAuthPassword".to_string(), "********".to_string());
    consumer.insert("basicAuthUsername".to_string(), "u".to_string());
    let e = ExistingSubscription::from_wire(
        "a",
        Some("tfs"),
        Some("git.push"),
        None,
        Some("webHooks"),
        Some("httpRequest"),
        &BTreeMap::new(),
        &consumer,
        None,
        &|_| panic!("masked values are never fingerprinted"),
    );
    assert_eq!(
        e.headers,
        vec![ExistingHeader {
            name: String::new(),
            value: SecretFact::Masked
        }]
    );
    assert_eq!(e.basic_auth_password, Some(SecretFact::Masked));
    assert_eq!(
        e.status,
        SubscriptionStatus::Enabled,
        "no status means enabled"
    );
}

#[test]
fn statuses_parse_from_the_wire() {
    for (wire, status) in [
        ("enabled", SubscriptionStatus::Enabled),
        ("onProbation", SubscriptionStatus::OnProbation),
        ("disabledByUser", SubscriptionStatus::DisabledByUser),
        ("DISABLEDBYSYSTEM", SubscriptionStatus::DisabledBySystem),
        (
            "disabledByInactiveIdentity",
            SubscriptionStatus::DisabledByInactiveIdentity,
        ),
        ("somethingNew", SubscriptionStatus::Unknown),
    ] {
        assert_eq!(SubscriptionStatus::parse(Some(wire)), status, "{wire}");
    }
}

#[test]
fn the_plan_sorts_every_spec_into_one_list() {
    let specs: Vec<HookSpec> = EventKind::ALL.iter().map(|e| spec(*e)).collect();
    let [created, updated, merged, pushed, built] = [0, 1, 2, 3, 4].map(|i| specs[i].clone());
    let mut disabled = existing_for("d", &merged, SECRET);
    disabled.status = SubscriptionStatus::DisabledBySystem;
    let existing = vec![
        // created: nothing exists → create
        existing_for("u", &updated, "the-old-secret-1234"), // ours, rotated → update
        disabled,                                           // → reenable, adopting
        existing_for("p", &pushed, SECRET),                 // someone's → adopt
        existing_for("b", &built, SECRET),                  // ours → unchanged
        existing_for("b2", &built, SECRET),                 // a duplicate → left alone
        existing_for(
            "stale",
            &HookSpec {
                url: "https://old.example.com/".into(),
                ..pushed.clone()
            },
            SECRET,
        ),
    ];
    let recorded = vec![
        recorded("u", &updated, "the-old-secret-1234"),
        recorded("b", &built, SECRET),
        recorded("stale", &pushed, SECRET),
        recorded("gone", &created, SECRET),
    ];
    let plan = plan(&specs, &existing, &recorded);
    let ids = |list: &[PlannedHook]| -> Vec<(EventKind, Option<String>)> {
        list.iter()
            .map(|p| (p.spec.event, p.subscription_id.clone()))
            .collect()
    };
    assert_eq!(
        ids(&plan.create),
        vec![(EventKind::PullRequestCreated, None)]
    );
    assert_eq!(
        ids(&plan.update),
        vec![(EventKind::PullRequestUpdated, Some("u".into()))]
    );
    assert_eq!(
        plan.update[0].changes,
        vec![Change::SecretChanged {
            header: DEFAULT_SECRET_HEADER.into()
        }]
    );
    assert_eq!(
        ids(&plan.reenable),
        vec![(EventKind::PullRequestMerged, Some("d".into()))]
    );
    assert!(
        plan.reenable[0].adopting,
        "not recorded: re-enabling adopts it"
    );
    assert!(plan.reenable[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("disabled by Azure DevOps"));
    assert_eq!(
        ids(&plan.adopt),
        vec![(EventKind::CodePushed, Some("p".into()))]
    );
    assert_eq!(
        ids(&plan.unchanged),
        vec![(EventKind::BuildCompleted, Some("b".into()))]
    );
    assert_eq!(
        plan.duplicates
            .iter()
            .map(|d| d.subscription_id.as_str())
            .collect::<Vec<_>>(),
        ["b2"]
    );
    assert_eq!(
        plan.stale.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["stale"]
    );
    assert_eq!(
        plan.missing
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["gone"]
    );
    assert_eq!(plan.writes(), 3);
    assert_eq!(
        plan.summary(),
        "1 to create, 1 to adopt, 1 to update, 1 to re-enable, 1 unchanged"
    );
    assert_eq!(plan.items().count(), 5, "every spec once");
}

#[test]
fn a_recorded_subscription_wins_over_an_enabled_stranger() {
    let pushed = spec(EventKind::CodePushed);
    let mut ours = existing_for("z-ours", &pushed, SECRET);
    ours.status = SubscriptionStatus::OnProbation;
    ours.probation_retries = Some(3);
    let theirs = existing_for("a-theirs", &pushed, SECRET);
    let plan = plan(
        std::slice::from_ref(&pushed),
        &[theirs, ours],
        &[recorded("z-ours", &pushed, SECRET)],
    );
    assert_eq!(plan.reenable[0].subscription_id.as_deref(), Some("z-ours"));
    assert!(plan.reenable[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("3 retries"));
    assert_eq!(plan.duplicates[0].subscription_id, "a-theirs");
    assert!(!plan.duplicates[0].recorded);
}

#[test]
fn applying_twice_plans_nothing() {
    let specs: Vec<HookSpec> = EventKind::ALL.iter().map(|e| spec(*e)).collect();
    let existing: Vec<_> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| existing_for(&i.to_string(), s, SECRET))
        .collect();
    let recorded: Vec<_> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| recorded(&i.to_string(), s, SECRET))
        .collect();
    let plan = plan(&specs, &existing, &recorded);
    assert!(plan.is_noop(), "{plan:#?}");
    assert_eq!(plan.unchanged.len(), 5);
    assert_eq!(plan.summary(), "5 unchanged");
    let same_twice = super::plan(
        &[
            specs[0].clone(),
            HookSpec {
                url: format!("{URL}/"),
                ..specs[0].clone()
            },
        ],
        &[],
        &[],
    );
    assert_eq!(
        same_twice.create.len(),
        1,
        "one match key, one subscription"
    );
}

fn ctx(deployment: Deployment, sandbox: bool, resolved: &[&str]) -> ReceiverContext {
    ReceiverContext {
        deployment,
        azure_devops_on_loopback: sandbox,
        resolved: resolved.iter().map(|r| r.parse().unwrap()).collect(),
    }
}

#[test]
fn receivers_services_cannot_reach_are_refused() {
    let services = ctx(Deployment::Services, false, &[]);
    let refused = [
        ("http://hooks.example.com/ado", ReceiverIssue::PlainHttp),
        ("https://localhost/ado", ReceiverIssue::Loopback),
        ("https://app.localhost/ado", ReceiverIssue::Loopback),
        ("https://127.0.0.1:8443/ado", ReceiverIssue::Loopback),
        ("https://[::1]/ado", ReceiverIssue::Loopback),
        ("https://10.1.2.3/ado", ReceiverIssue::PrivateAddress),
        ("https://172.16.0.1/ado", ReceiverIssue::PrivateAddress),
        ("https://172.31.255.255/ado", ReceiverIssue::PrivateAddress),
        ("https://192.168.1.10/ado", ReceiverIssue::PrivateAddress),
        ("https://100.64.0.1/ado", ReceiverIssue::PrivateAddress),
        ("https://[fd12:3456::1]/ado", ReceiverIssue::PrivateAddress),
        (
            "https://[::ffff:10.0.0.1]/ado",
            ReceiverIssue::PrivateAddress,
        ),
        ("https://169.254.169.254/latest", ReceiverIssue::LinkLocal),
        ("https://[fe80::1]/ado", ReceiverIssue::LinkLocal),
        ("https://0.0.0.0/ado", ReceiverIssue::NotRoutable),
        (
            "ftp://hooks.example.com/ado",
            ReceiverIssue::UnsupportedScheme,
        ),
        ("hooks.example.com/ado", ReceiverIssue::NotAUrl),
        (
            "https://user:pw@hooks.example.com/ado",
            ReceiverIssue::CredentialsInUrl,
        ),
    ];
    for (url, issue) in refused {
        let refusal = check_receiver_url(url, &services).unwrap_err();
        assert_eq!(refusal.issue, issue, "{url}");
        assert!(!refusal.fix.is_empty() && !refusal.message.is_empty());
        assert_eq!(refusal.to_problem().code, CheckCode::InvalidInput);
    }
    for url in [
        "https://hooks.example.com/ado",
        "https://172.32.0.1/x",
        "https://8.8.8.8/x",
    ] {
        let ok = check_receiver_url(url, &services).unwrap();
        assert!(ok.warnings.is_empty(), "{url}: {:?}", ok.warnings);
    }
}

#[test]
fn server_allows_http_and_private_receivers_with_warnings() {
    let server = ctx(Deployment::Server, false, &[]);
    let cases: Vec<(&str, Vec<ReceiverIssue>)> = vec![
        ("https://10.1.2.3/ado", vec![]),
        (
            "http://hooks.corp.example/ado",
            vec![ReceiverIssue::PlainHttp],
        ),
        (
            "http://192.168.1.10:8080/ado",
            vec![ReceiverIssue::PlainHttp],
        ),
        ("https://localhost/ado", vec![ReceiverIssue::Loopback]),
    ];
    for (url, issues) in cases {
        let check = check_receiver_url(url, &server).unwrap();
        let got: Vec<ReceiverIssue> = check.warnings.iter().map(|w| w.issue).collect();
        assert_eq!(got, issues, "{url}");
    }
    assert_eq!(
        check_receiver_url("https://169.254.1.1/x", &server)
            .unwrap_err()
            .issue,
        ReceiverIssue::LinkLocal
    );
}

#[test]
fn the_sandbox_turns_refusals_into_warnings() {
    let sandbox = ctx(Deployment::Services, true, &[]);
    let check = check_receiver_url("http://127.0.0.1:9000/hook", &sandbox).unwrap();
    let got: Vec<ReceiverIssue> = check.warnings.iter().map(|w| w.issue).collect();
    assert_eq!(got, vec![ReceiverIssue::Loopback, ReceiverIssue::PlainHttp]);
    assert!(
        check_receiver_url("https://user:pw@127.0.0.1/", &sandbox).is_err(),
        "credentials are refused everywhere"
    );
}

#[test]
fn names_resolving_privately_get_a_warning_on_services() {
    let services = ctx(Deployment::Services, false, &["10.0.0.5"]);
    let check = check_receiver_url("https://hooks.corp.example/ado", &services).unwrap();
    assert_eq!(check.warnings[0].issue, ReceiverIssue::ResolvesPrivate);
    assert!(check.warnings[0].message.contains("10.0.0.5"));
    let public = ctx(Deployment::Services, false, &["93.184.216.34"]);
    assert!(check_receiver_url("https://hooks.example.com/ado", &public)
        .unwrap()
        .warnings
        .is_empty());
}

#[test]
fn header_names_secrets_and_basic_auth_are_checked() {
    for ok in ["X-ADO-Connect-Secret", "X-Hub-Token", "x_token"] {
        assert!(validate_header_name(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "X Secret",
        "X-Secret:",
        "Authorization",
        "content-length",
        "Ünïcode",
        &"x".repeat(65),
    ] {
        assert!(validate_header_name(bad).is_err(), "{bad:?}");
    }
    assert!(validate_secret_value("0123456789abcdef").is_ok());
    for bad in [
        "short",
        "0123456789abcdef\nX-Injected: 1",
        "0123456789 abcdef",
        &"x".repeat(257),
    ] {
        assert!(validate_secret_value(bad).is_err(), "{bad:?}");
    }
    assert!(validate_basic_username("ado-connect").is_ok());
    assert!(validate_basic_username("").is_err());
    assert!(validate_basic_password("p@ss").is_ok());
    assert!(validate_basic_password("p ss").is_err());
}

#[test]
fn branches_normalize() {
    for (input, expected) in [
        ("refs/heads/main", "main"),
        ("REFS/HEADS/feature/x", "feature/x"),
        (" main ", "main"),
        ("refs/heads/", "refs/heads/"),
        ("réfs/heads/x", "réfs/heads/x"),
    ] {
        assert_eq!(normalize_branch(input), expected, "{input}");
    }
}

#[test]
fn a_matching_subscription_with_another_teams_header_is_left_alone() {
    let s = spec(EventKind::CodePushed);
    // Same event, scope and receiver, but another team's header and secret.
    let mut theirs = existing_for("theirs", &s, "their-token-000000000");
    theirs.headers = vec![ExistingHeader {
        name: "X-Other-Team".into(),
        value: SecretFact::Fingerprint(fp("their-token-000000000")),
    }];
    let p = plan(std::slice::from_ref(&s), std::slice::from_ref(&theirs), &[]);
    assert_eq!(p.foreign.len(), 1, "{p:#?}");
    assert_eq!(p.foreign[0].subscription_id, "theirs");
    assert!(
        p.items().next().is_none(),
        "nothing adopted, updated or created: {p:#?}"
    );
    assert!(p.summary().contains("not ours"), "{}", p.summary());

    // Only the admin's explicit choice takes it over.
    let taken = plan_with(
        std::slice::from_ref(&s),
        std::slice::from_ref(&theirs),
        &[],
        PlanRules { take_over: true },
    );
    assert!(taken.foreign.is_empty());
    assert_eq!(taken.update.len(), 1);
    assert!(taken.update[0].adopting);
}

#[test]
fn an_identical_subscription_with_our_secret_is_adopted() {
    let s = spec(EventKind::CodePushed);
    let ours = existing_for("ours", &s, "s3cret-value-0123456789");
    let p = plan(std::slice::from_ref(&s), &[ours], &[]);
    assert_eq!(p.adopt.len(), 1, "{p:#?}");
    assert!(p.foreign.is_empty());
}

#[test]
fn a_run_for_one_repository_never_calls_another_repositorys_subscriptions_stale() {
    let mut a = spec(EventKind::CodePushed);
    a.repository_id = Some(REPO.into());
    let mut b = a.clone();
    b.repository_id = Some("other-repo".into());
    let existing = [existing_for("a", &a, SECRET), existing_for("b", &b, SECRET)];
    let recorded = [recorded("a", &a, SECRET), recorded("b", &b, SECRET)];
    let p = plan(std::slice::from_ref(&a), &existing, &recorded);
    assert!(p.stale.is_empty(), "{p:#?}");
    assert_eq!(p.unchanged.len(), 1);
    // In its own scope, a dropped event is still stale.
    let mut a_build = a.clone();
    a_build.event = EventKind::PullRequestCreated;
    let p = plan(&[a_build], &existing, &recorded);
    assert_eq!(p.stale.len(), 1, "{p:#?}");
    assert_eq!(p.stale[0].id, "a");
}
