//! `…/_apis/hooks/…`: service-hook subscriptions (webhooks), test notifications and delivery
//! history. Spec `hooks/7.0/serviceHooks.json` (api-version 7.0: the newest Azure DevOps
//! Server 2022 serves; every call used here exists unchanged in 7.0 and 7.1).
//!
//! Every call goes through [`AdoClient::send`]. Creating is a `POST`, which the client does not
//! retry on 5xx (it may have been applied): callers that must not duplicate look the
//! subscription up before trying again. Replace (`PUT`) and delete are idempotent and retried.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;

use super::{encode_segment, API_VERSION};
use crate::{AdoClient, Error, Request};

use ado_core::ids::SubscriptionId;
use ado_core::webhook::redact_inputs;
/// The body of a create or replace is core's [`SubscriptionBody`]: the planner builds it and the
/// client sends it as is (one type, one list of secret inputs).
pub use ado_core::webhook::SubscriptionBody;

/// A subscription as Azure DevOps returns it. Everything but `id` is optional on the wire.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription id (a GUID).
    pub id: SubscriptionId,
    /// E.g. `tfs`.
    #[serde(default)]
    pub publisher_id: Option<String>,
    /// E.g. `git.push`.
    #[serde(default)]
    pub event_type: Option<String>,
    /// The payload version, e.g. `1.0`.
    #[serde(default)]
    pub resource_version: Option<String>,
    /// E.g. `webHooks`.
    #[serde(default)]
    pub consumer_id: Option<String>,
    /// E.g. `httpRequest`.
    #[serde(default)]
    pub consumer_action_id: Option<String>,
    /// The event filters (`projectId`, `repository`, `branch`, …), plus server-added ones
    /// (`hostId`, `tfsSubscriptionId`).
    #[serde(default, deserialize_with = "string_map")]
    pub publisher_inputs: BTreeMap<String, String>,
    /// `url`, `httpHeaders`, basic auth, … Confidential values may come back masked.
    #[serde(default, deserialize_with = "string_map")]
    pub consumer_inputs: BTreeMap<String, String>,
    /// `enabled`, `onProbation`, `disabledByUser`, `disabledBySystem`,
    /// `disabledByInactiveIdentity`.
    #[serde(default)]
    pub status: Option<String>,
    /// Retries while on probation (the spec types it as a byte).
    #[serde(default, deserialize_with = "lenient_u32")]
    pub probation_retries: Option<u32>,
    /// When probation was last retried.
    #[serde(default)]
    pub last_probation_retry_date: Option<String>,
    /// Who created it.
    #[serde(default)]
    pub created_by: Option<IdentityRef>,
    /// When.
    #[serde(default)]
    pub created_date: Option<String>,
    /// Who changed it last.
    #[serde(default)]
    pub modified_by: Option<IdentityRef>,
    /// When.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// The server's one-line description of the event filters.
    #[serde(default)]
    pub event_description: Option<String>,
    /// The server's one-line description of the action (e.g. the URL).
    #[serde(default)]
    pub action_description: Option<String>,
    /// The REST URL of the subscription.
    #[serde(default)]
    pub url: Option<String>,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("publisher_id", &self.publisher_id)
            .field("event_type", &self.event_type)
            .field("consumer_id", &self.consumer_id)
            .field("publisher_inputs", &self.publisher_inputs)
            .field("consumer_inputs", &redact_inputs(&self.consumer_inputs))
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// An identity reference (`IdentityRef`), as much as the wizard shows.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IdentityRef {
    /// The identity id.
    #[serde(default)]
    pub id: Option<String>,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The sign-in name.
    #[serde(default)]
    pub unique_name: Option<String>,
}

/// The documented query filters of `GET _apis/hooks/subscriptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriptionFilter {
    /// E.g. `tfs`.
    pub publisher_id: Option<String>,
    /// E.g. `git.push`.
    pub event_type: Option<String>,
    /// E.g. `webHooks`.
    pub consumer_id: Option<String>,
    /// E.g. `httpRequest`.
    pub consumer_action_id: Option<String>,
}

/// `POST _apis/hooks/subscriptionsquery`: filters on publisher and consumer inputs too.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsQuery {
    /// E.g. `tfs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher_id: Option<String>,
    /// E.g. `git.push`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// E.g. `webHooks`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_id: Option<String>,
    /// E.g. `httpRequest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_action_id: Option<String>,
    /// Conditions on `publisherInputs` (all must hold).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub publisher_input_filters: Vec<InputFilter>,
    /// Conditions on `consumerInputs` (all must hold).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumer_input_filters: Vec<InputFilter>,
}

/// A set of conditions on inputs (`InputFilter`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputFilter {
    /// The conditions.
    pub conditions: Vec<InputFilterCondition>,
}

