//! Pull requests and builds: what a scenario seeds, what fired events add, and the stable ids
//! they get.
//!
//! A scenario lists them per project ([`crate::scenario::ProjectSpec::pull_requests`],
//! [`crate::scenario::ProjectSpec::builds`]); ids left out are numbered after the highest
//! given one, per organization or collection (pull request and build ids are unique per
//! collection in Azure DevOps). Commit ids are made up from names (uuid v5), so the same
//! scenario always yields the same commits.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::scenario::{ProjectSpec, Scenario};
use crate::world::{derived_id, Project, Repository, World};
use crate::Error;

/// A pull request's `status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PullRequestStatus {
    /// Open.
    #[default]
    Active,
    /// Merged.
    Completed,
    /// Closed without merging.
    Abandoned,
}

impl PullRequestStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            PullRequestStatus::Active => "active",
            PullRequestStatus::Completed => "completed",
            PullRequestStatus::Abandoned => "abandoned",
        }
    }
}

/// A pull request in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PullRequestSpec {
    /// `pullRequestId`; numbered per host when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Title.
    pub title: String,
    /// The repository's name (in the same project).
    pub repository: String,
    /// Source branch: `feature/x` or `refs/heads/feature/x`.
    pub source_branch: String,
    /// Target branch; the repository's default branch when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_branch: Option<String>,
    /// `active` (default), `completed` or `abandoned`.
    #[serde(default)]
    pub status: PullRequestStatus,
    /// The author's email; the scenario's first user when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// `creationDate`; a fixed date when absent.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_date: Option<OffsetDateTime>,
    /// Description (omitted when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `isDraft`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_draft: bool,
}

/// A build's `status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BuildStatus {
    /// Finished (has a result).
    #[default]
    Completed,
    /// Running.
    InProgress,
    /// Queued.
    NotStarted,
    /// Being cancelled.
    Cancelling,
    /// Postponed.
    Postponed,
}

impl BuildStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildStatus::Completed => "completed",
            BuildStatus::InProgress => "inProgress",
            BuildStatus::NotStarted => "notStarted",
            BuildStatus::Cancelling => "cancelling",
            BuildStatus::Postponed => "postponed",
        }
    }
}

/// A completed build's `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BuildResult {
    /// Green.
    Succeeded,
    /// Some tasks failed but were allowed to.
    PartiallySucceeded,
    /// Red.
    Failed,
    /// Stopped by someone.
    Canceled,
}

impl BuildResult {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildResult::Succeeded => "succeeded",
            BuildResult::PartiallySucceeded => "partiallySucceeded",
            BuildResult::Failed => "failed",
            BuildResult::Canceled => "canceled",
        }
    }

    /// The `buildStatus` publisher input value that selects this result (docs
    /// `service-hooks/events.md`: `Succeeded`, `PartiallySucceeded`, `Failed`, `Stopped`).
    pub fn hook_status(self) -> &'static str {
        match self {
            BuildResult::Succeeded => "Succeeded",
            BuildResult::PartiallySucceeded => "PartiallySucceeded",
            BuildResult::Failed => "Failed",
            BuildResult::Canceled => "Stopped",
        }
    }
}

/// A build in a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuildSpec {
    /// Build id; numbered per host when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The pipeline (build definition) name.
    pub definition: String,
    /// `buildNumber`; `yyyyMMdd.n` from the queue time when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_number: Option<String>,
    /// `completed` (default), `inProgress`, …
    #[serde(default)]
    pub status: BuildStatus,
    /// `succeeded` when absent on a completed build; none on a running one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<BuildResult>,
    /// The repository built (name); the project's first repository when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// `refs/heads/main` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_branch: Option<String>,
    /// `queueTime`; a fixed date when absent.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub queue_time: Option<OffsetDateTime>,
    /// Who it ran for (email); the scenario's first user when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_for: Option<String>,
}

