//! Commits: a repository's Git history, derived from the world instead of stored.
//!
//! A scenario names no commits. Every repository that has a default branch gets a short seeded
//! history (six commits in late April 2024, by the world's first two users); every pull request
//! gets two commits on its source branch, the newer one its `lastMergeSourceCommit`; a completed
//! pull request into the default branch puts its commits and its merge commit
//! (`lastMergeCommit`, "Merged PR {id}: {title}") on that branch. Ids are stable: seeded commits
//! are made from the repository id, pull request commits from the pull request's own commit
//! ids. An empty repository (no default branch) has no commits until a pull request names some.
//!
//! What the emulator answers from it: `…/commits` (all commits of the repository, or those
//! reachable from `searchCriteria.itemVersion`) and `…/pullRequests/{id}/commits`.

use time::OffsetDateTime;

use crate::activity::{commit_id, full_ref, short_ref, PullRequest, PullRequestStatus};
use crate::world::{Project, Repository, User};

/// One commit (author and committer are the same person at the same time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Commit {
    /// 40 hex digits.
    pub id: String,
    /// The author's email; `None` = the world's first user.
    pub author: Option<String>,
    pub date: OffsetDateTime,
    /// The first line of the message, as the service's short comment.
    pub comment: String,
    /// The full message has more than the short comment (merge commits carry the pull
    /// request's description lines, as in the spec's example).
    pub comment_truncated: bool,
    /// `(Add, Edit, Delete)`.
    pub changes: (u32, u32, u32),
}

/// The messages of the seeded history, oldest first.
const SEED_MESSAGES: [&str; 6] = [
    "Initial commit",
    "Add README.md",
    "Set up the project layout",
    "Add the build pipeline",
    "Add unit tests",
    "Update dependencies",
];

/// When the seeded history starts (a week before the demo's first pull request).
const SEED_START: OffsetDateTime = time::macros::datetime!(2024-04-22 09:40:00 UTC);

/// Small, stable change counts for a commit id.
fn change_counts(id: &str, seed_index: Option<usize>) -> (u32, u32, u32) {
    if seed_index == Some(0) {
        return (3, 0, 0);
    }
    let n = u32::from_str_radix(&id[..6], 16).unwrap_or(0);
    (n % 3, 1 + (n / 3) % 4, u32::from((n / 12) % 5 == 0))
}

/// The seeded history of a repository with a default branch, newest first.
fn seeded(repo: &Repository, users: &[User]) -> Vec<Commit> {
    if repo.default_branch.is_none() {
        return Vec::new();
    }
    let authors: Vec<Option<String>> = match users {
        [] => vec![None],
        [one] => vec![Some(one.email.clone())],
        [first, second, ..] => vec![Some(first.email.clone()), Some(second.email.clone())],
    };
    let repo_id = repo.id.to_string();
    let mut commits: Vec<Commit> = SEED_MESSAGES
        .iter()
        .enumerate()
        .map(|(n, message)| {
            let id = commit_id(&[&repo_id, "history", &n.to_string()]);
            Commit {
                changes: change_counts(&id, Some(n)),
                id,
                author: authors[n % authors.len()].clone(),
                date: SEED_START
                    + time::Duration::days(n as i64)
                    + time::Duration::minutes(37 * n as i64),
                comment: message.to_string(),
                comment_truncated: false,
            }
        })
        .collect();
    commits.reverse();
    commits
}

/// A pull request's own commits, newest first: the older one, then `lastMergeSourceCommit`.
pub(crate) fn pull_request_commits(pr: &PullRequest) -> Vec<Commit> {
    let first = commit_id(&[&pr.source_commit, "first"]);
    vec![
        Commit {
            changes: change_counts(&pr.source_commit, None),
            id: pr.source_commit.clone(),
            author: pr.created_by.clone(),
            date: pr.creation_date - time::Duration::minutes(30),
            comment: pr.title.clone(),
            comment_truncated: false,
        },
        Commit {
            changes: change_counts(&first, None),
            id: first,
            author: pr.created_by.clone(),
            date: pr.creation_date - time::Duration::minutes(150),
            comment: format!("WIP: {}", pr.title),
            comment_truncated: false,
        },
    ]
}

/// The merge commit a completed pull request left on its target branch.
fn merge_commit(pr: &PullRequest) -> Option<Commit> {
    let id = pr.merge_commit.clone()?;
    Some(Commit {
        changes: change_counts(&id, None),
        id,
        author: pr.created_by.clone(),
        date: pr.closed_date.unwrap_or(pr.creation_date),
        comment: format!("Merged PR {}: {}", pr.id, pr.title),
        comment_truncated: true,
    })
}

fn newest_first(commits: &mut [Commit]) {
    commits.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
}

/// The pull requests of `project` on `repo`.
fn pull_requests<'p>(project: &'p Project, repo: &Repository) -> Vec<&'p PullRequest> {
    project
        .pull_requests
        .iter()
        .filter(|pr| pr.repository_id == repo.id)
        .collect()
}

/// The commits reachable from the default branch, newest first.
fn default_branch(project: &Project, repo: &Repository, users: &[User]) -> Vec<Commit> {
    let Some(branch) = &repo.default_branch else {
        return Vec::new();
    };
    let mut commits = seeded(repo, users);
    for pr in pull_requests(project, repo) {
        if pr.status == PullRequestStatus::Completed && pr.target_ref.eq_ignore_ascii_case(branch) {
            commits.extend(pull_request_commits(pr));
            commits.extend(merge_commit(pr));
        }
    }
    newest_first(&mut commits);
    commits
}

