//! The action layer: one method of [`App`] per thing a user of the app does (verify, sign in,
//! check, plan and apply webhooks, rename, forget, a product's checks, the hand-off, minting …),
//! taking the screens' typed forms and returning `Result<T, Error>`. The Tauri commands are
//! adapters of a few lines over these (deserialize, call, hand back); the browser and the
//! streaming channels are the shell's, given here as closures.
//!
//! The CLI's subcommands are adapters over the same actions: it reads its flags, the
//! environment and stdin into typed values (secrets too, never from argv), calls one action and
//! prints the answer. What only a headless run asks for lives beside them: a connection named
//! by its target, verified and saved on first use (`headless`), a product's hand-off and
//! webhooks for such a connection in one go (`handoff`), minting from flags (`mint`), and the
//! demo webhook receiver's rules ([`receiver`]).
//!
//! [`App`] also holds what lives between two actions of one run: the connection store (found
//! once, off the first frame's path), the last preflight report, the webhook plan awaiting Apply,
//! the verified connection's catalog, the sign-in under way and the product profile.

mod forms;
mod handoff;
mod headless;
mod hooks;
mod mint;
mod product;
pub mod receiver;

use std::sync::{Arc, Mutex, OnceLock};

use ado_auth::{CancellationToken, SignInSettings};
use ado_core::capabilities::{access_plan, AccessPlan, Capability};
use ado_core::preflight::Check;
use ado_core::target::ConnectionTarget;
use ado_core::webhook::EventKind;
use serde::Serialize;

pub use forms::{
    ChecksForm, ChoiceForm, ConnectForm, ConsentForm, MintForm, PatForm, ProductCheckForm,
    ProductHooksForm, RulesForm, ServicePrincipalForm, ServicesForm,
};
pub use handoff::{HandedOff, HandoffRequest, PostRequest, ProductConnection, ProductHooksDone};
pub use headless::{
    connector_pats, placeholders, CheckForm, CheckPlace, Forget, LoggedOut, LoginForm, LoginMethod,
    SavedConnection, VerifyAnswer, VerifyForm,
};
pub use hooks::{AppliedHooks, HookView, HooksApplied, HooksOverview, RecordedHooks};
pub use mint::{MintAction, MintDone, MintRun, ShownToken};
pub use product::{MintAnswer, ProductInfo, RevokeAnswer};

use crate::catalog::{Catalog, Page, SearchScope};
use crate::clock::now_unix;
use crate::home::{ConnectionCard, Opened};
use crate::hooks::{ForgetReport, HookPlan, HooksOnForget};
use crate::preflight::PreflightReport;
use crate::product::{LoadError, LoadedProfile};
use crate::resolve::Understood;
use crate::sandbox::Sandbox;
use crate::signin::DeviceCodePrompt;
use crate::tls::PresentedChain;
use crate::{ConnectOptions, Connected, Connections, Error, Missing, Profile, ProfileId};

/// The last preflight report, kept for "Save report".
type LastReport = (ProfileId, ConnectionTarget, PreflightReport);

/// The app's actions and what they keep between them.
pub struct App {
    store: OnceLock<Result<Connections, Error>>,
    sandbox: OnceLock<Option<Result<Sandbox, String>>>,
    last_report: Mutex<Option<LastReport>>,
    sign_in: Mutex<Option<CancellationToken>>,
    hook_plan: Mutex<Option<(ProfileId, HookPlan)>>,
    catalog: Mutex<Option<(ProfileId, Arc<Catalog>)>>,
    product: Mutex<Option<Result<LoadedProfile, LoadError>>>,
}

/// What the first screen needs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    version: &'static str,
    sandbox: Option<Sandbox>,
    sandbox_error: Option<String>,
    secret_store: Option<&'static str>,
    secret_store_error: Option<String>,
    /// The saved connections, most recently verified first: the home.
    connections: Vec<ConnectionCard>,
    /// The webhook events the app offers, with their labels.
    events: Vec<EventOption>,
}

/// A webhook event as the UI lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventOption {
    /// The `eventType`, e.g. `git.push`.
    value: &'static str,
    /// How people call it.
    label: &'static str,
    /// True for Git events (they take a repository and branch).
    git: bool,
}

impl App {
    /// An app opened with `product` (the profile named at start, or none); nothing is probed yet
    /// (see [`App::warm`]).
    pub fn new(product: Option<Result<LoadedProfile, LoadError>>) -> App {
        App {
            store: OnceLock::new(),
            sandbox: OnceLock::new(),
            last_report: Mutex::new(None),
            sign_in: Mutex::new(None),
            hook_plan: Mutex::new(None),
            catalog: Mutex::new(None),
            product: Mutex::new(product),
        }
    }

