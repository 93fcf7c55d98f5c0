//! Events, specs, subscription bodies, URLs and headers.

use super::*;

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
