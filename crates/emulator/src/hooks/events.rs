//! Events: what a test or the control endpoint fires, what it changes in the world (a push, a
//! new or merged pull request, a finished build), the payload subscribers receive, and which
//! subscriptions it matches.
//!
//! Payload shape: `subscriptionId`, `notificationId`, `id`, `eventType`, `publisherId`,
//! `message`, `detailedMessage`, `resource`, `resourceVersion`, `resourceContainers`,
//! `createdDate`, in that order (captured deliveries quoted in public issues, e.g.
//! uselagoon/lagoon#3470; resources and messages per docs `service-hooks/events.md`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::inputs::PUBLISHER_ID;
use super::{HookStore, Subscription};
use crate::activity::{
    self, full_ref, short_ref, Build, BuildResult, BuildStatus, PullRequest, PullRequestStatus,
};
use crate::routes::projects::format_time;
use crate::routes::pullrequests::{identity_ref, pull_request, repository_ref};
use crate::routes::{encode_segment, Site};
use crate::scenario::Scenario;
use crate::world::{derived_id, HostMatch, HostRef, Project, Repository, User, World};
use crate::Error;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventKind {
    /// `git.push`: commits pushed to a branch.
    Push,
    /// `git.pullrequest.created`: a new pull request (added to the world).
    PullRequestCreated,
    /// `git.pullrequest.updated`: a pull request changed (`notificationType`).
    PullRequestUpdated,
    /// `git.pullrequest.merged`: a merge was attempted (`mergeResult`); a successful one
    /// completes the pull request.
    PullRequestMerged,
    /// `build.complete`: a build finished (added to the world).
    BuildCompleted,
}

impl EventKind {
    /// The service-hook event type.
    pub fn event_type(self) -> &'static str {
        match self {
            EventKind::Push => "git.push",
            EventKind::PullRequestCreated => "git.pullrequest.created",
            EventKind::PullRequestUpdated => "git.pullrequest.updated",
            EventKind::PullRequestMerged => "git.pullrequest.merged",
            EventKind::BuildCompleted => "build.complete",
        }
    }

    fn from_event_type(event_type: &str) -> Option<EventKind> {
        [
            EventKind::Push,
            EventKind::PullRequestCreated,
            EventKind::PullRequestUpdated,
            EventKind::PullRequestMerged,
            EventKind::BuildCompleted,
        ]
        .into_iter()
        .find(|k| k.event_type().eq_ignore_ascii_case(event_type))
    }
}

/// An event to fire with [`crate::Emulator::fire`] or `POST /_emulator/events` (same JSON,
/// camelCase). Only `kind`, `host` and `project` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The organization or collection as in its URL: `fabrikam`, `tfs/DefaultCollection`.
    pub host: String,
    /// Project name or id.
    pub project: String,
    /// Repository name or id; the project's first repository when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Push: the branch pushed. Pull requests: the target branch. Builds: the source branch.
    /// The repository's default branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A new pull request's source branch (`feature/update-{id}` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_branch: Option<String>,
    /// A new pull request's title, or a push's commit message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The pull request updated or merged; the newest active one of the repository when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request_id: Option<u64>,
    /// A build's pipeline name (`{repository} CI` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// A build's result (`succeeded` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<BuildResult>,
    /// A merge's result: `Succeeded` (default), `Conflicts`, `Failure`, `RejectedByPolicy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_result: Option<String>,
    /// An update's kind: `PushNotification` (default), `ReviewersUpdateNotification`,
    /// `StatusUpdateNotification`, `ReviewerVoteNotification`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_type: Option<String>,
    /// Who did it (email); the scenario's first user when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

impl Event {
    /// An event of `kind` in a project of a host (`fabrikam`, `tfs/DefaultCollection`).
    pub fn new(kind: EventKind, host: &str, project: &str) -> Self {
        Event {
            kind,
            host: host.to_string(),
            project: project.to_string(),
            repository: None,
            branch: None,
            source_branch: None,
            title: None,
            pull_request_id: None,
            definition: None,
            result: None,
            merge_result: None,
            notification_type: None,
            actor: None,
        }
    }

