//! The hand-off: a connection that passed the product's checks, delivered to the product.
//!
//! - [`open_handoff`]: the gate ([`super::gate::clear_saved`]), then [`Handoff::from_cleared`]:
//!   the connection's facts and the secrets the gate read (the connection's PAT or
//!   service-principal secret, each connector's PATs), and the webhook secret from the keyring.
//! - [`Handoff::panel`]: the "Paste into …" fields for this deployment and sign-in method, the
//!   product's guide where nothing is pasted, and what is still missing; secret values only for
//!   the field asked.
//! - [`Handoff::field_value`], [`Handoff::export_to`], [`super::post::post_handoff`]: refused
//!   while a required field is unknown ([`Handoff::require_complete`]); never an empty field.
//! - [`Handoff::reproduction_script`]: curl commands that recreate the webhook subscriptions, at
//!   the api-version the server accepts.

use std::collections::BTreeMap;
use std::path::Path;

use ado_client::Credential;
use ado_core::checks::{CheckCode, Problem};
use ado_core::product::handoff::{
    self as pure, CredentialFact, ExportDocument, HandoffFacts, HandoffPanel, MissingField, Reveal,
    SecretKey,
};
use ado_core::product::ProductProfile;
use ado_core::target::Field;
use ado_core::webhook::{HookAuth, HookSpec};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::gate::{clear_saved, Clear, Cleared, SavedCheck};
use super::product_token_name;
use crate::{AuthMethod, Connections, ProfileId};

/// What the user chose for the hand-off that the saved connection does not hold.
#[derive(Debug, Clone, Default)]
pub struct HandoffChoice {
    /// The project (Datafold's "Project").
    pub project: Option<String>,
    /// The repository.
    pub repository: Option<String>,
    /// Server: a public URL to use instead of the one the checks found.
    pub server_public_url: Option<String>,
    /// Completed placeholders (`dx_url`, `dx_connection_id`, `description`).
    pub placeholders: BTreeMap<String, String>,
}

/// A connection ready to hand over. Holds secrets in memory; `Debug` does not show them.
pub struct Handoff {
    /// The product.
    pub profile: ProductProfile,
    /// The facts.
    pub facts: HandoffFacts,
    /// The saved connection.
    pub connection_id: ProfileId,
    /// Server: the highest REST version it serves, when it said (for the script).
    pub server_api_version: Option<String>,
    /// When the product's checks passed (Unix seconds).
    pub checked_at: u64,
    /// The saved connection, as the gate read it (none for a hand-off built from facts).
    saved: Option<crate::Profile>,
    secrets: BTreeMap<SecretKey, SecretString>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("product", &self.profile.product.id)
            .field("facts", &self.facts)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Keeps the product API token the user pasted in the keyring (with the connection).
pub fn store_product_token(
    connections: &Connections,
    saved: &crate::Profile,
    product_id: &str,
    token: &SecretString,
) -> Result<(), crate::Error> {
    connections.put_extra_secret(saved, &product_token_name(product_id), token)?;
    Ok(())
}

/// The product API token kept for this connection, if any.
pub fn product_token(
    connections: &Connections,
    saved: &crate::Profile,
    product_id: &str,
) -> Result<Option<SecretString>, crate::Error> {
    Ok(connections.extra_secret(saved, &product_token_name(product_id))?)
}

/// The hand-off of a saved connection, through the gate: refused (with the failing checks) unless
/// the connection passed the product's checks for these credentials and this choice.
pub async fn open_handoff(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    profile: ProductProfile,
    connection_id: &ProfileId,
    choice: HandoffChoice,
    now_unix: u64,
) -> Result<Handoff, crate::Error> {
    let cleared = clear_saved(
        connections,
        settings,
        SavedCheck {
            profile,
            connection_id: connection_id.clone(),
            project: choice.project.clone(),
            repository: choice.repository.clone(),
            pats: Vec::new(),
        },
        Clear::IfStale,
        now_unix,
        &|_| {},
    )
    .await?
    .cleared()?;
    Handoff::from_cleared(connections, &cleared, choice)
}

impl Handoff {
    /// A hand-off from facts and secrets the caller holds (tests).
    pub fn new(profile: ProductProfile, facts: HandoffFacts) -> Handoff {
        Handoff {
            profile,
            facts,
            connection_id: ProfileId::from(String::new()),
            server_api_version: None,
            checked_at: 0,
            saved: None,
            secrets: BTreeMap::new(),
        }
    }

