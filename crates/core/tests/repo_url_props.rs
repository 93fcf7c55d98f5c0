//! Property tests for `ado_core::repo_url`:
//! - round trips: URLs derived from any organization/project/repository names (spaces, Unicode,
//!   `%`, `#`, `?`, …) parse back to the same names, on Services and on Server;
//! - robustness: no input panics or takes long (arbitrary text, control characters, odd Unicode,
//!   URL-shaped noise, 1 MB inputs, thousands of slashes); passwords never come back.
//!
//! Kept small enough to run in a few seconds in a debug build.

use ado_core::repo_url::{Deployment, NamePart, RepoUrl, RepoUrlErrorKind};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// Characters names are built from: plain, URL-special, spaces, non-ASCII (accents, CJK,
/// right-to-left, emoji, combining marks, non-breaking and zero-width spaces).
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        1 => proptest::char::range('A', 'Z'),
        1 => proptest::char::range('0', '9'),
        3 => prop::sample::select(vec![
            ' ', '%', '#', '?', '.', '-', '_', '+', '&', '=', '@', ':', ';', ',', '!', '$', '\'', '(',
            ')', '*', '~', '[', ']', '{', '}', '<', '>', '"', '`', '^', '|',
        ]),
        2 => prop::sample::select(vec![
            'é', 'ü', 'ß', '项', '目', 'ש', 'ل', '🚀', '\u{301}', '\u{A0}', '\u{200B}', 'Ω', 'ﬁ',
        ]),
    ]
}

/// A project or repository name Azure DevOps can have: no slash, backslash or control character,
/// not only dots, not starting with `_` (those segments are hubs such as `_git`).
fn item_name() -> impl Strategy<Value = String> {
    proptest::collection::vec(name_char(), 1..16)
        .prop_map(String::from_iter)
        .prop_filter("not a hub segment, not a dot segment", |s| {
            !s.starts_with('_') && !s.chars().all(|c| c == '.')
        })
}

fn organization_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?"
}

/// Collection names exclude the characters collections cannot have, and `tfs`, which the parser
/// reads as the virtual directory when it comes first.
fn collection_name() -> impl Strategy<Value = String> {
    item_name().prop_filter("a valid collection name", |s| {
        !s.contains([
            '\\', '/', ':', '*', '?', '"', '<', '>', '|', ';', '#', '$', '{', '}', ',', '+', '=',
            '[', ']', '%', '&',
        ]) && !s.eq_ignore_ascii_case("tfs")
    })
}

/// `DefaultCollection` is reserved: no project or virtual directory has that name.
fn not_reserved(name: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    name.prop_filter("reserved name", |s| {
        !s.eq_ignore_ascii_case("DefaultCollection")
    })
}

fn parse(url: &str) -> RepoUrl {
    RepoUrl::parse(url).unwrap_or_else(|e| panic!("derived URL {url:?} does not parse: {e}"))
}

