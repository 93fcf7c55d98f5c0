//! The routes beyond location, projects and repositories: pull requests, commits, builds, work
//! item types, permission evaluation and service hooks. One [`AreaRoute`] plugs them into the
//! dispatcher (`Route::Area`), so `mod.rs` only delegates.

use axum::http::request::Parts;
use axum::http::Method;

use super::hooks::HooksRoute;
use super::locations::LocationDef;
use super::probes::ProbeRoute;
use super::{build, commits, hooks, probes, pullrequests, security, wit, Answer, Incoming};
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
    /// `GET [{project}/]_apis/git/repositories/{repository}/commits`.
    Commits {
        project: Option<&'a str>,
        repository: &'a str,
    },
    /// `GET [{project}/]_apis/git/repositories/{repository}/pullRequests/{id}/commits`.
    PullRequestCommits {
        project: Option<&'a str>,
        repository: &'a str,
        pull_request: &'a str,
    },
    /// `GET [{project}/]_apis/build/builds` (without a project: the host's builds, or those of
    /// the `projectId` query parameter's project).
    Builds { project: Option<&'a str> },
    /// `GET [{project}/]_apis/wit/workitemtypes` (without a project segment, the `project`
    /// query parameter names it).
    WorkItemTypes { project: Option<&'a str> },
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
    &commits::COMMITS,
    &commits::PULL_REQUEST_COMMITS,
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
            ["_apis", "git", "repositories", _, "commits"] if get => Some(AreaRoute::Commits {
                project: None,
                repository: rest[3].as_str(),
            }),
            [_, "_apis", "git", "repositories", _, "commits"] if get => Some(AreaRoute::Commits {
                project: Some(rest[0].as_str()),
                repository: rest[4].as_str(),
            }),
            ["_apis", "git", "repositories", _, "pullrequests", _, "commits"] if get => {
                Some(AreaRoute::PullRequestCommits {
                    project: None,
                    repository: rest[3].as_str(),
                    pull_request: rest[5].as_str(),
                })
            }
            [_, "_apis", "git", "repositories", _, "pullrequests", _, "commits"] if get => {
                Some(AreaRoute::PullRequestCommits {
                    project: Some(rest[0].as_str()),
                    repository: rest[4].as_str(),
                    pull_request: rest[6].as_str(),
                })
            }
            ["_apis", "build", "builds"] if get => Some(AreaRoute::Builds { project: None }),
            [_, "_apis", "build", "builds"] if get => Some(AreaRoute::Builds {
                project: Some(rest[0].as_str()),
            }),
            ["_apis", "wit", "workitemtypes"] if get => {
                Some(AreaRoute::WorkItemTypes { project: None })
            }
            [_, "_apis", "wit", "workitemtypes"] if get => Some(AreaRoute::WorkItemTypes {
                project: Some(rest[0].as_str()),
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
            AreaRoute::PullRequests { .. }
            | AreaRoute::Commits { .. }
            | AreaRoute::PullRequestCommits { .. } => &["vso.code"],
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
            AreaRoute::Commits { .. } => &commits::COMMITS,
            AreaRoute::PullRequestCommits { .. } => &commits::PULL_REQUEST_COMMITS,
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
        AreaRoute::Commits {
            project,
            repository,
        } => commits::list(site, project, repository, incoming),
        AreaRoute::PullRequestCommits {
            project,
            repository,
            pull_request,
        } => commits::pull_request(site, project, repository, pull_request, incoming),
        AreaRoute::Builds { project } => build::list(site, project, incoming),
        AreaRoute::WorkItemTypes { project } => {
            let project = match project {
                Some(project) => project.to_string(),
                // Only with a project to list them for (see `wit.rs`).
                None => match incoming
                    .query_param("project")
                    .or_else(|| incoming.query_param("projectId"))
                    .filter(|p| !p.trim().is_empty())
                {
                    Some(project) => project.trim().to_string(),
                    None => {
                        return Err(VssError::route_not_found(
                            parts.method.as_str(),
                            parts.uri.path(),
                        ))
                    }
                },
            };
            wit::list(site, &project).map(Answer::json)
        }
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
