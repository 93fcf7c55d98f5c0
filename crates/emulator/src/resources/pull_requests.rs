//! `GitPullRequest` (spec `git/7.1/git.json`) and the references it carries.

use serde_json::{json, Value};

use super::identities::{identity_ref, person};
use super::projects::reference;
use super::{format_time, Site};
use crate::activity::PullRequest;
use crate::world::{Project, Repository};

/// The short `repository` reference pull requests and pushes carry.
pub(crate) fn repository_ref(site: &Site<'_>, project: &Project, repo: &Repository) -> Value {
    json!({
        "id": repo.id,
        "name": repo.name,
        "url": format!("{}/{}/_apis/git/repositories/{}", site.base(), project.id, repo.id),
        "project": reference(site, project),
    })
}

/// `{commitId, url}`.
fn commit_ref(site: &Site<'_>, project: &Project, repo: &Repository, commit: &str) -> Value {
    json!({
        "commitId": commit,
        "url": format!(
            "{}/{}/_apis/git/repositories/{}/commits/{commit}",
            site.base(),
            project.id,
            repo.id
        ),
    })
}

/// `GitPullRequest`.
pub(crate) fn pull_request(
    site: &Site<'_>,
    project: &Project,
    repo: &Repository,
    pr: &PullRequest,
) -> Value {
    let author = person(site, pr.created_by.as_deref());
    let mut value = json!({
        "repository": repository_ref(site, project, repo),
        "pullRequestId": pr.id,
        "codeReviewId": pr.id,
        "status": pr.status.as_str(),
        "createdBy": identity_ref(site, author, pr.created_by.as_deref()),
        "creationDate": format_time(pr.creation_date),
    });
    if let Some(closed) = pr.closed_date {
        value["closedDate"] = json!(format_time(closed));
    }
    value["title"] = json!(pr.title);
    if let Some(description) = &pr.description {
        value["description"] = json!(description);
    }
    value["sourceRefName"] = json!(pr.source_ref);
    value["targetRefName"] = json!(pr.target_ref);
    value["mergeStatus"] = json!(pr.merge_status);
    value["isDraft"] = json!(pr.is_draft);
    value["mergeId"] = json!(pr.merge_id);
    value["lastMergeSourceCommit"] = commit_ref(site, project, repo, &pr.source_commit);
    value["lastMergeTargetCommit"] = commit_ref(site, project, repo, &pr.target_commit);
    if let Some(merge) = &pr.merge_commit {
        value["lastMergeCommit"] = commit_ref(site, project, repo, merge);
    }
    value["reviewers"] = json!([]);
    value["url"] = json!(format!(
        "{}/{}/_apis/git/repositories/{}/pullRequests/{}",
        site.base(),
        project.id,
        repo.id,
        pr.id
    ));
    value["supportsIterations"] = json!(true);
    site.shaped("GitPullRequest", value)
}
