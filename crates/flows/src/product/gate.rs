//! The one gate between a saved connection and a product: every hand-off (panel, value, export,
//! POST, script) and every product webhook plan or apply needs a [`Cleared`], and only this
//! module makes one.
//!
//! A connection is cleared for a product when the product's checks ([`super::check_product`])
//! passed for exactly these credentials and choices. The pass is recorded in the keyring with
//! the connection (`product-cleared:{product}`: when, and a SHA-256 over the credentials and the
//! chosen project and repository), so the hand-off does not re-probe Azure DevOps on every
//! click; the checks run again when the record is older than [`CLEARANCE_TTL`], when a
//! credential or the choice changed, or when the caller asks ([`Clear::Always`]). A connection
//! that does not pass is refused with the failing checks and their fixes
//! ([`super::ProductReport::refusal`]).

use ado_client::Credential;
use ado_core::product::{ProductProfile, SignInMethod};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::check::{check_product, credentials_to_check, ProductCheckRequest, ProductCredential};
use super::{connector_secret_name, ProductEvent, ProductReport};
use crate::{AuthMethod, Connections, ProfileId};

/// How long a passed check clears a connection: a day.
pub const CLEARANCE_TTL_SECS: u64 = 24 * 60 * 60;
/// The same, as a name the docs use.
pub const CLEARANCE_TTL: std::time::Duration = std::time::Duration::from_secs(CLEARANCE_TTL_SECS);

/// A PAT the user gave for one of the product's connectors.
pub struct ConnectorPat {
    /// The connector id.
    pub connector: String,
    /// Which of its credentials (0-based).
    pub index: usize,
    /// The token.
    pub pat: SecretString,
    /// Its expiry date (`YYYY-MM-DD`), if given.
    pub expires_on: Option<String>,
}

/// What to check a saved connection for.
pub struct SavedCheck {
    /// The product.
    pub profile: ProductProfile,
    /// The saved connection.
    pub connection_id: ProfileId,
    /// The project the product gets (probes run there).
    pub project: Option<String>,
    /// The repository the product gets.
    pub repository: Option<String>,
    /// Connector PATs given now; none: those kept for this product (if any).
    pub pats: Vec<ConnectorPat>,
}

/// Whether to trust a recorded pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clear {
    /// Run the checks (the product step's "Check access").
    Always,
    /// Use a pass recorded for the same credentials and choice within a day; else run them.
    IfStale,
}

/// Proof that a connection passed a product's checks. Only [`clear_saved`] makes one. It carries
/// what the gate read to decide, so the hand-off reads none of it again: the saved connection,
/// its own secret, and the connector PATs the checks ran with. `Debug` shows no secret.
#[derive(Clone)]
pub struct Cleared {
    pub(super) profile: ProductProfile,
    pub(super) connection_id: ProfileId,
    pub(super) method: SignInMethod,
    pub(super) project: Option<String>,
    pub(super) repository: Option<String>,
    pub(super) record: Clearance,
    /// The saved connection, as the gate opened it.
    pub(super) saved: crate::Profile,
    /// Its PAT or service-principal secret (none for a Microsoft sign-in).
    pub(super) main_secret: Option<SecretString>,
    /// The connector PATs cleared: given now (and kept since), or those kept before.
    pub(super) pats: Vec<ProductCredential>,
}

impl std::fmt::Debug for Cleared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cleared")
            .field("product", &self.profile.product.id)
            .field("connection_id", &self.connection_id)
            .field("method", &self.method)
            .field("project", &self.project)
            .field("repository", &self.repository)
            .field("record", &self.record)
            .field(
                "pats",
                &self
                    .pats
                    .iter()
                    .map(|p| format!("{}#{}", p.connector, p.index))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Cleared {
    /// The product.
    pub fn profile(&self) -> &ProductProfile {
        &self.profile
    }

    /// The connection.
    pub fn connection_id(&self) -> &ProfileId {
        &self.connection_id
    }

    /// The saved connection, as the gate read it.
    pub fn saved(&self) -> &crate::Profile {
        &self.saved
    }

    /// When the checks passed (Unix seconds).
    pub fn passed_at(&self) -> u64 {
        self.record.passed_at
    }

    /// Server: the public URL the checks found.
    pub fn public_url(&self) -> Option<&str> {
        self.record.public_url.as_deref()
    }

    /// Server: the highest REST version it serves, when it said.
    pub fn server_api_version(&self) -> Option<&str> {
        self.record.server_api_version.as_deref()
    }
}

/// A recorded pass (kept in the keyring with the connection).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Clearance {
    /// When (Unix seconds).
    pub passed_at: u64,
    /// SHA-256 over the credentials and the choice, hex.
    pub digest: String,
    /// Server: its public URL, when the checks looked.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Server: the highest REST version it serves, when it said.
    #[serde(default)]
    pub server_api_version: Option<String>,
}

