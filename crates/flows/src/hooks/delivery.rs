//! [`send_test`] and [`history`]: what Azure DevOps delivered, and what the receiver answered.

use std::time::{Duration, Instant};

use ado_client::api::hooks::{
    Notification, NotificationFilter, TestNotification, TestNotificationDetails,
};
use ado_client::AdoClient;
use ado_core::ids::SubscriptionId;
use ado_core::webhook::HookAuth;
use secrecy::ExposeSecret as _;
use serde::Serialize;

use super::secret::BASIC_PASSWORD_NAME;
use super::{hook_problem, HookRecords};

/// The outcome of a test delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestDelivery {
    /// The subscription tested.
    pub subscription_id: SubscriptionId,
    /// The notification Azure DevOps recorded for it.
    pub notification_id: i64,
    /// True when the receiver answered 2xx.
    pub delivered: bool,
    /// `succeeded`, `failed`, or `pending` when it had not finished in time.
    pub result: Option<String>,
    /// `completed`, `queued`, …
    pub status: Option<String>,
    /// The receiver's HTTP status, if it answered.
    pub receiver_status: Option<u16>,
    /// The receiver's reason phrase, if any.
    pub receiver_reason: Option<String>,
    /// The start of the receiver's response body.
    pub response_excerpt: Option<String>,
    /// Azure DevOps' error message, when the delivery failed.
    pub error_message: Option<String>,
    /// How many attempts Azure DevOps made.
    pub attempts: Option<u32>,
    /// What to do, when the receiver answered 401 or 403: it rejected the secret.
    pub advice: Option<String>,
}

/// One delivery in a subscription's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The notification id.
    pub id: i64,
    /// The event type.
    pub event_type: Option<String>,
    /// When it was created.
    pub created_date: Option<String>,
    /// `succeeded`, `failed`, `pending`, `filtered`.
    pub result: Option<String>,
    /// `queued`, `processing`, `requestInProgress`, `completed`.
    pub status: Option<String>,
    /// The receiver's HTTP status, if it answered.
    pub receiver_status: Option<u16>,
    /// Why it failed, if it did.
    pub error_message: Option<String>,
    /// Attempts made.
    pub attempts: Option<u32>,
    /// Seconds the request took.
    pub duration_secs: Option<f64>,
    /// What to do, when the receiver answered 401 or 403: it rejected the secret.
    pub advice: Option<String>,
}

/// Where a subscription carries its secret, in words: "the X-ADO-Connect-Secret header" or
/// "the basic-auth password".
fn secret_carrier(auth: Option<&HookAuth>) -> String {
    match auth {
        Some(HookAuth::SecretHeader { header, .. }) => format!("the {header} header"),
        Some(HookAuth::Basic { .. }) => "the basic-auth password".into(),
        None => "the secret header".into(),
    }
}

/// The advice for a receiver that answered 401 or 403: it rejected the secret.
fn rejection_advice(receiver_status: Option<u16>, carrier: &str) -> Option<String> {
    matches!(receiver_status, Some(401) | Some(403)).then(|| {
        format!("Your receiver rejected the secret — give it the current one (it is sent in {carrier}; `hooks rotate` prints a new one, or the app shows it once after Apply).")
    })
}

/// How long [`send_test`] waits for the delivery to finish.
const TEST_WAIT: Duration = Duration::from_secs(30);
/// Longest response excerpt kept.
const EXCERPT: usize = 600;

/// Sends a test event through subscription `subscription_id` (`POST _apis/hooks/testnotifications`
/// with the subscription's own settings) and waits up to 30 s for the receiver's answer: its
/// status and the start of its body. For a basic-auth subscription of this app, the password
/// comes from the keyring (the server masks it).
pub async fn send_test(
    client: &AdoClient,
    records: &HookRecords,
    subscription_id: &SubscriptionId,
) -> Result<TestDelivery, crate::Error> {
    let profile = records.profile()?;
    let target = &profile.target;
    let subscription = client
        .subscription(subscription_id)
        .await
        .map_err(|e| hook_problem(target, &e, "read the subscription"))?;
    let mut consumer_inputs = subscription.consumer_inputs.clone();
    let ours_basic = profile.hooks.iter().any(|h| {
        h.id.eq_ignore_ascii_case(&subscription.id) && matches!(h.spec.auth, HookAuth::Basic { .. })
    });
    if ours_basic {
        if let Some(password) = records.stored_secret(BASIC_PASSWORD_NAME)? {
            consumer_inputs.insert(
                "basicAuthPassword".into(),
                password.expose_secret().to_string(),
            );
        }
    }
    let test = TestNotification {
        subscription_id: Some(subscription.id.clone()),
        details: TestNotificationDetails {
            publisher_id: subscription.publisher_id.clone().unwrap_or_default(),
            event_type: subscription.event_type.clone().unwrap_or_default(),
            consumer_id: subscription.consumer_id.clone().unwrap_or_default(),
            consumer_action_id: subscription.consumer_action_id.clone().unwrap_or_default(),
            publisher_inputs: subscription.publisher_inputs.clone(),
            consumer_inputs,
        },
    };
    let mut notification = client
        .send_test_notification(&test, false)
        .await
        .map_err(|e| hook_problem(target, &e, "send a test event"))?;
    let owner = notification
        .subscription_id
        .clone()
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| subscription.id.clone());
    let started = Instant::now();
    let mut wait = Duration::from_millis(200);
    while !finished(&notification) && started.elapsed() < TEST_WAIT {
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(2));
        notification = client
            .notification(&owner, notification.id)
            .await
            .map_err(|e| hook_problem(target, &e, "read the test notification"))?;
    }
    let details = notification.details.as_ref();
    let response = details
        .and_then(|d| d.response.as_deref())
        .map(parse_response);
    let carrier = if subscription
        .consumer_inputs
        .contains_key("basicAuthUsername")
    {
        "the basic-auth password".to_string()
    } else {
        subscription
            .consumer_inputs
            .get("httpHeaders")
            .and_then(|h| ado_core::webhook::parse_http_headers(h).into_iter().next())
            .map(|(name, _)| format!("the {name} header"))
            .unwrap_or_else(|| secret_carrier(None))
    };
    let receiver_status = response.as_ref().and_then(|r| r.status);
    Ok(TestDelivery {
        subscription_id: subscription.id,
        notification_id: notification.id,
        delivered: notification
            .result
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("succeeded")),
        result: notification.result.clone(),
        status: notification.status.clone(),
        receiver_status,
        receiver_reason: response.as_ref().and_then(|r| r.reason.clone()),
        response_excerpt: response.and_then(|r| r.content),
        error_message: details.and_then(|d| d.error_message.clone()),
        attempts: details.and_then(|d| d.request_attempts),
        advice: rejection_advice(receiver_status, &carrier),
    })
}

