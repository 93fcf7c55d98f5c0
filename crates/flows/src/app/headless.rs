//! The actions of a headless shell (the CLI): the same things a user does in the app, taken as
//! typed values a shell read from its flags, the environment and stdin (secrets already read,
//! never from argv), answered as the app's actions answer: `Result<T, Error>`.
//!
//! What is decided here and not in a shell: which saved connection a target names, verify or
//! reuse it, which sign-in a login runs, what a logout forgets and when webhooks need a choice,
//! how a pasted URL becomes the target a check runs on, and the names of the environment
//! variables a connector's own PATs come from.

use std::collections::BTreeMap;

use ado_client::Credential;
use ado_core::capabilities::Capability;
use ado_core::checks::{CheckCode, Problem};
use ado_core::preflight::{Check, Status};
use ado_core::product::{ProductProfile, SignInMethod};
use ado_core::repo_url::RepoUrl;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use secrecy::SecretString;
use serde::Serialize;

use super::App;
use crate::clock::now_unix;
use crate::hooks::{ForgetReport, HooksOnForget};
use crate::preflight::{PreflightReport, PreflightRequest};
use crate::product::gate::ConnectorPat;
use crate::product::mint::consent;
use crate::product::saved::rules_for_target;
use crate::product::{
    check_product, credentials_to_check, ProductCheckRequest, ProductCredential, ProductEvent,
    ProductReport,
};
use crate::signin::{self, DeviceCodePrompt, ServicePrincipalLogin};
use crate::{ConnectOptions, Connected, Error, Pat, ProfileId, Verified};

/// A `NAME=VALUE` list (`--set`) as the values a profile asks for.
pub fn placeholders(pairs: &[String]) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(invalid(
                format!("--set {pair:?} is not NAME=VALUE"),
                "Write e.g. --set dx_url=https://acme.getdx.net",
            ));
        };
        out.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(out)
}

/// The most credentials one connector takes from the environment.
const MAX_PER_CONNECTOR: usize = 16;

/// The connectors' own PATs, from `ADO_PAT_<CONNECTOR>` and `ADO_PAT_<CONNECTOR>_<n>` for the
/// n-th (n ≥ 2), e.g. `ADO_PAT_BOARDS`, `ADO_PAT_BOARDS_2`; `env` reads a variable (a blank one
/// is absent), and `expires_on` is the date given for them.
pub fn connector_pats(
    profile: &ProductProfile,
    expires_on: Option<&str>,
    env: impl Fn(&str) -> Option<SecretString>,
) -> Vec<ConnectorPat> {
    let mut out = Vec::new();
    for c in &profile.connectors {
        let var = format!("ADO_PAT_{}", c.id.to_ascii_uppercase().replace('-', "_"));
        for index in 0..MAX_PER_CONNECTOR {
            let name = match index {
                0 => var.clone(),
                _ => format!("{var}_{}", index + 1),
            };
            match env(&name) {
                Some(pat) => out.push(ConnectorPat {
                    connector: c.id.clone(),
                    index,
                    pat,
                    expires_on: expires_on.map(str::to_string),
                }),
                None => break,
            }
        }
    }
    out
}

/// `invalid_input`, in the words given.
pub(super) fn invalid(message: String, fix: &str) -> Error {
    Problem::new(CheckCode::InvalidInput, None, message, fix).into()
}

/// The connection a command works on, once it is saved.
#[derive(Debug, Clone)]
pub struct SavedConnection {
    /// Its id.
    pub id: ProfileId,
    /// Saved by this command (verified now, its PAT in the keyring): where the secret went.
    pub saved_now: Option<&'static str>,
}

/// `verify`: check a PAT against a target, and save the connection when asked.
pub struct VerifyForm {
    /// Where.
    pub target: ConnectionTarget,
    /// How to reach it.
    pub options: ConnectOptions,
    /// The token.
    pub pat: Pat,
    /// Save the connection when it verifies.
    pub save: bool,
    /// With `save`: the PAT's expiry date (validated), for reminders.
    pub expires_on: Option<String>,
}

/// What `verify` answered: the saved connection, or what the server said.
#[derive(Serialize)]
#[serde(untagged)]
pub enum VerifyAnswer {
    /// Verified and saved.
    Saved(Box<Connected>),
    /// Verified only.
    Verified(Box<Verified>),
}

