//! The commits a product reads (DX's "Commits" and "Pull Commits" connectors): a repository's
//! commits and a pull request's commits, in the git spec's `GitCommitRef` shape.

use ado_emulator::scenario::DEMO_CODE_ONLY_PAT as CODE_ONLY;
use serde_json::Value;

use crate::support::*;

const API: &str = "/fabrikam/Fiber%20Cloud/_apis/git/repositories/fiber-cloud-api/commits";

fn ids(body: &Value) -> Vec<String> {
    let value = body["value"].as_array().expect("a value array");
    assert_eq!(body["count"].as_u64(), Some(value.len() as u64));
    value
        .iter()
        .map(|c| c["commitId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn commits_come_in_the_spec_shape_newest_first() {
    let emu = demo().await;
    let reply = get(&emu, &format!("{API}?api-version=7.0"), CODE_ONLY).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8; api-version=7.0")
    );
    let body = reply.json();
    let commits = body["value"].as_array().unwrap();
    assert!(commits.len() >= 6, "seeded history and pull requests");
    let first = &commits[0];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: &[&str] = if first["commentTruncated"].is_boolean() {
        &[
            "commitId",
            "author",
            "committer",
            "comment",
            "commentTruncated",
            "changeCounts",
            "url",
            "remoteUrl",
        ]
    } else {
        &[
            "commitId",
            "author",
            "committer",
            "comment",
            "changeCounts",
            "url",
            "remoteUrl",
        ]
    };
    assert_eq!(keys, expected, "{first}");
    let repo = repo(&emu, "fiber-cloud-api");
    let project = fiber_cloud(&emu);
    let sha = first["commitId"].as_str().unwrap();
    assert_eq!(sha.len(), 40);
    assert_eq!(
        first["url"],
        format!(
            "{}/fabrikam/{project}/_apis/git/repositories/{repo}/commits/{sha}",
            emu.base_url()
        )
    );
    assert_eq!(
        first["remoteUrl"],
        format!(
            "{}/fabrikam/Fiber%20Cloud/_git/fiber-cloud-api/commit/{sha}",
            emu.base_url()
        )
    );
    for who in ["author", "committer"] {
        for key in ["name", "email", "date"] {
            assert!(first[who][key].is_string(), "{who}.{key} in {first}");
        }
    }
    for key in ["Add", "Edit", "Delete"] {
        assert!(first["changeCounts"][key].is_u64(), "{first}");
    }
    let dates: Vec<&str> = commits
        .iter()
        .map(|c| c["committer"]["date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    // Stable: the same ids on another emulator.
    let again = demo().await;
    assert_eq!(ids(&get(&again, API, FULL).await.json()), ids(&body));
}

#[tokio::test]
async fn top_item_version_and_paging_links() {
    let emu = demo().await;
    let all = ids(&get(&emu, API, FULL).await.json());
    let top = get(&emu, &format!("{API}?searchCriteria.$top=2"), FULL).await;
    assert_eq!(ids(&top.json()), all[..2]);
    let next = top.header("link").expect("a next link");
    assert!(next.ends_with(">;rel=\"next\""), "{next}");
    assert!(
        next.contains("/_apis/git/repositories/fiber-cloud-api/commits"),
        "{next}"
    );
    let plain = get(&emu, &format!("{API}?$top=1&searchCriteria.$top=3"), FULL).await;
    assert_eq!(ids(&plain.json()).len(), 1, "$top wins");
    let skipped = get(&emu, &format!("{API}?$top=2&$skip=1"), FULL).await;
    assert_eq!(ids(&skipped.json()), all[1..3]);
    let everything = get(&emu, &format!("{API}?$top=1000"), FULL).await;
    assert!(everything.header("link").is_none(), "nothing more");

    // On main: the merge of the completed pull request first, not the active one's commits.
    let main = get(
        &emu,
        &format!("{API}?searchCriteria.itemVersion.version=main"),
        FULL,
    )
    .await;
    assert_eq!(main.status, 200, "{}", main.text);
    let body = main.json();
    assert_eq!(
        body["value"][0]["comment"],
        "Merged PR 1: Fix the login redirect"
    );
    assert_eq!(body["value"][0]["commentTruncated"], true);
    let head = body["value"][0]["commitId"].as_str().unwrap().to_string();
    assert_eq!(
        main.header("link"),
        Some(format!("<{head}>;rel=\"startingCommitId\"").as_str())
    );
    assert!(
        ids(&body).len() < all.len(),
        "active pull requests are not on main"
    );
    let from_commit = get(
        &emu,
        &format!(
            "{API}?searchCriteria.itemVersion.versionType=commit&searchCriteria.itemVersion.version={}",
            ids(&body)[2]
        ),
        FULL,
    )
    .await;
    assert_eq!(ids(&from_commit.json()), ids(&body)[2..]);
    let shortcut = get(&emu, &format!("{API}?branch=main"), FULL).await;
    assert_eq!(ids(&shortcut.json()), ids(&body));
}

#[tokio::test]
async fn an_unknown_branch_is_tf401175_and_an_empty_repository_has_no_commits() {
    let emu = demo().await;
    let missing = get(
        &emu,
        &format!("{API}?searchCriteria.itemVersion.version=nope"),
        FULL,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.type_key(), "GitUnresolvableToCommitException");
    assert_eq!(
        missing.message(),
        "TF401175:The version descriptor <Branch: nope > could not be resolved to a version in the repository fiber-cloud-api"
    );
    let empty = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories/sandbox/commits",
        FULL,
    )
    .await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert_eq!(empty.json(), serde_json::json!({"count": 0, "value": []}));
    let unknown = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories/nope/commits",
        FULL,
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.type_key(), "GitRepositoryNotFoundException");
}

#[tokio::test]
async fn commits_need_vso_code_and_work_by_repository_id_at_the_organization() {
    let emu = demo().await;
    let repo = repo(&emu, "fiber-cloud-api");
    let org = get(
        &emu,
        &format!("/fabrikam/_apis/git/repositories/{repo}/commits"),
        CODE_ONLY,
    )
    .await;
    assert_eq!(org.status, 200, "{}", org.text);
    assert_eq!(ids(&org.json()), ids(&get(&emu, API, FULL).await.json()));
    let refused = get(&emu, API, PROJECT_ONLY).await;
    assert_eq!(refused.status, 401);
    assert!(
        refused.message().starts_with("TF400813"),
        "{}",
        refused.message()
    );
    // A Server 2022 answers at 7.0, and Services at 6.0 too.
    for path in [
        "/tfs/DefaultCollection/Fabrikam Fiber/_apis/git/repositories/fiber-api/commits?api-version=7.0",
        "/fabrikam/Fiber Cloud/_apis/git/repositories/fiber-cloud-api/commits?api-version=6.0",
    ] {
        assert_eq!(get(&emu, path, CODE_ONLY).await.status, 200, "{path}");
    }
}

const PR_COMMITS: &str =
    "/fabrikam/Fiber%20Cloud/_apis/git/repositories/fiber-cloud-api/pullRequests/3/commits";

#[tokio::test]
async fn pull_request_commits_end_with_its_source_commit() {
    let emu = demo().await;
    let reply = get(&emu, &format!("{PR_COMMITS}?api-version=7.0"), CODE_ONLY).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let commits = body["value"].as_array().unwrap();
    assert_eq!(commits.len(), 2);
    let keys: Vec<&str> = commits[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["commitId", "author", "committer", "comment", "url"]);
    assert_eq!(commits[0]["author"]["name"], "Dana Developer");
    assert_eq!(commits[0]["comment"], "Add a health endpoint");
    // The newest is the pull request's lastMergeSourceCommit.
    let prs = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/pullrequests?searchCriteria.status=all",
        FULL,
    )
    .await
    .json();
    let pr = prs["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pullRequestId"] == 3)
        .unwrap()
        .clone();
    assert_eq!(
        commits[0]["commitId"],
        pr["lastMergeSourceCommit"]["commitId"]
    );
    assert_eq!(commits[0]["url"], pr["lastMergeSourceCommit"]["url"]);
    // Org level, by repository id, as DX calls it.
    let repo = repo(&emu, "fiber-cloud-api");
    let org = get(
        &emu,
        &format!("/fabrikam/_apis/git/repositories/{repo}/pullRequests/3/commits"),
        CODE_ONLY,
    )
    .await;
    assert_eq!(org.json(), body);
}