    /// Adds a secret.
    pub fn with_secret(mut self, key: SecretKey, value: SecretString) -> Handoff {
        if let SecretKey::Pat { connector, index } = &key {
            let fact = CredentialFact {
                connector: connector.clone(),
                index: *index,
            };
            if !self.facts.credentials.contains(&fact) {
                self.facts.credentials.push(fact);
            }
        }
        self.secrets.insert(key, value);
        self
    }

    /// The hand-off of a cleared connection: its target, the service principal's ids, and the
    /// secrets the gate read (the connection's own, the connector PATs it cleared); only the
    /// webhook secret is read from the keyring here. A PAT connection's own PAT serves every
    /// connector that has none of its own, unless the product wants a token per connector (DX).
    pub fn from_cleared(
        connections: &Connections,
        cleared: &Cleared,
        choice: HandoffChoice,
    ) -> Result<Handoff, crate::Error> {
        let saved = cleared.saved();
        let profile = cleared.profile().clone();
        let (tenant_id, client_id) = match &saved.auth {
            AuthMethod::ServicePrincipal {
                tenant, client_id, ..
            } => (Some(tenant.clone()), Some(client_id.clone())),
            _ => (None, None),
        };
        let facts = HandoffFacts {
            target: saved.target.clone(),
            method: cleared.method,
            server_public_url: choice
                .server_public_url
                .or(cleared.public_url().map(str::to_string)),
            project: cleared.project.clone(),
            repository: cleared.repository.clone(),
            repository_url: None,
            tenant_id,
            client_id,
            credentials: Vec::new(),
            placeholders: with_defaults(&profile, choice.placeholders),
        };
        let mut handoff = Handoff::new(profile, facts);
        handoff.connection_id = cleared.connection_id().clone();
        handoff.saved = Some(saved.clone());
        handoff.server_api_version = cleared.server_api_version().map(str::to_string);
        handoff.checked_at = cleared.passed_at();
        for pat in &cleared.pats {
            if let Credential::Pat(secret) = &pat.credential {
                let key = SecretKey::Pat {
                    connector: pat.connector.clone(),
                    index: pat.index,
                };
                handoff = handoff.with_secret(key, secret.clone());
            }
        }
        match (&saved.auth, &cleared.main_secret) {
            (AuthMethod::Pat { .. }, Some(pat))
                if handoff.facts.credentials.is_empty()
                    && !handoff.profile.pat_one_per_connector =>
            {
                let connectors: Vec<String> = handoff
                    .profile
                    .connectors
                    .iter()
                    .map(|c| c.id.clone())
                    .collect();
                for connector in connectors {
                    let key = SecretKey::Pat {
                        connector,
                        index: 0,
                    };
                    handoff = handoff.with_secret(key, pat.clone());
                }
            }
            (AuthMethod::ServicePrincipal { .. }, Some(secret)) => {
                handoff
                    .secrets
                    .insert(SecretKey::ClientSecret, secret.clone());
            }
            _ => {}
        }
        if handoff.profile.wizard_registers_hooks() {
            let name = super::product_hook_secret_name(&super::secrets_key(&handoff.profile));
            if let Some(secret) = connections.extra_secret(saved, &name)? {
                handoff.secrets.insert(SecretKey::WebhookSecret, secret);
            }
        }
        Ok(handoff)
    }