/// What [`clear_saved`] did.
#[derive(Debug)]
pub enum Outcome {
    /// Cleared: by the checks that just ran (their report), or by a recorded pass (`None`).
    Cleared(Box<Cleared>, Option<ProductReport>),
    /// The checks failed: the report says which and how to fix them.
    Refused(ProductReport),
}

impl Outcome {
    /// The clearance, or the refusal as a [`Problem`] naming every failing check.
    pub fn cleared(self) -> Result<Cleared, crate::Error> {
        match self {
            Outcome::Cleared(c, _) => Ok(*c),
            Outcome::Refused(report) => Err(report.refusal().into()),
        }
    }
}

/// The keyring name of the expiry date the user gave for a connector's PAT (kept next to it, so
/// a later check still knows it).
pub fn expiry_name(product_id: &str, connector: &str, index: usize) -> String {
    format!("product-pat-expires:{product_id}:{connector}:{index}")
}

/// The keyring name of a product's recorded pass.
pub fn clearance_name(product_id: &str) -> String {
    format!("product-cleared:{product_id}")
}

/// The profile's name for how a saved connection signs in. A Microsoft sign-in is saved without
/// saying whether it used the browser or a device code; it counts as whichever the profile takes
/// on that deployment.
pub fn method_of(
    auth: &AuthMethod,
    profile: &ProductProfile,
    saved: &crate::Profile,
) -> SignInMethod {
    let rule = profile.sign_in_for(saved.target.deployment());
    match auth {
        AuthMethod::Pat { .. } => SignInMethod::Pat,
        AuthMethod::ServicePrincipal { .. } => SignInMethod::ServicePrincipal,
        AuthMethod::Entra { .. } => {
            if rule.methods.contains(&SignInMethod::DeviceCode)
                && !rule.methods.contains(&SignInMethod::Browser)
            {
                SignInMethod::DeviceCode
            } else {
                SignInMethod::Browser
            }
        }
    }
}

