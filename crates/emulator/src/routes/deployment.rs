//! Routes above any organization or collection: URL segments that start with `_`, which
//! Azure DevOps reserves, so they cannot clash with a host name (scenarios may not use them).
//!
//! Today: `/_signin`, the page the `302` for bad credentials points to. This is also where
//! deployment-wide endpoints belong as they are added (an Entra/OAuth token endpoint, the
//! anonymous `_apis/resourceAreas/{id}?accountName=` lookup).

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{html, Incoming};
use crate::errors::VssError;
use crate::resources::signin;

/// Answers a request whose first segment starts with `_`.
pub(crate) fn respond(
    method: &Method,
    segments: &[String],
    path: &str,
    incoming: &Incoming<'_>,
) -> Response {
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    match (
        method,
        lower
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
    ) {
        (&Method::GET | &Method::HEAD, ["_signin"]) => {
            let reply_to = incoming.query_param("reply_to").unwrap_or_default();
            html(StatusCode::OK, signin::sign_in_page(&reply_to))
        }
        _ => VssError::route_not_found(method.as_str(), path).into_response(),
    }
}
