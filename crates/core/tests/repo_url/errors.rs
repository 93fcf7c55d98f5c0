//! Error values: no password comes back, long input is shortened, messages name the part.

use ado_core::repo_url::NamePart;
use ado_core::repo_url::RepoUrl;
use ado_core::repo_url::RepoUrlErrorKind::*;

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