/// Where a check runs: the target flags, or any Azure DevOps URL.
pub enum CheckPlace {
    /// The target as the flags fill it.
    Target(TargetInput),
    /// A pasted URL (repository, project, organization, clone URL).
    Url(RepoUrl),
}

/// `check`: the preflight checklist for a credential, before anything is saved.
pub struct CheckForm {
    /// Where.
    pub place: CheckPlace,
    /// A project to probe in (wins over the URL's).
    pub project: Option<String>,
    /// A PAT, or an OAuth access token.
    pub credential: Credential,
    /// What the connection is for.
    pub capabilities: Vec<Capability>,
    /// How to reach it.
    pub options: ConnectOptions,
    /// The trusted CA's file, for curl reproductions.
    pub ca_file_hint: Option<String>,
}

/// How `login` signs in.
pub enum LoginMethod {
    /// In the system browser; `allow_minting` asks for the tokens API's permission too.
    Browser {
        /// Ask for the permission `mint` needs.
        allow_minting: bool,
    },
    /// With a device code; `allow_minting` as for the browser.
    DeviceCode {
        /// Ask for the permission `mint` needs.
        allow_minting: bool,
    },
    /// As a service principal.
    ServicePrincipal {
        /// Its tenant.
        tenant: String,
        /// Its application (client) id.
        client_id: String,
        /// Its secret.
        secret: SecretString,
    },
}

/// `login`: a Microsoft sign-in on Azure DevOps Services, saved.
pub struct LoginForm {
    /// The organization.
    pub organization: String,
    /// The Services host (sandboxes), blank for the default.
    pub services_url: String,
    /// An explicit proxy.
    pub proxy: Option<String>,
    /// How.
    pub method: LoginMethod,
}

/// Which saved connections `logout` forgets.
pub enum Forget {
    /// This one (an unknown id is `not_found`).
    One(ProfileId),
    /// Every saved connection.
    All,
}

/// What `logout` did.
#[derive(Serialize)]
pub struct LoggedOut {
    /// The connections forgotten.
    pub removed: Vec<ProfileId>,
    /// What happened to each one's webhooks.
    pub hooks: Vec<ForgetReport>,
}

impl App {
    /// The saved connection to `target` (`not_found` when there is none).
    pub fn saved_connection(&self, target: &ConnectionTarget) -> Result<ProfileId, Error> {
        let id = crate::profiles::profile_id(target);
        Ok(self.connections()?.saved(&id)?.id)
    }

    /// The saved connection to `target`; on first use the PAT `pat` gives is verified and the
    /// connection saved with `options`, as Verify does (nothing is saved unless it verifies).
    pub async fn connection_for(
        &self,
        target: &ConnectionTarget,
        options: &ConnectOptions,
        expires_on: Option<String>,
        pat: impl FnOnce() -> Result<Pat, Error>,
    ) -> Result<SavedConnection, Error> {
        let connections = self.connections()?;
        let (saved, now) = crate::connect::saved_or_verified(
            connections,
            target,
            options,
            expires_on,
            pat,
            now_unix(),
        )
        .await?;
        Ok(SavedConnection {
            id: saved.id,
            saved_now: now.then(|| connections.secret_backend().description()),
        })
    }

    /// Verifies a PAT, and saves the connection when asked (nothing is saved unless it verifies).
    pub async fn verify_pat(&self, form: VerifyForm) -> Result<VerifyAnswer, Error> {
        let VerifyForm {
            target,
            options,
            pat,
            save,
            expires_on,
        } = form;
        if !save {
            let verified = crate::verify_connection(&target, pat.credential(), &options).await?;
            return Ok(VerifyAnswer::Verified(Box::new(verified)));
        }
        let connected = crate::verify_and_save_pat(
            self.connections()?,
            &target,
            &pat,
            expires_on,
            &options,
            now_unix(),
        )
        .await?;
        Ok(VerifyAnswer::Saved(Box::new(connected)))
    }