    /// Finds the secret store and reads the sandbox file, once: the keyring probe is a D-Bus round
    /// trip the first paint must not wait for, so the shell calls this on a thread as the window
    /// opens; the first action that needs the store waits for that one probe, never a second.
    pub fn warm(&self) {
        self.store();
        self.sandbox();
    }

    fn store(&self) -> &Result<Connections, Error> {
        self.store.get_or_init(|| {
            let started = std::time::Instant::now();
            let store = Connections::open_default();
            tracing::debug!(
                ms = started.elapsed().as_millis() as u64,
                "secret store probed"
            );
            store
        })
    }

    /// The connection store (saved connections, their secrets, the webhook journals), or
    /// `secret_store` when there is no keyring.
    pub fn connections(&self) -> Result<&Connections, Error> {
        self.store().as_ref().map_err(Clone::clone)
    }

    fn sandbox(&self) -> Option<Result<Sandbox, String>> {
        self.sandbox.get_or_init(crate::sandbox::from_env).clone()
    }

    fn settings(&self) -> Result<SignInSettings, Error> {
        Ok(crate::signin::settings()?)
    }

    /// What the first screen needs: the home's cards, the sandbox, the secret store, the events.
    pub fn app_info(&self, version: &'static str) -> AppInfo {
        let store = self.store().as_ref();
        let connections = store
            .ok()
            .and_then(|c| crate::home::cards(c, now_unix()).ok())
            .unwrap_or_default();
        let sandbox = self.sandbox();
        AppInfo {
            version,
            sandbox: sandbox.clone().and_then(Result::ok),
            sandbox_error: sandbox.and_then(Result::err),
            secret_store: store.ok().map(|c| c.secret_backend().description()),
            secret_store_error: store.err().map(|e| e.message.clone()),
            connections,
            events: EventKind::ALL
                .into_iter()
                .map(|e| EventOption {
                    value: e.event_type(),
                    label: e.label(),
                    git: e.is_git(),
                })
                .collect(),
        }
    }

    /// Understands a pasted URL; an ambiguous server path is settled by probing its candidates.
    pub async fn parse_url(&self, input: &str) -> Result<Understood, Error> {
        Ok(crate::resolve::understand_url_or_problem(input, &ConnectOptions::default()).await?)
    }

    /// The certificate chain a server presents, for "Trust this CA for this connection".
    pub async fn inspect_certificate(&self, url: &str) -> Result<PresentedChain, Error> {
        Ok(crate::tls::inspect_certificate(url).await?)
    }

    /// When `url` (https) failed: the `http://` URL on the same port, if plain HTTP answers there.
    pub async fn http_alternative(&self, url: &str, proxy: Option<String>) -> Option<String> {
        let options = ConnectOptions {
            proxy: forms::given(proxy),
            ..Default::default()
        };
        crate::hints::http_answers_instead(url, &options)
            .await
            .map(String::from)
    }

    /// The least access a set of capabilities needs: the scope table.
    pub fn access_plan(&self, capabilities: &[Capability]) -> AccessPlan {
        access_plan(capabilities)
    }

    /// Verify with a PAT, then save: nothing is saved unless it verifies.
    pub async fn connect_with_pat(&self, form: ConnectForm) -> Result<Opened, Error> {
        let connected =
            crate::connect_with_pat(self.connections()?, form.into(), now_unix()).await?;
        Ok(self.opened(&connected))
    }

    /// "Sign in with Microsoft" in the system browser; `open` opens (or shows) the address.
    pub async fn sign_in_browser(
        &self,
        form: ServicesForm,
        open: impl FnOnce(&url::Url),
    ) -> Result<Opened, Error> {
        let target = crate::signin::services_target(&form.organization, &form.services_url)?;
        let signed_in = crate::signin::sign_in_with_browser(
            self.connections()?,
            &target,
            &self.settings()?,
            &form.options(),
            open,
            |c| self.keep_cancel(c),
            now_unix(),
        )
        .await;
        self.signed_in(signed_in)
    }

    /// Device code: `show` gets the code and the address; polls until approved or cancelled.
    pub async fn sign_in_device(
        &self,
        form: ServicesForm,
        show: impl FnOnce(DeviceCodePrompt),
    ) -> Result<Opened, Error> {
        let target = crate::signin::services_target(&form.organization, &form.services_url)?;
        let signed_in = crate::signin::sign_in_with_device_code(
            self.connections()?,
            &target,
            &self.settings()?,
            &form.options(),
            show,
            |c| self.keep_cancel(c),
            now_unix(),
        )
        .await;
        self.signed_in(signed_in)
    }

