//! Product profiles: one small declarative file in which a product (dbt, DX, Datafold, …) says
//! what it needs from an Azure DevOps connection, and in what shape it wants it handed over.
//!
//! Pure, like the rest of the core: text in, a validated [`ProductProfile`] or errors naming the
//! line and the field out ([`parse_profile`]); facts in, verdicts out ([`verdicts`]); field
//! values and templates rendered from facts the caller gathered ([`handoff`]).
//!
//! # Why TOML
//! Profiles are written by hand by a product's engineers and read by admins who review what a
//! product will get; TOML reads like the setup page it replaces (comments, no braces), and the
//! `toml` crate reports byte spans for every value, which is how an error names its line. The
//! JSON Schema in `profiles/schema.json` describes the same data model (editors such as Taplo
//! validate TOML against JSON Schemas); this module is the authority, the schema the contract.
//!
//! # Terminology
//! - **Capability**: what the connection is for (`repos`, `pulls`, …; [`crate::capabilities`]).
//! - **Scope**: an Azure DevOps PAT/OAuth scope (`vso.code_write`), named exactly as Microsoft's
//!   scope table names it; [`KNOWN_SCOPES`] lists the ones a profile may ask for.
//! - **Connector**: one credential's worth of access (DX has four); a profile without
//!   `[[connectors]]` has one implicit connector called `default`.
//! - **Hand-off**: the verified connection delivered to the product: fields to paste, an
//!   export file, an HTTPS POST, and a script that recreates the webhooks.
//! - **Placeholder**: a `{name}` in a URL or body template that the user (or the wizard) fills
//!   in, e.g. `{dx_url}`.

pub mod handoff;
mod parse;
mod raw;
mod read;
mod rules;
mod syntax;
pub mod verdicts;

use serde::{Deserialize, Serialize};

use crate::capabilities::{access_plan, Capability, Scope};
use crate::target::Deployment;
use crate::webhook::EventKind;

pub use parse::{is_plain_relative_path, parse_profile, ProfileError, ProfileErrors};

/// The profile format this build reads (`format = 1`).
pub const FORMAT_VERSION: u32 = 1;

/// The largest logo a profile may carry (file or data URL, decoded): 64 KiB.
pub const MAX_LOGO_BYTES: usize = 64 * 1024;

/// Scopes a profile may ask for, with the label of the PAT page. Names from Microsoft's scope
/// table (`integrate/includes/scopes.md`).
pub const KNOWN_SCOPES: &[Scope] = &[
    Scope::PROJECT_READ,
    Scope::CODE_READ,
    Scope {
        id: "vso.code_write",
        pat_label: "Code (Read & write)",
    },
    Scope {
        id: "vso.code_manage",
        pat_label: "Code (Read, write, & manage)",
    },
    Scope::BUILD_READ,
    Scope::WORK_READ,
    Scope {
        id: "vso.graph",
        pat_label: "Graph (Read)",
    },
    Scope {
        id: "vso.identity",
        pat_label: "Identity (Read)",
    },
    Scope {
        id: "vso.release",
        pat_label: "Release (Read)",
    },
    Scope {
        id: "vso.taskgroups_read",
        pat_label: "Task Groups (Read)",
    },
];

/// The scope named `id`, if a profile may ask for it.
pub fn known_scope(id: &str) -> Option<Scope> {
    KNOWN_SCOPES.iter().copied().find(|s| s.id == id)
}

