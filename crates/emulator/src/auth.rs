//! Authentication and scopes: who is calling, whether their token may call this endpoint, and
//! how Azure DevOps answers when not.
//!
//! - PATs come as HTTP Basic with any user name and the PAT as password (spec
//!   `securityDefinitions`: "Use any value for the user name and the token as the password").
//! - Access tokens come as `Authorization: Bearer`; the world registers them
//!   ([`crate::WorldHandle::add_access_token`]), which is where Entra/OAuth issuers plug in.
//! - Bad credentials on Services: `401` + VSS JSON when the client sent
//!   `X-TFS-FedAuthRedirect: Suppress` (the .NET and Python SDKs do), otherwise a `302` to a
//!   sign-in page or a `203` HTML page (azure-devops-auth-samples#52, vsts-rest-api-specs#97).
//!   A malformed `Authorization` header gets the `203` (vsts-rest-api-specs#97).
//! - Servers (IIS with Windows authentication) have no federated sign-in: always `401`.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use percent_encoding::utf8_percent_encode;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::errors::{VssError, COMPONENT};
use crate::resources::signin;
use crate::scenario::SignInMode;
use crate::world::{CredentialKind, HostRef, User, World};

/// The credentials a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presented {
    /// No `Authorization` header.
    Nothing,
    /// `Basic base64(user:password)`: the password.
    Basic(String),
    /// `Bearer token`.
    Bearer(String),
    /// An `Authorization` header that does not parse.
    Malformed,
}

/// Reads the `Authorization` header.
pub(crate) fn presented(headers: &HeaderMap) -> Presented {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Presented::Nothing;
    };
    let Ok(value) = value.to_str() else {
        return Presented::Malformed;
    };
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest) else {
            return Presented::Malformed;
        };
        let Ok(decoded) = String::from_utf8(decoded) else {
            return Presented::Malformed;
        };
        // "user:password"; a value without a colon is a malformed Basic credential.
        match decoded.split_once(':') {
            Some((_, password)) => Presented::Basic(password.to_string()),
            None => Presented::Malformed,
        }
    } else if scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty() {
        Presented::Bearer(rest.to_string())
    } else {
        Presented::Malformed
    }
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub user: User,
    pub scopes: Vec<String>,
}

impl Principal {
    /// Whether the token grants any of `needed` (an empty list needs only a valid token).
    pub fn may(&self, needed: &[&str]) -> bool {
        needed.is_empty() || needed.iter().any(|scope| grants(&self.scopes, scope))
    }
}

/// Why a request is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No credentials at all.
    Anonymous,
    /// Unknown, revoked, or not valid for this organization/collection.
    Invalid,
    /// An `Authorization` header that does not parse.
    Malformed,
    /// A known token past its `validTo`.
    Expired,
}

/// Checks the presented credentials against the world for `host`.
pub(crate) fn authenticate(
    world: &World,
    host: HostRef,
    presented: &Presented,
    now: OffsetDateTime,
) -> Result<Principal, Failure> {
    let (kind, token) = match presented {
        Presented::Nothing => return Err(Failure::Anonymous),
        Presented::Malformed => return Err(Failure::Malformed),
        Presented::Basic(password) if password.is_empty() => return Err(Failure::Invalid),
        Presented::Basic(password) => (CredentialKind::Pat, password.as_str()),
        Presented::Bearer(token) => (CredentialKind::AccessToken, token.as_str()),
    };
    let credential = world.credential(kind, token).ok_or(Failure::Invalid)?;
    // A token for another organization is, to this one, a token that does not exist.
    if credential.revoked || !credential.works_on(world, host) {
        return Err(Failure::Invalid);
    }
    if credential.valid_to.is_some_and(|valid_to| valid_to <= now) {
        // Only PATs get the expiry message; an expired Bearer token is answered like an unknown
        // one (`TF400813 … user ''`, azure-devops-auth-samples#52).
        return Err(match kind {
            CredentialKind::Pat => Failure::Expired,
            CredentialKind::AccessToken => Failure::Invalid,
        });
    }
    let user = world
        .user(credential.user_id)
        .ok_or(Failure::Invalid)?
        .clone();
    Ok(Principal {
        user,
        scopes: credential.scopes.clone(),
    })
}