/// One condition (`InputFilterCondition`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputFilterCondition {
    /// The input, e.g. `projectId`.
    pub input_id: String,
    /// The value to compare with.
    pub input_value: String,
    /// `equals` or `notEquals`.
    pub operator: String,
    /// Whether the comparison is case-sensitive.
    pub case_sensitive: bool,
}

impl InputFilter {
    /// One `input == value` condition, case-insensitively.
    pub fn equals(input_id: &str, value: &str) -> Self {
        InputFilter {
            conditions: vec![InputFilterCondition {
                input_id: input_id.to_string(),
                input_value: value.to_string(),
                operator: "equals".to_string(),
                case_sensitive: false,
            }],
        }
    }
}

#[derive(Deserialize)]
struct QueryResults {
    #[serde(default)]
    results: Vec<Subscription>,
}

/// The result of delivering one event to one subscription (`Notification`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Notification {
    /// The notification id.
    pub id: i64,
    /// Its subscription.
    #[serde(default)]
    pub subscription_id: Option<SubscriptionId>,
    /// The event.
    #[serde(default)]
    pub event_id: Option<String>,
    /// `pending`, `succeeded`, `failed`, `filtered`.
    #[serde(default)]
    pub result: Option<String>,
    /// `queued`, `processing`, `requestInProgress`, `completed`.
    #[serde(default)]
    pub status: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_date: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub modified_date: Option<String>,
    /// The request, the response and errors, when the server includes them.
    #[serde(default)]
    pub details: Option<NotificationDetails>,
}

/// What was sent and what came back (`NotificationDetails`).
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotificationDetails {
    /// E.g. `git.push`.
    #[serde(default)]
    pub event_type: Option<String>,
    /// E.g. `tfs`.
    #[serde(default)]
    pub publisher_id: Option<String>,
    /// E.g. `webHooks`.
    #[serde(default)]
    pub consumer_id: Option<String>,
    /// The request as sent (headers and body as text); may hold the secret header.
    #[serde(default)]
    pub request: Option<String>,
    /// The receiver's response as text (status line, headers, body).
    #[serde(default)]
    pub response: Option<String>,
    /// Why the delivery failed, if it did.
    #[serde(default)]
    pub error_message: Option<String>,
    /// More on the failure.
    #[serde(default)]
    pub error_detail: Option<String>,
    /// How many attempts were made.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub request_attempts: Option<u32>,
    /// How long the request took, in seconds.
    #[serde(default)]
    pub request_duration: Option<f64>,
    /// When it was queued.
    #[serde(default)]
    pub queued_date: Option<String>,
    /// When the receiver answered.
    #[serde(default)]
    pub completed_date: Option<String>,
    /// The event as delivered.
    #[serde(default)]
    pub event: Option<serde_json::Value>,
}

impl std::fmt::Debug for NotificationDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationDetails")
            .field("event_type", &self.event_type)
            .field("request", &self.request.as_ref().map(|_| "[redacted]"))
            .field("response", &self.response)
            .field("error_message", &self.error_message)
            .field("request_attempts", &self.request_attempts)
            .finish_non_exhaustive()
    }
}

/// What `POST _apis/hooks/testnotifications` sends: the subscription to test and its
/// publisher and consumer settings (the server fires a sample event through them).
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestNotification {
    /// The subscription tested, if it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<SubscriptionId>,
    /// The settings to test with.
    pub details: TestNotificationDetails,
}

/// The settings part of a [`TestNotification`].
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestNotificationDetails {
    /// E.g. `tfs`.
    pub publisher_id: String,
    /// E.g. `git.push`.
    pub event_type: String,
    /// E.g. `webHooks`.
    pub consumer_id: String,
    /// E.g. `httpRequest`.
    pub consumer_action_id: String,
    /// Event filters.
    pub publisher_inputs: BTreeMap<String, String>,
    /// Consumer settings, secrets included.
    pub consumer_inputs: BTreeMap<String, String>,
}

impl std::fmt::Debug for TestNotification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestNotification")
            .field("subscription_id", &self.subscription_id)
            .field("event_type", &self.details.event_type)
            .field(
                "consumer_inputs",
                &redact_inputs(&self.details.consumer_inputs),
            )
            .finish_non_exhaustive()
    }
}

/// Filters of a subscription's notification history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// At most this many (the server's default is 100).
    pub max_results: Option<u32>,
    /// Only this status (`completed`, …).
    pub status: Option<String>,
    /// Only this result (`succeeded`, `failed`, …).
    pub result: Option<String>,
}

const SUBSCRIPTIONS: &str = "_apis/hooks/subscriptions";

fn subscription_path(id: &str) -> String {
    format!("{SUBSCRIPTIONS}/{}", encode_segment(id))
}

