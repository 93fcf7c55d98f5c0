//! Why minting was refused: one [`MintCode`] per cause, with its message and fix; Azure DevOps
//! Server gets the token page's steps with the exact scopes instead.

use ado_client::api::tokens::PatTokenError;
use ado_core::product::ProductProfile;
use serde::Serialize;

use super::{pat_name, MintPlan};

/// Why minting was refused: one code per cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MintCode {
    /// The organization restricts PAT creation to an allow-list (`accessDenied`).
    PatCreationRestricted,
    /// The lifetime is over the organization's maximum (`patLifespanPolicyViolation`).
    PatLifetimeOverMaximum,
    /// The organization refuses full-scoped PATs (`fullScopePatPolicyViolation`).
    FullScopeRefused,
    /// Global PATs are retired (`globalPatPolicyViolation`).
    GlobalPatRetired,
    /// The organization is backed by Microsoft accounts, not Microsoft Entra ID.
    MsaOrganization,
    /// The connection is a service principal, which cannot own PATs.
    ServicePrincipalCannotMint,
    /// Azure DevOps Server has no PAT Lifecycle Management API.
    ServerHasNoPatApi,
    /// The connection signs in with a PAT, not a Microsoft sign-in.
    NotMicrosoftSignIn,
    /// Entra wants the user to allow the tokens API's permission first (AADSTS65001,
    /// `interaction_required`): the interactive sign-in asking for it cures it.
    ConsentRequired,
    /// The saved sign-in can no longer be renewed (revoked, expired): sign in again.
    SignInAgain,
    /// The product is not handed a PAT (dbt, Appcircle on Services): nothing to create.
    ProductTakesNoPat,
    /// The API refused for another reason (its `patTokenError` is in the message).
    PatApiRefused,
    /// The project or repository the product's hand-off requires was not chosen (nothing made).
    DetailsMissing,
    /// The new PATs failed the product's checks (they were revoked).
    ChecksFailed,
    /// The request failed (network, keyring, …).
    Failed,
}

/// A refusal: code, cause, fix, and what the fix offers.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message} {fix}")]
pub struct MintRefusal {
    /// The stable code.
    pub code: MintCode,
    /// The cause in one line.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// A lifetime the organization may accept (lifetime over the maximum).
    pub offer_days: Option<u32>,
    /// Azure DevOps Server: the token page's steps, with the exact scopes per connector.
    pub steps: Vec<String>,
}

impl MintRefusal {
    pub(super) fn new(code: MintCode, message: impl Into<String>, fix: impl Into<String>) -> Self {
        MintRefusal {
            code,
            message: message.into(),
            fix: fix.into(),
            offer_days: None,
            steps: Vec::new(),
        }
    }

    pub(super) fn from_problem(code: MintCode, problem: impl Into<crate::Error>) -> Self {
        let problem = problem.into();
        MintRefusal::new(code, problem.message, problem.fix)
    }

    /// The refusal for a `patTokenError`.
    pub fn from_pat_error(error: PatTokenError, plan: &MintPlan) -> Self {
        let org = &plan.organization;
        match error {
            PatTokenError::AccessDenied => MintRefusal::new(
                MintCode::PatCreationRestricted,
                format!("The organization {org} lets only the accounts on its allow-list create personal access tokens, and yours is not on it."),
                "Sign in with an account on the allow-list, or ask a Project Collection Administrator to add you (Organization settings → Policies → Restrict personal access token creation); or paste tokens an allowed account made.",
            ),
            PatTokenError::PatLifespanPolicyViolation => lifetime_refusal(plan, None),
            PatTokenError::FullScopePatPolicyViolation => MintRefusal::new(
                MintCode::FullScopeRefused,
                format!("The organization {org} refuses full-access personal access tokens, and the product's profile asks for full access."),
                "Ask the product for its narrower scope list (the profile's connectors), or an administrator to lift \"Restrict creation of full-scoped personal access tokens\".",
            ),
            PatTokenError::GlobalPatPolicyViolation => MintRefusal::new(
                MintCode::GlobalPatRetired,
                "Global (all-organizations) personal access tokens are retired.",
                "Create organization-scoped tokens (ADO Connect always does).",
            ),
            PatTokenError::FailedToReadTenantPolicy => msa_refusal(org),
            PatTokenError::InvalidUserType => service_principal_refusal(),
            PatTokenError::DeploymentHostNotSupported => MintRefusal::new(
                MintCode::ServerHasNoPatApi,
                "This Azure DevOps deployment has no PAT Lifecycle Management API.",
                "Create the tokens on the token page and paste them.",
            ),
            other => MintRefusal::new(
                MintCode::PatApiRefused,
                format!("Azure DevOps refused to create the token ({other})."),
                "Create the tokens on the token page and paste them, or try again later.",
            ),
        }
    }
}

