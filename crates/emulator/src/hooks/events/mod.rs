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
use crate::resources::identities::identity_ref;
use crate::resources::pull_requests::{pull_request, repository_ref};
use crate::resources::{encode_segment, format_time, Site};
use crate::scenario::Scenario;
use crate::world::{derived_id, HostMatch, HostRef, Project, Repository, User, World};
use crate::Error;

mod apply;
mod describe;
mod matching;
mod samples;

pub(crate) use self::apply::*;
pub(crate) use self::describe::*;
pub(crate) use self::matching::*;
pub(crate) use self::samples::*;

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
