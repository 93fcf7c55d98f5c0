//! Signing in to Azure DevOps Services with Microsoft Entra ID, and keeping the tokens fresh.
//!
//! - [`discover_tenant`]: an anonymous `connectionData` names the organization's tenant
//!   (`X-VSS-ResourceTenant` / `WWW-Authenticate`). An all-zero tenant means personal Microsoft
//!   accounts: Entra cannot serve those, so the user is told to use a PAT.
//! - [`BrowserSignIn`] (authorization code + PKCE, system browser, loopback redirect),
//!   [`DeviceSignIn`] (device code), [`service_principal_token`] (client credentials).
//! - [`connect_with_tokens`] verifies and saves; tokens go to the keyring as one JSON secret.
//! - Every Entra request goes through the connection's HTTP client (proxy, trusted CA, timeouts,
//!   no redirects: [`ConnectOptions`] via `ado_client::http_client`), like Azure DevOps requests.
//! - [`credential_for`] gives a ready credential for a saved connection, refreshing the access
//!   token five minutes before it expires with the authority and client id recorded at sign-in.
//!   A refused refresh (`invalid_grant`) reports "sign in again" and keeps the profile and its
//!   keyring entry; only the dead refresh token is dropped from it, so it is not sent again.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ado_auth::{
    AuthCodeFlow, AuthError, Authority, BrowserOptions, CancellationToken, ClientId,
    DeviceAuthorization, DeviceCodeFlow, HttpClient, PublicClient, Scopes, ServicePrincipal,
    SignInSettings, TenantHint, TokenSet,
};
use ado_client::{Credential, Error as ClientError};
use ado_core::checks::{CheckCode, Problem};
use ado_core::target::{ConnectionTarget, Deployment, Field};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

use crate::profiles::{AuthMethod, Connections, Profile};
use crate::verify::{client_for, verify_connection, ConnectOptions};
use crate::Connected;

/// Refresh this long before the access token expires.
pub const REFRESH_SKEW: Duration = Duration::from_secs(300);

