//! What the CLI prints for a parse: a serializable summary with stable camelCase keys, and a
//! one-line description for people.

use super::{Candidate, Deployment, RepoUrl};
use serde::{Serialize, Serializer};

/// The CLI contract for a parsed URL, serialized with camelCase keys.
///
/// The first nine keys are the contract: `deployment` (`"services"` or `"server"`),
/// `organization` (Services only, else `null`), `collection` and `serverUrl` (Server only, else
/// `null`; `serverUrl` has scheme, host, port and virtual directory, no collection, no trailing
/// slash), `project` and `repository` (decoded names, `null` when not named), `branch`, `path`
/// and `pullRequestId` (a number), `null` when absent. The rest are extras. For an ambiguous
/// Server URL the top-level fields describe the first candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoUrlSummary {
    /// `"services"` or `"server"`.
    #[serde(serialize_with = "deployment_name")]
    pub deployment: Deployment,
    /// Services organization.
    pub organization: Option<String>,
    /// Server collection.
    pub collection: Option<String>,
    /// Server URL without the collection.
    pub server_url: Option<String>,
    /// Decoded project name.
    pub project: Option<String>,
    /// Decoded repository name.
    pub repository: Option<String>,
    /// Branch of a browse link (`version=GB…`).
    pub branch: Option<String>,
    /// File or folder of a browse link (`path=…`).
    pub path: Option<String>,
    /// Pull request number.
    pub pull_request_id: Option<u32>,
    /// Commit of a browse or commit link (`version=GC…`, `…/commit/{sha}`).
    pub commit: Option<String>,
    /// Tag of a browse link (`version=GT…`).
    pub tag: Option<String>,
    /// REST API base (collection URL).
    pub api_url: String,
    /// Repository, project, or organization/collection web page.
    pub web_url: String,
    /// HTTPS clone URL, when a repository is named.
    pub https_clone_url: Option<String>,
    /// SSH clone URL, when a repository is named.
    pub ssh_clone_url: Option<String>,
    /// Whether more than one reading is plausible (then ask each candidate's server).
    pub ambiguous: bool,
    /// Every plausible reading, most likely first (one for Services).
    pub candidates: Vec<CandidateSummary>,
    /// The one-line description.
    pub description: String,
}

/// One reading of the URL, for [`RepoUrlSummary::candidates`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateSummary {
    /// `"services"` or `"server"`.
    #[serde(serialize_with = "deployment_name")]
    pub deployment: Deployment,
    /// Services organization.
    pub organization: Option<String>,
    /// Server URL without the collection.
    pub server_url: Option<String>,
    /// Server collection.
    pub collection: Option<String>,
    /// Decoded project name.
    pub project: Option<String>,
    /// Where to ask `_apis/connectionData` to confirm this reading.
    pub collection_url: String,
}

/// Written out here rather than relying on `Deployment`'s own serde attributes: the CLI contract
/// must not change if that type's wire form does.
fn deployment_name<S: Serializer>(deployment: &Deployment, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match deployment {
        Deployment::Services => "services",
        Deployment::Server => "server",
    })
}

fn candidate_summary(c: &Candidate) -> CandidateSummary {
    CandidateSummary {
        deployment: c.deployment(),
        organization: c.organization().map(str::to_string),
        server_url: c.server_url().map(str::to_string),
        collection: c.collection().map(str::to_string),
        project: c.project().map(str::to_string),
        collection_url: c.collection_url(),
    }
}

pub(super) fn summarize(url: &RepoUrl) -> RepoUrlSummary {
    let own = |s: Option<&str>| s.map(str::to_string);
    RepoUrlSummary {
        deployment: url.deployment(),
        organization: own(url.organization()),
        collection: own(url.collection()),
        server_url: own(url.server_url()),
        project: own(url.project()),
        repository: own(url.repository()),
        branch: own(url.branch()),
        path: own(url.path()),
        pull_request_id: url.pull_request_id(),
        commit: own(url.commit()),
        tag: own(url.tag()),
        api_url: url.api_url(),
        web_url: url.web_url(),
        https_clone_url: url.https_clone_url(),
        ssh_clone_url: url.ssh_clone_url(),
        ambiguous: url.is_ambiguous(),
        candidates: url.candidates().iter().map(candidate_summary).collect(),
        description: describe(url),
    }
}

/// `Azure DevOps Services · organization fabrikam · project Fiber · repository fiber-api`, or
/// `Azure DevOps Server · http://host:8080/tfs · collection DefaultCollection · …`.
pub(super) fn describe(url: &RepoUrl) -> String {
    let mut parts: Vec<String> = vec![url.deployment().display_name().to_string()];
    if let Some(org) = url.organization() {
        parts.push(format!("organization {org}"));
    }
    if let Some(server) = url.server_url() {
        parts.push(server.to_string());
    }
    if let Some(collection) = url.collection() {
        parts.push(format!("collection {collection}"));
    }
    if let Some(project) = url.project() {
        parts.push(format!("project {project}"));
    }
    if let Some(repository) = url.repository() {
        parts.push(format!("repository {repository}"));
    }
    if let Some(branch) = url.branch() {
        parts.push(format!("branch {branch}"));
    }
    if let Some(tag) = url.tag() {
        parts.push(format!("tag {tag}"));
    }
    if let Some(commit) = url.commit() {
        parts.push(format!("commit {commit}"));
    }
    if let Some(path) = url.path() {
        parts.push(format!("path {path}"));
    }
    if let Some(id) = url.pull_request_id() {
        parts.push(format!("pull request {id}"));
    }
    let mut line = parts.join(" · ");
    if url.is_ambiguous() {
        line.push_str(&format!(
            " (ambiguous: {} possible readings, most likely shown)",
            url.candidates().len()
        ));
    }
    line
}
