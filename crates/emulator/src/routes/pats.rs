//! The Visual Studio Profile Service's APIs ADO Connect uses, answered on the emulator's one
//! origin (the real service answers them on other hosts):
//!
//! - PAT Lifecycle Management, `{organization}/_apis/tokens/pats` (real:
//!   `vssps.dev.azure.com`; spec `tokens/7.1/tokens.json`, api-version `7.1-preview.1`):
//!   create, get, list, update and revoke the caller's PATs. Only a signed-in user's Microsoft
//!   Entra token (Bearer, with `user_impersonation`) may call it: a PAT, or a token without that
//!   scope, gets `401`; a service principal gets `invalidUserType`. Organizations' policies
//!   apply (`world/pats.rs`). Azure DevOps Server has no such API (a collection answers the
//!   usual `404`).
//! - `_apis/profile/profiles/me` (real: `app.vssps.visualstudio.com`; spec
//!   `profile/7.1/profile.json`): the caller's profile, whose `id` is their member id.
//! - `_apis/accounts?memberId=` (same host; spec `account/7.1/accounts.json`): the
//!   organizations that member belongs to, as far as the token may see them.
//!
//! These are matched before the dispatcher takes the world's read lock, because minting and
//! revoking change the world.

use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Incoming;
use crate::auth::{self, Challenge, Presented, Principal};
use crate::errors::VssError;
use crate::state::AppState;
use crate::world::{HostMatch, HostRef, PatError, PatRequest, PatView, World};

/// The api-versions the tokens API serves (specs `tokens/7.0`, `7.1`, `7.2`).
const TOKENS_VERSIONS: &[&str] = &["7.0-preview.1", "7.1-preview.1", "7.2-preview.1"];

