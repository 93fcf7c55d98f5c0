//! `GitCommitRef` (spec `git/7.1/git.json`), as the commits list and the pull request commits
//! list write it.
//!
//! Members and their order follow the spec's example `GET__git_repositories__repositoryId__commits.json`:
//! `commitId, author{name,email,date}, committer{…}, comment, [commentTruncated], changeCounts
//! {Add,Edit,Delete}, url, remoteUrl`. The pull request commits list has no `changeCounts` and
//! no `remoteUrl`: the service builds those entries with `GitCommitTranslator.ToGitCommitShallow`
//! alone (decompiled `GitPullRequestModelExtensions.GenerateCommitsWithContinuationToken`), and
//! a captured reply (demisto/content `pull_request_commit_list.json`) has the same five members.

use serde_json::{json, Value};

use super::identities::person;
use super::{encode_segment, format_time, Site};
use crate::history::Commit;
use crate::world::{Project, Repository};

/// `{name, email, date}` of the commit's author (also its committer).
fn user_date(site: &Site<'_>, commit: &Commit) -> Value {
    let (name, email) = match person(site, commit.author.as_deref()) {
        Some(user) => (user.display_name.clone(), user.email.clone()),
        None => {
            let email = commit.author.clone().unwrap_or_default();
            (email.clone(), email)
        }
    };
    json!({ "name": name, "email": email, "date": format_time(commit.date) })
}

/// `GitCommitRef`; `full` adds `changeCounts` and `remoteUrl` (the commits list).
pub(crate) fn commit_ref(
    site: &Site<'_>,
    project: &Project,
    repo: &Repository,
    commit: &Commit,
    full: bool,
) -> Value {
    let base = site.base();
    let mut value = json!({
        "commitId": commit.id,
        "author": user_date(site, commit),
        "committer": user_date(site, commit),
        "comment": commit.comment,
    });
    if commit.comment_truncated {
        value["commentTruncated"] = json!(true);
    }
    if full {
        let (add, edit, delete) = commit.changes;
        value["changeCounts"] = json!({ "Add": add, "Edit": edit, "Delete": delete });
    }
    value["url"] = json!(format!(
        "{base}/{}/_apis/git/repositories/{}/commits/{}",
        project.id, repo.id, commit.id
    ));
    if full {
        value["remoteUrl"] = json!(format!(
            "{base}/{}/_git/{}/commit/{}",
            encode_segment(&project.name),
            encode_segment(&repo.name),
            commit.id
        ));
    }
    site.shaped("GitCommitRef", value)
}