fn problem(
    code: CheckCode,
    field: Option<Field>,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> Problem {
    Problem::new(code, field, message, fix)
}

/// Sign-in errors as the UI shows them: a [`Problem`] with a stable code.
pub fn auth_problem(error: &AuthError) -> Problem {
    let message = error.to_string();
    match error {
        AuthError::Cancelled => problem(
            CheckCode::InvalidCredentials,
            None,
            "Sign-in was cancelled.",
            "Start it again when you are ready.",
        ),
        AuthError::TimedOut(_) => problem(
            CheckCode::InvalidCredentials,
            None,
            "The browser did not come back in time.",
            "Start the sign-in again; if no browser opens, use the device code instead.",
        ),
        AuthError::SignInAgain { .. } => problem(
            CheckCode::TokenExpired,
            None,
            "The sign-in expired or was revoked.",
            "Sign in again; the connection's settings are kept.",
        ),
        AuthError::AccessDenied { .. } => problem(
            CheckCode::InvalidCredentials,
            None,
            message,
            "Approve the sign-in, or use another method.",
        ),
        AuthError::DeviceCodeExpired => problem(
            CheckCode::InvalidCredentials,
            None,
            "The device code expired before it was used.",
            "Start again and enter the new code within its time.",
        ),
        AuthError::Unavailable {
            status,
            retry_after,
            ..
        } => unavailable_problem(*status, *retry_after, error),
        // Entra's own "try again later" (RFC 6749 `temporarily_unavailable`, `server_error`) on
        // a 400: not the user's credentials.
        AuthError::OAuth { error: oauth, .. }
            if matches!(
                oauth.error.as_str(),
                "temporarily_unavailable" | "server_error"
            ) =>
        {
            unavailable_problem(503, None, error)
        }
        AuthError::OAuth { .. } => {
            let aadsts = error
                .oauth_error()
                .and_then(|e| e.aadsts())
                .map(|c| format!(" (AADSTS{c})"))
                .unwrap_or_default();
            problem(
                CheckCode::InvalidCredentials,
                None,
                format!("Microsoft Entra ID refused the sign-in{aadsts}: {message}"),
                "Check the tenant, client ID and secret; for your own app registration see crates/auth/README.md.",
            )
        }
        _ => problem(
            CheckCode::Unreachable,
            None,
            message,
            "Check the network and try again.",
        ),
    }
}

/// Entra throttling (429: [`CheckCode::RateLimited`], with its `Retry-After`) or failing (5xx:
/// [`CheckCode::Unexpected`], as for an Azure DevOps 5xx): plain words, Entra's own (AADSTS code,
/// trace id) kept as the server's message.
fn unavailable_problem(status: u16, retry_after: Option<Duration>, error: &AuthError) -> Problem {
    let wait = match retry_after {
        Some(wait) => match wait.as_secs().max(1) {
            1 => "wait 1 second (Retry-After)".to_string(),
            secs => format!("wait {secs} seconds (Retry-After)"),
        },
        None => "wait a minute".to_string(),
    };
    let (code, message) = if status == 429 {
        (
            CheckCode::RateLimited,
            format!("Microsoft Entra ID is throttling sign-ins; {wait} and try again."),
        )
    } else {
        (
            CheckCode::Unexpected,
            "Microsoft Entra ID is unavailable, try again later.".to_string(),
        )
    };
    let fix = match status {
        429 => {
            "Too many sign-ins were tried in a short time; start the sign-in again after the wait."
                .to_string()
        }
        _ => format!("This is on Microsoft's side and usually passes: {wait} and try again."),
    };
    Problem {
        server_message: error.oauth_error().map(|e| e.to_string()),
        ..problem(code, None, message, fix)
    }
}

/// Reads the organization's tenant from an anonymous request.
pub async fn discover_tenant(
    target: &ConnectionTarget,
    options: &ConnectOptions,
) -> Result<TenantHint, Problem> {
    if target.deployment() != Deployment::Services {
        return Err(problem(
            CheckCode::InvalidInput,
            Some(Field::ServerUrl),
            "Azure DevOps Server does not support Microsoft Entra sign-in.",
            "Use a personal access token for Azure DevOps Server.",
        ));
    }
    let client = client_for(target, Credential::Anonymous, options)?;
    match client.connection_data().await {
        Ok(_) => Ok(TenantHint::Unknown),
        Err(ClientError::NotAuthenticated { challenge, .. }) => Ok(ado_auth::tenant_from_headers(
            challenge.www_authenticate.as_deref(),
            challenge.resource_tenant.as_deref(),
        )),
        Err(e) => Err(ado_core::checks::diagnose(
            target,
            &crate::failure::probe_failure(ado_core::checks::Probe::ConnectionData, &e),
        )),
    }
}

/// An organization backed by Microsoft accounts (resource tenant all zeros): no Entra token
/// reaches it, whoever signs in. Its own code, so nobody looks for a typo in a credential they
/// never typed.
pub fn msa_problem() -> Problem {
    problem(
        CheckCode::MsaOrganization,
        None,
        "This organization is connected to Microsoft accounts, not Microsoft Entra ID: Entra sign-in and service principals cannot reach it.",
        "Use a personal access token (User settings → Personal access tokens), or have an organization owner connect the organization to your Entra tenant (Organization settings → Microsoft Entra ID).",
    )
}

/// How long one Entra request may take, unless the connection sets its own request timeout.
const ENTRA_TIMEOUT: Duration = Duration::from_secs(30);

/// The Entra HTTP client for a connection: the same configured client as Azure DevOps requests
/// (its proxy and trusted CA), built in one place (`ado_client::http_client`).
fn http(options: &ConnectOptions) -> Result<HttpClient, Problem> {
    let client = ado_client::http_client(&ado_client::HttpOptions {
        trusted_ca_pem: options.trusted_ca_pem.clone(),
        proxy: options.proxy.clone(),
        timeout: options.request_timeout.unwrap_or(ENTRA_TIMEOUT),
        resolve: Vec::new(),
    })
    .map_err(|e| {
        problem(
            CheckCode::InvalidInput,
            None,
            e.to_string(),
            "Check the trusted CA (a PEM certificate) and the proxy URL (http://host:port).",
        )
    })?;
    Ok(HttpClient::new(client))
}

/// The options a saved connection was made with (for its token refresh).
fn saved_options(profile: &Profile) -> ConnectOptions {
    profile.options.clone()
}

/// The public client for a target's tenant.
pub async fn public_client(
    target: &ConnectionTarget,
    settings: &SignInSettings,
    options: &ConnectOptions,
) -> Result<(PublicClient, String), Problem> {
    let hint = discover_tenant(target, options).await?;
    if hint == TenantHint::MicrosoftAccount {
        return Err(msa_problem());
    }
    let tenant = match &hint {
        TenantHint::Tenant { tenant_id } => tenant_id.clone(),
        _ => "organizations".to_string(),
    };
    let authority = settings
        .authority_for(&hint)
        .map_err(|e| auth_problem(&AuthError::from(e)))?;
    Ok((
        PublicClient::new(
            authority,
            settings.client_id.clone(),
            Scopes::azure_devops(),
            http(options)?,
        ),
        tenant,
    ))
}

/// A browser sign-in under way: open [`BrowserSignIn::authorize_url`] in the system browser,
/// then await [`BrowserSignIn::finish`]. Cancel with the token from [`BrowserSignIn::cancel_token`].
pub struct BrowserSignIn {
    flow: AuthCodeFlow,
    method: AuthMethod,
}

/// What a public client's sign-in is recorded as: tenant, client id and authority, so that its
/// refresh goes to the same place whatever the environment says later.
fn entra_method(client: &PublicClient, tenant: String) -> AuthMethod {
    AuthMethod::Entra {
        tenant,
        client_id: client.client_id.as_str().to_string(),
        authority: client.authority.entra_authority_url(),
    }
}

impl BrowserSignIn {
    /// Discovers the tenant and starts the loopback listener.
    pub async fn start(
        target: &ConnectionTarget,
        settings: &SignInSettings,
        options: &ConnectOptions,
    ) -> Result<Self, Problem> {
        Self::start_with(target, settings, options, None, BrowserOptions::default()).await
    }

    /// The same, asking for `scopes` instead of the sign-in's (incremental consent, e.g. the
    /// tokens API's permission for minting), with the browser options given (`login_hint`).
    pub async fn start_with(
        target: &ConnectionTarget,
        settings: &SignInSettings,
        options: &ConnectOptions,
        scopes: Option<Scopes>,
        browser: BrowserOptions,
    ) -> Result<Self, Problem> {
        let (mut client, tenant) = public_client(target, settings, options).await?;
        client.scopes = scopes.unwrap_or(client.scopes);
        let flow = AuthCodeFlow::start(&client, browser)
            .await
            .map_err(|e| auth_problem(&e))?;
        Ok(BrowserSignIn {
            flow,
            method: entra_method(&client, tenant),
        })
    }

    /// The URL to open in the system browser (holds the state and PKCE challenge, no secret).
    pub fn authorize_url(&self) -> &url::Url {
        self.flow.authorize_url()
    }

    /// Cancels the wait.
    pub fn cancel_token(&self) -> CancellationToken {
        self.flow.cancel_token()
    }

    /// Waits for the browser to come back and redeems the code.
    pub async fn finish(self) -> Result<(TokenSet, AuthMethod), Problem> {
        let tokens = self.flow.finish().await.map_err(|e| auth_problem(&e))?;
        Ok((tokens, self.method))
    }
}

/// A device-code sign-in under way: show [`DeviceSignIn::code`], then await
/// [`DeviceSignIn::finish`].
pub struct DeviceSignIn {
    flow: DeviceCodeFlow,
    method: AuthMethod,
}

/// What the user needs for the device code.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    /// The code to type.
    pub user_code: String,
    /// Where to type it.
    pub verification_uri: String,
    /// Seconds it stays valid.
    pub expires_in_secs: u64,
    /// The identity provider's own instruction, if any.
    pub message: Option<String>,
}

