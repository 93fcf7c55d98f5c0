//! Where to sign in: the authorize, token and device-code endpoints of one authority.
//!
//! Microsoft Entra ID's are `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/{authorize,
//! token,devicecode}` ([`Authority::entra`]); any other OAuth server (the emulator, oidc-provider)
//! is described with [`Authority::custom`] or discovered from its OpenID configuration. The legacy
//! Azure DevOps OAuth service (`app.vssps.visualstudio.com`) is deprecated and deliberately not
//! supported.
//!
//! Every endpoint must be `https`, except on loopback hosts, where `http` never leaves the machine.

use std::net::IpAddr;

use url::Url;

use crate::error::{AuthError, ConfigError};
use crate::transport::HttpClient;

/// The Microsoft Entra ID sign-in host of the public cloud.
pub const ENTRA_LOGIN_HOST: &str = "https://login.microsoftonline.com";

/// The endpoints of one OAuth 2.0 authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    authorize: Url,
    token: Url,
    device_code: Option<Url>,
    issuer: Option<String>,
}

impl Authority {
    /// Microsoft Entra ID in the public cloud for `tenant`: a tenant GUID, a verified domain
    /// (`contoso.onmicrosoft.com`), `organizations` (any work or school account) or `common`.
    pub fn entra(tenant: &str) -> Result<Self, ConfigError> {
        let host = Url::parse(ENTRA_LOGIN_HOST).expect("constant URL parses");
        Self::entra_at(&host, tenant)
    }

    /// An Entra-style authority on another host: a national cloud
    /// (`https://login.microsoftonline.us`) or a stand-in such as the emulator
    /// (`http://127.0.0.1:{port}`). Any path on `host` is kept as a prefix.
    pub fn entra_at(host: &Url, tenant: &str) -> Result<Self, ConfigError> {
        check_tenant(tenant)?;
        let mut authority = host.clone();
        authority.set_query(None);
        authority
            .path_segments_mut()
            .map_err(|()| invalid_url(host.as_str(), "cannot be a base URL"))?
            .pop_if_empty()
            .push(tenant);
        Self::from_authority(authority)
    }

    /// An Entra-style authority URL that already names the tenant, e.g.
    /// `https://login.microsoftonline.com/contoso.onmicrosoft.com` (what MSAL calls the
    /// authority, and what `ADO_CONNECT_AUTHORITY` may hold). The endpoints are
    /// `{authority}/oauth2/v2.0/{authorize,token,devicecode}`.
    pub fn from_authority_url(authority: &str) -> Result<Self, ConfigError> {
        let url = parse_url(authority)?;
        let tenant = url
            .path_segments()
            .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
            .ok_or_else(|| ConfigError::MissingTenant {
                input: authority.to_owned(),
            })?;
        check_tenant(tenant)?;
        Self::from_authority(url)
    }

    fn from_authority(mut authority: Url) -> Result<Self, ConfigError> {
        authority.set_query(None);
        let endpoint = |name: &str| {
            let mut url = authority.clone();
            url.path_segments_mut()
                .map_err(|()| invalid_url(authority.as_str(), "cannot be a base URL"))?
                .pop_if_empty()
                .extend(["oauth2", "v2.0", name]);
            check_endpoint(&url)?;
            Ok::<_, ConfigError>(url)
        };
        Ok(Self {
            authorize: endpoint("authorize")?,
            token: endpoint("token")?,
            device_code: Some(endpoint("devicecode")?),
            issuer: None,
        })
    }

    /// Any OAuth server, by its endpoints. `device_code` is the RFC 8628 device authorization
    /// endpoint, if it has one.
    pub fn custom(
        authorize: &str,
        token: &str,
        device_code: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let checked = |input: &str| {
            let url = parse_url(input)?;
            check_endpoint(&url)?;
            Ok::<_, ConfigError>(url)
        };
        Ok(Self {
            authorize: checked(authorize)?,
            token: checked(token)?,
            device_code: device_code.map(checked).transpose()?,
            issuer: None,
        })
    }