fn fields(url: &RepoUrl) -> (Option<&str>, Option<&str>, Option<&str>) {
    (url.organization(), url.project(), url.repository())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 192,
        // Shrunk failures are printed; no regression files next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn services_derived_urls_parse_back(
        org in organization_name(),
        project in item_name(),
        repo in item_name(),
    ) {
        let input = format!(
            "https://dev.azure.com/{}/{}/_git/{}",
            utf8_percent_encode(&org, NON_ALPHANUMERIC),
            utf8_percent_encode(&project, NON_ALPHANUMERIC),
            utf8_percent_encode(&repo, NON_ALPHANUMERIC),
        );
        let url = parse(&input);
        let want = (Some(org.as_str()), Some(project.as_str()), Some(repo.as_str()));
        prop_assert_eq!(fields(&url), want, "parsing {}", input);

        let derived_urls = [url.https_clone_url().unwrap(), url.ssh_clone_url().unwrap(), url.web_url()];
        for derived in derived_urls {
            let back = parse(&derived);
            prop_assert_eq!(back.deployment(), Deployment::Services);
            prop_assert_eq!(fields(&back), want, "derived {}", derived);
            prop_assert!(!back.is_ambiguous());
        }
        let org_only = parse(&url.api_url());
        prop_assert_eq!(fields(&org_only), (Some(org.as_str()), None, None), "api URL {}", url.api_url());
    }

    #[test]
    fn server_derived_urls_parse_back(
        scheme in prop::sample::select(vec!["http", "https"]),
        host in prop::sample::select(vec!["tfs.example.com", "localhost", "10.1.2.3", "DevOps.Example.co.uk"]),
        port in prop::option::of(prop::sample::select(vec![8080u16, 8443, 81])),
        vdir in prop::option::of(prop_oneof![Just("tfs".to_string()), not_reserved(collection_name())]),
        collection in collection_name(),
        project in not_reserved(item_name()),
        repo in item_name(),
    ) {
        let authority = match port { Some(p) => format!("{host}:{p}"), None => host.to_string() };
        let vdir_path = vdir.as_ref().map(|v| format!("/{}", utf8_percent_encode(v, NON_ALPHANUMERIC))).unwrap_or_default();
        let input = format!(
            "{scheme}://{authority}{vdir_path}/{}/{}/_git/{}",
            utf8_percent_encode(&collection, NON_ALPHANUMERIC),
            utf8_percent_encode(&project, NON_ALPHANUMERIC),
            utf8_percent_encode(&repo, NON_ALPHANUMERIC),
        );
        let url = parse(&input);
        let origin = format!("{scheme}://{}", authority.to_ascii_lowercase());
        let reading = |u: &RepoUrl| (
            u.deployment(),
            u.candidates()[0].virtual_directory(),
            u.collection().map(str::to_string),
            u.project().map(str::to_string),
            u.repository().map(str::to_string),
        );
        let want = (
            Deployment::Server,
            vdir.clone(),
            Some(collection.clone()),
            Some(project.clone()),
            Some(repo.clone()),
        );
        prop_assert_eq!(reading(&url), want.clone(), "parsing {}", input);
        prop_assert!(url.server_url().unwrap().starts_with(&origin), "server URL {:?} for {}", url.server_url(), input);

        // The clone and web URLs name the repository, so the reading they give first is ours.
        for derived in [url.https_clone_url().unwrap(), url.web_url()] {
            let back = parse(&derived);
            prop_assert_eq!(reading(&back), want.clone(), "derived {}", derived);
            prop_assert_eq!(back.server_url(), url.server_url(), "derived {}", derived);
        }
        // A collection URL alone can be ambiguous (`/vdir/collection` vs `/collection/project`):
        // our reading must be among the candidates, with the same collection URL.
        let api = url.api_url();
        let back = parse(&api);
        prop_assert!(
            back.candidates().iter().any(|c| c.collection_url() == api
                && c.collection() == Some(collection.as_str())
                && c.project().is_none()),
            "collection URL {} gives {:?}", api, back.candidates()
        );
        // SSH does not tell the web binding; the names and the SSH URL itself come back.
        let ssh = url.ssh_clone_url().unwrap();
        let back = parse(&ssh);
        prop_assert_eq!(
            (back.collection(), back.project(), back.repository()),
            (Some(collection.as_str()), Some(project.as_str()), Some(repo.as_str())),
            "derived {}", ssh
        );
        prop_assert_eq!(back.ssh_clone_url(), Some(ssh.clone()));
    }

    #[test]
    fn any_organization_string_parses_to_itself_or_is_rejected_as_an_organization(org in ".{1,60}") {
        let input = format!("https://dev.azure.com/{}", utf8_percent_encode(&org, NON_ALPHANUMERIC));
        match RepoUrl::parse(&input) {
            Ok(url) => prop_assert_eq!(url.organization(), Some(org.as_str())),
            Err(e) => prop_assert!(
                matches!(e.kind(), RepoUrlErrorKind::InvalidName { part: NamePart::Organization, .. })
                    // `.` and `..` are path steps that URL parsing removes before we see them.
                    || (matches!(e.kind(), RepoUrlErrorKind::MissingOrganization) && (org == "." || org == "..")),
                "{} gave {:?}", input, e.kind()
            ),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(chars in proptest::collection::vec(any::<char>(), 0..300)) {
        exercise(&String::from_iter(chars));
    }

    #[test]
    fn url_shaped_noise_never_panics(parts in proptest::collection::vec(url_piece(), 0..24)) {
        exercise(&parts.concat());
    }
}

fn url_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "https://",
            "http://",
            "ssh://",
            "git@",
            "git+ssh://",
            "dev.azure.com",
            "ssh.dev.azure.com",
            "vs-ssh.visualstudio.com",
            ".visualstudio.com",
            "fabrikam",
            "tfs",
            "DefaultCollection",
            "_git",
            "_optimized",
            "_full",
            "_ssh",
            "_build",
            "_apis",
            "pullrequest",
            "commit",
            "v3",
            "/",
            "//",
            ":",
            ":22",
            ":8080",
            "@",
            "user:pw@",
            "?",
            "#",
            "&",
            "=",
            "path=",
            "version=GB",
            "version=GC",
            "%",
            "%2F",
            "%20",
            "%FF",
            "%C3%A9",
            "%2e%2e",
            "..",
            ".",
            ".git",
            " ",
            "\t",
            "\n",
            "\u{0}",
            "\u{7F}",
            "\u{202E}",
            "\u{FEFF}",
            "é",
            "🚀",
            "\"",
            "'",
            "<",
            ">",
            "[",
            "]",
            "[::1]",
            "\\",
            "github.com",
            "mailto:",
            "file:",
            "git clone ",
            "-",
            "0",
            "12",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z0-9._~-]{1,8}",
    ]
}