    /// The saved connection handed off (refused for a hand-off built from facts alone).
    pub(crate) fn saved(&self) -> Result<&crate::Profile, crate::Error> {
        self.saved
            .as_ref()
            .ok_or_else(|| crate::Error::unknown_connection(&self.connection_id))
    }

    fn lookup(&self) -> impl Fn(&SecretKey) -> Option<String> + '_ {
        |key| self.secrets.get(key).map(|s| s.expose_secret().to_string())
    }

    /// The panel; secrets only for the field `reveal` names (or all with [`Reveal::All`]).
    pub fn panel(&self, reveal: &Reveal) -> HandoffPanel {
        pure::panel(&self.profile, &self.facts, &self.lookup(), reveal)
    }

    /// Required fields whose value is not known yet.
    pub fn missing(&self) -> Vec<MissingField> {
        pure::missing_required(&self.profile, &self.facts, &|k| {
            self.secrets.contains_key(k)
        })
    }

    /// Refuses while a required field is unknown: each is named with where to give it.
    pub fn require_complete(&self) -> Result<(), crate::Error> {
        let missing = self.missing();
        if missing.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = missing.iter().map(|m| m.label.clone()).collect();
        Err(Problem::new(
            CheckCode::InvalidInput,
            Some(Field::Url),
            format!(
                "{} needs {} too, and it is not known yet.",
                self.profile.product.name,
                names.join(", ")
            ),
            "Give the missing values (the project and repository of the pasted URL or the pickers; the product's details in their fields; the CLI: --project, --repository, --set name=value, a connector's ADO_PAT_<CONNECTOR>), then hand over again.",
        ).into())
    }

    /// The value of one field, secret or not ("Reveal" and "Copy").
    pub fn field_value(&self, key: &str) -> Option<String> {
        self.panel(&Reveal::Field(key.to_string()))
            .fields
            .into_iter()
            .find(|f| f.key == key)
            .and_then(|f| f.value)
    }

    /// The export document.
    pub fn export(&self, include_secrets: bool, now_unix: u64) -> ExportDocument {
        pure::export(
            &self.profile,
            &self.facts,
            &self.lookup(),
            include_secrets,
            now_unix,
        )
    }

    /// Writes the export file: a new file created readable by the owner only (Unix), written,
    /// synced and renamed into place; a symbolic link at `path` is refused, never followed.
    pub fn export_to(
        &self,
        path: &Path,
        include_secrets: bool,
        now_unix: u64,
    ) -> Result<ExportDocument, crate::Error> {
        self.require_complete()?;
        let doc = self.export(include_secrets, now_unix);
        let json = serde_json::to_vec_pretty(&doc).expect("an export serializes");
        write_private(path, &json)?;
        Ok(doc)
    }

    /// The script that recreates `specs` (from the records of the applied webhooks), at the
    /// api-version this server accepts.
    pub fn reproduction_script(&self, specs: &[(HookSpec, ado_core::ids::ProjectId)]) -> String {
        pure::reproduction_script(
            &self.profile,
            &self.facts.target,
            specs,
            pure::hooks_api_version(self.server_api_version.as_deref()),
        )
    }

