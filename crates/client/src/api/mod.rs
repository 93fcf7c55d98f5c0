//! One file per Azure DevOps area. Each adds typed methods to [`crate::AdoClient`]. The helpers
//! every area shares (the list envelope, pages, path-segment encoding) live here, so no area
//! imports another for them.

use serde::Deserialize;

use crate::{AdoClient, Error, Request};

pub mod accounts;
pub mod build;
pub mod collections;
pub mod connection_data;
pub mod git;
pub mod hooks;
pub mod locations;
pub mod profile;
pub mod projects;
pub mod security;
pub mod tokens;
pub mod wit;

/// The api-version the areas ask for: 7.0, the newest Azure DevOps Server 2022 serves, which
/// Services still serves. [`AdoClient::send`] sends it lower to an older server (Server 2020:
/// 6.0, Server 2019: 5.0; see [`crate::versions`]); every call used here exists in those
/// versions' specs (`specification/*/azure-devops-server-5.0` and `-6.0`).
pub const API_VERSION: &str = "7.0";

/// The `{count, value}` envelope of list answers.
#[derive(Deserialize)]
pub(crate) struct List<T> {
    pub(crate) value: Vec<T>,
}

/// One page of a paged list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The token for the next page, `None` on the last.
    pub continuation: Option<String>,
}

/// Percent-encodes one path segment (project names may hold spaces and other characters).
pub(crate) fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl Request {
    /// Sends a list request and returns its `value`.
    pub(crate) async fn send_list<T: serde::de::DeserializeOwned>(
        self,
        client: &AdoClient,
    ) -> Result<Vec<T>, Error> {
        let list: List<T> = client.get_json(self).await?;
        Ok(list.value)
    }
}
