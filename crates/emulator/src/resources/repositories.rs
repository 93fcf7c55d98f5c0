//! `GitRepository` (spec `git/7.1/git.json`).
//!
//! URL shapes follow captured responses (e.g. the `az repos` sample in
//! `MicrosoftDocs/azure-devops-docs`):
//! - `url`: `{base}/{projectId}/_apis/git/repositories/{repoId}`
//! - `remoteUrl`: Services `https://{org}@dev.azure.com/{org}/{Project%20Name}/_git/{repo}`;
//!   Server `{collectionUrl}/{Project%20Name}/_git/{repo}`
//! - `sshUrl`: Services `git@ssh.dev.azure.com:v3/{org}/{Project%20Name}/{repo}`; Server
//!   `ssh://{host}:22/[{vdir}/]{collection}/{Project}/_git/{repo}` (docs `use-ssh-keys-to-authenticate.md`)
//! - `webUrl`: `{base}/{Project%20Name}/_git/{repo}`
//!
//! The emulator speaks no SSH; `sshUrl` uses the host the client connected to.

use serde_json::{json, Value};

use super::projects::reference;
use super::{encode_segment, Site};
use crate::world::{Project, Repository};

/// `scheme` and `host` (without port) of a URL such as `http://localhost:8080/tfs`.
fn scheme_and_host(url: &str) -> (&str, &str, &str) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = if authority.starts_with('[') {
        authority
            .split_once(']')
            .map(|(h, _)| &h[1..])
            .unwrap_or(authority)
    } else {
        authority.split(':').next().unwrap_or(authority)
    };
    (scheme, authority, host)
}

/// `GitRepository`.
pub(crate) fn repository(site: &Site<'_>, project: &Project, repo: &Repository) -> Value {
    let base = site.base();
    let project_segment = encode_segment(&project.name);
    let repo_segment = encode_segment(&repo.name);
    let web_url = format!("{base}/{project_segment}/_git/{repo_segment}");
    let (remote_url, ssh_url) = match site.organization() {
        Some(org) => {
            let (scheme, authority, host) = scheme_and_host(&site.origin);
            let org_segment = encode_segment(&org.name);
            (
                format!("{scheme}://{org_segment}@{authority}/{org_segment}/{project_segment}/_git/{repo_segment}"),
                format!("git@{host}:v3/{org_segment}/{project_segment}/{repo_segment}"),
            )
        }
        None => {
            let access_point = site.access_point();
            let (_, _, host) = scheme_and_host(&access_point);
            let path = base
                .split_once("://")
                .and_then(|(_, rest)| rest.split_once('/'))
                .map(|(_, path)| path)
                .unwrap_or("");
            (
                web_url.clone(),
                format!("ssh://{host}:22/{path}/{project_segment}/_git/{repo_segment}"),
            )
        }
    };
    let mut value = json!({
        "id": repo.id,
        "name": repo.name,
        "url": format!("{base}/{}/_apis/git/repositories/{}", project.id, repo.id),
        "project": reference(site, project),
    });
    // An empty repository has no default branch, and the field is then absent.
    if let Some(branch) = &repo.default_branch {
        value["defaultBranch"] = json!(branch);
    }
    value["size"] = json!(repo.size);
    value["remoteUrl"] = json!(remote_url);
    value["sshUrl"] = json!(ssh_url);
    value["webUrl"] = json!(web_url);
    value["isDisabled"] = json!(repo.is_disabled);
    value["isInMaintenance"] = json!(repo.is_in_maintenance);
    site.shaped("GitRepository", value)
}

#[cfg(test)]
mod tests {
    use super::scheme_and_host;

    #[test]
    fn splits_urls() {
        assert_eq!(
            scheme_and_host("http://localhost:8080/tfs"),
            ("http", "localhost:8080", "localhost")
        );
        assert_eq!(
            scheme_and_host("https://[::1]:443"),
            ("https", "[::1]:443", "::1")
        );
    }
}
