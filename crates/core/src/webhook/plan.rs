//! The planner: desired specs + existing subscriptions + recorded ids → create, adopt, update,
//! re-enable or keep, each with its reasons.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ids::SubscriptionId;

use super::matching::{MatchKey, SpecKey};
use super::{
    changes, matches, Change, EventKind, ExistingSubscription, HookSpec, RecordedHook,
    SubscriptionStatus,
};

/// What happens to one spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// No subscription matches: create one.
    Create,
    /// One matches, is fine, but this app has not recorded it: record it as ours.
    Adopt,
    /// One matches but differs (secret, filters, delivery settings): replace it in place.
    Update,
    /// One matches but is disabled or on probation: enable it (and fix any drift).
    Reenable,
    /// One matches, is ours and is fine.
    Unchanged,
}

impl Action {
    /// True when the action changes something in Azure DevOps.
    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Reenable)
    }

    /// The verb for progress lines.
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Adopt => "adopt",
            Action::Update => "update",
            Action::Reenable => "re-enable",
            Action::Unchanged => "keep",
        }
    }
}

/// One spec and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedHook {
    /// What to do.
    pub action: Action,
    /// The spec.
    pub spec: HookSpec,
    /// The matching subscription, for everything but `create`.
    pub subscription_id: Option<SubscriptionId>,
    /// True when this app has not recorded the subscription yet (it will be adopted).
    pub adopting: bool,
    /// The subscription's status now.
    pub status: Option<SubscriptionStatus>,
    /// Why it is disabled or on probation, for `reenable`.
    pub reason: Option<String>,
    /// What will be changed, for `update` and `reenable`.
    pub changes: Vec<Change>,
    /// Who created the subscription, when the server said.
    pub created_by: Option<String>,
}

/// Another subscription that also matches a spec. It is left alone (never deleted: it may be
/// someone else's), but the plan names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Duplicate {
    /// Its id.
    pub subscription_id: SubscriptionId,
    /// The event.
    pub event: EventKind,
    /// True when this app recorded it (an earlier run's duplicate).
    pub recorded: bool,
    /// Who created it, when known.
    pub created_by: Option<String>,
}

/// A subscription that matches a spec (same event, scope and receiver) but is not provably
/// this app's: not recorded, and not identical to what the spec asks for including our
/// secret. It may be another team's (another header, another secret): it is left alone,
/// never updated or deleted, unless the admin takes it over ([`PlanRules::take_over`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Foreign {
    /// Its id.
    pub subscription_id: SubscriptionId,
    /// The spec it matches (nothing is created for that spec while it stays foreign).
    pub spec: HookSpec,
    /// Who created it, when known.
    pub created_by: Option<String>,
    /// What differs from what the spec asks for (why it is not provably ours).
    pub differences: Vec<Change>,
}

/// How the planner treats subscriptions it cannot prove are ours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRules {
    /// Take over matching subscriptions that are not provably ours: adopt them and fix their
    /// drift (their headers are replaced by ours). Only on the admin's explicit choice.
    #[serde(default)]
    pub take_over: bool,
}

/// What the wizard will do. Every desired spec is in exactly one of the first five lists, or
/// in [`Plan::foreign`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// New subscriptions.
    pub create: Vec<PlannedHook>,
    /// Matching subscriptions, already right, to record as ours.
    pub adopt: Vec<PlannedHook>,
    /// Matching subscriptions to fix in place (e.g. headers after a secret rotation).
    pub update: Vec<PlannedHook>,
    /// Disabled or on-probation subscriptions to enable again, with the reason they stopped.
    pub reenable: Vec<PlannedHook>,
    /// Ours and fine.
    pub unchanged: Vec<PlannedHook>,
    /// Further subscriptions matching a spec, left alone.
    pub duplicates: Vec<Duplicate>,
    /// Subscriptions that match a spec but are not provably ours: "exists, not ours — left
    /// alone". Nothing is created, changed or deleted for their specs.
    #[serde(default)]
    pub foreign: Vec<Foreign>,
    /// Recorded by this app but no longer asked for (another URL, an event dropped): left alone;
    /// "remove" deletes them.
    pub stale: Vec<RecordedHook>,
    /// Recorded by this app but gone from the server: forgotten on apply (and created again
    /// if still asked for, see `create`).
    pub missing: Vec<RecordedHook>,
}

