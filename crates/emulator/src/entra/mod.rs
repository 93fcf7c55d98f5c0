//! Microsoft Entra ID inside the emulator: the Microsoft identity platform's OAuth 2.0 (v2)
//! endpoints that ADO Connect's sign-in library talks to, and what they leave behind.
//!
//! - The HTTP side is `endpoints/`: `/{tenant}/oauth2/v2.0/{authorize,token,devicecode}`,
//!   `/{tenant}/v2.0/.well-known/openid-configuration`, and the device sign-in page
//!   `/devicelogin`.
//! - This module keeps the grants (authorization codes, refresh tokens, device codes), the
//!   registered applications and service principals, and issues tokens. Every access token it
//!   issues for Azure DevOps is registered in the world as a Bearer credential
//!   ([`WorldHandle::add_access_token`]), so the Azure DevOps routes accept it like any other.
//! - [`EntraHandle`] lets tests approve or deny device codes, revoke refresh tokens and expire
//!   access tokens while the emulator runs.
//!
//! Locking: the world's lock is never taken while this module's own lock is held (the Azure
//! DevOps routes hold the world's read lock when they ask [`EntraState::access_denied`]).

mod consent;
pub(crate) mod endpoints;
mod handle;
pub(crate) mod oauth;
pub mod spec;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde_json::{json, Value};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

use crate::auth::{self, Presented};
use crate::scenario::{Scenario, TokenSpec, UserSpec};
use crate::world::{derived_id, HostRef, World, WorldHandle};
use crate::Error;

use self::oauth::{Granted, OAuthError, AZURE_DEVOPS_RESOURCE};
use self::spec::{EntraAppSpec, ServicePrincipalSpec};

pub use self::handle::EntraHandle;

/// How long refresh tokens live without use (Entra's documented 90-day inactivity window).
pub(crate) const REFRESH_INACTIVITY: Duration = Duration::from_secs(90 * 24 * 3600);
/// What `slow_down` adds to a device code's polling interval (RFC 8628 §3.5).
pub(crate) const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// Lifetimes and intervals of the Entra endpoints (part of [`crate::Config`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraConfig {
    /// Access token lifetime (`expires_in`). Default 3600 (Entra's ~1 hour).
    pub token_lifetime_secs: u64,
    /// Authorization code lifetime. Default 600 (Entra: "about 10 minutes").
    pub auth_code_lifetime_secs: u64,
    /// Device code lifetime (`expires_in` of `/devicecode`). Default 900 (Entra: 15 minutes).
    pub device_code_lifetime_secs: u64,
    /// Device code polling `interval`. Default 5.
    pub device_code_interval_secs: u64,
    /// Refuse a refresh token once it has been used (strict rotation). Default `false`: Entra
    /// does not revoke a refresh token when it is used ("You're expected to discard the old
    /// refresh token").
    pub single_use_refresh_tokens: bool,
}

impl Default for EntraConfig {
    fn default() -> Self {
        EntraConfig {
            token_lifetime_secs: 3600,
            auth_code_lifetime_secs: 600,
            device_code_lifetime_secs: 900,
            device_code_interval_secs: 5,
            single_use_refresh_tokens: false,
        }
    }
}

/// A registered application.
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub client_id: Uuid,
    pub display_name: String,
    pub redirect_uris: Vec<Url>,
    pub public_client: bool,
    pub allow_public_client_flows: bool,
    pub tenant_id: Option<Uuid>,
}

impl App {
    /// Whether `requested` is one of the registered redirect URIs: scheme, host, path and query
    /// equal; the port ignored for loopback hosts (Entra's localhost exception, RFC 8252 §7.3).
    pub fn redirect_allowed(&self, requested: &str) -> bool {
        let Ok(requested) = Url::parse(requested) else {
            return false;
        };
        if requested.fragment().is_some() {
            return false;
        }
        self.redirect_uris.iter().any(|registered| {
            registered.scheme() == requested.scheme()
                && registered.host() == requested.host()
                && (is_loopback(registered)
                    || registered.port_or_known_default() == requested.port_or_known_default())
                && registered.path() == requested.path()
                && registered.query() == requested.query()
        })
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A service principal.
#[derive(Debug, Clone)]
pub(crate) struct ServicePrincipal {
    pub client_id: Uuid,
    pub secret: String,
    pub tenant_id: Uuid,
    pub object_id: Uuid,
    pub display_name: String,
    /// Lowercased organization names it was added to.
    pub organizations: Vec<String>,
}

/// The `{tenant}` of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tenant {
    Specific(Uuid),
    Organizations,
    Common,
}

impl Tenant {
    pub fn as_string(self) -> String {
        match self {
            Tenant::Specific(id) => id.to_string(),
            Tenant::Organizations => "organizations".to_string(),
            Tenant::Common => "common".to_string(),
        }
    }
}

/// Who a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    /// A user, by id.
    User(Uuid),
    /// A service principal, by client id.
    ServicePrincipal(Uuid),
}

