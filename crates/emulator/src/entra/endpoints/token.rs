//! The token endpoint: authorization code, refresh token, client credentials, device code.

use super::*;

// ----- token ---------------------------------------------------------------------------------

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(super) fn token(
    state: &EntraSide<'_>,
    tenant: &str,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let tenant = state.entra.tenant(tenant)?;
    match params.require("grant_type")? {
        "authorization_code" => redeem_code(state, tenant, params, origin),
        "refresh_token" => refresh(state, tenant, params, origin),
        "client_credentials" => client_credentials(state, tenant, params, origin),
        DEVICE_CODE_GRANT => poll_device_code(state, tenant, params, origin),
        other => Err(OAuthError::unsupported_grant_type(other)),
    }
}

/// The app of a user grant, authenticated: a public client must not send a secret; a web app
/// must send the secret of its service principal.
pub(super) fn authenticated_app<'s>(
    entra: &'s EntraState,
    tenant: Tenant,
    params: &Params,
) -> Result<&'s App, OAuthError> {
    let client_id = params.require("client_id")?;
    let app = entra.app_in(client_id, tenant)?;
    let secret = params.value("client_secret");
    let assertion = params.value("client_assertion");
    if app.public_client {
        if secret.is_some() || assertion.is_some() {
            return Err(OAuthError::public_client_with_secret());
        }
        return Ok(app);
    }
    let secret = secret.ok_or_else(OAuthError::secret_required)?;
    match entra.service_principal(app.client_id) {
        Some(sp) if constant_time_eq(secret, &sp.secret) => Ok(app),
        _ => Err(OAuthError::bad_secret(client_id)),
    }
}

pub(super) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub(super) fn redeem_code(
    state: &EntraSide<'_>,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = state.entra;
    let app = authenticated_app(entra, tenant, params)?;
    let code = params.require("code")?;
    let redirect_uri = params.require("redirect_uri")?;
    let verifier = params.value("code_verifier");
    let lifetime = Duration::from_secs(entra.config.auth_code_lifetime_secs);
    let grant = {
        let mut inner = entra.lock();
        let grant = inner
            .codes
            .get_mut(code)
            .ok_or_else(OAuthError::malformed_grant)?;
        if grant.client_id != app.client_id {
            return Err(OAuthError::grant_not_valid("code"));
        }
        if grant.redeemed {
            return Err(OAuthError::code_redeemed());
        }
        if grant.issued.elapsed() >= lifetime {
            return Err(OAuthError::code_expired());
        }
        if grant.tenant != tenant {
            return Err(OAuthError::code_for_other_tenant());
        }
        if grant.redirect_uri != redirect_uri {
            return Err(OAuthError::reply_address_mismatch(
                redirect_uri,
                &grant.redirect_uri,
            ));
        }
        if !grant.challenge.is_empty() {
            match verifier {
                None => return Err(OAuthError::verifier_missing()),
                Some(verifier) if !oauth::s256_matches(verifier, &grant.challenge) => {
                    return Err(OAuthError::verifier_mismatch())
                }
                Some(_) => {}
            }
        }
        grant.redeemed = true;
        grant.clone()
    };
    entra.issue(
        state.world,
        Issue {
            subject: Subject::User(grant.user_id),
            client_id: grant.client_id,
            granted: &grant.granted,
            tenant: grant.tenant,
            refresh: grant.granted.offline_access().then_some(&grant.granted),
            nonce: grant.nonce.as_deref(),
            origin,
            client_credentials: false,
        },
    )
}

