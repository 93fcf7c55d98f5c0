//! `GET {project}/_apis/git/pullrequests` and
//! `GET {project}/_apis/git/repositories/{repositoryIdOrName}/pullrequests` (spec
//! `git/7.1/git.json`, `GitPullRequest`).
//!
//! Query: `searchCriteria.status` (`active` by default, `completed`, `abandoned`, `all`,
//! `notSet`), `searchCriteria.repositoryId`, `searchCriteria.sourceRefName`,
//! `searchCriteria.targetRefName`, `searchCriteria.creatorId`, `$top`, `$skip`. Newest first.

use serde_json::{json, Value};
use uuid::Uuid;

use super::locations::LocationDef;
use super::projects;
use super::{Answer, Incoming};
use crate::activity::{PullRequest, PullRequestStatus};
use crate::errors::VssError;
use crate::resources::identities::person;
use crate::resources::pull_requests::pull_request;
use crate::resources::Site;
use crate::versions::ApiVersion;

/// `git/pullRequestsByProject`.
pub(crate) const PULL_REQUESTS_BY_PROJECT: LocationDef = LocationDef {
    id: "a5d28130-9cd2-40fa-9f08-902e7daa9efb",
    area: "git",
    resource_name: "pullRequestsByProject",
    route_template: "{project}/_apis/{area}/pullrequests",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `git/pullRequests`.
pub(crate) const PULL_REQUESTS: LocationDef = LocationDef {
    id: "9946fd70-0d40-406e-b686-b4744cbbcc37",
    area: "git",
    resource_name: "pullRequests",
    route_template: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{pullRequestId}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// Page size without `$top`.
const DEFAULT_TOP: usize = 100;

fn guid(incoming: &Incoming<'_>, name: &str) -> Result<Option<Uuid>, VssError> {
    match incoming.query_param(name) {
        None => Ok(None),
        Some(raw) if raw.trim().is_empty() => Ok(None),
        Some(raw) => Uuid::parse_str(raw.trim())
            .map(Some)
            .map_err(|_| VssError::invalid_argument(name, &raw)),
    }
}

/// Which statuses `searchCriteria.status` selects.
fn status_filter(incoming: &Incoming<'_>) -> Result<Option<PullRequestStatus>, VssError> {
    let Some(raw) = incoming.query_param("searchCriteria.status") else {
        return Ok(Some(PullRequestStatus::Active));
    };
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "active" => Ok(Some(PullRequestStatus::Active)),
        "completed" => Ok(Some(PullRequestStatus::Completed)),
        "abandoned" => Ok(Some(PullRequestStatus::Abandoned)),
        "all" | "notset" => Ok(None),
        _ => Err(VssError::invalid_argument("searchCriteria.status", &raw)),
    }
}

/// `GET [..]/pullrequests`: `{count, value}`.
pub(crate) fn list(
    site: &Site<'_>,
    project: &str,
    repository: Option<&str>,
    incoming: &Incoming<'_>,
) -> Result<Answer, VssError> {
    let project = projects::find(site, project)?;
    let in_repo = match repository {
        Some(name_or_id) => {
            let id = Uuid::parse_str(name_or_id).ok();
            let repo = project
                .repositories
                .iter()
                .find(|r| match id {
                    Some(id) => r.id == id,
                    None => r.name.eq_ignore_ascii_case(name_or_id),
                })
                .ok_or_else(|| VssError::repository_not_found(name_or_id))?;
            Some(repo.id)
        }
        None => None,
    };
    let status = status_filter(incoming)?;
    let repository_id = guid(incoming, "searchCriteria.repositoryId")?;
    let creator = guid(incoming, "searchCriteria.creatorId")?;
    let source = incoming.query_param("searchCriteria.sourceRefName");
    let target = incoming.query_param("searchCriteria.targetRefName");
    let top = incoming
        .number("$top")?
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_TOP);
    let skip = incoming.number("$skip")?.unwrap_or(0);

    let mut matching: Vec<&PullRequest> = project
        .pull_requests
        .iter()
        .filter(|pr| status.is_none_or(|s| pr.status == s))
        .filter(|pr| in_repo.is_none_or(|id| pr.repository_id == id))
        .filter(|pr| repository_id.is_none_or(|id| pr.repository_id == id))
        .filter(|pr| {
            creator
                .is_none_or(|id| person(site, pr.created_by.as_deref()).is_some_and(|u| u.id == id))
        })
        .filter(|pr| {
            source.as_deref().is_none_or(|s| {
                pr.source_ref
                    .eq_ignore_ascii_case(&crate::activity::full_ref(s))
            })
        })
        .filter(|pr| {
            target.as_deref().is_none_or(|t| {
                pr.target_ref
                    .eq_ignore_ascii_case(&crate::activity::full_ref(t))
            })
        })
        .collect();
    matching.sort_by_key(|pr| std::cmp::Reverse(pr.id));
    let value: Vec<Value> = matching
        .into_iter()
        .skip(skip)
        .take(top)
        .filter_map(|pr| {
            let repo = project
                .repositories
                .iter()
                .find(|r| r.id == pr.repository_id)?;
            Some(pull_request(site, project, repo, pr))
        })
        .collect();
    Ok(Answer::json(
        json!({ "count": value.len(), "value": value }),
    ))
}
