//! The profile as TOML gives it: every value that validation may complain about keeps its
//! byte span ([`Spanned`]), so an error can name its line.

use serde::Deserialize;
use toml::Spanned;

pub(super) type S<T> = Spanned<T>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Raw {
    pub(super) format: S<u32>,
    pub(super) product: RawProduct,
    pub(super) deployments: RawDeployments,
    pub(super) sign_in: RawSignIn,
    #[serde(default)]
    pub(super) access: Option<RawConnector>,
    #[serde(default)]
    pub(super) connectors: Vec<RawConnector>,
    #[serde(default)]
    pub(super) pat: RawPat,
    #[serde(default)]
    pub(super) placeholders: Vec<RawPlaceholder>,
    #[serde(default)]
    pub(super) webhooks: Option<RawWebhooks>,
    pub(super) handoff: RawHandoff,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProduct {
    pub(super) id: S<String>,
    pub(super) name: S<String>,
    #[serde(default)]
    pub(super) logo: Option<S<String>>,
    #[serde(default)]
    pub(super) docs_url: Option<S<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeployments {
    pub(super) services: bool,
    pub(super) server: S<bool>,
    #[serde(default)]
    pub(super) min_server_version: Option<S<u32>>,
    #[serde(default)]
    pub(super) reachable_from_outside: bool,
    #[serde(default)]
    pub(super) reachable_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSignIn {
    pub(super) methods: S<Vec<S<String>>>,
    pub(super) recommended: S<String>,
    #[serde(default)]
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnector {
    #[serde(default)]
    pub(super) id: Option<S<String>>,
    #[serde(default)]
    pub(super) label: Option<String>,
    #[serde(default)]
    pub(super) capabilities: Vec<S<String>>,
    #[serde(default)]
    pub(super) scopes: Vec<S<String>>,
    #[serde(default)]
    pub(super) several_credentials: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPat {
    #[serde(default)]
    pub(super) expiry_required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlaceholder {
    pub(super) name: S<String>,
    pub(super) label: String,
    #[serde(default)]
    pub(super) default: Option<String>,
    #[serde(default)]
    pub(super) example: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebhooks {
    pub(super) events: S<Vec<S<String>>>,
    pub(super) scope: S<String>,
    pub(super) url: S<String>,
    pub(super) header: S<String>,
    pub(super) secret: S<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHandoff {
    #[serde(default)]
    pub(super) title: Option<String>,
    pub(super) fields: S<Vec<RawField>>,
    #[serde(default)]
    pub(super) post: Option<RawPost>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawField {
    pub(super) source: S<String>,
    pub(super) label: S<String>,
    #[serde(default)]
    pub(super) placeholder: Option<S<String>>,
    #[serde(default)]
    pub(super) deployment: Option<S<String>>,
    #[serde(default)]
    pub(super) optional: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPost {
    pub(super) url: S<String>,
    #[serde(default = "default_auth_header")]
    pub(super) auth_header: String,
    #[serde(default = "default_auth_prefix")]
    pub(super) auth_prefix: String,
    pub(super) token_label: String,
    pub(super) body: S<toml::Table>,
    #[serde(default)]
    pub(super) per_credential: bool,
}

pub(super) fn default_auth_header() -> String {
    "Authorization".into()
}

pub(super) fn default_auth_prefix() -> String {
    "Bearer ".into()
}