#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub client_id: Uuid,
    pub redirect_uri: String,
    pub challenge: String,
    pub granted: Granted,
    pub user_id: Uuid,
    pub tenant: Tenant,
    pub nonce: Option<String>,
    pub issued: Instant,
    pub redeemed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub client_id: Uuid,
    pub user_id: Uuid,
    pub granted: Granted,
    pub issued_at: OffsetDateTime,
    pub last_used: Instant,
    /// When the user's sessions were revoked (the `TokensValidFrom` of AADSTS50173).
    pub revoked_at: Option<OffsetDateTime>,
    pub expired: bool,
    pub used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceState {
    Pending,
    Approved(Uuid),
    Declined,
    Redeemed,
}

#[derive(Debug, Clone)]
pub(crate) struct DeviceGrant {
    pub device_code: String,
    pub user_code: String,
    pub client_id: Uuid,
    pub granted: Granted,
    pub tenant: Tenant,
    pub issued: Instant,
    pub expires: Instant,
    pub interval: Duration,
    pub last_poll: Option<Instant>,
    pub state: DeviceState,
}

impl DeviceGrant {
    /// Issued, not yet expired, and waiting for the person to approve or deny it.
    pub fn is_pending(&self, now: Instant) -> bool {
        self.state == DeviceState::Pending && now < self.expires
    }
}

/// Why a device code cannot be approved or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceProblem {
    Unknown,
    Expired,
    AlreadyDecided,
}

/// What an approval or denial did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeviceDecision {
    pub app_name: String,
    /// `false` when denied, or approved by a user who declines every sign-in.
    pub approved: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub codes: HashMap<String, CodeGrant>,
    pub refresh: HashMap<String, RefreshGrant>,
    pub devices: Vec<DeviceGrant>,
    /// Access tokens issued for Azure DevOps, with their subject.
    pub issued: Vec<(String, Subject)>,
    /// Lowercased organization names whose OAuth policy is off.
    pub policy_disabled: Vec<String>,
    /// Lowercased emails of users who decline every sign-in.
    pub declining: Vec<String>,
    pub single_use_refresh: bool,
    /// What `…/.default` stands for: `None`, every Azure DevOps permission
    /// (`user_impersonation`); `Some(list)`, only these (an app registration whose configured
    /// permissions are the granular `vso.*` ones). Anything else needs the user's consent.
    pub default_permissions: Option<Vec<String>>,
    /// Permissions each user consented to in an interactive sign-in (authorize or device code)
    /// beyond `.default`: incremental consent. A refresh may ask for these.
    pub consents: HashMap<Uuid, Vec<String>>,
}

impl Inner {
    /// The one device lookup by the code a person types (`user_code`, any case, dashes
    /// ignored): the newest grant with that code, if it can still be approved or denied.
    pub fn device_to_decide(
        &mut self,
        user_code: &str,
        now: Instant,
    ) -> Result<&mut DeviceGrant, DeviceProblem> {
        let wanted = normalize_user_code(user_code);
        let device = self
            .devices
            .iter_mut()
            .rev()
            .find(|d| d.user_code == wanted)
            .ok_or(DeviceProblem::Unknown)?;
        if now >= device.expires {
            return Err(DeviceProblem::Expired);
        }
        if device.state != DeviceState::Pending {
            return Err(DeviceProblem::AlreadyDecided);
        }
        Ok(device)
    }
}

/// The Entra side of one emulator.
#[derive(Debug)]
pub(crate) struct EntraState {
    pub config: EntraConfig,
    pub apps: Vec<App>,
    pub service_principals: Vec<ServicePrincipal>,
    /// Tenants that exist: those of organizations, applications and service principals.
    pub tenants: Vec<Uuid>,
    inner: Mutex<Inner>,
}

