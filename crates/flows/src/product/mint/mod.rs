//! "Create the tokens for me": least-privilege PATs minted for a product through Azure DevOps'
//! PAT Lifecycle Management API, then checked and kept exactly like pasted connector PATs.
//!
//! - [`mintable`]: which products get minted PATs: those handed a PAT on Azure DevOps Services
//!   (DX, one per connector; Kong Konnect and Datafold, one PAT with exactly the profile's
//!   `[access]` scopes, named "Kong Konnect (ADO Connect)"). A single-PAT product's minted PAT is
//!   kept as its connector's PAT (`default`), so the gate checks it as a PAT and the hand-off
//!   hands it over like a pasted one; the Microsoft sign-in itself is never handed to the product.
//! - [`plan_mint`]: what will be created, before anything is (one PAT per connector, its scopes,
//!   its name "DX – Boards (ADO Connect)", its expiry), for the preview.
//! - [`mint_tokens`]: asks Microsoft Entra for the tokens API's permission (incremental consent:
//!   only now, never at sign-in), creates the PATs org-scoped (`allOrgs: false`), hands them to
//!   the product gate ([`super::gate::clear_saved`], so the product's own checks run and the PATs
//!   are kept in the keyring only when they pass), and records each `authorizationId`. Any
//!   failure revokes what this run created. When Entra answers that the permission needs the
//!   user (AADSTS65001 `invalid_grant`, `interaction_required`, `consent_required`), the refusal
//!   is [`MintCode::ConsentRequired`]: the app then runs the interactive sign-in asking for
//!   exactly that permission ([`consent`]) and mints again; the CLI names
//!   `login --allow-minting`.
//! - [`minted_tokens`], [`renew_token`], [`revoke_minted`]: the home's list with expiries, Renew
//!   (a new PAT with the same scopes, checked and kept, then the old one revoked) and Forget's
//!   revocation of exactly the minted PATs.
//!
//! **The organization's maximum lifetime.** The API does not say it: `tokens.json`'s
//! `PatTokenResult` carries only `patToken` and the `patTokenError` enum (whose descriptions are
//! empty), and `patLifespanPolicyViolation` comes without a number; no documentation or issue
//! found says otherwise. (The tenant policy "Restrict personal access token lifespan" is readable
//! only by Azure DevOps administrators through an unpublished API, so ADO Connect does not use
//! it.) So lifetimes are tried in rungs (365, 180, 90, 60, 30, 14, 7, 2, 1 days; a refused create
//! creates nothing): with "fit" the tokens are created at the longest rung accepted; without it
//! the refusal `pat_lifetime_over_maximum` offers that rung (`offerDays`), found by creating the
//! first token at each shorter rung and revoking the accepted one at once.
//!
//! Every refusal is a [`MintRefusal`] with its own [`MintCode`], message and fix.

use ado_auth::Scopes;
use ado_client::api::tokens::{
    tokens_base, PatCallError, PatToken, PatTokenCreateRequest, PatTokenError,
};
use ado_client::{AdoClient, Credential};
use ado_core::product::ProductProfile;
use ado_core::target::Deployment;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

pub mod consent;
mod refusal;
mod renew;
mod revoke;

use refusal::{lifetime_refusal, msa_refusal, server_refusal, service_principal_refusal};
pub use refusal::{MintCode, MintRefusal};
pub use renew::renew_token;
pub use revoke::revoke_minted;

use super::gate::{clear_saved, Clear, ConnectorPat, Outcome, SavedCheck};
use super::{date_of, ProductEvent, ProductReport};
use crate::{AuthMethod, Connections, ProfileId};

/// The lifetime asked for when the caller names none: 90 days.
pub const DEFAULT_LIFETIME_DAYS: u32 = 90;

/// Lifetimes tried, longest first, when fitting the expiry to an organization's maximum (the
/// API does not say the maximum; a refused create creates nothing).
pub const LIFETIME_RUNGS: [u32; 9] = [365, 180, 90, 60, 30, 14, 7, 2, 1];

/// The delegated Entra permission the tokens API needs.
pub const TOKENS_API_PERMISSION: &str = "user_impersonation";

/// One PAT to create.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPat {
    /// The connector id (`boards`).
    pub connector: String,
    /// Its label (`Boards`).
    pub label: String,
    /// Which credential of the connector (always 0 here).
    pub index: usize,
    /// The PAT's name, e.g. `DX – Boards (ADO Connect)`.
    pub display_name: String,
    /// Its scope ids (`vso.work`, …).
    pub scope_ids: Vec<String>,
}

