//! Server: HTTP(S) and SSH, virtual directories and the ambiguity they bring.

use ado_core::repo_url::Deployment::Server;
use ado_core::repo_url::RepoUrl;

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
