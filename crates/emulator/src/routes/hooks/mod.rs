//! `_apis/hooks/…` (spec `hooks/7.1/serviceHooks.json`): subscriptions, their query, test
//! notifications, notification history, the `tfs` publisher and its event types, and the
//! `webHooks` consumer.
//!
//! Order of checks for a write, after the dispatcher's (host, credentials, route scope,
//! `api-version`): body, required members, the token's scopes for the event type (403 "No
//! scope found"; reads 404 "Not found", as the service's `CheckScope` does), publisher, event
//! type, consumer and action (404), publisher inputs (400), the project (404), the
//! EditSubscriptions permission (403 `AccessCheckException`), consumer inputs (400).
//! Listing shows only what ViewSubscriptions and the token's scopes allow, silently.

use std::collections::BTreeMap;

use axum::http::request::Parts;
use axum::http::{HeaderName, StatusCode};
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::locations::LocationDef;
use super::projects;
use super::{Answer, Incoming};
use crate::auth::Principal;
use crate::errors::VssError;
use crate::hooks::delivery_job;
use crate::hooks::inputs::{
    self, event_type, scopes_cover, validate_consumer_inputs, validate_publisher_inputs, ACTION_ID,
    CONSUMER_ID, MASK, PUBLISHER_ID,
};
use crate::hooks::wire::{field, field_str, request_json};
use crate::hooks::{
    event_of, payload, test_occurrence, Deferred, Notification, NotificationResult,
    NotificationStatus, Subscription, SubscriptionStatus,
};
use crate::permissions::{self, bits};
use crate::resources::identities::identity_ref;
use crate::resources::{format_time, Site};
use crate::state::AppState;
use crate::versions::ApiVersion;

mod handlers;
mod renderers;

use self::handlers::*;
pub(crate) use self::renderers::*;

/// Scopes of which a token needs one for any hooks route (spec: `vso.work`, `vso.build`,
/// `vso.code`; the service's own table adds `vso.hooks`, `vso.hooks_write`).
pub(crate) const ROUTE_SCOPES: &[&str] = &[
    "vso.code",
    "vso.build",
    "vso.work",
    "vso.hooks",
    "vso.hooks_write",
    "vso.hooks_interact",
];

const fn location(id: &'static str, resource: &'static str, template: &'static str) -> LocationDef {
    LocationDef {
        id,
        area: "hooks",
        resource_name: resource,
        route_template: template,
        resource_version: 1,
        min_version: ApiVersion::new(1, 0),
        preview_only: false,
    }
}

/// Location ids are the Python SDK's (`service_hooks_client.py`); templates follow the paths.
pub(crate) const SUBSCRIPTIONS: LocationDef = location(
    "fc50d02a-849f-41fb-8af1-0a5216103269",
    "subscriptions",
    "_apis/{area}/{resource}/{subscriptionId}",
);
pub(crate) const SUBSCRIPTIONS_QUERY: LocationDef = location(
    "c7c3c1cf-9e05-4c0d-a425-a0f922c2c6ed",
    "subscriptionsQuery",
    "_apis/{area}/{resource}",
);
pub(crate) const NOTIFICATIONS: LocationDef = location(
    "0c62d343-21b0-4732-997b-017fde84dc28",
    "notifications",
    "_apis/{area}/subscriptions/{subscriptionId}/{resource}/{notificationId}",
);
pub(crate) const TEST_NOTIFICATIONS: LocationDef = location(
    "1139462c-7e27-4524-a997-31b9b73551fe",
    "testNotifications",
    "_apis/{area}/{resource}",
);
pub(crate) const PUBLISHERS: LocationDef = location(
    "1e83a210-5b53-43bc-90f0-d476a4e5d731",
    "publishers",
    "_apis/{area}/{resource}/{publisherId}",
);
pub(crate) const EVENT_TYPES: LocationDef = location(
    "db4777cd-8e08-4a84-8ba3-c974ea033718",
    "eventTypes",
    "_apis/{area}/publishers/{publisherId}/{resource}/{eventTypeId}",
);
pub(crate) const CONSUMERS: LocationDef = location(
    "4301c514-5f34-4f5d-a145-f0ea7b5b7d19",
    "consumers",
    "_apis/{area}/{resource}/{consumerId}",
);
pub(crate) const CONSUMER_ACTIONS: LocationDef = location(
    "c3428e90-7a69-4194-8ed8-0f153185ee0d",
    "actions",
    "_apis/{area}/consumers/{consumerId}/{resource}/{consumerActionId}",
);