    /// What a check runs on: the target of the flags, or of a pasted URL (an ambiguous server
    /// path settled by probing its candidates with the credential); the project named wins over
    /// the URL's.
    pub async fn preflight_request(&self, form: CheckForm) -> Result<PreflightRequest, Error> {
        let (input, project, repository) = match form.place {
            CheckPlace::Target(input) => (input, None, None),
            CheckPlace::Url(parsed) => {
                let parsed = match parsed.is_ambiguous() {
                    true => crate::resolve::resolve_candidates(
                        &parsed,
                        form.credential.clone(),
                        &form.options,
                    )
                    .await
                    .resolved(&parsed)
                    .unwrap_or(parsed),
                    false => parsed,
                };
                (
                    target_of(&parsed),
                    parsed.project().map(str::to_string),
                    parsed.repository().map(str::to_string),
                )
            }
        };
        Ok(PreflightRequest {
            target: input.validate().map_err(Error::input)?,
            credential: form.credential,
            capabilities: form.capabilities,
            project: form.project.or(project),
            repository,
            options: form.options,
            ca_file_hint: form.ca_file_hint,
        })
    }

    /// Runs every preflight check of `request`, each settling into `on_check`.
    pub async fn check(
        &self,
        request: &PreflightRequest,
        on_check: &(dyn Fn(&Check) + Sync),
    ) -> PreflightReport {
        crate::preflight::run_preflight(request, on_check).await
    }

    /// The product's restrictions and exactly its access, per connector, for a credential not
    /// saved yet: the connection's own serves every connector without its own PATs (`pats`),
    /// unless the product wants one per connector.
    pub async fn check_product_before_saving(
        &self,
        request: PreflightRequest,
        pats: Vec<ConnectorPat>,
        pat_expires: Option<String>,
        on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
    ) -> Result<ProductReport, Error> {
        let profile = self.product()?;
        let main = ProductCredential {
            connector: profile.connectors[0].id.clone(),
            index: 0,
            method: match &request.credential {
                Credential::Bearer(_) => SignInMethod::Browser,
                _ => SignInMethod::Pat,
            },
            credential: request.credential.clone(),
            expires_on: pat_expires,
        };
        let own = pats
            .into_iter()
            .map(|p| ProductCredential {
                connector: p.connector,
                index: p.index,
                credential: Credential::Pat(p.pat),
                method: SignInMethod::Pat,
                expires_on: p.expires_on,
            })
            .collect();
        let (credentials, hooks_credential) = credentials_to_check(&profile, main, own);
        let product_request = ProductCheckRequest {
            profile,
            target: request.target,
            consent_to_http: request.options.allow_http,
            options: request.options,
            project: request.project,
            repository: request.repository,
            credentials,
            hooks_credential,
        };
        Ok(check_product(&product_request, on_event).await)
    }

    /// Refuses, before anything is sent, what the product cannot use on this target (a Server
    /// for a Services-only product, a collection under a virtual directory, a sign-in it does
    /// not take, a PAT expiry date in the past); a saved connection is judged by how it was
    /// saved.
    pub fn refuse_early(
        &self,
        target: &ConnectionTarget,
        expires_on: Option<&str>,
    ) -> Result<(), Error> {
        let rules = rules_for_target(&self.product()?, self.connections()?, target, expires_on)?;
        match rules.restrictions.iter().find(|r| r.status == Status::Fail) {
            Some(refused) => Err(refused.to_problem().into()),
            None => Ok(()),
        }
    }

    /// Signs in as `form` says and saves the connection. `open` opens (or shows) the browser's
    /// address, `show` the device code.
    pub async fn log_in(
        &self,
        form: LoginForm,
        open: impl FnOnce(&url::Url),
        show: impl FnOnce(DeviceCodePrompt),
    ) -> Result<Connected, Error> {
        let connections = self.connections()?;
        let target = signin::services_target(&form.organization, &form.services_url)?;
        let settings = self.settings()?;
        let options = ConnectOptions {
            proxy: form.proxy,
            ..ConnectOptions::default()
        };
        let keep = |c| self.keep_cancel(c);
        let now = now_unix();
        let signed_in = match form.method {
            LoginMethod::ServicePrincipal {
                tenant,
                client_id,
                secret,
            } => {
                let login = ServicePrincipalLogin {
                    tenant: &tenant,
                    client_id: &client_id,
                    secret: &secret,
                };
                signin::sign_in_as_service_principal(
                    connections,
                    &target,
                    &settings,
                    login,
                    &options,
                    now,
                )
                .await
            }
            LoginMethod::DeviceCode {
                allow_minting: true,
            } => {
                consent::device_sign_in(connections, &target, &settings, &options, show, keep, now)
                    .await
            }
            LoginMethod::DeviceCode {
                allow_minting: false,
            } => {
                signin::sign_in_with_device_code(
                    connections,
                    &target,
                    &settings,
                    &options,
                    show,
                    keep,
                    now,
                )
                .await
            }
            LoginMethod::Browser {
                allow_minting: true,
            } => {
                // The account signed in before, so Microsoft does not ask which one again.
                let hint = connections
                    .get(&crate::profiles::profile_id(&target))
                    .ok()
                    .flatten()
                    .and_then(|p| p.user_account);
                consent::browser_sign_in(
                    connections,
                    &target,
                    &settings,
                    &options,
                    hint.as_deref(),
                    open,
                    keep,
                    now,
                )
                .await
            }
            LoginMethod::Browser {
                allow_minting: false,
            } => {
                signin::sign_in_with_browser(
                    connections,
                    &target,
                    &settings,
                    &options,
                    open,
                    keep,
                    now,
                )
                .await
            }
        };
        *self.sign_in.lock().expect("sign-in lock") = None;
        Ok(signed_in?)
    }

