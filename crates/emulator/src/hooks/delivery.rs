//! Deliveries: real HTTP POSTs to the subscribers' receivers, their history, and what failures
//! do to a subscription.
//!
//! Each matching subscription gets a [`Notification`] (queued, pending), then a POST of the
//! payload with `Content-Type: application/json; charset=utf-8`, the subscription's
//! `httpHeaders` and basic authentication; redirects are not followed, no proxy is used, and
//! **only loopback receivers are contacted** (anything else is recorded as failed without a
//! request). Failure handling follows docs `service-hooks/troubleshoot.md` and the service's
//! own `HandleNotificationFailure`:
//!
//! - `2xx`: succeeded; a subscription on probation is enabled again.
//! - `410 Gone` (terminal): `disabledBySystem` at once.
//! - `408`, `502`, `503`, `504`, timeouts and connection errors (transient): retried
//!   [`DeliveryConfig::transient_retries`] times with doubling waits; still failing, they count
//!   as an enduring failure.
//! - anything else (enduring): an enabled subscription goes `onProbation`; one already on
//!   probation is `disabledBySystem` once its `probationRetries` reached
//!   [`DeliveryConfig::max_probation_retries`]. Every event delivered while on probation
//!   counts one probation retry.
//!
//! Test notifications never change a subscription and are not retried.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use tokio::sync::watch;
use uuid::Uuid;

use super::events::{apply, matches, payload, Event};
use super::inputs::{self, parse_headers};
use super::{Notification, NotificationResult, NotificationStatus, SubscriptionStatus};
use crate::world::WorldHandle;
use crate::Error;

/// Delivery settings. The defaults are the service's documented counts with the emulator's
/// short timeout; tests usually shrink the waits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryConfig {
    /// Per request. Default 5 s.
    pub timeout: Duration,
    /// Retries after a transient failure. Default 8 (docs).
    pub transient_retries: u32,
    /// Wait before the first retry; doubles each time (docs: ~1 s, 2 s, 4 s …). Default 1 s.
    pub retry_backoff: Duration,
    /// Longest wait between retries (docs: 60 s). Default 60 s.
    pub max_retry_backoff: Duration,
    /// Probation retries after which a failing subscription is disabled (docs and service: 7).
    pub max_probation_retries: u8,
    /// While on probation, events within this much of the last probation retry are skipped
    /// (the service waits ~20 min, doubling). Default zero: every event is delivered.
    pub probation_backoff: Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            timeout: Duration::from_secs(5),
            transient_retries: 8,
            retry_backoff: Duration::from_secs(1),
            max_retry_backoff: Duration::from_secs(60),
            max_probation_retries: 7,
            probation_backoff: Duration::ZERO,
        }
    }
}

impl DeliveryConfig {
    /// Quick settings for tests: 2 s timeout, `retries` transient retries 10 ms apart,
    /// `probation` probation retries, no probation wait.
    pub fn quick(retries: u32, probation: u8) -> Self {
        DeliveryConfig {
            timeout: Duration::from_secs(2),
            transient_retries: retries,
            retry_backoff: Duration::from_millis(10),
            max_retry_backoff: Duration::from_millis(40),
            max_probation_retries: probation,
            probation_backoff: Duration::ZERO,
        }
    }
}

/// Rate limiting of the `_apis/hooks/…` routes only, on top of [`crate::Faults`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct HooksThrottle {
    /// The next this many hooks requests get `429 TF400733` with `Retry-After`.
    pub reject_next: u32,
    /// Then the next this many succeed but carry `Retry-After` and `X-RateLimit-*` (a client
    /// must slow down even on a `200`; docs `integrate/concepts/rate-limits.md`).
    pub warn_next: u32,
    /// `Retry-After` seconds. `0` is sent as `1`.
    pub retry_after_secs: u64,
}

