//! The emulator's own control endpoints, below `/_emulator/` (no authentication; the emulator
//! listens on loopback only). Not Azure DevOps: for `make demo` users and scripts.
//!
//! | Request | Does |
//! |---|---|
//! | `POST /_emulator/events[?wait=true]` | fires an [`Event`] (JSON body); answers the queued notifications, with `wait` their outcomes |
//! | `GET /_emulator/deliveries` | every notification so far |
//! | `POST /_emulator/wait` | returns once no delivery is in flight |
//! | `GET`/`POST /_emulator/hooks/config` | delivery settings (`timeoutMs`, `transientRetries`, `retryBackoffMs`, `maxRetryBackoffMs`, `maxProbationRetries`, `probationBackoffMs`) |
//! | `POST /_emulator/hooks/throttle` | [`HooksThrottle`] (`rejectNext`, `warnNext`, `retryAfterSecs`) |
//! | `POST`/`DELETE /_emulator/subscriptions/{id}/fail` | deliveries to it fail with `{"status": 503}` without contacting the receiver / stop doing so |
//! | `POST /_emulator/subscriptions/{id}/status` | sets `{"status": "disabledBySystem"}` (any subscription status) |
//! | `GET`/`POST`/`DELETE /_emulator/faults` | the [`Faults`] in force / replace them / clear them |
//! | `POST /_emulator/faults/rules` | adds one [`FaultRule`]: JSON, or its text form as a JSON string (`"projects=429"`) |
//! | `GET`/`DELETE /_emulator/requests` | the request log ([`crate::RequestRecord`]) / forget it |
//! | `GET`/`POST /_emulator/tls` | `{"certificate": "valid" \| "expired" \| "wrongHost" \| "untrustedCa"}` for new HTTPS connections |

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::faults::{FaultRule, Faults};
use crate::hooks::{DeliveryConfig, Event, HooksThrottle, Notification, SubscriptionStatus};
use crate::state::AppState;
use crate::tls::TlsCertificate;
use crate::Error;

