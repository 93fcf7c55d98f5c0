//! Paging of `_apis/projects`: `$top`, `continuationToken` (how many already fetched), and the
//! `x-ms-continuationtoken` header, absent on the last page.

use std::collections::HashSet;

use crate::support::*;

#[tokio::test]
async fn the_default_page_is_100_and_the_token_counts_fetched_projects() {
    let emu = demo().await;
    let first = get(&emu, "/tfs/Big/_apis/projects").await;
    assert_eq!(names(&first.json()).len(), 100);
    assert_eq!(first.header("x-ms-continuationtoken"), Some("100"));
}

#[tokio::test]
async fn following_the_token_visits_every_project_once() {
    let emu = demo().await;
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &token {
            None => "/tfs/Big/_apis/projects?$top=100".to_string(),
            Some(t) => format!("/tfs/Big/_apis/projects?$top=100&continuationToken={t}"),
        };
        let reply = get(&emu, &path).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        seen.extend(names(&reply.json()));
        pages += 1;
        match reply.header("x-ms-continuationtoken") {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
        assert!(pages < 10, "paging ends");
    }
    assert_eq!(pages, 3, "250 projects in pages of 100");
    assert_eq!(seen.len(), 250);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        250,
        "no project twice"
    );
    assert_eq!(seen.first().map(String::as_str), Some("Project 001"));
}

#[tokio::test]
async fn the_last_page_has_no_token() {
    let emu = demo().await;
    let last = get(
        &emu,
        "/tfs/Big/_apis/projects?$top=100&continuationToken=200",
    )
    .await;
    assert_eq!(names(&last.json()).len(), 50);
    assert_eq!(last.header("x-ms-continuationtoken"), None);
    let small = get(&emu, "/tfs/DefaultCollection/_apis/projects").await;
    assert_eq!(names(&small.json()).len(), 3);
    assert_eq!(
        small.header("x-ms-continuationtoken"),
        None,
        "one page, no token"
    );
}

#[tokio::test]
async fn skip_works_like_a_token() {
    let emu = demo().await;
    let skipped = get(&emu, "/tfs/Big/_apis/projects?$top=5&$skip=10").await;
    assert_eq!(names(&skipped.json())[0], "Project 011");
    assert_eq!(skipped.header("x-ms-continuationtoken"), Some("15"));
}

#[tokio::test]
async fn a_non_numeric_token_is_a_400() {
    let emu = demo().await;
    let reply = get(&emu, "/tfs/Big/_apis/projects?continuationToken=abc").await;
    assert_eq!(reply.status, 400);
}
