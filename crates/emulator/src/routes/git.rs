//! `GET [{project}/]_apis/git/repositories[/{repositoryIdOrName}]` (spec `git/7.1/git.json`);
//! the shape is `resources/repositories.rs`. Also how every git route finds its repository.
//!
//! The project a git request is about is the `projectId` query parameter when one is given
//! (a plain URI-bound parameter of the service's git controllers; decompiled
//! `GitApiController.GetProjectFilter`: it wins over the path's project, and a project it does
//! not name is `GitRepositoryNotFoundException` naming it), else the `{project}` path segment
//! (unknown: `TF200016`/`VS800075`), else none: the whole organization or collection.

use serde_json::{json, Value};

use super::{projects, Incoming};
use crate::errors::VssError;
use crate::resources::repositories::repository;
use crate::resources::Site;
use crate::world::{Project, Repository};

fn sorted<'w>(
    items: impl Iterator<Item = (&'w Project, &'w Repository)>,
) -> Vec<(&'w Project, &'w Repository)> {
    let mut items: Vec<_> = items.collect();
    items.sort_by_key(|(p, r)| (r.name.to_lowercase(), p.name.to_lowercase()));
    items
}

/// The project a git request is scoped to (see the module docs); `None`: the whole host.
pub(crate) fn project_scope<'w>(
    site: &Site<'w>,
    path_project: Option<&str>,
    incoming: &Incoming<'_>,
) -> Result<Option<&'w Project>, VssError> {
    match incoming.query_param("projectId") {
        Some(raw) if !raw.trim().is_empty() => site
            .world
            .project(site.host, raw.trim())
            .map(Some)
            .ok_or_else(|| VssError::repository_not_found(raw.trim())),
        _ => path_project.map(|p| projects::find(site, p)).transpose(),
    }
}

/// `GET [{project}/]_apis/git/repositories`: no paging, `{"count", "value"}`.
pub(crate) fn list(
    site: &Site<'_>,
    project: Option<&str>,
    incoming: &Incoming<'_>,
) -> Result<Value, VssError> {
    let items = match project_scope(site, project, incoming)? {
        Some(project) => sorted(project.repositories.iter().map(|r| (project, r))),
        None => sorted(
            site.world
                .projects(site.host)
                .iter()
                .flat_map(|p| p.repositories.iter().map(move |r| (p, r))),
        ),
    };
    let value: Vec<Value> = items
        .into_iter()
        .map(|(p, r)| repository(site, p, r))
        .collect();
    Ok(json!({ "count": value.len(), "value": value }))
}

/// A repository by id or name, in the request's project scope. Without a project, a name must
/// be unique across the host's projects; otherwise `TF401019`.
pub(crate) fn find<'w>(
    site: &Site<'w>,
    project: Option<&str>,
    incoming: &Incoming<'_>,
    name_or_id: &str,
) -> Result<(&'w Project, &'w Repository), VssError> {
    let id = uuid::Uuid::parse_str(name_or_id).ok();
    let matches = |r: &Repository| match id {
        Some(id) => r.id == id,
        None => r.name.eq_ignore_ascii_case(name_or_id),
    };
    let found: Vec<(&Project, &Repository)> = match project_scope(site, project, incoming)? {
        Some(project) => project
            .repositories
            .iter()
            .filter(|r| matches(r))
            .map(|r| (project, r))
            .collect(),
        None => site
            .world
            .projects(site.host)
            .iter()
            .flat_map(|p| p.repositories.iter().map(move |r| (p, r)))
            .filter(|(_, r)| matches(r))
            .collect(),
    };
    match found.as_slice() {
        [(project, repo)] => Ok((project, repo)),
        _ => Err(VssError::repository_not_found(name_or_id)),
    }
}

/// `GET [{project}/]_apis/git/repositories/{repositoryIdOrName}`.
pub(crate) fn get(
    site: &Site<'_>,
    project: Option<&str>,
    name_or_id: &str,
    incoming: &Incoming<'_>,
) -> Result<Value, VssError> {
    let (project, repo) = find(site, project, incoming, name_or_id)?;
    Ok(repository(site, project, repo))
}
