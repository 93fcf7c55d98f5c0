//! Plumbing between the dispatcher and the hooks: request bodies, case-insensitive JSON
//! properties, and work deferred until the world lock is released.
//!
//! The dispatcher answers while holding the world's read lock, synchronously. Routes that
//! need the body read it from the request's extensions ([`attach_body`] put it there); a
//! route that must do async work (a test notification's real delivery) returns its answer
//! with a [`Deferred`] future, which [`finish_deferred`] runs once the lock is gone and whose
//! value becomes the body.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::Value;

/// Largest request body read (service-hook subscriptions are small).
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// The request body, read before dispatch.
#[derive(Debug, Clone)]
pub(crate) struct RequestBody(pub Bytes);

/// Reads the body into the request's extensions (empty when unreadable or too large).
pub(crate) async fn attach_body(parts: &mut Parts, body: Body) {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    parts.extensions.insert(RequestBody(bytes));
}

/// The body as JSON, `None` when absent, empty or not JSON (ASP.NET binds those as `null`).
pub(crate) fn request_json(parts: &Parts) -> Option<Value> {
    let body = parts.extensions.get::<RequestBody>()?;
    let text = std::str::from_utf8(&body.0).ok()?;
    // A UTF-8 byte order mark is accepted, as .NET accepts it.
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Null) | Err(_) => None,
        Ok(value) => Some(value),
    }
}

/// A property of a JSON object, name compared case-insensitively (as Json.NET binds).
pub(crate) fn field<'v>(object: &'v Value, name: &str) -> Option<&'v Value> {
    let map = object.as_object()?;
    map.get(name).or_else(|| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// A string property (`None` when absent, `null` or not a string).
pub(crate) fn field_str<'v>(object: &'v Value, name: &str) -> Option<&'v str> {
    field(object, name).and_then(Value::as_str)
}

type BoxedBody = Pin<Box<dyn Future<Output = Value> + Send>>;

/// A response body still to compute, carried in the response's extensions.
#[derive(Clone)]
pub(crate) struct Deferred(Arc<Mutex<Option<BoxedBody>>>);

impl Deferred {
    pub fn new(future: impl Future<Output = Value> + Send + 'static) -> Self {
        Deferred(Arc::new(Mutex::new(Some(Box::pin(future)))))
    }
}

impl fmt::Debug for Deferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Deferred")
    }
}

/// Runs a [`Deferred`] body, if the response carries one.
pub(crate) async fn finish_deferred(response: &mut Response) {
    let Some(deferred) = response.extensions_mut().remove::<Deferred>() else {
        return;
    };
    let future = deferred.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(future) = future {
        let value = future.await;
        *response.body_mut() = Body::from(serde_json::to_vec(&value).unwrap_or_default());
        response.headers_mut().remove(header::CONTENT_LENGTH);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn properties_match_in_any_case() {
        let body = json!({"alwaysallowadministrators": true, "Evaluations": []});
        assert_eq!(
            field(&body, "alwaysAllowAdministrators"),
            Some(&json!(true))
        );
        assert!(field(&body, "evaluations").is_some());
        assert!(field(&body, "missing").is_none());
    }
}
