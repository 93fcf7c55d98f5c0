//! Hooks wire shapes the routes and the hooks engine share: `Subscription`, `Notification`,
//! identities and event descriptions.

use super::*;

pub(super) fn identity(site: &Site<'_>, id: Uuid) -> Value {
    match site.world.user(id) {
        Some(user) => identity_ref(site, Some(user), None),
        None => json!({ "id": id }),
    }
}

/// `eventDescription`, as the examples write it ("Any branch on any repository", "Build
/// MyWebSite CI, status Failed", "Any completed build").
pub(super) fn event_description(site: &Site<'_>, subscription: &Subscription) -> String {
    let input = |id: &str| {
        subscription
            .publisher_inputs
            .get(id)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    match subscription.event_type.as_str() {
        "build.complete" => match (input("definitionName"), input("buildStatus")) {
            (Some(d), Some(s)) => format!("Build {d}, status {s}"),
            (Some(d), None) => format!("Build {d}"),
            (None, Some(s)) => format!("Any completed build, status {s}"),
            (None, None) => "Any completed build".to_string(),
        },
        t if t.starts_with("git.") => {
            let repo = input("repository").map(|id| {
                site.world
                    .projects(site.host)
                    .iter()
                    .flat_map(|p| p.repositories.iter())
                    .find(|r| Uuid::parse_str(id).ok() == Some(r.id))
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| id.to_string())
            });
            let branch = input("branch").map(|b| crate::activity::short_ref(b).to_string());
            format!(
                "{} on {}",
                branch
                    .map(|b| format!("Branch {b}"))
                    .unwrap_or_else(|| "Any branch".to_string()),
                repo.map(|r| format!("repository {r}"))
                    .unwrap_or_else(|| "any repository".to_string())
            )
        }
        _ => String::new(),
    }
}

/// `Subscription`.
pub(crate) fn render_subscription(site: &Site<'_>, subscription: &Subscription) -> Value {
    let host = subscription
        .consumer_input("url")
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let mut value = json!({
        "id": subscription.id,
        "url": format!("{}/_apis/hooks/subscriptions/{}", site.base(), subscription.id),
        "status": subscription.status.as_str(),
        "publisherId": subscription.publisher_id,
        "eventType": subscription.event_type,
        "resourceVersion": subscription.resource_version,
        "eventDescription": event_description(site, subscription),
        "consumerId": subscription.consumer_id,
        "consumerActionId": subscription.consumer_action_id,
        "actionDescription": format!("To host {host}"),
    });
    if subscription.probation_retries > 0 {
        value["probationRetries"] = json!(subscription.probation_retries);
    }
    if let Some(date) = subscription.last_probation_retry_date {
        value["lastProbationRetryDate"] = json!(format_time(date));
    }
    value["createdBy"] = identity(site, subscription.created_by);
    value["createdDate"] = json!(format_time(subscription.created_date));
    value["modifiedBy"] = identity(site, subscription.modified_by);
    value["modifiedDate"] = json!(format_time(subscription.modified_date));
    value["publisherInputs"] = json!(subscription.publisher_inputs);
    value["consumerInputs"] = inputs::inputs_json(&inputs::masked(&subscription.consumer_inputs));
    site.shaped("Subscription", value)
}

/// `Notification`, details included.
pub(crate) fn render_notification(n: &Notification) -> Value {
    let mut details = json!({
        "publisherId": n.publisher_id,
        "eventType": n.event_type,
        "consumerId": n.consumer_id,
        "consumerActionId": n.consumer_action_id,
        "publisherInputs": n.publisher_inputs,
        "consumerInputs": inputs::inputs_json(&n.consumer_inputs),
        "event": event_of(&n.payload),
    });
    let dates = [
        ("queuedDate", n.queued_date),
        ("dequeuedDate", n.dequeued_date),
        ("processedDate", n.processed_date),
        ("completedDate", n.completed_date),
    ];
    for (name, date) in dates {
        if let Some(date) = date {
            details[name] = json!(format_time(date));
        }
    }
    details["requestAttempts"] = json!(n.request_attempts);
    if let Some(duration) = n.request_duration {
        details["requestDuration"] = json!(duration);
    }
    for (name, text) in [
        ("request", &n.request),
        ("response", &n.response),
        ("errorMessage", &n.error_message),
        ("errorDetail", &n.error_detail),
    ] {
        if let Some(text) = text {
            details[name] = json!(text);
        }
    }
    json!({
        "id": n.id,
        "subscriberId": n.subscriber_id,
        "eventId": n.event_id,
        "subscriptionId": n.subscription_id,
        "status": n.status.as_str(),
        "result": n.result.as_str(),
        "createdDate": format_time(n.created_date),
        "modifiedDate": format_time(n.modified_date),
        "details": details,
    })
}
