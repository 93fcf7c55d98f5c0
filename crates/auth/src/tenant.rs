//! Which Entra tenant backs an Azure DevOps organization, read from the headers of an
//! unauthenticated request to it. Pure: the flows crate makes the request (e.g.
//! `GET https://dev.azure.com/{org}/_apis/connectionData` with `X-TFS-FedAuthRedirect: Suppress`)
//! and passes the two header values in.
//!
//! Precedence follows Git Credential Manager (`AzureDevOpsRestApi.GetAuthorityAsync`): a
//! `WWW-Authenticate: Bearer authorization_uri=…/{tenant}` first, then the first non-zero GUID in
//! `X-VSS-ResourceTenant`; an all-zero GUID there means a Microsoft-account-backed organization.
//!
//! Only the tenant is taken from the header, never its host: an organization (or anyone between it
//! and us) must not choose the sign-in host the user types their password into.

use url::Url;

use crate::authority::{check_tenant, is_guid};

/// What the organization's headers say about its tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TenantHint {
    /// Backed by this Entra tenant (a GUID, or a domain if the header named one).
    Tenant {
        /// The tenant id.
        tenant_id: String,
    },
    /// Backed by personal Microsoft accounts (`X-VSS-ResourceTenant` is the all-zero GUID).
    /// Entra ID apps cannot get Azure DevOps tokens for these users: use a PAT.
    MicrosoftAccount,
    /// Nothing usable in the headers; sign in with `organizations`.
    Unknown,
}

impl TenantHint {
    /// What to tell the user, when there is something to say.
    pub fn advice(&self) -> Option<&'static str> {
        match self {
            TenantHint::MicrosoftAccount => Some(
                "This organization is backed by personal Microsoft accounts. \"Sign in with \
                 Microsoft\" (Entra ID) cannot get Azure DevOps tokens for them; create a personal \
                 access token in Azure DevOps (User settings > Personal access tokens) and use that \
                 instead.",
            ),
            TenantHint::Unknown => Some(
                "The organization did not say which directory it belongs to; you can sign in with \
                 any work or school account.",
            ),
            TenantHint::Tenant { .. } => None,
        }
    }
}

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// Reads the tenant from `WWW-Authenticate` and `X-VSS-ResourceTenant` header values (several
/// header lines may be joined with commas). Pure.
pub fn tenant_from_headers(
    www_authenticate: Option<&str>,
    resource_tenant: Option<&str>,
) -> TenantHint {
    let from_bearer = www_authenticate.and_then(bearer_authorization_tenant);
    if let Some(tenant) = &from_bearer {
        if is_specific_tenant(tenant) {
            return TenantHint::Tenant {
                tenant_id: tenant.to_ascii_lowercase(),
            };
        }
    }
    let resource_tenants: Vec<&str> = resource_tenant
        .map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if let Some(tenant) = resource_tenants
        .iter()
        .find(|t| is_guid(t) && !t.eq_ignore_ascii_case(ZERO_GUID))
    {
        return TenantHint::Tenant {
            tenant_id: tenant.to_ascii_lowercase(),
        };
    }
    let zero_resource_tenant =
        !resource_tenants.is_empty() && resource_tenants.iter().all(|t| *t == ZERO_GUID);
    if zero_resource_tenant || from_bearer.as_deref() == Some(ZERO_GUID) {
        return TenantHint::MicrosoftAccount;
    }
    TenantHint::Unknown
}

/// A real tenant, not an alias and not the MSA marker.
fn is_specific_tenant(tenant: &str) -> bool {
    let alias = ["organizations", "common", "consumers"]
        .iter()
        .any(|a| tenant.eq_ignore_ascii_case(a));
    !alias && tenant != ZERO_GUID && check_tenant(tenant).is_ok()
}

/// The first path segment of `authorization_uri` in a `Bearer` challenge.
fn bearer_authorization_tenant(header: &str) -> Option<String> {
    challenges(header)
        .into_iter()
        .filter(|c| c.scheme.eq_ignore_ascii_case("bearer"))
        .flat_map(|c| c.params)
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization_uri"))
        .and_then(|(_, value)| {
            let url = Url::parse(&value).ok()?;
            let tenant = url.path_segments()?.find(|s| !s.is_empty())?.to_owned();
            Some(tenant)
        })
}

/// One `WWW-Authenticate` challenge: a scheme and its `name=value` parameters.
struct Challenge {
    scheme: String,
    params: Vec<(String, String)>,
}

/// Splits a `WWW-Authenticate` value into challenges (RFC 9110 §11.6.1), e.g.
/// `Bearer authorization_uri=https://…, Basic realm="https://…"`. Lenient: token68 forms and
/// stray characters are skipped.
fn challenges(header: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let bytes = header.as_bytes();
    let mut i = 0;
    let skip = |i: &mut usize, set: &[u8]| {
        while *i < bytes.len() && set.contains(&bytes[*i]) {
            *i += 1;
        }
    };
    while i < bytes.len() {
        skip(&mut i, b" \t,");
        let start = i;
        while i < bytes.len() && !b" \t,=".contains(&bytes[i]) {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let token = &header[start..i];
        let mut look = i;
        skip(&mut look, b" \t");
        if look < bytes.len() && bytes[look] == b'=' && !out.is_empty() {
            // A parameter of the current challenge.
            i = look + 1;
            skip(&mut i, b" \t");
            let value = if i < bytes.len() && bytes[i] == b'"' {
                i += 1;
                let mut value = String::new();
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    let ch = header[i..].chars().next().unwrap_or('\u{fffd}');
                    value.push(ch);
                    i += ch.len_utf8();
                }
                i += 1;
                value
            } else {
                let start = i;
                while i < bytes.len() && !b" \t,".contains(&bytes[i]) {
                    i += 1;
                }
                header[start..i].to_owned()
            };
            if let Some(challenge) = out.last_mut() {
                challenge.params.push((token.to_owned(), value));
            }
        } else if look < bytes.len() && bytes[look] == b'=' {
            // token68 or a parameter before any scheme: skip to the next comma.
            while i < bytes.len() && bytes[i] != b',' {
                i += 1;
            }
        } else {
            out.push(Challenge {
                scheme: token.to_owned(),
                params: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_challenges_with_quoted_commas() {
        let parsed =
            challenges(r#"Basic realm="a, b", Bearer authorization_uri=https://x/t, error="e""#);
        let summary: Vec<(String, Vec<(String, String)>)> =
            parsed.into_iter().map(|c| (c.scheme, c.params)).collect();
        assert_eq!(
            summary,
            vec![
                ("Basic".into(), vec![("realm".into(), "a, b".into())]),
                (
                    "Bearer".into(),
                    vec![
                        ("authorization_uri".into(), "https://x/t".into()),
                        ("error".into(), "e".into())
                    ]
                ),
            ]
        );
    }
}
