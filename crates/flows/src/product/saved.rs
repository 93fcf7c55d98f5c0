//! A product profile applied to a *saved* connection: what the app's product steps call (and
//! what a shell needs besides [`super::check_product`] and the hand-off).
//!
//! - [`check_saved`]: the connection's own credential, plus any connector PATs the user gave,
//!   checked for exactly the product's access; the connector PATs are kept in the keyring only
//!   when every check passed (a wrong token never replaces a working one).
//! - [`saved_handoff`]: [`Handoff::from_connection`] with the product's choices.
//! - [`export_to_default_dir`], [`script_to_default_dir`]: the export file and the reproduction
//!   script, next to the saved reports (Downloads, or `$ADO_CONNECT_REPORT_DIR`).

use std::path::PathBuf;

use ado_client::Credential;
use ado_core::checks::{CheckCode, Problem};
use ado_core::product::{ProductProfile, SignInMethod};
use secrecy::SecretString;

use super::handoff::{recorded_specs, store_connector_pat, Handoff, HandoffChoice};
use super::{
    check_product, credentials_to_check, ProductCheckRequest, ProductCredential, ProductEvent,
    ProductReport,
};
use crate::{AuthMethod, Connections};

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

/// What to check for a saved connection.
pub struct SavedCheck {
    /// The product.
    pub profile: ProductProfile,
    /// The saved connection.
    pub connection_id: crate::ProfileId,
    /// Where the probes run.
    pub project: Option<String>,
    /// The repository the product gets, if any.
    pub repository: Option<String>,
    /// Connector PATs; none = the connection's own credential serves every connector.
    pub pats: Vec<ConnectorPat>,
}

/// The profile's name for how a saved connection signs in. A Microsoft sign-in is saved without
/// saying whether it used the browser or a device code; it counts as whichever the profile takes.
pub fn method_of(auth: &AuthMethod, profile: &ProductProfile) -> SignInMethod {
    match auth {
        AuthMethod::Pat { .. } => SignInMethod::Pat,
        AuthMethod::ServicePrincipal { .. } => SignInMethod::ServicePrincipal,
        AuthMethod::Entra { .. } => {
            if profile.sign_in.methods.contains(&SignInMethod::DeviceCode)
                && !profile.sign_in.methods.contains(&SignInMethod::Browser)
            {
                SignInMethod::DeviceCode
            } else {
                SignInMethod::Browser
            }
        }
    }
}

/// Checks a saved connection for a product; keeps the connector PATs when everything passed.
pub async fn check_saved(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    request: SavedCheck,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> Result<ProductReport, Problem> {
    let opened = crate::open_connection(connections, &request.connection_id, settings).await?;
    let profile = request.profile;
    let expires_on = match &opened.profile.auth {
        AuthMethod::Pat { expires_on } => expires_on.clone(),
        _ => None,
    };
    let main = ProductCredential {
        connector: profile.connectors[0].id.clone(),
        index: 0,
        credential: opened.credential.clone(),
        method: method_of(&opened.profile.auth, &profile),
        expires_on,
    };
    let own = request
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
    let (credentials, hooks_credential) = credentials_to_check(&profile, main, own);
    let product_id = profile.product.id.clone();
    let check = ProductCheckRequest {
        profile,
        target: opened.profile.target.clone(),
        consent_to_http: opened.profile.options.allow_http,
        options: opened.profile.options.clone(),
        project: request.project,
        repository: request.repository,
        credentials,
        hooks_credential,
    };
    let report = check_product(&check, on_event).await;
    if report.ok {
        for p in &request.pats {
            store_connector_pat(
                connections,
                &request.connection_id,
                &product_id,
                &p.connector,
                p.index,
                &p.pat,
            )?;
        }
    }
    Ok(report)
}

/// The hand-off of a saved connection.
pub fn saved_handoff(
    connections: &Connections,
    connection_id: &str,
    profile: ProductProfile,
    choice: HandoffChoice,
) -> Result<Handoff, Problem> {
    Handoff::from_connection(connections, connection_id, profile, choice)
}

fn write_problem(what: &str, path: &std::path::Path, e: std::io::Error) -> Problem {
    Problem::new(
        CheckCode::Unexpected,
        None,
        format!("Could not write {what} {}: {e}", path.display()),
        "Check that the Downloads folder (or $ADO_CONNECT_REPORT_DIR) is writable.",
    )
}

fn file_stem(handoff: &Handoff) -> String {
    let id: String = handoff
        .profile
        .product
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("ado-connect-{id}")
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    /// The file.
    pub path: String,
    /// A warning to show (secrets inside), if any.
    pub warning: Option<String>,
}

/// Writes the export file next to the saved reports; with secrets only if asked (then 0600).
pub fn export_to_default_dir(
    handoff: &Handoff,
    include_secrets: bool,
    now_unix: u64,
) -> Result<Written, Problem> {
    let dir = crate::preflight::default_report_dir();
    let path: PathBuf = dir.join(format!("{}-handoff.json", file_stem(handoff)));
    std::fs::create_dir_all(&dir).map_err(|e| write_problem("the export file", &path, e))?;
    let doc = handoff
        .export_to(&path, include_secrets, now_unix)
        .map_err(|e| write_problem("the export file", &path, e))?;
    Ok(Written {
        path: path.display().to_string(),
        warning: doc.warning,
    })
}

/// The reproduction script of the connection's recorded subscriptions, and where it was saved.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Script {
    /// The script (secrets as environment variables).
    pub text: String,
    /// Where it was saved.
    pub path: String,
    /// How many subscriptions it recreates.
    pub subscriptions: usize,
}

/// Writes the reproduction script next to the saved reports.
pub fn script_to_default_dir(
    connections: &Connections,
    connection_id: &str,
    handoff: &Handoff,
) -> Result<Script, Problem> {
    let specs = recorded_specs(connections, connection_id)?;
    let text = handoff.reproduction_script(&specs);
    let dir = crate::preflight::default_report_dir();
    let path = dir.join(format!("{}-webhooks.sh", file_stem(handoff)));
    std::fs::create_dir_all(&dir).map_err(|e| write_problem("the script", &path, e))?;
    std::fs::write(&path, &text).map_err(|e| write_problem("the script", &path, e))?;
    Ok(Script {
        text,
        path: path.display().to_string(),
        subscriptions: specs.len(),
    })
}