/// Over the organization's maximum lifetime, offering `offer` days: the longest of
/// [`super::LIFETIME_RUNGS`] the organization accepted (the API does not state its maximum), or nothing
/// when not even a day is accepted or the rungs were not tried.
pub(super) fn lifetime_refusal(plan: &MintPlan, offer: Option<u32>) -> MintRefusal {
    let org = &plan.organization;
    let message = format!(
        "The organization {org} caps personal access tokens below {} days.",
        plan.lifetime_days
    );
    let (message, fix) = match offer {
        Some(days) => (
            format!("{message} The longest it accepts is {days} days (Azure DevOps does not state the maximum: ADO Connect tried shorter lifetimes, 365, 180, 90, 60, 30, 14, 7, 2 or 1 days, until one was accepted, and revoked that token at once)."),
            format!("Create them for {days} days instead, or ask a Project Collection Administrator for a longer maximum (Organization settings → Policies)."),
        ),
        None => (
            message,
            "Let ADO Connect fit the expiry to the organization's maximum (--fit-lifetime), or ask a Project Collection Administrator for the maximum lifetime (Organization settings → Policies).".to_string(),
        ),
    };
    MintRefusal {
        offer_days: offer,
        ..MintRefusal::new(MintCode::PatLifetimeOverMaximum, message, fix)
    }
}

pub(super) fn msa_refusal(org: &str) -> MintRefusal {
    MintRefusal::new(
        MintCode::MsaOrganization,
        format!("The organization {org} is connected to Microsoft accounts, not Microsoft Entra ID, so its tokens cannot be created through the API."),
        "Create the tokens on the token page and paste them, or connect the organization to Microsoft Entra ID (Organization settings → Microsoft Entra).",
    )
}

pub(super) fn service_principal_refusal() -> MintRefusal {
    MintRefusal::new(
        MintCode::ServicePrincipalCannotMint,
        "A service principal cannot own personal access tokens.",
        "Paste a PAT made by a user (or sign in with Microsoft as that user and let ADO Connect create them).",
    )
}

/// Azure DevOps Server: the token page's steps, with each connector's scopes.
pub(super) fn server_refusal(profile: &ProductProfile, collection_url: &str) -> MintRefusal {
    let mut steps = vec![format!(
        "Open {}/_usersSettings/tokens (User settings → Personal access tokens).",
        collection_url.trim_end_matches('/')
    )];
    for c in &profile.connectors {
        let access = c.access();
        steps.push(format!(
            "New Token \"{}\": Scopes → Custom defined, tick {} ({}); pick an expiry; Create, copy it and paste it for {}.",
            pat_name(profile, &c.label),
            access.pat_scopes.join(", "),
            access.scope_ids.join(" "),
            if profile.connectors.len() > 1 { c.label.as_str() } else { profile.product.name.as_str() },
        ));
    }
    MintRefusal {
        steps,
        ..MintRefusal::new(
            MintCode::ServerHasNoPatApi,
            "Azure DevOps Server has no API to create personal access tokens.",
            "Create them on the server's token page as the steps say, and paste them.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(days: u32) -> MintPlan {
        MintPlan {
            product: "DX".into(),
            organization: "fabrikam".into(),
            lifetime_days: days,
            valid_to: "2027-01-01T00:00:00Z".into(),
            tokens: Vec::new(),
        }
    }

    #[test]
    fn each_policy_error_has_its_own_code() {
        for (error, code) in [
            (PatTokenError::AccessDenied, MintCode::PatCreationRestricted),
            (
                PatTokenError::PatLifespanPolicyViolation,
                MintCode::PatLifetimeOverMaximum,
            ),
            (
                PatTokenError::FullScopePatPolicyViolation,
                MintCode::FullScopeRefused,
            ),
            (
                PatTokenError::GlobalPatPolicyViolation,
                MintCode::GlobalPatRetired,
            ),
            (
                PatTokenError::FailedToReadTenantPolicy,
                MintCode::MsaOrganization,
            ),
            (
                PatTokenError::InvalidUserType,
                MintCode::ServicePrincipalCannotMint,
            ),
            (
                PatTokenError::DeploymentHostNotSupported,
                MintCode::ServerHasNoPatApi,
            ),
            (PatTokenError::InvalidScope, MintCode::PatApiRefused),
        ] {
            let refusal = MintRefusal::from_pat_error(error, &plan(90));
            assert_eq!(refusal.code, code, "{error}");
            assert!(!refusal.fix.is_empty(), "{error} has a fix");
        }
    }

    #[test]
    fn a_lifetime_over_the_maximum_offers_what_was_found_accepted() {
        let refusal = lifetime_refusal(&plan(90), Some(30));
        assert_eq!(refusal.code, MintCode::PatLifetimeOverMaximum);
        assert_eq!(refusal.offer_days, Some(30));
        assert!(
            refusal.message.contains("is 30 days"),
            "{}",
            refusal.message
        );
        assert!(refusal.fix.contains("30 days"), "{}", refusal.fix);
        let none = lifetime_refusal(&plan(1), None);
        assert_eq!(none.offer_days, None, "nothing accepted, nothing offered");
        assert!(none.fix.contains("Administrator"));
        assert_eq!(
            MintRefusal::from_pat_error(PatTokenError::PatLifespanPolicyViolation, &plan(90))
                .offer_days,
            None,
            "the error alone says no maximum"
        );
    }
}
