//! `GET [{project}/]_apis/git/repositories/{repositoryIdOrName}/commits` and
//! `GET [{project}/]_apis/git/repositories/{repositoryIdOrName}/pullRequests/{pullRequestId}/commits`
//! (spec `git/7.1/git.json`: `Commits_Get Commits` under `x-ms-paths`, `Pull Request
//! Commits_Get Pull Request Commits`; both `vso.code`, `{project}` optional). The history is
//! `history.rs`, the shape `resources/commits.rs`.
//!
//! How the service answers, from its decompiled controllers (`GitCommitsController`,
//! `GitCommitsBaseController.QueryCommits`, `GitPullRequestCommitsController`):
//! - commits: `$top` (or `searchCriteria.$top`; `$top` wins) default 100, `$skip` likewise;
//!   without `searchCriteria.itemVersion` every commit of the repository, newest first (an empty
//!   repository: an empty list); with it the commits reachable from that branch or commit,
//!   `404 GitUnresolvableToCommitException` (`TF401175`) when it resolves to nothing, and
//!   `Link: <{commitId}>;rel="startingCommitId"`; `Link: <{url}>;rel="next"` when more remain.
//!   `branch=`/`commit=` are shortcuts for the item version (both: `400`).
//! - pull request commits: the pull request's commits newest first, `$top` default 100, the
//!   next page's token in `x-ms-continuationtoken` (`{headCommitId}:{nextCommitId}`); an
//!   unknown pull request is `404 GitPullRequestNotFoundException` `TF401180`.

use axum::http::{HeaderName, StatusCode};
use serde_json::{json, Value};

use super::locations::LocationDef;
use super::{git, Answer, Incoming};
use crate::errors::VssError;
use crate::history::{self, Commit, VersionType};
use crate::resources::commits::commit_ref;
use crate::resources::{encode_segment, Site};
use crate::versions::ApiVersion;

