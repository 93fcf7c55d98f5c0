//! Device code: `/devicecode` and the `/devicelogin` page.

use super::*;

// ----- device code ---------------------------------------------------------------------------

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub(super) fn device_code(
    entra: &EntraState,
    tenant: &str,
    params: &Params,
    origin: &str,
) -> Result<Value, OAuthError> {
    let tenant = entra.tenant(tenant)?;
    let client_id = params.require("client_id")?;
    let app = entra.app_in(client_id, tenant)?;
    let scope = params.require("scope")?;
    let granted = entra.lock().expand_default(scope, Granted::parse(scope)?);
    let lifetime = entra.config.device_code_lifetime_secs;
    let interval = entra.config.device_code_interval_secs;
    let now = Instant::now();
    let device_code = format!("DAQABAAEAAAD{}", oauth::random_token(6));
    let user_code = oauth::random_user_code();
    entra.lock().devices.push(DeviceGrant {
        device_code: device_code.clone(),
        user_code: user_code.clone(),
        client_id: app.client_id,
        granted,
        tenant,
        issued: now,
        expires: now + Duration::from_secs(lifetime),
        interval: Duration::from_secs(interval),
        last_poll: None,
        state: DeviceState::Pending,
    });
    let verification_uri = format!("{origin}/devicelogin");
    Ok(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime,
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
}

/// `GET /devicelogin`: enter the code.
pub(super) fn device_login_form(otc: &str, problem: Option<&str>) -> Response {
    let problem = problem
        .map(|p| format!("<p id=\"error\">{}</p>\n", escape(p)))
        .unwrap_or_default();
    let content = format!(
        "<h1>Enter code</h1>\n<p>Enter the code displayed on your app or device.</p>\n{problem}\
<form method=\"post\" action=\"/devicelogin\">\n\
<input type=\"text\" name=\"otc\" value=\"{}\" autocomplete=\"off\" aria-label=\"Code\">\n\
<button type=\"submit\">Next</button>\n</form>",
        escape(otc)
    );
    html_reply(StatusCode::OK, page("Enter code", &content))
}

/// `POST /devicelogin`: `otc` alone shows the confirmation (pick a user, approve or deny);
/// with `action=approve` (and `user`, default the scenario's first user) or `action=deny` it
/// decides.
pub(super) fn device_login(state: &EntraSide<'_>, form: &Params) -> Response {
    let entra = state.entra;
    let Some(otc) = form.value("otc") else {
        return device_login_form("", Some("Enter the code displayed on your app or device."));
    };
    let problem_page = |problem: DeviceProblem| {
        let text = match problem {
            DeviceProblem::Unknown => "That code didn't work. Check the code and try again.",
            DeviceProblem::Expired => {
                "AADSTS70019: Verification code expired. Go back to your app or device and start again."
            }
            DeviceProblem::AlreadyDecided => {
                "AADSTS90120: The request was already authorized or declined."
            }
        };
        device_login_form(otc, Some(text))
    };
    let app_name = match entra.peek_device(otc) {
        Ok(name) => name,
        Err(problem) => return problem_page(problem),
    };
    let people: Vec<(uuid::Uuid, String, String)> = state
        .world
        .read()
        .users
        .iter()
        .filter(|u| !entra.is_service_principal(u.id))
        .map(|u| (u.id, u.email.clone(), u.display_name.clone()))
        .collect();
    match form.value("action") {
        None => {
            let options: String = people
                .iter()
                .map(|(_, email, name)| {
                    format!(
                        "<option value=\"{}\">{} ({})</option>\n",
                        escape(email),
                        escape(name),
                        escape(email)
                    )
                })
                .collect();
            let content = format!(
                "<h1>Are you trying to sign in to {app}?</h1>\n\
<p>Only continue if you downloaded the app from a store or website that you trust.</p>\n\
<form method=\"post\" action=\"/devicelogin\">\n\
<input type=\"hidden\" name=\"otc\" value=\"{otc}\">\n\
<label>Account <select name=\"user\">\n{options}</select></label>\n\
<button type=\"submit\" name=\"action\" value=\"approve\">Continue</button>\n\
<button type=\"submit\" name=\"action\" value=\"deny\">Cancel</button>\n</form>",
                app = escape(&app_name),
                otc = escape(otc),
            );
            html_reply(StatusCode::OK, page("Sign in to your account", &content))
        }
        Some("deny") => match entra.decide_device(otc, None) {
            Ok(decision) => declined_page(&decision.app_name),
            Err(problem) => problem_page(problem),
        },
        Some("approve") => {
            let chosen = match form.value("user") {
                Some(email) => people
                    .iter()
                    .find(|(_, e, _)| e.eq_ignore_ascii_case(email)),
                None => people.first(),
            };
            let Some((user_id, email, _)) = chosen else {
                let error = OAuthError::user_not_found(
                    form.value("user").unwrap_or_default(),
                    "organizations",
                );
                return device_login_form(otc, Some(&error.short()));
            };
            match entra.decide_device(otc, Some((*user_id, email))) {
                Ok(decision) if decision.approved => {
                    let content = format!(
                        "<h1>{app}</h1>\n<p id=\"result\">You have signed in to the {app} application on your device. You may now close this window.</p>",
                        app = escape(&decision.app_name)
                    );
                    html_reply(StatusCode::OK, page("Sign in to your account", &content))
                }
                Ok(decision) => declined_page(&decision.app_name),
                Err(problem) => problem_page(problem),
            }
        }
        Some(_) => device_login_form(otc, Some("Choose Continue or Cancel.")),
    }
}

pub(super) fn declined_page(app_name: &str) -> Response {
    let content = format!(
        "<h1>{app}</h1>\n<p id=\"result\">You have declined to sign in to {app} on your device. You may now close this window.</p>",
        app = escape(app_name)
    );
    html_reply(StatusCode::OK, page("Sign in to your account", &content))
}