pub(super) fn refresh(
    state: &EntraSide<'_>,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = state.entra;
    let app = authenticated_app(entra, tenant, params)?;
    let token = params.require("refresh_token")?;
    let requested = match params.value("scope") {
        Some(scope) => Some(entra.lock().expand_default(scope, Granted::parse(scope)?)),
        None => None,
    };
    let grant = {
        let mut inner = entra.lock();
        let single_use = inner.single_use_refresh;
        let grant = inner
            .refresh
            .get_mut(token)
            .ok_or_else(OAuthError::malformed_grant)?;
        if grant.client_id != app.client_id {
            return Err(OAuthError::grant_not_valid("refresh_token"));
        }
        if let Some(revoked_at) = grant.revoked_at {
            return Err(OAuthError::refresh_revoked(grant.issued_at, revoked_at));
        }
        if grant.expired || grant.last_used.elapsed() >= crate::entra::REFRESH_INACTIVITY {
            return Err(OAuthError::refresh_expired(grant.issued_at));
        }
        if single_use && grant.used {
            return Err(OAuthError::grant_not_valid("refresh_token"));
        }
        grant.used = true;
        grant.last_used = Instant::now();
        grant.clone()
    };
    let may = requested
        .as_ref()
        .is_none_or(|r| entra.lock().may_refresh(grant.user_id, r, &grant.granted));
    let granted = match requested {
        Some(_) if !may => {
            return Err(OAuthError::consent_missing(
                &app.client_id.to_string(),
                &app.display_name,
            ))
        }
        Some(requested) => requested,
        None => grant.granted.clone(),
    };
    entra.issue(
        state.world,
        Issue {
            subject: Subject::User(grant.user_id),
            client_id: grant.client_id,
            granted: &granted,
            tenant,
            refresh: grant.granted.offline_access().then_some(&grant.granted),
            nonce: None,
            origin,
            client_credentials: false,
        },
    )
}

pub(super) fn client_credentials(
    state: &EntraSide<'_>,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = state.entra;
    let Tenant::Specific(tenant_id) = tenant else {
        return Err(OAuthError::grant_needs_tenant());
    };
    let client_id = params.require("client_id")?;
    let sp = Uuid::parse_str(client_id)
        .ok()
        .and_then(|id| entra.service_principal(id))
        .filter(|sp| sp.tenant_id == tenant_id)
        .ok_or_else(|| OAuthError::app_not_found(client_id, &tenant_id.to_string()))?;
    let secret = params
        .value("client_secret")
        .ok_or_else(OAuthError::secret_required)?;
    if !constant_time_eq(secret, &sp.secret) {
        return Err(OAuthError::bad_secret(client_id));
    }
    let scope = params.require("scope")?;
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let resource = match scopes.as_slice() {
        [one] => oauth::default_scope_resource(one),
        _ => None,
    }
    .ok_or_else(|| OAuthError::client_credentials_scope(scope))?;
    if !oauth::is_azure_devops_resource(resource) {
        return Err(OAuthError::resource_not_found(
            resource,
            &tenant_id.to_string(),
        ));
    }
    let granted = Granted {
        ado: vec!["user_impersonation".to_string()],
        oidc: Vec::new(),
    };
    entra.issue(
        state.world,
        Issue {
            subject: Subject::ServicePrincipal(sp.client_id),
            client_id: sp.client_id,
            granted: &granted,
            tenant,
            refresh: None,
            nonce: None,
            origin,
            client_credentials: true,
        },
    )
}

pub(super) fn poll_device_code(
    state: &EntraSide<'_>,
    tenant: Tenant,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let entra = state.entra;
    let client_id = params.require("client_id")?;
    let app = entra.app_in(client_id, tenant)?;
    if !app.allow_public_client_flows {
        return Err(OAuthError::secret_required());
    }
    let device_code = params.require("device_code")?;
    let now = Instant::now();
    let (user_id, granted, tenant) = {
        let mut inner = entra.lock();
        let device = inner
            .devices
            .iter_mut()
            .find(|d| d.device_code == device_code && d.client_id == app.client_id)
            .filter(|d| d.state != DeviceState::Redeemed)
            .ok_or_else(OAuthError::bad_verification_code)?;
        if now >= device.expires {
            return Err(OAuthError::device_code_expired());
        }
        if device.state == DeviceState::Declined {
            return Err(OAuthError::device_code_declined());
        }
        let since = device.last_poll.unwrap_or(device.issued);
        device.last_poll = Some(now);
        if now.duration_since(since) + POLL_GRACE < device.interval {
            device.interval += SLOW_DOWN_STEP;
            return Err(OAuthError::slow_down(device.interval.as_secs()));
        }
        let DeviceState::Approved(user_id) = device.state else {
            return Err(OAuthError::authorization_pending());
        };
        device.state = DeviceState::Redeemed;
        let found = (user_id, device.granted.clone(), device.tenant);
        // Approving the code, the user consented to what was asked (incremental consent).
        inner.record_consent(user_id, &found.1);
        found
    };
    entra.issue(
        state.world,
        Issue {
            subject: Subject::User(user_id),
            client_id: app.client_id,
            granted: &granted,
            tenant,
            refresh: granted.offline_access().then_some(&granted),
            nonce: None,
            origin,
            client_credentials: false,
        },
    )
}
