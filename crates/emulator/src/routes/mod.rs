//! Request handling: one axum fallback handler that resolves the host, authenticates, checks
//! scopes and `api-version`, and hands over to the area modules.
//!
//! axum's router matches paths case-sensitively, and Azure DevOps does not (organization,
//! collection, virtual directory, project and `_apis` segments all match in any case), so the
//! emulator matches paths itself: segments are percent-decoded (`Fabrikam%20Fiber`), empty
//! segments (`//`) are ignored, and every comparison ignores ASCII case.
//!
//! Order of checks, as the real pipeline does it: injected failure, host, authentication,
//! rate limit, route, scope, `api-version`, then the resource itself (so a missing project is
//! reported only to a caller who may ask).

mod areas;
pub(crate) mod build;
mod collections;
pub(crate) mod commits;
pub(crate) mod connection_data;
mod control;
mod deployment;
mod fault_answers;
mod pats;

pub(crate) mod git;
pub(crate) mod hooks;
pub(crate) mod locations;
mod probes;
pub(crate) mod projects;
pub(crate) mod pullrequests;
mod security;
mod wit;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::{self, Challenge, Principal};
use crate::entra::endpoints::EntraSide;
use crate::errors::VssError;
use crate::faults::{Decision, Fault};
use crate::resources::{encode_segment, vdir_prefix, Site};
use crate::server::Connection;
use crate::state::{origin, AppState};
use crate::versions;
use crate::world::{HostMatch, World};

use self::locations::{HostLimits, LocationDef};

/// The axum app.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let activity = Uuid::new_v4();
    // The emulator's own control endpoints (`/_emulator/…`) bypass faults and authentication.
    let request = match control::intercept(&state, request).await {
        Ok(response) => return response,
        Err(request) => request,
    };
    let connection = request.extensions().get::<Connection>().cloned();
    let api_version = crate::versions::raw_requested(
        request.uri().query(),
        request
            .headers()
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    let (decision, latency) =
        state
            .faults
            .decide(request.method().as_str(), request.uri().path(), api_version);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // Faults that never produce an answer of their own making (`fault_answers.rs`).
    match &decision {
        Decision::Rule(Fault::Hang) => {
            return fault_answers::hang(state.stop.clone(), connection.as_ref()).await
        }
        Decision::Rule(Fault::Close) => return fault_answers::close(connection.as_ref()),
        Decision::Rule(Fault::HugeBody {
            bytes,
            declare_length,
        }) => return fault_answers::huge_body(*bytes, *declare_length),
        _ => {}
    }
    let mut response = if crate::entra::endpoints::is_entra_path(request.uri().path()) {
        // Microsoft Entra ID (`/{tenant}/oauth2/v2.0/…`, `/devicelogin`): another service, so
        // none of Azure DevOps' headers, and only the faults a rule aims at it (`entra.rs`).
        match &decision {
            Decision::Rule(Fault::Status {
                status,
                retry_after_secs,
            }) => {
                let (parts, _) = request.into_parts();
                fault_answers::status(
                    *status,
                    *retry_after_secs,
                    None,
                    &origin(&state, &parts),
                    &activity,
                )
            }
            _ => {
                let entra = EntraSide {
                    entra: &state.entra,
                    world: &state.world,
                };
                let (parts, body) = request.into_parts();
                let origin = origin(&state, &parts);
                let request = Request::from_parts(parts, body);
                crate::entra::endpoints::handle(&entra, origin, request).await
            }
        }
    } else {
        respond_ado(&state, request, &decision, activity).await
    };
    if let Decision::Rule(fault) = &decision {
        response =
            fault_answers::transform(fault, response, connection.as_ref(), &state.faults).await;
    }
    response
}

async fn respond_ado(
    state: &AppState,
    request: Request,
    decision: &Decision,
    activity: Uuid,
) -> Response {
    let (mut parts, body) = request.into_parts();
    crate::hooks::attach_body(&mut parts, body).await;
    let mut response = match decision {
        Decision::Fail(status) => VssError::server_failure(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
            &activity,
        )
        .into_response(),
        _ => respond(state, &parts, decision, &activity),
    };
    // Work a route left for after the world lock (a test notification's delivery).
    crate::hooks::finish_deferred(&mut response).await;
    decorate(state, &parts.headers, response.headers_mut(), activity);
    tracing::info!(
        method = %parts.method,
        uri = %parts.uri,
        status = response.status().as_u16(),
        "request"
    );
    if parts.method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

/// Headers every Azure DevOps response carries (SDK `HttpHeaders.cs`).
fn decorate(state: &AppState, request: &HeaderMap, headers: &mut HeaderMap, activity: Uuid) {
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    };
    set("x-vss-e2eid", Uuid::new_v4().to_string());
    set("activityid", activity.to_string());
    let session = request
        .get("x-tfs-session")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').next().unwrap_or(v).trim().to_string())
        .unwrap_or_else(|| activity.to_string());
    set("x-tfs-session", session);
    set("x-tfs-processid", state.process_id.to_string());
    set("x-content-type-options", "nosniff".to_string());
}