    /// A push to a repository (its default branch unless [`Event::branch`] says otherwise).
    pub fn push(host: &str, project: &str, repository: &str) -> Self {
        Event::new(EventKind::Push, host, project).repository(repository)
    }

    /// A new pull request in a repository.
    pub fn pull_request_created(host: &str, project: &str, repository: &str) -> Self {
        Event::new(EventKind::PullRequestCreated, host, project).repository(repository)
    }

    /// An update of a pull request (the newest active one unless [`Event::pull_request`]).
    pub fn pull_request_updated(host: &str, project: &str, repository: &str) -> Self {
        Event::new(EventKind::PullRequestUpdated, host, project).repository(repository)
    }

    /// A merge of a pull request (the newest active one unless [`Event::pull_request`]).
    pub fn pull_request_merged(host: &str, project: &str, repository: &str) -> Self {
        Event::new(EventKind::PullRequestMerged, host, project).repository(repository)
    }

    /// A finished build of a project.
    pub fn build_completed(host: &str, project: &str) -> Self {
        Event::new(EventKind::BuildCompleted, host, project)
    }

    /// Sets the repository.
    pub fn repository(mut self, repository: &str) -> Self {
        self.repository = Some(repository.to_string());
        self
    }

    /// Sets the branch (`main` or `refs/heads/main`).
    pub fn branch(mut self, branch: &str) -> Self {
        self.branch = Some(branch.to_string());
        self
    }

    /// Sets a new pull request's source branch.
    pub fn source_branch(mut self, branch: &str) -> Self {
        self.source_branch = Some(branch.to_string());
        self
    }

    /// Sets the pull request title or commit message.
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    /// Names the pull request updated or merged.
    pub fn pull_request(mut self, id: u64) -> Self {
        self.pull_request_id = Some(id);
        self
    }

    /// Sets the build pipeline's name.
    pub fn definition(mut self, name: &str) -> Self {
        self.definition = Some(name.to_string());
        self
    }

    /// Sets the build result.
    pub fn result(mut self, result: BuildResult) -> Self {
        self.result = Some(result);
        self
    }

    /// Sets the merge result (`Succeeded`, `Conflicts`, `Failure`, `RejectedByPolicy`).
    pub fn merge_result(mut self, result: &str) -> Self {
        self.merge_result = Some(result.to_string());
        self
    }

    /// Sets the kind of pull request update.
    pub fn notification_type(mut self, kind: &str) -> Self {
        self.notification_type = Some(kind.to_string());
        self
    }

    /// Sets who did it (email).
    pub fn actor(mut self, email: &str) -> Self {
        self.actor = Some(email.to_string());
        self
    }
}

/// An event applied to the world: what subscriptions filter on and what they receive.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    pub host_id: Uuid,
    pub event_id: Uuid,
    pub event_type: &'static str,
    pub project_id: Uuid,
    pub repository_id: Option<Uuid>,
    /// Push: the ref pushed; pull requests: the target ref; builds: the source ref.
    pub branch: Option<String>,
    pub actor_id: Uuid,
    pub actor_email: String,
    pub actor_name: String,
    pub merge_result: Option<String>,
    pub notification_type: Option<String>,
    /// `Succeeded`, `PartiallySucceeded`, `Failed`, `Stopped`.
    pub build_status: Option<&'static str>,
    pub definition_name: Option<String>,
    pub message: Value,
    pub detailed_message: Value,
    pub resource: Value,
    /// The REST `Build` (build events only), sent for `resourceVersion` 2.0.
    pub resource_v2: Option<Value>,
    pub minimal_resource: Value,
    pub resource_containers: Value,
    pub created_date: OffsetDateTime,
}

fn not_found(what: String) -> Error {
    Error::NotFound(what)
}

fn invalid(what: String) -> Error {
    Error::InvalidEvent(what)
}

