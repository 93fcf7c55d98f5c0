//! Services: HTTPS forms, legacy `visualstudio.com`, SSH and links (browse, pull request, hubs).

use ado_core::repo_url::Deployment::Services;

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
