//! The payload subscribers receive: resource containers, messages, resources per event type.

use super::*;

/// `resourceContainers`: the collection (the host), the account, the project.
pub(super) fn containers(site: &Site<'_>, project: &Project) -> Value {
    let base = format!("{}/", site.base());
    let account = match site.organization() {
        Some(org) => derived_id("account", &[&org.name]),
        None => site.server().map(|s| s.id).unwrap_or_default(),
    };
    json!({
        "collection": { "id": site.world.host_id(site.host), "baseUrl": base },
        "account": { "id": account, "baseUrl": base },
        "project": { "id": project.id, "baseUrl": base },
    })
}

pub(super) fn formatted(text: String, html: String, markdown: String) -> Value {
    json!({ "text": text, "html": html, "markdown": markdown })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn describe_push(
    site: &Site<'_>,
    project: &Project,
    repo: &Repository,
    actor: &User,
    push_id: u64,
    old: &str,
    new: &str,
    comment: &str,
    occurrence: &mut Occurrence,
) {
    let base = site.base();
    let branch = occurrence.branch.clone().unwrap_or_default();
    let short = short_ref(&branch);
    let web = format!(
        "{base}/{}/_git/{}",
        encode_segment(&project.name),
        encode_segment(&repo.name)
    );
    let name = &actor.display_name;
    occurrence.message = formatted(
        format!(
            "{name} pushed updates to branch {short} of repository {}.",
            repo.name
        ),
        format!(
            "{name} pushed updates to branch {short} of repository {}.",
            repo.name
        ),
        format!(
            "{name} pushed updates to branch `{short}` of repository `{}`.",
            repo.name
        ),
    );
    let sha = &new[..8];
    let commit_url = format!("{web}/commit/{new}");
    occurrence.detailed_message = formatted(
        format!(
            "{name} pushed 1 commit to branch {short} of repository {}.\n - {comment} {sha}",
            repo.name
        ),
        format!(
            "{name} pushed 1 commit to branch <a href=\"{web}/#version=GB{short}\">{short}</a> of repository <a href=\"{web}/\">{}</a>.\n<ul>\n<li>{comment} <a href=\"{commit_url}\">{sha}</a>\n</ul>",
            repo.name
        ),
        format!(
            "{name} pushed 1 commit to branch [{short}]({web}/#version=GB{short}) of repository [{}]({web}/).\n* {comment} [{sha}]({commit_url})",
            repo.name
        ),
    );
    let date = format_time(occurrence.created_date);
    let person = json!({ "name": name, "email": actor.email, "date": date });
    let push_url = format!(
        "{base}/{}/_apis/git/repositories/{}/pushes/{push_id}",
        project.id, repo.id
    );
    let mut repository = repository_ref(site, project, repo);
    if let Some(default) = &repo.default_branch {
        repository["defaultBranch"] = json!(default);
    }
    repository["remoteUrl"] =
        crate::resources::repositories::repository(site, project, repo)["remoteUrl"].clone();
    occurrence.resource = json!({
        "commits": [{
            "commitId": new,
            "author": person,
            "committer": person,
            "comment": comment,
            "url": commit_url,
        }],
        "refUpdates": [{ "name": branch, "oldObjectId": old, "newObjectId": new }],
        "repository": repository,
        "pushedBy": identity_ref(site, Some(actor), None),
        "pushId": push_id,
        "date": date,
        "url": push_url,
    });
    occurrence.minimal_resource = json!({ "pushId": push_id, "url": push_url });
}

pub(super) fn describe_pull_request(
    site: &Site<'_>,
    project: &Project,
    repo: &Repository,
    pr: &PullRequest,
    actor: &User,
    occurrence: &mut Occurrence,
) {
    let name = &actor.display_name;
    let headline = match occurrence.event_type {
        "git.pullrequest.created" => format!("{name} created a new pull request"),
        "git.pullrequest.merged" => format!("{name} has created a pull request merge commit"),
        _ => match occurrence.notification_type.as_deref() {
            Some("StatusUpdateNotification") => {
                format!("{name} marked the pull request as {}", pr.status.as_str())
            }
            Some("ReviewersUpdateNotification") => {
                format!("{name} updated the reviewers of the pull request")
            }
            Some("ReviewerVoteNotification") => format!("{name} voted on the pull request"),
            _ => format!("{name} updated the source branch of the pull request"),
        },
    };
    occurrence.message = formatted(headline.clone(), headline.clone(), headline.clone());
    let merge_status = match pr.merge_status.as_str() {
        "succeeded" => "Succeeded",
        "conflicts" => "Conflicts",
        "failure" => "Failure",
        "rejectedByPolicy" => "Rejected by policy",
        other => other,
    };
    occurrence.detailed_message = formatted(
        format!("{headline}\r\n\r\n- Merge status: {merge_status}\r\n"),
        format!("{headline}\r\n<ul>\r\n<li>Merge status: {merge_status}</li>\r\n</ul>"),
        format!("{headline}\r\n\r\n+ Merge status: {merge_status}\r\n"),
    );
    let mut resource = pull_request(site, project, repo, pr);
    if occurrence.event_type == "git.pullrequest.updated" {
        resource["commits"] = json!([{
            "commitId": pr.source_commit,
            "url": format!(
                "{}/{}/_apis/git/repositories/{}/commits/{}",
                site.base(),
                project.id,
                repo.id,
                pr.source_commit
            ),
        }]);
    }
    occurrence.minimal_resource = json!({
        "pullRequestId": pr.id,
        "url": resource["url"].clone(),
    });
    occurrence.resource = resource;
}

pub(super) fn describe_build(
    site: &Site<'_>,
    project: &Project,
    build: &Build,
    occurrence: &mut Occurrence,
) {
    let base = site.base();
    let result = build.result.unwrap_or(BuildResult::Succeeded);
    let word = match result {
        BuildResult::Succeeded => "succeeded",
        BuildResult::PartiallySucceeded => "partially succeeded",
        BuildResult::Failed => "failed",
        BuildResult::Canceled => "was canceled",
    };
    let web = format!("{base}/{}/_build/results?buildId={}", project.id, build.id);
    let number = &build.build_number;
    let message = formatted(
        format!("Build {number} {word}"),
        format!("Build <a href=\"{web}\">{number}</a> {word}"),
        format!("Build [{number}]({web}) {word}"),
    );
    occurrence.detailed_message = message.clone();
    occurrence.message = message;
    occurrence.build_status = Some(result.hook_status());
    occurrence.definition_name = Some(build.definition_name.clone());
    let url = format!("{base}/{}/_apis/build/Builds/{}", project.id, build.id);
    let requested = crate::resources::identities::person(site, build.requested_for.as_deref());
    let requested = identity_ref(site, requested, build.requested_for.as_deref());
    // resourceVersion 1.0, as docs `service-hooks/events.md` shows it (XAML-era names:
    // `status` carries the result).
    occurrence.resource = json!({
        "uri": format!("vstfs:///Build/Build/{}", build.id),
        "id": build.id,
        "buildNumber": number,
        "url": url,
        "startTime": build.start_time.map(format_time),
        "finishTime": build.finish_time.map(format_time),
        "reason": "manual",
        "status": result.as_str(),
        "dropLocation": format!("#/{}/drop", build.id),
        "drop": {
            "location": format!("#/{}/drop", build.id),
            "type": "container",
            "url": format!("{base}/_apis/resources/Containers/{}/drop", build.id),
            "downloadUrl": format!("{base}/_apis/resources/Containers/{}/drop?api-version=1.0&$format=zip", build.id),
        },
        "log": {
            "type": "container",
            "url": format!("{base}/_apis/resources/Containers/{}/logs", build.id),
            "downloadUrl": format!("{base}/_apis/resources/Containers/{}/logs?api-version=1.0&$format=zip", build.id),
        },
        "sourceGetVersion": format!("LG:{}:{}", build.source_branch, build.source_version),
        "lastChangedBy": requested,
        "retainIndefinitely": false,
        "hasDiagnostics": true,
        "definition": {
            "batchSize": 1,
            "triggerType": "none",
            "definitionType": "build",
            "id": build.definition_id,
            "name": build.definition_name,
            "url": format!("{base}/{}/_apis/build/Definitions/{}", project.id, build.definition_id),
        },
        "queue": {
            "queueType": "buildController",
            "id": 9,
            "name": "Azure Pipelines",
            "url": format!("{base}/_apis/build/Queues/9"),
        },
        "requests": [{
            "id": build.id,
            "url": format!("{base}/{}/_apis/build/Requests/{}", project.id, build.id),
            "requestedFor": requested,
        }],
    });
    occurrence.resource_v2 = Some(crate::resources::builds::build(site, project, build));
    occurrence.minimal_resource = json!({ "id": build.id, "url": url });
}

/// The JSON body one subscriber receives, shaped by its `resourceDetailsToSend`,
/// `messagesToSend` and `detailedMessagesToSend` inputs and its `resourceVersion`.
pub(crate) fn payload(
    occurrence: &Occurrence,
    subscription_id: Uuid,
    notification_id: i64,
    resource_version: Option<&str>,
    consumer_inputs: &[(String, String)],
) -> Value {
    let input = |id: &str| {
        consumer_inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, v)| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let pick = |message: &Value, choice: String| -> Option<Value> {
        match choice.as_str() {
            "" | "all" => Some(message.clone()),
            "none" => None,
            key => Some(json!({ key: message[key].clone() })),
        }
    };
    let version = resource_version
        .filter(|v| !v.trim().is_empty() && !v.eq_ignore_ascii_case("latest"))
        .unwrap_or("1.0")
        .to_string();
    let resource = match input("resourceDetailsToSend").as_str() {
        "none" => None,
        "minimal" => Some(occurrence.minimal_resource.clone()),
        _ => Some(match (&occurrence.resource_v2, version.starts_with("2.")) {
            (Some(v2), true) => v2.clone(),
            _ => occurrence.resource.clone(),
        }),
    };
    let mut body = serde_json::Map::new();
    body.insert("subscriptionId".into(), json!(subscription_id));
    body.insert("notificationId".into(), json!(notification_id));
    body.insert("id".into(), json!(occurrence.event_id));
    body.insert("eventType".into(), json!(occurrence.event_type));
    body.insert("publisherId".into(), json!(PUBLISHER_ID));
    if let Some(message) = pick(&occurrence.message, input("messagesToSend")) {
        body.insert("message".into(), message);
    }
    if let Some(message) = pick(
        &occurrence.detailed_message,
        input("detailedMessagesToSend"),
    ) {
        body.insert("detailedMessage".into(), message);
    }
    if let Some(resource) = resource {
        body.insert("resource".into(), resource);
    }
    body.insert("resourceVersion".into(), json!(version));
    body.insert(
        "resourceContainers".into(),
        occurrence.resource_containers.clone(),
    );
    body.insert(
        "createdDate".into(),
        json!(format_time(occurrence.created_date)),
    );
    Value::Object(body)
}

/// The `Event` as notification history shows it (the payload without the subscriber's ids).
pub(crate) fn event_of(payload: &Value) -> Value {
    let mut event = payload.clone();
    if let Some(map) = event.as_object_mut() {
        map.remove("subscriptionId");
        map.remove("notificationId");
    }
    event
}
