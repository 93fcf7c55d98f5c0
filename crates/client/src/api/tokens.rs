//! PAT Lifecycle Management (`tokens/7.1/tokens.json`): create, get, list, update and revoke the
//! signed-in user's personal access tokens, by `authorizationId`.
//!
//! - Host: Azure DevOps Services serves it on `vssps.dev.azure.com/{organization}`
//!   ([`tokens_base`] turns an organization URL into that base); Azure DevOps Server has no such
//!   API.
//! - api-version `7.1-preview.1` ([`TOKENS_API_VERSION`]).
//! - Only a signed-in user's Microsoft Entra token may call it (not a PAT, not a service
//!   principal).
//! - A refusal comes back as `200` with a `patTokenError` other than `none`
//!   ([`PatTokenError`]); the calls here return it as [`PatCallError::Refused`].
//!
//! The token value is returned once, by [`AdoClient::create_pat`], as a [`SecretString`];
//! gets and lists never carry it.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

/// A PAT's `authorizationId` (a GUID), for callers that do not depend on `uuid` themselves.
pub type AuthorizationId = Uuid;

use crate::{AdoClient, Error, Request};

/// The api-version the tokens API is published at.
pub const TOKENS_API_VERSION: &str = "7.1-preview.1";

const PATS: &str = "_apis/tokens/pats";

/// The base the tokens API hangs off for an organization URL: `https://vssps.dev.azure.com/{org}/`
/// for `dev.azure.com/{org}` and `{org}.visualstudio.com`; any other URL (a sandbox or the
/// emulator, which serve every area on one host) is kept as it is.
pub fn tokens_base(organization_url: &Url) -> Url {
    let host = organization_url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let first_segment = organization_url
        .path_segments()
        .and_then(|mut s| s.find(|s| !s.is_empty()))
        .map(str::to_string);
    let organization = if host == "dev.azure.com" {
        first_segment
    } else {
        host.strip_suffix(".visualstudio.com")
            .filter(|org| !org.is_empty() && !org.contains('.'))
            .map(str::to_string)
    };
    match organization {
        Some(org) => Url::parse(&format!(
            "https://vssps.dev.azure.com/{}/",
            super::encode_segment(&org)
        ))
        .unwrap_or_else(|_| organization_url.clone()),
        None => organization_url.clone(),
    }
}

/// What `POST …/_apis/tokens/pats` takes (`PatTokenCreateRequest`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PatTokenCreateRequest {
    /// The token's name.
    pub display_name: String,
    /// Space-separated scopes, e.g. `vso.code vso.project`.
    pub scope: String,
    /// Expiry, RFC 3339 (e.g. `2027-01-06T00:00:00Z`).
    pub valid_to: String,
    /// `true` asks for a global PAT (every organization of the user): retired since
    /// 1 December 2026, so always `false` here in practice.
    pub all_orgs: bool,
}

/// What `PUT …/_apis/tokens/pats` takes (`PatTokenUpdateRequest`): the fields to change.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PatTokenUpdateRequest {
    /// The token to update.
    pub authorization_id: Uuid,
    /// A new name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// New scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A new expiry, RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    /// Global or not (see [`PatTokenCreateRequest::all_orgs`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_orgs: Option<bool>,
}

/// A personal access token (`PatToken`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PatToken {
    /// Its unique id: what get, update and revoke name.
    pub authorization_id: Uuid,
    /// Its name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Its scopes, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// The organizations (ids) it works on; `None` for a global PAT.
    #[serde(default)]
    pub target_accounts: Option<Vec<Uuid>>,
    /// The token itself: only in the answer to a create.
    #[serde(default, deserialize_with = "secret")]
    pub token: Option<SecretString>,
    /// Created, RFC 3339.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Expires, RFC 3339.
    #[serde(default)]
    pub valid_to: Option<String>,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(SecretString::from))
}