    /// Signs in as a service principal.
    pub async fn sign_in_service_principal(
        &self,
        form: ServicePrincipalForm,
    ) -> Result<Opened, Error> {
        let services = &form.services;
        let target =
            crate::signin::services_target(&services.organization, &services.services_url)?;
        let connected = crate::signin::sign_in_as_service_principal(
            self.connections()?,
            &target,
            &self.settings()?,
            crate::signin::ServicePrincipalLogin {
                tenant: &form.tenant,
                client_id: &form.client_id,
                secret: &form.client_secret,
            },
            &services.options(),
            now_unix(),
        )
        .await?;
        Ok(self.opened(&connected))
    }

    /// Cancels the browser or device-code sign-in under way; false if there was none.
    pub fn cancel_sign_in(&self) -> bool {
        let token = self.sign_in.lock().expect("sign-in lock").take();
        token.map(|t| t.cancel()).is_some()
    }

    fn keep_cancel(&self, token: CancellationToken) {
        *self.sign_in.lock().expect("sign-in lock") = Some(token);
    }

    /// Ends an interactive sign-in, whatever its outcome: its cancel token goes, then the
    /// connection it made opens.
    fn signed_in(&self, result: Result<Connected, crate::ConnectError>) -> Result<Opened, Error> {
        *self.sign_in.lock().expect("sign-in lock") = None;
        Ok(self.opened(&result?))
    }

    /// What the result step shows of a verified connection; its catalog stays for search.
    fn opened(&self, connected: &Connected) -> Opened {
        let (opened, catalog) = crate::home::open(connected, now_unix());
        *self.catalog.lock().expect("catalog lock") =
            Some((connected.profile.id.clone(), Arc::new(catalog)));
        opened
    }

    fn catalog(&self, profile_id: &str) -> Option<Arc<Catalog>> {
        let kept = self.catalog.lock().expect("catalog lock");
        kept.as_ref()
            .filter(|(id, _)| id == profile_id)
            .map(|(_, c)| c.clone())
    }

    /// One page of the connection's projects and repositories matching `query`.
    pub fn search_catalog(
        &self,
        profile_id: &ProfileId,
        scope: &SearchScope,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Page, Error> {
        let catalog = self
            .catalog(profile_id)
            .ok_or_else(|| Error::nothing_yet(Missing::Catalog))?;
        Ok(catalog.search(scope, query, offset, limit))
    }

    /// The saved connections.
    pub fn list_connections(&self) -> Result<Vec<Profile>, Error> {
        Ok(self.connections()?.list()?)
    }

    /// The home: the saved connections as cards, most recently verified first.
    pub fn connection_cards(&self) -> Result<Vec<ConnectionCard>, Error> {
        crate::home::cards(self.connections()?, now_unix())
    }

    /// Verifies a saved connection again with its stored secret: nothing to type.
    pub async fn reverify_connection(&self, id: &ProfileId) -> Result<Opened, Error> {
        let settings = self.settings()?;
        let connected =
            crate::home::reverify(self.connections()?, id, &settings, now_unix()).await?;
        Ok(self.opened(&connected))
    }

    /// Names a connection (blank: the name made from its address).
    pub fn rename_connection(&self, id: &ProfileId, name: &str) -> Result<ConnectionCard, Error> {
        let profile = crate::home::rename(self.connections()?, id, name)?;
        Ok(crate::home::card(&profile, now_unix()))
    }

    /// Forgets a connection; its webhooks are removed first unless the user chose to keep them.
    pub async fn forget_connection(
        &self,
        id: &ProfileId,
        hooks: HooksOnForget,
    ) -> Result<ForgetReport, Error> {
        let settings = self.settings()?;
        let forgotten =
            crate::hooks::forget_connection(self.connections()?, id, &settings, hooks).await?;
        let mut kept = self.catalog.lock().expect("catalog lock");
        if kept.as_ref().is_some_and(|(kept_id, _)| kept_id == id) {
            *kept = None;
        }
        Ok(forgotten)
    }

    /// Runs every preflight check for a saved connection; each settles into `on_check`, and the
    /// whole report is returned (and kept for "Save report").
    pub async fn run_checks(
        &self,
        form: ChecksForm,
        on_check: &(dyn Fn(&Check) + Sync),
    ) -> Result<PreflightReport, Error> {
        let request = crate::preflight::request_for_profile(
            self.connections()?,
            &form.profile_id,
            form.capabilities,
            form.project,
            form.consent_to_http,
        )
        .await?;
        let report = crate::preflight::run_preflight(&request, on_check).await;
        *self.last_report.lock().expect("report lock") =
            Some((form.profile_id, request.target, report.clone()));
        Ok(report)
    }

    /// Saves the last report as Markdown and JSON; returns the two paths.
    pub fn save_report(&self) -> Result<Vec<String>, Error> {
        let kept = self.last_report.lock().expect("report lock").clone();
        let (name, target, report) = kept.ok_or_else(|| Error::nothing_yet(Missing::Report))?;
        crate::preflight::save_report_to_default_dir(&name, &target, &report, now_unix())
    }
}
