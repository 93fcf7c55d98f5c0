//! A product's actions: its profile (opened at start or picked), its connect rules, its checks,
//! its webhooks, the hand-off (panel, value, export, script, POST) and the PATs minted for it.

use ado_core::product::ProductProfile;
use secrecy::SecretString;
use serde::Serialize;

use super::forms::{
    given, ChoiceForm, ConsentForm, MintForm, ProductCheckForm, ProductHooksForm, RulesForm,
};
use super::App;
use crate::clock::now_unix;
use crate::hooks::ApplyEvent;
use crate::organizations::{organizations_of, OrganizationChoice};
use crate::product::gate::{clear_saved, Clear, Cleared, SavedCheck};
use crate::product::handoff::{open_handoff, Handoff, HandoffChoice};
use crate::product::mint::{
    self, consent, MintCode, MintPlan, MintRefusal, MintReport, MintRequest, MintedPat,
};
use crate::product::post::PostOptions;
use crate::product::saved::{
    self, ConnectInput, ConnectRules, Delivered, HandoffView, Script, Written,
};
use crate::product::{
    apply_product_hooks, load_profile_text, plan_product_hooks, LoadError, LoadedProfile,
    ProductEvent, ProductHookPlan, ProductHooksReport, ProductHooksRequest, ProductReport,
};
use crate::{Error, Missing, ProfileId};

/// What the UI shows of the profile: the profile itself, or why it could not be read.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInfo {
    /// The profile, when it loaded.
    loaded: Option<LoadedProfile>,
    /// Why it did not: `invalid_profile` with each mistake's line and field, or the file
    /// unreadable (the UI shows the code it is sent; it never makes one up).
    error: Option<Error>,
}

impl From<&Result<LoadedProfile, LoadError>> for ProductInfo {
    fn from(opened: &Result<LoadedProfile, LoadError>) -> Self {
        match opened {
            Ok(loaded) => ProductInfo {
                loaded: Some(loaded.clone()),
                error: None,
            },
            Err(error) => ProductInfo {
                loaded: None,
                error: Some(error.clone().into()),
            },
        }
    }
}

/// What minting answered.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum MintAnswer {
    /// Created (or renewed), checked and kept.
    Minted { report: Box<MintReport> },
    /// Refused: nothing is left behind.
    Refused { refusal: MintRefusal },
}

/// What Forget's revocation answered.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RevokeAnswer {
    /// The authorizationIds revoked.
    Revoked { revoked: Vec<String> },
    /// Refused: the refusal's code and fix.
    Refused { refusal: MintRefusal },
}

/// Does a refusal ask for the browser sign-in that allows the tokens API (or renews the sign-in)?
fn wants_consent<T>(result: &Result<T, MintRefusal>) -> bool {
    matches!(result, Err(r) if matches!(r.code, MintCode::ConsentRequired | MintCode::SignInAgain))
}

impl App {
    /// The product profile open now.
    pub fn product(&self) -> Result<ProductProfile, Error> {
        match &*self.product.lock().expect("profile lock") {
            Some(Ok(loaded)) => Ok(loaded.profile.clone()),
            _ => Err(Error::nothing_yet(Missing::ProductProfile)),
        }
    }

    /// The product profile the app was opened with (or picked since), if any.
    pub fn product_info(&self) -> Option<ProductInfo> {
        self.product
            .lock()
            .expect("profile lock")
            .as_ref()
            .map(ProductInfo::from)
    }

    /// Opens a profile the user picked (its file name and text, read by the page): the wizard
    /// then works for that product. A broken one is refused with every mistake and the one open
    /// before stays.
    pub fn open_product_profile(&self, name: &str, text: &str) -> Result<ProductInfo, Error> {
        let opened = Ok(load_profile_text(name, text)?);
        let info = ProductInfo::from(&opened);
        *self.product.lock().expect("profile lock") = Some(opened);
        Ok(info)
    }

    /// Back to the wizard without a product.
    pub fn close_product_profile(&self) {
        *self.product.lock().expect("profile lock") = None;
    }

    /// What the connect form may offer for the product and what it refuses, before any request.
    pub fn product_connect_rules(&self, form: RulesForm) -> Result<ConnectRules, Error> {
        let input = ConnectInput {
            deployment: form.target.as_ref().and_then(|t| t.deployment),
            target: form.target.and_then(|t| t.validate().ok()),
            method: form.method,
            expires_on: form.expires_on,
        };
        Ok(saved::connect_rules(&self.product()?, &input))
    }