/// A validated product profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductProfile {
    /// The format version (1).
    pub format: u32,
    /// Where the profile came from, as the flows loaded it (a canonical file path, or a picked
    /// file's name and digest); not part of the file. What the product keeps (tokens, secrets)
    /// is bound to it, with the hosts the product's URLs name, and never to the id alone: a file
    /// that borrows another product's id is another product.
    pub origin: Option<String>,
    /// Who the product is.
    pub product: ProductInfo,
    /// Where it works.
    pub deployments: Deployments,
    /// How it accepts being signed in (`[sign_in]`), unless a deployment says otherwise.
    pub sign_in: SignInRule,
    /// `[sign_in.services]`: how it accepts being signed in on Azure DevOps Services, when that
    /// differs (Appcircle: its own OAuth on Services, a PAT on Server).
    pub sign_in_services: Option<SignInRule>,
    /// `[sign_in.server]`: the same for Azure DevOps Server.
    pub sign_in_server: Option<SignInRule>,
    /// What access it needs, one entry per credential (at least one).
    pub connectors: Vec<Connector>,
    /// Whether a PAT must have an expiry date.
    pub pat_expiry_required: bool,
    /// `[pat] one_per_connector`: each connector needs its own token (and, the product says,
    /// its own identity): the connection's token does not serve them, and two connectors whose
    /// tokens belong to the same identity are warned about (DX).
    pub pat_one_per_connector: bool,
    /// Values the user completes (`{dx_url}`), with labels.
    pub placeholders: Vec<Placeholder>,
    /// `[verification]`: the calls the product itself makes to verify a connection, and its
    /// own error codes. When given, the product check runs exactly these (plus the
    /// permissions the connectors name); otherwise read-only calls derived from the
    /// capabilities and scopes.
    pub verification: Option<Verification>,
    /// The webhooks it wants: registered by the wizard, or created by the product itself.
    pub webhooks: Option<WebhookRule>,
    /// What it wants handed over.
    pub handoff: HandoffRule,
}

/// The product's name and look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductInfo {
    /// A short id for keyring keys and file names, e.g. `dx`.
    pub id: String,
    /// The name shown in the header, e.g. `DX`.
    pub name: String,
    /// A logo: a path relative to the profile file, or a `data:image/…` URL. The flows resolve
    /// a path into a data URL (size-limited to [`MAX_LOGO_BYTES`]).
    pub logo: Option<String>,
    /// The product's setup page, for "Learn more".
    pub docs_url: Option<String>,
}

/// Which deployments the product supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployments {
    /// Azure DevOps Services.
    pub services: bool,
    /// Azure DevOps Server.
    pub server: bool,
    /// The oldest Server release supported (2019, 2020 or 2022).
    pub min_server_version: Option<u32>,
    /// The product's cloud connects to the server, so its public URL must not be a loopback,
    /// private or link-local address.
    pub reachable_from_outside: bool,
    /// Why (shown with a failing check).
    pub reachable_reason: Option<String>,
    /// The product's form takes the server URL *without a path* plus a collection name, so a
    /// collection under a virtual directory (`https://host/tfs/Coll`) cannot be described to it
    /// (Appcircle would call `https://host/Coll/_apis/…`).
    pub bare_server_url: bool,
}

/// A way to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// A personal access token.
    Pat,
    /// Microsoft Entra ID in the browser (authorization code + PKCE).
    Browser,
    /// Microsoft Entra ID device code.
    DeviceCode,
    /// A service principal (client credentials).
    ServicePrincipal,
}

impl SignInMethod {
    /// Every method, as profiles spell them.
    pub const ALL: [SignInMethod; 4] = [
        SignInMethod::Pat,
        SignInMethod::Browser,
        SignInMethod::DeviceCode,
        SignInMethod::ServicePrincipal,
    ];