/// The most recent deliveries of a subscription (at most `max`), newest first.
pub async fn history(
    client: &AdoClient,
    records: &HookRecords,
    subscription_id: &SubscriptionId,
    max: u32,
) -> Result<Vec<Delivery>, crate::Error> {
    let profile = records.profile()?;
    let target = &profile.target;
    let auth = profile
        .hooks
        .iter()
        .find(|h| h.id.eq_ignore_ascii_case(subscription_id))
        .map(|h| &h.spec.auth);
    let list = client
        .notifications(
            subscription_id,
            &NotificationFilter {
                max_results: Some(max),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| hook_problem(target, &e, "read the delivery history"))?;
    let mut deliveries: Vec<Delivery> = list.iter().map(|n| delivery(n, auth)).collect();
    deliveries.sort_by_key(|d| std::cmp::Reverse(d.id));
    deliveries.truncate(max as usize);
    Ok(deliveries)
}

pub(super) fn delivery(n: &Notification, auth: Option<&HookAuth>) -> Delivery {
    let details = n.details.as_ref();
    let receiver_status = details
        .and_then(|d| d.response.as_deref())
        .and_then(|r| parse_response(r).status);
    Delivery {
        id: n.id,
        event_type: details.and_then(|d| d.event_type.clone()),
        created_date: n.created_date.clone(),
        result: n.result.clone(),
        status: n.status.clone(),
        receiver_status,
        error_message: details.and_then(|d| d.error_message.clone()),
        attempts: details.and_then(|d| d.request_attempts),
        duration_secs: details.and_then(|d| d.request_duration),
        advice: rejection_advice(receiver_status, &secret_carrier(auth)),
    }
}

fn finished(n: &Notification) -> bool {
    n.status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("completed"))
        || n.result
            .as_deref()
            .is_some_and(|r| !r.eq_ignore_ascii_case("pending"))
}

/// The receiver's answer as `details.response` writes it: `Status Code: 200`,
/// `Reason Phrase: OK`, headers, then `Content:` and the body.
#[derive(Debug, PartialEq, Eq)]
struct ParsedResponse {
    status: Option<u16>,
    reason: Option<String>,
    content: Option<String>,
}

fn parse_response(text: &str) -> ParsedResponse {
    let mut status = None;
    let mut reason = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("Status Code:") {
            status = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("Reason Phrase:") {
            reason = Some(v.trim().to_string()).filter(|r| !r.is_empty());
        }
    }
    let content = match text.find("Content:") {
        Some(i) => text[i + "Content:".len()..].trim().to_string(),
        None if status.is_none() => text.trim().to_string(),
        None => String::new(),
    };
    let content = (!content.is_empty()).then(|| {
        let mut excerpt: String = content.chars().take(EXCERPT).collect();
        if content.chars().count() > EXCERPT {
            excerpt.push('…');
        }
        excerpt
    });
    ParsedResponse {
        status,
        reason,
        content,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_parse_into_status_reason_and_body() {
        let text = "Status Code: 401\r\nReason Phrase: Unauthorized\r\nHTTP Version: 1.1\r\nHeaders:\r\n{\r\n  Content-Type: application/json\r\n}\r\nContent:\r\n{\"error\":\"bad secret\"}";
        assert_eq!(
            parse_response(text),
            ParsedResponse {
                status: Some(401),
                reason: Some("Unauthorized".into()),
                content: Some("{\"error\":\"bad secret\"}".into()),
            }
        );
        assert_eq!(
            parse_response("plain words").content.as_deref(),
            Some("plain words")
        );
        let long = format!("Status Code: 200\nContent:\n{}", "x".repeat(700));
        assert_eq!(
            parse_response(&long).content.unwrap().chars().count(),
            EXCERPT + 1
        );
    }

    #[test]
    fn a_rejected_secret_is_named_with_its_header() {
        let auth = HookAuth::SecretHeader {
            header: "X-ADO-Connect-Secret".into(),
            secret: ado_core::webhook::SecretRef {
                key: "k".into(),
                fingerprint: None,
            },
        };
        let advice = rejection_advice(Some(401), &secret_carrier(Some(&auth))).unwrap();
        assert!(
            advice.contains("your receiver rejected the secret")
                || advice.contains("Your receiver rejected the secret — give it the current one"),
            "{advice}"
        );
        assert!(advice.contains("X-ADO-Connect-Secret"), "{advice}");
        assert!(rejection_advice(Some(403), "x").is_some());
        assert!(rejection_advice(Some(500), "x").is_none());
        assert!(rejection_advice(None, "x").is_none());
    }
}
