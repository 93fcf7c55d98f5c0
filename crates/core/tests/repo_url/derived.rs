//! Derived URLs: the API, web and clone URLs of a parse.

use ado_core::repo_url::RepoUrl;

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
