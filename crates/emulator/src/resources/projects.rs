//! `TeamProjectReference` and `TeamProject` (spec `core/7.1/core.json`).

use serde_json::{json, Value};

use super::{encode_segment, format_time, Site};
use crate::world::Project;

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
    site.shaped("TeamProjectReference", value)
}

/// `TeamProject`: the reference, links, the default team, and with `capabilities` (Git, the
/// Agile process) when asked for.
pub(crate) fn team_project(site: &Site<'_>, project: &Project, capabilities: bool) -> Value {
    let base = site.base();
    let mut value = reference(site, project);
    let url = value["url"].clone();
    value["_links"] = json!({
        "self": { "href": url },
        "collection": { "href": format!("{base}/_apis/projectCollections/{}", site.world.host_id(site.host)) },
        "web": { "href": format!("{base}/{}", encode_segment(&project.name)) },
    });
    if capabilities {
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
    site.shaped("TeamProject", value)
}