    /// The POST requests the profile asks for: (what it is for, URL, body). Secrets are in the
    /// bodies: never log them.
    pub(super) fn post_requests(
        &self,
    ) -> Result<Vec<(String, String, serde_json::Value)>, crate::Error> {
        let Some(post) = &self.profile.handoff.post else {
            return Err(Problem::new(
                CheckCode::InvalidInput,
                None,
                format!("{} has no API to deliver to.", self.profile.product.name),
                "Use the paste panel or the export file.",
            )
            .into());
        };
        self.require_complete()?;
        let lookup = self.lookup();
        let missing = |m: pure::MissingValue| {
            Problem::new(
                CheckCode::InvalidInput,
                None,
                format!(
                    "The POST to {} needs {}: {m}.",
                    self.profile.product.name,
                    self.profile
                        .placeholder(&m.0)
                        .map(|p| p.label.as_str())
                        .unwrap_or(&m.0)
                ),
                "Fill in the missing value (or give the connector's PAT) and try again.",
            )
        };
        let url = pure::render(&post.url, &|n| {
            pure::template_value(n, &self.profile, &self.facts, None, &lookup)
        })
        .map_err(missing)?;
        if !url.starts_with("https://") {
            return Err(Problem::new(
                CheckCode::HttpInsecure,
                None,
                format!("The product API URL {url} is not https://: the token would travel in the clear."),
                "Use the product's https:// API address.",
            ).into());
        }
        let credentials: Vec<Option<&CredentialFact>> = if post.per_credential {
            self.facts.credentials.iter().map(Some).collect()
        } else {
            vec![self.facts.credentials.first()]
        };
        let mut out = Vec::new();
        for c in credentials {
            let body = pure::render_json(&post.body, &self.profile, &|n| {
                pure::template_value(n, &self.profile, &self.facts, c, &lookup)
            })
            .map_err(|e| match e {
                pure::RenderError::Missing(m) => missing(m),
                other => Problem::new(
                    CheckCode::InvalidInput,
                    None,
                    format!(
                        "The POST to {} cannot be made: {other}.",
                        self.profile.product.name
                    ),
                    "Correct the value (a whole number) and try again.",
                ),
            })?;
            let what = c
                .map(|c| format!("{}#{}", c.connector, c.index))
                .unwrap_or_else(|| "connection".into());
            out.push((what, url.clone(), body));
        }
        Ok(out)
    }
}

/// Writes `bytes` to a new file readable by the owner only, synced, then renamed over `path`.
/// A symbolic link at `path` is refused: an export with secrets must not land where a link
/// points, nor in a file someone else could already read.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), crate::Error> {
    let problem = |detail: String| {
        Problem::new(
            CheckCode::InvalidInput,
            None,
            format!("Could not write {}: {detail}", path.display()),
            "Choose a writable path in a folder of yours (not a symbolic link).",
        )
    };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(
            problem("it is a symbolic link, which ADO Connect does not follow".into()).into(),
        );
    }
    Ok(crate::store::file::replace(path, bytes).map_err(|e| problem(e.to_string()))?)
}

fn with_defaults(
    profile: &ProductProfile,
    mut given: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    given.retain(|_, v| !v.trim().is_empty());
    for p in &profile.placeholders {
        if let (false, Some(d)) = (given.contains_key(&p.name), &p.default) {
            given.insert(p.name.clone(), d.clone());
        }
    }
    given
}

/// Hook specs with their project ids, from what the hooks flows recorded for the connection
/// (what the reproduction script recreates).
pub fn recorded_specs(
    connections: &Connections,
    id: &ProfileId,
) -> Result<Vec<(HookSpec, ado_core::ids::ProjectId)>, crate::Error> {
    let saved = connections.saved(id)?;
    Ok(saved
        .hooks
        .iter()
        .filter(|h| matches!(h.spec.auth, HookAuth::SecretHeader { .. }))
        .map(|h| (h.spec.clone(), h.spec.project_id.clone()))
        .collect())
}

/// What the panel view holds besides the fields: the ways to deliver this product has.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deliveries {
    /// The product has an API to send to.
    pub post: bool,
    /// The label of its API token ("DX API token").
    pub token_label: Option<String>,
    /// The wizard registered webhooks the script can recreate.
    pub script: bool,
    /// Something to paste (else the product's guide is all there is).
    pub fields: bool,
}

impl Handoff {
    /// The ways to deliver this hand-off.
    pub fn deliveries(&self) -> Deliveries {
        let post = self.profile.handoff.post.as_ref();
        Deliveries {
            post: post.is_some(),
            token_label: post.map(|p| p.token_label.clone()),
            script: self.profile.wizard_registers_hooks(),
            fields: !self
                .profile
                .fields_for(self.facts.target.deployment(), self.facts.method)
                .is_empty(),
        }
    }
}