/// The host an event names by its URL path (`tfs/DefaultCollection`).
pub(crate) fn resolve_host(world: &World, path: &str) -> Result<HostRef, Error> {
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    match world.match_host(&segments) {
        HostMatch::Found(host, consumed) if consumed == segments.len() => Ok(host),
        _ => Err(not_found(format!("organization or collection {path:?}"))),
    }
}

fn projects_mut(world: &mut World, host: HostRef) -> &mut Vec<Project> {
    match host {
        HostRef::Organization(o) => &mut world.organizations[o].projects,
        HostRef::Collection(s, c) => &mut world.servers[s].collections[c].projects,
    }
}

/// Which project and repository an event is about, by index.
struct Target {
    host: HostRef,
    project: usize,
    repository: Option<usize>,
    actor: User,
}

fn resolve(world: &World, event: &Event, needs_repository: bool) -> Result<Target, Error> {
    let host = resolve_host(world, &event.host)?;
    let projects = world.projects(host);
    let id = Uuid::parse_str(&event.project).ok();
    let project = projects
        .iter()
        .position(|p| match id {
            Some(id) => p.id == id,
            None => p.name.eq_ignore_ascii_case(&event.project),
        })
        .ok_or_else(|| not_found(format!("project {:?} in {:?}", event.project, event.host)))?;
    let repos = &projects[project].repositories;
    let repository = match &event.repository {
        Some(name) => {
            let id = Uuid::parse_str(name).ok();
            Some(
                repos
                    .iter()
                    .position(|r| match id {
                        Some(id) => r.id == id,
                        None => r.name.eq_ignore_ascii_case(name),
                    })
                    .ok_or_else(|| {
                        not_found(format!(
                            "repository {name:?} in project {:?}",
                            event.project
                        ))
                    })?,
            )
        }
        None => repos
            .iter()
            .position(|r| r.default_branch.is_some())
            .or(if repos.is_empty() { None } else { Some(0) }),
    };
    if needs_repository && repository.is_none() {
        return Err(invalid(format!(
            "project {:?} has no repository",
            event.project
        )));
    }
    let actor = match &event.actor {
        Some(email) => world
            .user_by_email(email)
            .ok_or_else(|| not_found(format!("user {email:?}")))?,
        None => world
            .users
            .first()
            .ok_or_else(|| invalid("the scenario has no users".to_string()))?,
    }
    .clone();
    Ok(Target {
        host,
        project,
        repository,
        actor,
    })
}

/// The newest active pull request of a repository, or the one named.
fn find_pull_request(
    project: &Project,
    repo: &Repository,
    id: Option<u64>,
) -> Result<usize, Error> {
    match id {
        Some(id) => project
            .pull_requests
            .iter()
            .position(|pr| pr.id == id)
            .ok_or_else(|| not_found(format!("pull request {id} in project {:?}", project.name))),
        None => project
            .pull_requests
            .iter()
            .enumerate()
            .filter(|(_, pr)| pr.repository_id == repo.id && pr.status == PullRequestStatus::Active)
            .max_by_key(|(_, pr)| pr.id)
            .map(|(i, _)| i)
            .ok_or_else(|| {
                not_found(format!(
                    "an active pull request in repository {:?}",
                    repo.name
                ))
            }),
    }
}

fn merge_status(result: &str) -> Result<&'static str, Error> {
    match result.to_ascii_lowercase().as_str() {
        "succeeded" => Ok("succeeded"),
        "conflicts" => Ok("conflicts"),
        "failure" => Ok("failure"),
        "rejectedbypolicy" => Ok("rejectedByPolicy"),
        _ => Err(invalid(format!(
            "merge result {result:?} (Succeeded, Conflicts, Failure, RejectedByPolicy)"
        ))),
    }
}

fn canonical_notification_type(kind: &str) -> Result<&'static str, Error> {
    [
        "PushNotification",
        "ReviewersUpdateNotification",
        "StatusUpdateNotification",
        "ReviewerVoteNotification",
    ]
    .into_iter()
    .find(|k| k.eq_ignore_ascii_case(kind))
    .ok_or_else(|| invalid(format!("notification type {kind:?}")))
}

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

