//! The hooks handlers: subscriptions (list, create, get, replace, delete, query), notifications
//! and test notifications, with their validation and permission checks.

use super::*;

/// A subscription as a request describes it.
#[derive(Debug)]
pub(super) struct Draft {
    id: Option<Uuid>,
    publisher_id: String,
    event_type: String,
    resource_version: Option<String>,
    consumer_id: String,
    consumer_action_id: String,
    publisher_inputs: BTreeMap<String, String>,
    consumer_inputs: Vec<(String, String)>,
    status: Option<String>,
}

/// A JSON string map (`Dictionary<string, string>`; primitives become strings).
pub(super) fn string_map(
    value: Option<&Value>,
    what: &str,
) -> Result<Vec<(String, String)>, VssError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(map) = value.as_object() else {
        if value.is_null() {
            return Ok(Vec::new());
        }
        return Err(VssError::argument(&format!(
            "{what} must be an object of strings."
        )));
    };
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Null => {
                    return Err(VssError::subscription_input(format!(
                        "The value of {what} '{k}' cannot be null."
                    )))
                }
                Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
                Value::Number(n) => n.to_string(),
                _ => {
                    return Err(VssError::argument(&format!(
                        "The value of {what} '{k}' must be a string."
                    )))
                }
            };
            Ok((k.clone(), v))
        })
        .collect()
}

pub(super) fn required(object: &Value, name: &str) -> Result<String, VssError> {
    field_str(object, name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| VssError::argument_null(name))
}

impl Draft {
    /// Reads a `Subscription` (or a notification's `details`) body.
    pub(super) fn parse(body: &Value) -> Result<Draft, VssError> {
        let publisher_id = required(body, "publisherId")?;
        let event_type = required(body, "eventType")?;
        let consumer_id = required(body, "consumerId")?;
        let consumer_action_id = required(body, "consumerActionId")?;
        let id = match field_str(body, "id") {
            Some(raw) if !raw.trim().is_empty() => {
                Some(Uuid::parse_str(raw.trim()).map_err(|_| {
                    VssError::argument(&format!("'{raw}' is not a valid subscription id."))
                })?)
            }
            _ => None,
        };
        Ok(Draft {
            id,
            publisher_id,
            event_type,
            resource_version: field_str(body, "resourceVersion").map(str::to_string),
            consumer_id,
            consumer_action_id,
            publisher_inputs: string_map(field(body, "publisherInputs"), "publisher input")?
                .into_iter()
                .collect(),
            consumer_inputs: string_map(field(body, "consumerInputs"), "consumer input")?,
            status: field_str(body, "status").map(str::to_string),
        })
    }

    /// The project named by `publisherInputs.projectId`.
    pub(super) fn project_id(&self) -> Option<Uuid> {
        self.publisher_inputs
            .get("projectId")
            .and_then(|p| Uuid::parse_str(p.trim()).ok())
    }
}

/// What every handler needs.
pub(super) struct Ctx<'s, 'w> {
    pub(super) state: &'s AppState,
    pub(super) site: &'s Site<'w>,
    pub(super) principal: &'s Principal,
}

impl Ctx<'_, '_> {
    pub(super) fn host_id(&self) -> Uuid {
        self.site.world.host_id(self.site.host)
    }

    pub(super) fn can(&self, project: Option<Uuid>, permission: u32) -> bool {
        permissions::has_service_hooks_permission(
            self.site.world,
            self.site.host,
            &self.principal.user,
            project,
            permission,
        )
    }

    pub(super) fn require(&self, project: Option<Uuid>, permission: u32) -> Result<(), VssError> {
        if self.can(project, permission) {
            Ok(())
        } else {
            Err(permissions::access_denied(
                &self.principal.user,
                project,
                permission,
            ))
        }
    }

    pub(super) fn scopes(&self, event_type: &str, write: bool) -> Result<(), VssError> {
        if scopes_cover(&self.principal.scopes, event_type, write) {
            Ok(())
        } else {
            Err(VssError::hooks_scope(write))
        }
    }

