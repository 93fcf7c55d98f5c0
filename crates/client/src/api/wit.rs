//! `GET {base}/{project}/_apis/wit/workitemtypes`: the Boards probe (needs Work Items: Read).

use serde::Deserialize;

use super::{encode_segment, API_VERSION};
use crate::{AdoClient, Error, Request};

/// A work item type, e.g. `Bug`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WorkItemType {
    /// The type's name.
    pub name: String,
}

impl AdoClient {
    /// The work item types of a project.
    pub async fn work_item_types(&self, project: &str) -> Result<Vec<WorkItemType>, Error> {
        self.work_item_types_request(project).send_list(self).await
    }

    /// The request [`AdoClient::work_item_types`] sends.
    pub fn work_item_types_request(&self, project: &str) -> Request {
        Request::get(format!(
            "{}/_apis/wit/workitemtypes",
            encode_segment(project)
        ))
        .api_version(API_VERSION)
    }
}