impl DeviceSignIn {
    /// Discovers the tenant and asks for a device code.
    pub async fn start(
        target: &ConnectionTarget,
        settings: &SignInSettings,
        options: &ConnectOptions,
    ) -> Result<Self, Problem> {
        Self::start_with(target, settings, options, None).await
    }

    /// The same, asking for `scopes` instead of the sign-in's (incremental consent).
    pub async fn start_with(
        target: &ConnectionTarget,
        settings: &SignInSettings,
        options: &ConnectOptions,
        scopes: Option<Scopes>,
    ) -> Result<Self, Problem> {
        let (mut client, tenant) = public_client(target, settings, options).await?;
        client.scopes = scopes.unwrap_or(client.scopes);
        let flow = DeviceCodeFlow::start(&client)
            .await
            .map_err(|e| auth_problem(&e))?;
        Ok(DeviceSignIn {
            flow,
            method: entra_method(&client, tenant),
        })
    }

    /// What to show.
    pub fn prompt(&self) -> DeviceCodePrompt {
        let a: &DeviceAuthorization = self.flow.authorization();
        DeviceCodePrompt {
            user_code: a.user_code.clone(),
            verification_uri: a.verification_uri.to_string(),
            expires_in_secs: a.expires_in.as_secs(),
            message: a.message.clone(),
        }
    }

