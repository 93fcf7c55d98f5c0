//! The routes beyond location, projects and repositories: pull requests, builds, work item
//! types, permission evaluation and service hooks. One [`AreaRoute`] plugs them into the
//! dispatcher (`Route::Area`), so `mod.rs` only delegates.

use axum::http::request::Parts;
use axum::http::Method;

use super::hooks::HooksRoute;
use super::locations::LocationDef;
use super::probes::ProbeRoute;
use super::{build, hooks, probes, pullrequests, security, wit, Answer, Incoming};
use crate::auth::Principal;
use crate::errors::VssError;
use crate::resources::Site;
use crate::state::AppState;

/// A route of these areas, below a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AreaRoute<'a> {
    /// `GET {project}/_apis/git/pullrequests` and
    /// `GET {project}/_apis/git/repositories/{repository}/pullrequests`.
    PullRequests {
        project: &'a str,
        repository: Option<&'a str>,
    },
    /// `GET {project}/_apis/build/builds`.
    Builds { project: &'a str },
    /// `GET {project}/_apis/wit/workitemtypes`.
    WorkItemTypes { project: &'a str },
    /// `POST _apis/security/permissionevaluationbatch`.
    PermissionEvaluationBatch,
    /// `_apis/hooks/…`.
    Hooks(HooksRoute<'a>),
    /// A POST-only resource asked with another verb: `405` after the usual checks.
    NotAllowed(PostOnly),
    /// Scope probes: Graph users, identities, an empty ref update (`probes.rs`).
    Probe(ProbeRoute<'a>),
}

/// The resources that take only `POST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PostOnly {
    PermissionEvaluationBatch,
    SubscriptionsQuery,
    TestNotifications,
}

/// ApiResourceLocations of these routes, listed by `OPTIONS _apis`.
pub(crate) const LOCATIONS: &[&LocationDef] = &[
    &pullrequests::PULL_REQUESTS_BY_PROJECT,
    &pullrequests::PULL_REQUESTS,
    &build::BUILDS,
    &wit::WORK_ITEM_TYPES,
    &security::PERMISSION_EVALUATION_BATCH,
    &hooks::SUBSCRIPTIONS,
    &hooks::SUBSCRIPTIONS_QUERY,
    &hooks::NOTIFICATIONS,
    &hooks::TEST_NOTIFICATIONS,
    &hooks::PUBLISHERS,
    &hooks::EVENT_TYPES,
    &hooks::CONSUMERS,
    &hooks::CONSUMER_ACTIONS,
    &probes::GRAPH_USERS,
    &probes::IDENTITIES,
    &probes::REFS,
    &probes::RELEASE_DEFINITIONS,
    &probes::TASK_GROUPS,
];

impl<'a> AreaRoute<'a> {
    /// Matches `rest` (the segments after the host; `lower` is the same, lowercased).
    pub fn parse(method: &Method, rest: &'a [String], lower: &[&str]) -> Option<AreaRoute<'a>> {
        if let Some(route) = HooksRoute::parse(method, rest, lower) {
            return Some(AreaRoute::Hooks(route));
        }
        if let Some(route) = ProbeRoute::parse(method, rest, lower) {
            return Some(AreaRoute::Probe(route));
        }
        if method != Method::POST {
            let post_only = match lower {
                ["_apis", "security", "permissionevaluationbatch"] => {
                    Some(PostOnly::PermissionEvaluationBatch)
                }
                ["_apis", "hooks", "subscriptionsquery"] => Some(PostOnly::SubscriptionsQuery),
                ["_apis", "hooks", "testnotifications"] => Some(PostOnly::TestNotifications),
                _ => None,
            };
            if let Some(resource) = post_only {
                return Some(AreaRoute::NotAllowed(resource));
            }
        }
        let get = method == Method::GET || method == Method::HEAD;
        match lower {
            ["_apis", "security", "permissionevaluationbatch"] if method == Method::POST => {
                Some(AreaRoute::PermissionEvaluationBatch)
            }
            [_, "_apis", "git", "pullrequests"] if get => Some(AreaRoute::PullRequests {
                project: rest[0].as_str(),
                repository: None,
            }),
            [_, "_apis", "git", "repositories", _, "pullrequests"] if get => {
                Some(AreaRoute::PullRequests {
                    project: rest[0].as_str(),
                    repository: Some(rest[4].as_str()),
                })
            }
            [_, "_apis", "build", "builds"] if get => Some(AreaRoute::Builds {
                project: rest[0].as_str(),
            }),
            [_, "_apis", "wit", "workitemtypes"] if get => Some(AreaRoute::WorkItemTypes {
                project: rest[0].as_str(),
            }),
            _ => None,
        }
    }

    /// Scopes of which the token needs one.
    ///
    /// Pull requests `vso.code`, builds `vso.build`, work item types `vso.work` (specs
    /// `git/7.1`, `build/7.1`, `wit/7.1`). Permission evaluation: undocumented, any valid token.
    /// Service hooks: the spec lists `vso.work`, `vso.build`, `vso.code`; the service's own
    /// table also knows `vso.hooks*` (see `routes/hooks/`).
    pub fn required_scopes(&self) -> &'static [&'static str] {
        match self {
            AreaRoute::PullRequests { .. } => &["vso.code"],
            AreaRoute::Builds { .. } => &["vso.build"],
            AreaRoute::WorkItemTypes { .. } => &["vso.work"],
            AreaRoute::PermissionEvaluationBatch | AreaRoute::NotAllowed(_) => &[],
            AreaRoute::Hooks(_) => hooks::ROUTE_SCOPES,
            AreaRoute::Probe(route) => route.required_scopes(),
        }
    }

    /// The location whose version range applies.
    pub fn location(&self) -> &'static LocationDef {
        match self {
            AreaRoute::PullRequests {
                repository: None, ..
            } => &pullrequests::PULL_REQUESTS_BY_PROJECT,
            AreaRoute::PullRequests { .. } => &pullrequests::PULL_REQUESTS,
            AreaRoute::Builds { .. } => &build::BUILDS,
            AreaRoute::WorkItemTypes { .. } => &wit::WORK_ITEM_TYPES,
            AreaRoute::PermissionEvaluationBatch => &security::PERMISSION_EVALUATION_BATCH,
            AreaRoute::Hooks(route) => route.location(),
            AreaRoute::Probe(route) => route.location(),
            AreaRoute::NotAllowed(PostOnly::PermissionEvaluationBatch) => {
                &security::PERMISSION_EVALUATION_BATCH
            }
            AreaRoute::NotAllowed(PostOnly::SubscriptionsQuery) => &hooks::SUBSCRIPTIONS_QUERY,
            AreaRoute::NotAllowed(PostOnly::TestNotifications) => &hooks::TEST_NOTIFICATIONS,
        }
    }
}

/// Answers an area route.
pub(crate) fn respond(
    state: &AppState,
    site: &Site<'_>,
    principal: &Principal,
    incoming: &Incoming<'_>,
    parts: &Parts,
    route: AreaRoute<'_>,
) -> Result<Answer, VssError> {
    match route {
        AreaRoute::PullRequests {
            project,
            repository,
        } => pullrequests::list(site, project, repository, incoming),
        AreaRoute::Builds { project } => build::list(site, project, incoming),
        AreaRoute::WorkItemTypes { project } => wit::list(site, project).map(Answer::json),
        AreaRoute::PermissionEvaluationBatch => {
            security::evaluate_batch(site, principal, parts).map(Answer::json)
        }
        AreaRoute::Hooks(route) => hooks::respond(state, site, principal, incoming, parts, route),
        AreaRoute::Probe(route) => probes::respond(site, incoming, parts, route),
        AreaRoute::NotAllowed(_) => Err(VssError::method_not_allowed(
            parts.method.as_str(),
            parts.uri.path(),
        )),
    }
}
