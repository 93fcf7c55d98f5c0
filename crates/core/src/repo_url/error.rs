//! Why a pasted text is not a usable Azure DevOps URL: the input (password removed, shortened
//! when huge) plus a kind that says what is wrong and what to paste instead.

use std::borrow::Cow;

/// Inputs longer than this many characters are shortened (with `…`) inside the error.
const MAX_INPUT_CHARS: usize = 200;
/// Names longer than this many characters are shortened inside [`RepoUrlErrorKind::InvalidName`].
const MAX_NAME_CHARS: usize = 80;

/// The example shown when telling users what to paste.
const EXAMPLE: &str = "https://dev.azure.com/fabrikam/Fiber/_git/fiber-api";

/// A pasted text that is not a usable Azure DevOps URL.
///
/// Carries the input, without any password from its userinfo and shortened when huge, and the
/// [`RepoUrlErrorKind`]. `Display` names the problem and what to paste instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a usable Azure DevOps URL: {kind}")]
pub struct RepoUrlError {
    input: String,
    kind: RepoUrlErrorKind,
}

impl RepoUrlError {
    pub(super) fn new(input: &str, kind: RepoUrlErrorKind) -> Self {
        RepoUrlError {
            input: shorten(&redact_password(input), MAX_INPUT_CHARS),
            kind,
        }
    }

    /// The input as pasted, with any `user:password@` password replaced by `***` and cut to about
    /// 200 characters (ending in `…`) when longer.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong.
    pub fn kind(&self) -> &RepoUrlErrorKind {
        &self.kind
    }
}

/// What is wrong with a pasted text. Each variant's `Display` says what to paste instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RepoUrlErrorKind {
    /// Nothing but whitespace or quotes: `""`, `"  "`, `"<>"`.
    #[error("it is empty; paste the repository's address from the browser or the Clone dialog, e.g. {EXAMPLE}")]
    Empty,

    /// Free text that is no URL at all: `"hello world"`, `"C:\\src\\repo"`, `"javascript:alert(1)"`.
    #[error("this is not a URL; paste the whole address starting with https://, e.g. {EXAMPLE}")]
    NotAUrl,

    /// A path with no host in front: `"fabrikam/Fiber/_git/fiber-api"`, `"/tfs/Coll/P/_git/R"`.
    #[error(
        "the host is missing; paste the whole address including https://dev.azure.com/ or your \
         server's name, e.g. {EXAMPLE}"
    )]
    MissingHost,

    /// An email address: `"jane@contoso.com"`, `"mailto:jane@contoso.com"`.
    #[error(
        "this is an email address, not a URL; paste the repository's address instead, e.g. {EXAMPLE} \
         (or https://your-server/tfs/DefaultCollection/… for Azure DevOps Server)"
    )]
    EmailAddress,

    /// A single word that could be an organization name: `"fabrikam"`.
    #[error(
        "{name:?} is a bare name, not a URL; if it is your organization, paste \
         https://dev.azure.com/{name} or a repository URL like https://dev.azure.com/{name}/{{project}}/_git/{{repository}}"
    )]
    BareName {
        /// The word, which has the shape of an organization name.
        name: String,
    },

    /// A URL scheme Azure DevOps does not serve: `"git://host/repo"`, `"ftp://…"`, `"file:///…"`.
    #[error(
        "Azure DevOps does not serve {scheme}: URLs; paste the HTTPS or SSH URL from the Clone dialog, \
         e.g. {EXAMPLE} or git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api"
    )]
    UnsupportedScheme {
        /// The scheme as typed, lower-cased, without `:`.
        scheme: String,
    },

    /// A URL of some other site: `"https://github.com/o/r"`, `"https://example.com"`.
    #[error("{looks_like}")]
    NotAzureDevOps {
        /// What it looks like instead.
        looks_like: LooksLike,
    },

    /// An Azure DevOps Services URL that does not name the organization: `"https://dev.azure.com"`,
    /// `"https://visualstudio.com"`, `"https://dev.azure.com/_apis/projects"`.
    #[error(
        "the organization is missing; Azure DevOps Services URLs name it right after dev.azure.com/ \
         (or before .visualstudio.com); paste e.g. https://dev.azure.com/fabrikam or {EXAMPLE}"
    )]
    MissingOrganization,

    /// An Azure DevOps Server URL that does not name a collection: `"http://tfs:8080/tfs"`,
    /// `"http://tfs:8080/_git/repo"`.
    #[error(
        "the collection is missing; Azure DevOps Server URLs name a collection after the server \
         address and its virtual directory (usually /tfs); paste e.g. \
         http://server:8080/tfs/DefaultCollection or a repository's clone URL"
    )]
    MissingCollection,

    /// A repository named without the `_git` segment in front: `"https://dev.azure.com/o/p/r"`.
    #[error(
        "the repository needs /_git/ before its name; paste the URL from the Clone dialog, \
         e.g. {EXAMPLE}"
    )]
    MissingGitSegment,

    /// `_git` with nothing usable after it: `"https://dev.azure.com/o/p/_git"`, `"…/_git/_optimized/"`.
    #[error(
        "missing repository name after _git; paste the repository's full URL, \
         e.g. {EXAMPLE}"
    )]
    MissingRepositoryAfterGit,

    /// A pull request link whose id is not a positive number: `"…/_git/r/pullrequest/abc"`.
    #[error(
        "the pull request id {found:?} is not a number; a pull request link ends in \
         /pullrequest/{{number}}, e.g. {EXAMPLE}/pullrequest/12"
    )]
    BadPullRequestId {
        /// The text found where the number should be (shortened when huge).
        found: String,
    },

    /// A name Azure DevOps cannot have: `"https://dev.azure.com/fab_rikam"` (organization),
    /// `"…/_git/a%2Fb"` (a slash inside the repository name), `"…/_git/%FF"` (not UTF-8).
    #[error("the {part} name {name:?} {problem}; check the {part} part of the URL, or paste it again from Azure DevOps")]
    InvalidName {
        /// Which part of the URL.
        part: NamePart,
        /// The offending name, decoded as far as possible (shortened when huge).
        name: String,
        /// Why it cannot be an Azure DevOps name.
        problem: NameProblem,
    },

    /// More path segments than Azure DevOps uses in that position:
    /// `"https://dev.azure.com/o/a/b/c/_git/r"`, `"git@ssh.dev.azure.com:v3/o/p/r/x"`.
    #[error(
        "the path has more parts than an Azure DevOps URL has there; paste the repository's URL \
         from the Clone dialog, e.g. {EXAMPLE} or git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api"
    )]
    UnrecognizedPath,
}