/// A pull request in the world.
#[derive(Debug, Clone)]
pub(crate) struct PullRequest {
    /// `0` until [`finish_world`] numbers it.
    pub id: u64,
    pub title: String,
    pub description: Option<String>,
    pub repository_id: Uuid,
    pub source_ref: String,
    pub target_ref: String,
    pub status: PullRequestStatus,
    /// Email; `None` = the world's first user.
    pub created_by: Option<String>,
    pub creation_date: OffsetDateTime,
    pub closed_date: Option<OffsetDateTime>,
    /// `succeeded`, `conflicts`, `failure`, `rejectedByPolicy`, `queued`, `notSet`.
    pub merge_status: String,
    pub is_draft: bool,
    pub merge_id: Uuid,
    pub source_commit: String,
    pub target_commit: String,
    pub merge_commit: Option<String>,
}

/// A build in the world.
#[derive(Debug, Clone)]
pub(crate) struct Build {
    /// `0` until [`finish_world`] numbers it.
    pub id: u64,
    /// `0` until [`finish_world`] numbers it (per host and definition name).
    pub definition_id: u64,
    pub definition_name: String,
    pub build_number: String,
    pub status: BuildStatus,
    pub result: Option<BuildResult>,
    pub repository_id: Option<Uuid>,
    pub source_branch: String,
    pub source_version: String,
    pub queue_time: OffsetDateTime,
    pub start_time: Option<OffsetDateTime>,
    pub finish_time: Option<OffsetDateTime>,
    /// Email; `None` = the world's first user.
    pub requested_for: Option<String>,
    /// `manual`, `individualCI`, `pullRequest`, …
    pub reason: String,
}

/// The date seeded pull requests and builds show when the scenario gives none.
const DEFAULT_DATE: OffsetDateTime = time::macros::datetime!(2024-05-06 09:30:00 UTC);

/// `refs/heads/x` for `x`; refs stay as they are.
pub(crate) fn full_ref(branch: &str) -> String {
    let branch = branch.trim();
    if branch.starts_with("refs/") {
        branch.to_string()
    } else {
        format!("refs/heads/{branch}")
    }
}

/// `x` for `refs/heads/x`.
pub(crate) fn short_ref(branch: &str) -> &str {
    branch.strip_prefix("refs/heads/").unwrap_or(branch)
}

/// A made-up 40-hex-digit commit id, stable for the same parts.
pub(crate) fn commit_id(parts: &[&str]) -> String {
    let a = derived_id("commit", parts).simple().to_string();
    let b = derived_id("commit-tail", parts).simple().to_string();
    format!("{a}{}", &b[..8])
}

/// `yyyyMMdd.n`, as the default build number format `$(Date:yyyyMMdd)$(Rev:.r)` gives.
pub(crate) fn build_number(queue_time: OffsetDateTime, revision: u64) -> String {
    format!(
        "{:04}{:02}{:02}.{revision}",
        queue_time.year(),
        u8::from(queue_time.month()),
        queue_time.day()
    )
}

