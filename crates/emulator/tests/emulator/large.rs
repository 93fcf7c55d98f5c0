//! The built-in `large` world (2,000 projects, 20,000 repositories) and the seeded percentage
//! faults of the org-wide webhook benchmark.

use std::time::{Duration, Instant};

use ado_emulator::scenario::{LARGE_ORGANIZATION, LARGE_PROJECTS, LARGE_REPOSITORIES_PER_PROJECT};
use ado_emulator::{Config, FaultRule, Faults, Scenario};

use crate::support::*;

#[tokio::test]
async fn the_large_world_pages_2000_projects_and_lists_20000_repositories() {
    let started = Instant::now();
    let emu = with_scenario(Scenario::large()).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "starts in {:?}",
        started.elapsed()
    );
    let org = format!("/{LARGE_ORGANIZATION}");
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &token {
            Some(t) => format!("$top=500&continuationToken={t}"),
            None => "$top=500".to_string(),
        };
        let page = get(&emu, &format!("{org}/_apis/projects?{query}")).await;
        assert_eq!(page.status, 200);
        pages += 1;
        for project in page.json()["value"].as_array().unwrap() {
            names.push(project["name"].as_str().unwrap().to_string());
        }
        token = page.header("x-ms-continuationtoken").map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(names.len(), LARGE_PROJECTS);
    assert_eq!(names[0], "Project 0001");
    assert_eq!(names[1999], "Project 2000");
    let default_page = get(&emu, &format!("{org}/_apis/projects")).await;
    assert_eq!(default_page.json()["count"], 100);
    assert_eq!(default_page.header("x-ms-continuationtoken"), Some("100"));

    let repos = get(
        &emu,
        &format!("{org}/Project%200042/_apis/git/repositories"),
    )
    .await;
    let value = repos.json();
    assert_eq!(value["count"], LARGE_REPOSITORIES_PER_PROJECT);
    assert_eq!(value["value"][0]["name"], "repo-0042-01");
    let all = get(&emu, &format!("{org}/_apis/git/repositories")).await;
    assert_eq!(
        all.json()["count"],
        LARGE_PROJECTS * LARGE_REPOSITORIES_PER_PROJECT
    );
    // The 250-project collection too.
    let big = get(&emu, "/tfs/Big/_apis/projects?$top=1000").await;
    assert_eq!(big.json()["count"], 250);
}

#[tokio::test]
async fn five_percent_of_hooks_requests_are_throttled_the_same_way_every_run() {
    let rule: FaultRule = "path:*/_apis/hooks/*=429;retryAfter=1;percent=5"
        .parse()
        .unwrap();
    assert_eq!(rule.percent, Some(5));
    let run = || async {
        let emu = start(Config {
            faults: Faults {
                seed: 42,
                ..Faults::rules([rule.clone()])
            },
            ..Config::default()
        })
        .await;
        let mut statuses = Vec::new();
        for _ in 0..200 {
            let reply = get(&emu, "/fabrikam/_apis/hooks/subscriptions").await;
            if reply.status == 429 {
                assert_eq!(reply.header("retry-after"), Some("1"));
            }
            statuses.push(reply.status.as_u16());
        }
        assert_eq!(get(&emu, "/fabrikam/_apis/projects").await.status, 200);
        statuses
    };
    let first = run().await;
    assert_eq!(first, run().await, "seeded: the same requests are hit");
    let limited = first.iter().filter(|s| **s == 429).count();
    assert!((3..=20).contains(&limited), "{limited} of 200");
    assert!(first.iter().all(|s| *s == 200 || *s == 429));
}
