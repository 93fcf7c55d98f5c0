//! Azure DevOps repository URLs: read whatever a user pastes, say where it points, and derive
//! the URLs the rest of the app needs.
//!
//! Pure: no IO, no clock. [`RepoUrl::parse`] takes the text a user copied (the browser address
//! bar on a file, a pull request or a pipeline, the Clone dialog's HTTPS or SSH URL, an old
//! `visualstudio.com` link, an on-premises server link) and tells Azure DevOps Services from
//! Azure DevOps Server, with the organization or server URL and collection, the project and the
//! repository. Text that is not an Azure DevOps URL gets a [`RepoUrlError`] whose kind says what
//! the text looks like instead (a GitHub URL, an email address, a bare name…) and whose message
//! says what to paste.
//!
//! What this module does not do: it never asks a server. On Azure DevOps Server the path alone
//! cannot always tell a virtual directory from a collection; the parse then lists the readings
//! ([`RepoUrl::candidates`], most likely first) and the caller settles it by asking
//! `{collection URL}/_apis/connectionData` at each one, then keeps the one that answered with
//! [`RepoUrl::choose_candidate`].
//!
//! # Terminology
//!
//! - **Azure DevOps Services** ([`Deployment::Services`]): the cloud service at
//!   `https://dev.azure.com/{organization}`, formerly `https://{organization}.visualstudio.com`.
//! - **Azure DevOps Server** ([`Deployment::Server`]): the on-premises product, formerly Team
//!   Foundation Server (TFS), at any host name.
//! - **Organization**: the top level of Services, e.g. `fabrikam` in
//!   `https://dev.azure.com/fabrikam`. English letters, digits and hyphens, at most 50 characters.
//! - **Server URL**: scheme, host, port and virtual directory of a Server, without the collection
//!   and without a trailing slash, e.g. `http://tfs.example.com:8080/tfs`.
//! - **Virtual directory**: the IIS application path a Server lives under, usually `/tfs`; may be
//!   absent (`https://devops.example.com/DefaultCollection/…`).
//! - **Collection**: the top level of a Server (its counterpart of an organization), e.g.
//!   `DefaultCollection`.
//! - **Collection URL** (also the **API URL**): where the REST API lives:
//!   `https://dev.azure.com/{organization}` or `{server URL}/{collection}`.
//! - **Project**, **repository**: as in Azure DevOps. In the short form
//!   `…/{organization}/_git/{repository}` the project is not written because it has the
//!   repository's name.
//! - **Team**: a segment some web links put after the project (`…/{project}/{team}/_git/…`);
//!   recorded, never needed to connect.
//! - **Candidate**: one reading of where a URL points ([`Candidate`]); a Server URL may have
//!   several, Services URLs always have exactly one.
//!
//! # Accepted forms
//!
//! | Form | Example |
//! |---|---|
//! | Services HTTPS (with or without scheme, `{org}@` or `user:pass@`, port) | `https://fabrikam@dev.azure.com/fabrikam/Fiber/_git/fiber-api` |
//! | Legacy host, optional `DefaultCollection` | `https://fabrikam.visualstudio.com/DefaultCollection/Fiber/_git/fiber-api` |
//! | Short form (project = repository) | `https://dev.azure.com/fabrikam/_git/Fiber` |
//! | Services SSH | `git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api`, `fabrikam@vs-ssh.visualstudio.com:v3/…`, `ssh://git@ssh.dev.azure.com:22/v3/…` |
//! | Limited-refs infix | `…/_git/_optimized/fiber-api`, `…/_git/_full/fiber-api` |
//! | Browse and pull-request links | `…/_git/fiber-api?path=/src&version=GBmain`, `…/_git/fiber-api/pullrequest/12` |
//! | Other hubs (organization and project only) | `…/Fiber/_build?definitionId=3`, `…/_workitems/edit/7`, `…/_wiki`, `…/_settings` |
//! | Organization or project only | `https://dev.azure.com/fabrikam`, `https://fabrikam.visualstudio.com/Fiber` |
//! | Server HTTP(S) | `http://tfs.example.com:8080/tfs/DefaultCollection/Fiber/_git/fiber-api` |
//! | Server SSH | `ssh://tfs.example.com:22/tfs/DefaultCollection/Fiber/_git/fiber-api` |
//!
//! Surrounding whitespace, quotes and angle brackets, a leading `git clone`, a trailing slash and
//! a `.git` suffix are ignored; host names are case-insensitive; names are percent-decoded
//! (`My%20Project` is `My Project`). Derived URLs always use `dev.azure.com`, which serves every
//! organization, including those first created on `visualstudio.com`.
//!
//! # Ambiguity on Azure DevOps Server
//!
//! Each split of the path into virtual directory, collection, project (and team) that the URL
//! allows is scored: `tfs` as the first segment is a virtual directory, `DefaultCollection` is a
//! collection, a one-segment virtual directory is common and a deeper one is rare, the short form
//! and team segments are less common than an explicit project. Readings far less likely than the
//! best are dropped; the rest are [`RepoUrl::candidates`], best first, and
//! [`RepoUrl::is_ambiguous`] says whether more than one remains. An SSH URL does not tell the web
//! scheme and port, so each reading of an SSH URL is offered as `https://{host}` and as
//! `http://{host}:8080` (the default Server binding).

