//! What the tables share: the `Want` of a parse, its `check`, and the `parses!` and `rejects!` rows.

use ado_core::repo_url::{Deployment, RepoUrl};

/// What a parse must give. Unnamed fields must be `None` (or not ambiguous, one candidate).
#[derive(Debug, Default)]
pub struct Want {
    pub deployment: Option<Deployment>,
    pub organization: Option<&'static str>,
    pub server_url: Option<&'static str>,
    pub collection: Option<&'static str>,
    pub project: Option<&'static str>,
    pub team: Option<&'static str>,
    pub repository: Option<&'static str>,
    pub branch: Option<&'static str>,
    pub commit: Option<&'static str>,
    pub tag: Option<&'static str>,
    pub path: Option<&'static str>,
    pub pull_request_id: Option<u32>,
    /// Number of candidates; 1 unless named.
    pub candidates: Option<usize>,
}

pub fn check(input: &str, want: Want) {
    let url = RepoUrl::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse, got: {e}"));
    let got = (
        Some(url.deployment()),
        url.organization(),
        url.server_url(),
        url.collection(),
        url.project(),
        url.team(),
        url.repository(),
    );
    let wanted = (
        want.deployment,
        want.organization,
        want.server_url,
        want.collection,
        want.project,
        want.team,
        want.repository,
    );
    assert_eq!(
        got, wanted,
        "{input:?}: (deployment, organization, serverUrl, collection, project, team, repository)"
    );
    assert_eq!(
        (
            url.branch(),
            url.commit(),
            url.tag(),
            url.path(),
            url.pull_request_id()
        ),
        (
            want.branch,
            want.commit,
            want.tag,
            want.path,
            want.pull_request_id
        ),
        "{input:?}: (branch, commit, tag, path, pullRequestId)"
    );
    let candidates = want.candidates.unwrap_or(1);
    assert_eq!(
        url.candidates().len(),
        candidates,
        "{input:?}: candidates {:#?}",
        url.candidates()
    );
    assert_eq!(url.is_ambiguous(), candidates > 1, "{input:?}: ambiguous");
}

macro_rules! parses {
    ($name:ident, $input:expr, { $($field:ident : $value:expr),* $(,)? }) => {
        #[test]
        fn $name() {
            #[allow(clippy::needless_update)]
            let want = $crate::support::Want { $($field: Some($value),)* ..$crate::support::Want::default() };
            $crate::support::check($input, want);
        }
    };
}

macro_rules! rejects {
    ($name:ident, $input:expr, $kind:pat) => {
        #[test]
        fn $name() {
            let input: &str = $input;
            match ::ado_core::repo_url::RepoUrl::parse(input) {
                Ok(url) => panic!(
                    "{input:?} should be rejected as {}, parsed as {url:?}",
                    stringify!($kind)
                ),
                Err(e) => assert!(
                    matches!(e.kind(), $kind),
                    "{input:?} should be rejected as {}, got {:?}",
                    stringify!($kind),
                    e.kind()
                ),
            }
        }
    };
}
