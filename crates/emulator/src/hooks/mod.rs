//! Service hooks: subscriptions, events, deliveries and their history.
//!
//! - The REST routes are in `routes/hooks/` (spec `hooks/7.1/serviceHooks.json`).
//! - [`Event`]s are fired from a test ([`crate::Emulator::fire`]) or with
//!   `POST /_emulator/events` (`routes/control.rs`); each changes the world (`events/`) and is
//!   delivered to the matching subscriptions as a real HTTP POST (`delivery.rs`), only ever to
//!   loopback addresses. Every delivery is recorded as a [`Notification`].
//! - Failed deliveries move subscriptions through `onProbation` to `disabledBySystem` as the
//!   service does (docs `service-hooks/troubleshoot.md`; see [`DeliveryConfig`]).
//!
//! Subscriptions and notifications live in a [`HookStore`] next to the world
//! ([`crate::WorldHandle`]); lock order is always the world first, then the store.

mod delivery;
mod errors;
mod events;
pub(crate) mod inputs;
pub(crate) mod wire;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::delivery::{DeliveryConfig, Fired, HooksThrottle};
pub(crate) use self::delivery::{Engine, Job, Throttle};
pub(crate) use self::events::{event_of, payload, test_occurrence};
pub use self::events::{Event, EventKind};
pub(crate) use self::wire::{attach_body, finish_deferred, Deferred};

use crate::world::{HostPath, WorldHandle};

/// The POST for a notification to the receiver named by consumer inputs (secrets in clear).
pub(crate) fn delivery_job(
    host_id: Uuid,
    notification_id: i64,
    subscription_id: Option<Uuid>,
    consumer_inputs: &[(String, String)],
    body: Value,
) -> Job {
    Job::for_inputs(
        host_id,
        notification_id,
        subscription_id,
        consumer_inputs,
        body,
    )
}
use crate::{Emulator, Error};

/// A subscription's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionStatus {
    /// Delivering.
    Enabled,
    /// Restricted after failures; a success re-enables it.
    OnProbation,
    /// Turned off by a user (`PUT` with this status).
    DisabledByUser,
    /// Turned off after a `410` or too many failures on probation.
    DisabledBySystem,
    /// The owner left or lost permissions (not produced by the emulator).
    DisabledByInactiveIdentity,
}

impl SubscriptionStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Enabled => "enabled",
            SubscriptionStatus::OnProbation => "onProbation",
            SubscriptionStatus::DisabledByUser => "disabledByUser",
            SubscriptionStatus::DisabledBySystem => "disabledBySystem",
            SubscriptionStatus::DisabledByInactiveIdentity => "disabledByInactiveIdentity",
        }
    }

    /// Parses a wire value (any case).
    pub fn parse(raw: &str) -> Option<Self> {
        [
            SubscriptionStatus::Enabled,
            SubscriptionStatus::OnProbation,
            SubscriptionStatus::DisabledByUser,
            SubscriptionStatus::DisabledBySystem,
            SubscriptionStatus::DisabledByInactiveIdentity,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
    }

    /// Whether events are delivered.
    pub fn delivers(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Enabled | SubscriptionStatus::OnProbation
        )
    }
}

/// A service-hook subscription.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Subscription {
    /// `id`.
    pub id: Uuid,
    /// The organization or collection it belongs to (its `instanceId`).
    pub host_id: Uuid,
    /// `tfs`.
    pub publisher_id: String,
    /// E.g. `git.push`.
    pub event_type: String,
    /// As given (`null` when not).
    pub resource_version: Option<String>,
    /// `webHooks`.
    pub consumer_id: String,
    /// `httpRequest`.
    pub consumer_action_id: String,
    /// Filters, plus `hostId` and `tfsSubscriptionId` the server adds; sorted by name.
    pub publisher_inputs: BTreeMap<String, String>,
    /// In the order given, secrets in clear (the REST answers mask them).
    pub consumer_inputs: Vec<(String, String)>,
    /// `status`.
    pub status: SubscriptionStatus,
    /// `probationRetries`.
    pub probation_retries: u8,
    /// `lastProbationRetryDate`.
    pub last_probation_retry_date: Option<OffsetDateTime>,
    /// Identity id of `createdBy`.
    pub created_by: Uuid,
    /// `createdDate`.
    pub created_date: OffsetDateTime,
    /// Identity id of `modifiedBy`.
    pub modified_by: Uuid,
    /// `modifiedDate`.
    pub modified_date: OffsetDateTime,
}

impl Subscription {
    /// The project it filters on, if any.
    pub fn project_id(&self) -> Option<Uuid> {
        self.publisher_inputs
            .get("projectId")
            .and_then(|p| Uuid::parse_str(p.trim()).ok())
    }

    /// A consumer input's value (in clear).
    pub fn consumer_input(&self, id: &str) -> Option<&str> {
        self.consumer_inputs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, v)| v.as_str())
    }
}

/// A notification's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationStatus {
    /// Waiting.
    Queued,
    /// Being prepared.
    Processing,
    /// Being sent (including retries of transient failures).
    RequestInProgress,
    /// Done.
    Completed,
}

