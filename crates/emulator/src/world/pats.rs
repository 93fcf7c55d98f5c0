//! PAT Lifecycle Management (spec `tokens/7.1/tokens.json`): the PATs users mint through the
//! API, and each organization's PAT policies.
//!
//! A minted PAT is a real credential of the world: it authenticates against every other route
//! with exactly its scopes, on its one organization, until it expires or is revoked (then
//! `401`, like any unknown token). Policies (Microsoft's "Manage personal access tokens using
//! policies"): creation restricted to an allow-list, a maximum lifetime, no full-scoped PATs;
//! global (all-organizations) PATs are retired for everyone (since 1 December 2026).
//!
//! Refusals are answered as the spec's `PatTokenResult` with a `patTokenError` value, one per
//! cause (see `FIDELITY.md`).

use std::collections::HashMap;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{Credential, CredentialKind, HostRef, World, WorldHandle};

/// One organization's PAT policies (Organization settings → Policies).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatPolicy {
    /// "Restrict personal access token creation": only these users (emails) may create PATs.
    /// `None`: everyone may.
    pub creation_allow_list: Option<Vec<String>>,
    /// "Enforce maximum personal access token lifespan", in days.
    pub max_lifetime_days: Option<u32>,
    /// "Restrict creation of full-scoped personal access tokens".
    pub no_full_scope: bool,
}

/// A PAT minted through the API (the token value lives in the world's credentials).
#[derive(Debug, Clone)]
pub(crate) struct MintedPat {
    pub authorization_id: Uuid,
    pub user_id: Uuid,
    /// The organization's name, lowercased.
    pub organization: String,
    pub display_name: String,
    pub scope: String,
    pub valid_from: OffsetDateTime,
    pub token: String,
}

/// What a caller sees of a minted PAT (never the token value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedPatInfo {
    /// The PAT's `authorizationId`.
    pub authorization_id: Uuid,
    /// Its name.
    pub display_name: String,
    /// Its scopes, space-separated.
    pub scope: String,
    /// The organization it works on.
    pub organization: String,
    /// Its owner's email.
    pub user: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// Minted PATs and policies, kept in the [`World`].
#[derive(Debug, Clone, Default)]
pub(crate) struct PatStore {
    pub minted: Vec<MintedPat>,
    /// By organization name, lowercased.
    pub policies: HashMap<String, PatPolicy>,
}

/// The spec's `patTokenError` values the emulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatError {
    DisplayNameRequired,
    InvalidValidTo,
    InvalidScope,
    InvalidUserType,
    AccessDenied,
    AuthorizationNotFound,
    InvalidToken,
    FailedToReadTenantPolicy,
    GlobalPatPolicyViolation,
    FullScopePatPolicyViolation,
    PatLifespanPolicyViolation,
}

impl PatError {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            PatError::DisplayNameRequired => "displayNameRequired",
            PatError::InvalidValidTo => "invalidValidTo",
            PatError::InvalidScope => "invalidScope",
            PatError::InvalidUserType => "invalidUserType",
            PatError::AccessDenied => "accessDenied",
            PatError::AuthorizationNotFound => "authorizationNotFound",
            PatError::InvalidToken => "invalidToken",
            PatError::FailedToReadTenantPolicy => "failedToReadTenantPolicy",
            PatError::GlobalPatPolicyViolation => "globalPatPolicyViolation",
            PatError::FullScopePatPolicyViolation => "fullScopePatPolicyViolation",
            PatError::PatLifespanPolicyViolation => "patLifespanPolicyViolation",
        }
    }
}

/// What a create or update asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatRequest {
    pub display_name: Option<String>,
    pub scope: Option<String>,
    pub valid_to: Option<OffsetDateTime>,
    pub all_orgs: Option<bool>,
}

/// A minted PAT as the API shows it, with the credential's state.
#[derive(Debug, Clone)]
pub(crate) struct PatView {
    pub pat: MintedPat,
    pub valid_to: OffsetDateTime,
    pub revoked: bool,
    pub target_account: Uuid,
}