#![deny(missing_docs)]

mod derive;
mod error;
mod input;
mod layout;
mod summary;

pub use error::{LooksLike, NamePart, NameProblem, RepoUrlError, RepoUrlErrorKind};
pub use summary::{CandidateSummary, RepoUrlSummary};

/// Services or Server: the same type as [`crate::target::Deployment`], so a parse feeds the
/// connection form directly.
pub use crate::target::Deployment;

/// A parsed Azure DevOps URL: where it points, and what else the link said (branch, path,
/// pull request).
///
/// Invariant: there is at least one [`Candidate`]; accessors such as [`RepoUrl::project`] answer
/// for the first (most likely) one. Never holds a password from the URL's userinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUrl {
    candidates: Vec<Candidate>,
    repository: Option<String>,
    version: Version,
    path: Option<String>,
    pull_request_id: Option<u32>,
}

/// The `version=` of a browse link: `GB` branch, `GC` commit, `GT` tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Version {
    #[default]
    None,
    Branch(String),
    Commit(String),
    Tag(String),
}

/// One reading of where a URL points: Services organization, or Server URL plus collection, and
/// the project when the URL names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    endpoint: Endpoint,
    project: Option<String>,
    team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    Services {
        organization: String,
    },
    Server {
        /// `http` or `https`.
        scheme: &'static str,
        /// Lower-case host, IPv6 in brackets, without port.
        host: String,
        /// Web port, when not the scheme's default.
        port: Option<u16>,
        /// Decoded virtual-directory segments (`["tfs"]`), possibly empty.
        vdir: Vec<String>,
        collection: String,
        /// Port for the derived SSH clone URL (from an SSH input, else 22).
        ssh_port: u16,
        /// Cached `{scheme}://{host}[:{port}][/{vdir}]`.
        server_url: String,
    },
}

impl Candidate {
    /// Services or Server.
    pub fn deployment(&self) -> Deployment {
        match self.endpoint {
            Endpoint::Services { .. } => Deployment::Services,
            Endpoint::Server { .. } => Deployment::Server,
        }
    }

    /// The Services organization; `None` on Server.
    pub fn organization(&self) -> Option<&str> {
        match &self.endpoint {
            Endpoint::Services { organization } => Some(organization),
            Endpoint::Server { .. } => None,
        }
    }

    /// The Server URL (scheme, host, port, virtual directory; no collection, no trailing slash),
    /// e.g. `http://tfs.example.com:8080/tfs`; `None` on Services.
    pub fn server_url(&self) -> Option<&str> {
        match &self.endpoint {
            Endpoint::Server { server_url, .. } => Some(server_url),
            Endpoint::Services { .. } => None,
        }
    }

    /// The decoded virtual directory (`tfs`, or `a/b` when nested); `None` on Services or when
    /// the server has none.
    pub fn virtual_directory(&self) -> Option<String> {
        match &self.endpoint {
            Endpoint::Server { vdir, .. } if !vdir.is_empty() => Some(vdir.join("/")),
            _ => None,
        }
    }

    /// The decoded Server collection; `None` on Services.
    pub fn collection(&self) -> Option<&str> {
        match &self.endpoint {
            Endpoint::Server { collection, .. } => Some(collection),
            Endpoint::Services { .. } => None,
        }
    }

    /// The decoded project name, when the URL names one (the short form names it through the
    /// repository).
    pub fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// The decoded team name from links such as `…/{project}/{team}/_git/…`, if any.
    pub fn team(&self) -> Option<&str> {
        self.team.as_deref()
    }

    /// The collection URL, which is also the REST API base: `https://dev.azure.com/{org}` or
    /// `{server URL}/{collection}`, percent-encoded. Ask `{this}/_apis/connectionData` to learn
    /// whether this reading is the right one.
    pub fn collection_url(&self) -> String {
        derive::collection_url(&self.endpoint)
    }
}

impl RepoUrl {
    /// Parses what a user pasted.
    ///
    /// Errors when the text is empty, is not a URL, is some other site's URL, or is an Azure
    /// DevOps URL missing the part that identifies where it points (organization, collection,
    /// repository after `_git`) or naming something Azure DevOps cannot have; the
    /// [`RepoUrlErrorKind`] says which.
    ///
    /// ```
    /// use ado_core::repo_url::{Deployment, RepoUrl};
    /// let url = RepoUrl::parse("git@ssh.dev.azure.com:v3/fabrikam/Fiber/fiber-api").unwrap();
    /// assert_eq!(url.deployment(), Deployment::Services);
    /// assert_eq!(url.organization(), Some("fabrikam"));
    /// assert_eq!(url.https_clone_url().as_deref(), Some("https://dev.azure.com/fabrikam/Fiber/_git/fiber-api"));
    /// ```
    pub fn parse(input: &str) -> Result<RepoUrl, RepoUrlError> {
        let fail = |kind| RepoUrlError::new(input, kind);
        let address = input::address(input).map_err(fail)?;
        layout::interpret(address).map_err(fail)
    }