/// Scopes that include others (docs `integrate/includes/scopes.md`, "Inherits From").
const IMPLIED: &[(&str, &[&str])] = &[
    (
        "vso.code_full",
        &[
            "vso.code_manage",
            "vso.code_write",
            "vso.code",
            "vso.code_status",
        ],
    ),
    ("vso.code_manage", &["vso.code_write", "vso.code"]),
    ("vso.code_write", &["vso.code"]),
    ("vso.project_manage", &["vso.project_write", "vso.project"]),
    ("vso.project_write", &["vso.project"]),
    ("vso.build_execute", &["vso.build"]),
    ("vso.work_full", &["vso.work_write", "vso.work"]),
    ("vso.work_write", &["vso.work"]),
    ("vso.graph_manage", &["vso.graph"]),
    ("vso.identity_manage", &["vso.identity"]),
];

/// Whether `granted` includes `needed`. `app_token` (a full-access PAT) and
/// `user_impersonation` include everything.
pub(crate) fn grants(granted: &[String], needed: &str) -> bool {
    granted.iter().any(|scope| {
        scope == "app_token"
            || scope == "user_impersonation"
            || scope == needed
            || IMPLIED
                .iter()
                .any(|(parent, children)| scope == parent && children.contains(&needed))
    })
}

/// What a failure response needs to know about the request and the host.
#[derive(Debug, Clone)]
pub(crate) struct Challenge {
    /// `Some(tenant)` on Services organizations, `None` on Servers.
    pub services_tenant: Option<Uuid>,
    /// What Services do without `Suppress`.
    pub sign_in: SignInMode,
    /// Whether the request had `X-TFS-FedAuthRedirect: Suppress`.
    pub suppress: bool,
    /// `scheme://authority` of the request.
    pub origin: String,
    /// The full URL requested, for `reply_to`.
    pub request_url: String,
    /// The host's id, as `hid` in the sign-in redirect.
    pub host_id: Uuid,
}

impl Challenge {
    /// Adds the `WWW-Authenticate` challenges (and tenant header) of a 401.
    fn challenge_headers(&self, error: VssError) -> VssError {
        match self.services_tenant {
            Some(tenant) => error
                .with_header(
                    header::WWW_AUTHENTICATE,
                    &format!("Bearer authorization_uri=https://login.microsoftonline.com/{tenant}"),
                )
                .with_header(
                    header::WWW_AUTHENTICATE,
                    &format!("Basic realm=\"{}/\"", self.origin),
                )
                .with_header(header::WWW_AUTHENTICATE, "TFS-Federated")
                .with_header(RESOURCE_TENANT.clone(), &tenant.to_string()),
            None => error
                .with_header(header::WWW_AUTHENTICATE, "Bearer")
                .with_header(header::WWW_AUTHENTICATE, "Negotiate")
                .with_header(header::WWW_AUTHENTICATE, "NTLM")
                .with_header(
                    header::WWW_AUTHENTICATE,
                    &format!("Basic realm=\"{}\"", self.origin),
                ),
        }
    }