    /// Cancels the polling.
    pub fn cancel_token(&self) -> CancellationToken {
        self.flow.cancel_token()
    }

    /// Polls until the user approves (honouring `slow_down` and expiry).
    pub async fn finish(self) -> Result<(TokenSet, AuthMethod), Problem> {
        let tokens = self.flow.finish().await.map_err(|e| auth_problem(&e))?;
        Ok((tokens, self.method))
    }
}

/// Client credentials for a service principal, through the connection's HTTP client.
pub async fn service_principal_token(
    settings: &SignInSettings,
    tenant: &str,
    client_id: &str,
    secret: &SecretString,
    options: &ConnectOptions,
) -> Result<(TokenSet, AuthMethod), Problem> {
    let authority = authority_for_tenant(settings, tenant.trim())?;
    acquire_sp_token(authority, tenant, client_id, secret, options).await
}

async fn acquire_sp_token(
    authority: Authority,
    tenant: &str,
    client_id: &str,
    secret: &SecretString,
    options: &ConnectOptions,
) -> Result<(TokenSet, AuthMethod), Problem> {
    let method = AuthMethod::ServicePrincipal {
        tenant: tenant.trim().to_string(),
        client_id: client_id.trim().to_string(),
        authority: authority.entra_authority_url(),
    };
    let client_id =
        ClientId::new(client_id.trim()).map_err(|e| auth_problem(&AuthError::from(e)))?;
    let sp = ServicePrincipal::new(authority, client_id, secret.clone(), http(options)?);
    let tokens = sp.acquire_token().await.map_err(|e| auth_problem(&e))?;
    Ok((tokens, method))
}

/// The authority for a tenant under the current settings.
fn authority_for_tenant(settings: &SignInSettings, tenant: &str) -> Result<Authority, Problem> {
    let hint = TenantHint::Tenant {
        tenant_id: tenant.to_string(),
    };
    settings
        .authority_for(&hint)
        .map_err(|e| auth_problem(&AuthError::from(e)))
}

/// The authority recorded at sign-in; profiles saved before it was recorded fall back to the
/// current settings for their tenant.
fn recorded_authority(
    recorded: Option<&str>,
    tenant: &str,
    settings: &SignInSettings,
) -> Result<Authority, Problem> {
    match recorded {
        Some(url) => {
            Authority::from_authority_url(url).map_err(|e| auth_problem(&AuthError::from(e)))
        }
        None => authority_for_tenant(settings, tenant),
    }
}

