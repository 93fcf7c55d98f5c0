//! The matching rule, drift, masked inputs and statuses.

use super::*;

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