impl EntraState {
    /// Validates the scenario's Entra parts against the world.
    pub fn new(scenario: &Scenario, config: &EntraConfig, world: &World) -> Result<Self, Error> {
        let invalid = |message: String| Error::InvalidScenario(message);
        let mut apps: Vec<App> = Vec::new();
        for spec in &scenario.entra_apps {
            if apps.iter().any(|a| a.client_id == spec.client_id) {
                return Err(invalid(format!(
                    "entra app {} is listed twice",
                    spec.client_id
                )));
            }
            apps.push(app(spec)?);
        }
        let mut service_principals: Vec<ServicePrincipal> = Vec::new();
        for spec in &scenario.service_principals {
            if service_principals
                .iter()
                .any(|s| s.client_id == spec.client_id)
            {
                return Err(invalid(format!(
                    "service principal {} is listed twice",
                    spec.client_id
                )));
            }
            service_principals.push(service_principal(spec, world)?);
        }
        let mut tenants: Vec<Uuid> = world
            .organizations
            .iter()
            .map(|o| o.tenant_id)
            .chain(apps.iter().filter_map(|a| a.tenant_id))
            .chain(service_principals.iter().map(|s| s.tenant_id))
            .filter(|t| !t.is_nil())
            .collect();
        tenants.sort();
        tenants.dedup();
        let inner = Inner {
            policy_disabled: scenario
                .organizations
                .iter()
                .filter(|o| o.oauth_policy_disabled)
                .map(|o| o.name.to_lowercase())
                .collect(),
            declining: scenario
                .users
                .iter()
                .filter(|u| u.declines_sign_in)
                .map(|u| u.email.to_lowercase())
                .collect(),
            single_use_refresh: config.single_use_refresh_tokens,
            ..Inner::default()
        };
        Ok(EntraState {
            config: config.clone(),
            apps,
            service_principals,
            tenants,
            inner: Mutex::new(inner),
        })
    }

    /// Makes each service principal an identity of the world (display name, object id, the
    /// client id as unique name), so its tokens authenticate like a user's.
    pub fn register_identities(&self, world: &WorldHandle) -> Result<(), Error> {
        for sp in &self.service_principals {
            // Through JSON, so fields added to UserSpec later keep their defaults here.
            let spec: UserSpec = serde_json::from_value(json!({
                "displayName": sp.display_name,
                "email": sp.client_id.to_string(),
                "id": sp.object_id,
            }))
            .map_err(|e| Error::InvalidScenario(e.to_string()))?;
            world.add_user(spec)?;
        }
        Ok(())
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change is a single insert or field write: a poisoned lock still holds
        // consistent data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn app(&self, client_id: Uuid) -> Option<&App> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    pub fn service_principal(&self, client_id: Uuid) -> Option<&ServicePrincipal> {
        self.service_principals
            .iter()
            .find(|s| s.client_id == client_id)
    }

    /// The path's `{tenant}`: a known tenant GUID, `organizations` or `common`; anything else
    /// (a domain, `consumers`, an unknown GUID) is AADSTS90002.
    pub fn tenant(&self, segment: &str) -> Result<Tenant, OAuthError> {
        if segment.eq_ignore_ascii_case("organizations") {
            return Ok(Tenant::Organizations);
        }
        if segment.eq_ignore_ascii_case("common") {
            return Ok(Tenant::Common);
        }
        match Uuid::parse_str(segment) {
            Ok(id) if self.tenants.contains(&id) => Ok(Tenant::Specific(id)),
            _ => Err(OAuthError::tenant_not_found(segment)),
        }
    }

    /// The application `client_id` names, as seen from `tenant`: unknown (or single-tenant
    /// elsewhere) → AADSTS700016; single-tenant through `organizations`/`common` → AADSTS50194.
    pub fn app_in(&self, client_id: &str, tenant: Tenant) -> Result<&App, OAuthError> {
        let not_found = || OAuthError::app_not_found(client_id, &tenant.as_string());
        let app = Uuid::parse_str(client_id)
            .ok()
            .and_then(|id| self.app(id))
            .ok_or_else(not_found)?;
        match (app.tenant_id, tenant) {
            (None, _) => Ok(app),
            (Some(home), Tenant::Specific(t)) if home == t => Ok(app),
            (Some(_), Tenant::Specific(_)) => Err(not_found()),
            (Some(_), _) => Err(OAuthError::not_multi_tenant(client_id, &app.display_name)),
        }
    }

    /// Whether the user declines every sign-in.
    pub fn declines(&self, email: &str) -> bool {
        self.lock().declining.contains(&email.to_lowercase())
    }