/// What a non-Azure DevOps URL looks like instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LooksLike {
    /// `https://github.com/o/r`, `git@github.com:o/r.git`, `https://github.example.com/o/r.git`.
    #[error("this is a GitHub URL, not Azure DevOps; paste the address of an Azure DevOps repository instead, e.g. {EXAMPLE}")]
    GitHub,
    /// `https://gitlab.com/g/p`, `https://git.example.com/g/p/-/tree/main`.
    #[error("this is a GitLab URL, not Azure DevOps; paste the address of an Azure DevOps repository instead, e.g. {EXAMPLE}")]
    GitLab,
    /// `https://bitbucket.org/w/r`, `https://git.example.com/scm/p/r.git`.
    #[error("this is a Bitbucket URL, not Azure DevOps; paste the address of an Azure DevOps repository instead, e.g. {EXAMPLE}")]
    Bitbucket,
    /// A host that does not serve Azure DevOps (`https://example.com`, `https://portal.azure.com`),
    /// or a Git URL without Azure DevOps' `/_git/` (`https://git.example.com/o/r.git`).
    #[error(
        "{host} does not look like Azure DevOps; paste a URL from dev.azure.com or \
         {{organization}}.visualstudio.com, or for Azure DevOps Server one that names the \
         collection, e.g. https://{{server}}/tfs/DefaultCollection/{{project}}/_git/{{repository}}"
    )]
    OtherHost {
        /// The host name, lower-cased.
        host: String,
    },
}

/// The part of a URL a name was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NamePart {
    /// The Services organization.
    Organization,
    /// A Server virtual-directory segment.
    VirtualDirectory,
    /// The Server collection.
    Collection,
    /// The project.
    Project,
    /// The team segment of a web link.
    Team,
    /// The repository.
    Repository,
}

impl std::fmt::Display for NamePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NamePart::Organization => "organization",
            NamePart::VirtualDirectory => "virtual directory",
            NamePart::Collection => "collection",
            NamePart::Project => "project",
            NamePart::Team => "team",
            NamePart::Repository => "repository",
        })
    }
}