/// The stored form of a token set (one keyring secret, JSON).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredTokens {
    access_token: String,
    refresh_token: Option<String>,
    expires_at: Option<u64>,
}

fn to_stored(tokens: &TokenSet) -> SecretString {
    let stored = StoredTokens {
        access_token: tokens.access_token.expose_secret().to_string(),
        refresh_token: tokens
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_string()),
        expires_at: tokens
            .expires_at
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs()),
    };
    SecretString::from(serde_json::to_string(&stored).expect("tokens serialize"))
}

fn from_stored(secret: &SecretString) -> Option<TokenSet> {
    let stored: StoredTokens = serde_json::from_str(secret.expose_secret()).ok()?;
    Some(TokenSet::new(
        SecretString::from(stored.access_token),
        stored.refresh_token.map(SecretString::from),
        stored
            .expires_at
            .map(|s| UNIX_EPOCH + Duration::from_secs(s)),
    ))
}

/// Verifies a fresh sign-in and saves the connection; tokens (and a service principal's secret)
/// go to the keyring.
pub async fn connect_with_tokens(
    connections: &Connections,
    target: &ConnectionTarget,
    tokens: &TokenSet,
    method: AuthMethod,
    sp_secret: Option<&SecretString>,
    options: &ConnectOptions,
    now_unix: u64,
) -> Result<Connected, crate::ConnectError> {
    let credential = Credential::Bearer(tokens.access_token.clone());
    let verified = match verify_connection(target, credential, options).await {
        Ok(v) => v,
        Err(mut p) => {
            // A token from any tenant is refused by an MSA-backed organization: say that, not
            // "wrong credentials" (one anonymous request, only on this failure).
            if matches!(p.code, CheckCode::InvalidCredentials)
                && discover_tenant(target, options).await.ok() == Some(TenantHint::MicrosoftAccount)
            {
                return Err(crate::ConnectError::Problem(msa_problem()));
            }
            if matches!(method, AuthMethod::ServicePrincipal { .. })
                && matches!(p.code, CheckCode::InvalidCredentials)
            {
                p.message =
                    "The service principal signed in, but this organization does not know it."
                        .into();
                p.fix = format!(
                    "Add it to the organization: Organization settings → Users → Add users (search for the app), \
                     or POST https://vsaex.dev.azure.com/{}/_apis/serviceprincipalentitlements with its object id.",
                    target.scope_name()
                );
            }
            return Err(crate::ConnectError::Problem(p));
        }
    };
    let mut profile =
        connections.save_connection(&verified, &to_stored(tokens), method, options, now_unix)?;
    if let Some(secret) = sp_secret {
        profile = connections.put_extra_secret(&profile, "sp-secret", secret)?;
    }
    let backend = connections.secret_backend();
    Ok(Connected {
        verified,
        profile,
        secret_store: backend,
        secret_store_description: backend.description(),
    })
}