/// The request as the handlers see it.
pub(crate) struct Incoming<'a> {
    pub query: Option<&'a str>,
    /// `scheme://authority`.
    pub origin: String,
}

impl Incoming<'_> {
    /// A whole-number query parameter (`$top`, `$skip`, `continuationToken`); blank is absent,
    /// anything else that is not a number is `400 InvalidArgumentValueException`.
    pub fn number(&self, name: &str) -> Result<Option<usize>, VssError> {
        match self.query_param(name) {
            None => Ok(None),
            Some(raw) if raw.trim().is_empty() => Ok(None),
            Some(raw) => raw
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| VssError::invalid_argument(name, &raw)),
        }
    }

    /// A query parameter (name compared case-insensitively), percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode_str(key).decode_utf8_lossy();
            key.eq_ignore_ascii_case(name).then(|| {
                percent_decode_str(&value.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    }
}

fn respond(
    state: &AppState,
    parts: &axum::http::request::Parts,
    decision: &Decision,
    activity: &Uuid,
) -> Response {
    let incoming = Incoming {
        query: parts.uri.query(),
        origin: origin(state, parts),
    };
    // PATs, profiles and accounts change or span organizations (`pats.rs`).
    if let Some(response) = pats::intercept(state, parts, &incoming) {
        return response;
    }
    let path = parts.uri.path();
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();

    let world = state.world.read();
    let Some(first) = segments.first() else {
        return index(&world, &incoming);
    };
    if first.starts_with('_') {
        return deployment::respond(&parts.method, &segments, path, &incoming);
    }
    // A Server's collections are asked of the server itself, before any collection matches.
    if let Some(server) = collections::asked(&world, &segments) {
        return collections::respond(&world, server, parts, &incoming);
    }
    let (host, consumed) = match world.match_host(&segments) {
        HostMatch::Found(host, consumed) => (host, consumed),
        HostMatch::UnknownCollection(name) => {
            return VssError::collection_not_found(&name).into_response()
        }
        HostMatch::UnknownOrganization(name) => {
            return VssError::organization_not_found(&name).into_response()
        }
    };
    let site = Site {
        world: &world,
        host,
        origin: incoming.origin.clone(),
    };

    let challenge = Challenge {
        services_tenant: site.organization().map(|o| o.tenant_id),
        sign_in: state
            .sign_in_override
            .or(site.organization().map(|o| o.sign_in))
            .unwrap_or_default(),
        suppress: auth::suppresses_redirects(&parts.headers),
        origin: incoming.origin.clone(),
        request_url: format!(
            "{}{}",
            incoming.origin,
            parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
        ),
        host_id: world.host_id(host),
    };
    // A rule's status stands in for the whole pipeline, credentials or not.
    if let Decision::Rule(Fault::Status {
        status,
        retry_after_secs,
    }) = decision
    {
        return fault_answers::status(
            *status,
            *retry_after_secs,
            Some(&challenge),
            &incoming.origin,
            activity,
        );
    }
    let principal = match auth::authenticate(
        &world,
        host,
        &auth::presented(&parts.headers),
        OffsetDateTime::now_utc(),
    ) {
        Ok(principal) => principal,
        Err(failure) => return challenge.failure_response(failure),
    };
    // A service principal not added to this organization, or a Bearer token where the OAuth
    // policy is off: `401 TF400813` naming the identity (`entra/mod.rs`).
    if let Some(user_id) =
        state
            .entra
            .access_denied(&world, host, &parts.headers, principal.user.id)
    {
        return challenge.missing_scope_response(&user_id);
    }
    if let Decision::RateLimit(retry_after) = *decision {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        return VssError::rate_limited(retry_after, now).into_response();
    }

    let rest = &segments[consumed..];
    let Some(route) = Route::parse(&parts.method, rest) else {
        return if Route::parse(&Method::GET, rest).is_some() {
            VssError::method_not_allowed(parts.method.as_str(), path).into_response()
        } else {
            VssError::route_not_found(parts.method.as_str(), path).into_response()
        };
    };
    if !principal.may(route.required_scopes()) {
        return challenge.missing_scope_response(&principal.user.id);
    }
    let version = match route.location() {
        None => None,
        Some(location) => {
            let requested = match versions::from_request(
                incoming.query,
                parts
                    .headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok()),
            ) {
                Ok(requested) => requested,
                Err(error) => return error.into_response(),
            };
            match location.negotiate(requested.as_ref(), &parts.method, HostLimits::of(&site)) {
                Ok(version) => Some(version),
                Err(error) => return error.into_response(),
            }
        }
    };

    let result = match route {
        Route::Options { area } => Ok(Answer::json(locations::options(&site, area))),
        Route::ConnectionData => Ok(Answer::json(connection_data::build(
            &site, &principal, &incoming,
        ))),
        Route::ResourceAreas { area_id: None } => {
            Ok(Answer::json(locations::resource_areas(&site)))
        }
        Route::ResourceAreas { area_id: Some(id) } => {
            locations::resource_area(&site, id).map(Answer::json)
        }
        Route::Projects => projects::list(&site, &incoming),
        Route::Project { id } => projects::get(&site, id, &incoming).map(Answer::json),
        Route::Repositories { project } => git::list(&site, project, &incoming).map(Answer::json),
        Route::Repository {
            project,
            repository,
        } => git::get(&site, project, repository, &incoming).map(Answer::json),
        Route::Area(route) => areas::respond(state, &site, &principal, &incoming, parts, route),
    };
    match result {
        Ok(answer) => answer.into_response(version.as_deref(), &principal),
        Err(error) => error.into_response(),
    }
}