/// Why a name cannot be an Azure DevOps name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum NameProblem {
    /// Organizations: `fab_rikam`, `-fabrikam`, `fäbrikam`, or more than 50 characters.
    #[error("is not an organization name (1 to 50 English letters, digits and hyphens, starting and ending with a letter or digit)")]
    NotAnOrganizationName,
    /// Collections: one of `\ / : * ? " < > | ; # $ { } , + = [ ] % &`, or more than 64 characters.
    #[error("is not a collection name (at most 64 characters, none of \\ / : * ? \" < > | ; # $ {{ }} , + = [ ] % &)")]
    NotACollectionName,
    /// `%2F` or `%5C` decoded to a slash or backslash, which no name may contain.
    #[error("contains a slash or backslash, which Azure DevOps names cannot contain")]
    Slash,
    /// ASCII control characters are never allowed.
    #[error("contains a control character, which Azure DevOps names cannot contain")]
    ControlCharacter,
    /// `.` or `..`, which are path steps rather than names.
    #[error("is only dots, which Azure DevOps names cannot be")]
    OnlyDots,
    /// Percent-encoding that does not decode to UTF-8 text, e.g. `%FF`.
    #[error("has percent-encoding that is not UTF-8 text")]
    NotUtf8,
}

/// Replaces the password of a `user:password@host` userinfo with `***`.
///
/// Over-redacts rather than leaks: anything between the first `:` of the authority part and the
/// last `@` before the query is treated as a password, and so is anything between a `:` and a
/// later `@` in any slash- and space-free run of the rest (for texts that are no URL at all).
pub(super) fn redact_password(input: &str) -> Cow<'_, str> {
    let authority = redact_authority(input);
    match redact_runs(&authority) {
        Some(s) => Cow::Owned(s),
        None => authority,
    }
}

fn redact_runs(input: &str) -> Option<String> {
    let mut out = String::new();
    let mut changed = false;
    let mut rest = input;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c == '/' || c.is_whitespace())
            .map_or(rest.len(), |i| {
                i + rest[i..].chars().next().map_or(1, char::len_utf8)
            });
        let run = &rest[..end];
        match (run.find(':'), run.rfind('@')) {
            (Some(colon), Some(at)) if colon + 1 < at => {
                out.push_str(&run[..=colon]);
                out.push_str("***");
                out.push_str(&run[at..]);
                changed = true;
            }
            _ => out.push_str(run),
        }
        rest = &rest[end..];
    }
    changed.then_some(out)
}

fn redact_authority(input: &str) -> Cow<'_, str> {
    let start = match input.find("://") {
        Some(i) if is_scheme(&input[..i]) => i + 3,
        _ => 0,
    };
    let end = input[start..]
        .find(['?', '#'])
        .map_or(input.len(), |i| start + i);
    let region = &input[start..end];
    let Some(at) = region.rfind('@') else {
        return Cow::Borrowed(input);
    };
    let Some(colon) = region[..at].find(':') else {
        return Cow::Borrowed(input);
    };
    let (pass_start, pass_end) = (start + colon + 1, start + at);
    if pass_start == pass_end {
        return Cow::Borrowed(input);
    }
    Cow::Owned(format!("{}***{}", &input[..pass_start], &input[pass_end..]))
}

/// Whether `s` has the syntax of a URL scheme (`https`, `git+ssh`).
pub(super) fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Cuts `s` to `max` characters, marking the cut with `…`.
pub(super) fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

pub(super) fn shorten_name(s: &str) -> String {
    shorten(s, MAX_NAME_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_password_but_keeps_the_user() {
        assert_eq!(
            redact_password("https://me:s3cret@dev.azure.com/o/p/_git/r"),
            "https://me:***@dev.azure.com/o/p/_git/r"
        );
        assert_eq!(
            redact_password("me:s3cr@t@dev.azure.com/o"),
            "me:***@dev.azure.com/o",
            "the last @ ends the userinfo, so a password containing @ is hidden whole"
        );
        assert_eq!(
            redact_password("?user:pw@"),
            "?user:***@",
            "no URL, still hidden"
        );
        assert_eq!(
            redact_password("https://u:p/ss@h/x"),
            "https://u:***@h/x",
            "a slash in the password does not end it"
        );
        assert_eq!(
            redact_password("git@ssh.dev.azure.com:v3/o/p/r"),
            "git@ssh.dev.azure.com:v3/o/p/r",
            "scp-style SSH has no password"
        );
    }

    #[test]
    fn shortens_on_a_char_boundary() {
        assert_eq!(shorten("ééé", 2), "éé…");
        assert_eq!(shorten("ab", 2), "ab");
    }
}