    /// Whether `user_id` is a service principal's identity (not a person who can sign in).
    pub fn is_service_principal(&self, user_id: Uuid) -> bool {
        self.service_principals
            .iter()
            .any(|s| s.object_id == user_id)
    }

    /// The identity a valid credential may not act as on this host, if any: a service principal
    /// on an organization it was not added to, or any Bearer token on an organization whose
    /// OAuth policy is off. Azure DevOps answers both with `401 TF400813` naming the identity.
    pub fn access_denied(
        &self,
        world: &World,
        host: HostRef,
        headers: &HeaderMap,
        user_id: Uuid,
    ) -> Option<Uuid> {
        let HostRef::Organization(o) = host else {
            return None;
        };
        let organization = world.organizations[o].name.to_lowercase();
        if let Some(sp) = self
            .service_principals
            .iter()
            .find(|s| s.object_id == user_id)
        {
            if !sp.organizations.contains(&organization) {
                return Some(user_id);
            }
        }
        let bearer = matches!(auth::presented(headers), Presented::Bearer(_));
        (bearer && self.lock().policy_disabled.contains(&organization)).then_some(user_id)
    }

    /// The app a pending device code is for, without deciding anything.
    pub fn peek_device(&self, user_code: &str) -> Result<String, DeviceProblem> {
        let client_id = self
            .lock()
            .device_to_decide(user_code, Instant::now())?
            .client_id;
        Ok(self
            .app(client_id)
            .map(|a| a.display_name.clone())
            .unwrap_or_default())
    }

    /// Approves (`Some(user)`) or denies (`None`) the device code a person typed.
    pub fn decide_device(
        &self,
        user_code: &str,
        approve_as: Option<(Uuid, &str)>,
    ) -> Result<DeviceDecision, DeviceProblem> {
        let mut inner = self.lock();
        let declines = approve_as
            .map(|(_, email)| inner.declining.contains(&email.to_lowercase()))
            .unwrap_or(false);
        let device = inner.device_to_decide(user_code, Instant::now())?;
        let approved = match approve_as {
            Some((user_id, _)) if !declines => {
                device.state = DeviceState::Approved(user_id);
                true
            }
            _ => {
                device.state = DeviceState::Declined;
                false
            }
        };
        let client_id = device.client_id;
        drop(inner);
        Ok(DeviceDecision {
            app_name: self
                .app(client_id)
                .map(|a| a.display_name.clone())
                .unwrap_or_default(),
            approved,
        })
    }

    /// Issues tokens: registers the access token in the world (when it is for Azure DevOps),
    /// keeps the refresh token, and returns the token reply.
    pub fn issue(&self, world: &WorldHandle, issue: Issue<'_>) -> Result<Value, OAuthError> {
        let now = OffsetDateTime::now_utc();
        let lifetime = self.config.token_lifetime_secs;
        let expires = now + time::Duration::seconds(i64::try_from(lifetime).unwrap_or(i64::MAX));
        let who = {
            let world = world.read();
            self.identity(&world, issue.subject, issue.tenant)
        }
        .ok_or_else(OAuthError::malformed_grant)?;
        let access_token = oauth::unsigned_jwt(&access_claims(&who, &issue, now, expires));
        if !issue.granted.ado.is_empty() {
            let scopes: Vec<&str> = issue.granted.ado.iter().map(String::as_str).collect();
            let registered = world.add_access_token(TokenSpec {
                name: format!("Entra token for {}", who.unique_name),
                valid_to: Some(expires),
                all_hosts: false,
                organizations: who.organizations.clone(),
                ..TokenSpec::everywhere(&access_token, &who.unique_name, &scopes)
            });
            if let Err(error) = registered {
                tracing::warn!(%error, "could not register an Entra access token");
                return Err(OAuthError::malformed_grant());
            }
        }
        let refresh_token = match (issue.subject, issue.refresh) {
            (Subject::User(user_id), Some(granted)) => {
                let token = format!("1.AQ{}", oauth::random_token(6));
                let grant = RefreshGrant {
                    client_id: issue.client_id,
                    user_id,
                    granted: granted.clone(),
                    issued_at: now,
                    last_used: Instant::now(),
                    revoked_at: None,
                    expired: false,
                    used: false,
                };
                Some((token, grant))
            }
            _ => None,
        };
        {
            let mut inner = self.lock();
            if !issue.granted.ado.is_empty() {
                inner.issued.push((access_token.clone(), issue.subject));
            }
            if let Some((token, grant)) = &refresh_token {
                inner.refresh.insert(token.clone(), grant.clone());
            }
        }
        let mut reply = json!({ "token_type": "Bearer" });
        if !issue.client_credentials {
            reply["scope"] = json!(issue.granted.reply_scope());
        }
        reply["expires_in"] = json!(lifetime);
        reply["ext_expires_in"] = json!(lifetime);
        reply["access_token"] = json!(access_token);
        if let Some((token, _)) = refresh_token {
            reply["refresh_token"] = json!(token);
        }
        if issue.granted.openid() && !issue.client_credentials {
            reply["id_token"] = json!(oauth::unsigned_jwt(&id_claims(&who, &issue, now, expires)));
        }
        Ok(reply)
    }

