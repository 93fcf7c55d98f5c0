//! `GET {base}/{project}/_apis/build/builds`: the Pipelines probe.

use serde::Deserialize;

use super::{encode_segment, API_VERSION};
use crate::{AdoClient, Error, Request};

/// A build, as much of it as the wizard reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Build {
    /// The build id.
    pub id: u64,
    /// E.g. `20261122.1`.
    #[serde(default)]
    pub build_number: Option<String>,
    /// `completed`, `inProgress`, …
    #[serde(default)]
    pub status: Option<String>,
    /// `succeeded`, `failed`, …
    #[serde(default)]
    pub result: Option<String>,
}

impl AdoClient {
    /// The newest `top` builds of a project.
    pub async fn builds(&self, project: &str, top: u32) -> Result<Vec<Build>, Error> {
        self.builds_request(project, top).send_list(self).await
    }

    /// The request [`AdoClient::builds`] sends, for reproductions.
    pub fn builds_request(&self, project: &str, top: u32) -> Request {
        Request::get(format!("{}/_apis/build/builds", encode_segment(project)))
            .query("$top", top)
            .api_version(API_VERSION)
    }
}
