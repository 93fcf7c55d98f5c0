//! `GET [{project}/]_apis/git/repositories[/{repositoryIdOrName}]` (spec `git/7.1/git.json`);
//! the shape is `resources/repositories.rs`.

use serde_json::{json, Value};

use super::projects;
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

/// `GET [{project}/]_apis/git/repositories`: no paging, `{"count", "value"}`.
pub(crate) fn list(site: &Site<'_>, project: Option<&str>) -> Result<Value, VssError> {
    let items = match project {
        Some(name_or_id) => {
            let project = projects::find(site, name_or_id)?;
            sorted(project.repositories.iter().map(|r| (project, r)))
        }
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

/// `GET [{project}/]_apis/git/repositories/{repositoryIdOrName}`.
///
/// Without a project, a name must be unique across the host's projects.
pub(crate) fn get(
    site: &Site<'_>,
    project: Option<&str>,
    name_or_id: &str,
) -> Result<Value, VssError> {
    let id = uuid::Uuid::parse_str(name_or_id).ok();
    let matches = |r: &Repository| match id {
        Some(id) => r.id == id,
        None => r.name.eq_ignore_ascii_case(name_or_id),
    };
    let found: Vec<(&Project, &Repository)> = match project {
        Some(project) => {
            let project = projects::find(site, project)?;
            project
                .repositories
                .iter()
                .filter(|r| matches(r))
                .map(|r| (project, r))
                .collect()
        }
        None => site
            .world
            .projects(site.host)
            .iter()
            .flat_map(|p| p.repositories.iter().map(move |r| (p, r)))
            .filter(|(_, r)| matches(r))
            .collect(),
    };
    match found.as_slice() {
        [(project, repo)] => Ok(repository(site, project, repo)),
        _ => Err(VssError::repository_not_found(name_or_id)),
    }
}
