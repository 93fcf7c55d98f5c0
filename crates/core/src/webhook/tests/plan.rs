//! The plan: sorting specs, adoption, idempotence, and never touching others' subscriptions.

use super::*;

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
    let ids = |list: &[PlannedHook]| -> Vec<(EventKind, Option<crate::ids::SubscriptionId>)> {
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