    /// Runs the product's checks for a saved connection, each row into `send`.
    pub async fn product_check(
        &self,
        form: ProductCheckForm,
        send: &(dyn Fn(&ProductEvent<'_>) + Sync),
    ) -> Result<ProductReport, Error> {
        let request = SavedCheck {
            profile: self.product()?,
            connection_id: form.profile_id,
            project: given(form.project),
            repository: given(form.repository),
            pats: form.pats.into_iter().map(Into::into).collect(),
        };
        let settings = self.settings()?;
        saved::check_saved(self.connections()?, &settings, request, now_unix(), send).await
    }

    /// The gate for the product's webhooks: the connection passed the product's checks.
    async fn cleared(&self, id: &ProfileId, choice: &ChoiceForm) -> Result<Cleared, Error> {
        let request = SavedCheck {
            profile: self.product()?,
            connection_id: id.clone(),
            project: given(choice.project.clone()),
            repository: given(choice.repository.clone()),
            pats: Vec::new(),
        };
        self.clear(request, Clear::IfStale).await
    }

    /// The gate: the product's checks for `check`, or a pass recorded within a day when `when`
    /// allows it.
    pub(super) async fn clear(&self, check: SavedCheck, when: Clear) -> Result<Cleared, Error> {
        let settings = self.settings()?;
        let outcome = clear_saved(
            self.connections()?,
            &settings,
            check,
            when,
            now_unix(),
            &|_| {},
        );
        outcome.await?.cleared()
    }

    /// Plans exactly the product's webhooks; nothing changes yet.
    pub async fn product_hooks_plan(
        &self,
        form: ProductHooksForm,
    ) -> Result<ProductHookPlan, Error> {
        let cleared = self.cleared(&form.profile_id, &form.choice).await?;
        let session = self.hooks_session(&form.profile_id).await?;
        plan_product_hooks(
            &cleared,
            &session.client,
            &session.records,
            &hooks_request(form),
        )
        .await
    }

    /// Registers exactly the product's webhooks, streaming progress.
    pub async fn product_hooks_apply(
        &self,
        form: ProductHooksForm,
        progress: &(dyn Fn(&ApplyEvent) + Sync),
    ) -> Result<ProductHooksReport, Error> {
        let cleared = self.cleared(&form.profile_id, &form.choice).await?;
        let session = self.hooks_session(&form.profile_id).await?;
        let request = hooks_request(form);
        apply_product_hooks(
            &cleared,
            &session.client,
            &session.records,
            &request,
            progress,
        )
        .await
    }

    /// The hand-off of a saved connection, through the gate.
    async fn handoff(&self, id: &ProfileId, choice: ChoiceForm) -> Result<Handoff, Error> {
        let settings = self.settings()?;
        let profile = self.product()?;
        open_handoff(
            self.connections()?,
            &settings,
            profile,
            id,
            choice.into(),
            now_unix(),
        )
        .await
    }

    /// The "Paste into …" panel for a saved connection (refused until the checks passed).
    pub async fn handoff_panel(
        &self,
        id: &ProfileId,
        choice: ChoiceForm,
    ) -> Result<HandoffView, Error> {
        let settings = self.settings()?;
        let profile = self.product()?;
        saved::handoff_view(
            self.connections()?,
            &settings,
            profile,
            id,
            choice.into(),
            now_unix(),
        )
        .await
    }

    /// One field's value, secret or not (Reveal, Copy).
    pub async fn handoff_value(
        &self,
        id: &ProfileId,
        choice: ChoiceForm,
        key: &str,
    ) -> Result<Option<String>, Error> {
        let handoff = self.handoff(id, choice).await?;
        handoff.require_complete()?;
        Ok(handoff.field_value(key))
    }

    /// Writes the export file (secrets only when asked).
    pub async fn handoff_export(
        &self,
        id: &ProfileId,
        choice: ChoiceForm,
        include_secrets: bool,
    ) -> Result<Written, Error> {
        let handoff = self.handoff(id, choice).await?;
        saved::export_to_default_dir(&handoff, include_secrets, now_unix())
    }

    /// Writes and returns the script that recreates the webhook subscriptions.
    pub async fn handoff_script(
        &self,
        id: &ProfileId,
        choice: ChoiceForm,
    ) -> Result<Script, Error> {
        let handoff = self.handoff(id, choice).await?;
        saved::script_to_default_dir(self.connections()?, &handoff)
    }

    /// Delivers the hand-off to the product's API, or says where it would go and what it would
    /// carry and asks first. A token given here is kept in the keyring for that host.
    pub async fn handoff_post(
        &self,
        id: &ProfileId,
        choice: ChoiceForm,
        token: Option<SecretString>,
        trusted_ca_pem: Option<String>,
        consent: Option<ConsentForm>,
    ) -> Result<Delivered, Error> {
        let handoff = self.handoff(id, choice).await?;
        let options = PostOptions {
            trusted_ca_pem: given(trusted_ca_pem),
            ..PostOptions::default()
        };
        let consent = consent.unwrap_or_default().into();
        saved::deliver(self.connections()?, &handoff, token, &consent, &options).await
    }

    /// The organizations the signed-in user belongs to (the connection's own marked current).
    pub async fn list_organizations(
        &self,
        id: &ProfileId,
    ) -> Result<Vec<OrganizationChoice>, Error> {
        let settings = self.settings()?;
        organizations_of(self.connections()?, &settings, id).await
    }

    /// What "Create the tokens for me" will create, before it does.
    pub fn mint_plan(&self, id: &ProfileId, lifetime_days: Option<u32>) -> Result<MintPlan, Error> {
        let saved = self.connections()?.saved(id)?;
        let scope = saved.target.scope_name();
        Ok(mint::plan_mint(
            &self.product()?,
            scope,
            lifetime_days,
            now_unix(),
        ))
    }

    /// Creates the product's PATs, or renews one connector's; `send` gets each check. When
    /// Microsoft wants the tokens API's permission allowed first (or the sign-in renewed), the
    /// browser sign-in asking for exactly that runs (`open` opens or shows its address) and
    /// minting goes on once it is done.
    pub async fn mint_tokens(
        &self,
        form: MintForm,
        open: impl FnOnce(&url::Url),
        send: &(dyn Fn(&ProductEvent<'_>) + Sync),
    ) -> Result<MintAnswer, Error> {
        let request = MintRequest {
            profile: self.product()?,
            connection_id: form.profile_id,
            project: given(form.project),
            repository: given(form.repository),
            lifetime_days: form.lifetime_days,
            fit_lifetime: form.fit_lifetime,
        };
        let connector = form.connector.as_deref();
        let mut result = self.mint_or_renew(request.clone(), connector, send).await?;
        if wants_consent(&result) {
            result = match self.consent(&request.connection_id, open).await? {
                Ok(()) => self.mint_or_renew(request, connector, send).await?,
                Err(refusal) => Err(refusal),
            };
        }
        Ok(match result {
            Ok(report) => MintAnswer::Minted {
                report: Box::new(report),
            },
            Err(refusal) => MintAnswer::Refused { refusal },
        })
    }

    /// Mints the product's PATs, or renews `connector`'s.
    pub(super) async fn mint_or_renew(
        &self,
        request: MintRequest,
        connector: Option<&str>,
        send: &(dyn Fn(&ProductEvent<'_>) + Sync),
    ) -> Result<Result<MintReport, MintRefusal>, Error> {
        let (connections, settings) = (self.connections()?, self.settings()?);
        Ok(match connector {
            Some(c) => {
                mint::renew_token(connections, &settings, request, c, now_unix(), send).await
            }
            None => mint::mint_tokens(connections, &settings, request, now_unix(), send).await,
        })
    }

    /// The browser sign-in that allows the tokens API's permission.
    async fn consent(
        &self,
        id: &ProfileId,
        open: impl FnOnce(&url::Url),
    ) -> Result<Result<(), MintRefusal>, Error> {
        let (connections, settings) = (self.connections()?, self.settings()?);
        let keep = |c| self.keep_cancel(c);
        let consented =
            consent::consent_with_browser(connections, &settings, id, open, keep, now_unix()).await;
        *self.sign_in.lock().expect("sign-in lock") = None;
        Ok(consented)
    }

    /// The PATs ADO Connect minted for the product on a connection, with their expiry.
    pub fn minted_tokens(&self, id: &ProfileId) -> Result<Vec<MintedPat>, Error> {
        mint::minted_tokens(self.connections()?, id, &self.product()?)
    }

    /// Forget's revocation: exactly the minted PATs. When Microsoft wants the tokens API's
    /// permission allowed first, the browser sign-in asking for it runs if `open` is given (the
    /// dialog shows no link: without a browser, the refusal is the answer) and the revocation
    /// goes on.
    pub async fn revoke_minted(
        &self,
        id: &ProfileId,
        open: Option<impl FnOnce(&url::Url)>,
    ) -> Result<RevokeAnswer, Error> {
        let profile = self.product()?;
        let settings = self.settings()?;
        let connections = self.connections()?;
        let mut result = mint::revoke_minted(connections, &settings, id, &profile).await;
        if let (true, Some(open)) = (wants_consent(&result), open) {
            result = match self.consent(id, open).await? {
                Ok(()) => mint::revoke_minted(connections, &settings, id, &profile).await,
                Err(refusal) => Err(refusal),
            };
        }
        Ok(match result {
            Ok(revoked) => RevokeAnswer::Revoked { revoked },
            Err(refusal) => RevokeAnswer::Refused { refusal },
        })
    }
}

fn hooks_request(form: ProductHooksForm) -> ProductHooksRequest {
    ProductHooksRequest {
        placeholders: HandoffChoice::from(form.choice).placeholders,
        projects: form.projects,
        repositories: Vec::new(),
        secret: form.secret,
    }
}