    /// Publisher, event type, consumer, action, publisher inputs and project of a draft.
    pub(super) fn check_draft(&self, draft: &Draft) -> Result<(), VssError> {
        publisher_id(&draft.publisher_id)?;
        if event_type(&draft.event_type).is_none() {
            return Err(VssError::event_type_not_found(
                &draft.publisher_id,
                &draft.event_type,
            ));
        }
        consumer_id(&draft.consumer_id)?;
        if !draft.consumer_action_id.eq_ignore_ascii_case(ACTION_ID) {
            return Err(VssError::consumer_action_not_found(
                &draft.consumer_id,
                &draft.consumer_action_id,
            ));
        }
        validate_publisher_inputs(&draft.publisher_inputs)?;
        if let Some(project) = draft.project_id() {
            projects::find(self.site, &project.to_string())?;
        }
        Ok(())
    }

    /// The subscription JSON (`Subscription`), confidential inputs masked.
    pub(super) fn render(&self, subscription: &Subscription) -> Value {
        render_subscription(self.site, subscription)
    }

    pub(super) fn parse_id(raw: &str) -> Result<Uuid, VssError> {
        Uuid::parse_str(raw).map_err(|_| VssError::subscription_not_found(raw))
    }

    pub(super) fn visible(&self, subscription: &Subscription) -> bool {
        subscription.host_id == self.host_id()
            && self.can(subscription.project_id(), bits::VIEW_SUBSCRIPTIONS)
            && scopes_cover(&self.principal.scopes, &subscription.event_type, false)
    }

    pub(super) fn list_subscriptions(&self, incoming: &Incoming<'_>) -> Result<Value, VssError> {
        let wanted =
            WantedKind::read(|name| incoming.query_param(name).filter(|v| !v.trim().is_empty()));
        if let Some(event) = &wanted.event {
            self.scopes(event, false)?;
        }
        let store = self.state.world.hooks();
        let value: Vec<Value> = store
            .subscriptions
            .iter()
            .filter(|s| self.visible(s) && wanted.admits(s))
            .map(|s| self.render(s))
            .collect();
        Ok(json!({ "count": value.len(), "value": value }))
    }

    pub(super) fn create(&self, parts: &Parts) -> Result<Value, VssError> {
        let body = request_json(parts)
            .filter(Value::is_object)
            .ok_or_else(|| VssError::argument_null("subscription"))?;
        let draft = Draft::parse(&body)?;
        self.scopes(&draft.event_type, true)?;
        self.check_draft(&draft)?;
        self.require(draft.project_id(), bits::EDIT_SUBSCRIPTIONS)?;
        validate_consumer_inputs(&draft.consumer_inputs, true)?;
        let now = OffsetDateTime::now_utc();
        let mut publisher_inputs = draft.publisher_inputs.clone();
        publisher_inputs.insert("hostId".to_string(), self.host_id().to_string());
        publisher_inputs.insert("tfsSubscriptionId".to_string(), Uuid::new_v4().to_string());
        let subscription = Subscription {
            id: Uuid::new_v4(),
            host_id: self.host_id(),
            publisher_id: PUBLISHER_ID.to_string(),
            event_type: event_type(&draft.event_type)
                .map(|e| e.id)
                .unwrap_or_default()
                .to_string(),
            resource_version: draft.resource_version.clone(),
            consumer_id: CONSUMER_ID.to_string(),
            consumer_action_id: ACTION_ID.to_string(),
            publisher_inputs,
            consumer_inputs: draft.consumer_inputs.clone(),
            status: SubscriptionStatus::Enabled,
            probation_retries: 0,
            last_probation_retry_date: None,
            created_by: self.principal.user.id,
            created_date: now,
            modified_by: self.principal.user.id,
            modified_date: now,
        };
        let value = self.render(&subscription);
        self.state.world.hooks().subscriptions.push(subscription);
        Ok(value)
    }