/// Parses, and on success uses every derived value; on failure formats the error. Checks that
/// no password from the input shows, and that Services clone URLs parse back.
fn exercise(input: &str) {
    match RepoUrl::parse(input) {
        Ok(url) => {
            assert!(!url.candidates().is_empty());
            let summary = serde_json::to_string(&url.summary()).unwrap();
            let _ = (
                url.describe(),
                url.api_url(),
                url.web_url(),
                format!("{url:?}"),
            );
            for c in url.candidates() {
                let _ = (c.collection_url(), c.virtual_directory());
            }
            if url.deployment() == Deployment::Services {
                if let Some(clone) = url.https_clone_url() {
                    let back = RepoUrl::parse(&clone)
                        .unwrap_or_else(|e| panic!("{input:?} → {clone:?} does not parse: {e}"));
                    assert_eq!(fields(&back), fields(&url), "{input:?} → {clone:?}");
                }
                if let Some(ssh) = url.ssh_clone_url() {
                    let back = RepoUrl::parse(&ssh)
                        .unwrap_or_else(|e| panic!("{input:?} → {ssh:?} does not parse: {e}"));
                    assert_eq!(fields(&back), fields(&url), "{input:?} → {ssh:?}");
                }
            }
            assert!(!summary.contains("pw@"), "{input:?}: {summary}");
        }
        Err(e) => {
            let shown = format!("{e} {e:?}");
            assert!(
                shown.len() < 4_000,
                "error message of {} bytes",
                shown.len()
            );
            if input.contains("user:pw@") {
                assert!(
                    !e.input().contains(":pw@"),
                    "{input:?} leaked the password: {}",
                    e.input()
                );
            }
        }
    }
}

fn within(limit: Duration, input: &str) {
    let start = Instant::now();
    exercise(input);
    let took = start.elapsed();
    assert!(took < limit, "{} bytes took {took:?}", input.len());
}

/// A guard against quadratic work, not a speed target: a 1 MiB input parsed in quadratic time
/// takes minutes, linear time well under a second even in a debug build, so the bound is wide
/// enough that a machine busy with other builds never trips it.
#[test]
fn huge_inputs_are_quick() {
    let limit = Duration::from_secs(15);
    let mb = 1 << 20;
    within(limit, &"a".repeat(mb));
    within(limit, &"/".repeat(mb));
    within(limit, &format!("https://dev.azure.com{}", "/".repeat(mb)));
    within(
        limit,
        &format!(
            "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api{}",
            "/x".repeat(mb / 2)
        ),
    );
    within(
        limit,
        &format!("https://host.example.com/{}_git/r", "a/".repeat(mb / 2)),
    );
    within(
        limit,
        &format!("https://host.example.com/{}", "a/".repeat(mb / 2)),
    );
    within(
        limit,
        &format!("git@ssh.dev.azure.com:v3/{}", "%".repeat(mb)),
    );
    within(
        limit,
        &format!(
            "https://dev.azure.com/o/p/_git/r?{}",
            "path=x&".repeat(mb / 8)
        ),
    );
    within(
        limit,
        &format!(
            "{}https://dev.azure.com/o{}",
            "\"".repeat(mb / 2),
            "\"".repeat(mb / 2)
        ),
    );
    within(limit, &format!("{}https://dev.azure.com/o", " ".repeat(mb)));
    within(limit, &"é".repeat(mb / 2));
    within(limit, &"\u{0}".repeat(mb));
    within(limit, &"user:pw@".repeat(mb / 8));
    within(
        limit,
        &format!("https://dev.azure.com/{}", "%C3%A9".repeat(mb / 6)),
    );
}