/// A successful JSON answer and extra headers (e.g. `x-ms-continuationtoken`).
pub(crate) struct Answer {
    pub body: Value,
    pub headers: Vec<(HeaderName, String)>,
    /// `200` unless a route says otherwise (`204` answers have no body).
    pub status: StatusCode,
    /// Work to finish after the world lock is released (see `hooks::Deferred`).
    pub deferred: Option<crate::hooks::Deferred>,
}

impl Answer {
    pub fn json(body: Value) -> Self {
        Answer {
            body,
            headers: Vec::new(),
            status: StatusCode::OK,
            deferred: None,
        }
    }

    fn into_response(self, version: Option<&str>, principal: &Principal) -> Response {
        let content_type = match version {
            Some(version) => format!("application/json; charset=utf-8; api-version={version}"),
            None => "application/json; charset=utf-8".to_string(),
        };
        let body = match self.status {
            StatusCode::NO_CONTENT => Vec::new(),
            _ => serde_json::to_vec(&self.body).unwrap_or_default(),
        };
        let mut response = (self.status, body).into_response();
        if let Some(deferred) = self.deferred {
            response.extensions_mut().insert(deferred);
        }
        let headers = response.headers_mut();
        if let (Ok(value), false) = (
            HeaderValue::from_str(&content_type),
            self.status == StatusCode::NO_CONTENT,
        ) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        // "{userId}:{uniqueName}", as Azure DevOps reports the caller.
        if let Ok(value) =
            HeaderValue::from_str(&format!("{}:{}", principal.user.id, principal.user.email))
        {
            headers.insert(HeaderName::from_static("x-vss-userdata"), value);
        }
        // Appended: a name may repeat (the commits list can send two `Link` headers).
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.append(name, value);
            }
        }
        response
    }
}

fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, page).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// `GET /`: where things are (no secrets), for people poking at a running emulator.
fn index(world: &World, incoming: &Incoming<'_>) -> Response {
    let origin = &incoming.origin;
    let organizations: Vec<String> = world
        .organizations
        .iter()
        .map(|o| format!("{origin}/{}", encode_segment(&o.name)))
        .collect();
    let mut collections = Vec::new();
    for server in &world.servers {
        for collection in &server.collections {
            collections.push(format!(
                "{origin}{}/{}",
                vdir_prefix(server),
                encode_segment(&collection.name)
            ));
        }
    }
    let body = json!({
        "emulator": "ado-emulator",
        "organizationUrls": organizations,
        "collectionUrls": collections,
    });
    let mut response = (StatusCode::OK, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The routes the emulator serves, below a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    /// `OPTIONS _apis[/{area}]`.
    Options { area: Option<&'a str> },
    /// `GET _apis/connectionData`.
    ConnectionData,
    /// `GET _apis/ResourceAreas[/{areaId}]`.
    ResourceAreas { area_id: Option<&'a str> },
    /// `GET _apis/projects`.
    Projects,
    /// `GET _apis/projects/{projectIdOrName}`.
    Project { id: &'a str },
    /// `GET [{project}/]_apis/git/repositories`.
    Repositories { project: Option<&'a str> },
    /// `GET [{project}/]_apis/git/repositories/{repositoryIdOrName}`.
    Repository {
        project: Option<&'a str>,
        repository: &'a str,
    },
    /// Pull requests, builds, work item types, permission evaluation, service hooks
    /// (`areas.rs`).
    Area(areas::AreaRoute<'a>),
}

impl<'a> Route<'a> {
    fn parse(method: &Method, rest: &'a [String]) -> Option<Route<'a>> {
        let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        if method == Method::OPTIONS {
            return match lower.as_slice() {
                ["_apis"] => Some(Route::Options { area: None }),
                ["_apis", _] => Some(Route::Options {
                    area: Some(rest[1].as_str()),
                }),
                _ => None,
            };
        }
        if let Some(route) = areas::AreaRoute::parse(method, rest, &lower) {
            return Some(Route::Area(route));
        }
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        match lower.as_slice() {
            ["_apis", "connectiondata"] => Some(Route::ConnectionData),
            ["_apis", "resourceareas"] => Some(Route::ResourceAreas { area_id: None }),
            ["_apis", "resourceareas", _] => Some(Route::ResourceAreas {
                area_id: Some(rest[2].as_str()),
            }),
            ["_apis", "projects"] => Some(Route::Projects),
            ["_apis", "projects", _] => Some(Route::Project {
                id: rest[2].as_str(),
            }),
            ["_apis", "git", "repositories"] => Some(Route::Repositories { project: None }),
            ["_apis", "git", "repositories", _] => Some(Route::Repository {
                project: None,
                repository: rest[3].as_str(),
            }),
            [_, "_apis", "git", "repositories"] => Some(Route::Repositories {
                project: Some(rest[0].as_str()),
            }),
            [_, "_apis", "git", "repositories", _] => Some(Route::Repository {
                project: Some(rest[0].as_str()),
                repository: rest[4].as_str(),
            }),
            _ => None,
        }
    }

    /// Scopes of which the token needs one (empty: any valid token).
    ///
    /// Projects: `vso.project` or `vso.profile` (spec `core/7.1`); repositories: `vso.code`
    /// (spec `git/7.1`).
    fn required_scopes(&self) -> &'static [&'static str] {
        match self {
            Route::Options { .. } | Route::ConnectionData | Route::ResourceAreas { .. } => &[],
            Route::Projects | Route::Project { .. } => &["vso.project", "vso.profile"],
            Route::Repositories { .. } | Route::Repository { .. } => &["vso.code"],
            Route::Area(route) => route.required_scopes(),
        }
    }

    /// The resource location whose version range applies (none for `OPTIONS`).
    fn location(&self) -> Option<&'static LocationDef> {
        match self {
            Route::Options { .. } => None,
            Route::ConnectionData => Some(&locations::CONNECTION_DATA),
            Route::ResourceAreas { .. } => Some(&locations::RESOURCE_AREAS),
            Route::Projects | Route::Project { .. } => Some(&locations::PROJECTS),
            Route::Repositories { .. } | Route::Repository { .. } => Some(&locations::REPOSITORIES),
            Route::Area(route) => Some(route.location()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(method: Method, path: &str) -> Option<String> {
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        Route::parse(&method, &segments).map(|r| format!("{r:?}"))
    }

    #[test]
    fn routes_match_in_any_case() {
        assert_eq!(
            parse(Method::GET, "_APIS/Projects").as_deref(),
            Some("Projects")
        );
        assert_eq!(
            parse(Method::GET, "_apis/connectiondata").as_deref(),
            Some("ConnectionData")
        );
        assert_eq!(
            parse(Method::GET, "Fabrikam Fiber/_Apis/GIT/Repositories").as_deref(),
            Some("Repositories { project: Some(\"Fabrikam Fiber\") }")
        );
        assert_eq!(
            parse(Method::OPTIONS, "_apis/git").as_deref(),
            Some("Options { area: Some(\"git\") }")
        );
    }

    #[test]
    fn commit_routes_take_an_optional_project() {
        assert_eq!(
            parse(Method::GET, "_apis/git/repositories/r/pullRequests/3/commits").as_deref(),
            Some(
                "Area(PullRequestCommits { project: None, repository: \"r\", pull_request: \"3\" })"
            )
        );
        assert_eq!(
            parse(Method::GET, "P/_apis/git/repositories/r/Commits").as_deref(),
            Some("Area(Commits { project: Some(\"P\"), repository: \"r\" })")
        );
        assert_eq!(
            parse(Method::GET, "_apis/build/builds").as_deref(),
            Some("Area(Builds { project: None })")
        );
    }

    #[test]
    fn unknown_paths_and_verbs_do_not_match() {
        assert_eq!(parse(Method::GET, "_apis/wit/workitems"), None);
        assert_eq!(parse(Method::POST, "_apis/projects"), None);
        assert_eq!(parse(Method::GET, "_apis"), None);
    }
}