/// What [`mint_tokens`] will create: shown before it does.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MintPlan {
    /// The product's name.
    pub product: String,
    /// The organization the PATs work on (and only it).
    pub organization: String,
    /// Their lifetime in days.
    pub lifetime_days: u32,
    /// Their expiry, RFC 3339.
    pub valid_to: String,
    /// One per connector.
    pub tokens: Vec<PlannedPat>,
}

/// The name a minted PAT gets: `{product} – {connector} (ADO Connect)`.
pub fn display_name(product: &str, connector_label: &str) -> String {
    format!("{product} – {connector_label} (ADO Connect)")
}

/// The name of a product's PAT for `connector_label`: `Kong Konnect (ADO Connect)` for a product
/// with one credential (`[access]`), `DX – Boards (ADO Connect)` for a connector's.
pub fn pat_name(profile: &ProductProfile, connector_label: &str) -> String {
    if profile.connectors.len() == 1 && !profile.pat_one_per_connector {
        format!("{} (ADO Connect)", profile.product.name)
    } else {
        display_name(&profile.product.name, connector_label)
    }
}

/// Whether ADO Connect can create a product's tokens: the product is handed a PAT on Azure
/// DevOps Services (its Services sign-in takes a PAT, or it wants one per connector). dbt (a
/// service principal or the user's sign-in) and Appcircle on Services (its own OAuth) are not.
pub fn mintable(profile: &ProductProfile) -> bool {
    profile.deployments.services
        && (profile.pat_one_per_connector
            || profile
                .sign_in_for(Deployment::Services)
                .methods
                .contains(&ado_core::product::SignInMethod::Pat))
}

/// RFC 3339 of a Unix time (UTC, whole seconds).
fn rfc3339(unix: u64) -> String {
    let rem = unix % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date_of(unix),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The PATs a product's profile asks for on `organization`, each with exactly its connector's
/// scopes, expiring `lifetime_days` (default [`DEFAULT_LIFETIME_DAYS`]) after `now_unix`.
pub fn plan_mint(
    profile: &ProductProfile,
    organization: &str,
    lifetime_days: Option<u32>,
    now_unix: u64,
) -> MintPlan {
    let days = lifetime_days.unwrap_or(DEFAULT_LIFETIME_DAYS).max(1);
    MintPlan {
        product: profile.product.name.clone(),
        organization: organization.to_string(),
        lifetime_days: days,
        valid_to: rfc3339(now_unix + u64::from(days) * 86_400),
        tokens: profile
            .connectors
            .iter()
            .map(|c| PlannedPat {
                connector: c.id.clone(),
                label: c.label.clone(),
                index: 0,
                display_name: pat_name(profile, &c.label),
                scope_ids: c.access().scope_ids,
            })
            .collect(),
    }
}

/// What a mint, or a renew, asks for.
#[derive(Debug, Clone)]
pub struct MintRequest {
    /// The product.
    pub profile: ProductProfile,
    /// The saved connection (a user's Microsoft sign-in on Azure DevOps Services).
    pub connection_id: ProfileId,
    /// The project the product gets (its checks run there).
    pub project: Option<String>,
    /// The repository the product gets.
    pub repository: Option<String>,
    /// The lifetime wanted; [`DEFAULT_LIFETIME_DAYS`] when `None`.
    pub lifetime_days: Option<u32>,
    /// When the organization refuses the lifetime, try shorter ones down to what it accepts.
    pub fit_lifetime: bool,
}

/// A PAT ADO Connect minted, as recorded with the connection (never its value).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MintedPat {
    /// The connector id.
    pub connector: String,
    /// Which credential of the connector.
    pub index: usize,
    /// The `authorizationId` revoke and renew name.
    pub authorization_id: String,
    /// Its name.
    pub display_name: String,
    /// Its scopes, space-separated.
    pub scope: String,
    /// Its expiry, RFC 3339.
    pub valid_to: String,
    /// Its lifetime in days (what Renew asks for again).
    pub lifetime_days: u32,
    /// Revoked by ADO Connect.
    #[serde(default)]
    pub revoked: bool,
    /// The Microsoft sign-in (saved connection) that minted it: renew and revoke go through it.
    pub minted_with: ProfileId,
    /// The project its checks ran on (Renew checks the new one there when none is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The repository its checks ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

/// What [`mint_tokens`] and [`renew_token`] did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MintReport {
    /// The connection the PATs are kept with (the Microsoft sign-in that minted them).
    pub connection_id: ProfileId,
    /// What was planned (the lifetime as finally used).
    pub plan: MintPlan,
    /// The PATs created and kept.
    pub minted: Vec<MintedPat>,
    /// PATs revoked (Renew: the old one).
    pub revoked: Vec<String>,
    /// The product's checks of the new PATs.
    pub report: ProductReport,
}

