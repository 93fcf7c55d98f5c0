//! `GET {base}[/{project}]/_apis/git/repositories`. Not paged.

use serde::Deserialize;

use super::projects::{List, TeamProjectReference};
use super::API_VERSION;
use crate::{AdoClient, Error, Request};

/// A Git repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GitRepository {
    /// The repository id (a GUID).
    pub id: String,
    /// The repository name.
    pub name: String,
    /// The REST URL.
    #[serde(default)]
    pub url: Option<String>,
    /// The project it belongs to.
    #[serde(default)]
    pub project: Option<TeamProjectReference>,
    /// E.g. `refs/heads/main`; absent for an empty repository.
    #[serde(default)]
    pub default_branch: Option<String>,
    /// The HTTPS clone URL.
    #[serde(default)]
    pub remote_url: Option<String>,
    /// The SSH clone URL.
    #[serde(default)]
    pub ssh_url: Option<String>,
    /// The web page.
    #[serde(default)]
    pub web_url: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Disabled repositories cannot be read.
    #[serde(default)]
    pub is_disabled: Option<bool>,
}

impl AdoClient {
    /// Repositories of one project, or of the whole organization or collection when `project`
    /// is `None`.
    pub async fn repositories(&self, project: Option<&str>) -> Result<Vec<GitRepository>, Error> {
        let path = match project {
            Some(p) => format!("{}/_apis/git/repositories", encode_segment(p)),
            None => "_apis/git/repositories".to_string(),
        };
        let list: List<GitRepository> = self
            .get_json(Request::get(path).api_version(API_VERSION))
            .await?;
        Ok(list.value)
    }
}

/// Percent-encodes one path segment (project names may hold spaces and other characters).
pub(crate) fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