    fn identity(&self, world: &World, subject: Subject, tenant: Tenant) -> Option<Identity> {
        let entra_backed = |t: &Uuid| !t.is_nil();
        let first_tenant = world
            .organizations
            .iter()
            .map(|o| o.tenant_id)
            .find(entra_backed)
            .unwrap_or_default();
        match subject {
            Subject::User(user_id) => {
                let user = world.user(user_id)?;
                let organizations = world
                    .organizations
                    .iter()
                    .filter(|o| match tenant {
                        Tenant::Specific(t) => o.tenant_id == t,
                        _ => entra_backed(&o.tenant_id),
                    })
                    .map(|o| o.name.clone())
                    .collect();
                Some(Identity {
                    object_id: user.id,
                    unique_name: user.email.clone(),
                    display_name: user.display_name.clone(),
                    tenant_id: match tenant {
                        Tenant::Specific(t) => t,
                        _ => first_tenant,
                    },
                    organizations,
                    app: false,
                })
            }
            Subject::ServicePrincipal(client_id) => {
                let sp = self.service_principal(client_id)?;
                Some(Identity {
                    object_id: sp.object_id,
                    unique_name: sp.client_id.to_string(),
                    display_name: sp.display_name.clone(),
                    tenant_id: sp.tenant_id,
                    organizations: world
                        .organizations
                        .iter()
                        .filter(|o| o.tenant_id == sp.tenant_id)
                        .map(|o| o.name.clone())
                        .collect(),
                    app: true,
                })
            }
        }
    }
}

/// What [`EntraState::issue`] needs to know.
#[derive(Debug)]
pub(crate) struct Issue<'a> {
    pub subject: Subject,
    pub client_id: Uuid,
    pub granted: &'a Granted,
    pub tenant: Tenant,
    /// Issue a refresh token for these scopes (the grant had `offline_access`); a refresh
    /// token stands for everything consented, whatever the access token asked for.
    pub refresh: Option<&'a Granted>,
    pub nonce: Option<&'a str>,
    /// `scheme://authority` of the request, for the ID token's issuer.
    pub origin: &'a str,
    pub client_credentials: bool,
}

/// The subject of a token as the world knows it.
#[derive(Debug, Clone)]
struct Identity {
    object_id: Uuid,
    unique_name: String,
    display_name: String,
    tenant_id: Uuid,
    /// Organizations (by name) where Azure DevOps recognises the token: those backed by the
    /// token's tenant.
    organizations: Vec<String>,
    app: bool,
}

/// Azure DevOps access token claims, shaped like Entra's v1 tokens for it (readable, unsigned).
fn access_claims(
    who: &Identity,
    issue: &Issue<'_>,
    now: OffsetDateTime,
    expires: OffsetDateTime,
) -> Value {
    let mut claims = json!({
        "aud": AZURE_DEVOPS_RESOURCE,
        "iss": format!("https://sts.windows.net/{}/", who.tenant_id),
        "iat": now.unix_timestamp(),
        "nbf": now.unix_timestamp(),
        "exp": expires.unix_timestamp(),
        "appid": issue.client_id.to_string(),
        "appidacr": if who.app { "1" } else { "0" },
        "idtyp": if who.app { "app" } else { "user" },
        "oid": who.object_id.to_string(),
        "sub": derived_id("entra-subject", &[&who.object_id.to_string(), &issue.client_id.to_string()]).to_string(),
        "tid": who.tenant_id.to_string(),
        "uti": oauth::random_token(1),
        "ver": "1.0",
    });
    if !who.app {
        claims["name"] = json!(who.display_name);
        claims["scp"] = json!(issue.granted.ado.join(" "));
        claims["unique_name"] = json!(who.unique_name);
        claims["upn"] = json!(who.unique_name);
    }
    claims
}