impl NotificationStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationStatus::Queued => "queued",
            NotificationStatus::Processing => "processing",
            NotificationStatus::RequestInProgress => "requestInProgress",
            NotificationStatus::Completed => "completed",
        }
    }
}

/// A notification's `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationResult {
    /// Not completed yet.
    Pending,
    /// The consumer answered 2xx.
    Succeeded,
    /// It did not.
    Failed,
    /// Filtered out (not produced by the emulator).
    Filtered,
}

impl NotificationResult {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationResult::Pending => "pending",
            NotificationResult::Succeeded => "succeeded",
            NotificationResult::Failed => "failed",
            NotificationResult::Filtered => "filtered",
        }
    }
}

/// One delivery of an event to a subscription (or a test notification): Azure DevOps calls it
/// a notification.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// `id`, numbered per organization or collection.
    pub id: i64,
    /// The organization or collection.
    pub host_id: Uuid,
    /// The subscription; nil for a test of a subscription not yet saved.
    pub subscription_id: Uuid,
    /// Who last touched the subscription (or the tester).
    pub subscriber_id: Uuid,
    /// The event's `id`.
    pub event_id: Uuid,
    /// `details.eventType`.
    pub event_type: String,
    /// `details.publisherId`.
    pub publisher_id: String,
    /// `details.consumerId`.
    pub consumer_id: String,
    /// `details.consumerActionId`.
    pub consumer_action_id: String,
    /// `details.publisherInputs`.
    pub publisher_inputs: BTreeMap<String, String>,
    /// `details.consumerInputs`, confidential values masked.
    pub consumer_inputs: Vec<(String, String)>,
    /// `status`.
    pub status: NotificationStatus,
    /// `result`.
    pub result: NotificationResult,
    /// `createdDate`.
    pub created_date: OffsetDateTime,
    /// `modifiedDate`.
    pub modified_date: OffsetDateTime,
    /// `details.queuedDate`.
    pub queued_date: Option<OffsetDateTime>,
    /// `details.dequeuedDate`.
    pub dequeued_date: Option<OffsetDateTime>,
    /// `details.processedDate`.
    pub processed_date: Option<OffsetDateTime>,
    /// `details.completedDate`.
    pub completed_date: Option<OffsetDateTime>,
    /// Where it was (or would have been) sent.
    pub url: String,
    /// The JSON body sent.
    pub payload: Value,
    /// `details.request`: method, URI, headers (values masked) and content.
    pub request: Option<String>,
    /// `details.response`: status, headers and content.
    pub response: Option<String>,
    /// `details.errorMessage`.
    pub error_message: Option<String>,
    /// `details.errorDetail`.
    pub error_detail: Option<String>,
    /// The consumer's last HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// `details.requestAttempts`.
    pub request_attempts: u32,
    /// `details.requestDuration` (seconds).
    pub request_duration: Option<f64>,
    /// A test notification (`POST _apis/hooks/testnotifications`).
    pub is_test: bool,
}

impl Notification {
    /// A notification just queued at `now` for `url` with `payload`: ids and routing empty,
    /// for the caller to fill in with struct update syntax (one place for the 18 fields a
    /// queued notification starts with, shared by deliveries and test notifications).
    pub(crate) fn queued(now: OffsetDateTime, url: String, payload: Value) -> Notification {
        Notification {
            id: 0,
            host_id: Uuid::nil(),
            subscription_id: Uuid::nil(),
            subscriber_id: Uuid::nil(),
            event_id: Uuid::nil(),
            event_type: String::new(),
            publisher_id: String::new(),
            consumer_id: String::new(),
            consumer_action_id: String::new(),
            publisher_inputs: BTreeMap::new(),
            consumer_inputs: Vec::new(),
            status: NotificationStatus::Queued,
            result: NotificationResult::Pending,
            created_date: now,
            modified_date: now,
            queued_date: Some(now),
            dequeued_date: None,
            processed_date: None,
            completed_date: None,
            url,
            payload,
            request: None,
            response: None,
            error_message: None,
            error_detail: None,
            status_code: None,
            request_attempts: 0,
            request_duration: None,
            is_test: false,
        }
    }
}

/// Subscriptions and notifications of all hosts.
#[derive(Debug, Default)]
pub struct HookStore {
    pub(crate) subscriptions: Vec<Subscription>,
    pub(crate) notifications: Vec<Notification>,
    next_notification: HashMap<Uuid, i64>,
    next_push: HashMap<Uuid, u64>,
}

impl HookStore {
    /// The next notification id of a host.
    pub(crate) fn next_notification_id(&mut self, host_id: Uuid) -> i64 {
        let next = self.next_notification.entry(host_id).or_insert(0);
        *next += 1;
        *next
    }

    /// The next push id of a repository.
    pub(crate) fn next_push_id(&mut self, repository_id: Uuid) -> u64 {
        let next = self.next_push.entry(repository_id).or_insert(0);
        *next += 1;
        *next
    }