#[tokio::test]
async fn pull_request_commits_page_with_a_continuation_token() {
    let emu = demo().await;
    let first = get(&emu, &format!("{PR_COMMITS}?$top=1"), FULL).await;
    assert_eq!(ids(&first.json()).len(), 1);
    let token = first
        .header("x-ms-continuationtoken")
        .expect("a continuation token")
        .to_string();
    let (root, _) = token.split_once(':').unwrap();
    assert_eq!(root, ids(&first.json())[0]);
    let second = get(
        &emu,
        &format!("{PR_COMMITS}?$top=1&continuationToken={token}"),
        FULL,
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.text);
    assert!(second.header("x-ms-continuationtoken").is_none());
    let all = ids(&get(&emu, PR_COMMITS, FULL).await.json());
    assert_eq!([ids(&first.json()), ids(&second.json())].concat(), all);
    let bad = get(&emu, &format!("{PR_COMMITS}?continuationToken=nope"), FULL).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn an_unknown_pull_request_is_tf401180() {
    let emu = demo().await;
    for path in [
        "/fabrikam/Fiber Cloud/_apis/git/repositories/fiber-cloud-api/pullRequests/999/commits",
        // #4 exists, but on fiber-cloud-web.
        "/fabrikam/Fiber Cloud/_apis/git/repositories/fiber-cloud-api/pullRequests/4/commits",
    ] {
        let reply = get(&emu, path, FULL).await;
        assert_eq!(reply.status, 404, "{path}");
        let body = reply.json();
        assert_eq!(body["typeKey"], "GitPullRequestNotFoundException");
        assert_eq!(
            body["typeName"],
            "Microsoft.TeamFoundation.Git.Server.GitPullRequestNotFoundException, Microsoft.TeamFoundation.Git.Server"
        );
        assert_eq!(
            body["message"],
            "TF401180: The requested pull request was not found."
        );
    }
    let not_a_number = get(
        &emu,
        "/fabrikam/Fiber Cloud/_apis/git/repositories/fiber-cloud-api/pullRequests/x/commits",
        FULL,
    )
    .await;
    assert_eq!(not_a_number.status, 400);
}

#[tokio::test]
async fn the_commit_resources_are_listed_in_options() {
    let emu = demo().await;
    let options = call(
        &emu,
        axum::http::Method::OPTIONS,
        "/fabrikam/_apis/git",
        FULL,
        None,
    )
    .await
    .json();
    let ids: Vec<&str> = options["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"c2570c3b-5b3f-41b8-98bf-5407bfde8d58"),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"52823034-34a8-4576-922c-8d8b77e9e4c4"),
        "{ids:?}"
    );
}
