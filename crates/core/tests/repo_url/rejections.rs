//! Rejections, one or more per error kind.

use ado_core::repo_url::LooksLike;
use ado_core::repo_url::NamePart;
use ado_core::repo_url::NameProblem;
use ado_core::repo_url::RepoUrlErrorKind::*;

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
