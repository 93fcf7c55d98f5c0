//! The home of a returning user: one card per saved connection (who, where, how it signs in, when
//! it was last verified, token expiry, webhooks), and what each card can do without typing
//! anything: re-verify with the stored secret, rename, and forget (removing its webhooks first,
//! or keeping them and stopping to track them).

use ado_core::checks::{CheckCode, Problem};
use ado_core::target::{ConnectionTarget, Deployment};
use serde::Serialize;

use crate::catalog::{Catalog, CatalogSummary};
use crate::connect::Connected;
use crate::profiles::{AuthMethod, Connections, Profile, ProfileId};
use crate::verify::{verify_connection, User};

/// A saved connection as the home shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCard {
    /// The profile id (for commands; never shown).
    pub id: ProfileId,
    /// The user's name for it, else one made from the target.
    pub name: String,
    /// What it points at (the form's fields, for "Renew token").
    pub target: ConnectionTarget,
    /// "Azure DevOps Server" or "Azure DevOps Services".
    pub deployment_name: &'static str,
    /// On a Server, which release its REST API version says it is (`Azure DevOps Server 2020`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_release: Option<&'static str>,
    /// The organization or collection URL.
    pub address: String,
    /// Who it signed in as: `Name (account)`.
    pub user: String,
    /// `pat`, `entra` or `servicePrincipal`.
    pub method: &'static str,
    /// The sign-in method in words.
    pub method_name: &'static str,
    /// When it was last verified successfully (seconds since the Unix epoch).
    pub verified_at: u64,
    /// The PAT's expiry date, if the user gave it.
    pub expires_on: Option<String>,
    /// A reminder when the PAT expires within 14 days (or has expired).
    pub reminder: Option<String>,
    /// How many webhooks this app registered for it.
    pub hooks: usize,
}

/// A connection just verified, as the result step shows it: a summary, never the whole list
/// (that stays in the [`Catalog`], served a page at a time).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    /// The connection's card.
    pub card: ConnectionCard,
    /// Who signed in.
    pub user: User,
    /// What the server says it is.
    pub deployment: Deployment,
    /// The organization or collection URL requests go to.
    pub api_url: String,
    /// Project and repository counts.
    pub summary: CatalogSummary,
    /// Things that work but deserve attention.
    pub warnings: Vec<Problem>,
    /// Where the secret is kept, in words.
    pub secret_store_description: &'static str,
}

/// Splits a verified connection into what the result step shows and the catalog kept for search.
pub fn open(connected: &Connected, now_unix: u64) -> (Opened, Catalog) {
    let catalog = Catalog::from_verified(&connected.verified);
    let opened = Opened {
        card: card(&connected.profile, now_unix),
        user: connected.verified.user.clone(),
        deployment: connected.verified.deployment,
        api_url: connected.verified.api_url.clone(),
        summary: catalog.summary(),
        warnings: connected.verified.warnings.clone(),
        secret_store_description: connected.secret_store_description,
    };
    (opened, catalog)
}

/// A name made from the target: `fabrikam` for an organization, `DefaultCollection on
/// tfs.contoso.com` for a collection.
pub fn default_name(target: &ConnectionTarget) -> String {
    match target {
        ConnectionTarget::Services { organization, .. } => organization.clone(),
        ConnectionTarget::Server {
            server_url,
            collection,
        } => format!(
            "{collection} on {}",
            server_url.host_str().unwrap_or_default()
        ),
    }
}

/// The card of one profile.
pub fn card(profile: &Profile, now_unix: u64) -> ConnectionCard {
    let (method, method_name, expires_on) = match &profile.auth {
        AuthMethod::Pat { expires_on } => ("pat", "Personal access token", expires_on.clone()),
        AuthMethod::Entra { .. } => ("entra", "Microsoft Entra ID (work or school account)", None),
        AuthMethod::ServicePrincipal { .. } => ("servicePrincipal", "Service principal", None),
    };
    ConnectionCard {
        id: profile.id.clone(),
        name: profile
            .name
            .clone()
            .unwrap_or_else(|| default_name(&profile.target)),
        target: profile.target.clone(),
        deployment_name: profile.target.deployment().display_name(),
        server_release: profile
            .options
            .server_api_version
            .map(|v| ado_core::preflight::product_for_max_version(&v.to_string())),
        address: profile.target.api_base().to_string(),
        user: match &profile.user_account {
            Some(account) if account != &profile.user_display_name => {
                format!("{} ({account})", profile.user_display_name)
            }
            _ => profile.user_display_name.clone(),
        },
        method,
        method_name,
        verified_at: profile.verified_at,
        reminder: expires_on
            .as_deref()
            .and_then(|d| ado_core::target::pat_expiry_reminder(d, now_unix, 14)),
        expires_on,
        hooks: profile.hooks.len(),
    }
}