impl AdoClient {
    /// Every subscription the caller can see.
    pub async fn subscriptions(&self) -> Result<Vec<Subscription>, Error> {
        self.subscriptions_request().send_list(self).await
    }

    /// The request [`AdoClient::subscriptions`] sends.
    pub fn subscriptions_request(&self) -> Request {
        Request::get(SUBSCRIPTIONS).api_version(API_VERSION)
    }

    /// Subscriptions matching the documented list filters.
    pub async fn subscriptions_where(
        &self,
        filter: &SubscriptionFilter,
    ) -> Result<Vec<Subscription>, Error> {
        self.subscriptions_where_request(filter)
            .send_list(self)
            .await
    }

    /// The request [`AdoClient::subscriptions_where`] sends.
    pub fn subscriptions_where_request(&self, filter: &SubscriptionFilter) -> Request {
        let mut request = Request::get(SUBSCRIPTIONS);
        for (name, value) in [
            ("publisherId", &filter.publisher_id),
            ("eventType", &filter.event_type),
            ("consumerId", &filter.consumer_id),
            ("consumerActionId", &filter.consumer_action_id),
        ] {
            if let Some(value) = value {
                request = request.query(name, value);
            }
        }
        request.api_version(API_VERSION)
    }

    /// `POST _apis/hooks/subscriptionsquery`: subscriptions matching `query`, including
    /// conditions on publisher and consumer inputs.
    pub async fn query_subscriptions(
        &self,
        query: &SubscriptionsQuery,
    ) -> Result<Vec<Subscription>, Error> {
        let answer: QueryResults = self
            .get_json(self.query_subscriptions_request(query))
            .await?;
        Ok(answer.results)
    }

    /// The request [`AdoClient::query_subscriptions`] sends.
    pub fn query_subscriptions_request(&self, query: &SubscriptionsQuery) -> Request {
        Request::post_json(
            "_apis/hooks/subscriptionsquery",
            serde_json::to_value(query).expect("a query always serializes"),
        )
        .api_version(API_VERSION)
    }

    /// One subscription.
    pub async fn subscription(&self, id: &SubscriptionId) -> Result<Subscription, Error> {
        self.get_json(Request::get(subscription_path(id)).api_version(API_VERSION))
            .await
    }

    /// Creates a subscription. Not retried on 5xx: on an ambiguous failure, look it up before
    /// creating again.
    pub async fn create_subscription(
        &self,
        input: &SubscriptionBody,
    ) -> Result<Subscription, Error> {
        self.get_json(self.create_subscription_request(input)).await
    }

    /// The request [`AdoClient::create_subscription`] sends (it holds the secret in its body).
    pub fn create_subscription_request(&self, input: &SubscriptionBody) -> Request {
        Request::post_json(
            SUBSCRIPTIONS,
            serde_json::to_value(input).expect("a subscription always serializes"),
        )
        .api_version(API_VERSION)
    }

    /// Replaces a subscription (`PUT`): its filters, consumer inputs and, with
    /// `input.status = Some(SubscriptionStatus::Enabled)`, its status.
    pub async fn replace_subscription(
        &self,
        id: &SubscriptionId,
        input: &SubscriptionBody,
    ) -> Result<Subscription, Error> {
        let mut body = serde_json::to_value(input).expect("a subscription always serializes");
        body["id"] = json!(id);
        self.get_json(Request::put_json(subscription_path(id), body).api_version(API_VERSION))
            .await
    }

    /// Deletes a subscription. A 404 comes back as [`Error::Status`] with status 404; callers
    /// removing what they own treat it as "already gone".
    pub async fn delete_subscription(&self, id: &SubscriptionId) -> Result<(), Error> {
        self.send(self.delete_subscription_request(id)).await?;
        Ok(())
    }

    /// The request [`AdoClient::delete_subscription`] sends.
    pub fn delete_subscription_request(&self, id: &SubscriptionId) -> Request {
        Request::delete(subscription_path(id)).api_version(API_VERSION)
    }

    /// `POST _apis/hooks/testnotifications`: fires a sample event through the settings given.
    /// The answer may still be queued; poll [`AdoClient::notification`] for the result.
    pub async fn send_test_notification(
        &self,
        test: &TestNotification,
        use_real_data: bool,
    ) -> Result<Notification, Error> {
        let body = serde_json::to_value(test).expect("a test notification always serializes");
        self.get_json(
            Request::post_json("_apis/hooks/testnotifications", body)
                .query("useRealData", use_real_data)
                .api_version(API_VERSION),
        )
        .await
    }