impl HooksThrottle {
    /// `429` for the next `n` hooks requests, `Retry-After: secs`.
    pub fn reject(n: u32, secs: u64) -> Self {
        HooksThrottle {
            reject_next: n,
            warn_next: 0,
            retry_after_secs: secs,
        }
    }

    /// `200` with rate-limit headers for the next `n` hooks requests.
    pub fn warn(n: u32, secs: u64) -> Self {
        HooksThrottle {
            reject_next: 0,
            warn_next: n,
            retry_after_secs: secs,
        }
    }
}

/// What the throttle decided for one hooks request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Throttle {
    Pass,
    Reject(u64),
    Warn(u64),
}

/// An event fired in the background.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Fired {
    /// The event's `id`.
    pub event_id: Uuid,
    /// E.g. `git.push`.
    pub event_type: String,
    /// `(subscriptionId, notificationId)` of each delivery started.
    pub notifications: Vec<(Uuid, i64)>,
}

/// One POST to make.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub host_id: Uuid,
    pub notification_id: i64,
    /// `None` for test notifications.
    pub subscription_id: Option<Uuid>,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub basic: Option<(String, String)>,
    pub accept_untrusted: bool,
    pub body: Value,
}

impl Job {
    /// The POST for a subscription's consumer inputs (secrets in clear).
    pub fn for_inputs(
        host_id: Uuid,
        notification_id: i64,
        subscription_id: Option<Uuid>,
        consumer_inputs: &[(String, String)],
        body: Value,
    ) -> Job {
        let input = |id: &str| {
            consumer_inputs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(id))
                .map(|(_, v)| v.trim().to_string())
        };
        let basic = match (input("basicAuthUsername"), input("basicAuthPassword")) {
            (None, None) => None,
            (user, password) => Some((user.unwrap_or_default(), password.unwrap_or_default())),
        };
        Job {
            host_id,
            notification_id,
            subscription_id,
            url: input("url").unwrap_or_default(),
            headers: input("httpHeaders")
                .map(|h| parse_headers(&h))
                .unwrap_or_default(),
            basic,
            accept_untrusted: input("acceptUntrustedCerts")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            body,
        }
    }
}

/// How one attempt ended.
#[derive(Debug)]
enum Attempt {
    Answered {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        body: String,
    },
    TimedOut(String),
    NotSent(String),
}

/// How a delivery ended, for the subscription's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Terminal,
    Enduring,
    /// Not a loopback receiver: nothing was sent, nothing changes.
    Refused,
}

/// The delivery engine of one emulator.
#[derive(Debug)]
pub struct Engine {
    world: WorldHandle,
    base_url: String,
    client: reqwest::Client,
    /// For `acceptUntrustedCerts=true`.
    lenient: reqwest::Client,
    config: Mutex<DeliveryConfig>,
    throttle: Mutex<HooksThrottle>,
    forced: Mutex<HashMap<Uuid, u16>>,
    in_flight: watch::Sender<usize>,
}