fn record_name(key: &str, connector: &str, index: usize) -> String {
    format!("product-pat-minted:{key}:{connector}:{index}")
}

/// A minted record as kept in the keyring: the record, and a SHA-256 of the token so that
/// revoking it removes the kept PAT only while that is still the minted one (never a token
/// pasted over it since). Records kept before the digest have none.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept {
    #[serde(flatten)]
    pat: MintedPat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_sha256: Option<String>,
}

/// SHA-256 of a token, hex.
fn token_sha256(token: &SecretString) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(token.expose_secret().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Records a minted PAT with the connection (its `authorizationId`, never its value).
fn keep_record(
    connections: &Connections,
    saved: &crate::Profile,
    key: &str,
    entry: &MintedPat,
    token: Option<&SecretString>,
) -> Result<(), MintRefusal> {
    let kept = Kept {
        pat: entry.clone(),
        token_sha256: token.map(token_sha256),
    };
    let json = serde_json::to_string(&kept).expect("a record serializes");
    connections
        .put_extra_secret(
            saved,
            &record_name(key, &entry.connector, entry.index),
            &SecretString::from(json),
        )
        .map(|_| ())
        .map_err(failed)
}

/// The minted records kept for `profile` with a saved connection, revoked ones left out.
fn kept_records(
    connections: &Connections,
    saved: &crate::Profile,
    profile: &ProductProfile,
) -> Result<Vec<Kept>, crate::ProfileError> {
    let key = super::secrets_key(profile);
    let mut out = Vec::new();
    for connector in &profile.connectors {
        for index in 0..16 {
            let Some(json) =
                connections.extra_secret(saved, &record_name(&key, &connector.id, index))?
            else {
                break;
            };
            if let Ok(kept) = serde_json::from_str::<Kept>(json.expose_secret()) {
                if !kept.pat.revoked {
                    out.push(kept);
                }
            }
        }
    }
    Ok(out)
}

fn failed(problem: impl std::fmt::Display) -> MintRefusal {
    MintRefusal::new(
        MintCode::Failed,
        problem.to_string(),
        "Check the network and the system keyring, then try again.",
    )
}

/// The tokens API client of a saved connection, after the incremental consent.
async fn tokens_client(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    connection_id: &ProfileId,
    profile: &ProductProfile,
) -> Result<(AdoClient, crate::Profile), MintRefusal> {
    let saved = connections
        .saved(connection_id)
        .map_err(|e| MintRefusal::from_problem(MintCode::Failed, &e))?;
    if saved.target.deployment() == Deployment::Server {
        return Err(server_refusal(profile, saved.target.api_base().as_str()));
    }
    if !mintable(profile) {
        return Err(MintRefusal::new(
            MintCode::ProductTakesNoPat,
            format!(
                "{} is not handed a personal access token on Azure DevOps Services, so there is none to create.",
                profile.product.name
            ),
            "Hand over the connection as it is (the product's step says what it needs).",
        ));
    }
    match &saved.auth {
        AuthMethod::ServicePrincipal { .. } => return Err(service_principal_refusal()),
        AuthMethod::Pat { .. } => {
            return Err(MintRefusal::new(
                MintCode::NotMicrosoftSignIn,
                "This connection signs in with a personal access token; only a Microsoft sign-in may create tokens.",
                "Sign in with Microsoft (browser or device code) on this organization, or paste the tokens.",
            ))
        }
        AuthMethod::Entra { tenant, .. } if tenant.trim_matches(['0', '-']).is_empty() => {
            return Err(msa_refusal(saved.target.scope_name()))
        }
        AuthMethod::Entra { .. } => {}
    }
    let scopes = Scopes::azure_devops_delegated(&[TOKENS_API_PERMISSION]).map_err(failed)?;
    let token = crate::signin::access_token_for_scopes(connections, &saved, settings, scopes)
        .await
        .map_err(|(p, consent)| {
            let command = consent::cli_command(&saved.target);
            if let Some(entra) = consent {
                MintRefusal::new(
                    MintCode::ConsentRequired,
                    format!("Microsoft needs you to allow ADO Connect to manage your personal access tokens ({TOKENS_API_PERMISSION}) before it creates them; a plain sign-in does not ask for that ({entra})."),
                    format!("Allow it in the browser sign-in that follows (the CLI: `{command}`), then create the tokens again; an administrator may have to consent for your organization. Or paste the tokens."),
                )
            } else {
                MintRefusal {
                    fix: format!("{} Sign in again with Microsoft, which also asks for the permission to manage your tokens (the CLI: `{command}`); or paste the tokens.", p.fix),
                    ..MintRefusal::from_problem(MintCode::SignInAgain, &p)
                }
            }
        })?
        .ok_or_else(|| failed("This connection's sign-in is no longer in the keyring."))?;
    let base = tokens_base(&saved.target.api_base());
    let client = AdoClient::new(saved.options.client_config(base, Credential::Bearer(token)))
        .map_err(failed)?;
    Ok((client, saved))
}

fn call_refusal(error: PatCallError, plan: &MintPlan) -> MintRefusal {
    match error {
        PatCallError::Refused(e) => MintRefusal::from_pat_error(e, plan),
        PatCallError::Http(e) if e.status() == Some(401) => MintRefusal::new(
            MintCode::ConsentRequired,
            "Azure DevOps did not let this sign-in manage personal access tokens.",
            "Sign in again with Microsoft and allow ADO Connect to manage your tokens (user_impersonation), or paste the tokens.",
        ),
        PatCallError::Http(e) => failed(e),
    }
}

/// Creates one planned PAT, fitting the lifetime down when asked to. Refused over the
/// organization's maximum without `fit`, the refusal offers the longest rung it accepts.
async fn create(
    client: &AdoClient,
    plan: &mut MintPlan,
    planned: &PlannedPat,
    fit: bool,
    now_unix: u64,
) -> Result<PatToken, MintRefusal> {
    loop {
        match client
            .create_pat(&create_request(planned, &plan.valid_to))
            .await
        {
            Ok(token) => return Ok(token),
            Err(PatCallError::Refused(PatTokenError::PatLifespanPolicyViolation)) if !fit => {
                let offer = longest_accepted(client, plan, planned, now_unix).await;
                return Err(lifetime_refusal(plan, offer));
            }
            Err(PatCallError::Refused(PatTokenError::PatLifespanPolicyViolation)) => {
                let Some(days) = LIFETIME_RUNGS.into_iter().find(|d| *d < plan.lifetime_days)
                else {
                    return Err(lifetime_refusal(plan, None));
                };
                plan.lifetime_days = days;
                plan.valid_to = rfc3339(now_unix + u64::from(days) * 86_400);
            }
            Err(e) => return Err(call_refusal(e, plan)),
        }
    }
}

fn create_request(planned: &PlannedPat, valid_to: &str) -> PatTokenCreateRequest {
    PatTokenCreateRequest {
        display_name: planned.display_name.clone(),
        scope: planned.scope_ids.join(" "),
        valid_to: valid_to.to_string(),
        all_orgs: false,
    }
}

/// The longest of the shorter rungs the organization accepts for `planned`: each is tried by
/// creating the token, and the one accepted is revoked at once (the API states no maximum).
async fn longest_accepted(
    client: &AdoClient,
    plan: &MintPlan,
    planned: &PlannedPat,
    now_unix: u64,
) -> Option<u32> {
    for days in LIFETIME_RUNGS
        .into_iter()
        .filter(|d| *d < plan.lifetime_days)
    {
        let valid_to = rfc3339(now_unix + u64::from(days) * 86_400);
        match client.create_pat(&create_request(planned, &valid_to)).await {
            Ok(probe) => {
                revoke_all(client, std::slice::from_ref(&probe)).await;
                return Some(days);
            }
            Err(PatCallError::Refused(PatTokenError::PatLifespanPolicyViolation)) => {}
            Err(_) => return None,
        }
    }
    None
}

async fn revoke_all(client: &AdoClient, tokens: &[PatToken]) {
    for token in tokens {
        if let Err(e) = client.revoke_pat(token.authorization_id).await {
            tracing::warn!(error = %e, "could not revoke a PAT minted in a failed run");
        }
    }
}

fn record(
    planned: &PlannedPat,
    token: &PatToken,
    plan: &MintPlan,
    request: &MintRequest,
) -> MintedPat {
    let given = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    MintedPat {
        connector: planned.connector.clone(),
        index: planned.index,
        authorization_id: token.authorization_id.to_string(),
        display_name: planned.display_name.clone(),
        scope: planned.scope_ids.join(" "),
        valid_to: token
            .valid_to
            .clone()
            .unwrap_or_else(|| plan.valid_to.clone()),
        lifetime_days: plan.lifetime_days,
        revoked: false,
        minted_with: request.connection_id.clone(),
        project: given(&request.project),
        repository: given(&request.repository),
    }
}

/// The project and repository the product's hand-off requires (Datafold's), asked for before
/// anything is created: the checks after creation would refuse them anyway, and revoke.
fn details_given(request: &MintRequest) -> Result<(), MintRefusal> {
    use ado_core::product::FieldSource;
    let profile = &request.profile;
    let name = &profile.product.name;
    for (source, given, what, flag) in [
        (
            FieldSource::Project,
            &request.project,
            "project",
            "--project",
        ),
        (
            FieldSource::Repository,
            &request.repository,
            "repository",
            "--repository",
        ),
    ] {
        let needed = profile
            .handoff
            .fields
            .iter()
            .any(|f| f.source == source && !f.optional);
        if needed && given.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(MintRefusal::new(
                MintCode::DetailsMissing,
                format!("{name} asks for the {what} its token is checked on, and none was chosen; nothing was created."),
                format!("Choose the {what} {name} should use (paste its URL or pick it; the CLI: {flag}), then create the token."),
            ));
        }
    }
    Ok(())
}