    /// Recent notifications (deliveries) of a subscription, newest first as the server sorts.
    pub async fn notifications(
        &self,
        subscription_id: &SubscriptionId,
        filter: &NotificationFilter,
    ) -> Result<Vec<Notification>, Error> {
        let mut request = Request::get(format!(
            "{}/notifications",
            subscription_path(subscription_id)
        ));
        if let Some(max) = filter.max_results {
            request = request.query("maxResults", max);
        }
        if let Some(status) = &filter.status {
            request = request.query("status", status);
        }
        if let Some(result) = &filter.result {
            request = request.query("result", result);
        }
        request.api_version(API_VERSION).send_list(self).await
    }

    /// One notification of a subscription.
    pub async fn notification(
        &self,
        subscription_id: &SubscriptionId,
        notification_id: i64,
    ) -> Result<Notification, Error> {
        self.get_json(
            Request::get(format!(
                "{}/notifications/{notification_id}",
                subscription_path(subscription_id)
            ))
            .api_version(API_VERSION),
        )
        .await
    }
}

/// An event type a publisher offers (`EventTypeDescriptor`), as much as the wizard reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventTypeDescriptor {
    /// E.g. `git.push`.
    pub id: String,
    /// E.g. `Code pushed`.
    #[serde(default)]
    pub name: Option<String>,
}

impl AdoClient {
    /// `GET _apis/hooks/publishers/{publisherId}/eventtypes`: the events a publisher (`tfs`)
    /// offers on this server.
    pub async fn event_types(&self, publisher_id: &str) -> Result<Vec<EventTypeDescriptor>, Error> {
        self.event_types_request(publisher_id).send_list(self).await
    }

    /// The request [`AdoClient::event_types`] sends.
    pub fn event_types_request(&self, publisher_id: &str) -> Request {
        Request::get(format!(
            "_apis/hooks/publishers/{}/eventtypes",
            encode_segment(publisher_id)
        ))
        .api_version(API_VERSION)
    }
}

/// Input maps are `{string: string}` in the spec; a server that sends a number, a boolean or a
/// null still decodes (numbers and booleans as text, nulls dropped).
fn string_map<'de, D: Deserializer<'de>>(de: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: Option<BTreeMap<String, serde_json::Value>> = Option::deserialize(de)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| match v {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some((k, s)),
            other => Some((k, other.to_string())),
        })
        .collect())
}

/// A count that may arrive as a number or a string ("format: byte" in the spec).
fn lenient_u32<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u32>, D::Error> {
    let raw: Option<serde_json::Value> = Option::deserialize(de)?;
    Ok(match raw {
        Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_decode_leniently_and_debug_hides_secrets() {
        let s: Subscription = serde_json::from_value(json!({
            "id": "0b5a5b6e-0000-4000-8000-000000000001",
            "publisherId": "tfs",
            "eventType": "git.push",
            "publisherInputs": {"projectId": "p", "tfsSubscriptionId": 42, "branch": null},
            "consumerInputs": {"url": "https://h/x", "httpHeaders": "X-S:topsecret", "basicAuthPassword": "pw"},
            "status": "onProbation",
            "probationRetries": "3",
            "createdBy": {"displayName": "Ada", "id": "1"}
        }))
        .unwrap();
        assert_eq!(s.publisher_inputs["tfsSubscriptionId"], "42");
        assert!(!s.publisher_inputs.contains_key("branch"), "nulls dropped");
        assert_eq!(s.probation_retries, Some(3));
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("topsecret") && !debug.contains("\"pw\""),
            "{debug}"
        );
        let minimal: Subscription = serde_json::from_value(json!({"id": "x"})).unwrap();
        assert!(minimal.consumer_inputs.is_empty() && minimal.status.is_none());
    }

    #[test]
    fn queries_serialize_as_the_spec_names_them() {
        let query = SubscriptionsQuery {
            publisher_id: Some("tfs".into()),
            consumer_id: Some("webHooks".into()),
            publisher_input_filters: vec![InputFilter::equals("projectId", "p")],
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&query).unwrap(),
            json!({
                "publisherId": "tfs",
                "consumerId": "webHooks",
                "publisherInputFilters": [{"conditions": [
                    {"inputId": "projectId", "inputValue": "p", "operator": "equals", "caseSensitive": false}
                ]}]
            })
        );
    }

    #[test]
    fn list_filters_go_in_the_query_string() {
        let client = AdoClient::new(crate::ClientConfig::new(
            url::Url::parse("https://dev.azure.com/fabrikam").unwrap(),
            crate::Credential::Anonymous,
        ))
        .unwrap();
        let request = client.subscriptions_where_request(&SubscriptionFilter {
            publisher_id: Some("tfs".into()),
            consumer_id: Some("webHooks".into()),
            ..Default::default()
        });
        assert_eq!(
            client.url_for(&request).unwrap().as_str(),
            "https://dev.azure.com/fabrikam/_apis/hooks/subscriptions?publisherId=tfs&consumerId=webHooks&api-version=7.0"
        );
    }
}
