//! An ambiguous server URL is settled by asking `_apis/connectionData` at each candidate
//! collection URL (issue: "the onboarding flow settles it"), against the emulator.

use ado_client::Credential;
use ado_core::repo_url::RepoUrl;
use ado_emulator::{Config, Emulator, Scenario};
use ado_flows::resolve::{resolve_candidates, understand_url, CandidateStatus};
use ado_flows::ConnectOptions;

/// A server whose virtual directory is `devops` (not the usual `tfs`), so the parser's first
/// guess for `/devops/Main/_git/Main` (collection `devops`) is wrong and the probe must fix it.
const SCENARIO: &str = r#"{
  "name": "unusual virtual directory",
  "users": [{"displayName": "Demo Admin", "email": "demo.admin@fabrikam.example"}],
  "servers": [{
    "name": "devops", "version": "2022", "virtualDirectory": "devops",
    "collections": [{"name": "Main", "projects": [{"name": "Main", "repositories": [{"name": "Main"}]}]}]
  }],
  "pats": [{"token": "resolvecandidates2full3access4token5for6tests7only8", "name": "full", "user": "demo.admin@fabrikam.example", "scopes": ["app_token"], "allHosts": true}]
}"#;

#[tokio::test]
async fn the_probe_picks_the_candidate_that_exists() {
    let emulator = Emulator::spawn(Config {
        scenario: Scenario::from_json(SCENARIO).unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    let url = format!("{}/devops/Main/_git/Main", emulator.base_url());
    let parsed = RepoUrl::parse(&url).unwrap();
    assert!(
        parsed.is_ambiguous(),
        "the path alone cannot tell: {:?}",
        parsed.summary().candidates
    );
    assert_eq!(
        parsed.collection(),
        Some("devops"),
        "the parser's first guess is the wrong one here"
    );

    // With the PAT: 200 at the right collection, 404 at the wrong one.
    let resolution = resolve_candidates(
        &parsed,
        Credential::pat("resolvecandidates2full3access4token5for6tests7only8"),
        &ConnectOptions::default(),
    )
    .await;
    let resolved = resolution.resolved(&parsed).expect("one candidate exists");
    assert_eq!(resolved.collection(), Some("Main"));
    assert_eq!(
        resolved.server_url(),
        Some(format!("{}/devops", emulator.base_url()).as_str())
    );
    assert!(matches!(resolution.statuses[0], CandidateStatus::Missing));

    // Anonymously (as the paste box does): the existing collection asks for credentials (401),
    // the other one is 404.
    let understood = understand_url(&url, &ConnectOptions::default())
        .await
        .unwrap();
    assert!(!understood.still_ambiguous);
    assert_eq!(understood.summary.collection.as_deref(), Some("Main"));
    emulator.shutdown().await;
}
