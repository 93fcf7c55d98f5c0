//! [`EntraHandle`]: tests change the Entra side of a running emulator (device code decisions,
//! revocation, expiry, OAuth policy).

use super::*;

/// Changes the Entra side of a running emulator: device code decisions, revocation, expiry and
/// policy. Cheap to clone. Get one with [`crate::Emulator::entra`].
///
/// ```no_run
/// # async fn demo(emu: ado_emulator::Emulator) -> Result<(), ado_emulator::Error> {
/// let entra = emu.entra();
/// // a device code flow is polling: the user approves it
/// let code = entra.pending_device_codes().pop().expect("a device code was issued");
/// entra.approve_device_code(&code, "demo.admin@fabrikam.example")?;
/// // later: the admin revokes the user's sessions, and every access token runs out now
/// entra.revoke_refresh_tokens("demo.admin@fabrikam.example");
/// entra.expire_access_tokens();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct EntraHandle {
    pub(crate) state: Arc<EntraState>,
    pub(crate) world: WorldHandle,
}

impl EntraHandle {
    /// Approves a device code (`user_code` as shown, any case, dashes ignored) as the user with
    /// this email; the next poll gets tokens. A user who declines every sign-in declines it
    /// instead.
    ///
    /// Errors: [`Error::NotFound`] for an unknown or expired code or an unknown user,
    /// [`Error::Conflict`] when it was already approved or denied.
    pub fn approve_device_code(&self, user_code: &str, email: &str) -> Result<(), Error> {
        let user_id = {
            let world = self.world.read();
            world
                .user_by_email(email)
                .map(|u| u.id)
                .filter(|id| !self.state.is_service_principal(*id))
        }
        .ok_or_else(|| Error::NotFound(format!("user {email:?}")))?;
        self.state
            .decide_device(user_code, Some((user_id, email)))
            .map(|_| ())
            .map_err(|problem| device_error(user_code, problem))
    }

    /// Denies a device code: the next poll gets `authorization_declined`.
    ///
    /// Errors as [`EntraHandle::approve_device_code`].
    pub fn deny_device_code(&self, user_code: &str) -> Result<(), Error> {
        self.state
            .decide_device(user_code, None)
            .map(|_| ())
            .map_err(|problem| device_error(user_code, problem))
    }

    /// User codes issued and still waiting for the user, oldest first.
    pub fn pending_device_codes(&self) -> Vec<String> {
        let now = Instant::now();
        self.state
            .lock()
            .devices
            .iter()
            .filter(|d| d.is_pending(now))
            .map(|d| d.user_code.clone())
            .collect()
    }

    /// What `…/.default` stands for from now on: `None` (the default), every Azure DevOps
    /// permission; `Some(list)`, only these `vso.*` permissions, as for an app registration
    /// configured with granular scopes. Then the tokens API's `user_impersonation` is not
    /// consented: a refresh asking for it gets `invalid_grant` AADSTS65001 until the user signs
    /// in interactively asking for it (incremental consent).
    pub fn set_default_permissions(&self, permissions: Option<Vec<String>>) {
        self.state.lock().default_permissions = permissions;
    }

