//! `GET {base}/_apis/connectionData`: who is signed in, and which deployment this is.
//!
//! Wire shape from the .NET SDK's `ConnectionData` contract (actions/runner
//! `src/Sdk/WebApi/WebApi/Contracts/Location/ConnectionData.cs`).

use serde::Deserialize;

use crate::{AdoClient, Error, Request};

/// The answer of `connectionData`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConnectionData {
    /// The identity the credential authenticated as.
    pub authenticated_user: Identity,
    /// The identity requests are authorized as (differs under impersonation).
    #[serde(default)]
    pub authorized_user: Option<Identity>,
    /// The organization's or collection's instance id.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// `hosted` (Services) or `onPremises` (Server).
    #[serde(default)]
    pub deployment_type: Option<String>,
    /// Where the server thinks it lives: access mappings with their public URLs.
    #[serde(default)]
    pub location_service_data: Option<LocationServiceData>,
}

impl ConnectionData {
    /// True when the server says it is Azure DevOps Server.
    pub fn is_on_premises(&self) -> bool {
        self.deployment_type
            .as_deref()
            .is_some_and(|d| d.eq_ignore_ascii_case("onPremises"))
    }
}

/// An identity as `connectionData` describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Identity {
    /// The identity id (a GUID).
    pub id: String,
    /// The display name from the identity provider.
    #[serde(default)]
    pub provider_display_name: Option<String>,
    /// A display name the user chose, if any.
    #[serde(default)]
    pub custom_display_name: Option<String>,
    /// Extra properties; `Account.$value` holds the sign-in name (email or DOMAIN\user).
    #[serde(default)]
    pub properties: serde_json::Value,
}

impl Identity {
    /// The name to show: custom, else provider display name, else the id.
    pub fn display_name(&self) -> &str {
        self.custom_display_name
            .as_deref()
            .or(self.provider_display_name.as_deref())
            .unwrap_or(&self.id)
    }

    /// The account (email or `DOMAIN\user`), if the server sent it.
    pub fn account(&self) -> Option<&str> {
        self.properties.get("Account")?.get("$value")?.as_str()
    }
}

/// Location data: the server's access mappings.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LocationServiceData {
    /// The moniker of the default mapping, usually `PublicAccessMapping`.
    #[serde(default)]
    pub default_access_mapping_moniker: Option<String>,
    /// Each way the server can be reached.
    #[serde(default)]
    pub access_mappings: Vec<AccessMapping>,
}

impl LocationServiceData {
    /// The access point of the default mapping (the server's public URL).
    pub fn public_access_point(&self) -> Option<&str> {
        let moniker = self.default_access_mapping_moniker.as_deref()?;
        self.access_mappings
            .iter()
            .find(|m| m.moniker.as_deref() == Some(moniker))
            .map(|m| m.access_point.as_str())
    }
}

/// One access mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessMapping {
    /// E.g. `Public Access Mapping`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// E.g. `PublicAccessMapping`.
    #[serde(default)]
    pub moniker: Option<String>,
    /// The URL, e.g. `http://tfs:8080/tfs/` or `https://dev.azure.com/fabrikam/`.
    pub access_point: String,
}

impl AdoClient {
    /// `GET _apis/connectionData?connectOptions=1&lastChangeId=-1&lastChangeId64=-1`, as the
    /// pipelines agent calls it (azure-pipelines-agent#1101); `connectOptions=1` asks for the
    /// location service data with its access mappings.
    pub async fn connection_data(&self) -> Result<ConnectionData, Error> {
        self.get_json(
            Request::get("_apis/connectionData")
                .query("connectOptions", 1)
                .query("lastChangeId", -1)
                .query("lastChangeId64", -1),
        )
        .await
    }
}
