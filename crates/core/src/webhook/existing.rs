//! Existing subscriptions as facts: wire fields in, secrets replaced by fingerprints.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::SubscriptionId;

/// A subscription's status (`Subscription.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionStatus {
    /// Delivering.
    Enabled,
    /// Deliveries failed; Azure DevOps retries with growing delays before it disables it.
    OnProbation,
    /// Someone turned it off.
    DisabledByUser,
    /// Azure DevOps turned it off after deliveries kept failing (or the receiver answered 410).
    DisabledBySystem,
    /// Its owner left or lost permissions.
    DisabledByInactiveIdentity,
    /// A status this version does not know.
    #[serde(other)]
    Unknown,
}

impl SubscriptionStatus {
    /// Parses the wire value; a missing status is `enabled`, as Azure DevOps defaults it.
    pub fn parse(status: Option<&str>) -> SubscriptionStatus {
        match status.map(str::trim) {
            None | Some("") => SubscriptionStatus::Enabled,
            Some(s) => match s.to_ascii_lowercase().as_str() {
                "enabled" => SubscriptionStatus::Enabled,
                "onprobation" => SubscriptionStatus::OnProbation,
                "disabledbyuser" => SubscriptionStatus::DisabledByUser,
                "disabledbysystem" => SubscriptionStatus::DisabledBySystem,
                "disabledbyinactiveidentity" => SubscriptionStatus::DisabledByInactiveIdentity,
                _ => SubscriptionStatus::Unknown,
            },
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Enabled => "enabled",
            SubscriptionStatus::OnProbation => "onProbation",
            SubscriptionStatus::DisabledByUser => "disabledByUser",
            SubscriptionStatus::DisabledBySystem => "disabledBySystem",
            SubscriptionStatus::DisabledByInactiveIdentity => "disabledByInactiveIdentity",
            SubscriptionStatus::Unknown => "unknown",
        }
    }
}

/// What we know of a secret an existing subscription carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum SecretFact {
    /// Its fingerprint (same function as [`SecretRef::fingerprint`]).
    Fingerprint(String),
    /// The server masked it (`********`), as it does confidential inputs.
    Masked,
}

/// One header of an existing subscription's `httpHeaders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingHeader {
    /// The header name as written.
    pub name: String,
    /// Its value, as a fingerprint.
    pub value: SecretFact,
}

/// An existing subscription, as facts: what the server returned, with secrets replaced by
/// fingerprints. Build one with [`ExistingSubscription::from_wire`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingSubscription {
    /// The subscription id.
    pub id: SubscriptionId,
    /// E.g. `tfs`.
    pub publisher_id: String,
    /// E.g. `git.push`.
    pub event_type: String,
    /// E.g. `1.0`, if the server said.
    pub resource_version: Option<String>,
    /// E.g. `webHooks`.
    pub consumer_id: String,
    /// E.g. `httpRequest`.
    pub consumer_action_id: String,
    /// The event filters, as returned (the server adds `hostId`, `tfsSubscriptionId`).
    pub publisher_inputs: BTreeMap<String, String>,
    /// The receiver URL.
    pub url: Option<String>,
    /// The custom headers.
    pub headers: Vec<ExistingHeader>,
    /// The basic-auth user name, if set.
    pub basic_auth_username: Option<String>,
    /// The basic-auth password, if set.
    pub basic_auth_password: Option<SecretFact>,
    /// The other consumer inputs (`resourceDetailsToSend`, …).
    pub other_consumer_inputs: BTreeMap<String, String>,
    /// Its status.
    pub status: SubscriptionStatus,
    /// Failed deliveries retried while on probation.
    pub probation_retries: Option<u32>,
    /// When probation was last retried.
    pub last_probation_retry_date: Option<String>,
    /// Who created it, for the plan ("created by Ada").
    pub created_by: Option<String>,
}

/// Server-added publisher inputs that are not filters.
pub(super) const SERVER_PUBLISHER_INPUTS: [&str; 2] = ["hostId", "tfsSubscriptionId"];

impl ExistingSubscription {
    /// Turns the wire fields into facts. `fingerprint` digests a secret value (the same function
    /// the caller uses for [`SecretRef::fingerprint`]); it is called for header values and the
    /// basic-auth password, never for anything else.
    #[allow(clippy::too_many_arguments)]
    pub fn from_wire(
        id: &str,
        publisher_id: Option<&str>,
        event_type: Option<&str>,
        resource_version: Option<&str>,
        consumer_id: Option<&str>,
        consumer_action_id: Option<&str>,
        publisher_inputs: &BTreeMap<String, String>,
        consumer_inputs: &BTreeMap<String, String>,
        status: Option<&str>,
        fingerprint: &dyn Fn(&str) -> String,
    ) -> ExistingSubscription {
        let fact = |value: &str| {
            if is_masked(value) {
                SecretFact::Masked
            } else {
                SecretFact::Fingerprint(fingerprint(value))
            }
        };
        let mut headers = Vec::new();
        let mut other = BTreeMap::new();
        let mut url = None;
        let mut basic_auth_username = None;
        let mut basic_auth_password = None;
        for (key, value) in consumer_inputs {
            match key.as_str() {
                "url" => url = Some(value.clone()),
                "httpHeaders" => {
                    if is_masked(value) {
                        // The whole field masked: we know nothing of its headers' names.
                        headers.push(ExistingHeader {
                            name: String::new(),
                            value: SecretFact::Masked,
                        });
                    } else {
                        for (name, v) in parse_http_headers(value) {
                            headers.push(ExistingHeader {
                                name,
                                value: fact(&v),
                            });
                        }
                    }
                }
                "basicAuthUsername" if !value.is_empty() => {
                    basic_auth_username = Some(value.clone())
                }
                "basicAuthPassword" if !value.is_empty() => basic_auth_password = Some(fact(value)),
                "basicAuthUsername" | "basicAuthPassword" => {}
                _ => {
                    other.insert(key.clone(), value.clone());
                }
            }
        }
        ExistingSubscription {
            id: id.into(),
            publisher_id: publisher_id.unwrap_or_default().to_string(),
            event_type: event_type.unwrap_or_default().to_string(),
            resource_version: resource_version.map(str::to_string),
            consumer_id: consumer_id.unwrap_or_default().to_string(),
            consumer_action_id: consumer_action_id.unwrap_or_default().to_string(),
            publisher_inputs: publisher_inputs.clone(),
            url,
            headers,
            basic_auth_username,
            basic_auth_password,
            other_consumer_inputs: other,
            status: SubscriptionStatus::parse(status),
            probation_retries: None,
            last_probation_retry_date: None,
            created_by: None,
        }
    }

    pub(super) fn input(&self, name: &str) -> Option<&str> {
        self.publisher_inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// True for values the server masked: only asterisks.
fn is_masked(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty() && v.chars().all(|c| c == '*')
}

/// Splits `httpHeaders` ("Key1:value1\nKey2:value2", per the consumer's input descriptor) into
/// names and values, trimmed. Lines without a colon are ignored.
pub fn parse_http_headers(raw: &str) -> Vec<(String, String)> {
    raw.split(['\r', '\n', '\x0c'])
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_string(), value.trim().to_string()))
        })
        .collect()
}
