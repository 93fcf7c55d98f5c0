//! `GET {base}[/{project}]/_apis/git/repositories`. Not paged.

use serde::Deserialize;

use super::projects::TeamProjectReference;
use super::{encode_segment, API_VERSION};
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

/// A pull request, as much as the probe reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PullRequest {
    /// The pull request id.
    pub pull_request_id: u64,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// `active`, `completed`, `abandoned`.
    #[serde(default)]
    pub status: Option<String>,
}

impl AdoClient {
    /// The newest `top` pull requests of a project (any status).
    pub async fn pull_requests(&self, project: &str, top: u32) -> Result<Vec<PullRequest>, Error> {
        self.pull_requests_request(project, top)
            .send_list(self)
            .await
    }

    /// The request [`AdoClient::pull_requests`] sends.
    pub fn pull_requests_request(&self, project: &str, top: u32) -> Request {
        Request::get(format!(
            "{}/_apis/git/pullrequests",
            encode_segment(project)
        ))
        .query("$top", top)
        .query("searchCriteria.status", "all")
        .api_version(API_VERSION)
    }

    /// The request [`AdoClient::repositories`] sends.
    pub fn repositories_request(&self, project: Option<&str>) -> Request {
        let path = match project {
            Some(p) => format!("{}/_apis/git/repositories", encode_segment(p)),
            None => "_apis/git/repositories".to_string(),
        };
        Request::get(path).api_version(API_VERSION)
    }

    /// Repositories of one project, or of the whole organization or collection when `project`
    /// is `None`.
    pub async fn repositories(&self, project: Option<&str>) -> Result<Vec<GitRepository>, Error> {
        self.repositories_request(project).send_list(self).await
    }
}