impl Plan {
    /// Every planned spec in apply order: create, update, re-enable, adopt, unchanged.
    pub fn items(&self) -> impl Iterator<Item = &PlannedHook> {
        self.create
            .iter()
            .chain(&self.update)
            .chain(&self.reenable)
            .chain(&self.adopt)
            .chain(&self.unchanged)
    }

    /// The plan without secret fingerprints: what may be shown or printed.
    pub fn without_fingerprints(&self) -> Plan {
        let items = |list: &[PlannedHook]| -> Vec<PlannedHook> {
            list.iter()
                .map(|p| PlannedHook {
                    spec: p.spec.without_fingerprint(),
                    ..p.clone()
                })
                .collect()
        };
        let records = |list: &[RecordedHook]| -> Vec<RecordedHook> {
            list.iter()
                .map(RecordedHook::without_fingerprints)
                .collect()
        };
        Plan {
            create: items(&self.create),
            adopt: items(&self.adopt),
            update: items(&self.update),
            reenable: items(&self.reenable),
            unchanged: items(&self.unchanged),
            duplicates: self.duplicates.clone(),
            foreign: self
                .foreign
                .iter()
                .map(|f| Foreign {
                    spec: f.spec.without_fingerprint(),
                    ..f.clone()
                })
                .collect(),
            stale: records(&self.stale),
            missing: records(&self.missing),
        }
    }

    /// True when applying changes nothing in Azure DevOps and records nothing new.
    pub fn is_noop(&self) -> bool {
        self.create.is_empty()
            && self.adopt.is_empty()
            && self.update.is_empty()
            && self.reenable.is_empty()
            && self.missing.is_empty()
    }

    /// True when applying writes another secret onto existing subscriptions (a rotation, a
    /// replaced or re-set secret, a switched authentication method): their receivers reject
    /// deliveries until they get the new one, so the admin must confirm it.
    pub fn rotates_secret(&self) -> bool {
        self.update
            .iter()
            .chain(&self.reenable)
            .any(|p| p.changes.iter().any(Change::replaces_secret))
    }

    /// How many requests that change Azure DevOps the plan makes.
    pub fn writes(&self) -> usize {
        self.create.len() + self.update.len() + self.reenable.len()
    }

