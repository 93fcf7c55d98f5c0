//! Building URLs from names: collection (API) URL, web URL, HTTPS and SSH clone URLs, with each
//! name percent-encoded so that the URL parses back to the same names.

use super::{Candidate, Endpoint};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// What must be escaped inside one path segment: everything URL syntax or WHATWG parsing would
/// otherwise reinterpret (`/ ? # %`, `\` which http treats as `/`, spaces and quotes), plus the
/// characters Azure DevOps itself escapes. Non-ASCII is always encoded as UTF-8.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// One encoded path segment.
pub(super) fn segment(name: &str) -> String {
    utf8_percent_encode(name, SEGMENT).to_string()
}

/// A repository segment: like [`segment`], and a name that itself ends in `.git` gets its dot
/// encoded (`foo%2Egit`) so that the parser, which drops a literal `.git` suffix, keeps it.
fn repository_segment(name: &str) -> String {
    let encoded = segment(name);
    let cut = encoded.len().saturating_sub(4);
    if encoded.len() > 4
        && encoded.is_char_boundary(cut)
        && encoded[cut..].eq_ignore_ascii_case(".git")
    {
        format!("{}%2E{}", &encoded[..cut], &encoded[cut + 1..])
    } else {
        encoded
    }
}

/// `{scheme}://{host}[:{port}][/{vdir}]`, no trailing slash.
pub(super) fn server_url(scheme: &str, host: &str, port: Option<u16>, vdir: &[String]) -> String {
    let mut url = format!("{scheme}://{host}");
    if let Some(port) = port {
        url.push_str(&format!(":{port}"));
    }
    for dir in vdir {
        url.push('/');
        url.push_str(&segment(dir));
    }
    url
}

/// `https://dev.azure.com/{org}` or `{server URL}/{collection}`.
pub(super) fn collection_url(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Services { organization } => {
            format!("https://dev.azure.com/{}", segment(organization))
        }
        Endpoint::Server {
            server_url,
            collection,
            ..
        } => format!("{server_url}/{}", segment(collection)),
    }
}

/// The repository page when a repository is known (which is also the HTTPS clone URL), else the
/// project page, else the organization or collection page.
pub(super) fn web_url(candidate: &Candidate, repository: Option<&str>) -> String {
    let mut url = collection_url(&candidate.endpoint);
    // The short form leaves the project out; the full form always works, so derive that.
    let project = candidate.project.as_deref().or(repository);
    if let Some(project) = project {
        url.push('/');
        url.push_str(&segment(project));
        if let Some(repository) = repository {
            url.push_str("/_git/");
            url.push_str(&repository_segment(repository));
        }
    }
    url
}

/// `git@ssh.dev.azure.com:v3/{org}/{project}/{repo}` or
/// `ssh://{host}:{port}[/{vdir}]/{collection}/{project}/_git/{repo}`.
pub(super) fn ssh_clone_url(candidate: &Candidate, repository: &str) -> String {
    let project = segment(candidate.project.as_deref().unwrap_or(repository));
    let repo = repository_segment(repository);
    match &candidate.endpoint {
        Endpoint::Services { organization } => {
            format!(
                "git@ssh.dev.azure.com:v3/{}/{project}/{repo}",
                segment(organization)
            )
        }
        Endpoint::Server {
            host,
            vdir,
            collection,
            ssh_port,
            ..
        } => {
            let mut url = format!("ssh://{host}:{ssh_port}");
            for dir in vdir {
                url.push('/');
                url.push_str(&segment(dir));
            }
            url.push_str(&format!("/{}/{project}/_git/{repo}", segment(collection)));
            url
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_would_change_the_path() {
        assert_eq!(segment("My Project"), "My%20Project");
        assert_eq!(segment("a#b?c%d/e"), "a%23b%3Fc%25d%2Fe");
        assert_eq!(segment("é"), "%C3%A9");
        assert_eq!(
            segment("a+b=c&d"),
            "a+b=c&d",
            "sub-delimiters are fine in a path"
        );
    }

    #[test]
    fn keeps_a_git_suffix_that_is_part_of_the_name() {
        assert_eq!(repository_segment("tools.git"), "tools%2Egit");
        assert_eq!(repository_segment("tools"), "tools");
        assert_eq!(
            repository_segment(".git"),
            ".git",
            "too short to be a suffix"
        );
    }
}