    /// The response for an authentication failure.
    pub fn failure_response(&self, failure: Failure) -> Response {
        let Some(tenant) = self.services_tenant else {
            // Servers: IIS answers every failure with a 401 challenge.
            let error = match failure {
                Failure::Expired => VssError::pat_expired(),
                _ => VssError::unauthorized(""),
            };
            return self.challenge_headers(error).into_response();
        };
        match failure {
            Failure::Expired if self.suppress => self
                .challenge_headers(VssError::pat_expired())
                .into_response(),
            // Without Suppress the expired-PAT answer is an HTML page titled with the message
            // (public clients read its <title>; see FIDELITY.md).
            Failure::Expired => self.html(StatusCode::UNAUTHORIZED, signin::expired_page(), tenant),
            _ if self.suppress => self
                .challenge_headers(VssError::unauthorized(""))
                .into_response(),
            Failure::Malformed => self.html(
                StatusCode::NON_AUTHORITATIVE_INFORMATION,
                signin::sign_in_page(&self.request_url),
                tenant,
            ),
            Failure::Anonymous | Failure::Invalid => match self.sign_in {
                SignInMode::Page => self.html(
                    StatusCode::NON_AUTHORITATIVE_INFORMATION,
                    signin::sign_in_page(&self.request_url),
                    tenant,
                ),
                SignInMode::Redirect => self.redirect(tenant),
            },
        }
    }

    /// A plain `401 TF400813 … user ''` with this host's challenges (an injected fault).
    pub fn unauthorized(&self) -> Response {
        self.challenge_headers(VssError::unauthorized(""))
            .into_response()
    }

    /// The response for a valid token that lacks the scope an endpoint needs.
    pub fn missing_scope_response(&self, user_id: &Uuid) -> Response {
        self.challenge_headers(VssError::unauthorized(&user_id.to_string()))
            .into_response()
    }

    fn html(&self, status: StatusCode, page: String, tenant: Uuid) -> Response {
        let mut response = (status, page).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        insert(headers, RESOURCE_TENANT.clone(), &tenant.to_string());
        response
    }

    fn redirect(&self, tenant: Uuid) -> Response {
        let realm = self
            .origin
            .split_once("://")
            .map(|(_, authority)| authority)
            .unwrap_or(&self.origin);
        let location = format!(
            "{}/_signin?realm={}&reply_to={}&redirect=1&hid={}",
            self.origin,
            utf8_percent_encode(realm, COMPONENT),
            utf8_percent_encode(&self.request_url, COMPONENT),
            self.host_id,
        );
        let mut response =
            (StatusCode::FOUND, signin::object_moved_page(&location)).into_response();
        let headers = response.headers_mut();
        insert(headers, header::LOCATION, &location);
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        insert(headers, RESOURCE_TENANT.clone(), &tenant.to_string());
        response
    }
}

/// `X-VSS-ResourceTenant`, read by Git Credential Manager to find an organization's tenant.
static RESOURCE_TENANT: HeaderName = HeaderName::from_static("x-vss-resourcetenant");

fn insert(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Whether the request asked for 401s instead of sign-in redirects.
pub(crate) fn suppresses_redirects(headers: &HeaderMap) -> bool {
    headers
        .get("x-tfs-fedauthredirect")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("suppress"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    fn basic(user_pass: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_pass)
        )
    }

    #[test]
    fn basic_takes_the_password_whatever_the_user_name() {
        assert_eq!(
            presented(&with_auth(&basic(":pat"))),
            Presented::Basic("pat".into())
        );
        assert_eq!(
            presented(&with_auth(&basic("anyone:pat"))),
            Presented::Basic("pat".into())
        );
    }

    #[test]
    fn malformed_headers_are_recognised() {
        assert_eq!(presented(&with_auth("Basic !!!")), Presented::Malformed);
        assert_eq!(
            presented(&with_auth(&basic("no-colon"))),
            Presented::Malformed
        );
        assert_eq!(presented(&with_auth("Digest abc")), Presented::Malformed);
        assert_eq!(presented(&HeaderMap::new()), Presented::Nothing);
    }

    #[test]
    fn scopes_imply_their_narrower_scopes() {
        let granted = vec!["vso.code_write".to_string()];
        assert!(grants(&granted, "vso.code"));
        assert!(!grants(&granted, "vso.project"));
        assert!(grants(&["app_token".to_string()], "vso.build"));
    }
}