/// `resourceContainers`: the collection (the host), the account, the project.
fn containers(site: &Site<'_>, project: &Project) -> Value {
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

fn formatted(text: String, html: String, markdown: String) -> Value {
    json!({ "text": text, "html": html, "markdown": markdown })
}

#[allow(clippy::too_many_arguments)]
fn describe_push(
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
        crate::routes::git::repository(site, project, repo)["remoteUrl"].clone();
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

fn describe_pull_request(
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

fn describe_build(site: &Site<'_>, project: &Project, build: &Build, occurrence: &mut Occurrence) {
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
    let requested = crate::routes::pullrequests::person(site, build.requested_for.as_deref());
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
    occurrence.resource_v2 = Some(crate::routes::build::build(site, project, build));
    occurrence.minimal_resource = json!({ "id": build.id, "url": url });
}

/// Whether a subscription wants an occurrence (publisher inputs as filters).
pub(crate) fn matches(subscription: &Subscription, occurrence: &Occurrence) -> bool {
    if subscription.host_id != occurrence.host_id
        || !subscription.publisher_id.eq_ignore_ascii_case(PUBLISHER_ID)
        || !subscription
            .event_type
            .eq_ignore_ascii_case(occurrence.event_type)
    {
        return false;
    }
    let input = |id: &str| {
        subscription
            .publisher_inputs
            .get(id)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    if let Some(project) = input("projectId") {
        if Uuid::parse_str(project).ok() != Some(occurrence.project_id) {
            return false;
        }
    }
    if let Some(repository) = input("repository") {
        if Uuid::parse_str(repository).ok() != occurrence.repository_id {
            return false;
        }
    }
    if let Some(branch) = input("branch") {
        let Some(actual) = &occurrence.branch else {
            return false;
        };
        if !full_ref(branch).eq_ignore_ascii_case(actual) {
            return false;
        }
    }
    for who in ["pushedBy", "pullrequestCreatedBy"] {
        if let Some(who) = input(who) {
            // Groups are not modelled: the filter matches the actor's id, email or name.
            let is_actor = who.eq_ignore_ascii_case(&occurrence.actor_email)
                || who.eq_ignore_ascii_case(&occurrence.actor_name)
                || Uuid::parse_str(who).ok() == Some(occurrence.actor_id);
            if !is_actor {
                return false;
            }
        }
    }
    if input("pullrequestReviewersContains").is_some() {
        // Pull requests have no reviewers here, so no reviewer group can be contained.
        return false;
    }
    if let Some(wanted) = input("mergeResult") {
        let Some(actual) = &occurrence.merge_result else {
            return false;
        };
        let ok = if wanted.eq_ignore_ascii_case("Unsuccessful") {
            !actual.eq_ignore_ascii_case("Succeeded")
        } else {
            wanted.eq_ignore_ascii_case(actual)
        };
        if !ok {
            return false;
        }
    }
    if let Some(wanted) = input("notificationType") {
        if !occurrence
            .notification_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(wanted))
        {
            return false;
        }
    }
    if let Some(wanted) = input("buildStatus") {
        if !occurrence
            .build_status
            .is_some_and(|s| s.eq_ignore_ascii_case(wanted))
        {
            return false;
        }
    }
    if let Some(wanted) = input("definitionName") {
        if !occurrence
            .definition_name
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case(wanted))
        {
            return false;
        }
    }
    true
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

/// The sample world test notifications use unless real data is asked for: the names and ids of
/// the docs' sample payloads (`Fabrikam-Fiber-Git`, Jamal Hartnett), never contacted.
fn sample_world() -> &'static World {
    static SAMPLE: OnceLock<World> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        // JSON rather than struct literals: fields added to scenario types later default.
        let scenario = Scenario::from_json(
            r#"{
              "name": "sample",
              "users": [{ "displayName": "Jamal Hartnett", "email": "fabrikamfiber4@hotmail.com",
                          "id": "54d125f7-69f7-4191-904f-c5b96b6261c8" }],
              "organizations": [{
                "name": "fabrikam-fiber-inc",
                "id": "c12d0eb8-e382-443b-9f9c-c52cba5014c2",
                "projects": [{
                  "name": "Fabrikam-Fiber-Git",
                  "id": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c",
                  "repositories": [{ "name": "Fabrikam-Fiber-Git",
                                     "id": "278d5cd2-584d-4b63-824a-2ba458937249",
                                     "defaultBranch": "refs/heads/master" }]
                }]
              }]
            }"#,
        )
        .expect("the sample scenario parses");
        World::from_scenario(&scenario).expect("the sample world is valid")
    })
}