    pub(super) fn existing(&self, raw: &str) -> Result<Subscription, VssError> {
        let id = Self::parse_id(raw)?;
        self.state
            .world
            .hooks()
            .subscription(id)
            .filter(|s| s.host_id == self.host_id())
            .cloned()
            .ok_or_else(|| VssError::subscription_not_found(raw))
    }

    pub(super) fn get(&self, raw: &str) -> Result<Value, VssError> {
        let subscription = self.existing(raw)?;
        self.scopes(&subscription.event_type, false)?;
        self.require(subscription.project_id(), bits::VIEW_SUBSCRIPTIONS)?;
        Ok(self.render(&subscription))
    }

    pub(super) fn replace(&self, raw: Option<&str>, parts: &Parts) -> Result<Value, VssError> {
        let body = request_json(parts)
            .filter(Value::is_object)
            .ok_or_else(|| VssError::argument_null("subscription"))?;
        let draft = Draft::parse(&body)?;
        let id = match (raw, draft.id) {
            (Some(raw), _) => raw.to_string(),
            (None, Some(id)) => id.to_string(),
            (None, None) => return Err(VssError::argument_null("subscription.Id")),
        };
        let old = self.existing(&id)?;
        self.require(old.project_id(), bits::EDIT_SUBSCRIPTIONS)?;
        self.scopes(&old.event_type, false)?;
        if !draft.event_type.eq_ignore_ascii_case(&old.event_type) {
            self.scopes(&draft.event_type, true)?;
        }
        self.check_draft(&draft)?;
        if draft.project_id() != old.project_id() {
            return Err(VssError::subscription_input(
                "The project of a subscription cannot be changed (publisher input 'projectId')."
                    .to_string(),
            ));
        }
        validate_consumer_inputs(&draft.consumer_inputs, false)?;
        let status = match draft.status.as_deref().map(str::trim) {
            None | Some("") => old.status,
            Some(raw) => match SubscriptionStatus::parse(raw) {
                Some(s) if s == old.status => s,
                Some(s @ (SubscriptionStatus::Enabled | SubscriptionStatus::DisabledByUser)) => s,
                _ => {
                    return Err(VssError::argument(&format!(
                        "The subscription status '{raw}' cannot be set; use 'enabled' or 'disabledByUser'."
                    )))
                }
            },
        };
        // Masked values keep the stored secret.
        let consumer_inputs: Vec<(String, String)> = draft
            .consumer_inputs
            .iter()
            .map(|(k, v)| {
                let v = match (v.as_str(), old.consumer_input(k)) {
                    (MASK, Some(stored)) => stored.to_string(),
                    _ => v.clone(),
                };
                (k.clone(), v)
            })
            .collect();
        let mut publisher_inputs = draft.publisher_inputs.clone();
        for kept in ["hostId", "tfsSubscriptionId"] {
            if let Some(v) = old.publisher_inputs.get(kept) {
                publisher_inputs.insert(kept.to_string(), v.clone());
            }
        }
        let now = OffsetDateTime::now_utc();
        let mut store = self.state.world.hooks();
        let subscription = store
            .subscription_mut(old.id)
            .ok_or_else(|| VssError::subscription_not_found(&id))?;
        subscription.event_type = event_type(&draft.event_type)
            .map(|e| e.id)
            .unwrap_or_default()
            .to_string();
        subscription.resource_version = draft.resource_version.clone();
        subscription.publisher_inputs = publisher_inputs;
        subscription.consumer_inputs = consumer_inputs;
        if status != subscription.status {
            subscription.status = status;
            if status == SubscriptionStatus::Enabled {
                subscription.probation_retries = 0;
                subscription.last_probation_retry_date = None;
            }
        }
        subscription.modified_by = self.principal.user.id;
        subscription.modified_date = now;
        let updated = subscription.clone();
        drop(store);
        Ok(self.render(&updated))
    }

