//! The public parsers' test URLs (ado-api.md §6); where our answer differs, the row's comment says why.

use ado_core::repo_url::Deployment::{Server, Services};
use ado_core::repo_url::LooksLike;
use ado_core::repo_url::RepoUrl;
use ado_core::repo_url::RepoUrlErrorKind::*;

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
