//! What an event changes in the world, and the occurrence it leaves to describe and match.

use super::*;
/// Applies an event to the world and describes it. `base_url` is the emulator's own
/// (`scheme://authority`): payloads are built in the background, without a request, so
/// Services use it as their origin and Servers their public URL.
pub(crate) fn apply(
    world: &mut World,
    store: &mut HookStore,
    base_url: &str,
    event: &Event,
) -> Result<Occurrence, Error> {
    let kind = event.kind;
    let target = resolve(world, event, kind != EventKind::BuildCompleted)?;
    let now = OffsetDateTime::now_utc();
    let event_id = Uuid::new_v4();
    let branch: Option<String>;
    let mut merge_result = None;
    let mut notification_type = None;
    let mut pr_index = None;
    let mut build_index = None;
    let mut push = None;
    {
        let host = target.host;
        let next_pr = activity::next_pull_request_id(world.projects(host));
        let projects = projects_mut(world, host);
        let project_id = projects[target.project].id;
        let (next_build, definition_id) = {
            let repo_name = target
                .repository
                .map(|r| projects[target.project].repositories[r].name.clone())
                .unwrap_or_else(|| projects[target.project].name.clone());
            let definition = event
                .definition
                .clone()
                .unwrap_or_else(|| format!("{repo_name} CI"));
            let ids = activity::next_build_ids(projects, project_id, &definition);
            (ids, definition)
        };
        let project = &mut projects[target.project];
        match kind {
            EventKind::Push => {
                let r = target.repository.expect("resolved above");
                let repo = &mut project.repositories[r];
                let pushed = full_ref(
                    event
                        .branch
                        .as_deref()
                        .or(repo.default_branch.as_deref())
                        .unwrap_or("main"),
                );
                // The first push into an empty repository makes its branch the default.
                if repo.default_branch.is_none() {
                    repo.default_branch = Some(pushed.clone());
                    repo.size = 1024;
                }
                let push_id = store.next_push_id(repo.id);
                let id = event_id.to_string();
                push = Some((
                    push_id,
                    activity::commit_id(&[&id, "old"]),
                    activity::commit_id(&[&id, "new"]),
                ));
                branch = Some(pushed);
            }
            EventKind::PullRequestCreated => {
                let r = target.repository.expect("resolved above");
                let repo = &project.repositories[r];
                let target_ref = full_ref(
                    event
                        .branch
                        .as_deref()
                        .or(repo.default_branch.as_deref())
                        .unwrap_or("main"),
                );
                let source_ref = full_ref(
                    &event
                        .source_branch
                        .clone()
                        .unwrap_or_else(|| format!("feature/update-{next_pr}")),
                );
                let id = event_id.to_string();
                project.pull_requests.push(PullRequest {
                    id: next_pr,
                    title: event
                        .title
                        .clone()
                        .unwrap_or_else(|| format!("Update {}", repo.name)),
                    description: None,
                    repository_id: repo.id,
                    source_ref,
                    target_ref: target_ref.clone(),
                    status: PullRequestStatus::Active,
                    created_by: Some(target.actor.email.clone()),
                    creation_date: now,
                    closed_date: None,
                    merge_status: "succeeded".to_string(),
                    is_draft: false,
                    merge_id: Uuid::new_v4(),
                    source_commit: activity::commit_id(&[&id, "source"]),
                    target_commit: activity::commit_id(&[&id, "target"]),
                    merge_commit: None,
                });
                pr_index = Some(project.pull_requests.len() - 1);
                branch = Some(target_ref);
            }
            EventKind::PullRequestUpdated | EventKind::PullRequestMerged => {
                let r = target.repository.expect("resolved above");
                let repo_snapshot = project.repositories[r].clone();
                let i = find_pull_request(project, &repo_snapshot, event.pull_request_id)?;
                let id = event_id.to_string();
                let pr = &mut project.pull_requests[i];
                if kind == EventKind::PullRequestUpdated {
                    let kind = canonical_notification_type(
                        event
                            .notification_type
                            .as_deref()
                            .unwrap_or("PushNotification"),
                    )?;
                    if kind == "PushNotification" {
                        pr.source_commit = activity::commit_id(&[&id, "source"]);
                    }
                    notification_type = Some(kind.to_string());
                } else {
                    let result = event.merge_result.as_deref().unwrap_or("Succeeded");
                    let status = merge_status(result)?;
                    pr.merge_status = status.to_string();
                    if status == "succeeded" {
                        pr.status = PullRequestStatus::Completed;
                        pr.closed_date = Some(now);
                        pr.merge_commit = Some(activity::commit_id(&[&id, "merge"]));
                        merge_result = Some("Succeeded".to_string());
                    } else {
                        merge_result = Some(
                            ["Conflicts", "Failure", "RejectedByPolicy"]
                                .into_iter()
                                .find(|m| m.eq_ignore_ascii_case(result))
                                .unwrap_or("Failure")
                                .to_string(),
                        );
                    }
                }
                branch = Some(pr.target_ref.clone());
                pr_index = Some(i);
            }
            EventKind::BuildCompleted => {
                let ((build_id, definition_id), definition) = (next_build, definition_id);
                let repo = target.repository.map(|r| &project.repositories[r]);
                let source = full_ref(
                    event
                        .branch
                        .as_deref()
                        .or(repo.and_then(|r| r.default_branch.as_deref()))
                        .unwrap_or("main"),
                );
                let revision = project
                    .builds
                    .iter()
                    .filter(|b| b.definition_id == definition_id)
                    .count() as u64
                    + 1;
                let result = event.result.unwrap_or(BuildResult::Succeeded);
                project.builds.push(Build {
                    id: build_id,
                    definition_id,
                    definition_name: definition,
                    build_number: activity::build_number(now, revision),
                    status: BuildStatus::Completed,
                    result: Some(result),
                    repository_id: repo.map(|r| r.id),
                    source_branch: source.clone(),
                    source_version: activity::commit_id(&[&event_id.to_string(), "build"]),
                    queue_time: now - time::Duration::seconds(190),
                    start_time: Some(now - time::Duration::seconds(186)),
                    finish_time: Some(now),
                    requested_for: Some(target.actor.email.clone()),
                    reason: "individualCI".to_string(),
                });
                build_index = Some(project.builds.len() - 1);
                branch = Some(source);
            }
        }
    }
    world.change_id += 1;

    let world: &World = world;
    let site = Site {
        world,
        host: target.host,
        origin: base_url.to_string(),
    };
    let project = &world.projects(target.host)[target.project];
    let repo = target.repository.map(|r| &project.repositories[r]);
    let actor = &target.actor;
    let mut occurrence = Occurrence {
        host_id: world.host_id(target.host),
        event_id,
        event_type: kind.event_type(),
        project_id: project.id,
        repository_id: repo.map(|r| r.id),
        branch,
        actor_id: actor.id,
        actor_email: actor.email.clone(),
        actor_name: actor.display_name.clone(),
        merge_result,
        notification_type,
        build_status: None,
        definition_name: None,
        message: Value::Null,
        detailed_message: Value::Null,
        resource: Value::Null,
        resource_v2: None,
        minimal_resource: Value::Null,
        resource_containers: containers(&site, project),
        created_date: now,
    };
    match kind {
        EventKind::Push => {
            let (push_id, old, new) = push.expect("set above");
            let comment = event
                .title
                .clone()
                .unwrap_or_else(|| "Update from ado-emulator".to_string());
            describe_push(
                &site,
                project,
                repo.expect("resolved"),
                actor,
                push_id,
                &old,
                &new,
                &comment,
                &mut occurrence,
            );
        }
        EventKind::PullRequestCreated
        | EventKind::PullRequestUpdated
        | EventKind::PullRequestMerged => {
            let pr = &project.pull_requests[pr_index.expect("set above")];
            describe_pull_request(
                &site,
                project,
                repo.expect("resolved"),
                pr,
                actor,
                &mut occurrence,
            );
        }
        EventKind::BuildCompleted => {
            let build = &project.builds[build_index.expect("set above")];
            describe_build(&site, project, build, &mut occurrence);
        }
    }
    Ok(occurrence)
}
