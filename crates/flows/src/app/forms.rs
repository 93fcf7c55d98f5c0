//! What the app's screens send, as the actions take it: each form is deserialized by the shell
//! and turned into the flows' typed request here (blank fields are absent, secrets are
//! [`SecretString`] from the first byte), so a shell only passes it on.

use std::collections::BTreeMap;

use ado_core::capabilities::Capability;
use ado_core::product::SignInMethod;
use ado_core::target::TargetInput;
use secrecy::SecretString;
use serde::Deserialize;

use crate::product::delivery::Consent;
use crate::product::gate::ConnectorPat;
use crate::product::handoff::HandoffChoice;
use crate::{ConnectOptions, PatConnectRequest, ProfileId};

/// A text field as typed: blank is absent.
pub(crate) fn given(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The connect form (PAT).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectForm {
    target: TargetInput,
    pat: SecretString,
    expires_on: Option<String>,
    /// A CA the user chose to trust for this connection (PEM).
    trusted_ca_pem: Option<String>,
    /// An explicit proxy (`http://host:port`), if any.
    #[serde(default)]
    proxy: Option<String>,
    /// The user consented to plain http to a server on another machine.
    #[serde(default)]
    allow_http: bool,
}

impl From<ConnectForm> for PatConnectRequest {
    fn from(form: ConnectForm) -> Self {
        PatConnectRequest {
            target: form.target,
            pat: form.pat,
            expires_on: given(form.expires_on),
            trusted_ca_pem: given(form.trusted_ca_pem),
            proxy: form.proxy,
            allow_http: form.allow_http,
        }
    }
}

/// The Services sign-in form (no secret).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicesForm {
    pub(crate) organization: String,
    #[serde(default)]
    pub(crate) services_url: String,
    /// A CA (PEM) trusted for this connection, if any.
    #[serde(default)]
    trusted_ca_pem: Option<String>,
    /// An explicit proxy (`http://host:port`), if any.
    #[serde(default)]
    proxy: Option<String>,
}

impl ServicesForm {
    /// How to reach the organization and Entra.
    pub(crate) fn options(&self) -> ConnectOptions {
        ConnectOptions {
            trusted_ca_pem: given(self.trusted_ca_pem.clone()),
            proxy: self.proxy.clone(),
            ..ConnectOptions::default()
        }
    }
}

/// The service principal form. The secret is a secret from deserialization on.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipalForm {
    #[serde(flatten)]
    pub(crate) services: ServicesForm,
    pub(crate) tenant: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
}

/// What the checks step sends.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecksForm {
    pub(crate) profile_id: ProfileId,
    pub(crate) capabilities: Vec<Capability>,
    pub(crate) project: Option<String>,
    pub(crate) consent_to_http: bool,
}

/// What the product step sends to mint or renew.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MintForm {
    pub(crate) profile_id: ProfileId,
    #[serde(default)]
    pub(crate) project: Option<String>,
    #[serde(default)]
    pub(crate) repository: Option<String>,
    #[serde(default)]
    pub(crate) lifetime_days: Option<u32>,
    #[serde(default)]
    pub(crate) fit_lifetime: bool,
    /// Renew: the connector whose PAT is replaced.
    #[serde(default)]
    pub(crate) connector: Option<String>,
}

/// What the connect form holds so far, for the product's connect rules.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RulesForm {
    #[serde(default)]
    pub(crate) target: Option<TargetInput>,
    #[serde(default)]
    pub(crate) method: Option<SignInMethod>,
    #[serde(default)]
    pub(crate) expires_on: Option<String>,
}

/// A connector PAT from the product step.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatForm {
    connector: String,
    index: usize,
    pat: SecretString,
    #[serde(default)]
    expires_on: Option<String>,
}

impl From<PatForm> for ConnectorPat {
    fn from(p: PatForm) -> Self {
        ConnectorPat {
            connector: p.connector,
            index: p.index,
            pat: p.pat,
            expires_on: given(p.expires_on),
        }
    }
}

/// What the product step sends to run its checks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductCheckForm {
    pub(crate) profile_id: ProfileId,
    #[serde(default)]
    pub(crate) project: Option<String>,
    #[serde(default)]
    pub(crate) repository: Option<String>,
    #[serde(default)]
    pub(crate) pats: Vec<PatForm>,
}

/// What the product step sends for its webhooks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductHooksForm {
    pub(crate) profile_id: ProfileId,
    #[serde(default)]
    pub(crate) choice: ChoiceForm,
    /// Empty: every project the connection sees.
    #[serde(default)]
    pub(crate) projects: Vec<String>,
    /// The secret the product gave, for profiles whose product gives it.
    #[serde(default)]
    pub(crate) secret: Option<SecretString>,
}

/// The hand-off's choices: what the saved connection does not hold.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceForm {
    #[serde(default)]
    pub(crate) project: Option<String>,
    #[serde(default)]
    pub(crate) repository: Option<String>,
    #[serde(default)]
    public_url: Option<String>,
    #[serde(default)]
    placeholders: BTreeMap<String, String>,
}

impl From<ChoiceForm> for HandoffChoice {
    fn from(form: ChoiceForm) -> Self {
        HandoffChoice {
            project: given(form.project),
            repository: given(form.repository),
            server_public_url: given(form.public_url),
            placeholders: form
                .placeholders
                .into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .collect(),
        }
    }
}

/// What the user said about a delivery (after seeing where it goes and what it carries).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConsentForm {
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    allow_local: bool,
}

impl From<ConsentForm> for Consent {
    fn from(form: ConsentForm) -> Self {
        Consent {
            host: given(form.host),
            allow_local: form.allow_local,
        }
    }
}
