//! `Build` (spec `build/7.1/build.json`) and its `DefinitionReference`.

use serde_json::{json, Value};

use super::identities::{identity_ref, person};
use super::projects::reference;
use super::repositories::repository;
use super::{format_time, Site};
use crate::activity::Build;
use crate::world::{derived_id, Project};

/// `DefinitionReference` of a build.
pub(crate) fn definition_ref(site: &Site<'_>, project: &Project, build: &Build) -> Value {
    json!({
        "drafts": [],
        "id": build.definition_id,
        "name": build.definition_name,
        "url": format!(
            "{}/{}/_apis/build/Definitions/{}?revision=1",
            site.base(),
            project.id,
            build.definition_id
        ),
        "uri": format!("vstfs:///Build/Definition/{}", build.definition_id),
        "path": "\\",
        "type": "build",
        "queueStatus": "enabled",
        "revision": 1,
        "project": reference(site, project),
    })
}

/// `Build`.
pub(crate) fn build(site: &Site<'_>, project: &Project, build: &Build) -> Value {
    let base = site.base();
    let url = format!("{base}/{}/_apis/build/Builds/{}", project.id, build.id);
    let plan = derived_id(
        "build-plan",
        &[&project.id.to_string(), &build.id.to_string()],
    );
    let requested = person(site, build.requested_for.as_deref());
    let requested_ref = identity_ref(site, requested, build.requested_for.as_deref());
    let mut value = json!({
        "_links": {
            "self": { "href": url },
            "web": { "href": format!("{base}/{}/_build/results?buildId={}", project.id, build.id) },
            "timeline": { "href": format!("{base}/{}/_apis/build/builds/{}/Timeline", project.id, build.id) },
        },
        "properties": {},
        "tags": [],
        "validationResults": [],
        "plans": [{ "planId": plan }],
        "triggerInfo": {},
        "id": build.id,
        "buildNumber": build.build_number,
        "status": build.status.as_str(),
    });
    if let Some(result) = build.result {
        value["result"] = json!(result.as_str());
    }
    value["queueTime"] = json!(format_time(build.queue_time));
    if let Some(start) = build.start_time {
        value["startTime"] = json!(format_time(start));
    }
    if let Some(finish) = build.finish_time {
        value["finishTime"] = json!(format_time(finish));
    }
    value["url"] = json!(url);
    value["definition"] = definition_ref(site, project, build);
    value["buildNumberRevision"] = json!(1);
    value["project"] = reference(site, project);
    value["uri"] = json!(format!("vstfs:///Build/Build/{}", build.id));
    value["sourceBranch"] = json!(build.source_branch);
    value["sourceVersion"] = json!(build.source_version);
    value["queue"] = json!({
        "id": 9,
        "name": "Azure Pipelines",
        "pool": { "id": 9, "name": "Azure Pipelines", "isHosted": true },
    });
    value["priority"] = json!("normal");
    value["reason"] = json!(build.reason);
    value["requestedFor"] = requested_ref.clone();
    value["requestedBy"] = requested_ref.clone();
    value["lastChangedDate"] = json!(format_time(build.finish_time.unwrap_or(build.queue_time)));
    value["lastChangedBy"] = requested_ref;
    value["orchestrationPlan"] = json!({ "planId": plan });
    value["logs"] = json!({
        "id": 0,
        "type": "Container",
        "url": format!("{base}/{}/_apis/build/builds/{}/logs", project.id, build.id),
    });
    if let Some(repo) = build
        .repository_id
        .and_then(|id| project.repositories.iter().find(|r| r.id == id))
    {
        let remote = repository(site, project, repo)["remoteUrl"].clone();
        value["repository"] = json!({
            "id": repo.id,
            "type": "TfsGit",
            "name": repo.name,
            "url": remote,
            "clean": null,
            "checkoutSubmodules": false,
        });
    }
    value["retainedByRelease"] = json!(false);
    value["triggeredByBuild"] = Value::Null;
    value["appendCommitMessageToRunName"] = json!(true);
    site.shaped("Build", value)
}
