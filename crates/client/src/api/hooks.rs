//! `…/_apis/hooks/subscriptions`: service-hook subscriptions (webhooks).

use serde::Deserialize;

use super::API_VERSION;
use crate::{AdoClient, Error, Request};

/// A subscription, as much as the wizard reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription id (a GUID).
    pub id: String,
    /// E.g. `tfs`.
    #[serde(default)]
    pub publisher_id: Option<String>,
    /// E.g. `git.push`.
    #[serde(default)]
    pub event_type: Option<String>,
    /// E.g. `webHooks`.
    #[serde(default)]
    pub consumer_id: Option<String>,
    /// `enabled`, `onProbation`, `disabledBySystem`, …
    #[serde(default)]
    pub status: Option<String>,
}

impl AdoClient {
    /// Every subscription the caller can see.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        self.subscriptions_request().send_list(self).await
    }

    /// The request [`AdoClient::subscriptions`] sends.
    pub fn subscriptions_request(&self) -> Request {
        Request::get("_apis/hooks/subscriptions").api_version(API_VERSION)
    }
}