/// Creates the product's PATs, checks them with the product's checks through the gate (kept in
/// the keyring like pasted ones only when they pass) and records their `authorizationId`s. Any
/// refusal revokes what this run created.
pub async fn mint_tokens(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    request: MintRequest,
    now_unix: u64,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> Result<MintReport, MintRefusal> {
    details_given(&request)?;
    let (client, saved) = tokens_client(
        connections,
        settings,
        &request.connection_id,
        &request.profile,
    )
    .await?;
    let mut plan = plan_mint(
        &request.profile,
        saved.target.scope_name(),
        request.lifetime_days,
        now_unix,
    );
    let mut created: Vec<(PlannedPat, PatToken)> = Vec::new();
    for planned in plan.tokens.clone() {
        match create(&client, &mut plan, &planned, request.fit_lifetime, now_unix).await {
            Ok(token) => created.push((planned, token)),
            Err(refusal) => {
                let tokens: Vec<PatToken> = created.into_iter().map(|(_, t)| t).collect();
                revoke_all(&client, &tokens).await;
                return Err(refusal);
            }
        }
    }
    let pats: Vec<ConnectorPat> = created
        .iter()
        .filter_map(|(planned, token)| {
            Some(ConnectorPat {
                connector: planned.connector.clone(),
                index: planned.index,
                pat: SecretString::from(token.token.as_ref()?.expose_secret().to_string()),
                expires_on: Some(plan.valid_to[..10].to_string()),
            })
        })
        .collect();
    let check = SavedCheck {
        profile: request.profile.clone(),
        connection_id: request.connection_id.clone(),
        project: request.project.clone(),
        repository: request.repository.clone(),
        pats,
    };
    let tokens: Vec<PatToken> = created.iter().map(|(_, t)| t.clone()).collect();
    let report = match clear_saved(
        connections,
        settings,
        check,
        Clear::Always,
        now_unix,
        on_event,
    )
    .await
    {
        Ok(Outcome::Cleared(_, Some(report))) => report,
        Ok(Outcome::Refused(report)) => {
            revoke_all(&client, &tokens).await;
            let problem = report.refusal();
            return Err(MintRefusal {
                fix: format!("{} The new tokens were revoked.", problem.fix),
                ..MintRefusal::from_problem(MintCode::ChecksFailed, &problem)
            });
        }
        Ok(Outcome::Cleared(_, None)) => unreachable!("Clear::Always runs the checks"),
        Err(problem) => {
            revoke_all(&client, &tokens).await;
            return Err(MintRefusal::from_problem(MintCode::Failed, &problem));
        }
    };
    let key = super::secrets_key(&request.profile);
    let mut minted = Vec::new();
    for (planned, token) in &created {
        let entry = record(planned, token, &plan, &request);
        keep_record(connections, &saved, &key, &entry, token.token.as_ref())?;
        minted.push(entry);
    }
    Ok(MintReport {
        connection_id: request.connection_id,
        plan,
        minted,
        revoked: Vec::new(),
        report,
    })
}

/// The PATs ADO Connect minted for `profile` on a saved connection, revoked ones left out.
pub fn minted_tokens(
    connections: &Connections,
    connection_id: &ProfileId,
    profile: &ProductProfile,
) -> Result<Vec<MintedPat>, crate::Error> {
    let Some(saved) = connections.get(connection_id)? else {
        return Ok(Vec::new());
    };
    Ok(kept_records(connections, &saved, profile)?
        .into_iter()
        .map(|k| k.pat)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_of_a_unix_time() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_796_000_000), "2026-11-30T00:53:20Z");
    }

    #[test]
    fn names_say_product_connector_and_who_made_them() {
        assert_eq!(display_name("DX", "Boards"), "DX – Boards (ADO Connect)");
    }
}
