//! `GET {server}/_apis/projectCollections`: a Server's collections, asked of the server itself
//! (its virtual directory), not of a collection. Answers `{count, value}` of
//! `TeamProjectCollectionReference` (`id`, `name`, `url`; core spec), listing the collections the
//! caller's credential works on. Without a credential that works on one of them: the Server's
//! 401 challenge, as for any request.

use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::Incoming;
use crate::auth::{self, Challenge};
use crate::resources::vdir_prefix;
use crate::world::{HostRef, World};

/// The server whose collections `segments` ask for (`{vdir}/_apis/projectCollections`, any case),
/// if they do.
pub(crate) fn asked(world: &World, segments: &[String]) -> Option<usize> {
    let [vdir, apis, resource] = segments else {
        return None;
    };
    if !apis.eq_ignore_ascii_case("_apis") || !resource.eq_ignore_ascii_case("projectCollections") {
        return None;
    }
    world.servers.iter().position(|s| {
        s.virtual_directory
            .as_deref()
            .is_some_and(|v| v.eq_ignore_ascii_case(vdir))
    })
}

/// The answer for server `s`.
pub(crate) fn respond(world: &World, s: usize, parts: &Parts, incoming: &Incoming<'_>) -> Response {
    let server = &world.servers[s];
    let presented = auth::presented(&parts.headers);
    let now = OffsetDateTime::now_utc();
    let visible: Vec<Value> = (0..server.collections.len())
        .filter(|&c| auth::authenticate(world, HostRef::Collection(s, c), &presented, now).is_ok())
        .map(|c| {
            let collection = &server.collections[c];
            json!({
                "id": collection.id,
                "name": collection.name,
                "url": format!(
                    "{}{}/_apis/projectCollections/{}",
                    incoming.origin,
                    vdir_prefix(server),
                    collection.id
                ),
            })
        })
        .collect();
    if visible.is_empty() {
        let challenge = Challenge {
            services_tenant: None,
            sign_in: Default::default(),
            suppress: auth::suppresses_redirects(&parts.headers),
            origin: incoming.origin.clone(),
            request_url: format!(
                "{}{}/_apis/projectCollections",
                incoming.origin,
                vdir_prefix(server)
            ),
            host_id: server.collections.first().map(|c| c.id).unwrap_or_default(),
        };
        let failure = match server.collections.first() {
            Some(_) => auth::authenticate(world, HostRef::Collection(s, 0), &presented, now)
                .err()
                .unwrap_or(auth::Failure::Invalid),
            None => auth::Failure::Invalid,
        };
        return challenge.failure_response(failure);
    }
    let mut response =
        axum::Json(json!({ "count": visible.len(), "value": visible })).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