    /// Records the issuer identifier, so that an `iss` parameter on the redirect (RFC 9207) is
    /// checked against it.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Reads an OpenID Connect discovery document (`.well-known/openid-configuration`). Pure.
    ///
    /// When `expected_issuer` is given, the document's `issuer` must equal it (OpenID Connect
    /// Discovery §4.3), except for Entra's multi-tenant documents whose issuer is a
    /// `{tenantid}` template.
    pub fn from_openid_configuration(
        document: &[u8],
        expected_issuer: Option<&str>,
    ) -> Result<Self, ConfigError> {
        #[derive(serde::Deserialize)]
        struct Document {
            issuer: Option<String>,
            authorization_endpoint: Option<String>,
            token_endpoint: Option<String>,
            device_authorization_endpoint: Option<String>,
        }
        let document: Document =
            serde_json::from_slice(document).map_err(|e| ConfigError::Discovery {
                reason: format!("not a JSON object with string endpoints ({e})"),
            })?;
        let missing = |field: &str| ConfigError::Discovery {
            reason: format!("no {field}"),
        };
        let issuer = document.issuer.ok_or_else(|| missing("issuer"))?;
        if let Some(expected) = expected_issuer {
            let templated = issuer.contains("{tenantid}");
            if !templated && issuer.trim_end_matches('/') != expected.trim_end_matches('/') {
                return Err(ConfigError::Discovery {
                    reason: format!("it names issuer {issuer:?}, expected {expected:?}"),
                });
            }
        }
        let authority = Self::custom(
            &document
                .authorization_endpoint
                .ok_or_else(|| missing("authorization_endpoint"))?,
            &document
                .token_endpoint
                .ok_or_else(|| missing("token_endpoint"))?,
            document.device_authorization_endpoint.as_deref(),
        )?;
        Ok(if issuer.contains("{tenantid}") {
            authority
        } else {
            authority.with_issuer(issuer)
        })
    }

    /// Where the discovery document of `issuer` lives: `{issuer}/.well-known/openid-configuration`.
    pub fn openid_configuration_url(issuer: &str) -> Result<Url, ConfigError> {
        let base = parse_url(issuer)?;
        check_endpoint(&base)?;
        let mut url = base.clone();
        url.path_segments_mut()
            .map_err(|()| invalid_url(issuer, "cannot be a base URL"))?
            .pop_if_empty()
            .extend([".well-known", "openid-configuration"]);
        Ok(url)
    }

    /// Fetches and reads the discovery document of `issuer`.
    pub async fn discover(http: &HttpClient, issuer: &str) -> Result<Self, AuthError> {
        let url = Self::openid_configuration_url(issuer)?;
        let document = http.get_json(&url).await?;
        Ok(Self::from_openid_configuration(&document, Some(issuer))?)
    }

    /// The authorization endpoint (opened in the browser).
    pub fn authorize_endpoint(&self) -> &Url {
        &self.authorize
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> &Url {
        &self.token
    }

    /// The device authorization endpoint, if any.
    pub fn device_code_endpoint(&self) -> Option<&Url> {
        self.device_code.as_ref()
    }

    /// The Entra-style authority URL (`{host}/{tenant}`) these endpoints hang off, for
    /// [`Authority::from_authority_url`]; `None` for an authority that is not Entra-style.
    pub fn entra_authority_url(&self) -> Option<String> {
        let path = self.token.path().strip_suffix("/oauth2/v2.0/token")?;
        let mut url = self.token.clone();
        url.set_path(path);
        Some(url.to_string())
    }

    /// The issuer identifier, when known (discovery or [`Authority::with_issuer`]).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
}

fn parse_url(input: &str) -> Result<Url, ConfigError> {
    Url::parse(input).map_err(|e| invalid_url(input, &e.to_string()))
}

fn invalid_url(input: &str, reason: &str) -> ConfigError {
    ConfigError::InvalidUrl {
        input: input.to_owned(),
        reason: reason.to_owned(),
    }
}

/// `https`, or `http` on a loopback host; no user info, no fragment.
pub(crate) fn check_endpoint(url: &Url) -> Result<(), ConfigError> {
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(ConfigError::UnusableEndpoint {
            url: url.to_string(),
        });
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_host(url) => Ok(()),
        _ => Err(ConfigError::InsecureEndpoint {
            url: url.to_string(),
        }),
    }
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A tenant GUID, a domain name, or one of Entra's tenant aliases; never anything that could
/// change the URL's path.
pub(crate) fn check_tenant(tenant: &str) -> Result<(), ConfigError> {
    let alias = ["organizations", "common", "consumers"]
        .iter()
        .any(|a| tenant.eq_ignore_ascii_case(a));
    let domain = tenant.contains('.')
        && tenant.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if alias || is_guid(tenant) || domain {
        Ok(())
    } else {
        Err(ConfigError::InvalidTenant {
            input: tenant.to_owned(),
        })
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits.
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}