    /// Forgets saved connections and every secret they stored. Webhooks are never orphaned
    /// silently: a connection that has them needs `hooks` (remove or keep them), else nothing
    /// is forgotten and the answer says so.
    pub async fn log_out(
        &self,
        which: Forget,
        hooks: Option<HooksOnForget>,
    ) -> Result<LoggedOut, Error> {
        let connections = self.connections()?;
        let (ids, one) = match which {
            Forget::One(id) => (vec![id], true),
            Forget::All => (
                connections
                    .list()
                    .map(|l| l.into_iter().map(|p| p.id).collect())
                    .unwrap_or_default(),
                false,
            ),
        };
        if hooks.is_none() {
            for id in &ids {
                if crate::hooks::has_hooks(connections, id)? {
                    return Err(invalid(
                        format!("the connection {id} has webhooks registered: say what happens to them"),
                        "Run again with --remove-hooks (delete them first) or --keep-hooks (leave them delivering, untracked).",
                    ));
                }
            }
        }
        let mut out = LoggedOut {
            removed: Vec::new(),
            hooks: Vec::new(),
        };
        for id in ids {
            let report = self
                .forget_connection(&id, hooks.unwrap_or_default())
                .await?;
            if !report.forgotten && one {
                return Err(Error::unknown_connection(&id));
            }
            if report.forgotten {
                out.removed.push(id);
            }
            out.hooks.push(report);
        }
        Ok(out)
    }
}

/// The target a parsed URL names.
fn target_of(parsed: &RepoUrl) -> TargetInput {
    match parsed.deployment() {
        Deployment::Services => TargetInput {
            deployment: Some(Deployment::Services),
            organization: parsed.organization().unwrap_or_default().to_string(),
            ..Default::default()
        },
        Deployment::Server => TargetInput {
            deployment: Some(Deployment::Server),
            server_url: parsed.server_url().unwrap_or_default().to_string(),
            collection: parsed.collection().unwrap_or_default().to_string(),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_name_value_pairs() {
        let set = ["dx_url = https://a.invalid".to_string(), "x=".to_string()];
        let map = placeholders(&set).unwrap();
        assert_eq!(map["dx_url"], "https://a.invalid");
        assert_eq!(map["x"], "");
        let error = placeholders(&["nope".to_string()]).unwrap_err();
        assert!(error.code == CheckCode::InvalidInput && error.message.contains("\"nope\""));
    }

    #[test]
    fn connector_pats_come_from_their_variables_in_order_until_one_is_missing() {
        let dx = crate::product::load_profile(&ado_test_support::world::profile_path("dx"))
            .expect("the shipped DX profile loads")
            .profile;
        let env = |name: &str| {
            matches!(
                name,
                "ADO_PAT_BOARDS" | "ADO_PAT_BOARDS_2" | "ADO_PAT_BOARDS_4"
            )
            .then(|| SecretString::from(name.to_string()))
        };
        let pats = connector_pats(&dx, Some("2030-01-01"), env);
        let got: Vec<_> = pats
            .iter()
            .map(|p| (p.connector.as_str(), p.index, p.expires_on.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("boards", 0, Some("2030-01-01")),
                ("boards", 1, Some("2030-01-01"))
            ],
            "the 4th is not read after the 3rd is missing"
        );
    }
}