/// `patTokenError`: why the service refused, every value of the published enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)]
pub enum PatTokenError {
    None,
    DisplayNameRequired,
    InvalidDisplayName,
    InvalidValidTo,
    InvalidScope,
    UserIdRequired,
    InvalidUserId,
    InvalidUserType,
    AccessDenied,
    FailedToIssueAccessToken,
    InvalidClient,
    InvalidClientType,
    InvalidClientId,
    InvalidTargetAccounts,
    HostAuthorizationNotFound,
    AuthorizationNotFound,
    FailedToUpdateAccessToken,
    SourceNotSupported,
    #[serde(rename = "invalidSourceIP")]
    InvalidSourceIp,
    InvalidSource,
    DuplicateHash,
    SshPolicyDisabled,
    InvalidToken,
    TokenNotFound,
    InvalidAuthorizationId,
    FailedToReadTenantPolicy,
    GlobalPatPolicyViolation,
    FullScopePatPolicyViolation,
    PatLifespanPolicyViolation,
    InvalidTokenType,
    InvalidAudience,
    InvalidSubject,
    DeploymentHostNotSupported,
    /// A value newer than the published enum.
    #[serde(other)]
    Unknown,
}

impl PatTokenError {
    /// The wire value, e.g. `patLifespanPolicyViolation`.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".to_string())
    }
}

impl std::fmt::Display for PatTokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// `PatTokenResult`: the token or the error.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatTokenResult {
    /// The token (empty when refused).
    #[serde(default)]
    pub pat_token: Option<PatToken>,
    /// `none` on success.
    #[serde(default = "no_error")]
    pub pat_token_error: PatTokenError,
}

fn no_error() -> PatTokenError {
    PatTokenError::None
}

impl PatTokenResult {
    fn into_token(self) -> Result<PatToken, PatCallError> {
        match (self.pat_token_error, self.pat_token) {
            (PatTokenError::None, Some(token)) => Ok(token),
            (PatTokenError::None, None) => Err(PatCallError::Refused(PatTokenError::Unknown)),
            (error, _) => Err(PatCallError::Refused(error)),
        }
    }
}

/// `PagedPatTokens`: one page of a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PagedPatTokens {
    /// The tokens on this page (no token values).
    #[serde(default)]
    pub pat_tokens: Vec<PatToken>,
    /// The next page's token; empty or absent on the last page.
    #[serde(default)]
    pub continuation_token: Option<String>,
}

/// Which tokens a list shows (`displayFilterOption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PatFilter {
    /// Neither revoked nor expired (the service's default).
    #[default]
    Active,
    /// Revoked.
    Revoked,
    /// Expired.
    Expired,
    /// All.
    All,
}

impl PatFilter {
    fn as_str(self) -> &'static str {
        match self {
            PatFilter::Active => "active",
            PatFilter::Revoked => "revoked",
            PatFilter::Expired => "expired",
            PatFilter::All => "all",
        }
    }
}

/// A tokens call that failed: over HTTP, or refused with a `patTokenError`.
#[derive(Debug, thiserror::Error)]
pub enum PatCallError {
    /// The request failed (status, sign-in signal, network…).
    #[error(transparent)]
    Http(Box<Error>),
    /// The service answered with this `patTokenError`.
    #[error("the service refused: patTokenError {0}")]
    Refused(PatTokenError),
}

impl From<Error> for PatCallError {
    fn from(error: Error) -> Self {
        PatCallError::Http(Box::new(error))
    }
}

impl PatCallError {
    /// The HTTP status of a failed request (`401` for a PAT or a token without the scope).
    pub fn status(&self) -> Option<u16> {
        match self {
            PatCallError::Http(error) => error.status(),
            PatCallError::Refused(_) => None,
        }
    }
}

impl AdoClient {
    /// `POST _apis/tokens/pats`: creates a PAT; the answer carries its token, once.
    pub async fn create_pat(
        &self,
        request: &PatTokenCreateRequest,
    ) -> Result<PatToken, PatCallError> {
        let body = serde_json::to_value(request).map_err(|e| Error::Config(e.to_string()))?;
        let result: PatTokenResult = self
            .get_json(Request::post_json(PATS, body).api_version(TOKENS_API_VERSION))
            .await?;
        result.into_token()
    }