/// Decrements the in-flight count when a delivery task ends, however it ends.
struct InFlight(watch::Sender<usize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether a URL's host is a loopback address (or `localhost`).
pub(crate) fn is_loopback_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Engine {
    pub(crate) fn new(world: WorldHandle, base_url: &str) -> Result<Engine, Error> {
        let build = |lenient: bool| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .danger_accept_invalid_certs(lenient)
                .build()
                .map_err(|e| Error::Tls(e.to_string()))
        };
        let (in_flight, _) = watch::channel(0);
        Ok(Engine {
            world,
            base_url: base_url.to_string(),
            client: build(false)?,
            lenient: build(true)?,
            config: Mutex::new(DeliveryConfig::default()),
            throttle: Mutex::new(HooksThrottle::default()),
            forced: Mutex::new(HashMap::new()),
            in_flight,
        })
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn config(&self) -> DeliveryConfig {
        lock(&self.config).clone()
    }

    pub(crate) fn set_config(&self, config: DeliveryConfig) {
        *lock(&self.config) = config;
    }

    pub(crate) fn set_throttle(&self, throttle: HooksThrottle) {
        *lock(&self.throttle) = throttle;
    }

    pub(crate) fn force_failure(&self, subscription: Uuid, status: Option<u16>) {
        let mut forced = lock(&self.forced);
        match status {
            Some(status) => forced.insert(subscription, status),
            None => forced.remove(&subscription),
        };
    }

    /// Counts one hooks request against the throttle.
    pub(crate) fn throttle_decision(&self) -> Throttle {
        let mut throttle = lock(&self.throttle);
        let secs = throttle.retry_after_secs.max(1);
        if throttle.reject_next > 0 {
            throttle.reject_next -= 1;
            Throttle::Reject(secs)
        } else if throttle.warn_next > 0 {
            throttle.warn_next -= 1;
            Throttle::Warn(secs)
        } else {
            Throttle::Pass
        }
    }

    /// Waits until no delivery is in flight.
    pub(crate) async fn wait_idle(&self) {
        let mut rx = self.in_flight.subscribe();
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Applies an event and queues a notification per matching subscription.
    fn prepare(&self, event: &Event) -> Result<(Fired, Vec<Job>), Error> {
        let mut world = self.world.inner.write().unwrap_or_else(|e| e.into_inner());
        let mut store = self.world.hooks();
        let occurrence = apply(&mut world, &mut store, &self.base_url, event)?;
        drop(world);
        let config = self.config();
        let now = OffsetDateTime::now_utc();
        let mut jobs = Vec::new();
        let candidates: Vec<Uuid> = store
            .subscriptions
            .iter()
            .filter(|s| s.status.delivers() && matches(s, &occurrence))
            .map(|s| s.id)
            .collect();
        for id in candidates {
            let subscription = store.subscription_mut(id).expect("listed above");
            if subscription.status == SubscriptionStatus::OnProbation {
                let waited = subscription
                    .last_probation_retry_date
                    .map(|d| now - d)
                    .unwrap_or(time::Duration::MAX);
                let wait = config
                    .probation_backoff
                    .saturating_mul(1 << subscription.probation_retries.min(16));
                if !config.probation_backoff.is_zero() && waited < wait {
                    continue;
                }
                subscription.probation_retries = subscription.probation_retries.saturating_add(1);
                subscription.last_probation_retry_date = Some(now);
            }
            let subscription = subscription.clone();
            let notification_id = store.next_notification_id(occurrence.host_id);
            let body = payload(
                &occurrence,
                subscription.id,
                notification_id,
                subscription.resource_version.as_deref(),
                &subscription.consumer_inputs,
            );
            let job = Job::for_inputs(
                occurrence.host_id,
                notification_id,
                Some(subscription.id),
                &subscription.consumer_inputs,
                body.clone(),
            );
            store.notifications.push(Notification {
                id: notification_id,
                host_id: occurrence.host_id,
                subscription_id: subscription.id,
                subscriber_id: subscription.modified_by,
                event_id: occurrence.event_id,
                event_type: occurrence.event_type.to_string(),
                publisher_id: subscription.publisher_id.clone(),
                consumer_id: subscription.consumer_id.clone(),
                consumer_action_id: subscription.consumer_action_id.clone(),
                publisher_inputs: subscription.publisher_inputs.clone(),
                consumer_inputs: inputs::masked(&subscription.consumer_inputs),
                ..Notification::queued(now, job.url.clone(), body)
            });
            jobs.push(job);
        }
        let fired = Fired {
            event_id: occurrence.event_id,
            event_type: occurrence.event_type.to_string(),
            notifications: jobs
                .iter()
                .map(|j| (j.subscription_id.unwrap_or_default(), j.notification_id))
                .collect(),
        };
        Ok((fired, jobs))
    }

    /// Starts a delivery task; the in-flight count covers it.
    pub(crate) fn spawn(
        self: &Arc<Self>,
        job: Job,
        retries: bool,
    ) -> tokio::task::JoinHandle<Notification> {
        self.in_flight.send_modify(|n| *n += 1);
        let guard = InFlight(self.in_flight.clone());
        let engine = Arc::clone(self);
        tokio::spawn(async move {
            let _guard = guard;
            engine.deliver(job, retries).await
        })
    }

    /// Fires an event; with `wait`, also waits for its deliveries.
    pub(crate) async fn fire(
        self: &Arc<Self>,
        event: &Event,
        wait: bool,
    ) -> Result<(Fired, Vec<Notification>), Error> {
        let (fired, jobs) = self.prepare(event)?;
        let handles: Vec<_> = jobs.into_iter().map(|job| self.spawn(job, true)).collect();
        let mut done = Vec::new();
        if wait {
            for handle in handles {
                if let Ok(notification) = handle.await {
                    done.push(notification);
                }
            }
        }
        Ok((fired, done))
    }

    pub(crate) fn fire_in_background(self: &Arc<Self>, event: &Event) -> Result<Fired, Error> {
        let (fired, jobs) = self.prepare(event)?;
        for job in jobs {
            self.spawn(job, true);
        }
        Ok(fired)
    }

    fn update(&self, job: &Job, change: impl FnOnce(&mut Notification)) -> Option<Notification> {
        let mut store = self.world.hooks();
        let notification = store.notification_mut(job.host_id, job.notification_id)?;
        change(notification);
        Some(notification.clone())
    }

    /// Sends one notification (with retries of transient failures when `retries`), records
    /// the outcome, and moves the subscription's status.
    pub(crate) async fn deliver(&self, job: Job, retries: bool) -> Notification {
        let config = self.config();
        let started = OffsetDateTime::now_utc();
        self.update(&job, |n| {
            n.status = NotificationStatus::RequestInProgress;
            n.dequeued_date = Some(started);
            n.processed_date = Some(started);
            n.modified_date = started;
        });
        let request_text = request_text(&job);
        let clock = Instant::now();
        let forced = job
            .subscription_id
            .and_then(|id| lock(&self.forced).get(&id).copied());
        let mut attempts = 0;
        let (attempt, outcome) = loop {
            attempts += 1;
            let attempt = if !is_loopback_url(&job.url) {
                Attempt::NotSent(format!(
                    "ado-emulator delivers only to loopback addresses (127.0.0.1, ::1, localhost); {} was not contacted.",
                    job.url
                ))
            } else if let Some(status) = forced {
                Attempt::Answered {
                    status,
                    reason: reason_phrase(status),
                    headers: Vec::new(),
                    body: String::new(),
                }
            } else {
                self.send_once(&job, config.timeout).await
            };
            let (transient, outcome) = classify(&attempt, &job.url);
            let budget = if retries { config.transient_retries } else { 0 };
            if transient && attempts <= budget {
                let wait = config
                    .retry_backoff
                    .saturating_mul(1 << (attempts - 1).min(16))
                    .min(config.max_retry_backoff);
                tokio::time::sleep(wait).await;
                continue;
            }
            break (attempt, outcome);
        };
        let duration = clock.elapsed().as_secs_f64();
        let finished = OffsetDateTime::now_utc();
        let (result, status_code, response, error_message, error_detail) = match &attempt {
            Attempt::Answered {
                status,
                reason,
                headers,
                body,
            } => {
                let ok = (200..300).contains(status);
                (
                    if ok {
                        NotificationResult::Succeeded
                    } else {
                        NotificationResult::Failed
                    },
                    Some(*status),
                    Some(response_text(*status, reason, headers, body)),
                    (!ok).then(|| {
                        format!(
                            "Response status code does not indicate success: {status} ({reason})."
                        )
                    }),
                    None,
                )
            }
            Attempt::TimedOut(detail) => (
                NotificationResult::Failed,
                None,
                None,
                Some("A task was canceled.".to_string()),
                Some(detail.clone()),
            ),
            Attempt::NotSent(detail) => (
                NotificationResult::Failed,
                None,
                None,
                Some("An error occurred while sending the request.".to_string()),
                Some(detail.clone()),
            ),
        };
        let notification = self
            .update(&job, |n| {
                n.status = NotificationStatus::Completed;
                n.result = result;
                n.status_code = status_code;
                n.request = Some(request_text);
                n.response = response;
                n.error_message = error_message;
                n.error_detail = error_detail;
                n.completed_date = Some(finished);
                n.modified_date = finished;
                n.request_attempts = attempts;
                n.request_duration = Some(duration);
            })
            .expect("a queued notification stays in the store");
        if let (Some(id), true) = (job.subscription_id, retries) {
            self.move_status(id, outcome, config.max_probation_retries);
        }
        notification
    }

    /// The service's `HandleNotificationSuccess` / `HandleNotificationFailure`.
    fn move_status(&self, id: Uuid, outcome: Outcome, max_probation: u8) {
        let mut store = self.world.hooks();
        let Some(subscription) = store.subscription_mut(id) else {
            return;
        };
        let now = OffsetDateTime::now_utc();
        let before = subscription.status;
        match (outcome, before) {
            (Outcome::Success, SubscriptionStatus::OnProbation) => {
                subscription.status = SubscriptionStatus::Enabled;
                subscription.probation_retries = 0;
                subscription.last_probation_retry_date = None;
            }
            (Outcome::Terminal, _) => subscription.status = SubscriptionStatus::DisabledBySystem,
            (Outcome::Enduring, SubscriptionStatus::OnProbation)
                if subscription.probation_retries >= max_probation =>
            {
                subscription.status = SubscriptionStatus::DisabledBySystem;
            }
            (Outcome::Enduring, SubscriptionStatus::Enabled) => {
                subscription.status = SubscriptionStatus::OnProbation;
                subscription.probation_retries = 0;
                subscription.last_probation_retry_date = Some(now);
            }
            _ => {}
        }
        if subscription.status != before {
            subscription.modified_date = now;
        }
    }

    async fn send_once(&self, job: &Job, timeout: Duration) -> Attempt {
        let client = if job.accept_untrusted {
            &self.lenient
        } else {
            &self.client
        };
        let body = serde_json::to_vec(&job.body).unwrap_or_default();
        let mut request = client
            .post(&job.url)
            .timeout(timeout)
            .header("Content-Type", "application/json; charset=utf-8");
        for (name, value) in &job.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some((user, password)) = &job.basic {
            request = request.basic_auth(user, Some(password));
        }
        match request.body(body).send().await {
            Ok(response) => {
                let status = response.status();
                let headers = response
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
                    .collect();
                let body = response.text().await.unwrap_or_default();
                Attempt::Answered {
                    status: status.as_u16(),
                    reason: status.canonical_reason().unwrap_or("").to_string(),
                    headers,
                    body,
                }
            }
            Err(error) if error.is_timeout() => Attempt::TimedOut(error.to_string()),
            Err(error) => Attempt::NotSent(format!("{error:?}")),
        }
    }
}

/// `(retry?, outcome)` of an attempt (docs `service-hooks/troubleshoot.md`).
fn classify(attempt: &Attempt, url: &str) -> (bool, Outcome) {
    match attempt {
        Attempt::Answered { status, .. } => match status {
            200..=299 => (false, Outcome::Success),
            410 => (false, Outcome::Terminal),
            408 | 502 | 503 | 504 => (true, Outcome::Enduring),
            _ => (false, Outcome::Enduring),
        },
        Attempt::TimedOut(_) => (true, Outcome::Enduring),
        Attempt::NotSent(_) if !is_loopback_url(url) => (false, Outcome::Refused),
        Attempt::NotSent(_) => (true, Outcome::Enduring),
    }
}

fn reason_phrase(status: u16) -> String {
    axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_string()
}

/// Header values the history masks: custom headers and credentials.
const MASK: &str = inputs::MASK;

/// `details.request`, as the history shows it (header values masked).
fn request_text(job: &Job) -> String {
    let mut headers: Vec<String> = job
        .headers
        .iter()
        .map(|(name, _)| format!("  {name}: {MASK}"))
        .collect();
    if job.basic.is_some() {
        headers.push(format!("  Authorization: {MASK}"));
    }
    headers.push("  Content-Type: application/json; charset=utf-8".to_string());
    format!(
        "Method: POST\r\nURI: {}\r\nHTTP Version: 1.1\r\nHeaders:\r\n{{\r\n{}\r\n}}\r\nContent:\r\n{}",
        job.url,
        headers.join("\r\n"),
        serde_json::to_string_pretty(&job.body).unwrap_or_default()
    )
}

/// Longest response body kept in the history.
const RESPONSE_LIMIT: usize = 4096;

/// `details.response`.
fn response_text(status: u16, reason: &str, headers: &[(String, String)], body: &str) -> String {
    let headers: Vec<String> = headers
        .iter()
        .map(|(name, value)| format!("  {name}: {value}"))
        .collect();
    let mut content: String = body.chars().take(RESPONSE_LIMIT).collect();
    if body.chars().count() > RESPONSE_LIMIT {
        content.push('…');
    }
    format!(
        "Status Code: {status}\r\nReason Phrase: {reason}\r\nHTTP Version: 1.1\r\nHeaders:\r\n{{\r\n{}\r\n}}\r\nContent:\r\n{content}",
        headers.join("\r\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_receivers_are_contacted() {
        assert!(is_loopback_url("http://127.0.0.1:8080/hook"));
        assert!(is_loopback_url("https://localhost/hook"));
        assert!(is_loopback_url("http://[::1]:9/x"));
        assert!(is_loopback_url("http://127.8.9.10/x"));
        assert!(!is_loopback_url("https://example.com/hook"));
        assert!(!is_loopback_url("http://10.0.0.1/hook"));
        assert!(!is_loopback_url("not a url"));
    }

    #[test]
    fn failures_are_classified_as_the_docs_say() {
        let answered = |status| Attempt::Answered {
            status,
            reason: String::new(),
            headers: Vec::new(),
            body: String::new(),
        };
        let url = "http://127.0.0.1/x";
        assert_eq!(classify(&answered(204), url), (false, Outcome::Success));
        assert_eq!(classify(&answered(410), url), (false, Outcome::Terminal));
        for transient in [408, 502, 503, 504] {
            assert_eq!(
                classify(&answered(transient), url),
                (true, Outcome::Enduring)
            );
        }
        assert_eq!(classify(&answered(404), url), (false, Outcome::Enduring));
        assert_eq!(classify(&answered(500), url), (false, Outcome::Enduring));
        assert_eq!(
            classify(&Attempt::NotSent(String::new()), "https://example.com/"),
            (false, Outcome::Refused)
        );
    }

    #[test]
    fn the_history_masks_header_values() {
        let job = Job::for_inputs(
            Uuid::nil(),
            1,
            None,
            &[
                ("url".to_string(), "http://127.0.0.1/x".to_string()),
                ("httpHeaders".to_string(), "X-Secret:abc".to_string()),
                ("basicAuthUsername".to_string(), "u".to_string()),
                ("basicAuthPassword".to_string(), "p".to_string()),
            ],
            serde_json::json!({"a": 1}),
        );
        let text = request_text(&job);
        assert!(text.contains("X-Secret: ********"), "{text}");
        assert!(text.contains("Authorization: ********"), "{text}");
        assert!(!text.contains("abc"), "{text}");
        assert!(text.starts_with("Method: POST\r\nURI: http://127.0.0.1/x\r\n"));
    }
}
