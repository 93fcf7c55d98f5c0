//! The JSON body of a create or replace (`POST`/`PUT _apis/hooks/subscriptions`) for one spec.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    HookAuth, HookSpec, SubscriptionStatus, CONSUMER_ACTION_ID, CONSUMER_ID, PUBLISHER_ID,
    RESOURCE_VERSION,
};

/// The JSON body of `POST _apis/hooks/subscriptions` (and of `PUT …/{id}`) for one spec: the
/// one type the planner builds and the client sends. `Debug` hides the secret-bearing inputs.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionBody {
    /// `tfs`.
    pub publisher_id: String,
    /// E.g. `git.push`.
    pub event_type: String,
    /// `1.0`.
    pub resource_version: String,
    /// `webHooks`.
    pub consumer_id: String,
    /// `httpRequest`.
    pub consumer_action_id: String,
    /// The event filters: `projectId`, `repository`, `branch`, `mergeResult`.
    pub publisher_inputs: BTreeMap<String, String>,
    /// `url`, `httpHeaders` or basic auth, and what to send.
    pub consumer_inputs: BTreeMap<String, String>,
    /// `enabled` to re-enable a disabled subscription on replace; `None` on create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
}

/// Consumer inputs whose values are secret.
pub const SECRET_INPUTS: [&str; 2] = ["httpHeaders", "basicAuthPassword"];

impl std::fmt::Debug for SubscriptionBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionBody")
            .field("publisher_id", &self.publisher_id)
            .field("event_type", &self.event_type)
            .field("resource_version", &self.resource_version)
            .field("consumer_id", &self.consumer_id)
            .field("consumer_action_id", &self.consumer_action_id)
            .field("publisher_inputs", &self.publisher_inputs)
            .field("consumer_inputs", &redact_inputs(&self.consumer_inputs))
            .field("status", &self.status)
            .finish()
    }
}

/// Consumer inputs for `Debug` and logs: the values of [`SECRET_INPUTS`] replaced by
/// `[redacted]`.
pub fn redact_inputs(inputs: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    inputs
        .iter()
        .map(|(k, v)| {
            let shown = if SECRET_INPUTS.contains(&k.as_str()) {
                "[redacted]"
            } else {
                v.as_str()
            };
            (k.as_str(), shown)
        })
        .collect()
}

/// The `publisherInputs` a spec asks for.
pub fn publisher_inputs(spec: &HookSpec) -> BTreeMap<String, String> {
    let mut inputs = BTreeMap::new();
    inputs.insert("projectId".to_string(), spec.project_id.to_string());
    if spec.event.is_git() {
        if let Some(repository) = &spec.repository_id {
            inputs.insert("repository".to_string(), repository.clone());
        }
        if let Some(branch) = &spec.branch {
            inputs.insert("branch".to_string(), branch.clone());
        }
    }
    for (k, v) in spec.event.fixed_inputs() {
        inputs.insert(k.to_string(), v.to_string());
    }
    inputs
}

/// The consumer inputs besides the URL and the secret: the full resource, no rendered messages
/// (receivers parse `resource`; the messages only make deliveries bigger).
pub(super) const DELIVERY_INPUTS: [(&str, &str); 3] = [
    ("resourceDetailsToSend", "all"),
    ("messagesToSend", "none"),
    ("detailedMessagesToSend", "none"),
];

/// Builds the subscription body for `spec`. `secret` is the header value or the basic-auth
/// password, whichever [`HookSpec::auth`] says.
pub fn subscription_body(spec: &HookSpec, secret: &str) -> SubscriptionBody {
    let mut consumer = BTreeMap::new();
    consumer.insert("url".to_string(), spec.url.clone());
    match &spec.auth {
        HookAuth::SecretHeader { header, .. } => {
            consumer.insert("httpHeaders".to_string(), format!("{header}:{secret}"));
        }
        HookAuth::Basic { username, .. } => {
            consumer.insert("basicAuthUsername".to_string(), username.clone());
            consumer.insert("basicAuthPassword".to_string(), secret.to_string());
        }
    }
    for (k, v) in DELIVERY_INPUTS {
        consumer.insert(k.to_string(), v.to_string());
    }
    SubscriptionBody {
        publisher_id: PUBLISHER_ID.to_string(),
        event_type: spec.event.event_type().to_string(),
        resource_version: RESOURCE_VERSION.to_string(),
        consumer_id: CONSUMER_ID.to_string(),
        consumer_action_id: CONSUMER_ACTION_ID.to_string(),
        publisher_inputs: publisher_inputs(spec),
        consumer_inputs: consumer,
        status: None,
    }
}
