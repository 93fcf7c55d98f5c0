//! The authorize endpoint: auth code + PKCE, its HTML error pages and redirects.

use super::*;

// ----- authorize -----------------------------------------------------------------------------

/// `GET /{tenant}/oauth2/v2.0/authorize`. Errors about the client or the redirect URI are shown
/// as a page; later ones go back to the app as `?error=…&error_description=…&state=…`.
pub(super) fn authorize(
    state: &EntraSide<'_>,
    tenant: &str,
    params: &Params,
    d: &Diagnostics,
) -> Response {
    let entra = state.entra;
    let tenant = match entra.tenant(tenant) {
        Ok(tenant) => tenant,
        Err(error) => return error_page(&error, d),
    };
    let client_id = match params.require("client_id") {
        Ok(client_id) => client_id,
        Err(error) => return error_page(&error, d),
    };
    let app = match entra.app_in(client_id, tenant) {
        Ok(app) => app.clone(),
        Err(error) => return error_page(&error, d),
    };
    let Some(redirect_uri) = params.value("redirect_uri") else {
        return error_page(&OAuthError::no_reply_address(), d);
    };
    if !app.redirect_allowed(redirect_uri) {
        return error_page(&OAuthError::redirect_mismatch(redirect_uri, client_id), d);
    }
    let app_state = params.get("state");
    let back = |error: OAuthError| {
        let description = error.description(d);
        let mut pairs = vec![
            ("error", error.error),
            ("error_description", description.as_str()),
        ];
        if let Some(s) = app_state {
            pairs.push(("state", s));
        }
        found(&with_query(redirect_uri, &pairs))
    };
    match code_request(state, &app, tenant, params) {
        Ok(code) => {
            let session_state = Uuid::new_v4().to_string();
            let mut pairs = vec![("code", code.as_str())];
            if let Some(s) = app_state {
                pairs.push(("state", s));
            }
            pairs.push(("session_state", &session_state));
            found(&with_query(redirect_uri, &pairs))
        }
        Err(Refusal::Back(error)) => back(error),
        Err(Refusal::Page(error)) => error_page(&error, d),
    }
}

pub(super) enum Refusal {
    /// Sent back to the app's redirect URI.
    Back(OAuthError),
    /// Shown to the user.
    Page(OAuthError),
}

/// Checks the rest of an authorize request, signs the user in and keeps the code.
pub(super) fn code_request(
    state: &EntraSide<'_>,
    app: &App,
    tenant: Tenant,
    params: &Params,
) -> Result<String, Refusal> {
    let entra = state.entra;
    match params.value("response_type") {
        None => {
            return Err(Refusal::Back(OAuthError::missing_parameter(
                "response_type",
            )))
        }
        Some("code") => {}
        Some(other) => return Err(Refusal::Back(OAuthError::unsupported_response_type(other))),
    }
    if let Some(mode) = params.value("response_mode") {
        if mode != "query" {
            return Err(Refusal::Back(OAuthError::unsupported_response_mode(mode)));
        }
    }
    let scope = params.require("scope").map_err(Refusal::Back)?;
    let granted = Granted::parse(scope).map_err(Refusal::Back)?;
    let granted = state.entra.lock().expand_default(scope, granted);
    let challenge = match (
        params.value("code_challenge"),
        params.value("code_challenge_method"),
    ) {
        (None, None) if !app.public_client => String::new(),
        (None, _) => {
            return Err(Refusal::Back(OAuthError::missing_parameter(
                "code_challenge",
            )))
        }
        // RFC 7636 §4.3: no method means "plain", which the emulator refuses.
        (Some(_), method) if method != Some("S256") => {
            return Err(Refusal::Back(OAuthError::challenge_method(
                method.unwrap_or("plain"),
            )))
        }
        (Some(challenge), _) if challenge.len() != 43 || !oauth::valid_pkce_value(challenge) => {
            return Err(Refusal::Back(OAuthError::challenge_size()))
        }
        (Some(challenge), _) => challenge.to_string(),
    };
    let hint = params.value("login_hint");
    let user = {
        let world = state.world.read();
        let person = |u: &&crate::world::User| !entra.is_service_principal(u.id);
        match hint {
            Some(hint) => world.user_by_email(hint).filter(person),
            None => world.users.iter().find(person),
        }
        .map(|u| (u.id, u.email.clone()))
    };
    let Some((user_id, email)) = user else {
        return Err(Refusal::Page(OAuthError::user_not_found(
            hint.unwrap_or_default(),
            &tenant.as_string(),
        )));
    };
    if entra.declines(&email) {
        return Err(Refusal::Back(OAuthError::user_declined()));
    }
    // Signing in interactively, the user consents to what was asked (incremental consent).
    entra.lock().record_consent(user_id, &granted);
    let code = format!("1.AQ{}", oauth::random_token(4));
    let grant = CodeGrant {
        client_id: app.client_id,
        redirect_uri: params.value("redirect_uri").unwrap_or_default().to_string(),
        challenge,
        granted,
        user_id,
        tenant,
        nonce: params.value("nonce").map(str::to_string),
        issued: Instant::now(),
        redeemed: false,
    };
    entra.lock().codes.insert(code.clone(), grant);
    Ok(code)
}
