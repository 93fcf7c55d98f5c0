//! Read-only endpoints products use to check a token's scopes: Graph users (`vso.graph`),
//! identities (`vso.identity`), and an empty ref update (`vso.code_write`), which changes
//! nothing but is refused without the write scope.
//!
//! - `GET _apis/graph/users` (spec `graph/7.1`, preview only; Services only: "Graph has no
//!   on-prem spec folder", so a Server answers the route with 404 as for any unknown route).
//!   Real Services serve it on `vssps.dev.azure.com/{org}`; the emulator serves it on the
//!   organization's own host.
//! - `GET _apis/identities?searchFilter=General&filterValue=…` (IMS, `ReadIdentities`).
//! - `GET {project}/_apis/release/definitions` (`vso.release`; real Services serve it on
//!   `vsrm.dev.azure.com`) and `GET {project}/_apis/distributedtask/taskgroups`
//!   (`vso.taskgroups_read`): empty lists (the sandbox has no releases or task groups).
//! - `POST {project}/_apis/git/repositories/{repo}/refs` with `[]` (spec `git/7.1`
//!   `Refs_UpdateRefs`): `{"count":0,"value":[]}`. Non-empty updates are not modelled (400).

use axum::http::request::Parts;
use axum::http::Method;
use serde_json::{json, Value};

use super::locations::LocationDef;
use super::{projects, Answer, Incoming};
use crate::errors::VssError;
use crate::resources::Site;
use crate::versions::ApiVersion;

/// `Graph/Users`.
pub(crate) const GRAPH_USERS: LocationDef = LocationDef {
    id: "005e26ec-6b77-4e4f-a986-b3827bf241f5",
    area: "Graph",
    resource_name: "Users",
    route_template: "_apis/{area}/{resource}/{userDescriptor}",
    resource_version: 1,
    min_version: ApiVersion::new(3, 2),
    preview_only: true,
};