/// Whether `scope` is a PAT scope the service knows: `app_token` (full access) or `vso.*`.
fn known_scope(scope: &str) -> bool {
    scope == "app_token"
        || scope.strip_prefix("vso.").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// A new PAT: 52 characters of base32 letters and digits, like the service's older format.
fn new_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = Vec::with_capacity(64);
    for _ in 0..4 {
        bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    }
    bytes
        .iter()
        .take(52)
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

impl World {
    fn pat_policy(&self, organization: usize) -> PatPolicy {
        let name = self.organizations[organization].name.to_lowercase();
        self.pats.policies.get(&name).cloned().unwrap_or_default()
    }

    /// Checks a create or update against the organization's policies and the request's own
    /// validity.
    fn check_pat(
        &self,
        organization: usize,
        user_id: Uuid,
        request: &PatRequest,
        now: OffsetDateTime,
    ) -> Result<(), PatError> {
        if self.organizations[organization].tenant_id.is_nil() {
            // An MSA-backed organization has no tenant whose policies the service can read.
            return Err(PatError::FailedToReadTenantPolicy);
        }
        let policy = self.pat_policy(organization);
        if let Some(allowed) = &policy.creation_allow_list {
            let email = self.user(user_id).map(|u| u.email.to_lowercase());
            if !allowed
                .iter()
                .any(|a| Some(a.to_lowercase()) == email.clone())
            {
                return Err(PatError::AccessDenied);
            }
        }
        if request.all_orgs == Some(true) {
            return Err(PatError::GlobalPatPolicyViolation);
        }
        if let Some(name) = &request.display_name {
            if name.trim().is_empty() {
                return Err(PatError::DisplayNameRequired);
            }
        }
        if let Some(scope) = &request.scope {
            let scopes: Vec<&str> = scope.split_whitespace().collect();
            if scopes.is_empty() || !scopes.iter().all(|s| known_scope(s)) {
                return Err(PatError::InvalidScope);
            }
            if policy.no_full_scope && scopes.contains(&"app_token") {
                return Err(PatError::FullScopePatPolicyViolation);
            }
        }
        if let Some(valid_to) = request.valid_to {
            if valid_to <= now {
                return Err(PatError::InvalidValidTo);
            }
            if let Some(days) = policy.max_lifetime_days {
                if valid_to > now + time::Duration::days(i64::from(days)) {
                    return Err(PatError::PatLifespanPolicyViolation);
                }
            }
        }
        Ok(())
    }

    /// Creates a PAT for `user_id` on `organization`, returning it with its token.
    pub(crate) fn mint_pat(
        &mut self,
        organization: usize,
        user_id: Uuid,
        request: &PatRequest,
        now: OffsetDateTime,
    ) -> Result<PatView, PatError> {
        let Some(display_name) = request.display_name.clone() else {
            return Err(PatError::DisplayNameRequired);
        };
        let Some(scope) = request.scope.clone() else {
            return Err(PatError::InvalidScope);
        };
        // Without validTo the service gives the default lifetime (30 days), within the policy.
        let max_days = self.pat_policy(organization).max_lifetime_days;
        let valid_to = request.valid_to.unwrap_or_else(|| {
            now + time::Duration::days(i64::from(max_days.unwrap_or(30).min(30)))
        });
        let request = PatRequest {
            valid_to: Some(valid_to),
            ..request.clone()
        };
        self.check_pat(organization, user_id, &request, now)?;
        let organization_name = self.organizations[organization].name.to_lowercase();
        let token = new_token();
        let pat = MintedPat {
            authorization_id: Uuid::new_v4(),
            user_id,
            organization: organization_name.clone(),
            display_name: display_name.clone(),
            scope: scope.split_whitespace().collect::<Vec<_>>().join(" "),
            valid_from: now,
            token: token.clone(),
        };
        self.credentials.push(Credential {
            kind: CredentialKind::Pat,
            token,
            name: display_name,
            user_id,
            scopes: pat.scope.split(' ').map(str::to_string).collect(),
            valid_to: Some(valid_to),
            revoked: false,
            all_hosts: false,
            organizations: vec![organization_name],
            collections: Vec::new(),
        });
        self.pats.minted.push(pat.clone());
        self.change_id += 1;
        Ok(self.pat_view(&pat))
    }

    fn pat_view(&self, pat: &MintedPat) -> PatView {
        let credential = self
            .credentials
            .iter()
            .find(|c| c.kind == CredentialKind::Pat && c.token == pat.token);
        let target_account = self
            .organization_index(&pat.organization)
            .map(|o| self.organizations[o].id)
            .unwrap_or_default();
        PatView {
            pat: pat.clone(),
            valid_to: credential
                .and_then(|c| c.valid_to)
                .unwrap_or(pat.valid_from),
            revoked: credential.is_none_or(|c| c.revoked),
            target_account,
        }
    }

    /// The caller's PATs minted on `organization`, oldest first.
    pub(crate) fn pats_of(&self, organization: usize, user_id: Uuid) -> Vec<PatView> {
        let name = self.organizations[organization].name.to_lowercase();
        self.pats
            .minted
            .iter()
            .filter(|p| p.organization == name && p.user_id == user_id)
            .map(|p| self.pat_view(p))
            .collect()
    }

    fn pat_index(&self, organization: usize, user_id: Uuid, id: Uuid) -> Option<usize> {
        let name = self.organizations[organization].name.to_lowercase();
        self.pats.minted.iter().position(|p| {
            p.authorization_id == id && p.organization == name && p.user_id == user_id
        })
    }

    /// One of the caller's PATs.
    pub(crate) fn pat(
        &self,
        organization: usize,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<PatView, PatError> {
        let index = self
            .pat_index(organization, user_id, id)
            .ok_or(PatError::AuthorizationNotFound)?;
        Ok(self.pat_view(&self.pats.minted[index]))
    }

    /// Revokes one of the caller's PATs: it then fails with `401` everywhere.
    pub(crate) fn revoke_pat(
        &mut self,
        organization: usize,
        user_id: Uuid,
        id: Uuid,
    ) -> Result<(), PatError> {
        let index = self
            .pat_index(organization, user_id, id)
            .ok_or(PatError::AuthorizationNotFound)?;
        let token = self.pats.minted[index].token.clone();
        for credential in self.credentials.iter_mut().filter(|c| c.token == token) {
            credential.revoked = true;
        }
        self.change_id += 1;
        Ok(())
    }

    /// Updates one of the caller's valid PATs (name, scopes, expiry), within the policies.
    pub(crate) fn update_pat(
        &mut self,
        organization: usize,
        user_id: Uuid,
        id: Uuid,
        request: &PatRequest,
        now: OffsetDateTime,
    ) -> Result<PatView, PatError> {
        let index = self
            .pat_index(organization, user_id, id)
            .ok_or(PatError::AuthorizationNotFound)?;
        if self.pat_view(&self.pats.minted[index]).revoked {
            return Err(PatError::InvalidToken);
        }
        self.check_pat(organization, user_id, request, now)?;
        let pat = &mut self.pats.minted[index];
        if let Some(name) = &request.display_name {
            pat.display_name = name.clone();
        }
        if let Some(scope) = &request.scope {
            pat.scope = scope.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        let pat = pat.clone();
        if let Some(credential) = self
            .credentials
            .iter_mut()
            .find(|c| c.kind == CredentialKind::Pat && c.token == pat.token)
        {
            credential.name = pat.display_name.clone();
            credential.scopes = pat.scope.split(' ').map(str::to_string).collect();
            if let Some(valid_to) = request.valid_to {
                credential.valid_to = Some(valid_to);
            }
        }
        self.change_id += 1;
        Ok(self.pat_view(&pat))
    }

    /// The organizations a credential works on, for the accounts API.
    pub(crate) fn organizations_of(&self, credential: &Credential) -> Vec<usize> {
        (0..self.organizations.len())
            .filter(|o| credential.works_on(self, HostRef::Organization(*o)))
            .collect()
    }
}

impl WorldHandle {
    /// Sets an organization's PAT policies (replacing what was set before).
    pub fn set_pat_policy(&self, organization: &str, policy: PatPolicy) {
        let mut world = self.inner.write().unwrap_or_else(|e| e.into_inner());
        world
            .pats
            .policies
            .insert(organization.to_lowercase(), policy);
        world.change_id += 1;
    }

    /// Every PAT minted through the API so far, revoked ones included (no token values).
    pub fn minted_pats(&self) -> Vec<MintedPatInfo> {
        let world = self.read();
        world
            .pats
            .minted
            .iter()
            .map(|p| {
                let view = world.pat_view(p);
                MintedPatInfo {
                    authorization_id: p.authorization_id,
                    display_name: p.display_name.clone(),
                    scope: p.scope.clone(),
                    organization: p.organization.clone(),
                    user: world
                        .user(p.user_id)
                        .map(|u| u.email.clone())
                        .unwrap_or_default(),
                    revoked: view.revoked,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pat_scopes_are_full_access_or_named_vso_scopes() {
        assert!(known_scope("app_token"));
        assert!(known_scope("vso.code_write"));
        assert!(!known_scope("vso."));
        assert!(!known_scope("repo"));
        assert!(!known_scope("vso.Code"));
    }

    #[test]
    fn new_tokens_are_52_base32_characters() {
        let token = new_token();
        assert_eq!(token.len(), 52);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
        assert_ne!(token, new_token(), "each token is new");
    }
}
