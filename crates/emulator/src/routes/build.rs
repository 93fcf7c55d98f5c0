//! `GET [{project}/]_apis/build/builds` (spec `build/7.1/build.json`, `Build`). The spec has
//! only the project form; the service also routes the organization (collection) form
//! (decompiled `Builds5Controller.GetBuilds`: `[ClientIgnoreRouteScopes(Collection)]`, so
//! clients do not generate it, and it queries with an empty project id: every project's
//! builds). There the emulator filters by a `projectId` (or `project`) query parameter, as
//! DX's verification asks (see `FIDELITY.md`).
//!
//! Query: `$top`, `continuationToken` (how many already fetched; the next one in
//! `x-ms-continuationtoken`), `definitions` (ids, comma-separated), `statusFilter`,
//! `resultFilter`, `branchName`, `repositoryId`, `queryOrder` (`queueTimeDescending` by
//! default, `queueTimeAscending`, `finishTimeDescending`, `finishTimeAscending`,
//! `startTimeDescending`, `startTimeAscending`).

use axum::http::HeaderName;
use serde_json::{json, Value};
use uuid::Uuid;

use super::locations::LocationDef;
use super::projects;
use super::{Answer, Incoming};
use crate::activity::Build;
use crate::errors::VssError;
use crate::resources::builds::build;
use crate::resources::Site;
use crate::versions::ApiVersion;
use crate::world::Project;

/// `build/builds` (resourceVersion 7 in the Python SDK's 7.1 client).
pub(crate) const BUILDS: LocationDef = LocationDef {
    id: "0cd358e1-9217-4d94-8269-1c1ee6f93dcf",
    area: "build",
    resource_name: "builds",
    route_template: "{project}/_apis/{area}/{resource}/{buildId}",
    resource_version: 7,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// Page size without `$top` (the builds API caps pages at 1000; ado-api.md §4).
const DEFAULT_TOP: usize = 1000;

static CONTINUATION: HeaderName = HeaderName::from_static("x-ms-continuationtoken");

/// Values of a comma-separated filter, lowercased.
fn list_param(incoming: &Incoming<'_>, name: &str) -> Option<Vec<String>> {
    incoming.query_param(name).map(|raw| {
        raw.split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// The projects whose builds a request lists: the path's project; at the organization or
/// collection level the `projectId` (or `project`) query parameter's, else all of them.
fn scope<'w>(
    site: &Site<'w>,
    project: Option<&str>,
    incoming: &Incoming<'_>,
) -> Result<Vec<&'w Project>, VssError> {
    let named = project.map(str::to_string).or_else(|| {
        incoming
            .query_param("projectId")
            .or_else(|| incoming.query_param("project"))
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
    });
    match named {
        Some(name) => Ok(vec![projects::find(site, &name)?]),
        None => Ok(site.world.projects(site.host).iter().collect()),
    }
}

/// `GET [{project}/]_apis/build/builds`.
pub(crate) fn list(
    site: &Site<'_>,
    project: Option<&str>,
    incoming: &Incoming<'_>,
) -> Result<Answer, VssError> {
    let projects = scope(site, project, incoming)?;
    let top = incoming
        .number("$top")?
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_TOP);
    let start = incoming.number("continuationToken")?.unwrap_or(0);
    let definitions = list_param(incoming, "definitions");
    let statuses = list_param(incoming, "statusFilter");
    let results = list_param(incoming, "resultFilter");
    let branch = incoming.query_param("branchName");
    let repository = match incoming.query_param("repositoryId") {
        Some(raw) if !raw.trim().is_empty() => Some(
            Uuid::parse_str(raw.trim())
                .map_err(|_| VssError::invalid_argument("repositoryId", &raw))?,
        ),
        _ => None,
    };
    let mut builds: Vec<(&Project, &Build)> = projects
        .iter()
        .flat_map(|p| p.builds.iter().map(move |b| (*p, b)))
        .filter(|(_, b)| {
            definitions
                .as_ref()
                .is_none_or(|d| d.contains(&b.definition_id.to_string()))
        })
        .filter(|(_, b)| {
            statuses.as_ref().is_none_or(|s| {
                s.iter()
                    .any(|s| s == "all" || s == &b.status.as_str().to_ascii_lowercase())
            })
        })
        .filter(|(_, b)| {
            results.as_ref().is_none_or(|r| {
                b.result
                    .is_some_and(|res| r.contains(&res.as_str().to_ascii_lowercase()))
            })
        })
        .filter(|(_, b)| {
            branch.as_deref().is_none_or(|br| {
                b.source_branch
                    .eq_ignore_ascii_case(&crate::activity::full_ref(br))
            })
        })
        .filter(|(_, b)| repository.is_none_or(|id| b.repository_id == Some(id)))
        .collect();
    let order = incoming
        .query_param("queryOrder")
        .unwrap_or_else(|| "queueTimeDescending".to_string())
        .to_ascii_lowercase();
    match order.as_str() {
        "queuetimeascending" => builds.sort_by_key(|(_, b)| (b.queue_time, b.id)),
        "finishtimeascending" => builds.sort_by_key(|(_, b)| (b.finish_time, b.id)),
        "finishtimedescending" => {
            builds.sort_by_key(|(_, b)| std::cmp::Reverse((b.finish_time, b.id)))
        }
        "starttimeascending" => builds.sort_by_key(|(_, b)| (b.start_time, b.id)),
        "starttimedescending" => {
            builds.sort_by_key(|(_, b)| std::cmp::Reverse((b.start_time, b.id)))
        }
        _ => builds.sort_by_key(|(_, b)| std::cmp::Reverse((b.queue_time, b.id))),
    }
    let total = builds.len();
    let page: Vec<Value> = builds
        .into_iter()
        .skip(start)
        .take(top)
        .map(|(p, b)| build(site, p, b))
        .collect();
    let fetched = start.saturating_add(page.len());
    let mut answer = Answer::json(json!({ "count": page.len(), "value": page }));
    if fetched < total {
        answer
            .headers
            .push((CONTINUATION.clone(), fetched.to_string()));
    }
    Ok(answer)
}