/// `IMS/Identities`.
pub(crate) const IDENTITIES: LocationDef = LocationDef {
    id: "28010c54-d0c0-4c89-a5b0-1c9e188b9fb7",
    area: "IMS",
    resource_name: "Identities",
    route_template: "_apis/{resource}/{identityId}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `git/refs`.
pub(crate) const REFS: LocationDef = LocationDef {
    id: "2d874a60-a811-4f62-9c9f-963a6ea0a55b",
    area: "git",
    resource_name: "refs",
    route_template: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `Release/definitions`.
pub(crate) const RELEASE_DEFINITIONS: LocationDef = LocationDef {
    id: "d8f96f24-8ea7-4cb6-baab-2df8fc515665",
    area: "Release",
    resource_name: "definitions",
    route_template: "{project}/_apis/{area}/{resource}/{definitionId}",
    resource_version: 4,
    min_version: ApiVersion::new(2, 0),
    preview_only: false,
};

/// `distributedtask/taskgroups`.
pub(crate) const TASK_GROUPS: LocationDef = LocationDef {
    id: "6c08ffbf-dbf1-4f9a-94e5-a1cbd47005e7",
    area: "distributedtask",
    resource_name: "taskgroups",
    route_template: "{project}/_apis/{area}/{resource}/{taskGroupId}",
    resource_version: 1,
    min_version: ApiVersion::new(3, 0),
    preview_only: false,
};

/// A probe route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeRoute<'a> {
    /// `GET _apis/graph/users`.
    GraphUsers,
    /// `GET _apis/identities`.
    Identities,
    /// `GET {project}/_apis/release/definitions`.
    ReleaseDefinitions { project: &'a str },
    /// `GET {project}/_apis/distributedtask/taskgroups`.
    TaskGroups { project: &'a str },
    /// `POST {project}/_apis/git/repositories/{repository}/refs`.
    UpdateRefs {
        project: &'a str,
        repository: &'a str,
    },
}

impl<'a> ProbeRoute<'a> {
    /// Matches `rest` (`lower` is the same, lowercased).
    pub fn parse(method: &Method, rest: &'a [String], lower: &[&str]) -> Option<ProbeRoute<'a>> {
        let get = method == Method::GET || method == Method::HEAD;
        match lower {
            ["_apis", "graph", "users"] if get => Some(ProbeRoute::GraphUsers),
            ["_apis", "identities"] if get => Some(ProbeRoute::Identities),
            [_, "_apis", "release", "definitions"] if get => Some(ProbeRoute::ReleaseDefinitions {
                project: rest[0].as_str(),
            }),
            [_, "_apis", "distributedtask", "taskgroups"] if get => Some(ProbeRoute::TaskGroups {
                project: rest[0].as_str(),
            }),
            [_, "_apis", "git", "repositories", _, "refs"] if method == Method::POST => {
                Some(ProbeRoute::UpdateRefs {
                    project: rest[0].as_str(),
                    repository: rest[4].as_str(),
                })
            }
            _ => None,
        }
    }

    /// Scopes of which the token needs one.
    pub fn required_scopes(&self) -> &'static [&'static str] {
        match self {
            ProbeRoute::GraphUsers => &["vso.graph"],
            ProbeRoute::Identities => &["vso.identity"],
            ProbeRoute::ReleaseDefinitions { .. } => &["vso.release"],
            ProbeRoute::TaskGroups { .. } => &["vso.taskgroups_read"],
            ProbeRoute::UpdateRefs { .. } => &["vso.code_write"],
        }
    }

    /// The location whose version range applies.
    pub fn location(&self) -> &'static LocationDef {
        match self {
            ProbeRoute::GraphUsers => &GRAPH_USERS,
            ProbeRoute::Identities => &IDENTITIES,
            ProbeRoute::ReleaseDefinitions { .. } => &RELEASE_DEFINITIONS,
            ProbeRoute::TaskGroups { .. } => &TASK_GROUPS,
            ProbeRoute::UpdateRefs { .. } => &REFS,
        }
    }
}

/// Answers a probe route.
pub(crate) fn respond(
    site: &Site<'_>,
    incoming: &Incoming<'_>,
    parts: &Parts,
    route: ProbeRoute<'_>,
) -> Result<Answer, VssError> {
    match route {
        ProbeRoute::GraphUsers => {
            if site.server().is_some() {
                return Err(VssError::route_not_found("GET", parts.uri.path()));
            }
            let value: Vec<Value> = site
                .world
                .users
                .iter()
                .map(|u| {
                    json!({
                        "subjectKind": "user",
                        "domain": "AgentPool",
                        "principalName": u.email,
                        "mailAddress": u.email,
                        "origin": "aad",
                        "displayName": u.display_name,
                        "descriptor": format!("aad.{}", u.id.simple()),
                    })
                })
                .collect();
            Ok(Answer::json(
                json!({ "count": value.len(), "value": value }),
            ))
        }
        ProbeRoute::Identities => {
            let filter = incoming.query_param("filterValue").unwrap_or_default();
            let value: Vec<Value> = site
                .world
                .users
                .iter()
                .filter(|u| {
                    filter.is_empty()
                        || u.email.eq_ignore_ascii_case(&filter)
                        || u.display_name.eq_ignore_ascii_case(&filter)
                })
                .map(|u| {
                    json!({
                        "id": u.id,
                        "providerDisplayName": u.display_name,
                        "isActive": true,
                        "properties": { "Mail": { "$type": "System.String", "$value": u.email } },
                    })
                })
                .collect();
            Ok(Answer::json(
                json!({ "count": value.len(), "value": value }),
            ))
        }
        ProbeRoute::ReleaseDefinitions { project } | ProbeRoute::TaskGroups { project } => {
            projects::find(site, project)?;
            Ok(Answer::json(json!({ "count": 0, "value": [] })))
        }
        ProbeRoute::UpdateRefs {
            project,
            repository,
        } => {
            let project = projects::find(site, project)?;
            let id = uuid::Uuid::parse_str(repository).ok();
            if !project
                .repositories
                .iter()
                .any(|r| Some(r.id) == id || r.name.eq_ignore_ascii_case(repository))
            {
                return Err(VssError::repository_not_found(repository));
            }
            match crate::hooks::wire::request_json(parts) {
                Some(Value::Array(updates)) if updates.is_empty() => {
                    Ok(Answer::json(json!({ "count": 0, "value": [] })))
                }
                _ => Err(VssError::invalid_argument("refUpdates", "(not modelled)")),
            }
        }
    }
}