    /// The profile spelling, e.g. `service_principal`.
    pub fn name(self) -> &'static str {
        match self {
            SignInMethod::Pat => "pat",
            SignInMethod::Browser => "browser",
            SignInMethod::DeviceCode => "device_code",
            SignInMethod::ServicePrincipal => "service_principal",
        }
    }

    /// The label users read.
    pub fn label(self) -> &'static str {
        match self {
            SignInMethod::Pat => "Personal access token",
            SignInMethod::Browser => "Sign in with Microsoft (browser)",
            SignInMethod::DeviceCode => "Sign in with Microsoft (device code)",
            SignInMethod::ServicePrincipal => "Service principal",
        }
    }

    fn parse(name: &str) -> Option<SignInMethod> {
        SignInMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The sign-in methods a product accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRule {
    /// Accepted methods, in the product's order.
    pub methods: Vec<SignInMethod>,
    /// The one to preselect.
    pub recommended: SignInMethod,
    /// Why (e.g. "service principals survive people leaving").
    pub note: Option<String>,
}

/// One credential's access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connector {
    /// `default` for profiles without connectors; otherwise e.g. `boards`.
    pub id: String,
    /// The product's name for it, e.g. `Boards`.
    pub label: String,
    /// Capabilities (probed by the preflight).
    pub capabilities: Vec<Capability>,
    /// Scopes beyond those the capabilities imply.
    pub scopes: Vec<Scope>,
    /// Whether the product wants several credentials for this connector (rate limits).
    pub several_credentials: bool,
    /// Permissions (not scopes) the identity must hold, checked read-only.
    pub permissions: Vec<Permission>,
}

/// A permission an identity must hold, evaluated through `security/permissionevaluationbatch`
/// (read-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Git "Contribute to pull requests" on the chosen repository (Datafold posts reports).
    ContributeToPullRequests,
}

impl Permission {
    /// Every permission, as profiles spell them.
    pub const ALL: [Permission; 1] = [Permission::ContributeToPullRequests];

    /// The profile spelling.
    pub fn name(self) -> &'static str {
        match self {
            Permission::ContributeToPullRequests => "contribute_to_pull_requests",
        }
    }

    /// As Azure DevOps' permission pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Permission::ContributeToPullRequests => "Contribute to pull requests",
        }
    }

    /// The profile spelling parsed.
    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// `[verification]`: how the product itself verifies a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// The product's own error codes, used in the check rows where they apply.
    pub codes: ProductCodes,
    /// The calls, in the product's order.
    pub calls: Vec<VerifyCall>,
}

/// The product's names for what went wrong (DX: `invalid_credentials`, `invalid_permissions`,
/// `no_resources`). Any may be absent: the row then carries only ADO Connect's code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductCodes {
    /// HTTP 401.
    pub unauthorized: Option<String>,
    /// HTTP 403.
    pub forbidden: Option<String>,
    /// HTTP 404, or an empty list where the call expects items.
    pub no_resources: Option<String>,
}

/// One read-only call the product makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyCall {
    /// The row's title ("List projects").
    pub title: String,
    /// `GET` path relative to the organization or collection URL, with an optional query; a
    /// template over `{project}`, `{project_id}`, `{repository}`, `{repository_id}`,
    /// `{pull_request_id}` (e.g. `_apis/git/repositories?projectId={project_id}`).
    pub path: String,
    /// The `api-version` the product sends (`7.0`; Appcircle `6.0`).
    pub api_version: String,
    /// `vssps` for an API Azure DevOps Services serves on `vssps.dev.azure.com` (Graph).
    pub host: Option<String>,
    /// The connectors whose tokens make it; empty: every connector.
    pub connectors: Vec<String>,
    /// An empty `value` list counts as "no resources".
    pub expect_items: bool,
    /// Text that must not appear in the answer (Appcircle: `localhost`, a misconfigured public
    /// URL).
    pub forbid_text: Vec<String>,
}

impl VerifyCall {
    /// Whether `connector`'s tokens make this call.
    pub fn applies_to(&self, connector: &str) -> bool {
        self.connectors.is_empty() || self.connectors.iter().any(|c| c == connector)
    }
}

/// The template names a verification path may use.
pub const VERIFY_TEMPLATE_NAMES: &[&str] = &[
    "project",
    "project_id",
    "repository",
    "repository_id",
    "pull_request_id",
];

