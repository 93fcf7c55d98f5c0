//! Table tests for `ado_core::repo_url`, ripgrep style: one `parses!` or `rejects!` row per form.
//!
//! Index:
//! - Services: HTTPS forms, legacy `visualstudio.com`, SSH, links (browse, pull request, hubs),
//!   partial URLs;
//! - Server: HTTP(S) and SSH, virtual directories and the ambiguity they bring;
//! - the public parsers' test URLs (ado-api.md §6): Backstage `AzureUrl.test.ts`, Git Credential
//!   Manager `UriHelpersTests.cs`, git-url-parse (Rust crate and npm package), TfsUrlParser;
//!   where our answer differs, the row's comment says why;
//! - rejections, one per error kind;
//! - derived URLs, the CLI summary, descriptions and error messages.
//!
//! Every `parses!` row checks all fields: any field it does not name must be absent.

use ado_core::repo_url::Deployment::{Server, Services};
use ado_core::repo_url::LooksLike;
use ado_core::repo_url::NamePart;
use ado_core::repo_url::NameProblem;
use ado_core::repo_url::RepoUrlErrorKind::*;
use ado_core::repo_url::{Deployment, RepoUrl};

/// What a parse must give. Unnamed fields must be `None` (or not ambiguous, one candidate).
#[derive(Debug, Default)]
struct Want {
    deployment: Option<Deployment>,
    organization: Option<&'static str>,
    server_url: Option<&'static str>,
    collection: Option<&'static str>,
    project: Option<&'static str>,
    team: Option<&'static str>,
    repository: Option<&'static str>,
    branch: Option<&'static str>,
    commit: Option<&'static str>,
    tag: Option<&'static str>,
    path: Option<&'static str>,
    pull_request_id: Option<u32>,
    /// Number of candidates; 1 unless named.
    candidates: Option<usize>,
}

fn check(input: &str, want: Want) {
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
            let want = Want { $($field: Some($value),)* ..Want::default() };
            check($input, want);
        }
    };
}