/// Handles `/_emulator/…`; hands any other request back.
pub(crate) async fn intercept(
    state: &Arc<AppState>,
    request: Request,
) -> Result<Response, Request> {
    let segments: Vec<String> = request
        .uri()
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    if !segments
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("_emulator"))
    {
        return Err(request);
    }
    let method = request.method().clone();
    let wait = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p.eq_ignore_ascii_case("wait=true")));
    let body = axum::body::to_bytes(request.into_body(), 1024 * 1024)
        .await
        .unwrap_or_default();
    let rest: Vec<String> = segments[1..]
        .iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let engine = &state.hooks;
    let answer = match (method.clone(), rest.as_slice()) {
        (Method::POST, ["events"]) => match serde_json::from_slice::<Event>(&body) {
            Err(e) => Err(bad(format!("not an event: {e}"))),
            Ok(event) => match engine.fire(&event, wait).await {
                Ok((fired, done)) => {
                    let mut value = json!({
                        "eventId": fired.event_id,
                        "eventType": fired.event_type,
                        "notifications": fired.notifications.iter().map(|(s, n)| json!({
                            "subscriptionId": s,
                            "notificationId": n,
                        })).collect::<Vec<_>>(),
                    });
                    if wait {
                        value["deliveries"] = json!(done.iter().map(summary).collect::<Vec<_>>());
                    }
                    Ok(value)
                }
                Err(error) => Err(from_error(error)),
            },
        },
        (Method::GET, ["deliveries"]) => {
            let all: Vec<Value> = state
                .world
                .hooks()
                .notifications
                .iter()
                .map(summary)
                .collect();
            Ok(json!({ "count": all.len(), "value": all }))
        }
        (Method::POST, ["wait"]) => {
            engine.wait_idle().await;
            Ok(json!({ "inFlight": 0 }))
        }
        (Method::GET, ["hooks", "config"]) => Ok(json!(ConfigJson::from(&engine.config()))),
        (Method::POST, ["hooks", "config"]) => match serde_json::from_slice::<ConfigJson>(&body) {
            Ok(config) => {
                let config = config.apply(engine.config());
                engine.set_config(config.clone());
                Ok(json!(ConfigJson::from(&config)))
            }
            Err(e) => Err(bad(format!("not a delivery configuration: {e}"))),
        },
        (Method::POST, ["hooks", "throttle"]) => {
            match serde_json::from_slice::<HooksThrottle>(&body) {
                Ok(throttle) => {
                    engine.set_throttle(throttle.clone());
                    Ok(json!(throttle))
                }
                Err(e) => Err(bad(format!("not a throttle: {e}"))),
            }
        }
        (method, ["subscriptions", id, "fail"])
            if method == Method::POST || method == Method::DELETE =>
        {
            match subscription_id(state, id) {
                Err(e) => Err(e),
                Ok(id) if method == Method::DELETE => {
                    engine.force_failure(id, None);
                    Ok(json!({ "subscriptionId": id, "failWith": null }))
                }
                Ok(id) => {
                    let status = serde_json::from_slice::<Value>(&body)
                        .ok()
                        .and_then(|v| v["status"].as_u64())
                        .filter(|s| (100..600).contains(s));
                    match status {
                        Some(status) => {
                            engine.force_failure(id, Some(status as u16));
                            Ok(json!({ "subscriptionId": id, "failWith": status }))
                        }
                        None => Err(bad("expected {\"status\": <HTTP status>}".to_string())),
                    }
                }
            }
        }
        (Method::POST, ["subscriptions", id, "status"]) => match subscription_id(state, id) {
            Err(e) => Err(e),
            Ok(id) => {
                let status = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v["status"].as_str().and_then(SubscriptionStatus::parse));
                match status {
                    Some(status) => {
                        state.world.set_subscription_status(id, status);
                        Ok(json!({ "subscriptionId": id, "status": status.as_str() }))
                    }
                    None => Err(bad("expected {\"status\": \"enabled\" | \"onProbation\" | \"disabledByUser\" | \"disabledBySystem\" | \"disabledByInactiveIdentity\"}".to_string())),
                }
            }
        },
        (Method::GET, ["faults"]) => Ok(json!(state.faults.get())),
        (Method::DELETE, ["faults"]) => {
            state.faults.set(Faults::none());
            Ok(json!(Faults::none()))
        }
        (Method::POST, ["faults"]) => match serde_json::from_slice::<Faults>(&body) {
            Ok(faults) => match faults.validate() {
                Ok(()) => {
                    state.faults.set(faults.clone());
                    Ok(json!(faults))
                }
                Err(e) => Err(bad(e)),
            },
            Err(e) => Err(bad(format!("not a fault configuration: {e}"))),
        },
        (Method::POST, ["faults", "rules"]) => {
            let rule = match serde_json::from_slice::<Value>(&body) {
                Ok(Value::String(text)) => text.parse::<FaultRule>(),
                Ok(value) => serde_json::from_value::<FaultRule>(value)
                    .map_err(|e| format!("not a fault rule: {e}"))
                    .and_then(|rule| rule.validate().map(|()| rule)),
                Err(e) => Err(format!("not JSON: {e}")),
            };
            match rule {
                Ok(rule) => {
                    let mut faults = state.faults.get();
                    faults.rules.push(rule);
                    state.faults.set(faults.clone());
                    Ok(json!(faults))
                }
                Err(e) => Err(bad(e)),
            }
        }
        (Method::GET, ["requests"]) => {
            let all = state.faults.requests();
            Ok(json!({ "count": all.len(), "value": all }))
        }
        (Method::DELETE, ["requests"]) => {
            state.faults.clear_requests();
            Ok(json!({ "count": 0, "value": [] }))
        }
        (Method::GET, ["tls"]) => match &state.tls {
            Some(tls) => Ok(json!({ "certificate": tls.certificate() })),
            None => Err(bad(
                "the emulator serves plain HTTP (start it with --tls)".to_string()
            )),
        },
        (Method::POST, ["tls"]) => {
            let certificate = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v["certificate"].as_str().map(str::to_string))
                .map(|c| c.parse::<TlsCertificate>());
            match (&state.tls, certificate) {
                (None, _) => Err(bad("the emulator serves plain HTTP (start it with --tls)".to_string())),
                (_, None) => Err(bad("expected {\"certificate\": \"valid\" | \"expired\" | \"wrongHost\" | \"untrustedCa\"}".to_string())),
                (_, Some(Err(e))) => Err(bad(e)),
                (Some(tls), Some(Ok(certificate))) => {
                    tls.set_certificate(certificate);
                    Ok(json!({ "certificate": certificate }))
                }
            }
        }
        _ => Err((
            StatusCode::NOT_FOUND,
            format!(
                "ado-emulator has no control endpoint {method} {}",
                segments.join("/")
            ),
        )),
    };
    Ok(match answer {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err((status, message)) => json_response(status, &json!({ "message": message })),
    })
}