/// `git/commits` (resourceVersion 1 up to 7.1; 2 from 7.2, decompiled `GitCommits2Controller`).
pub(crate) const COMMITS: LocationDef = LocationDef {
    id: "c2570c3b-5b3f-41b8-98bf-5407bfde8d58",
    area: "git",
    resource_name: "commits",
    route_template: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{commitId}",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// `git/pullRequestCommits`.
pub(crate) const PULL_REQUEST_COMMITS: LocationDef = LocationDef {
    id: "52823034-34a8-4576-922c-8d8b77e9e4c4",
    area: "git",
    resource_name: "pullRequestCommits",
    route_template:
        "{project}/_apis/{area}/repositories/{repositoryId}/pullRequests/{pullRequestId}/commits",
    resource_version: 1,
    min_version: ApiVersion::new(1, 0),
    preview_only: false,
};

/// Page size without `$top` (both controllers).
const DEFAULT_TOP: usize = 100;

static LINK: HeaderName = HeaderName::from_static("link");
static CONTINUATION: HeaderName = HeaderName::from_static("x-ms-continuationtoken");

/// `404 GitUnresolvableToCommitException`, as captured (no space after the colon).
fn unresolvable(kind: VersionType, version: &str, repository: &str) -> VssError {
    VssError::new(
        StatusCode::NOT_FOUND,
        "GitUnresolvableToCommitException",
        "Microsoft.TeamFoundation.Git.Server.GitUnresolvableToCommitException, Microsoft.TeamFoundation.Git.Server",
        format!(
            "TF401175:The version descriptor <{}: {version} > could not be resolved to a version in the repository {repository}",
            kind.label()
        ),
    )
}

/// `404 GitPullRequestNotFoundException` (captured body in demisto/content
/// `pull_request_not_found.json`).
fn pull_request_not_found() -> VssError {
    VssError::new(
        StatusCode::NOT_FOUND,
        "GitPullRequestNotFoundException",
        "Microsoft.TeamFoundation.Git.Server.GitPullRequestNotFoundException, Microsoft.TeamFoundation.Git.Server",
        "TF401180: The requested pull request was not found.".to_string(),
    )
}

/// A number given as `name` or as `searchCriteria.name` (the plain one wins).
fn criterion(incoming: &Incoming<'_>, name: &str) -> Result<Option<usize>, VssError> {
    match incoming.number(name)? {
        Some(n) => Ok(Some(n)),
        None => incoming.number(&format!("searchCriteria.{name}")),
    }
}

/// A text criterion (`searchCriteria.{name}`, or `{name}` as the spec allows), non-blank.
fn text(incoming: &Incoming<'_>, name: &str) -> Option<String> {
    incoming
        .query_param(&format!("searchCriteria.{name}"))
        .or_else(|| incoming.query_param(name))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a commit's author matches an "alias or display name".
fn by(site: &Site<'_>, commit: &Commit, who: &str) -> bool {
    let user = crate::resources::identities::person(site, commit.author.as_deref());
    let (name, email) = match user {
        Some(u) => (u.display_name.as_str(), u.email.as_str()),
        None => ("", commit.author.as_deref().unwrap_or("")),
    };
    let alias = email.split('@').next().unwrap_or(email);
    [name, email, alias]
        .iter()
        .any(|v| v.eq_ignore_ascii_case(who))
}

/// `GET [{project}/]_apis/git/repositories/{repository}/commits`.
pub(crate) fn list(
    site: &Site<'_>,
    project: Option<&str>,
    repository: &str,
    incoming: &Incoming<'_>,
) -> Result<Answer, VssError> {
    let (proj, repo) = git::find(site, project, incoming, repository)?;
    let branch = incoming.query_param("branch");
    let commit = incoming.query_param("commit");
    let version = match (branch, commit) {
        (Some(_), Some(_)) => {
            return Err(VssError::argument(
                "The branch and commit parameters cannot be given together.",
            ))
        }
        (Some(branch), None) => Some((VersionType::Branch, branch)),
        (None, Some(commit)) => Some((VersionType::Commit, commit)),
        (None, None) => match text(incoming, "itemVersion.version") {
            None => None,
            Some(version) => {
                let raw = text(incoming, "itemVersion.versionType");
                let kind = VersionType::parse(raw.as_deref()).ok_or_else(|| {
                    VssError::invalid_argument(
                        "searchCriteria.itemVersion.versionType",
                        raw.as_deref().unwrap_or(""),
                    )
                })?;
                Some((kind, version))
            }
        },
    };
    let users = &site.world.users;
    let mut commits = match &version {
        None => history::all(proj, repo, users),
        Some((kind, version)) => history::reachable(proj, repo, users, *kind, version)
            .ok_or_else(|| unresolvable(*kind, version, &repo.name))?,
    };
    // The commit the item version resolved to.
    let starting = version
        .as_ref()
        .and_then(|_| commits.first().map(|c| c.id.clone()));
    if let Some(author) = text(incoming, "author") {
        commits.retain(|c| by(site, c, &author));
    }
    if let Some(committer) = text(incoming, "user") {
        commits.retain(|c| by(site, c, &committer));
    }
    let oldest_first =
        text(incoming, "showOldestCommitsFirst").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if oldest_first {
        commits.reverse();
    }
    let top = criterion(incoming, "$top")?.unwrap_or(DEFAULT_TOP);
    let skip = criterion(incoming, "$skip")?.unwrap_or(0);
    let remaining = commits.len().saturating_sub(skip);
    let page: Vec<Value> = commits
        .iter()
        .skip(skip)
        .take(top)
        .map(|c| commit_ref(site, proj, repo, c, true))
        .collect();
    let mut answer = Answer::json(json!({ "count": page.len(), "value": page }));
    if let Some(start) = starting {
        answer
            .headers
            .push((LINK.clone(), format!("<{start}>;rel=\"startingCommitId\"")));
    }
    if remaining > top {
        let project_segment = project
            .map(|p| format!("/{}", encode_segment(p)))
            .unwrap_or_default();
        answer.headers.push((
            LINK.clone(),
            format!(
                "<{}{project_segment}/_apis/git/repositories/{}/commits>;rel=\"next\"",
                site.base(),
                encode_segment(repository)
            ),
        ));
    }
    Ok(answer)
}

/// `GET [{project}/]_apis/git/repositories/{repository}/pullRequests/{pullRequestId}/commits`.
pub(crate) fn pull_request(
    site: &Site<'_>,
    project: Option<&str>,
    repository: &str,
    pull_request_id: &str,
    incoming: &Incoming<'_>,
) -> Result<Answer, VssError> {
    let id: u64 = pull_request_id
        .trim()
        .parse()
        .map_err(|_| VssError::invalid_argument("pullRequestId", pull_request_id))?;
    let (proj, repo) = git::find(site, project, incoming, repository)?;
    let pr = proj
        .pull_requests
        .iter()
        .find(|pr| pr.id == id && pr.repository_id == repo.id)
        .ok_or_else(pull_request_not_found)?;
    let commits = history::pull_request_commits(pr);
    let start = match incoming.query_param("continuationToken") {
        None => 0,
        Some(raw) => {
            let invalid =
                || VssError::argument(&format!("The continuation token '{raw}' is not valid."));
            let (root, next) = raw.trim().split_once(':').ok_or_else(invalid)?;
            if !root.eq_ignore_ascii_case(&pr.source_commit) {
                return Err(invalid());
            }
            commits
                .iter()
                .position(|c| c.id.eq_ignore_ascii_case(next))
                .ok_or_else(invalid)?
        }
    };
    let top = incoming.number("$top")?.unwrap_or(DEFAULT_TOP);
    let page: Vec<Value> = commits
        .iter()
        .skip(start)
        .take(top)
        .map(|c| commit_ref(site, proj, repo, c, false))
        .collect();
    let mut answer = Answer::json(json!({ "count": page.len(), "value": page }));
    if let Some(next) = commits.get(start.saturating_add(top)).filter(|_| top > 0) {
        answer.headers.push((
            CONTINUATION.clone(),
            format!("{}:{}", pr.source_commit, next.id),
        ));
    }
    Ok(answer)
}