    /// Services or Server.
    pub fn deployment(&self) -> Deployment {
        self.best().deployment()
    }

    /// The Services organization; `None` on Server.
    pub fn organization(&self) -> Option<&str> {
        self.best().organization()
    }

    /// The Server URL of the most likely reading; `None` on Services. See
    /// [`Candidate::server_url`].
    pub fn server_url(&self) -> Option<&str> {
        self.best().server_url()
    }

    /// The Server collection of the most likely reading; `None` on Services.
    pub fn collection(&self) -> Option<&str> {
        self.best().collection()
    }

    /// The decoded project name of the most likely reading, when the URL names one.
    pub fn project(&self) -> Option<&str> {
        self.best().project()
    }

    /// The decoded team name, when a link carries one.
    pub fn team(&self) -> Option<&str> {
        self.best().team()
    }

    /// The decoded repository name, when the URL names one (`.git` suffix removed).
    pub fn repository(&self) -> Option<&str> {
        self.repository.as_deref()
    }

    /// The branch of a browse link (`version=GB{branch}`); `None` for commit or tag versions.
    pub fn branch(&self) -> Option<&str> {
        match &self.version {
            Version::Branch(b) => Some(b),
            _ => None,
        }
    }

    /// The commit of a browse link (`version=GC{sha}`) or a `…/commit/{sha}` link.
    pub fn commit(&self) -> Option<&str> {
        match &self.version {
            Version::Commit(c) => Some(c),
            _ => None,
        }
    }

    /// The tag of a browse link (`version=GT{tag}`).
    pub fn tag(&self) -> Option<&str> {
        match &self.version {
            Version::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The file or folder of a browse link (`path=/src/main.rs`), decoded.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The pull request number of a `…/pullrequest/{id}` link.
    pub fn pull_request_id(&self) -> Option<u32> {
        self.pull_request_id
    }

    /// Whether the path allows more than one plausible reading (Server only). The flows settle it
    /// by asking each candidate's `_apis/connectionData`.
    pub fn is_ambiguous(&self) -> bool {
        self.candidates.len() > 1
    }

    /// The plausible readings, most likely first; never empty, exactly one on Services.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// This URL with only the candidate at `index` kept (the one the server confirmed), so it is
    /// no longer ambiguous; `None` when `index` is out of range.
    pub fn choose_candidate(&self, index: usize) -> Option<RepoUrl> {
        let chosen = self.candidates.get(index)?.clone();
        Some(RepoUrl {
            candidates: vec![chosen],
            ..self.clone()
        })
    }

    /// The REST API base (collection URL) of the most likely reading:
    /// `https://dev.azure.com/{org}` or `{server URL}/{collection}`.
    pub fn api_url(&self) -> String {
        self.best().collection_url()
    }

    /// The web page: the repository's page when the URL names one, else the project's, else the
    /// organization's or collection's.
    pub fn web_url(&self) -> String {
        derive::web_url(self.best(), self.repository.as_deref())
    }

    /// The HTTPS clone URL, when the URL names a repository:
    /// `https://dev.azure.com/{org}/{project}/_git/{repo}` or
    /// `{server URL}/{collection}/{project}/_git/{repo}`.
    pub fn https_clone_url(&self) -> Option<String> {
        let repository = self.repository.as_deref()?;
        Some(derive::web_url(self.best(), Some(repository)))
    }

    /// The SSH clone URL, when the URL names a repository:
    /// `git@ssh.dev.azure.com:v3/{org}/{project}/{repo}` or
    /// `ssh://{host}:22[/{vdir}]/{collection}/{project}/_git/{repo}`.
    pub fn ssh_clone_url(&self) -> Option<String> {
        let repository = self.repository.as_deref()?;
        Some(derive::ssh_clone_url(self.best(), repository))
    }

    /// The serializable summary the CLI prints (see [`RepoUrlSummary`] for its keys).
    pub fn summary(&self) -> RepoUrlSummary {
        summary::summarize(self)
    }

    /// One line for people, e.g. `Azure DevOps Services · organization fabrikam · project Fiber ·
    /// repository fiber-api`. Same as `to_string()`.
    pub fn describe(&self) -> String {
        summary::describe(self)
    }

    fn best(&self) -> &Candidate {
        &self.candidates[0]
    }
}

impl std::fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::str::FromStr for RepoUrl {
    type Err = RepoUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoUrl::parse(s)
    }
}
