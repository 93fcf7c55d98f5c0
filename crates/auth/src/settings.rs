//! Which application signs in, for what, and where: [`ClientId`], [`Scopes`], and the overrides
//! read from the environment ([`SignInSettings`]).
//!
//! See `crates/auth/README.md` for why the default client id is Visual Studio's and how to register
//! your own Entra app.

use url::Url;

use crate::authority::{check_tenant, Authority};
use crate::error::ConfigError;
use crate::tenant::TenantHint;

/// The Azure DevOps resource (application) id in Microsoft Entra ID.
pub const AZURE_DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// Visual Studio's public client id, which Git Credential Manager also uses for Azure Repos
/// (redirect URI `http://localhost`, any port). The default [`ClientId`].
pub const VISUAL_STUDIO_CLIENT_ID: &str = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1";

/// Environment variable overriding the client id.
pub const ENV_CLIENT_ID: &str = "ADO_CONNECT_CLIENT_ID";

/// Environment variable overriding the authority: an authority host (`https://login.microsoftonline.us`)
/// or a full authority with tenant (`https://login.microsoftonline.com/contoso.onmicrosoft.com`).
pub const ENV_AUTHORITY: &str = "ADO_CONNECT_AUTHORITY";

/// An application (client) id registered with the authority.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientId(String);

impl ClientId {
    /// Checks that `id` is non-empty printable ASCII without spaces (an Entra application id is a
    /// GUID; other servers use other strings).
    pub fn new(id: impl Into<String>) -> Result<Self, ConfigError> {
        let id = id.into();
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(id))
        } else {
            Err(ConfigError::InvalidClientId { input: id })
        }
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ClientId {
    /// [`VISUAL_STUDIO_CLIENT_ID`].
    fn default() -> Self {
        Self(VISUAL_STUDIO_CLIENT_ID.to_owned())
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The scopes to request, sent space-separated (RFC 6749 §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Checks each scope token against RFC 6749 §3.3 (`%x21 / %x23-5B / %x5D-7E`).
    pub fn new<I, S>(scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        if scopes.is_empty() {
            return Err(ConfigError::NoScopes);
        }
        for scope in &scopes {
            let valid = !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
            if !valid {
                return Err(ConfigError::InvalidScope {
                    input: scope.clone(),
                });
            }
        }
        Ok(Self(scopes))
    }

    /// What a signed-in user's app asks for: every statically consented Azure DevOps permission
    /// (`499b84ac-…/.default`) plus `offline_access` for a refresh token.
    pub fn azure_devops() -> Self {
        Self(vec![
            format!("{AZURE_DEVOPS_RESOURCE}/.default"),
            "offline_access".to_owned(),
        ])
    }

    /// Granular delegated Azure DevOps scopes, e.g. `["vso.code", "vso.project"]` becomes
    /// `499b84ac-…/vso.code 499b84ac-…/vso.project offline_access`.
    pub fn azure_devops_delegated(names: &[&str]) -> Result<Self, ConfigError> {
        Self::new(
            names
                .iter()
                .map(|name| format!("{AZURE_DEVOPS_RESOURCE}/{name}"))
                .chain(["offline_access".to_owned()]),
        )
    }

    /// What a service principal asks for: `499b84ac-…/.default` (client credentials get no
    /// refresh token, and Entra rejects `offline_access` there).
    pub fn service_principal() -> Self {
        Self(vec![format!("{AZURE_DEVOPS_RESOURCE}/.default")])
    }

    /// The scopes, space-separated.
    pub fn to_param(&self) -> String {
        self.0.join(" ")
    }

    /// The scope tokens.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// Where the authority comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthoritySetting {
    /// Microsoft Entra ID in the public cloud; the tenant comes from discovery.
    Discover,
    /// An Entra-style host (national cloud, emulator); the tenant comes from discovery.
    Host(Url),
    /// A fixed authority; discovery is not consulted.
    Fixed(Authority),
}

/// The sign-in settings an administrator or a test can override: client id and authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInSettings {
    /// The application that signs in.
    pub client_id: ClientId,
    /// Where it signs in.
    pub authority: AuthoritySetting,
}

impl Default for SignInSettings {
    fn default() -> Self {
        Self {
            client_id: ClientId::default(),
            authority: AuthoritySetting::Discover,
        }
    }
}

impl SignInSettings {
    /// Reads [`ENV_CLIENT_ID`] and [`ENV_AUTHORITY`] from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the overrides through `lookup` (pure; tests pass a closure). Empty values count as
    /// unset.
    ///
    /// `ADO_CONNECT_AUTHORITY` without a path (`https://login.microsoftonline.us`,
    /// `http://127.0.0.1:8080`) sets the host and keeps tenant discovery; with a path
    /// (`https://login.microsoftonline.com/contoso.onmicrosoft.com`) it fixes the authority.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name| lookup(name).filter(|v: &String| !v.trim().is_empty());
        let client_id = match value(ENV_CLIENT_ID) {
            Some(id) => ClientId::new(id.trim())?,
            None => ClientId::default(),
        };
        let authority = match value(ENV_AUTHORITY) {
            None => AuthoritySetting::Discover,
            Some(text) => {
                let text = text.trim();
                let url = Url::parse(text).map_err(|e| ConfigError::InvalidUrl {
                    input: text.to_owned(),
                    reason: e.to_string(),
                })?;
                if url.path().trim_matches('/').is_empty() {
                    crate::authority::check_endpoint(&url)?;
                    AuthoritySetting::Host(url)
                } else {
                    AuthoritySetting::Fixed(Authority::from_authority_url(text)?)
                }
            }
        };
        Ok(Self {
            client_id,
            authority,
        })
    }

    /// The authority to sign in to an organization with the given tenant hint. Pure.
    ///
    /// A fixed authority wins; otherwise the hinted tenant, or `organizations` (any work or
    /// school account) when the tenant is unknown. Errors with
    /// [`ConfigError::MicrosoftAccountOrganization`] for an MSA-backed organization, which Entra
    /// ID apps cannot serve (suggest a PAT).
    pub fn authority_for(&self, hint: &TenantHint) -> Result<Authority, ConfigError> {
        let tenant = match hint {
            TenantHint::Tenant { tenant_id } => tenant_id.as_str(),
            TenantHint::Unknown => "organizations",
            TenantHint::MicrosoftAccount => {
                return match &self.authority {
                    AuthoritySetting::Fixed(authority) => Ok(authority.clone()),
                    _ => Err(ConfigError::MicrosoftAccountOrganization),
                }
            }
        };
        check_tenant(tenant)?;
        match &self.authority {
            AuthoritySetting::Fixed(authority) => Ok(authority.clone()),
            AuthoritySetting::Host(host) => Authority::entra_at(host, tenant),
            AuthoritySetting::Discover => Authority::entra(tenant),
        }
    }
}