/// A hooks route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HooksRoute<'a> {
    ListSubscriptions,
    CreateSubscription,
    GetSubscription(&'a str),
    /// `PUT subscriptions[/{id}]` (the id may come in the body).
    ReplaceSubscription(Option<&'a str>),
    DeleteSubscription(&'a str),
    QuerySubscriptions,
    TestNotification,
    ListNotifications(&'a str),
    GetNotification(&'a str, &'a str),
    ListPublishers,
    GetPublisher(&'a str),
    ListEventTypes(&'a str),
    GetEventType(&'a str, &'a str),
    ListConsumers,
    GetConsumer(&'a str),
    ListConsumerActions(&'a str),
    GetConsumerAction(&'a str, &'a str),
}

impl<'a> HooksRoute<'a> {
    pub fn parse(method: &axum::http::Method, rest: &'a [String], lower: &[&str]) -> Option<Self> {
        use axum::http::Method;
        let get = method == Method::GET || method == Method::HEAD;
        let post = method == Method::POST;
        let s = |i: usize| rest[i].as_str();
        let route = match lower {
            ["_apis", "hooks", "subscriptions"] if get => HooksRoute::ListSubscriptions,
            ["_apis", "hooks", "subscriptions"] if post => HooksRoute::CreateSubscription,
            ["_apis", "hooks", "subscriptions"] if method == Method::PUT => {
                HooksRoute::ReplaceSubscription(None)
            }
            ["_apis", "hooks", "subscriptions", _] if get => HooksRoute::GetSubscription(s(3)),
            ["_apis", "hooks", "subscriptions", _] if method == Method::PUT => {
                HooksRoute::ReplaceSubscription(Some(s(3)))
            }
            ["_apis", "hooks", "subscriptions", _] if method == Method::DELETE => {
                HooksRoute::DeleteSubscription(s(3))
            }
            ["_apis", "hooks", "subscriptionsquery"] if post => HooksRoute::QuerySubscriptions,
            ["_apis", "hooks", "testnotifications"] if post => HooksRoute::TestNotification,
            ["_apis", "hooks", "subscriptions", _, "notifications"] if get => {
                HooksRoute::ListNotifications(s(3))
            }
            ["_apis", "hooks", "subscriptions", _, "notifications", _] if get => {
                HooksRoute::GetNotification(s(3), s(5))
            }
            ["_apis", "hooks", "publishers"] if get => HooksRoute::ListPublishers,
            ["_apis", "hooks", "publishers", _] if get => HooksRoute::GetPublisher(s(3)),
            ["_apis", "hooks", "publishers", _, "eventtypes"] if get => {
                HooksRoute::ListEventTypes(s(3))
            }
            ["_apis", "hooks", "publishers", _, "eventtypes", _] if get => {
                HooksRoute::GetEventType(s(3), s(5))
            }
            ["_apis", "hooks", "consumers"] if get => HooksRoute::ListConsumers,
            ["_apis", "hooks", "consumers", _] if get => HooksRoute::GetConsumer(s(3)),
            ["_apis", "hooks", "consumers", _, "actions"] if get => {
                HooksRoute::ListConsumerActions(s(3))
            }
            ["_apis", "hooks", "consumers", _, "actions", _] if get => {
                HooksRoute::GetConsumerAction(s(3), s(5))
            }
            _ => return None,
        };
        Some(route)
    }

    pub fn location(&self) -> &'static LocationDef {
        match self {
            HooksRoute::ListSubscriptions
            | HooksRoute::CreateSubscription
            | HooksRoute::GetSubscription(_)
            | HooksRoute::ReplaceSubscription(_)
            | HooksRoute::DeleteSubscription(_) => &SUBSCRIPTIONS,
            HooksRoute::QuerySubscriptions => &SUBSCRIPTIONS_QUERY,
            HooksRoute::TestNotification => &TEST_NOTIFICATIONS,
            HooksRoute::ListNotifications(_) | HooksRoute::GetNotification(..) => &NOTIFICATIONS,
            HooksRoute::ListPublishers | HooksRoute::GetPublisher(_) => &PUBLISHERS,
            HooksRoute::ListEventTypes(_) | HooksRoute::GetEventType(..) => &EVENT_TYPES,
            HooksRoute::ListConsumers | HooksRoute::GetConsumer(_) => &CONSUMERS,
            HooksRoute::ListConsumerActions(_) | HooksRoute::GetConsumerAction(..) => {
                &CONSUMER_ACTIONS
            }
        }
    }
}

/// Answers a hooks route, after the hooks throttle.
pub(crate) fn respond(
    state: &AppState,
    site: &Site<'_>,
    principal: &Principal,
    incoming: &Incoming<'_>,
    parts: &Parts,
    route: HooksRoute<'_>,
) -> Result<Answer, VssError> {
    let now_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let warn = match state.hooks.throttle_decision() {
        crate::hooks::Throttle::Reject(secs) => return Err(VssError::rate_limited(secs, now_unix)),
        crate::hooks::Throttle::Warn(secs) => Some(secs),
        crate::hooks::Throttle::Pass => None,
    };
    let ctx = Ctx {
        state,
        site,
        principal,
    };
    let mut answer = match route {
        HooksRoute::ListSubscriptions => ctx.list_subscriptions(incoming).map(Answer::json),
        HooksRoute::CreateSubscription => ctx.create(parts).map(Answer::json),
        HooksRoute::GetSubscription(id) => ctx.get(id).map(Answer::json),
        HooksRoute::ReplaceSubscription(id) => ctx.replace(id, parts).map(Answer::json),
        HooksRoute::DeleteSubscription(id) => ctx.delete(id).map(|()| Answer {
            status: StatusCode::NO_CONTENT,
            ..Answer::json(Value::Null)
        }),
        HooksRoute::QuerySubscriptions => ctx.query(parts).map(Answer::json),
        HooksRoute::TestNotification => ctx.test_notification(parts, incoming),
        HooksRoute::ListNotifications(id) => ctx.notifications(id, incoming).map(Answer::json),
        HooksRoute::GetNotification(id, n) => ctx.notification(id, n).map(Answer::json),
        HooksRoute::ListPublishers => {
            let value = vec![inputs::publisher(&site.base())];
            Ok(Answer::json(json!({ "count": 1, "value": value })))
        }
        HooksRoute::GetPublisher(id) => {
            publisher_id(id).map(|_| Answer::json(inputs::publisher(&site.base())))
        }
        HooksRoute::ListEventTypes(id) => publisher_id(id).map(|_| {
            let base = site.base();
            let value: Vec<Value> = inputs::EVENT_TYPES
                .iter()
                .map(|e| inputs::event_type_descriptor(&base, e))
                .collect();
            Answer::json(json!({ "count": value.len(), "value": value }))
        }),
        HooksRoute::GetEventType(id, event) => publisher_id(id).and_then(|_| {
            event_type(event)
                .map(|e| Answer::json(inputs::event_type_descriptor(&site.base(), e)))
                .ok_or_else(|| VssError::event_type_not_found(PUBLISHER_ID, event))
        }),
        HooksRoute::ListConsumers => Ok(Answer::json(
            json!({ "count": 1, "value": [inputs::consumer(&site.base())] }),
        )),
        HooksRoute::GetConsumer(id) => {
            consumer_id(id).map(|_| Answer::json(inputs::consumer(&site.base())))
        }
        HooksRoute::ListConsumerActions(id) => consumer_id(id).map(|_| {
            Answer::json(json!({ "count": 1, "value": [inputs::consumer_action(&site.base())] }))
        }),
        HooksRoute::GetConsumerAction(id, action) => consumer_id(id).and_then(|_| {
            if action.eq_ignore_ascii_case(ACTION_ID) {
                Ok(Answer::json(inputs::consumer_action(&site.base())))
            } else {
                Err(VssError::consumer_action_not_found(CONSUMER_ID, action))
            }
        }),
    }?;
    if let Some(secs) = warn {
        let headers = [
            ("retry-after", secs.to_string()),
            ("x-ratelimit-resource", "Count".to_string()),
            ("x-ratelimit-delay", "0.500".to_string()),
            ("x-ratelimit-limit", "200".to_string()),
            ("x-ratelimit-remaining", "0".to_string()),
            ("x-ratelimit-reset", (now_unix + secs).to_string()),
        ];
        for (name, value) in headers {
            answer.headers.push((HeaderName::from_static(name), value));
        }
    }
    Ok(answer)
}

fn publisher_id(id: &str) -> Result<(), VssError> {
    if id.eq_ignore_ascii_case(PUBLISHER_ID) {
        Ok(())
    } else {
        Err(VssError::publisher_not_found(id))
    }
}

fn consumer_id(id: &str) -> Result<(), VssError> {
    if id.eq_ignore_ascii_case(CONSUMER_ID) {
        Ok(())
    } else {
        Err(VssError::consumer_not_found(id))
    }
}