/// ID token claims (v2), unsigned.
fn id_claims(
    who: &Identity,
    issue: &Issue<'_>,
    now: OffsetDateTime,
    expires: OffsetDateTime,
) -> Value {
    let mut claims = json!({
        "aud": issue.client_id.to_string(),
        "iss": format!("{}/{}/v2.0", issue.origin, who.tenant_id),
        "iat": now.unix_timestamp(),
        "nbf": now.unix_timestamp(),
        "exp": expires.unix_timestamp(),
        "name": who.display_name,
        "oid": who.object_id.to_string(),
        "preferred_username": who.unique_name,
        "sub": derived_id("entra-subject", &[&who.object_id.to_string(), &issue.client_id.to_string()]).to_string(),
        "tid": who.tenant_id.to_string(),
        "ver": "2.0",
    });
    if let Some(nonce) = issue.nonce {
        claims["nonce"] = json!(nonce);
    }
    claims
}

/// `abcd-efgh` / `ABCDEFGH` → `ABCDEFGH`.
pub(crate) fn normalize_user_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn app(spec: &EntraAppSpec) -> Result<App, Error> {
    let mut redirect_uris = Vec::new();
    for uri in &spec.redirect_uris {
        let url = Url::parse(uri).map_err(|e| {
            Error::InvalidScenario(format!(
                "entra app {}: redirect URI {uri:?} is not an absolute URL ({e})",
                spec.client_id
            ))
        })?;
        redirect_uris.push(url);
    }
    Ok(App {
        client_id: spec.client_id,
        display_name: spec.display_name.clone(),
        redirect_uris,
        public_client: spec.public_client,
        allow_public_client_flows: spec.allow_public_client_flows,
        tenant_id: spec.tenant_id,
    })
}

fn service_principal(
    spec: &ServicePrincipalSpec,
    world: &World,
) -> Result<ServicePrincipal, Error> {
    let invalid = |message: String| Error::InvalidScenario(message);
    if spec.secret.is_empty() {
        return Err(invalid(format!(
            "service principal {}: the secret is empty",
            spec.client_id
        )));
    }
    if spec.tenant_id.is_nil() {
        return Err(invalid(format!(
            "service principal {}: tenantId must be an Entra tenant, not the all-zero (Microsoft account) one",
            spec.client_id
        )));
    }
    let mut organizations = Vec::new();
    for name in &spec.organizations {
        let org = world
            .organization_index(name)
            .map(|o| &world.organizations[o])
            .ok_or_else(|| {
                invalid(format!(
                    "service principal {} names unknown organization {name:?}",
                    spec.client_id
                ))
            })?;
        if org.tenant_id != spec.tenant_id {
            return Err(invalid(format!(
                "service principal {} is in tenant {} but organization {name:?} is backed by tenant {}; only service principals of an organization's own tenant can be added to it",
                spec.client_id, spec.tenant_id, org.tenant_id
            )));
        }
        organizations.push(name.to_lowercase());
    }
    Ok(ServicePrincipal {
        client_id: spec.client_id,
        secret: spec.secret.clone(),
        tenant_id: spec.tenant_id,
        object_id: spec
            .object_id
            .unwrap_or_else(|| derived_id("service-principal", &[&spec.client_id.to_string()])),
        display_name: spec.display_name.clone(),
        organizations,
    })
}

/// The `entra` part of the startup line: where to sign in, and the scenario's clients.
pub(crate) fn startup_info(state: &EntraState, base_url: &str) -> Value {
    json!({
        "authority": base_url,
        "deviceLoginUrl": format!("{base_url}/devicelogin"),
        "tenants": state.tenants.iter().map(Uuid::to_string).collect::<Vec<_>>(),
        "apps": state.apps.iter().map(|a| json!({
            "clientId": a.client_id,
            "displayName": a.display_name,
            "redirectUris": a.redirect_uris.iter().map(|u| u.as_str().trim_end_matches('/')).collect::<Vec<_>>(),
            "publicClient": a.public_client,
            "allowPublicClientFlows": a.allow_public_client_flows,
            "tenantId": a.tenant_id,
        })).collect::<Vec<_>>(),
        "servicePrincipals": state.service_principals.iter().map(|s| json!({
            "clientId": s.client_id,
            "secret": s.secret,
            "tenantId": s.tenant_id,
            "objectId": s.object_id,
            "displayName": s.display_name,
            "organizations": s.organizations,
        })).collect::<Vec<_>>(),
    })
}