/// Answers the tokens, profile and accounts routes; `None` for every other request.
pub(crate) fn intercept(
    state: &AppState,
    parts: &Parts,
    incoming: &Incoming<'_>,
) -> Option<Response> {
    let segments: Vec<String> = parts
        .uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let get = parts.method == Method::GET || parts.method == Method::HEAD;
    match lower.as_slice() {
        ["_apis", "profile", "profiles", id] if get => {
            Some(profile(state, parts, incoming, id.to_string()))
        }
        ["_apis", "accounts"] if get => Some(accounts(state, parts, incoming)),
        [_, "_apis", "tokens", "pats"] => {
            let world = state.world.read();
            match world.match_host(&segments[..1]) {
                HostMatch::Found(HostRef::Organization(o), 1) => {
                    drop(world);
                    Some(tokens(state, parts, incoming, o))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn challenge(
    state: &AppState,
    world: &World,
    parts: &Parts,
    incoming: &Incoming<'_>,
    host: HostRef,
) -> Challenge {
    let tenant = match host {
        HostRef::Organization(o) => Some(world.organizations[o].tenant_id),
        HostRef::Collection(..) => None,
    };
    Challenge {
        services_tenant: tenant,
        sign_in: state
            .sign_in_override
            .or(match host {
                HostRef::Organization(o) => Some(world.organizations[o].sign_in),
                HostRef::Collection(..) => None,
            })
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
    }
}

fn json_answer(
    status: StatusCode,
    body: &Value,
    version: Option<&str>,
    principal: &Principal,
) -> Response {
    let bytes = if status == StatusCode::NO_CONTENT || body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).unwrap_or_default()
    };
    let mut response = (status, bytes).into_response();
    let content_type = match version {
        Some(v) => format!("application/json; charset=utf-8; api-version={v}"),
        None => "application/json; charset=utf-8".to_string(),
    };
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) =
        HeaderValue::from_str(&format!("{}:{}", principal.user.id, principal.user.email))
    {
        response.headers_mut().insert("x-vss-userdata", value);
    }
    response
}

fn format_date(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A `PatToken`; the token value only right after creation.
fn pat_json(view: &PatView, with_token: bool) -> Value {
    json!({
        "displayName": view.pat.display_name,
        "validTo": format_date(view.valid_to),
        "scope": view.pat.scope,
        "targetAccounts": [view.target_account],
        "validFrom": format_date(view.pat.valid_from),
        "authorizationId": view.pat.authorization_id,
        "token": if with_token { Value::String(view.pat.token.clone()) } else { Value::Null },
    })
}

/// A `PatTokenResult` carrying an error: the service sends an empty `patToken` with it.
fn pat_error(error: PatError) -> Value {
    json!({
        "patToken": {
            "displayName": null,
            "validTo": "0001-01-01T00:00:00Z",
            "scope": null,
            "targetAccounts": null,
            "validFrom": "0001-01-01T00:00:00Z",
            "authorizationId": Uuid::nil(),
            "token": null,
        },
        "patTokenError": error.as_str(),
    })
}

fn pat_result(result: Result<PatView, PatError>, with_token: bool) -> Value {
    match result {
        Ok(view) => json!({ "patToken": pat_json(&view, with_token), "patTokenError": "none" }),
        Err(error) => pat_error(error),
    }
}

/// Who calls, for the profile service's routes: any valid credential (no organization).
fn caller(state: &AppState, parts: &Parts) -> Option<(Principal, Vec<usize>)> {
    let world = state.world.read();
    let (kind, token) = match auth::presented(&parts.headers) {
        Presented::Bearer(token) => (crate::world::CredentialKind::AccessToken, token),
        Presented::Basic(token) if !token.is_empty() => (crate::world::CredentialKind::Pat, token),
        _ => return None,
    };
    let credential = world.credential(kind, &token)?;
    let now = OffsetDateTime::now_utc();
    if credential.revoked || credential.valid_to.is_some_and(|v| v <= now) {
        return None;
    }
    let user = world.user(credential.user_id)?.clone();
    let organizations = world.organizations_of(credential);
    Some((
        Principal {
            user,
            scopes: credential.scopes.clone(),
        },
        organizations,
    ))
}

fn unauthorized() -> Response {
    VssError::unauthorized("")
        .with_header(header::WWW_AUTHENTICATE, "Bearer")
        .into_response()
}

fn profile(state: &AppState, parts: &Parts, incoming: &Incoming<'_>, id: String) -> Response {
    let Some((principal, _)) = caller(state, parts) else {
        return unauthorized();
    };
    if !principal.may(&["vso.profile"]) {
        return VssError::unauthorized(&principal.user.id.to_string()).into_response();
    }
    if id != "me" && id.parse::<Uuid>().ok() != Some(principal.user.id) {
        return VssError::new(
            StatusCode::NOT_FOUND,
            "ProfileNotFoundException",
            "Microsoft.VisualStudio.Services.Profile.ProfileNotFoundException, Microsoft.VisualStudio.Services.WebApi",
            format!("VS20007: Profile with id '{id}' does not exist."),
        )
        .into_response();
    }
    let details = incoming
        .query_param("details")
        .is_some_and(|d| d.eq_ignore_ascii_case("true"));
    let user = &principal.user;
    let core = if details {
        json!({
            "DisplayName": { "descriptor": { "containerName": "Core", "attributeName": "DisplayName" }, "value": user.display_name, "timeStamp": "2024-05-06T09:30:00+00:00", "revision": 1 },
            "EmailAddress": { "descriptor": { "containerName": "Core", "attributeName": "EmailAddress" }, "value": user.email, "timeStamp": "2024-05-06T09:30:00+00:00", "revision": 1 },
            "PublicAlias": { "descriptor": { "containerName": "Core", "attributeName": "PublicAlias" }, "value": user.id, "timeStamp": "2024-05-06T09:30:00+00:00", "revision": 1 },
        })
    } else {
        json!({})
    };
    let body = json!({
        "coreRevision": 1,
        "timeStamp": "2024-05-06T09:30:00+00:00",
        "id": user.id,
        "revision": 1,
        "coreAttributes": core,
        "profileState": "custom",
    });
    json_answer(StatusCode::OK, &body, Some("7.1"), &principal)
}

fn accounts(state: &AppState, parts: &Parts, incoming: &Incoming<'_>) -> Response {
    let Some((principal, organizations)) = caller(state, parts) else {
        return unauthorized();
    };
    if !principal.may(&["vso.profile"]) {
        return VssError::unauthorized(&principal.user.id.to_string()).into_response();
    }
    let member = incoming.query_param("memberId");
    let owner = incoming.query_param("ownerId");
    if member.is_none() && owner.is_none() {
        return VssError::new(
            StatusCode::BAD_REQUEST,
            "ArgumentException",
            "System.ArgumentException, mscorlib",
            "Either ownerId or memberId must be specified.".to_string(),
        )
        .into_response();
    }
    let me = principal.user.id.to_string();
    let mine = [member, owner]
        .iter()
        .flatten()
        .any(|id| id.eq_ignore_ascii_case(&me));
    let world = state.world.read();
    let value: Vec<Value> = if mine {
        organizations
            .iter()
            .map(|&o| {
                let org = &world.organizations[o];
                json!({
                    "accountId": org.id,
                    "accountUri": format!("{}/{}/", incoming.origin, crate::resources::encode_segment(&org.name)),
                    "accountName": org.name,
                    "properties": {},
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let body = json!({ "count": value.len(), "value": value });
    json_answer(StatusCode::OK, &body, Some("7.1"), &principal)
}

fn tokens(
    state: &AppState,
    parts: &Parts,
    incoming: &Incoming<'_>,
    organization: usize,
) -> Response {
    let host = HostRef::Organization(organization);
    let now = OffsetDateTime::now_utc();
    let (principal, challenge) = {
        let world = state.world.read();
        let challenge = challenge(state, &world, parts, incoming, host);
        let presented = auth::presented(&parts.headers);
        let principal = match auth::authenticate(&world, host, &presented, now) {
            Ok(principal) => principal,
            Err(failure) => return challenge.failure_response(failure),
        };
        // Only a Microsoft Entra token may manage PATs; a PAT may not mint PATs.
        if !matches!(presented, Presented::Bearer(_)) {
            return challenge.missing_scope_response(&principal.user.id);
        }
        (principal, challenge)
    };
    if state.entra.is_service_principal(principal.user.id) {
        return json_answer(
            StatusCode::OK,
            &pat_error(PatError::InvalidUserType),
            None,
            &principal,
        );
    }
    if !principal.scopes.iter().any(|s| s == "user_impersonation") {
        return challenge.missing_scope_response(&principal.user.id);
    }
    let version = match incoming.query_param("api-version") {
        None => return VssError::version_not_specified(parts.method.as_str()).into_response(),
        Some(v)
            if TOKENS_VERSIONS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(v.trim())) =>
        {
            v
        }
        Some(v) => return VssError::invalid_api_version(&v).into_response(),
    };
    let user = principal.user.id;
    let authorization_id = || -> Result<Uuid, PatError> {
        incoming
            .query_param("authorizationId")
            .and_then(|v| v.trim().parse().ok())
            .ok_or(PatError::AuthorizationNotFound)
    };
    let body = crate::hooks::wire::request_json(parts);
    let request_of = |body: &Option<Value>| -> Result<PatRequest, PatError> {
        let body = body.as_ref().ok_or(PatError::DisplayNameRequired)?;
        let valid_to = match body.get("validTo") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                Some(OffsetDateTime::parse(s, &Rfc3339).map_err(|_| PatError::InvalidValidTo)?)
            }
            Some(_) => return Err(PatError::InvalidValidTo),
        };
        Ok(PatRequest {
            display_name: body
                .get("displayName")
                .and_then(Value::as_str)
                .map(str::to_string),
            scope: body
                .get("scope")
                .and_then(Value::as_str)
                .map(str::to_string),
            valid_to,
            all_orgs: body.get("allOrgs").and_then(Value::as_bool),
        })
    };
    let mut world = state.world.inner.write().unwrap_or_else(|e| e.into_inner());
    let answer = match parts.method {
        Method::POST => pat_result(
            request_of(&body).and_then(|r| world.mint_pat(organization, user, &r, now)),
            true,
        ),
        Method::PUT => {
            let id = body
                .as_ref()
                .and_then(|b| b.get("authorizationId"))
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Uuid>().ok())
                .ok_or(PatError::AuthorizationNotFound);
            pat_result(
                id.and_then(|id| {
                    request_of(&body)
                        .and_then(|r| world.update_pat(organization, user, id, &r, now))
                }),
                false,
            )
        }
        Method::DELETE => match authorization_id()
            .and_then(|id| world.revoke_pat(organization, user, id))
        {
            Ok(()) => return json_answer(StatusCode::OK, &Value::Null, Some(&version), &principal),
            Err(error) => pat_error(error),
        },
        Method::GET | Method::HEAD => match incoming.query_param("authorizationId") {
            Some(_) => pat_result(
                authorization_id().and_then(|id| world.pat(organization, user, id)),
                false,
            ),
            None => match list(&world, organization, user, incoming, now) {
                Ok(body) => body,
                Err(error) => return error.into_response(),
            },
        },
        _ => {
            return VssError::method_not_allowed(parts.method.as_str(), parts.uri.path())
                .into_response()
        }
    };
    json_answer(StatusCode::OK, &answer, Some(&version), &principal)
}

/// `PagedPatTokens`: the caller's PATs on this organization, filtered, sorted and paged.
fn list(
    world: &World,
    organization: usize,
    user: Uuid,
    incoming: &Incoming<'_>,
    now: OffsetDateTime,
) -> Result<Value, VssError> {
    let filter = incoming
        .query_param("displayFilterOption")
        .unwrap_or_else(|| "active".to_string())
        .to_ascii_lowercase();
    if !["active", "revoked", "expired", "all"].contains(&filter.as_str()) {
        return Err(VssError::invalid_argument("displayFilterOption", &filter));
    }
    let mut pats: Vec<PatView> = world
        .pats_of(organization, user)
        .into_iter()
        .filter(|p| {
            let expired = p.valid_to <= now;
            match filter.as_str() {
                "active" => !p.revoked && !expired,
                "revoked" => p.revoked,
                "expired" => expired && !p.revoked,
                _ => true,
            }
        })
        .collect();
    let sort = incoming
        .query_param("sortByOption")
        .unwrap_or_else(|| "displayName".to_string())
        .to_ascii_lowercase();
    match sort.as_str() {
        "displayname" => pats.sort_by(|a, b| a.pat.display_name.cmp(&b.pat.display_name)),
        "displaydate" => pats.sort_by_key(|p| p.pat.valid_from),
        "status" => pats.sort_by_key(|p| (p.revoked, p.valid_to <= now)),
        _ => return Err(VssError::invalid_argument("sortByOption", &sort)),
    }
    if incoming
        .query_param("isSortAscending")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        pats.reverse();
    }
    let skip = incoming.number("continuationToken")?.unwrap_or(0);
    let top = incoming.number("$top")?.unwrap_or(100).clamp(1, 100);
    let page: Vec<Value> = pats
        .iter()
        .skip(skip)
        .take(top)
        .map(|p| pat_json(p, false))
        .collect();
    let next = (skip + top < pats.len()).then(|| (skip + top).to_string());
    Ok(json!({
        "continuationToken": next.unwrap_or_default(),
        "patTokens": page,
    }))
}