impl Connector {
    /// The least PAT scopes, Entra scopes and permissions: the capabilities' plan plus the
    /// extra scopes, deduplicated, narrower scopes dropped where a wider one is asked
    /// (`vso.code_write` includes `vso.code`). A connector without capabilities needs exactly
    /// its `scopes` (a product page's list, without the `vso.project` every capability adds).
    pub fn access(&self) -> ConnectorAccess {
        let plan = access_plan(&self.capabilities);
        let mut scopes: Vec<Scope> = if self.capabilities.is_empty() {
            Vec::new()
        } else {
            plan.pat_scopes
                .iter()
                .filter_map(|label| KNOWN_SCOPES.iter().find(|s| s.pat_label == label).copied())
                .collect()
        };
        for s in &self.scopes {
            if !scopes.contains(s) {
                scopes.push(*s);
            }
        }
        let covered = |s: &Scope| {
            scopes
                .iter()
                .any(|w| w.id != s.id && implied(w.id).contains(&s.id))
        };
        let scopes: Vec<Scope> = scopes.iter().filter(|s| !covered(s)).copied().collect();
        ConnectorAccess {
            connector: self.id.clone(),
            label: self.label.clone(),
            pat_scopes: scopes.iter().map(|s| s.pat_label.to_string()).collect(),
            entra_scopes: scopes.iter().map(|s| s.entra()).collect(),
            scope_ids: scopes.iter().map(|s| s.id.to_string()).collect(),
            permissions: plan
                .permissions
                .into_iter()
                .chain(self.permissions.iter().map(|p| p.label().to_string()))
                .collect(),
        }
    }

    /// The extra scopes the preflight must probe (those its capabilities do not cover).
    pub fn scopes_to_probe(&self) -> Vec<Scope> {
        let plan = access_plan(&self.capabilities);
        self.scopes
            .iter()
            .filter(|s| !plan.pat_scopes.iter().any(|l| l == s.pat_label))
            .copied()
            .collect()
    }
}

/// Scopes a wider scope includes (docs `scopes.md`, "Inherits From").
pub fn implied(id: &str) -> &'static [&'static str] {
    match id {
        "vso.code_manage" => &["vso.code_write", "vso.code"],
        "vso.code_write" => &["vso.code"],
        _ => &[],
    }
}

/// What one connector's credential needs, for the scope table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorAccess {
    /// The connector id.
    pub connector: String,
    /// Its label.
    pub label: String,
    /// PAT scopes to tick.
    pub pat_scopes: Vec<String>,
    /// Entra ID scopes to request.
    pub entra_scopes: Vec<String>,
    /// The scope ids (`vso.code`).
    pub scope_ids: Vec<String>,
    /// Permissions the user must hold.
    pub permissions: Vec<String>,
}

/// A value the user completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Placeholder {
    /// The name used in templates (`dx_url`).
    pub name: String,
    /// The label in the form.
    pub label: String,
    /// A default value, if any.
    pub default: Option<String>,
    /// An example shown as a hint.
    pub example: Option<String>,
    /// What kind of value: text, an `https://` URL, or an integer (rendered as a JSON number
    /// where a body template is exactly `"{name}"`, as DX's connection `id`).
    pub kind: PlaceholderKind,
}

/// What kind of value a placeholder holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceholderKind {
    /// Any single line of text.
    #[default]
    Text,
    /// An `https://` URL (`http://` only for loopback, for tests).
    Url,
    /// A whole number.
    Integer,
}

/// Which projects or repositories the webhooks cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookScope {
    /// One set of subscriptions per project the credential sees.
    EachProject,
    /// Per repository the user chooses.
    ChosenRepositories,
}

/// Who makes the webhook secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretOrigin {
    /// ADO Connect generates it and hands it over.
    Wizard,
    /// The product gives it (DX); the user pastes it.
    Product,
}

/// Who creates the webhook subscriptions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookCreator {
    /// ADO Connect registers them (DX).
    #[default]
    Wizard,
    /// The product creates them itself once connected (dbt, Appcircle): the wizard only checks
    /// that the identity may (the service-hooks permission), and registers nothing.
    Product,
}