macro_rules! rejects {
    ($name:ident, $input:expr, $kind:pat) => {
        #[test]
        fn $name() {
            let input: &str = $input;
            match RepoUrl::parse(input) {
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

// ---------------------------------------------------------------------------------------------
// Services: HTTPS
// ---------------------------------------------------------------------------------------------

parses!(services_https, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_org_userinfo, "https://fabrikam@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_user_password, "https://jane:hunter2@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_no_scheme, "dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_no_scheme_userinfo, "fabrikam@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_port, "https://dev.azure.com:443/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_http, "http://dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_host_case, "HTTPS://DEV.Azure.COM/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_git_segment_case, "https://dev.azure.com/fabrikam/Fiber/_GIT/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_trailing_slash, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_dot_git, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api.git",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_many_slashes, "https://dev.azure.com//fabrikam///Fiber//_git//fiber-api//",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_whitespace, "  \t https://dev.azure.com/fabrikam/Fiber/_git/fiber-api \r\n",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_quotes, "\"https://dev.azure.com/fabrikam/Fiber/_git/fiber-api\"",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_angle_brackets, " <https://dev.azure.com/fabrikam/Fiber/_git/fiber-api> ",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_git_clone_command, "git clone https://fabrikam@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_optimized, "https://dev.azure.com/fabrikam/Fiber/_git/_optimized/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_full, "https://dev.azure.com/fabrikam/Fiber/_git/_full/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(services_short_form, "https://dev.azure.com/fabrikam/_git/Fiber",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "Fiber" });
parses!(services_percent_encoded, "https://dev.azure.com/fabrikam/Fiber%20Project/_git/fiber%20api",
    { deployment: Services, organization: "fabrikam", project: "Fiber Project", repository: "fiber api" });
parses!(services_raw_spaces, "https://dev.azure.com/fabrikam/Fiber Project/_git/fiber api",
    { deployment: Services, organization: "fabrikam", project: "Fiber Project", repository: "fiber api" });
parses!(services_non_ascii_encoded, "https://dev.azure.com/fabrikam/Proj%C3%A9t/_git/d%C3%A9p%C3%B4t",
    { deployment: Services, organization: "fabrikam", project: "Projét", repository: "dépôt" });
parses!(services_non_ascii_raw, "https://dev.azure.com/fabrikam/项目/_git/仓库",
    { deployment: Services, organization: "fabrikam", project: "项目", repository: "仓库" });
parses!(services_encoded_hash_and_question, "https://dev.azure.com/fabrikam/C%23%20tools/_git/what%3F",
    { deployment: Services, organization: "fabrikam", project: "C# tools", repository: "what?" });
parses!(services_team_segment, "https://dev.azure.com/fabrikam/Fiber/Fiber%20Team/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", team: "Fiber Team", repository: "fiber-api" });

// ---------------------------------------------------------------------------------------------
// Services: legacy visualstudio.com
// ---------------------------------------------------------------------------------------------

parses!(vs_https, "https://fabrikam.visualstudio.com/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(vs_default_collection, "https://fabrikam.visualstudio.com/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(vs_short_form, "https://fabrikam.visualstudio.com/_git/Fiber",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "Fiber" });
parses!(vs_host_case, "https://Fabrikam.VisualStudio.com/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(vs_no_scheme, "fabrikam.visualstudio.com/Fiber/_git/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(vs_org_only, "https://fabrikam.visualstudio.com",
    { deployment: Services, organization: "fabrikam" });
parses!(vs_project_only, "https://fabrikam.visualstudio.com/Fiber",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(vs_ssh_org_host, "https://vs-ssh.fabrikam.visualstudio.com",
    { deployment: Services, organization: "fabrikam" });
parses!(vs_release_host, "https://fabrikam.vsrm.visualstudio.com/Fiber/_apis/release/releases",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
// The old VSTS SSH form used `_ssh` where clone URLs now use `_git`.
parses!(vs_old_ssh, "ssh://fabrikam@fabrikam.visualstudio.com:22/DefaultCollection/Fiber/_ssh/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });

// ---------------------------------------------------------------------------------------------
// Services: SSH
// ---------------------------------------------------------------------------------------------

parses!(ssh_scp, "git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(ssh_scp_dot_git, "git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api.git",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(ssh_scp_host_case, "git@SSH.dev.azure.COM:v3/fabrikam/Fiber/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(ssh_legacy_vs_ssh, "fabrikam@vs-ssh.visualstudio.com:v3/fabrikam/Fiber/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(ssh_url_form, "ssh://git@ssh.dev.azure.com/v3/fabrikam/Fiber/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(ssh_url_form_port, "ssh://git@ssh.dev.azure.com:22/v3/fabrikam/Fiber/fiber-api.git",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
// A common hand-made mix of the URL and scp forms; git rejects it, but its meaning is clear.
parses!(ssh_url_with_scp_colon, "ssh://git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(ssh_scp_percent_encoded, "git@ssh.dev.azure.com:v3/fabrikam/Fiber%20Project/fiber%20api",
    { deployment: Services, organization: "fabrikam", project: "Fiber Project", repository: "fiber api" });
parses!(ssh_scp_raw_hash, "git@ssh.dev.azure.com:v3/fabrikam/C#/what?",
    { deployment: Services, organization: "fabrikam", project: "C#", repository: "what?" });
parses!(ssh_scp_org_only, "git@ssh.dev.azure.com:v3/fabrikam",
    { deployment: Services, organization: "fabrikam" });

// ---------------------------------------------------------------------------------------------
// Services: links
// ---------------------------------------------------------------------------------------------

parses!(link_browse_branch, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api?path=/src/main.rs&version=GBmain",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api",
      branch: "main", path: "/src/main.rs" });
parses!(link_browse_branch_with_slash, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api?version=GBfeature%2Flogin&path=%2FREADME.md&_a=contents",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api",
      branch: "feature/login", path: "/README.md" });
parses!(link_browse_commit, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api?version=GC6eead79870d998a3befd4bc7c72cc89e446f2970",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api",
      commit: "6eead79870d998a3befd4bc7c72cc89e446f2970" });
parses!(link_browse_tag, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api?version=GTv1.2.0",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api", tag: "v1.2.0" });
parses!(link_commit, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/commit/6eead798",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api", commit: "6eead798" });
parses!(link_pull_request, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/12",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api", pull_request_id: 12 });
parses!(link_pull_request_tab, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/12?_a=files&path=/src/lib.rs",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api",
      pull_request_id: 12, path: "/src/lib.rs" });
parses!(link_pull_requests_list, "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequests?_a=mine",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(link_branches, "https://fabrikam.visualstudio.com/Fiber/_git/fiber-api/branches",
    { deployment: Services, organization: "fabrikam", project: "Fiber", repository: "fiber-api" });
parses!(link_pipeline, "https://dev.azure.com/fabrikam/Fiber/_build?definitionId=3",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_build_result, "https://dev.azure.com/fabrikam/Fiber/_build/results?buildId=512&view=results",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_release, "https://dev.azure.com/fabrikam/Fiber/_release?_a=releases&view=mine&definitionId=1",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_work_item, "https://dev.azure.com/fabrikam/Fiber/_workitems/edit/7",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_boards_with_team, "https://dev.azure.com/fabrikam/Fiber/_boards/board/t/Fiber%20Team/Stories",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_backlog_team_segment, "https://dev.azure.com/fabrikam/Fiber/Fiber%20Team/_backlogs/backlog",
    { deployment: Services, organization: "fabrikam", project: "Fiber", team: "Fiber Team" });
parses!(link_wiki, "https://dev.azure.com/fabrikam/Fiber/_wiki/wikis/Fiber.wiki/1/Home",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_project_settings, "https://dev.azure.com/fabrikam/Fiber/_settings/repositories?repo=abc",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_project_api, "https://dev.azure.com/fabrikam/Fiber/_apis/git/repositories?api-version=7.1",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(link_org_settings, "https://dev.azure.com/fabrikam/_settings/organizationPolicy",
    { deployment: Services, organization: "fabrikam" });
parses!(link_release_api_host, "https://vsrm.dev.azure.com/fabrikam/Fiber/_apis/release/releases",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });
parses!(partial_org, "https://dev.azure.com/fabrikam",
    { deployment: Services, organization: "fabrikam" });
parses!(partial_org_slash, "https://dev.azure.com/fabrikam/",
    { deployment: Services, organization: "fabrikam" });
parses!(partial_org_no_scheme, "dev.azure.com/fabrikam",
    { deployment: Services, organization: "fabrikam" });
parses!(partial_org_userinfo_only, "fabrikam@dev.azure.com",
    { deployment: Services, organization: "fabrikam" });
parses!(partial_project, "https://dev.azure.com/fabrikam/Fiber",
    { deployment: Services, organization: "fabrikam", project: "Fiber" });

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

parses!(server_tfs_vdir, "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_no_vdir, "https://devops.example.com/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "https://devops.example.com", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_host_case, "HTTP://TFS.Example.COM:8080/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_default_port_dropped, "https://tfs.example.com:443/tfs/Main/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "https://tfs.example.com/tfs", collection: "Main",
      project: "Fiber", repository: "fiber-api" });
parses!(server_short_form, "http://tfs.example.com:8080/tfs/DefaultCollection/_git/Fiber",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "Fiber" });
parses!(server_optimized, "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/_optimized/fiber-api.git",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_pull_request, "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api/pullrequest/7",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api", pull_request_id: 7 });
parses!(server_browse, "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api?path=%2Fdocs&version=GBrelease%2F2.0",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api", branch: "release/2.0", path: "/docs" });
parses!(server_pipeline, "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_build?definitionId=1",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection", project: "Fiber" });
parses!(server_collection_url, "http://tfs.example.com:8080/tfs/DefaultCollection",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection" });
parses!(server_collection_settings, "http://tfs.example.com:8080/tfs/DefaultCollection/_settings/",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection" });
parses!(server_ip, "http://10.0.0.5:8080/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "http://10.0.0.5:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_localhost, "http://localhost:8080/tfs/DefaultCollection",
    { deployment: Server, server_url: "http://localhost:8080/tfs", collection: "DefaultCollection" });
// No scheme: port 8080 is the default Server HTTP binding, so http.
parses!(server_no_scheme_8080, "tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "http://tfs.example.com:8080/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_no_scheme_https, "devops.example.com/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "https://devops.example.com/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_user_password, "https://jane:hunter2@devops.example.com/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "https://devops.example.com/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api" });
parses!(server_encoded_names, "https://devops.example.com/tfs/Main%20Collection/Fiber%20Project/_git/r%C3%A9po",
    { deployment: Server, server_url: "https://devops.example.com/tfs", collection: "Main Collection",
      project: "Fiber Project", repository: "répo" });
// SSH tells neither web scheme nor port: https on 443 first, then the default http binding on 8080.
parses!(server_ssh, "ssh://tfs.example.com:22/tfs/DefaultCollection/Fiber/_git/fiber-api",
    { deployment: Server, server_url: "https://tfs.example.com/tfs", collection: "DefaultCollection",
      project: "Fiber", repository: "fiber-api", candidates: 2 });
parses!(server_ssh_docs_example, "ssh://someHost:22/someCollection/some_project/_git/some_repo",
    { deployment: Server, server_url: "https://somehost", collection: "someCollection",
      project: "some_project", repository: "some_repo", candidates: 4 });

// Ambiguity: said, with the likelier reading first.
parses!(ambiguous_three_before_git, "https://host.example.com/a/b/c/_git/r",
    { deployment: Server, server_url: "https://host.example.com/a", collection: "b", project: "c",
      repository: "r", candidates: 2 });
parses!(ambiguous_tfs_without_project, "https://host.example.com/tfs/Coll",
    { deployment: Server, server_url: "https://host.example.com/tfs", collection: "Coll", candidates: 2 });
parses!(ambiguous_bare_two_segments, "https://host.example.com/x/y",
    { deployment: Server, server_url: "https://host.example.com", collection: "x", project: "y", candidates: 2 });
parses!(ambiguous_tfs_short_form, "https://host.example.com/tfs/Coll/_git/Repo",
    { deployment: Server, server_url: "https://host.example.com/tfs", collection: "Coll", project: "Repo",
      repository: "Repo", candidates: 2 });
parses!(unambiguous_single_collection, "https://host.example.com/Coll",
    { deployment: Server, server_url: "https://host.example.com", collection: "Coll" });

#[test]
fn ambiguous_candidates_are_ordered_and_carry_collection_urls() {
    let url = RepoUrl::parse("https://host.example.com/a/b/c/_git/r").unwrap();
    let readings: Vec<_> = url
        .candidates()
        .iter()
        .map(|c| {
            (
                c.server_url().unwrap(),
                c.collection().unwrap(),
                c.project(),
                c.team(),
                c.collection_url(),
            )
        })
        .collect();
    assert_eq!(
        readings,
        [
            ("https://host.example.com/a", "b", Some("c"), None, "https://host.example.com/a/b".to_string()),
            ("https://host.example.com", "a", Some("b"), Some("c"), "https://host.example.com/a".to_string()),
        ],
        "virtual directory a + collection b + project c first; then collection a + project b + team c"
    );

    let url = RepoUrl::parse("https://host.example.com/tfs/Coll").unwrap();
    let urls: Vec<String> = url
        .candidates()
        .iter()
        .map(|c| c.collection_url())
        .collect();
    assert_eq!(
        urls,
        [
            "https://host.example.com/tfs/Coll",
            "https://host.example.com/tfs"
        ],
        "`tfs` as virtual directory first, `tfs` as the collection (with project Coll) second"
    );
    assert_eq!(url.candidates()[1].project(), Some("Coll"));
}

#[test]
fn ssh_server_candidates_offer_both_web_bindings() {
    let url = RepoUrl::parse("ssh://tfs.example.com:22/tfs/DefaultCollection/Fiber/_git/fiber-api")
        .unwrap();
    let urls: Vec<String> = url
        .candidates()
        .iter()
        .map(|c| c.collection_url())
        .collect();
    assert_eq!(
        urls,
        [
            "https://tfs.example.com/tfs/DefaultCollection",
            "http://tfs.example.com:8080/tfs/DefaultCollection"
        ]
    );
    assert_eq!(
        url.ssh_clone_url().as_deref(),
        Some("ssh://tfs.example.com:22/tfs/DefaultCollection/Fiber/_git/fiber-api"),
        "the SSH URL is known exactly even when the web URL is not"
    );
}

#[test]
fn choosing_a_candidate_settles_the_ambiguity() {
    let url = RepoUrl::parse("http://my-host/my-org/my-project/_git/my-repo").unwrap();
    assert!(url.is_ambiguous());
    let second = url.choose_candidate(1).expect("two candidates");
    assert!(!second.is_ambiguous());
    assert_eq!(
        (
            second.server_url(),
            second.collection(),
            second.project(),
            second.repository()
        ),
        (
            Some("http://my-host/my-org"),
            Some("my-project"),
            Some("my-repo"),
            Some("my-repo")
        ),
        "the alternative is the short form under virtual directory my-org"
    );
    assert!(url.choose_candidate(2).is_none());
}

// ---------------------------------------------------------------------------------------------
// Public parsers' test URLs (ado-api.md §6)
// ---------------------------------------------------------------------------------------------

// Backstage `AzureUrl.test.ts`.
parses!(backstage_short, "https://dev.azure.com/my-org/_git/my-project",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-project" });
parses!(backstage_short_path, "https://dev.azure.com/my-org/_git/my-project?path=%2Ftest.yaml",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-project", path: "/test.yaml" });
parses!(backstage_short_path_ref, "https://dev.azure.com/my-org/_git/my-project?path=%2Ftest.yaml&version=GBtest-branch",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-project",
      path: "/test.yaml", branch: "test-branch" });
// Backstage reads `my-host` as an on-premises host with owner my-org: we agree on the first
// reading (collection my-org) but also say that `my-org` could be a virtual directory with
// collection `my-project` and the short form, which the path alone cannot rule out.
parses!(backstage_long, "http://my-host/my-org/my-project/_git/my-repo",
    { deployment: Server, server_url: "http://my-host", collection: "my-org", project: "my-project",
      repository: "my-repo", candidates: 2 });
parses!(backstage_long_path_ref, "http://my-host/my-org/my-project/_git/my-repo?path=%2Ffolder&version=GBtest-branch",
    { deployment: Server, server_url: "http://my-host", collection: "my-org", project: "my-project",
      repository: "my-repo", path: "/folder", branch: "test-branch", candidates: 2 });
// Backstage gives owner `tfs/projects`; but `/tfs` is the Server's virtual directory, not part of
// a collection name (collection names cannot contain `/`), and the API lives at
// `http://my-host/tfs/projects`, so: server `http://my-host/tfs`, collection `projects`.
parses!(backstage_tfs, "http://my-host/tfs/projects/my-project/_git/my-repo",
    { deployment: Server, server_url: "http://my-host/tfs", collection: "projects", project: "my-project",
      repository: "my-repo" });
parses!(backstage_tfs_path_ref, "http://my-host/tfs/projects/my-project/_git/my-repo?path=%2Ffolder&version=GBtest-branch",
    { deployment: Server, server_url: "http://my-host/tfs", collection: "projects", project: "my-project",
      repository: "my-repo", path: "/folder", branch: "test-branch" });
parses!(backstage_vs, "https://my-org.visualstudio.com/my-project/_git/my-repo",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-repo" });
parses!(backstage_vs_path, "https://my-org.visualstudio.com/my-project/_git/my-repo?path=%2Ftest.yaml",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-repo", path: "/test.yaml" });
parses!(backstage_vs_path_ref, "https://my-org.visualstudio.com/my-project/_git/my-repo?path=%2Ffolder&version=GBtest-branch",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-repo",
      path: "/folder", branch: "test-branch" });
// Backstage rejects a commit version because it needs a branch to download files; we connect to
// a repository, so the URL is fine: we report the commit and no branch.
parses!(backstage_commit_version, "https://dev.azure.com/my-org/_git/my-project?version=GC6eead79870d998a3befd4bc7c72cc89e446f2970",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-project",
      commit: "6eead79870d998a3befd4bc7c72cc89e446f2970" });
rejects!(
    backstage_git_without_repo,
    "https://dev.azure.com/my-org/_git",
    MissingRepositoryAfterGit
);
rejects!(
    backstage_git_slash_without_repo,
    "https://dev.azure.com/my-org/_git/",
    MissingRepositoryAfterGit
);
// Backstage rejects these because it needs a repository; the wizard can connect to a project
// (or organization) and then list its repositories, so we accept them as partial URLs.
parses!(backstage_project_only, "https://dev.azure.com/my-org/my-project/",
    { deployment: Services, organization: "my-org", project: "my-project" });
parses!(backstage_not_git_hub, "https://dev.azure.com/my-org/my-project/_not-git",
    { deployment: Services, organization: "my-org", project: "my-project" });
parses!(backstage_not_git_hub_repo, "https://dev.azure.com/my-org/my-project/_not-git/my-repo",
    { deployment: Services, organization: "my-org", project: "my-project" });
parses!(backstage_workitems, "https://dev.azure.com/my-org/_workitems/recentlyupdated/",
    { deployment: Services, organization: "my-org" });
// By code reading Backstage would make `DefaultCollection` the owner; it is the legacy host's
// only collection, and the organization is in the host name.
parses!(backstage_vs_default_collection, "https://my-org.visualstudio.com/DefaultCollection/my-project/_git/my-repo",
    { deployment: Services, organization: "my-org", project: "my-project", repository: "my-repo" });

// Git Credential Manager `UriHelpersTests.cs` (organization only).
parses!(gcm_org_from_path, "https://dev.azure.com/myorg/myproject/_git/myrepo",
    { deployment: Services, organization: "myorg", project: "myproject", repository: "myrepo" });
parses!(gcm_port, "https://dev.azure.com:456/myorg/myproject/_git/myrepo",
    { deployment: Services, organization: "myorg", project: "myproject", repository: "myrepo" });
parses!(gcm_path_beats_user, "https://myorg-user@dev.azure.com/myorg-path",
    { deployment: Services, organization: "myorg-path" });
parses!(gcm_user_when_no_path, "https://myorg-user@dev.azure.com",
    { deployment: Services, organization: "myorg-user" });
rejects!(gcm_no_org, "https://dev.azure.com", MissingOrganization);
parses!(gcm_vs_host, "https://myorg.visualstudio.com",
    { deployment: Services, organization: "myorg" });
parses!(gcm_vs_host_upper, "https://MYORG.VISUALSTUDIO.COM",
    { deployment: Services, organization: "myorg" });
parses!(gcm_vs_ssh_host, "https://vs-ssh.myorg.visualstudio.com",
    { deployment: Services, organization: "myorg" });
parses!(gcm_dev_azure_upper, "https://DEV.AZURE.COM/myorg",
    { deployment: Services, organization: "myorg" });
rejects!(gcm_vs_apex, "https://visualstudio.com", MissingOrganization);
rejects!(
    gcm_example,
    "https://example.com",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(
    gcm_testdev,
    "https://testdev.azure.com/myorg",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(
    gcm_test_dot_dev,
    "https://test.dev.azure.com/myorg",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(
    gcm_testvisualstudio,
    "https://testvisualstudio.com",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(gcm_whitespace, "    ", Empty);

#[test]
fn gcm_port_is_dropped_from_the_api_url() {
    // GCM keeps `:456` because it only rewrites the URI it got; dev.azure.com serves on 443
    // only, so the organization URL that works is the canonical one.
    let url = RepoUrl::parse("https://dev.azure.com:456/myorg/myproject/_git/myrepo").unwrap();
    assert_eq!(url.api_url(), "https://dev.azure.com/myorg");
}

// Rust git-url-parse (`tests/provider.rs`, `tests/parse.rs`, `tests/trim_auth.rs`).
parses!(gup_rs_https_user, "https://CompanyName@dev.azure.com/CompanyName/ProjectName/_git/RepoName",
    { deployment: Services, organization: "CompanyName", project: "ProjectName", repository: "RepoName" });
parses!(gup_rs_ssh_dot_git, "git@ssh.dev.azure.com:v3/CompanyName/ProjectName/RepoName.git",
    { deployment: Services, organization: "CompanyName", project: "ProjectName", repository: "RepoName" });
parses!(gup_rs_ssh, "git@ssh.dev.azure.com:v3/CompanyName/ProjectName/RepoName",
    { deployment: Services, organization: "CompanyName", project: "ProjectName", repository: "RepoName" });
parses!(gup_rs_ssh_trimmed, "ssh.dev.azure.com:v3/CompanyName/ProjectName/RepoName",
    { deployment: Services, organization: "CompanyName", project: "ProjectName", repository: "RepoName" });
parses!(gup_rs_https_organization, "https://organization@dev.azure.com/organization/project/_git/repo",
    { deployment: Services, organization: "organization", project: "project", repository: "repo" });
parses!(gup_rs_https_trimmed, "https://dev.azure.com/organization/project/_git/repo",
    { deployment: Services, organization: "organization", project: "project", repository: "repo" });

// npm git-url-parse (`test/index.js`).
parses!(gup_npm_team_path, "https://dev.azure.com/MyOrganization/MatchedName/MyTeam/_git/MatchedName?path=%2Ftest%2Findex.js",
    { deployment: Services, organization: "MyOrganization", project: "MatchedName", team: "MyTeam",
      repository: "MatchedName", path: "/test/index.js" });
parses!(gup_npm_team_path_ref, "https://dev.azure.com/MyOrganization/MatchedName/MyTeam/_git/MatchedName?path=%2Ftest%2Findex.js&version=GBother",
    { deployment: Services, organization: "MyOrganization", project: "MatchedName", team: "MyTeam",
      repository: "MatchedName", path: "/test/index.js", branch: "other" });
parses!(gup_npm_path, "https://dev.azure.com/MyOrganization/MyProject/_git/MyRepo?path=%2Ftest%2Findex.js",
    { deployment: Services, organization: "MyOrganization", project: "MyProject", repository: "MyRepo",
      path: "/test/index.js" });
parses!(gup_npm_path_ref, "https://dev.azure.com/MyOrganization/MyProject/_git/MyRepo?path=%2Ftest%2Findex.js&version=GBother",
    { deployment: Services, organization: "MyOrganization", project: "MyProject", repository: "MyRepo",
      path: "/test/index.js", branch: "other" });
parses!(gup_npm_ssh, "git@ssh.dev.azure.com:v3/CompanyName/ProjectName/RepoName",
    { deployment: Services, organization: "CompanyName", project: "ProjectName", repository: "RepoName" });
parses!(gup_npm_ssh_spaces, "git@ssh.dev.azure.com:v3/CompanyName/Project%20Name/Repo%20Name",
    { deployment: Services, organization: "CompanyName", project: "Project Name", repository: "Repo Name" });
parses!(gup_npm_vs_short, "https://companyname.visualstudio.com/_git/MyProject",
    { deployment: Services, organization: "companyname", project: "MyProject", repository: "MyProject" });
parses!(gup_npm_vs, "https://companyname.visualstudio.com/MyProject/_git/MyRepo",
    { deployment: Services, organization: "companyname", project: "MyProject", repository: "MyRepo" });
// npm git-url-parse reports organization `DefaultCollection` here; the organization is
// `companyname` (from the host) and DefaultCollection is the legacy host's only collection.
parses!(gup_npm_vs_default_collection_short, "https://companyname.visualstudio.com/DefaultCollection/_git/MyRepo",
    { deployment: Services, organization: "companyname", project: "MyRepo", repository: "MyRepo" });
parses!(gup_npm_vs_default_collection, "https://companyname.visualstudio.com/DefaultCollection/MyProject/_git/MyRepo",
    { deployment: Services, organization: "companyname", project: "MyProject", repository: "MyRepo" });
parses!(gup_npm_vs_ssh, "CompanyName@vs-ssh.visualstudio.com:v3/CompanyName/ProjectName/RepoName",
    { deployment: Services, organization: "CompanyName", project: "ProjectName", repository: "RepoName" });
parses!(gup_npm_vs_spaces, "https://companyname.visualstudio.com/My%20Project/_git/My%20Repo",
    { deployment: Services, organization: "companyname", project: "My Project", repository: "My Repo" });
parses!(gup_npm_spaces_user, "https://pat@dev.azure.com/organization/owner%20with%20space/_git/repo%20with%20space",
    { deployment: Services, organization: "organization", project: "owner with space", repository: "repo with space" });

// TfsUrlParser (`RepositoryDescriptionTests.cs`).
parses!(tfsurl_tfs, "http://myserver:8080/tfs/defaultcollection/myproject/_git/myrepository",
    { deployment: Server, server_url: "http://myserver:8080/tfs", collection: "defaultcollection",
      project: "myproject", repository: "myrepository" });
parses!(tfsurl_no_vdir, "http://tfs.myserver/defaultcollection/myproject/_git/myrepository",
    { deployment: Server, server_url: "http://tfs.myserver", collection: "defaultcollection",
      project: "myproject", repository: "myrepository" });
// TfsUrlParser reads this legacy-host URL as a collection URL; it is Services, organization mytenant.
parses!(tfsurl_vs_trailing, "http://mytenant.visualstudio.com/defaultcollection/myproject/_git/myrepository/somethingelse",
    { deployment: Services, organization: "mytenant", project: "myproject", repository: "myrepository" });
parses!(tfsurl_same_names, "http://tfs.foo.com/foo/foo/_git/foo",
    { deployment: Server, server_url: "http://tfs.foo.com", collection: "foo", project: "foo", repository: "foo",
      candidates: 2 });
// TfsUrlParser keeps the SSH port (8080) in an https collection URL; the SSH port says nothing
// about the web binding, so we offer https and the default http binding and keep 8080 for SSH.
parses!(tfsurl_ssh, "ssh://myserver:8080/tfs/defaultcollection/myproject/_git/myrepository",
    { deployment: Server, server_url: "https://myserver/tfs", collection: "defaultcollection",
      project: "myproject", repository: "myrepository", candidates: 2 });
parses!(tfsurl_ssh_user_password, "ssh://foo:bar@myserver:8080/tfs/defaultcollection/myproject/_git/myrepository",
    { deployment: Server, server_url: "https://myserver/tfs", collection: "defaultcollection",
      project: "myproject", repository: "myrepository", candidates: 2 });
// TfsUrlParser rejects a URL without repository; for us it names the project.
parses!(tfsurl_project_only, "http://myserver:8080/tfs/defaultcollection/myproject/",
    { deployment: Server, server_url: "http://myserver:8080/tfs", collection: "defaultcollection", project: "myproject" });
rejects!(
    tfsurl_no_collection,
    "http://myserver:8080/_git/myrepository",
    MissingCollection
);
// TfsUrlParser rejects the short form; Server web links use it for a project's default
// repository just as Services does.
parses!(tfsurl_short_form, "http://myserver:8080/defaultcollection/_git/myrepository",
    { deployment: Server, server_url: "http://myserver:8080", collection: "defaultcollection",
      project: "myrepository", repository: "myrepository" });

// ---------------------------------------------------------------------------------------------
// Rejections, one or more per kind
// ---------------------------------------------------------------------------------------------

rejects!(empty, "", Empty);
rejects!(empty_quotes, " \"\" ", Empty);
rejects!(empty_brackets, "<>", Empty);
rejects!(not_a_url_words, "hello world", NotAUrl);
rejects!(not_a_url_windows_path, "C:\\src\\fiber-api", NotAUrl);
rejects!(not_a_url_number, "3.14", NotAUrl);
rejects!(not_a_url_scheme_only, "https://", NotAUrl);
rejects!(not_a_url_bad_host, "https://exa mple.com/x", NotAUrl);
rejects!(not_a_url_bad_port, "https://dev.azure.com:99999/o", NotAUrl);
rejects!(missing_host, "fabrikam/Fiber/_git/fiber-api", MissingHost);
rejects!(
    missing_host_slash,
    "/tfs/DefaultCollection/Fiber/_git/fiber-api",
    MissingHost
);
rejects!(email, "jane@contoso.com", EmailAddress);
rejects!(email_mailto, "mailto:jane@contoso.com", EmailAddress);
rejects!(bare_name, "fabrikam", BareName { .. });
rejects!(
    unsupported_git_scheme,
    "git://example.com/fiber-api.git",
    UnsupportedScheme { .. }
);
rejects!(
    unsupported_ftp,
    "ftp://example.com/x",
    UnsupportedScheme { .. }
);
rejects!(
    unsupported_file,
    "file:///home/me/fiber-api",
    UnsupportedScheme { .. }
);
rejects!(
    github_https,
    "https://github.com/fabrikam/fiber-api",
    NotAzureDevOps {
        looks_like: LooksLike::GitHub
    }
);
rejects!(
    github_ssh,
    "git@github.com:fabrikam/fiber-api.git",
    NotAzureDevOps {
        looks_like: LooksLike::GitHub
    }
);
rejects!(
    github_no_scheme,
    "github.com/fabrikam/fiber-api",
    NotAzureDevOps {
        looks_like: LooksLike::GitHub
    }
);
rejects!(
    github_enterprise,
    "https://github.example.com/fabrikam/fiber-api",
    NotAzureDevOps {
        looks_like: LooksLike::GitHub
    }
);
rejects!(
    gitlab_https,
    "https://gitlab.com/fabrikam/fiber-api",
    NotAzureDevOps {
        looks_like: LooksLike::GitLab
    }
);
rejects!(
    gitlab_self_hosted,
    "https://git.example.com/fabrikam/fiber-api/-/tree/main",
    NotAzureDevOps {
        looks_like: LooksLike::GitLab
    }
);
rejects!(
    bitbucket_cloud,
    "https://bitbucket.org/fabrikam/fiber-api",
    NotAzureDevOps {
        looks_like: LooksLike::Bitbucket
    }
);
rejects!(
    bitbucket_server,
    "https://git.example.com/scm/fiber/fiber-api.git",
    NotAzureDevOps {
        looks_like: LooksLike::Bitbucket
    }
);
rejects!(
    other_git_host,
    "https://git.example.com/fabrikam/fiber-api.git",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(
    azure_portal,
    "https://portal.azure.com/#home",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(
    vs_code_site,
    "https://code.visualstudio.com/docs",
    NotAzureDevOps {
        looks_like: LooksLike::OtherHost { .. }
    }
);
rejects!(
    missing_org_api,
    "https://dev.azure.com/_apis/projects",
    MissingOrganization
);
rejects!(
    missing_org_ssh,
    "git@ssh.dev.azure.com:v3",
    MissingOrganization
);
rejects!(
    missing_collection_vdir_only,
    "http://tfs.example.com:8080/tfs",
    MissingCollection
);
rejects!(
    missing_collection_vdir_git,
    "http://tfs.example.com:8080/tfs/_git/fiber-api",
    MissingCollection
);
rejects!(
    missing_git_segment,
    "https://dev.azure.com/fabrikam/Fiber/fiber-api",
    MissingGitSegment
);
rejects!(
    missing_repo_optimized,
    "https://dev.azure.com/fabrikam/Fiber/_git/_optimized/",
    MissingRepositoryAfterGit
);
rejects!(
    missing_repo_server,
    "http://tfs:8080/tfs/DefaultCollection/Fiber/_git",
    MissingRepositoryAfterGit
);
rejects!(
    bad_pr_word,
    "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/abc",
    BadPullRequestId { .. }
);
rejects!(
    bad_pr_zero,
    "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/0",
    BadPullRequestId { .. }
);
rejects!(
    bad_pr_missing,
    "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/",
    BadPullRequestId { .. }
);
rejects!(
    bad_pr_overflow,
    "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/99999999999",
    BadPullRequestId { .. }
);
rejects!(
    bad_pr_signed,
    "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api/pullrequest/+3",
    BadPullRequestId { .. }
);
rejects!(
    invalid_org_underscore,
    "https://dev.azure.com/fab_rikam/Fiber/_git/fiber-api",
    InvalidName {
        part: NamePart::Organization,
        problem: NameProblem::NotAnOrganizationName,
        ..
    }
);
rejects!(
    invalid_org_space,
    "https://dev.azure.com/fab%20rikam",
    InvalidName {
        part: NamePart::Organization,
        ..
    }
);
rejects!(
    invalid_org_too_long,
    "https://dev.azure.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    InvalidName {
        part: NamePart::Organization,
        ..
    }
);
rejects!(
    invalid_repo_slash,
    "https://dev.azure.com/fabrikam/Fiber/_git/a%2Fb",
    InvalidName {
        part: NamePart::Repository,
        problem: NameProblem::Slash,
        ..
    }
);
rejects!(
    invalid_repo_not_utf8,
    "https://dev.azure.com/fabrikam/Fiber/_git/%FF",
    InvalidName {
        part: NamePart::Repository,
        problem: NameProblem::NotUtf8,
        ..
    }
);
rejects!(
    invalid_project_control,
    "https://dev.azure.com/fabrikam/Fi%01ber/_git/r",
    InvalidName {
        part: NamePart::Project,
        problem: NameProblem::ControlCharacter,
        ..
    }
);
rejects!(
    invalid_collection_char,
    "http://tfs:8080/tfs/Main%23Coll/Fiber/_git/r",
    InvalidName {
        part: NamePart::Collection,
        problem: NameProblem::NotACollectionName,
        ..
    }
);
rejects!(
    unrecognized_deep_services,
    "https://dev.azure.com/fabrikam/a/b/c/_git/r",
    UnrecognizedPath
);
rejects!(
    unrecognized_ssh_extra,
    "git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api/extra",
    UnrecognizedPath
);

// ---------------------------------------------------------------------------------------------
// Derived URLs
// ---------------------------------------------------------------------------------------------

macro_rules! derives {
    (
        $name:ident, $input:expr,
        api: $api:expr, web: $web:expr, https: $https:expr, ssh: $ssh:expr $(,)?
    ) => {
        #[test]
        fn $name() {
            let url = RepoUrl::parse($input).unwrap();
            assert_eq!(url.api_url(), $api, "api URL of {:?}", $input);
            assert_eq!(url.web_url(), $web, "web URL of {:?}", $input);
            assert_eq!(
                url.https_clone_url().as_deref(),
                $https,
                "HTTPS clone URL of {:?}",
                $input
            );
            assert_eq!(
                url.ssh_clone_url().as_deref(),
                $ssh,
                "SSH clone URL of {:?}",
                $input
            );
        }
    };
}

derives!(derive_services, "fabrikam@vs-ssh.visualstudio.com:v3/fabrikam/Fiber/fiber-api.git",
    api: "https://dev.azure.com/fabrikam",
    web: "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    https: Some("https://dev.azure.com/fabrikam/Fiber/_git/fiber-api"),
    ssh: Some("git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api"));
derives!(derive_services_encoding, "https://dev.azure.com/fabrikam/Fiber Project/_git/dépôt%20%231%3F",
    api: "https://dev.azure.com/fabrikam",
    web: "https://dev.azure.com/fabrikam/Fiber%20Project/_git/d%C3%A9p%C3%B4t%20%231%3F",
    https: Some("https://dev.azure.com/fabrikam/Fiber%20Project/_git/d%C3%A9p%C3%B4t%20%231%3F"),
    ssh: Some("git@ssh.dev.azure.com:v3/fabrikam/Fiber%20Project/d%C3%A9p%C3%B4t%20%231%3F"));
derives!(derive_services_short_form, "https://fabrikam.visualstudio.com/_git/Fiber",
    api: "https://dev.azure.com/fabrikam",
    web: "https://dev.azure.com/fabrikam/Fiber/_git/Fiber",
    https: Some("https://dev.azure.com/fabrikam/Fiber/_git/Fiber"),
    ssh: Some("git@ssh.dev.azure.com:v3/fabrikam/Fiber/Fiber"));
derives!(derive_services_project_only, "https://dev.azure.com/fabrikam/Fiber/_build?definitionId=3",
    api: "https://dev.azure.com/fabrikam",
    web: "https://dev.azure.com/fabrikam/Fiber",
    https: None, ssh: None);
derives!(derive_services_org_only, "https://fabrikam.visualstudio.com/",
    api: "https://dev.azure.com/fabrikam",
    web: "https://dev.azure.com/fabrikam",
    https: None, ssh: None);
derives!(derive_server, "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api/pullrequest/3",
    api: "http://tfs.example.com:8080/tfs/DefaultCollection",
    web: "http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api",
    https: Some("http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api"),
    ssh: Some("ssh://tfs.example.com:22/tfs/DefaultCollection/Fiber/_git/fiber-api"));
derives!(derive_server_no_vdir_encoded, "https://devops.example.com/Main%20Collection/Fiber%20Project/_git/r%C3%A9po",
    api: "https://devops.example.com/Main%20Collection",
    web: "https://devops.example.com/Main%20Collection/Fiber%20Project/_git/r%C3%A9po",
    https: Some("https://devops.example.com/Main%20Collection/Fiber%20Project/_git/r%C3%A9po"),
    ssh: Some("ssh://devops.example.com:22/Main%20Collection/Fiber%20Project/_git/r%C3%A9po"));
derives!(derive_server_collection_only, "http://tfs.example.com:8080/tfs/DefaultCollection",
    api: "http://tfs.example.com:8080/tfs/DefaultCollection",
    web: "http://tfs.example.com:8080/tfs/DefaultCollection",
    https: None, ssh: None);

#[test]
fn repository_named_dot_git_keeps_its_suffix() {
    let url = RepoUrl::parse("https://dev.azure.com/fabrikam/Fiber/_git/tools%2Egit").unwrap();
    assert_eq!(
        url.repository(),
        Some("tools.git"),
        "an encoded dot is part of the name"
    );
    let clone = url.https_clone_url().unwrap();
    assert_eq!(
        clone,
        "https://dev.azure.com/fabrikam/Fiber/_git/tools%2Egit"
    );
    assert_eq!(
        RepoUrl::parse(&clone).unwrap().repository(),
        Some("tools.git")
    );
}

// ---------------------------------------------------------------------------------------------
// Summary (CLI contract) and description
// ---------------------------------------------------------------------------------------------

const CONTRACT_KEYS: [&str; 9] = [
    "deployment",
    "organization",
    "collection",
    "serverUrl",
    "project",
    "repository",
    "branch",
    "path",
    "pullRequestId",
];

fn contract(input: &str) -> serde_json::Value {
    let value = serde_json::to_value(RepoUrl::parse(input).unwrap().summary()).unwrap();
    let object = value.as_object().expect("the summary is a JSON object");
    let picked: serde_json::Map<String, serde_json::Value> = CONTRACT_KEYS
        .iter()
        .map(|k| {
            let v = object
                .get(*k)
                .unwrap_or_else(|| panic!("summary lacks {k:?}: {value}"));
            (k.to_string(), v.clone())
        })
        .collect();
    serde_json::Value::Object(picked)
}

#[test]
fn summary_services_pull_request() {
    assert_eq!(
        contract("https://dev.azure.com/fabrikam/Fiber%20Project/_git/fiber-api/pullrequest/12"),
        serde_json::json!({
            "deployment": "services",
            "organization": "fabrikam",
            "collection": null,
            "serverUrl": null,
            "project": "Fiber Project",
            "repository": "fiber-api",
            "branch": null,
            "path": null,
            "pullRequestId": 12
        })
    );
}

#[test]
fn summary_server_browse() {
    assert_eq!(
        contract("http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api?path=%2Fsrc&version=GBmain"),
        serde_json::json!({
            "deployment": "server",
            "organization": null,
            "collection": "DefaultCollection",
            "serverUrl": "http://tfs.example.com:8080/tfs",
            "project": "Fiber",
            "repository": "fiber-api",
            "branch": "main",
            "path": "/src",
            "pullRequestId": null
        })
    );
}

#[test]
fn summary_org_only_has_nulls() {
    assert_eq!(
        contract("https://dev.azure.com/fabrikam"),
        serde_json::json!({
            "deployment": "services",
            "organization": "fabrikam",
            "collection": null,
            "serverUrl": null,
            "project": null,
            "repository": null,
            "branch": null,
            "path": null,
            "pullRequestId": null
        })
    );
}

#[test]
fn summary_extras_for_ambiguous_server() {
    let value = serde_json::to_value(
        RepoUrl::parse("https://host.example.com/tfs/Coll")
            .unwrap()
            .summary(),
    )
    .unwrap();
    assert_eq!(value["ambiguous"], true);
    assert_eq!(value["apiUrl"], "https://host.example.com/tfs/Coll");
    assert_eq!(
        value["candidates"],
        serde_json::json!([
            {"deployment": "server", "organization": null, "serverUrl": "https://host.example.com/tfs",
             "collection": "Coll", "project": null, "collectionUrl": "https://host.example.com/tfs/Coll"},
            {"deployment": "server", "organization": null, "serverUrl": "https://host.example.com",
             "collection": "tfs", "project": "Coll", "collectionUrl": "https://host.example.com/tfs"},
        ])
    );
}

#[test]
fn describes_in_one_line() {
    let d = |s: &str| RepoUrl::parse(s).unwrap().describe();
    assert_eq!(
        d("https://dev.azure.com/fabrikam/Fiber/_git/fiber-api"),
        "Azure DevOps Services · organization fabrikam · project Fiber · repository fiber-api"
    );
    assert_eq!(
        d("http://host:8080/tfs/DefaultCollection/Fiber/_git/fiber-api?version=GBmain"),
        "Azure DevOps Server · http://host:8080/tfs · collection DefaultCollection · project Fiber · \
         repository fiber-api · branch main"
    );
    assert_eq!(
        d("https://host.example.com/x/y"),
        "Azure DevOps Server · https://host.example.com · collection x · project y \
         (ambiguous: 2 possible readings, most likely shown)"
    );
    assert_eq!(
        RepoUrl::parse("https://dev.azure.com/fabrikam")
            .unwrap()
            .to_string(),
        "Azure DevOps Services · organization fabrikam"
    );
}

// ---------------------------------------------------------------------------------------------
// Error values
// ---------------------------------------------------------------------------------------------

#[test]
fn passwords_never_come_back() {
    for input in [
        "https://jane:hunter2@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
        "https://jane:hunter2@devops.example.com/tfs/DefaultCollection/Fiber/_git/fiber-api",
        "ssh://jane:hunter2@tfs.example.com:22/tfs/DefaultCollection/Fiber/_git/fiber-api",
        "jane:hunter2@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
        "https://:hunter2@dev.azure.com/fabrikam/Fiber/_git/fiber-api",
    ] {
        let url = RepoUrl::parse(input).unwrap();
        let shown = format!(
            "{url:?} {url} {}",
            serde_json::to_string(&url.summary()).unwrap()
        );
        assert!(
            !shown.contains("hunter2"),
            "{input:?} leaked its password: {shown}"
        );
    }
    for input in [
        "https://jane:hunter2@dev.azure.com/fabrikam/Fiber/fiber-api",
        "https://jane:hunter2@github.com/o/r",
        "https://jane:hunter2@/nohost",
        "jane:hunter2@dev.azure.com/fab_rikam",
        "https://jane:hun@ter2@dev.azure.com/o/p/_git",
    ] {
        let err = RepoUrl::parse(input).unwrap_err();
        let shown = format!("{err} {err:?} {}", err.input());
        assert!(
            !shown.contains("hunter2") && !shown.contains("ter2"),
            "{input:?} leaked its password: {shown}"
        );
        assert!(
            err.input().contains("jane:***@"),
            "the user stays, to recognize the input: {}",
            err.input()
        );
    }
}

#[test]
fn huge_input_is_shortened_in_the_error() {
    let input = format!(
        "https://dev.azure.com/{}/Fiber/_git/fiber-api",
        "x".repeat(1_000_000)
    );
    let err = RepoUrl::parse(&input).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            InvalidName { part: NamePart::Organization, name, .. } if name.chars().count() <= 81
        ),
        "a 1 MB organization is too long, and is shortened in the kind too: {:?}",
        err.kind()
    );
    assert!(
        err.input().chars().count() <= 201,
        "input kept whole: {} chars",
        err.input().len()
    );
    assert!(err.input().ends_with('…'));
    assert!(
        err.to_string().len() < 1_000,
        "message too long: {}",
        err.to_string().len()
    );
}

#[test]
fn messages_name_the_part_and_what_to_paste() {
    let msg = |s: &str| RepoUrl::parse(s).unwrap_err().to_string();
    let m = msg("https://dev.azure.com/fabrikam/Fiber/_git");
    assert!(m.contains("missing repository name after _git"), "{m}");
    assert!(
        m.contains("https://dev.azure.com/fabrikam/Fiber/_git/fiber-api"),
        "says what to paste: {m}"
    );
    let m = msg("https://github.com/fabrikam/fiber-api");
    assert!(m.contains("this is a GitHub URL"), "{m}");
    let m = msg("fabrikam");
    assert!(
        m.contains("https://dev.azure.com/fabrikam"),
        "offers the organization URL: {m}"
    );
    let m = msg("jane@contoso.com");
    assert!(m.contains("email address"), "{m}");
    let m = msg("hello world");
    assert!(m.contains("not a URL"), "{m}");
    let m = msg("https://dev.azure.com/fab_rikam");
    assert!(
        m.contains("organization name \"fab_rikam\""),
        "names the part and the name: {m}"
    );
    let m = msg("http://tfs:8080/tfs");
    assert!(
        m.contains("collection is missing") && m.contains("DefaultCollection"),
        "{m}"
    );
    let m = msg("https://dev.azure.com/o/p/_git/r/pullrequest/abc");
    assert!(m.contains("pull request id \"abc\""), "{m}");
    let m = msg("https://example.com");
    assert!(
        m.contains("example.com does not look like Azure DevOps"),
        "{m}"
    );
    let m = msg("git://example.com/r.git");
    assert!(m.contains("git: URLs"), "{m}");
}

#[test]
fn parse_is_from_str() {
    let url: RepoUrl = "https://dev.azure.com/fabrikam".parse().unwrap();
    assert_eq!(url.organization(), Some("fabrikam"));
}