/// Every saved connection's card, most recently verified first.
pub fn cards(
    connections: &Connections,
    now_unix: u64,
) -> Result<Vec<ConnectionCard>, crate::Error> {
    let mut profiles = connections.list()?;
    profiles.sort_by_key(|p| std::cmp::Reverse(p.verified_at));
    Ok(profiles.iter().map(|p| card(p, now_unix)).collect())
}

/// Gives a connection a name (blank restores the one made from the target).
pub fn rename(
    connections: &Connections,
    id: &ProfileId,
    name: &str,
) -> Result<Profile, crate::Error> {
    let name = name.trim();
    if name.chars().count() > 80 {
        return Err(Problem {
            code: CheckCode::InvalidInput,
            field: None,
            message: "A connection's name is at most 80 characters.".into(),
            fix: "Shorten the name.".into(),
            server_message: None,
            support_id: None,
        }
        .into());
    }
    let name = (!name.is_empty()).then(|| name.to_string());
    connections
        .update_profile(id, |p| p.name = name)?
        .ok_or_else(|| crate::Error::unknown_connection(id))
}

/// Verifies a saved connection again with its stored secret (a token is refreshed first when it
/// is about to expire); on success the profile records the time and who signed in.
pub async fn reverify(
    connections: &Connections,
    id: &ProfileId,
    settings: &ado_auth::SignInSettings,
    now_unix: u64,
) -> Result<Connected, crate::Error> {
    let saved = connections.saved(id)?;
    let credential =
        crate::signin::credential_for(connections, &saved, settings, std::time::SystemTime::now())
            .await?;
    let verified = verify_connection(&saved.target, credential, &saved.options).await?;
    let profile = connections
        .update_profile(id, |p| {
            p.verified_at = now_unix;
            p.user_display_name = verified.user.display_name.clone();
            p.user_account = verified.user.account.clone();
            // A server upgraded (or moved) since: its version as read now.
            if verified.server_api_version.is_some() {
                p.options.server_api_version = verified.server_api_version;
            }
        })?
        .ok_or_else(|| crate::Error::unknown_connection(id))?;
    let backend = connections.secret_backend();
    Ok(Connected {
        verified,
        profile,
        secret_store: backend,
        secret_store_description: backend.description(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ado_core::target::TargetInput;

    #[test]
    fn default_names_read_like_places() {
        let server = TargetInput {
            deployment: Some(Deployment::Server),
            server_url: "http://tfs.contoso.com:8080/tfs".into(),
            collection: "DefaultCollection".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(
            default_name(&server),
            "DefaultCollection on tfs.contoso.com"
        );
        let services = TargetInput {
            deployment: Some(Deployment::Services),
            organization: "fabrikam".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(default_name(&services), "fabrikam");
    }

    #[test]
    fn cards_name_the_method_and_remind_of_expiry() {
        let target = TargetInput {
            deployment: Some(Deployment::Services),
            organization: "fabrikam".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let profile = Profile {
            id: "services-dev-azure-com-fabrikam".into(),
            name: Some("Fabrikam (prod)".into()),
            target,
            auth: AuthMethod::Pat {
                expires_on: Some("2026-01-03".into()),
            },
            user_display_name: "Demo Admin".into(),
            user_account: Some("admin@fabrikam.example".into()),
            verified_at: 1,
            secret_key: "pat:x".into(),
            options: crate::ConnectOptions::default(),
            extra_secret_keys: Vec::new(),
            hooks: Vec::new(),
        };
        // 2026-01-01T00:00:00Z
        let card = card(&profile, 1_767_225_600);
        assert_eq!(card.name, "Fabrikam (prod)");
        assert_eq!(card.user, "Demo Admin (admin@fabrikam.example)");
        assert_eq!(card.method, "pat");
        assert!(card.reminder.unwrap().contains("2 days"));
    }
}