/// Builds a project's pull requests and builds from its spec (ids numbered later).
pub(crate) fn build_activity(
    host_key: &str,
    spec: &ProjectSpec,
    repositories: &[Repository],
) -> Result<(Vec<PullRequest>, Vec<Build>), Error> {
    let find_repo = |name: &str| -> Result<&Repository, Error> {
        repositories
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::InvalidScenario(format!(
                    "{host_key}: project {:?} has no repository {name:?}",
                    spec.name
                ))
            })
    };
    let mut pull_requests = Vec::new();
    for (n, pr) in spec.pull_requests.iter().enumerate() {
        let repo = find_repo(&pr.repository)?;
        let target = pr
            .target_branch
            .as_deref()
            .map(full_ref)
            .or_else(|| repo.default_branch.clone())
            .unwrap_or_else(|| "refs/heads/main".to_string());
        let key = format!("{n}");
        let creation_date = pr.creation_date.unwrap_or(DEFAULT_DATE);
        let merged = pr.status == PullRequestStatus::Completed;
        pull_requests.push(PullRequest {
            id: pr.id.unwrap_or(0),
            title: pr.title.clone(),
            description: pr.description.clone(),
            repository_id: repo.id,
            source_ref: full_ref(&pr.source_branch),
            target_ref: target,
            status: pr.status,
            created_by: pr.created_by.clone(),
            creation_date,
            closed_date: (pr.status != PullRequestStatus::Active)
                .then(|| creation_date + time::Duration::hours(26)),
            merge_status: "succeeded".to_string(),
            is_draft: pr.is_draft,
            merge_id: derived_id("merge", &[host_key, &spec.name, &key]),
            source_commit: commit_id(&[host_key, &spec.name, &key, "source"]),
            target_commit: commit_id(&[host_key, &spec.name, &key, "target"]),
            merge_commit: merged.then(|| commit_id(&[host_key, &spec.name, &key, "merge"])),
        });
    }
    let mut builds = Vec::new();
    for (n, build) in spec.builds.iter().enumerate() {
        let repo = match &build.repository {
            Some(name) => Some(find_repo(name)?),
            None => repositories.first(),
        };
        let queue_time = build.queue_time.unwrap_or(DEFAULT_DATE);
        let result = match build.status {
            BuildStatus::Completed => Some(build.result.unwrap_or(BuildResult::Succeeded)),
            _ => build.result,
        };
        let running = build.status != BuildStatus::NotStarted;
        builds.push(Build {
            id: build.id.unwrap_or(0),
            definition_id: 0,
            definition_name: build.definition.clone(),
            build_number: build
                .build_number
                .clone()
                .unwrap_or_else(|| build_number(queue_time, n as u64 + 1)),
            status: build.status,
            result,
            repository_id: repo.map(|r| r.id),
            source_branch: full_ref(build.source_branch.as_deref().unwrap_or("main")),
            source_version: commit_id(&[host_key, &spec.name, "build", &n.to_string()]),
            queue_time,
            start_time: running.then(|| queue_time + time::Duration::seconds(4)),
            finish_time: (build.status == BuildStatus::Completed)
                .then(|| queue_time + time::Duration::seconds(187)),
            requested_for: build.requested_for.clone(),
            reason: "individualCI".to_string(),
        });
    }
    Ok((pull_requests, builds))
}

/// Checks what needs the whole world (administrator and author emails) and numbers pull
/// requests, builds and build definitions per host. Runs after every structural change.
pub(crate) fn finish_world(world: &mut World) -> Result<(), Error> {
    let emails: HashSet<String> = world.users.iter().map(|u| u.email.to_lowercase()).collect();
    let mut hosts: Vec<&mut Vec<Project>> = world
        .organizations
        .iter_mut()
        .map(|o| &mut o.projects)
        .collect();
    for server in &mut world.servers {
        hosts.extend(server.collections.iter_mut().map(|c| &mut c.projects));
    }
    for projects in hosts {
        for project in projects.iter() {
            let people = project
                .administrators
                .iter()
                .chain(
                    project
                        .pull_requests
                        .iter()
                        .filter_map(|p| p.created_by.as_ref()),
                )
                .chain(
                    project
                        .builds
                        .iter()
                        .filter_map(|b| b.requested_for.as_ref()),
                )
                .chain(
                    project
                        .repositories
                        .iter()
                        .flat_map(|r| r.pull_request_contribute_denied.iter()),
                );
            for email in people {
                if !emails.contains(&email.to_lowercase()) {
                    return Err(Error::InvalidScenario(format!(
                        "project {:?} names unknown user {email:?}",
                        project.name
                    )));
                }
            }
        }
        number(
            projects,
            |p| &mut p.pull_requests,
            |pr| &mut pr.id,
            "pull request",
        )?;
        number(projects, |p| &mut p.builds, |b| &mut b.id, "build")?;
        let mut definitions: HashMap<(Uuid, String), u64> = HashMap::new();
        for project in projects.iter() {
            for build in project.builds.iter().filter(|b| b.definition_id != 0) {
                definitions.insert(
                    (project.id, build.definition_name.to_lowercase()),
                    build.definition_id,
                );
            }
        }
        let mut next = definitions.values().copied().max().unwrap_or(0) + 1;
        for project in projects.iter_mut() {
            for build in project.builds.iter_mut().filter(|b| b.definition_id == 0) {
                let key = (project.id, build.definition_name.to_lowercase());
                build.definition_id = *definitions.entry(key).or_insert_with(|| {
                    next += 1;
                    next - 1
                });
            }
        }
    }
    Ok(())
}