/// The webhooks a product wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRule {
    /// Who creates them. For [`HookCreator::Product`], `url`, `header` and `secret` are empty
    /// or defaults and unused.
    pub created_by: HookCreator,
    /// The events.
    pub events: Vec<EventKind>,
    /// Where.
    pub scope: HookScope,
    /// The receiver URL; may contain placeholders (`{dx_url}/webhooks/ado`).
    pub url: String,
    /// The header carrying the secret.
    pub header: String,
    /// Who makes the secret.
    pub secret: SecretOrigin,
}

/// What a hand-off field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// The organization name (Services).
    Organization,
    /// `https://dev.azure.com/{organization}` or `{server}/{collection}`.
    OrganizationUrl,
    /// The server URL as entered (with its virtual directory).
    ServerUrl,
    /// The server's scheme, host and port, without a path.
    ServerOrigin,
    /// The collection name (Server).
    Collection,
    /// The organization (Services) or collection (Server) name.
    OrganizationOrCollection,
    /// The chosen project.
    Project,
    /// The chosen repository.
    Repository,
    /// The chosen repository's clone URL.
    RepositoryUrl,
    /// The connector's PAT (secret).
    Pat,
    /// The service principal's tenant id.
    TenantId,
    /// The service principal's client id.
    ClientId,
    /// The service principal's secret (secret).
    ClientSecret,
    /// The webhook receiver URL.
    WebhookUrl,
    /// The webhook secret (secret).
    WebhookSecret,
    /// The webhook header name.
    WebhookHeader,
    /// A placeholder the user completed; `placeholder` names it.
    Placeholder,
}

impl FieldSource {
    /// Every source, as profiles spell them.
    pub const ALL: [FieldSource; 17] = [
        FieldSource::Organization,
        FieldSource::OrganizationUrl,
        FieldSource::ServerUrl,
        FieldSource::ServerOrigin,
        FieldSource::Collection,
        FieldSource::OrganizationOrCollection,
        FieldSource::Project,
        FieldSource::Repository,
        FieldSource::RepositoryUrl,
        FieldSource::Pat,
        FieldSource::TenantId,
        FieldSource::ClientId,
        FieldSource::ClientSecret,
        FieldSource::WebhookUrl,
        FieldSource::WebhookSecret,
        FieldSource::WebhookHeader,
        FieldSource::Placeholder,
    ];

    /// The profile spelling (also the template name, `{pat}`).
    pub fn name(self) -> &'static str {
        match self {
            FieldSource::Organization => "organization",
            FieldSource::OrganizationUrl => "organization_url",
            FieldSource::ServerUrl => "server_url",
            FieldSource::ServerOrigin => "server_origin",
            FieldSource::Collection => "collection",
            FieldSource::OrganizationOrCollection => "organization_or_collection",
            FieldSource::Project => "project",
            FieldSource::Repository => "repository",
            FieldSource::RepositoryUrl => "repository_url",
            FieldSource::Pat => "pat",
            FieldSource::TenantId => "tenant_id",
            FieldSource::ClientId => "client_id",
            FieldSource::ClientSecret => "client_secret",
            FieldSource::WebhookUrl => "webhook_url",
            FieldSource::WebhookSecret => "webhook_secret",
            FieldSource::WebhookHeader => "webhook_header",
            FieldSource::Placeholder => "placeholder",
        }
    }

    /// Whether the value is a secret (revealed only on request, exported only on opt-in).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            FieldSource::Pat | FieldSource::ClientSecret | FieldSource::WebhookSecret
        )
    }

    fn parse(name: &str) -> Option<FieldSource> {
        FieldSource::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One hand-off field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRule {
    /// What it holds.
    pub source: FieldSource,
    /// The product's own label ("owner" for Appcircle's collection).
    pub label: String,
    /// For `placeholder`: which one.
    pub placeholder: Option<String>,
    /// Only on this deployment (Appcircle's Server form differs from its Services form).
    pub deployment: Option<Deployment>,
    /// Optional in the product's form.
    pub optional: bool,
    /// Only for these sign-in methods (dbt: the service principal's ids); empty: any.
    pub methods: Vec<SignInMethod>,
}

/// Steps the user follows in the product instead of pasting (dbt's service user, Appcircle's
/// own OAuth on Services), for one deployment and/or sign-in methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Guide {
    /// Only on this deployment.
    pub deployment: Option<Deployment>,
    /// Only for these sign-in methods; empty: any.
    pub methods: Vec<SignInMethod>,
    /// The steps, in order, in the product's words.
    pub steps: Vec<String>,
}