/// Checks a saved connection for a product, or finds a recorded pass ([`Clear::IfStale`]).
/// Connector PATs given now are kept in the keyring only when every check passed, so a wrong
/// token never replaces a working one.
pub async fn clear_saved(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    request: SavedCheck,
    when: Clear,
    now_unix: u64,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> Result<Outcome, crate::Error> {
    let opened = crate::open_connection(connections, &request.connection_id, settings).await?;
    let saved = &opened.profile;
    let profile = request.profile;
    let product_id = super::secrets_key(&profile);
    let mut own: Vec<ProductCredential> = request
        .pats
        .iter()
        .map(|p| ProductCredential {
            connector: p.connector.clone(),
            index: p.index,
            credential: Credential::Pat(p.pat.clone()),
            method: SignInMethod::Pat,
            expires_on: p.expires_on.clone(),
        })
        .collect();
    if own.is_empty() {
        own = kept_pats(connections, saved, &profile)?;
    }
    let main_secret = match &saved.auth {
        AuthMethod::Pat { .. } => connections.secret_of(saved)?,
        AuthMethod::ServicePrincipal { .. } => connections.extra_secret(saved, "sp-secret")?,
        AuthMethod::Entra { .. } => None,
    };
    let digest = digest(
        saved,
        main_secret.as_ref(),
        &own,
        &request.project,
        &request.repository,
    );
    let method = method_of(&saved.auth, &profile, saved);
    let cleared = |record: Clearance, pats: Vec<ProductCredential>| Cleared {
        profile: profile.clone(),
        connection_id: request.connection_id.clone(),
        method,
        project: request.project.clone(),
        repository: request.repository.clone(),
        record,
        saved: saved.clone(),
        main_secret: main_secret.clone(),
        pats,
    };
    if when == Clear::IfStale {
        if let Some(record) = recorded(connections, saved, &product_id)? {
            let fresh = now_unix.saturating_sub(record.passed_at) < CLEARANCE_TTL_SECS
                && record.passed_at <= now_unix + 300;
            if fresh && record.digest == digest {
                return Ok(Outcome::Cleared(Box::new(cleared(record, own)), None));
            }
        }
    }
    let expires_on = match &saved.auth {
        AuthMethod::Pat { expires_on } => expires_on.clone(),
        _ => None,
    };
    let main = ProductCredential {
        connector: profile.connectors[0].id.clone(),
        index: 0,
        credential: opened.credential.clone(),
        method,
        expires_on,
    };
    let (credentials, hooks_credential) = credentials_to_check(&profile, main, own.clone());
    let check = ProductCheckRequest {
        profile: profile.clone(),
        target: saved.target.clone(),
        consent_to_http: saved.options.allow_http,
        options: saved.options.clone(),
        project: request.project.clone(),
        repository: request.repository.clone(),
        credentials,
        hooks_credential,
    };
    let report = check_product(&check, on_event).await;
    if !report.ok {
        return Ok(Outcome::Refused(report));
    }
    for p in &request.pats {
        connections.put_extra_secret(
            saved,
            &connector_secret_name(&product_id, &p.connector, p.index),
            &p.pat,
        )?;
        if let Some(date) = &p.expires_on {
            connections.put_extra_secret(
                saved,
                &expiry_name(&product_id, &p.connector, p.index),
                &SecretString::from(date.clone()),
            )?;
        }
    }
    let record = Clearance {
        passed_at: now_unix,
        digest,
        public_url: report.public_url.clone(),
        server_api_version: report.server_api_version.clone(),
    };
    let json = serde_json::to_string(&record).expect("a clearance serializes");
    connections.put_extra_secret(
        saved,
        &clearance_name(&product_id),
        &SecretString::from(json),
    )?;
    Ok(Outcome::Cleared(
        Box::new(cleared(record, own)),
        Some(report),
    ))
}

/// The recorded pass for `product_id`, if any (an unreadable one counts as none).
fn recorded(
    connections: &Connections,
    saved: &crate::Profile,
    product_id: &str,
) -> Result<Option<Clearance>, crate::Error> {
    Ok(connections
        .extra_secret(saved, &clearance_name(product_id))?
        .and_then(|json| serde_json::from_str(json.expose_secret()).ok()))
}

/// The connector PATs kept for this product with the connection.
pub(super) fn kept_pats(
    connections: &Connections,
    saved: &crate::Profile,
    profile: &ProductProfile,
) -> Result<Vec<ProductCredential>, crate::Error> {
    let mut out = Vec::new();
    let key = super::secrets_key(profile);
    for connector in &profile.connectors {
        for index in 0..16 {
            let name = connector_secret_name(&key, &connector.id, index);
            match connections.extra_secret(saved, &name)? {
                Some(pat) => out.push(ProductCredential {
                    connector: connector.id.clone(),
                    index,
                    credential: Credential::Pat(pat),
                    method: SignInMethod::Pat,
                    expires_on: connections
                        .extra_secret(saved, &expiry_name(&key, &connector.id, index))?
                        .map(|d| d.expose_secret().to_string()),
                }),
                None => break,
            }
        }
    }
    Ok(out)
}

fn digest(
    saved: &crate::Profile,
    main: Option<&SecretString>,
    own: &[ProductCredential],
    project: &Option<String>,
    repository: &Option<String>,
) -> String {
    let mut hash = Sha256::new();
    hash.update(b"ado-connect clearance v1\0");
    hash.update(serde_json::to_vec(&saved.auth).unwrap_or_default());
    hash.update(b"\0");
    hash.update(
        saved
            .user_account
            .as_deref()
            .unwrap_or(&saved.user_display_name),
    );
    hash.update(b"\0");
    if let Some(secret) = main {
        hash.update(secret.expose_secret().as_bytes());
    }
    for c in own {
        hash.update(format!("\0{}#{}\0", c.connector, c.index).as_bytes());
        if let Credential::Pat(pat) = &c.credential {
            hash.update(pat.expose_secret().as_bytes());
        }
    }
    for choice in [project, repository] {
        hash.update(b"\0");
        hash.update(choice.as_deref().unwrap_or("").to_lowercase().as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