/// Gives every item with id `0` the next free id of the host; refuses duplicate given ids.
fn number<T>(
    projects: &mut [Project],
    items: impl Fn(&mut Project) -> &mut Vec<T>,
    id: impl Fn(&mut T) -> &mut u64,
    what: &str,
) -> Result<(), Error> {
    let mut seen = HashSet::new();
    for project in projects.iter_mut() {
        for item in items(project).iter_mut() {
            let id = *id(item);
            if id != 0 && !seen.insert(id) {
                return Err(Error::InvalidScenario(format!(
                    "{what} id {id} is used twice in one host"
                )));
            }
        }
    }
    let mut next = seen.iter().copied().max().unwrap_or(0) + 1;
    for project in projects.iter_mut() {
        for item in items(project).iter_mut() {
            let id = id(item);
            if *id == 0 {
                *id = next;
                next += 1;
            }
        }
    }
    Ok(())
}

/// The next free pull request id of a host (used by fired events).
pub(crate) fn next_pull_request_id(projects: &[Project]) -> u64 {
    projects
        .iter()
        .flat_map(|p| p.pull_requests.iter().map(|pr| pr.id))
        .max()
        .unwrap_or(0)
        + 1
}

/// The next free build id of a host, and the id of a definition by name (new ones numbered).
pub(crate) fn next_build_ids(
    projects: &[Project],
    project_id: Uuid,
    definition: &str,
) -> (u64, u64) {
    let builds = projects
        .iter()
        .flat_map(|p| p.builds.iter().map(move |b| (p.id, b)));
    let mut next_build = 0;
    let mut next_definition = 0;
    let mut found = None;
    for (pid, build) in builds {
        next_build = next_build.max(build.id);
        next_definition = next_definition.max(build.definition_id);
        if pid == project_id && build.definition_name.eq_ignore_ascii_case(definition) {
            found = Some(build.definition_id);
        }
    }
    (next_build + 1, found.unwrap_or(next_definition + 1))
}