    /// `GET _apis/tokens/pats?authorizationId=`: one PAT (no token value).
    pub async fn get_pat(&self, authorization_id: Uuid) -> Result<PatToken, PatCallError> {
        let result: PatTokenResult = self
            .get_json(
                Request::get(PATS)
                    .query("authorizationId", authorization_id)
                    .api_version(TOKENS_API_VERSION),
            )
            .await?;
        result.into_token()
    }

    /// `GET _apis/tokens/pats`: one page of the caller's PATs on this organization.
    pub async fn list_pats(
        &self,
        filter: PatFilter,
        continuation: Option<&str>,
    ) -> Result<PagedPatTokens, Error> {
        let mut request = Request::get(PATS).query("displayFilterOption", filter.as_str());
        if let Some(token) = continuation.filter(|t| !t.is_empty()) {
            request = request.query("continuationToken", token);
        }
        self.get_json(request.api_version(TOKENS_API_VERSION)).await
    }

    /// `PUT _apis/tokens/pats`: changes a valid PAT's name, scopes or expiry.
    pub async fn update_pat(
        &self,
        request: &PatTokenUpdateRequest,
    ) -> Result<PatToken, PatCallError> {
        let body = serde_json::to_value(request).map_err(|e| Error::Config(e.to_string()))?;
        let result: PatTokenResult = self
            .get_json(Request::put_json(PATS, body).api_version(TOKENS_API_VERSION))
            .await?;
        result.into_token()
    }

    /// `DELETE _apis/tokens/pats?authorizationId=`: revokes a PAT; it then fails with 401.
    /// A refusal (an unknown id) comes back as [`PatCallError::Refused`].
    pub async fn revoke_pat(&self, authorization_id: Uuid) -> Result<(), PatCallError> {
        let response = self
            .send(
                Request::delete(PATS)
                    .query("authorizationId", authorization_id)
                    .api_version(TOKENS_API_VERSION),
            )
            .await?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match response.json::<PatTokenResult>() {
            Ok(result) if result.pat_token_error != PatTokenError::None => {
                Err(PatCallError::Refused(result.pat_token_error))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_urls_map_to_vssps_and_others_stay() {
        let base = |u: &str| tokens_base(&Url::parse(u).unwrap()).to_string();
        assert_eq!(
            base("https://dev.azure.com/fabrikam/"),
            "https://vssps.dev.azure.com/fabrikam/"
        );
        assert_eq!(
            base("https://fabrikam.visualstudio.com/"),
            "https://vssps.dev.azure.com/fabrikam/"
        );
        assert_eq!(
            base("http://127.0.0.1:9/fabrikam/"),
            "http://127.0.0.1:9/fabrikam/"
        );
    }

    #[test]
    fn every_published_error_value_reads_and_new_ones_are_unknown() {
        for (wire, error) in [
            (
                "\"patLifespanPolicyViolation\"",
                PatTokenError::PatLifespanPolicyViolation,
            ),
            (
                "\"globalPatPolicyViolation\"",
                PatTokenError::GlobalPatPolicyViolation,
            ),
            ("\"invalidSourceIP\"", PatTokenError::InvalidSourceIp),
            (
                "\"deploymentHostNotSupported\"",
                PatTokenError::DeploymentHostNotSupported,
            ),
            ("\"somethingNew\"", PatTokenError::Unknown),
        ] {
            assert_eq!(serde_json::from_str::<PatTokenError>(wire).unwrap(), error);
        }
        assert_eq!(
            PatTokenError::FullScopePatPolicyViolation.as_str(),
            "fullScopePatPolicyViolation"
        );
    }

    #[test]
    fn a_token_value_is_not_in_debug_output() {
        let token: PatToken = serde_json::from_value(serde_json::json!({
            "authorizationId": Uuid::nil(), "token": "secret-pat-value"
        }))
        .unwrap();
        assert!(!format!("{token:?}").contains("secret-pat-value"));
    }
}
