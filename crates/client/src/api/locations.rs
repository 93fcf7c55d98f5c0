//! `OPTIONS {base}/_apis`: the Location area's resource locations, one per route, with the
//! versions each serves. Microsoft's SDKs read this table before their first call (node-api
//! `VsoClient.ts` `beginGetAreaLocations`; the Python SDK's `client.py`); this client reads it
//! to negotiate the `api-version` of every later request ([`crate::versions`]).

use crate::versions::{ApiResourceLocation, ApiVersion, ServedVersions};
use crate::{AdoClient, Error, Request};

use super::{List, API_VERSION};

impl AdoClient {
    /// `OPTIONS _apis`: reads the server's resource locations (each route's versions) and keeps
    /// them for every later request. They replace a saved latest (the server may have been
    /// upgraded since), not an older one the server itself named in an error.
    pub async fn discover_versions(&self) -> Result<ServedVersions, Error> {
        let response = self.send(Request::options("_apis")).await?;
        let list: List<ApiResourceLocation> = response.json()?;
        let found = ServedVersions::from_locations(&list.value).ok_or_else(|| Error::Decode {
            url: response.url.clone(),
            detail: "the resource location table lists no version".into(),
            body_excerpt: String::from_utf8_lossy(&response.body[..response.body.len().min(512)])
                .into_owned(),
        })?;
        Ok(self.learn_versions(found))
    }

    /// The server's latest REST API version: known, else read from its resource locations.
    /// When the table cannot be read, a one-project list stands in: an older server's
    /// out-of-range error names its latest; a server that serves the list as asked serves at
    /// least [`API_VERSION`].
    pub async fn server_api_version(&self) -> Result<ApiVersion, Error> {
        if let Some(known) = self.served_versions() {
            return Ok(known.latest);
        }
        match self.discover_versions().await {
            Ok(found) => Ok(found.latest),
            Err(error) if error.is_auth_failure() => Err(error),
            Err(_) => {
                let probe = self.send(self.projects_request(1)).await;
                match (probe, self.served_versions()) {
                    (_, Some(known)) => Ok(known.latest),
                    (Ok(_), None) => Ok(API_VERSION.parse().expect("API_VERSION parses")),
                    (Err(error), None) => Err(error),
                }
            }
        }
    }
}
