//! `GET {server}/_apis/projectCollections` (Core area, "Project Collections - List"): the
//! collections of an Azure DevOps Server that the caller can see, as
//! `TeamProjectCollectionReference` (`id`, `name`, `url`) in the `{count, value}` envelope. It is
//! asked of the server itself, not of a collection: build the client with the server URL
//! (scheme, host, port and virtual directory) as its base.

use serde::Deserialize;

use super::API_VERSION;
use crate::{AdoClient, Error, Request};

/// A collection (`TeamProjectCollectionReference`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProjectCollection {
    /// Its id (a GUID).
    pub id: String,
    /// Its name: `{server}/{name}` is the collection URL.
    pub name: String,
    /// Its REST URL, when sent.
    #[serde(default)]
    pub url: Option<String>,
}

impl AdoClient {
    /// The collections of the server at this client's base URL, sorted by name.
    pub async fn project_collections(&self) -> Result<Vec<ProjectCollection>, Error> {
        let mut collections: Vec<ProjectCollection> = Request::get("_apis/projectCollections")
            .api_version(API_VERSION)
            .send_list(self)
            .await?;
        collections.sort_by_key(|c| c.name.to_lowercase());
        Ok(collections)
    }
}