/// A pull request's source branch: its commits on top of the default branch as it was when
/// the pull request was opened.
fn source_branch(
    project: &Project,
    repo: &Repository,
    users: &[User],
    pr: &PullRequest,
) -> Vec<Commit> {
    let mut commits = pull_request_commits(pr);
    let started = commits.last().map(|c| c.date).unwrap_or(pr.creation_date);
    commits.extend(
        default_branch(project, repo, users)
            .into_iter()
            .filter(|c| c.date < started),
    );
    commits
}

/// Every commit of the repository (all branches), newest first, each once: what the commits
/// list answers without `itemVersion` (the service then reads every commit of the repository).
pub(crate) fn all(project: &Project, repo: &Repository, users: &[User]) -> Vec<Commit> {
    let mut commits = default_branch(project, repo, users);
    for pr in pull_requests(project, repo) {
        for commit in pull_request_commits(pr) {
            if !commits.iter().any(|c| c.id == commit.id) {
                commits.push(commit);
            }
        }
    }
    newest_first(&mut commits);
    commits
}

/// What `searchCriteria.itemVersion` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VersionType {
    Branch,
    Tag,
    Commit,
}

impl VersionType {
    /// `branch` (the default), `tag` or `commit`, in any case.
    pub fn parse(raw: Option<&str>) -> Option<VersionType> {
        match raw.map(|r| r.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("branch") => Some(VersionType::Branch),
            Some("tag") => Some(VersionType::Tag),
            Some("commit") => Some(VersionType::Commit),
            _ => None,
        }
    }

    /// As the service writes it in `TF401175` (`<Branch: main >`).
    pub fn label(self) -> &'static str {
        match self {
            VersionType::Branch => "Branch",
            VersionType::Tag => "Tag",
            VersionType::Commit => "Commit",
        }
    }
}

/// The commits reachable from a version, newest first; `None` when it names nothing in the
/// repository (no such branch or commit; the emulator has no tags).
pub(crate) fn reachable(
    project: &Project,
    repo: &Repository,
    users: &[User],
    kind: VersionType,
    version: &str,
) -> Option<Vec<Commit>> {
    let version = version.trim();
    match kind {
        VersionType::Tag => None,
        VersionType::Branch => {
            let wanted = full_ref(version);
            if repo
                .default_branch
                .as_deref()
                .is_some_and(|b| b.eq_ignore_ascii_case(&wanted))
            {
                return Some(default_branch(project, repo, users));
            }
            let pr = pull_requests(project, repo)
                .into_iter()
                .filter(|pr| short_ref(&pr.source_ref).eq_ignore_ascii_case(short_ref(&wanted)))
                .max_by_key(|pr| pr.id)?;
            Some(source_branch(project, repo, users, pr))
        }
        VersionType::Commit => {
            let mut lines = vec![default_branch(project, repo, users)];
            lines.extend(
                pull_requests(project, repo)
                    .into_iter()
                    .map(|pr| source_branch(project, repo, users, pr)),
            );
            lines.into_iter().find_map(|line| {
                let at = line
                    .iter()
                    .position(|c| c.id.eq_ignore_ascii_case(version))?;
                Some(line[at..].to_vec())
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use crate::world::World;

    fn fiber_cloud(world: &World) -> &Project {
        &world.organizations[0].projects[0]
    }

    #[test]
    fn a_repository_with_a_branch_has_a_stable_seeded_history() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let project = fiber_cloud(&world);
        let web = &project.repositories[1];
        let a = all(project, web, &world.users);
        let b = all(project, web, &world.users);
        assert_eq!(a, b);
        assert_eq!(a.last().unwrap().comment, "Initial commit");
        assert!(a.windows(2).all(|w| w[0].date >= w[1].date), "newest first");
        assert!(a.iter().all(|c| c.id.len() == 40));
    }

    #[test]
    fn completed_pull_requests_are_merged_into_the_default_branch() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let project = fiber_cloud(&world);
        let api = &project.repositories[0];
        let main = reachable(project, api, &world.users, VersionType::Branch, "main").unwrap();
        assert_eq!(main[0].comment, "Merged PR 1: Fix the login redirect");
        assert!(main[0].comment_truncated);
        let merged = project.pull_requests.iter().find(|p| p.id == 1).unwrap();
        assert_eq!(Some(&main[0].id), merged.merge_commit.as_ref());
        // The active pull request's commits are in the repository, not on main.
        let active = project.pull_requests.iter().find(|p| p.id == 3).unwrap();
        assert!(!main.iter().any(|c| c.id == active.source_commit));
        assert!(all(project, api, &world.users)
            .iter()
            .any(|c| c.id == active.source_commit));
        let branch = reachable(
            project,
            api,
            &world.users,
            VersionType::Branch,
            "feature/health",
        )
        .unwrap();
        assert_eq!(branch[0].id, active.source_commit);
    }

    #[test]
    fn an_empty_repository_has_no_commits_and_no_branches() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let project = fiber_cloud(&world);
        let sandbox = &project.repositories[2];
        assert!(all(project, sandbox, &world.users).is_empty());
        assert!(reachable(project, sandbox, &world.users, VersionType::Branch, "main").is_none());
    }
}