    /// "2 to create, 1 to update, 1 to re-enable, 1 unchanged".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.create.len(), "to create"),
            (self.adopt.len(), "to adopt"),
            (self.update.len(), "to update"),
            (self.reenable.len(), "to re-enable"),
            (self.unchanged.len(), "unchanged"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .chain(
            (!self.foreign.is_empty())
                .then(|| format!("{} exist, not ours — left alone", self.foreign.len())),
        )
        .collect();
        if parts.is_empty() {
            "nothing to do".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Why a subscription stopped delivering, in words, for the plan's re-enable rows.
pub fn status_reason(existing: &ExistingSubscription) -> Option<String> {
    let retries = existing
        .probation_retries
        .map(|n| format!(" ({n} retries so far)"))
        .unwrap_or_default();
    match existing.status {
        SubscriptionStatus::Enabled => None,
        SubscriptionStatus::OnProbation => Some(format!(
            "on probation: deliveries to the receiver failed, and Azure DevOps is retrying with growing delays before it disables the subscription{retries}"
        )),
        SubscriptionStatus::DisabledBySystem => Some(
            "disabled by Azure DevOps: deliveries kept failing (or the receiver answered 410 Gone); check the receiver is up, then re-enable".into(),
        ),
        SubscriptionStatus::DisabledByUser => {
            Some("disabled by a user in Project settings → Service hooks".into())
        }
        SubscriptionStatus::DisabledByInactiveIdentity => Some(
            "disabled because its owner is inactive or lost permissions; re-enabling makes you its owner".into(),
        ),
        SubscriptionStatus::Unknown => Some("in a state this app does not know".into()),
    }
}

/// Decides, for each desired spec, whether to create, adopt, update, re-enable or keep its
/// subscription. `existing` is what the server lists (any subset that includes every
/// subscription of the project is fine); `recorded` is what this app recorded in the profile.
///
/// Rules:
/// - Candidates for a spec are the existing subscriptions [`matches`] accepts. Among several,
///   a recorded one wins, then an enabled one, then the lowest id; the rest are
///   [`Plan::duplicates`], left alone.
/// - No candidate → create. A candidate that is not enabled → re-enable, with its reason and
///   any drift fixed in the same write. Drift ([`changes`]) → update. Otherwise → adopt if not
///   recorded, unchanged if recorded.
/// - Recorded ids the server no longer lists are [`Plan::missing`]; recorded ids listed but
///   not chosen for any spec are [`Plan::stale`] when their scope (project, repository) is one
///   the specs ask for; other scopes' subscriptions are not this plan's business.
/// - Specs asking for the same subscription (same match key) count once.
/// - A candidate that is neither recorded nor [`provably_ours`] is [`Plan::foreign`]: left
///   alone, and nothing is created for its spec (a second subscription would deliver every
///   event twice to the same receiver), unless `rules.take_over`.
pub fn plan(
    desired: &[HookSpec],
    existing: &[ExistingSubscription],
    recorded: &[RecordedHook],
) -> Plan {
    plan_with(desired, existing, recorded, PlanRules::default())
}

/// [`plan`] with explicit rules (taking over what is not provably ours).
///
/// Linear in specs and subscriptions: each side's match key ([`MatchKey`]) is computed once
/// and looked up, instead of normalizing two receiver URLs for every (spec, subscription) pair
/// (600 × 600 of them for an org-wide run of 200 repositories × 3 events).
pub fn plan_with(
    desired: &[HookSpec],
    existing: &[ExistingSubscription],
    recorded: &[RecordedHook],
    rules: PlanRules,
) -> Plan {
    let mut out = Plan::default();
    let recorded_by_id: HashMap<String, &RecordedHook> = recorded
        .iter()
        .rev()
        .map(|r| (r.id.to_ascii_lowercase(), r))
        .collect();
    let is_recorded = |id: &str| recorded_by_id.get(&id.to_ascii_lowercase()).copied();
    let mut by_key: HashMap<MatchKey, Vec<&ExistingSubscription>> = HashMap::new();
    for e in existing {
        if let Some(key) = MatchKey::of_existing(e) {
            by_key.entry(key).or_default().push(e);
        }
    }
    let mut chosen_ids: BTreeSet<String> = BTreeSet::new();
    let mut seen: HashSet<SpecKey> = HashSet::new();

    for spec in desired {
        // The same match key twice (e.g. the URL with and without a trailing slash) is one spec.
        if !seen.insert(SpecKey::of(spec)) {
            continue;
        }
        let mut candidates: Vec<&ExistingSubscription> = by_key
            .get(&MatchKey::of_spec(spec))
            .cloned()
            .unwrap_or_default();
        debug_assert!(candidates.iter().all(|e| matches(spec, e)));
        candidates.sort_by(|a, b| {
            let rank = |e: &ExistingSubscription| {
                (
                    is_recorded(&e.id).is_none(),
                    !provably_ours(spec, e),
                    e.status != SubscriptionStatus::Enabled,
                    e.id.to_ascii_lowercase(),
                )
            };
            rank(a).cmp(&rank(b))
        });
        let Some(found) = candidates.first().copied() else {
            out.create.push(PlannedHook {
                action: Action::Create,
                spec: spec.clone(),
                subscription_id: None,
                adopting: false,
                status: None,
                reason: None,
                changes: Vec::new(),
                created_by: None,
            });
            continue;
        };
        for other in &candidates[1..] {
            out.duplicates.push(Duplicate {
                subscription_id: other.id.clone(),
                event: spec.event,
                recorded: is_recorded(&other.id).is_some(),
                created_by: other.created_by.clone(),
            });
        }
        let record = is_recorded(&found.id);
        if record.is_none() && !rules.take_over && !provably_ours(spec, found) {
            out.foreign.push(Foreign {
                subscription_id: found.id.clone(),
                spec: spec.clone(),
                created_by: found.created_by.clone(),
                differences: changes(spec, found, None),
            });
            continue;
        }
        chosen_ids.insert(found.id.to_ascii_lowercase());
        let drift = changes(spec, found, record);
        let action = if found.status != SubscriptionStatus::Enabled {
            Action::Reenable
        } else if !drift.is_empty() {
            Action::Update
        } else if record.is_none() {
            Action::Adopt
        } else {
            Action::Unchanged
        };
        let item = PlannedHook {
            action,
            spec: spec.clone(),
            subscription_id: Some(found.id.clone()),
            adopting: record.is_none(),
            status: Some(found.status),
            reason: status_reason(found),
            changes: drift,
            created_by: found.created_by.clone(),
        };
        match action {
            Action::Create => out.create.push(item),
            Action::Adopt => out.adopt.push(item),
            Action::Update => out.update.push(item),
            Action::Reenable => out.reenable.push(item),
            Action::Unchanged => out.unchanged.push(item),
        }
    }

    // Only the scopes asked for can have stale subscriptions: a run for one repository never
    // calls another repository's (or project's) subscriptions stale.
    let scope = |project: &str, repository: Option<&str>| {
        (
            project.to_ascii_lowercase(),
            repository.map(|r| r.trim().to_ascii_lowercase()),
        )
    };
    let scopes: HashSet<(String, Option<String>)> = desired
        .iter()
        .map(|d| scope(&d.project_id, d.repository_id.as_deref()))
        .collect();
    let in_scope = |r: &RecordedHook| {
        scopes.contains(&scope(&r.spec.project_id, r.spec.repository_id.as_deref()))
    };
    let listed: HashSet<String> = existing.iter().map(|e| e.id.to_ascii_lowercase()).collect();
    let duplicates: HashSet<String> = out
        .duplicates
        .iter()
        .map(|d| d.subscription_id.to_ascii_lowercase())
        .collect();
    for r in recorded {
        let id = r.id.to_ascii_lowercase();
        if !listed.contains(&id) {
            out.missing.push(r.clone());
        } else if in_scope(r) && !chosen_ids.contains(&id) && !duplicates.contains(&id) {
            out.stale.push(r.clone());
        }
    }
    out
}

/// True when `existing` is provably the subscription this app would create for `spec`: it
/// matches and is identical, our secret included (compared by fingerprint; a masked secret
/// proves nothing).
pub fn provably_ours(spec: &HookSpec, existing: &ExistingSubscription) -> bool {
    matches(spec, existing) && changes(spec, existing, None).is_empty()
}

/// True when `existing` can be the subscription a create of `spec` made: identical but for a
/// secret the server masks (basic-auth passwords come back as `********`). Recovery uses it to
/// find a create that landed before a crash; it never takes a subscription with other headers.
pub fn could_be_our_create(spec: &HookSpec, existing: &ExistingSubscription) -> bool {
    matches(spec, existing)
        && changes(spec, existing, None)
            .iter()
            .all(|c| matches!(c, Change::SecretUnverified))
}

/// True when two specs ask for the same subscription (the same match key: event, receiver URL,
/// project, repository, branch); their auth may differ.
pub fn same_match_key(a: &HookSpec, b: &HookSpec) -> bool {
    SpecKey::of(a) == SpecKey::of(b)
}
