//! `GET _apis/projects` (paged) and `GET _apis/projects/{projectIdOrName}` (spec
//! `core/7.1/core.json`).
//!
//! Paging: `$top` (default 100), `$skip`, and `continuationToken`, an integer meaning "how many
//! projects already fetched". The next token travels in the `x-ms-continuationtoken` response
//! header, never in the body (vsts-rest-api-specs#155), and is absent on the last page.

use axum::http::HeaderName;
use serde_json::{json, Value};

use super::{Answer, Incoming};
use crate::errors::VssError;
use crate::resources::projects::{reference, team_project};
use crate::resources::Site;
use crate::world::Project;

/// Page size when the request gives no `$top`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;

/// The continuation header (lowercase on the wire, as HTTP/2 requires; clients compare
/// header names case-insensitively).
static CONTINUATION: HeaderName = HeaderName::from_static("x-ms-continuationtoken");

/// `GET _apis/projects`.
pub(crate) fn list(site: &Site<'_>, incoming: &Incoming<'_>) -> Result<Answer, VssError> {
    let top = incoming
        .number("$top")?
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE);
    let start = match incoming.number("continuationToken")? {
        Some(token) => token,
        None => incoming.number("$skip")?.unwrap_or(0),
    };
    // Every emulated project is wellFormed; other states list nothing.
    let state_matches = incoming
        .query_param("stateFilter")
        .is_none_or(|s| s.eq_ignore_ascii_case("wellFormed") || s.eq_ignore_ascii_case("all"));
    let mut projects: Vec<&Project> = if state_matches {
        site.world.projects(site.host).iter().collect()
    } else {
        Vec::new()
    };
    projects.sort_by_key(|p| p.name.to_lowercase());

    let total = projects.len();
    let page: Vec<Value> = projects
        .iter()
        .skip(start)
        .take(top)
        .map(|p| reference(site, p))
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

/// Finds a project by id or name, with Azure DevOps' error for each kind of miss.
pub(crate) fn find<'w>(site: &Site<'w>, name_or_id: &str) -> Result<&'w Project, VssError> {
    site.world.project(site.host, name_or_id).ok_or_else(|| {
        match uuid::Uuid::parse_str(name_or_id) {
            Ok(id) => VssError::project_not_found_by_id(&id),
            Err(_) => VssError::project_not_found_by_name(name_or_id),
        }
    })
}

/// `GET _apis/projects/{projectIdOrName}`: a `TeamProject`.
pub(crate) fn get(
    site: &Site<'_>,
    name_or_id: &str,
    incoming: &Incoming<'_>,
) -> Result<Value, VssError> {
    let project = find(site, name_or_id)?;
    let capabilities = incoming
        .query_param("includeCapabilities")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Ok(team_project(site, project, capabilities))
}