/// A credential ready to use for a saved connection: the PAT, or a fresh access token (refreshed
/// when it expires within five minutes, or re-acquired for a service principal).
pub async fn credential_for(
    connections: &Connections,
    profile: &Profile,
    settings: &SignInSettings,
    now: SystemTime,
) -> Result<Credential, crate::Error> {
    let missing = || {
        problem(
            CheckCode::InvalidCredentials,
            Some(Field::Pat),
            "This connection's credentials are no longer in the keyring.",
            "Sign in again (or paste the token again); the connection's settings are kept.",
        )
    };
    let secret = connections.secret_of(profile)?.ok_or_else(missing)?;
    match &profile.auth {
        AuthMethod::Pat { .. } => Ok(Credential::Pat(secret)),
        AuthMethod::Entra {
            tenant,
            client_id,
            authority,
        } => {
            let tokens = from_stored(&secret).ok_or_else(missing)?;
            if !tokens.needs_refresh(now, REFRESH_SKEW) {
                return Ok(Credential::Bearer(tokens.access_token));
            }
            let client = PublicClient::new(
                recorded_authority(authority.as_deref(), tenant, settings)?,
                ClientId::new(client_id.as_str()).map_err(|e| auth_problem(&AuthError::from(e)))?,
                Scopes::azure_devops(),
                http(&saved_options(profile))?,
            );
            match client.refresh(&tokens).await {
                Ok(fresh) => {
                    connections.replace_secret(profile, &to_stored(&fresh))?;
                    Ok(Credential::Bearer(fresh.access_token))
                }
                Err(e) if e.is_sign_in_again() => {
                    // The profile and its keyring entry stay; only the refresh token the server
                    // refused is dropped, so it is never sent again. Every later use reports
                    // "sign in again" until the user does.
                    if tokens.can_refresh() {
                        let mut dead = tokens;
                        dead.refresh_token = None;
                        connections.replace_secret(profile, &to_stored(&dead))?;
                    }
                    Err(auth_problem(&e).into())
                }
                Err(e) => Err(auth_problem(&e).into()),
            }
        }
        AuthMethod::ServicePrincipal {
            tenant,
            client_id,
            authority,
        } => {
            let tokens = from_stored(&secret).ok_or_else(missing)?;
            if !tokens.needs_refresh(now, REFRESH_SKEW) {
                return Ok(Credential::Bearer(tokens.access_token));
            }
            let sp_secret = connections
                .extra_secret(profile, "sp-secret")?
                .ok_or_else(missing)?;
            let authority = recorded_authority(authority.as_deref(), tenant, settings)?;
            let (fresh, _) = acquire_sp_token(
                authority,
                tenant,
                client_id,
                &sp_secret,
                &saved_options(profile),
            )
            .await?;
            connections.replace_secret(profile, &to_stored(&fresh))?;
            Ok(Credential::Bearer(fresh.access_token))
        }
    }
}

/// The Services form as typed (organization, and the host for sandboxes).
pub fn services_target(
    organization: &str,
    services_url: &str,
) -> Result<ConnectionTarget, crate::ConnectError> {
    ado_core::target::TargetInput {
        deployment: Some(Deployment::Services),
        organization: organization.to_string(),
        services_url: services_url.to_string(),
        ..Default::default()
    }
    .validate()
    .map_err(crate::ConnectError::Input)
}

/// The whole browser sign-in: start, hand the URL to `open` (the system browser) and `cancel`
/// (to keep the cancel handle), wait, verify, save.
pub async fn sign_in_with_browser(
    connections: &Connections,
    target: &ConnectionTarget,
    settings: &SignInSettings,
    options: &ConnectOptions,
    open: impl FnOnce(&url::Url),
    keep_cancel: impl FnOnce(CancellationToken),
    now_unix: u64,
) -> Result<Connected, crate::ConnectError> {
    let pending = BrowserSignIn::start(target, settings, options)
        .await
        .map_err(crate::ConnectError::Problem)?;
    keep_cancel(pending.cancel_token());
    open(pending.authorize_url());
    let signed_in = pending.finish().await;
    save_sign_in(connections, target, signed_in, options, now_unix).await
}

/// Verifies and saves a finished public-client sign-in.
pub(crate) async fn save_sign_in(
    connections: &Connections,
    target: &ConnectionTarget,
    signed_in: Result<(TokenSet, AuthMethod), Problem>,
    options: &ConnectOptions,
    now_unix: u64,
) -> Result<Connected, crate::ConnectError> {
    let (tokens, method) = signed_in.map_err(crate::ConnectError::Problem)?;
    connect_with_tokens(
        connections,
        target,
        &tokens,
        method,
        None,
        options,
        now_unix,
    )
    .await
}

/// The whole device-code sign-in: start, hand the code to `show`, poll, verify, save.
pub async fn sign_in_with_device_code(
    connections: &Connections,
    target: &ConnectionTarget,
    settings: &SignInSettings,
    options: &ConnectOptions,
    show: impl FnOnce(DeviceCodePrompt),
    keep_cancel: impl FnOnce(CancellationToken),
    now_unix: u64,
) -> Result<Connected, crate::ConnectError> {
    let pending = DeviceSignIn::start(target, settings, options)
        .await
        .map_err(crate::ConnectError::Problem)?;
    keep_cancel(pending.cancel_token());
    show(pending.prompt());
    let signed_in = pending.finish().await;
    save_sign_in(connections, target, signed_in, options, now_unix).await
}