    /// The permissions the user consented to in interactive sign-ins (authorize, device code).
    pub fn consented(&self, email: &str) -> Vec<String> {
        let Some(user_id) = self.world.read().user_by_email(email).map(|u| u.id) else {
            return Vec::new();
        };
        self.state
            .lock()
            .consents
            .get(&user_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Withdraws the user's consent to `permission` (as removing the app from My Apps does):
    /// a refresh asking for it beyond its own grant gets `invalid_grant` AADSTS65001 again,
    /// until the user consents interactively once more.
    pub fn withdraw_consent(&self, email: &str, permission: &str) {
        let Some(user_id) = self.world.read().user_by_email(email).map(|u| u.id) else {
            return;
        };
        if let Some(list) = self.state.lock().consents.get_mut(&user_id) {
            list.retain(|p| p != permission);
        }
    }

    /// Revokes every refresh token of the user (as an admin's "Revoke sessions" does): they
    /// then get `invalid_grant` AADSTS50173. Access tokens already issued keep working until
    /// they expire, as with Entra. Returns how many were revoked.
    pub fn revoke_refresh_tokens(&self, email: &str) -> usize {
        let Some(user_id) = self.world.read().user_by_email(email).map(|u| u.id) else {
            return 0;
        };
        let now = OffsetDateTime::now_utc();
        let mut inner = self.state.lock();
        let mut count = 0;
        for grant in inner.refresh.values_mut().filter(|g| g.user_id == user_id) {
            if grant.revoked_at.is_none() {
                grant.revoked_at = Some(now);
                count += 1;
            }
        }
        count
    }

    /// Makes every refresh token of the user expired by inactivity (`invalid_grant`
    /// AADSTS700082). Returns how many.
    pub fn expire_refresh_tokens(&self, email: &str) -> usize {
        let Some(user_id) = self.world.read().user_by_email(email).map(|u| u.id) else {
            return 0;
        };
        let mut inner = self.state.lock();
        let mut count = 0;
        for grant in inner.refresh.values_mut().filter(|g| g.user_id == user_id) {
            grant.expired = true;
            count += 1;
        }
        count
    }

    /// Expires every access token issued so far, now: Azure DevOps then answers them like an
    /// unknown token (`401 TF400813 … user ''`). Returns how many.
    pub fn expire_access_tokens(&self) -> usize {
        let tokens: Vec<String> = self
            .state
            .lock()
            .issued
            .iter()
            .map(|(token, _)| token.clone())
            .collect();
        self.expire(tokens)
    }

    /// Expires the access tokens issued to one user (or service principal, by client id).
    pub fn expire_access_tokens_of(&self, email_or_client_id: &str) -> usize {
        let user_id = self
            .world
            .read()
            .user_by_email(email_or_client_id)
            .map(|u| u.id);
        let client_id = Uuid::parse_str(email_or_client_id).ok();
        let tokens: Vec<String> = self
            .state
            .lock()
            .issued
            .iter()
            .filter(|(_, subject)| match subject {
                Subject::User(id) => Some(*id) == user_id,
                Subject::ServicePrincipal(id) => Some(*id) == client_id,
            })
            .map(|(token, _)| token.clone())
            .collect();
        self.expire(tokens)
    }

    fn expire(&self, tokens: Vec<String>) -> usize {
        let past = OffsetDateTime::now_utc() - time::Duration::seconds(1);
        tokens
            .iter()
            .filter(|token| self.world.set_token_expiry(token, Some(past)))
            .count()
    }

    /// Turns an organization's "Third-party application access via OAuth" policy off
    /// (`disabled = true`: Bearer tokens get `401 TF400813`) or back on.
    ///
    /// Errors: [`Error::NotFound`] for an unknown organization.
    pub fn set_oauth_policy_disabled(
        &self,
        organization: &str,
        disabled: bool,
    ) -> Result<(), Error> {
        if self.world.read().organization_index(organization).is_none() {
            return Err(Error::NotFound(format!("organization {organization:?}")));
        }
        let name = organization.to_lowercase();
        let mut inner = self.state.lock();
        inner.policy_disabled.retain(|o| *o != name);
        if disabled {
            inner.policy_disabled.push(name);
        }
        Ok(())
    }

    /// Whether a used refresh token is refused from now on (strict rotation); see
    /// [`EntraConfig::single_use_refresh_tokens`].
    pub fn set_single_use_refresh_tokens(&self, single_use: bool) {
        self.state.lock().single_use_refresh = single_use;
    }

    /// Makes a user decline (or stop declining) every sign-in.
    pub fn set_declines_sign_in(&self, email: &str, declines: bool) {
        let email = email.to_lowercase();
        let mut inner = self.state.lock();
        inner.declining.retain(|e| *e != email);
        if declines {
            inner.declining.push(email);
        }
    }

    /// The lifetimes in force.
    pub fn config(&self) -> EntraConfig {
        self.state.config.clone()
    }
}

fn device_error(user_code: &str, problem: DeviceProblem) -> Error {
    match problem {
        DeviceProblem::Unknown => Error::NotFound(format!("device code {user_code:?}")),
        DeviceProblem::Expired => Error::NotFound(format!("device code {user_code:?} (expired)")),
        DeviceProblem::AlreadyDecided => Error::Conflict(format!(
            "device code {user_code:?} was already approved or denied"
        )),
    }
}
