//! `GET _apis/accounts?memberId=` (`account/7.1/accounts.json`, api-version 7.1): the
//! organizations a member belongs to. Served on `app.vssps.visualstudio.com` like the profile
//! (build the client with [`crate::api::profile::profile_base`]); the member id is the
//! profile's `id`. Needs `vso.profile`.
//!
//! The spec describes the answer as an array of `Account`; the service wraps collections as
//! `{count, value}` (`VssJsonCollectionWrapper`, in the same spec). Both are read.

use serde::Deserialize;
use uuid::Uuid;

use super::profile::PROFILE_API_VERSION;
use crate::{AdoClient, Error, Request};

/// An organization (`Account`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Account {
    /// Its id.
    pub account_id: Uuid,
    /// Its name: `dev.azure.com/{accountName}`.
    pub account_name: String,
    /// Its URL, when sent.
    #[serde(default)]
    pub account_uri: Option<String>,
    /// `enabled`, `disabled`, `deleted`, `moved` or `none`, when sent.
    #[serde(default)]
    pub account_status: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Accounts {
    Wrapped { value: Vec<Account> },
    Bare(Vec<Account>),
}

impl AdoClient {
    /// The organizations `member_id` belongs to, sorted by name, disabled and deleted ones
    /// left out.
    pub async fn accounts_of_member(&self, member_id: Uuid) -> Result<Vec<Account>, Error> {
        let answer: Accounts = self
            .get_json(
                Request::get("_apis/accounts")
                    .query("memberId", member_id)
                    .api_version(PROFILE_API_VERSION),
            )
            .await?;
        let mut accounts = match answer {
            Accounts::Wrapped { value } | Accounts::Bare(value) => value,
        };
        accounts.retain(|a| {
            a.account_status
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("enabled") || s.eq_ignore_ascii_case("none"))
        });
        accounts.sort_by_key(|a| a.account_name.to_lowercase());
        Ok(accounts)
    }
}
