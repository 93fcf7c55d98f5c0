//! `GET {project}/_apis/wit/workitemtypes` (spec `wit/7.1/workItemTracking.json`,
//! `WorkItemType`): the Agile process's backlog types, the same in every project.
//!
//! Names, reference names, colors and icons are the Agile process's; `states` are trimmed to
//! name, color and category.
//!
//! `GET _apis/wit/workitemtypes?project={name or id}` at the organization (collection) level
//! answers the same list, as DX's verification calls it; without a project it stays an
//! unknown route (the spec has only the project form; see `FIDELITY.md`).

use serde_json::{json, Value};

use super::locations::LocationDef;
use super::projects;
use crate::errors::VssError;
use crate::resources::{encode_segment, Site};
use crate::versions::ApiVersion;

/// `wit/workItemTypes` (resourceVersion 2 in the Python SDK's 7.1 client).
pub(crate) const WORK_ITEM_TYPES: LocationDef = LocationDef {
    id: "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa",
    area: "wit",
    resource_name: "workItemTypes",
    route_template: "{project}/_apis/{area}/{resource}/{type}",
    resource_version: 2,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `(name, referenceName, description, color, icon, states)`.
type TypeDef = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str)],
);

const NEW: (&str, &str, &str) = ("New", "b2b2b2", "Proposed");
const ACTIVE: (&str, &str, &str) = ("Active", "007acc", "InProgress");
const RESOLVED: (&str, &str, &str) = ("Resolved", "ff9d00", "Resolved");
const CLOSED: (&str, &str, &str) = ("Closed", "339933", "Completed");
const REMOVED: (&str, &str, &str) = ("Removed", "ffffff", "Removed");

const TYPES: &[TypeDef] = &[
    (
        "Bug",
        "Microsoft.VSTS.WorkItemTypes.Bug",
        "Describes a divergence between required and actual behavior, and tracks the work done to correct the defect and verify the correction.",
        "CC293D",
        "icon_insect",
        &[NEW, ACTIVE, RESOLVED, CLOSED],
    ),
    (
        "Epic",
        "Microsoft.VSTS.WorkItemTypes.Epic",
        "Epics help teams effectively manage and groom their product backlog.",
        "FF7B00",
        "icon_crown",
        &[NEW, ACTIVE, RESOLVED, CLOSED, REMOVED],
    ),
    (
        "Feature",
        "Microsoft.VSTS.WorkItemTypes.Feature",
        "Tracks a feature that will be released with the product.",
        "773B93",
        "icon_trophy",
        &[NEW, ACTIVE, RESOLVED, CLOSED, REMOVED],
    ),
    (
        "Task",
        "Microsoft.VSTS.WorkItemTypes.Task",
        "Tracks work that needs to be done.",
        "F2CB1D",
        "icon_clipboard",
        &[NEW, ACTIVE, CLOSED, REMOVED],
    ),
    (
        "User Story",
        "Microsoft.VSTS.WorkItemTypes.UserStory",
        "Tracks an activity the user will be able to perform with the product.",
        "009CCC",
        "icon_book",
        &[NEW, ACTIVE, RESOLVED, CLOSED, REMOVED],
    ),
];

/// `GET {project}/_apis/wit/workitemtypes`: `{count, value}`.
pub(crate) fn list(site: &Site<'_>, project: &str) -> Result<Value, VssError> {
    let project = projects::find(site, project)?;
    let base = site.base();
    let value: Vec<Value> = TYPES
        .iter()
        .map(|(name, reference_name, description, color, icon, states)| {
            json!({
                "name": name,
                "referenceName": reference_name,
                "description": description,
                "color": color,
                "icon": {
                    "id": icon,
                    "url": format!("{base}/_apis/wit/workItemIcons/{icon}?color={color}&v=2"),
                },
                "isDisabled": false,
                "states": states.iter().map(|(name, color, category)| json!({
                    "name": name,
                    "color": color,
                    "category": category,
                })).collect::<Vec<_>>(),
                "url": format!(
                    "{base}/{}/_apis/wit/workItemTypes/{}",
                    project.id,
                    encode_segment(name)
                ),
            })
        })
        .map(|t| site.shaped("WorkItemType", t))
        .collect();
    Ok(json!({ "count": value.len(), "value": value }))
}
