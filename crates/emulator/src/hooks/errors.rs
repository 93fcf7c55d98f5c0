//! VSS errors of the service-hooks, security and build areas.
//!
//! Exception types and their HTTP statuses are the service's own (its exception map lists
//! `ArgumentException`, `ArgumentNullException` 400, `SubscriptionInputException` 400,
//! `SubscriptionNotFoundException`, `NotificationNotFoundException`,
//! `PublisherNotFoundException`, `ConsumerNotFoundException`,
//! `ConsumerActionNotFoundException` 404). The resource texts of the messages were not
//! found; the wording here is the emulator's (see `FIDELITY.md`).

use axum::http::StatusCode;

use crate::errors::VssError;

fn hooks_error(
    status: StatusCode,
    type_key: &'static str,
    type_name: &'static str,
    message: String,
) -> VssError {
    VssError::new(status, type_key, type_name, message)
}

impl VssError {
    /// `400 ArgumentNullException` for a missing body or property, in .NET Framework's words
    /// ("Value cannot be null.\r\nParameter name: {name}").
    pub(crate) fn argument_null(name: &str) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "ArgumentNullException",
            "System.ArgumentNullException, mscorlib",
            format!("Value cannot be null.\r\nParameter name: {name}"),
        )
    }

    /// `400 ArgumentException`.
    pub(crate) fn argument(message: &str) -> Self {
        VssError::new(
            StatusCode::BAD_REQUEST,
            "ArgumentException",
            "System.ArgumentException, mscorlib",
            message.to_string(),
        )
    }

    /// `400 SubscriptionInputException`: an input of a subscription is missing or invalid.
    pub(crate) fn subscription_input(message: String) -> Self {
        hooks_error(
            StatusCode::BAD_REQUEST,
            "SubscriptionInputException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.SubscriptionInputException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            message,
        )
    }

    /// `404 SubscriptionNotFoundException`.
    pub(crate) fn subscription_not_found(id: &str) -> Self {
        hooks_error(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFoundException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.SubscriptionNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            format!("No subscription with ID {id} exists."),
        )
    }

    /// `404 NotificationNotFoundException`.
    pub(crate) fn notification_not_found(id: &str) -> Self {
        hooks_error(
            StatusCode::NOT_FOUND,
            "NotificationNotFoundException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.NotificationNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            format!("Notification {id} was not found."),
        )
    }

    /// `404 PublisherNotFoundException`.
    pub(crate) fn publisher_not_found(id: &str) -> Self {
        hooks_error(
            StatusCode::NOT_FOUND,
            "PublisherNotFoundException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.PublisherNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            format!("No publisher with ID '{id}' was found."),
        )
    }

    /// `404 ConsumerNotFoundException`.
    pub(crate) fn consumer_not_found(id: &str) -> Self {
        hooks_error(
            StatusCode::NOT_FOUND,
            "ConsumerNotFoundException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.ConsumerNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            format!("No consumer with ID '{id}' was found."),
        )
    }

    /// `404 ConsumerActionNotFoundException`.
    pub(crate) fn consumer_action_not_found(consumer: &str, action: &str) -> Self {
        hooks_error(
            StatusCode::NOT_FOUND,
            "ConsumerActionNotFoundException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.ConsumerActionNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            format!("No action with ID '{action}' was found for consumer '{consumer}'."),
        )
    }

    /// `404 EventTypeNotFoundException` for an event type the publisher does not have
    /// (`Error_PublisherEventTypeNotFoundByIdFormat`; class name assumed).
    pub(crate) fn event_type_not_found(publisher: &str, event_type: &str) -> Self {
        hooks_error(
            StatusCode::NOT_FOUND,
            "EventTypeNotFoundException",
            "Microsoft.VisualStudio.Services.ServiceHooks.WebApi.EventTypeNotFoundException, Microsoft.VisualStudio.Services.ServiceHooks.WebApi",
            format!("No event type with ID '{event_type}' was found for publisher '{publisher}'."),
        )
    }

    /// `HttpException`, which the hooks controllers throw for a token whose scopes do not
    /// cover the subscription's event type: 403 "No scope found" on writes, 404 "Not found"
    /// on reads.
    pub(crate) fn hooks_scope(write: bool) -> Self {
        let (status, message) = if write {
            (StatusCode::FORBIDDEN, "No scope found")
        } else {
            (StatusCode::NOT_FOUND, "Not found")
        };
        VssError::new(
            status,
            "HttpException",
            "System.Web.HttpException, System.Web",
            message.to_string(),
        )
    }
}