    pub(super) fn delete(&self, raw: &str) -> Result<(), VssError> {
        let subscription = self.existing(raw)?;
        self.scopes(&subscription.event_type, true)?;
        // "DeleteSubscriptions is no longer used; EditSubscriptions can delete service hooks."
        self.require(subscription.project_id(), bits::EDIT_SUBSCRIPTIONS)?;
        self.state
            .world
            .hooks()
            .subscriptions
            .retain(|s| s.id != subscription.id);
        Ok(())
    }

    pub(super) fn query(&self, parts: &Parts) -> Result<Value, VssError> {
        let mut body = request_json(parts)
            .filter(Value::is_object)
            .ok_or_else(|| VssError::argument_null("query"))?;
        let text = |name: &str| {
            field_str(&body, name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let wanted = WantedKind::read(text);
        let subscriber = match text("subscriberId") {
            Some(raw) => Some(Uuid::parse_str(&raw).map_err(|_| {
                VssError::argument(&format!("'{raw}' is not a valid subscriber id."))
            })?),
            None => None,
        };
        let publisher_filters = field(&body, "publisherInputFilters").cloned();
        let consumer_filters = field(&body, "consumerInputFilters").cloned();
        let store = self.state.world.hooks();
        let results: Vec<Value> = store
            .subscriptions
            .iter()
            .filter(|s| self.visible(s) && wanted.admits(s))
            .filter(|s| subscriber.is_none_or(|id| s.modified_by == id || s.created_by == id))
            .filter(|s| {
                filters_match(publisher_filters.as_ref(), |id| {
                    s.publisher_inputs.get(id).map(String::as_str)
                })
            })
            .filter(|s| filters_match(consumer_filters.as_ref(), |id| s.consumer_input(id)))
            .map(|s| self.render(s))
            .collect();
        drop(store);
        body["results"] = json!(results);
        Ok(body)
    }

    pub(super) fn notifications(
        &self,
        raw: &str,
        incoming: &Incoming<'_>,
    ) -> Result<Value, VssError> {
        let subscription = self.notification_owner(raw)?;
        let max = match incoming.query_param("maxResults") {
            Some(raw) if !raw.trim().is_empty() => raw
                .trim()
                .parse::<usize>()
                .map_err(|_| VssError::invalid_argument("maxResults", &raw))?,
            _ => 100,
        };
        let status = match incoming.query_param("status") {
            Some(raw) if !raw.trim().is_empty() => Some(
                [
                    NotificationStatus::Queued,
                    NotificationStatus::Processing,
                    NotificationStatus::RequestInProgress,
                    NotificationStatus::Completed,
                ]
                .into_iter()
                .find(|s| s.as_str().eq_ignore_ascii_case(raw.trim()))
                .ok_or_else(|| VssError::invalid_argument("status", &raw))?,
            ),
            _ => None,
        };
        let result = match incoming.query_param("result") {
            Some(raw) if !raw.trim().is_empty() => Some(
                [
                    NotificationResult::Pending,
                    NotificationResult::Succeeded,
                    NotificationResult::Failed,
                    NotificationResult::Filtered,
                ]
                .into_iter()
                .find(|r| r.as_str().eq_ignore_ascii_case(raw.trim()))
                .ok_or_else(|| VssError::invalid_argument("result", &raw))?,
            ),
            _ => None,
        };
        let host = self.host_id();
        let store = self.state.world.hooks();
        let mut list: Vec<&Notification> = store
            .notifications
            .iter()
            .filter(|n| n.host_id == host && n.subscription_id == subscription)
            .filter(|n| status.is_none_or(|s| n.status == s))
            .filter(|n| result.is_none_or(|r| n.result == r))
            .collect();
        list.sort_by_key(|n| std::cmp::Reverse(n.id));
        let value: Vec<Value> = list
            .into_iter()
            .take(max)
            .map(render_notification)
            .collect();
        Ok(json!({ "count": value.len(), "value": value }))
    }

    /// The subscription whose history is asked for, after the checks; nil = tests of unsaved
    /// subscriptions (visible to collection administrators and the tester).
    pub(super) fn notification_owner(&self, raw: &str) -> Result<Uuid, VssError> {
        let id = Self::parse_id(raw)?;
        if id.is_nil() {
            return Ok(id);
        }
        let subscription = self.existing(raw)?;
        self.scopes(&subscription.event_type, false)?;
        self.require(subscription.project_id(), bits::VIEW_SUBSCRIPTIONS)?;
        Ok(id)
    }

    pub(super) fn notification(&self, raw: &str, notification: &str) -> Result<Value, VssError> {
        let subscription = self.notification_owner(raw)?;
        let id: i64 = notification
            .parse()
            .map_err(|_| VssError::notification_not_found(notification))?;
        let host = self.host_id();
        let user = self.principal.user.id;
        let admin = self.principal.user.collection_administrator;
        self.state
            .world
            .hooks()
            .notifications
            .iter()
            .find(|n| n.host_id == host && n.subscription_id == subscription && n.id == id)
            .filter(|n| !subscription.is_nil() || admin || n.subscriber_id == user)
            .map(render_notification)
            .ok_or_else(|| VssError::notification_not_found(notification))
    }

    pub(super) fn test_notification(
        &self,
        parts: &Parts,
        incoming: &Incoming<'_>,
    ) -> Result<Answer, VssError> {
        let body = request_json(parts)
            .filter(Value::is_object)
            .ok_or_else(|| VssError::argument_null("testNotification"))?;
        let real = incoming
            .query_param("useRealData")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let subscription_id = match field_str(&body, "subscriptionId") {
            Some(raw) if !raw.trim().is_empty() => {
                Uuid::parse_str(raw.trim()).map_err(|_| VssError::subscription_not_found(raw))?
            }
            _ => Uuid::nil(),
        };
        let details = field(&body, "details").filter(|d| d.is_object());
        let (event_type_id, resource_version, publisher_inputs, consumer_inputs) =
            if subscription_id.is_nil() {
                if real {
                    return Err(VssError::argument(
                        "Testing with real data is only possible for an existing subscription.",
                    ));
                }
                let details =
                    details.ok_or_else(|| VssError::argument_null("testNotification.Details"))?;
                let draft = Draft::parse(details)?;
                self.scopes(&draft.event_type, true)?;
                self.check_draft(&draft)?;
                self.require(draft.project_id(), bits::EDIT_SUBSCRIPTIONS)?;
                validate_consumer_inputs(&draft.consumer_inputs, true)?;
                (
                    draft.event_type,
                    draft.resource_version,
                    draft.publisher_inputs,
                    draft.consumer_inputs,
                )
            } else {
                let existing = self.existing(&subscription_id.to_string())?;
                self.scopes(&existing.event_type, true)?;
                self.require(existing.project_id(), bits::EDIT_SUBSCRIPTIONS)?;
                let given = string_map(
                    details.and_then(|d| field(d, "consumerInputs")),
                    "consumer input",
                )?;
                if real && !given.is_empty() {
                    return Err(VssError::new(
                        StatusCode::BAD_REQUEST,
                        "InvalidOperationException",
                        "System.InvalidOperationException, mscorlib",
                        "The consumer settings of a subscription cannot be overridden when testing with real data.".to_string(),
                    ));
                }
                let mut publisher_inputs = existing.publisher_inputs.clone();
                for (k, v) in string_map(
                    details.and_then(|d| field(d, "publisherInputs")),
                    "publisher input",
                )? {
                    publisher_inputs.insert(k, v);
                }
                let consumer_inputs = if given.is_empty() {
                    existing.consumer_inputs.clone()
                } else {
                    validate_consumer_inputs(&given, false)?;
                    given
                        .into_iter()
                        .map(|(k, v)| match (v.as_str(), existing.consumer_input(&k)) {
                            (MASK, Some(stored)) => (k, stored.to_string()),
                            _ => (k, v),
                        })
                        .collect()
                };
                (
                    existing.event_type.clone(),
                    existing.resource_version.clone(),
                    publisher_inputs,
                    consumer_inputs,
                )
            };
        let occurrence = test_occurrence(
            self.site.world,
            Some(self.site.host),
            &event_type_id,
            &publisher_inputs,
            real,
            self.state.hooks.base_url(),
        )
        .ok_or_else(|| {
            VssError::argument(&format!(
                "ado-emulator has no sample event for '{event_type_id}' (it has git.push, git.pullrequest.created, git.pullrequest.updated, git.pullrequest.merged and build.complete)."
            ))
        })?;
        let host = self.host_id();
        let now = OffsetDateTime::now_utc();
        let mut store = self.state.world.hooks();
        let notification_id = store.next_notification_id(host);
        let body = payload(
            &occurrence,
            subscription_id,
            notification_id,
            resource_version.as_deref(),
            &consumer_inputs,
        );
        let job = delivery_job(host, notification_id, None, &consumer_inputs, body.clone());
        store.notifications.push(Notification {
            id: notification_id,
            host_id: host,
            subscription_id,
            subscriber_id: self.principal.user.id,
            event_id: occurrence.event_id,
            event_type: occurrence.event_type.to_string(),
            publisher_id: PUBLISHER_ID.to_string(),
            consumer_id: CONSUMER_ID.to_string(),
            consumer_action_id: ACTION_ID.to_string(),
            publisher_inputs,
            consumer_inputs: inputs::masked(&consumer_inputs),
            is_test: true,
            ..Notification::queued(now, job.url.clone(), body)
        });
        drop(store);
        let engine = self.state.hooks.clone();
        let deferred = Deferred::new(async move {
            match engine.spawn(job, false).await {
                Ok(notification) => render_notification(&notification),
                Err(_) => Value::Null,
            }
        });
        Ok(Answer {
            deferred: Some(deferred),
            ..Answer::json(Value::Null)
        })
    }
}

/// Whether inputs pass a list of `InputFilter`s: any filter whose conditions all hold (an
/// absent or empty list passes everything).
pub(super) fn filters_match<'v>(
    filters: Option<&Value>,
    input: impl Fn(&str) -> Option<&'v str>,
) -> bool {
    let Some(filters) = filters.and_then(Value::as_array).filter(|f| !f.is_empty()) else {
        return true;
    };
    filters.iter().any(|filter| {
        field(filter, "conditions")
            .and_then(Value::as_array)
            .map(|conditions| {
                conditions.iter().all(|condition| {
                    let id = field_str(condition, "inputId").unwrap_or_default();
                    let expected = field_str(condition, "inputValue").unwrap_or_default();
                    let actual = input(id).unwrap_or_default();
                    let case_sensitive = field(condition, "caseSensitive")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    let equal = if case_sensitive {
                        actual == expected
                    } else {
                        actual.eq_ignore_ascii_case(expected)
                    };
                    match field_str(condition, "operator") {
                        Some(op) if op.eq_ignore_ascii_case("notEquals") => !equal,
                        _ => equal,
                    }
                })
            })
            .unwrap_or(true)
    })
}

/// The kind of subscription a list or a query asks for: publisher, event type, consumer and
/// action, each matched case-insensitively when given (the list reads them from the query string,
/// the query from its body).
struct WantedKind {
    publisher: Option<String>,
    event: Option<String>,
    consumer: Option<String>,
    action: Option<String>,
}

impl WantedKind {
    /// Reads the four filters by their wire names; `value` returns only non-blank values.
    fn read(value: impl Fn(&str) -> Option<String>) -> WantedKind {
        WantedKind {
            publisher: value("publisherId"),
            event: value("eventType"),
            consumer: value("consumerId"),
            action: value("consumerActionId"),
        }
    }

    fn admits(&self, subscription: &Subscription) -> bool {
        let same = |wanted: &Option<String>, actual: &str| {
            wanted
                .as_deref()
                .is_none_or(|w| w.eq_ignore_ascii_case(actual))
        };
        same(&self.publisher, &subscription.publisher_id)
            && same(&self.event, &subscription.event_type)
            && same(&self.consumer, &subscription.consumer_id)
            && same(&self.action, &subscription.consumer_action_id)
    }
}