/// The sample resource containers the service attaches to sample events.
fn sample_containers() -> Value {
    json!({
        "collection": { "id": "c12d0eb8-e382-443b-9f9c-c52cba5014c2" },
        "account": { "id": "f844ec47-a9db-4511-8281-8b63f4eaf94e" },
        "project": { "id": "be9b3917-87e6-42a4-a549-2bc06a7a878f" },
    })
}

fn sample_event(kind: EventKind, host: &str, project: &str, repository: Option<&str>) -> Event {
    let mut event = Event::new(kind, host, project);
    event.repository = repository.map(str::to_string);
    if kind == EventKind::BuildCompleted {
        event.definition = Some("ConsumerAddressModule".to_string());
    }
    event
}

/// A test notification's event. Sample data (the docs' sample names, sample resource
/// containers) unless `real` names a project of the world, whose data is then used without
/// changing the world.
pub(crate) fn test_occurrence(
    world: &World,
    host: Option<HostRef>,
    event_type: &str,
    publisher_inputs: &BTreeMap<String, String>,
    real: bool,
    base_url: &str,
) -> Option<Occurrence> {
    let kind = EventKind::from_event_type(event_type)?;
    let project = publisher_inputs
        .get("projectId")
        .and_then(|id| Uuid::parse_str(id).ok());
    if real {
        if let (Some(host), Some(project)) = (host, project) {
            let mut scratch = world.clone();
            let mut store = HookStore::default();
            let path = host_path(world, host);
            let repository = publisher_inputs
                .get("repository")
                .filter(|r| !r.trim().is_empty())
                .cloned();
            let project = project.to_string();
            if matches!(
                kind,
                EventKind::PullRequestUpdated | EventKind::PullRequestMerged
            ) {
                let created = sample_event(
                    EventKind::PullRequestCreated,
                    &path,
                    &project,
                    repository.as_deref(),
                );
                apply(&mut scratch, &mut store, base_url, &created).ok()?;
            }
            let event = sample_event(kind, &path, &project, repository.as_deref());
            if let Ok(occurrence) = apply(&mut scratch, &mut store, base_url, &event) {
                return Some(occurrence);
            }
        }
    }
    let mut scratch = sample_world().clone();
    let mut store = HookStore::default();
    if matches!(
        kind,
        EventKind::PullRequestUpdated | EventKind::PullRequestMerged
    ) {
        let created = sample_event(
            EventKind::PullRequestCreated,
            "fabrikam-fiber-inc",
            "Fabrikam-Fiber-Git",
            None,
        );
        apply(&mut scratch, &mut store, "https://dev.azure.com", &created).ok()?;
    }
    let event = sample_event(kind, "fabrikam-fiber-inc", "Fabrikam-Fiber-Git", None);
    let mut occurrence = apply(&mut scratch, &mut store, "https://dev.azure.com", &event).ok()?;
    occurrence.resource_containers = sample_containers();
    Some(occurrence)
}

/// A host's URL path (`fabrikam`, `tfs/DefaultCollection`).
fn host_path(world: &World, host: HostRef) -> String {
    match host {
        HostRef::Organization(o) => world.organizations[o].name.clone(),
        HostRef::Collection(s, c) => {
            let server = &world.servers[s];
            let collection = &server.collections[c].name;
            match &server.virtual_directory {
                Some(vdir) => format!("{vdir}/{collection}"),
                None => collection.clone(),
            }
        }
    }
}