/// Who a service principal is: its tenant, application (client) id and secret.
#[derive(Debug, Clone, Copy)]
pub struct ServicePrincipalLogin<'a> {
    /// The tenant (a GUID or domain).
    pub tenant: &'a str,
    /// The application (client) id.
    pub client_id: &'a str,
    /// The client secret (`Debug` redacted).
    pub secret: &'a SecretString,
}

/// Signs in as a service principal, verifies, saves (its secret in the keyring).
pub async fn sign_in_as_service_principal(
    connections: &Connections,
    target: &ConnectionTarget,
    settings: &SignInSettings,
    login: ServicePrincipalLogin<'_>,
    options: &ConnectOptions,
    now_unix: u64,
) -> Result<Connected, crate::ConnectError> {
    let ServicePrincipalLogin {
        tenant,
        client_id,
        secret,
    } = login;
    let (tokens, method) = service_principal_token(settings, tenant, client_id, secret, options)
        .await
        .map_err(crate::ConnectError::Problem)?;
    connect_with_tokens(
        connections,
        target,
        &tokens,
        method,
        Some(secret),
        options,
        now_unix,
    )
    .await
}

/// A fresh access token of a saved Microsoft sign-in for other Azure DevOps `scopes`
/// (incremental consent: the PAT Lifecycle Management API's `user_impersonation` is asked for
/// only when the user chooses to mint tokens, never at sign-in). `None` for a connection that is
/// not a user's Microsoft sign-in. The stored tokens are left as they are. A refusal carries
/// Entra's answer when the permission needs the user first ([`AuthError::needs_consent`]).
pub(crate) async fn access_token_for_scopes(
    connections: &Connections,
    profile: &Profile,
    settings: &SignInSettings,
    scopes: Scopes,
) -> Result<Option<SecretString>, (Problem, Option<String>)> {
    let AuthMethod::Entra {
        tenant,
        client_id,
        authority,
    } = &profile.auth
    else {
        return Ok(None);
    };
    let secret = connections.secret_of(profile).ok().flatten();
    let Some(tokens) = secret.as_ref().and_then(from_stored) else {
        return Ok(None);
    };
    let client = PublicClient::new(
        recorded_authority(authority.as_deref(), tenant, settings).map_err(|p| (p, None))?,
        ClientId::new(client_id.as_str()).map_err(|e| (auth_problem(&AuthError::from(e)), None))?,
        scopes,
        http(&saved_options(profile)).map_err(|p| (p, None))?,
    );
    let fresh = client
        .refresh(&tokens)
        .await
        .map_err(|e| (auth_problem(&e), e.needs_consent().then(|| e.to_string())))?;
    Ok(Some(fresh.access_token))
}

/// Sign-in settings from the environment (`ADO_CONNECT_CLIENT_ID`, `ADO_CONNECT_AUTHORITY`).
pub fn settings() -> Result<SignInSettings, crate::ConnectError> {
    SignInSettings::from_env()
        .map_err(|e| crate::ConnectError::Problem(auth_problem(&AuthError::from(e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_tokens_round_trip_and_debug_is_redacted() {
        let tokens = TokenSet::new(
            SecretString::from("access-123".to_string()),
            Some(SecretString::from("refresh-456".to_string())),
            Some(UNIX_EPOCH + Duration::from_secs(1_900_000_000)),
        );
        let stored = to_stored(&tokens);
        assert!(!format!("{stored:?}").contains("access-123"));
        let back = from_stored(&stored).unwrap();
        assert_eq!(back.access_token.expose_secret(), "access-123");
        assert_eq!(back.refresh_token.unwrap().expose_secret(), "refresh-456");
        assert_eq!(back.expires_at, tokens.expires_at);
    }
}