/// Adds the demo's pull requests and builds (listed in the README).
pub(crate) fn seed_demo(demo: &mut Scenario) {
    let date = |d: u8, h: u8| {
        time::Date::from_calendar_date(2024, time::Month::May, d)
            .expect("a valid date")
            .with_hms(h, 15, 0)
            .expect("a valid time")
            .assume_utc()
    };
    let pr = |id: u64, title: &str, repo: &str, source: &str, status, by: &str, day: u8| {
        PullRequestSpec {
            id: Some(id),
            title: title.to_string(),
            repository: repo.to_string(),
            source_branch: source.to_string(),
            target_branch: None,
            status,
            created_by: Some(by.to_string()),
            creation_date: Some(date(day, 10)),
            description: None,
            is_draft: false,
        }
    };
    let build =
        |id: u64, definition: &str, result: Option<BuildResult>, day: u8, hour: u8| BuildSpec {
            id: Some(id),
            definition: definition.to_string(),
            build_number: None,
            status: match result {
                Some(_) => BuildStatus::Completed,
                None => BuildStatus::InProgress,
            },
            result,
            repository: None,
            source_branch: None,
            queue_time: Some(date(day, hour)),
            requested_for: None,
        };
    let admin = crate::scenario::DEMO_USER_EMAIL;
    let dana = crate::scenario::DEMO_DEVELOPER_EMAIL;
    use BuildResult::{Failed, PartiallySucceeded, Succeeded};
    use PullRequestStatus::{Abandoned, Active, Completed};
    for project in demo
        .organizations
        .iter_mut()
        .flat_map(|o| o.projects.iter_mut())
        .chain(
            demo.servers
                .iter_mut()
                .flat_map(|s| s.collections.iter_mut())
                .flat_map(|c| c.projects.iter_mut()),
        )
    {
        match project.name.as_str() {
            "Fiber Cloud" => {
                project.pull_requests = vec![
                    pr(
                        1,
                        "Fix the login redirect",
                        "fiber-cloud-api",
                        "fix/login-redirect",
                        Completed,
                        admin,
                        2,
                    ),
                    pr(
                        2,
                        "Try a shared cache",
                        "fiber-cloud-api",
                        "spike/cache",
                        Abandoned,
                        dana,
                        3,
                    ),
                    pr(
                        3,
                        "Add a health endpoint",
                        "fiber-cloud-api",
                        "feature/health",
                        Active,
                        dana,
                        6,
                    ),
                    PullRequestSpec {
                        is_draft: true,
                        ..pr(
                            4,
                            "New landing page",
                            "fiber-cloud-web",
                            "feature/landing",
                            Active,
                            dana,
                            7,
                        )
                    },
                ];
                let mut web = build(4, "fiber-cloud-web CI", None, 7, 9);
                web.repository = Some("fiber-cloud-web".to_string());
                project.builds = vec![
                    build(1, "fiber-cloud-api CI", Some(Succeeded), 5, 8),
                    build(2, "fiber-cloud-api CI", Some(Failed), 6, 8),
                    build(3, "fiber-cloud-api CI", Some(Succeeded), 6, 14),
                    web,
                ];
            }
            "Tailwind Traders" => {
                project.pull_requests = vec![pr(
                    5,
                    "Seasonal prices",
                    "tailwind-traders",
                    "feature/prices",
                    Active,
                    admin,
                    4,
                )];
            }
            "Fabrikam Fiber" => {
                project.pull_requests = vec![
                    pr(
                        1,
                        "Retry on timeouts",
                        "fiber-api",
                        "feature/retries",
                        Active,
                        dana,
                        3,
                    ),
                    pr(
                        2,
                        "Upgrade the web server",
                        "fiber-api",
                        "chore/upgrade",
                        Completed,
                        admin,
                        1,
                    ),
                ];
                project.builds = vec![
                    build(1, "fiber-api CI", Some(Succeeded), 2, 8),
                    build(2, "fiber-api CI", Some(PartiallySucceeded), 3, 8),
                ];
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_are_written_in_full() {
        assert_eq!(full_ref("main"), "refs/heads/main");
        assert_eq!(full_ref("refs/heads/x"), "refs/heads/x");
        assert_eq!(short_ref("refs/heads/feature/a"), "feature/a");
    }

    #[test]
    fn commit_ids_are_stable_and_forty_hex_digits() {
        let a = commit_id(&["x", "y"]);
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, commit_id(&["x", "y"]));
        assert_ne!(a, commit_id(&["x", "z"]));
    }

    #[test]
    fn build_numbers_use_the_date_and_revision() {
        assert_eq!(build_number(DEFAULT_DATE, 3), "20240506.3");
    }

    #[test]
    fn the_demo_numbers_everything() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let fiber = &world.organizations[0].projects[0];
        assert_eq!(fiber.pull_requests.len(), 4);
        assert!(fiber.builds.iter().all(|b| b.id > 0 && b.definition_id > 0));
        let api: Vec<u64> = fiber
            .builds
            .iter()
            .filter(|b| b.definition_name == "fiber-cloud-api CI")
            .map(|b| b.definition_id)
            .collect();
        assert!(
            api.windows(2).all(|w| w[0] == w[1]),
            "one definition, one id"
        );
    }
}