/// An HTTPS POST to the product's API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRule {
    /// The URL template (must render to `https://`).
    pub url: String,
    /// The header that carries the product API token the user pastes.
    pub auth_header: String,
    /// Put before the token, e.g. `Bearer ` (with its space); empty for none.
    pub auth_prefix: String,
    /// The label of the token field ("DX API token").
    pub token_label: String,
    /// The JSON body: strings are templates (`{pat}`, `{connector}`).
    pub body: serde_json::Value,
    /// One POST per credential (DX's `credentials.create`), or one in all.
    pub per_credential: bool,
}

/// What the product wants handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffRule {
    /// The heading of the paste panel ("Paste into Datafold").
    pub title: String,
    /// The fields, in the order of the product's form.
    pub fields: Vec<FieldRule>,
    /// Steps to follow in the product where nothing (or not only something) is pasted.
    pub guides: Vec<Guide>,
    /// The POST, when the product has an API for it.
    pub post: Option<PostRule>,
}

impl ProductProfile {
    /// The access each connector needs.
    pub fn access(&self) -> Vec<ConnectorAccess> {
        self.connectors.iter().map(Connector::access).collect()
    }

    /// Every capability any connector needs (what the preflight probes).
    pub fn capabilities(&self) -> Vec<Capability> {
        let mut all: Vec<Capability> = self
            .connectors
            .iter()
            .flat_map(|c| c.capabilities.iter().copied())
            .collect();
        if self.webhooks.is_some() && !all.contains(&Capability::Webhooks) {
            all.push(Capability::Webhooks);
        }
        all.sort();
        all.dedup();
        all
    }

    /// How the product accepts being signed in on `deployment`.
    pub fn sign_in_for(&self, deployment: Deployment) -> &SignInRule {
        match deployment {
            Deployment::Services => self.sign_in_services.as_ref(),
            Deployment::Server => self.sign_in_server.as_ref(),
        }
        .unwrap_or(&self.sign_in)
    }

    /// The hand-off fields for this deployment and sign-in method, in the form's order.
    pub fn fields_for(&self, deployment: Deployment, method: SignInMethod) -> Vec<&FieldRule> {
        self.handoff
            .fields
            .iter()
            .filter(|f| f.deployment.is_none_or(|d| d == deployment))
            .filter(|f| f.methods.is_empty() || f.methods.contains(&method))
            .collect()
    }

    /// The guides for this deployment and sign-in method.
    pub fn guides_for(&self, deployment: Deployment, method: SignInMethod) -> Vec<&Guide> {
        self.handoff
            .guides
            .iter()
            .filter(|g| g.deployment.is_none_or(|d| d == deployment))
            .filter(|g| g.methods.is_empty() || g.methods.contains(&method))
            .collect()
    }

    /// Whether the wizard registers webhooks for this product.
    pub fn wizard_registers_hooks(&self) -> bool {
        self.webhooks
            .as_ref()
            .is_some_and(|w| w.created_by == HookCreator::Wizard)
    }

    /// The connector `id`.
    pub fn connector(&self, id: &str) -> Option<&Connector> {
        self.connectors.iter().find(|c| c.id == id)
    }

    /// The placeholder names used by templates, in declaration order.
    pub fn placeholder(&self, name: &str) -> Option<&Placeholder> {
        self.placeholders.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests;