    pub(crate) fn subscription(&self, id: Uuid) -> Option<&Subscription> {
        self.subscriptions.iter().find(|s| s.id == id)
    }

    pub(crate) fn subscription_mut(&mut self, id: Uuid) -> Option<&mut Subscription> {
        self.subscriptions.iter_mut().find(|s| s.id == id)
    }

    pub(crate) fn notification_mut(&mut self, host_id: Uuid, id: i64) -> Option<&mut Notification> {
        self.notifications
            .iter_mut()
            .find(|n| n.host_id == host_id && n.id == id)
    }
}

impl WorldHandle {
    pub(crate) fn hooks(&self) -> std::sync::MutexGuard<'_, HookStore> {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The service-hook subscriptions of an organization or collection, oldest first.
    pub fn subscriptions(&self, host: &HostPath) -> Result<Vec<Subscription>, Error> {
        let host_id = {
            let world = self.read();
            let (host_ref, _) = world.host_by_path(host)?;
            world.host_id(host_ref)
        };
        Ok(self
            .hooks()
            .subscriptions
            .iter()
            .filter(|s| s.host_id == host_id)
            .cloned()
            .collect())
    }

    /// A subscription by id.
    pub fn subscription(&self, id: Uuid) -> Option<Subscription> {
        self.hooks().subscription(id).cloned()
    }

    /// The notifications of a subscription (nil: tests of unsaved subscriptions), oldest first.
    pub fn notifications(&self, subscription: Uuid) -> Vec<Notification> {
        self.hooks()
            .notifications
            .iter()
            .filter(|n| n.subscription_id == subscription)
            .cloned()
            .collect()
    }

    /// Sets a subscription's status as the system would (e.g. `DisabledBySystem` to see how a
    /// client reports it). Returns whether the subscription exists.
    pub fn set_subscription_status(&self, id: Uuid, status: SubscriptionStatus) -> bool {
        let mut store = self.hooks();
        let Some(subscription) = store.subscription_mut(id) else {
            return false;
        };
        subscription.status = status;
        if status == SubscriptionStatus::Enabled {
            subscription.probation_retries = 0;
        }
        subscription.modified_date = OffsetDateTime::now_utc();
        true
    }
}

impl crate::world::World {
    /// A host named by a [`HostPath`], with its id.
    pub(crate) fn host_by_path(
        &self,
        host: &HostPath,
    ) -> Result<(crate::world::HostRef, Uuid), Error> {
        let host_ref = match host {
            HostPath::Organization(name) => self
                .organization_index(name)
                .map(crate::world::HostRef::Organization)
                .ok_or_else(|| Error::NotFound(format!("organization {name:?}")))?,
            HostPath::Collection { server, collection } => self
                .collection_index(server, collection)
                .map(|(s, c)| crate::world::HostRef::Collection(s, c))
                .ok_or_else(|| Error::NotFound(format!("collection {server}/{collection}")))?,
        };
        Ok((host_ref, self.host_id(host_ref)))
    }
}

impl Emulator {
    /// Fires an event: changes the world (a push, a new or merged pull request, a finished
    /// build), delivers it to every matching subscription, and waits for those deliveries
    /// (retries included). Returns their notifications.
    ///
    /// Errors: [`Error::NotFound`] for an unknown host, project, repository, user or pull
    /// request; [`Error::InvalidEvent`] for values the service does not know.
    pub async fn fire(&self, event: Event) -> Result<Vec<Notification>, Error> {
        self.hooks.fire(&event, true).await.map(|(_, done)| done)
    }

    /// Fires an event and returns at once; deliveries run in the background (await them with
    /// [`Emulator::wait_for_deliveries`]).
    pub fn fire_in_background(&self, event: Event) -> Result<Fired, Error> {
        self.hooks.fire_in_background(&event)
    }

    /// Waits until no delivery is in flight.
    pub async fn wait_for_deliveries(&self) {
        self.hooks.wait_idle().await;
    }

    /// Every notification of every host (test notifications included), oldest first.
    pub fn deliveries(&self) -> Vec<Notification> {
        self.world.hooks().notifications.clone()
    }

    /// Replaces the delivery settings (timeouts, retries, probation).
    pub fn set_delivery_config(&self, config: DeliveryConfig) {
        self.hooks.set_config(config);
    }

    /// The delivery settings in force.
    pub fn delivery_config(&self) -> DeliveryConfig {
        self.hooks.config()
    }

    /// Makes the next hooks requests answer `429` (or `200` with rate-limit headers).
    pub fn throttle_hooks(&self, throttle: HooksThrottle) {
        self.hooks.set_throttle(throttle);
    }

    /// Makes deliveries to a subscription fail with `status` (e.g. `503`, `410`) without
    /// contacting its receiver, until [`Emulator::clear_delivery_failures`].
    pub fn fail_deliveries(&self, subscription: Uuid, status: u16) {
        self.hooks.force_failure(subscription, Some(status));
    }

    /// Undoes [`Emulator::fail_deliveries`].
    pub fn clear_delivery_failures(&self, subscription: Uuid) {
        self.hooks.force_failure(subscription, None);
    }
}
