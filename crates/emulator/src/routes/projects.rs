//! `GET _apis/projects` (paged) and `GET _apis/projects/{projectIdOrName}` (spec
//! `core/7.1/core.json`).
//!
//! Paging: `$top` (default 100), `$skip`, and `continuationToken`, an integer meaning "how many
//! projects already fetched". The next token travels in the `x-ms-continuationtoken` response
//! header, never in the body (vsts-rest-api-specs#155), and is absent on the last page.

use axum::http::HeaderName;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;

use super::{encode_segment, Answer, Incoming, Site};
use crate::errors::VssError;
use crate::world::Project;

/// Page size when the request gives no `$top`.
pub(crate) const DEFAULT_PAGE_SIZE: usize = 100;

/// The continuation header (lowercase on the wire, as HTTP/2 requires; clients compare
/// header names case-insensitively).
static CONTINUATION: HeaderName = HeaderName::from_static("x-ms-continuationtoken");

/// `TeamProjectReference`.
pub(crate) fn reference(site: &Site<'_>, project: &Project) -> Value {
    let mut value = json!({
        "id": project.id,
        "name": project.name,
    });
    if let Some(description) = &project.description {
        value["description"] = json!(description);
    }
    value["url"] = json!(format!("{}/_apis/projects/{}", site.base(), project.id));
    value["state"] = json!("wellFormed");
    value["revision"] = json!(project.revision);
    value["visibility"] = json!(project.visibility.as_str());
    value["lastUpdateTime"] = json!(format_time(project.last_update_time));
    value
}

pub(crate) fn format_time(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

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
    let base = site.base();
    let mut value = reference(site, project);
    let url = value["url"].clone();
    value["_links"] = json!({
        "self": { "href": url },
        "collection": { "href": format!("{base}/_apis/projectCollections/{}", site.world.host_id(site.host)) },
        "web": { "href": format!("{base}/{}", encode_segment(&project.name)) },
    });
    if incoming
        .query_param("includeCapabilities")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        value["capabilities"] = json!({
            "versioncontrol": {
                "sourceControlType": "Git",
                "gitEnabled": "True",
                "tfvcEnabled": "False",
            },
            "processTemplate": {
                "templateName": "Agile",
                "templateTypeId": "adcc42ab-9882-485e-a3ed-7678f01f66bc",
            },
        });
    }
    value["defaultTeam"] = json!({
        "id": project.default_team_id,
        "name": format!("{} Team", project.name),
        "url": format!("{base}/_apis/projects/{}/teams/{}", project.id, project.default_team_id),
    });
    Ok(value)
}
