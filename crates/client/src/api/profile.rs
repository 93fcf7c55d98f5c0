//! `GET _apis/profile/profiles/me` (`profile/7.1/profile.json`, api-version 7.1): who the
//! signed-in user is. Azure DevOps Services serves it on `app.vssps.visualstudio.com`
//! ([`profile_base`]), for any organization; its `id` is the member id the accounts API takes
//! (`crate::api::accounts`). Needs `vso.profile` (a `.default` Entra token has it).

use serde::Deserialize;
use serde_json::Value;
use url::Url;
use uuid::Uuid;

use crate::{AdoClient, Error, Request};

/// The api-version the profile and accounts APIs are published at.
pub const PROFILE_API_VERSION: &str = "7.1";

/// The base the profile and accounts APIs hang off: `https://app.vssps.visualstudio.com/` for a
/// Services URL (`dev.azure.com`, `*.visualstudio.com`); for any other (a sandbox or the
/// emulator) the URL's origin.
pub fn profile_base(organization_url: &Url) -> Url {
    let host = organization_url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host == "dev.azure.com" || host.ends_with(".visualstudio.com") {
        return Url::parse("https://app.vssps.visualstudio.com/").expect("a valid URL");
    }
    let mut base = organization_url.clone();
    base.set_path("/");
    base.set_query(None);
    base.set_fragment(None);
    base
}

/// A user profile (`Profile`), with the core attributes asked for by `details=true`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Profile {
    /// The profile's id: the member id of `accounts?memberId=`.
    pub id: Uuid,
    /// `DisplayName`, `EmailAddress`, `PublicAlias`, …, each `{descriptor, value, …}`.
    #[serde(default)]
    pub core_attributes: Option<serde_json::Map<String, Value>>,
}

impl Profile {
    fn core(&self, name: &str) -> Option<String> {
        self.core_attributes
            .as_ref()?
            .get(name)?
            .get("value")?
            .as_str()
            .map(str::to_string)
    }

    /// The display name, when the profile was read with details.
    pub fn display_name(&self) -> Option<String> {
        self.core("DisplayName")
    }

    /// The email address, when the profile was read with details.
    pub fn email_address(&self) -> Option<String> {
        self.core("EmailAddress")
    }
}

impl AdoClient {
    /// `GET _apis/profile/profiles/me?details=true`: the signed-in user's profile.
    pub async fn my_profile(&self) -> Result<Profile, Error> {
        self.get_json(
            Request::get("_apis/profile/profiles/me")
                .query("details", "true")
                .api_version(PROFILE_API_VERSION),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_urls_use_the_profile_host_and_others_their_origin() {
        let base = |u: &str| profile_base(&Url::parse(u).unwrap()).to_string();
        assert_eq!(
            base("https://dev.azure.com/fabrikam/"),
            "https://app.vssps.visualstudio.com/"
        );
        assert_eq!(
            base("https://fabrikam.visualstudio.com/"),
            "https://app.vssps.visualstudio.com/"
        );
        assert_eq!(
            base("http://127.0.0.1:9/fabrikam/?x=1"),
            "http://127.0.0.1:9/"
        );
    }
}