fn bad(message: String) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message)
}

fn from_error(error: Error) -> (StatusCode, String) {
    let status = match error {
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    (status, error.to_string())
}

fn subscription_id(state: &AppState, raw: &str) -> Result<Uuid, (StatusCode, String)> {
    let id = Uuid::parse_str(raw).map_err(|_| bad(format!("{raw:?} is not a subscription id")))?;
    match state.world.subscription(id) {
        Some(_) => Ok(id),
        None => Err((StatusCode::NOT_FOUND, format!("no subscription {id}"))),
    }
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = (
        status,
        Body::from(serde_json::to_vec(value).unwrap_or_default()),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// A notification for the control endpoints (not an Azure DevOps shape).
pub(crate) fn summary(n: &Notification) -> Value {
    json!({
        "id": n.id,
        "hostId": n.host_id,
        "subscriptionId": n.subscription_id,
        "eventId": n.event_id,
        "eventType": n.event_type,
        "url": n.url,
        "status": n.status.as_str(),
        "result": n.result.as_str(),
        "statusCode": n.status_code,
        "requestAttempts": n.request_attempts,
        "errorMessage": n.error_message,
        "isTest": n.is_test,
        "payload": n.payload,
    })
}

/// [`DeliveryConfig`] with milliseconds, for JSON. Absent fields keep their value.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfigJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    transient_retries: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_backoff_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_retry_backoff_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_probation_retries: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    probation_backoff_ms: Option<u64>,
}

impl From<&DeliveryConfig> for ConfigJson {
    fn from(c: &DeliveryConfig) -> Self {
        ConfigJson {
            timeout_ms: Some(c.timeout.as_millis() as u64),
            transient_retries: Some(c.transient_retries),
            retry_backoff_ms: Some(c.retry_backoff.as_millis() as u64),
            max_retry_backoff_ms: Some(c.max_retry_backoff.as_millis() as u64),
            max_probation_retries: Some(c.max_probation_retries),
            probation_backoff_ms: Some(c.probation_backoff.as_millis() as u64),
        }
    }
}

impl ConfigJson {
    fn apply(self, mut config: DeliveryConfig) -> DeliveryConfig {
        if let Some(ms) = self.timeout_ms {
            config.timeout = Duration::from_millis(ms);
        }
        if let Some(n) = self.transient_retries {
            config.transient_retries = n;
        }
        if let Some(ms) = self.retry_backoff_ms {
            config.retry_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = self.max_retry_backoff_ms {
            config.max_retry_backoff = Duration::from_millis(ms);
        }
        if let Some(n) = self.max_probation_retries {
            config.max_probation_retries = n;
        }
        if let Some(ms) = self.probation_backoff_ms {
            config.probation_backoff = Duration::from_millis(ms);
        }
        config
    }
}
