//! "Create the tokens for me" for a connection named by its target, as a headless shell asks:
//! what would be created, the minted PATs listed or revoked, created, or one connector's
//! renewed. No browser consent runs here: a refusal that wants it names the `login` command
//! that asks for it.

use ado_core::product::ProductProfile;
use ado_core::target::ConnectionTarget;
use secrecy::SecretString;

use super::{App, RevokeAnswer};
use crate::clock::now_unix;
use crate::product::mint::{self, MintPlan, MintRefusal, MintReport, MintRequest, MintedPat};
use crate::product::{connector_secret_name, secrets_key};
use crate::{Error, ProfileId};

/// What to do with the product's PATs.
pub enum MintAction {
    /// Say what would be created; create nothing.
    DryRun,
    /// The minted PATs with their expiry.
    List,
    /// Revoke every PAT minted for the product on the connection.
    Revoke,
    /// Create one PAT per connector.
    Create,
    /// Renew one connector's PAT, as named (blank: the product's one PAT).
    Renew(String),
}

/// A mint for a connection named by its target.
pub struct MintRun {
    /// The organization.
    pub target: ConnectionTarget,
    /// What to do.
    pub action: MintAction,
    /// The project the product gets (its checks run there).
    pub project: Option<String>,
    /// The repository the product gets.
    pub repository: Option<String>,
    /// The PATs' lifetime in days.
    pub days: Option<u32>,
    /// When the organization caps lifetimes lower, use the longest it accepts.
    pub fit_lifetime: bool,
    /// Also hand back the values of the PATs minted.
    pub show_tokens: bool,
}

/// A minted PAT's value, when asked for.
pub struct ShownToken {
    /// The connector.
    pub connector: String,
    /// Which of its credentials.
    pub index: usize,
    /// The token.
    pub token: SecretString,
}

/// What minting did.
pub enum MintDone {
    /// What would be created.
    Planned(MintPlan),
    /// The minted PATs.
    Listed(ProfileId, Vec<MintedPat>),
    /// The authorizationIds revoked.
    Revoked(ProfileId, Vec<String>),
    /// Created (or renewed), checked and kept; the values when asked for.
    Minted(Box<MintReport>, Vec<ShownToken>),
    /// Refused: nothing is left behind.
    Refused(MintRefusal),
}

impl App {
    /// Mints, renews, lists or revokes the product's PATs on the saved connection to
    /// `run.target` (a dry run needs no connection).
    pub async fn mint_for_target(&self, run: MintRun) -> Result<MintDone, Error> {
        let profile = self.product()?;
        let scope = run.target.scope_name().to_string();
        if let MintAction::DryRun = run.action {
            let plan = mint::plan_mint(&profile, &scope, run.days, now_unix());
            return Ok(MintDone::Planned(plan));
        }
        let connections = self.connections()?;
        // Every step below signs in: a broken sign-in setting is said before anything is read.
        self.settings()?;
        let id = crate::profiles::profile_id(&run.target);
        if connections.get(&id)?.is_none() {
            return Err(super::headless::invalid(
                format!("There is no saved connection for {scope}."),
                "Run `ado-connect-cli login` for this organization first (browser or --device-code).",
            ));
        }
        let connector = match &run.action {
            MintAction::List => {
                let minted = self.minted_tokens(&id)?;
                return Ok(MintDone::Listed(id, minted));
            }
            MintAction::Revoke => {
                // No browser here: a refusal that wants consent names `login --allow-minting`.
                let no_browser = None::<fn(&url::Url)>;
                return Ok(match self.revoke_minted(&id, no_browser).await? {
                    RevokeAnswer::Revoked { revoked } => MintDone::Revoked(id, revoked),
                    RevokeAnswer::Refused { refusal } => MintDone::Refused(refusal),
                });
            }
            MintAction::Renew(named) => Some(renewed_connector(&profile, named)?),
            MintAction::DryRun | MintAction::Create => None,
        };
        let request = MintRequest {
            profile: profile.clone(),
            connection_id: id.clone(),
            project: run.project,
            repository: run.repository,
            lifetime_days: run.days,
            fit_lifetime: run.fit_lifetime,
        };
        let minted = self
            .mint_or_renew(request, connector.as_deref(), &|_| {})
            .await?;
        let report = match minted {
            Ok(report) => report,
            Err(refusal) => return Ok(MintDone::Refused(refusal)),
        };
        let tokens = match run.show_tokens {
            true => self.minted_values(&id, &profile, &report),
            false => Vec::new(),
        };
        Ok(MintDone::Minted(Box::new(report), tokens))
    }

    /// The values of the PATs just minted, as kept in the keyring.
    fn minted_values(
        &self,
        id: &ProfileId,
        profile: &ProductProfile,
        report: &MintReport,
    ) -> Vec<ShownToken> {
        let Ok(connections) = self.connections() else {
            return Vec::new();
        };
        let Some(saved) = connections.get(id).ok().flatten() else {
            return Vec::new();
        };
        let key = secrets_key(profile);
        report
            .minted
            .iter()
            .filter_map(|m| {
                let name = connector_secret_name(&key, &m.connector, m.index);
                let token = connections.extra_secret(&saved, &name).ok().flatten()?;
                Some(ShownToken {
                    connector: m.connector.clone(),
                    index: m.index,
                    token,
                })
            })
            .collect()
    }
}

/// The connector `--renew` names: the product's one credential when none is named; a name that
/// is not one of the product's connectors is refused with the names it has.
fn renewed_connector(profile: &ProductProfile, named: &str) -> Result<String, Error> {
    let ids: Vec<&str> = profile.connectors.iter().map(|c| c.id.as_str()).collect();
    let name = &profile.product.name;
    match (named.trim(), ids.as_slice()) {
        ("", [only]) => Ok(only.to_string()),
        (named, _) if ids.contains(&named) => Ok(named.to_string()),
        ("", _) => Err(super::headless::invalid(
            format!("{name} has several connectors; --renew needs one."),
            &format!("Name it: --renew {}.", ids.join(" | --renew ")),
        )),
        (named, _) => Err(super::headless::invalid(
            format!("--renew {named}: {name} has no connector {named:?}."),
            &format!("Use one of: {}.", ids.join(", ")),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str) -> ProductProfile {
        crate::product::load_profile(&ado_test_support::world::profile_path(name))
            .expect("a shipped profile loads")
            .profile
    }

    #[test]
    fn renew_names_a_connector_or_the_products_one_pat() {
        let (kong, dx) = (profile("kong-konnect"), profile("dx"));
        assert_eq!(renewed_connector(&kong, "").unwrap(), "default");
        assert_eq!(renewed_connector(&dx, "boards").unwrap(), "boards");
        let several = renewed_connector(&dx, " ").unwrap_err();
        assert!(several.message.contains("several connectors"), "{several}");
        let unknown = renewed_connector(&kong, "boards").unwrap_err();
        assert_eq!(
            unknown.message,
            "--renew boards: Kong Konnect has no connector \"boards\"."
        );
    }
}
