//! The first journey: verify a connection and show who we are and what we can reach.
//!
//! One round trip to `connectionData` (who am I, which deployment) and, on a Server, its resource
//! locations (which REST API versions it serves: Azure DevOps Server 2019 and 2020 get requests
//! at their own versions), then projects and repositories at once. A failure of the first round
//! trip is fatal and diagnosed; a server older than ADO Connect supports is `server_too_old`; a
//! failure listing repositories (a token without Code scope) becomes a warning, because the
//! connection itself works.

use std::collections::BTreeMap;

use ado_client::{
    AdoClient, ApiVersion, ClientConfig, ConnectionData, Credential, GitRepository, ServedVersions,
    TeamProjectReference,
};
use ado_core::checks::{self, CheckCode, Probe, Problem};
use ado_core::ids::ProjectId;
use ado_core::target::{ConnectionTarget, Deployment, Field};
use serde::{Deserialize, Serialize};

use crate::failure::probe_failure;

pub(crate) mod collections;

/// What a successful verification found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// What the user connected to.
    pub target: ConnectionTarget,
    /// The organization or collection URL requests go to.
    pub api_url: String,
    /// What the server says it is (it may differ from what the user chose: see `warnings`).
    pub deployment: Deployment,
    /// A Server's newest REST API version (`5.0` for Azure DevOps Server 2019, `6.0` for 2020):
    /// every request goes at the highest version both sides know. `None` on Services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_api_version: Option<ApiVersion>,
    /// Which release that is, e.g. `Azure DevOps Server 2020`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_release: Option<&'static str>,
    /// Who the token belongs to.
    pub user: User,
    /// Every project the token can see, each with its repositories.
    pub projects: Vec<ProjectSummary>,
    /// Total repositories across projects.
    pub repository_count: usize,
    /// Things that work but deserve attention.
    pub warnings: Vec<Problem>,
}

/// The signed-in identity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The identity id.
    pub id: String,
    /// The name to show.
    pub display_name: String,
    /// Email or `DOMAIN\user`, if known.
    pub account: Option<String>,
}

/// A project and its repositories.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectSummary {
    /// The project id.
    pub id: ProjectId,
    /// The project name.
    pub name: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// Its Git repositories, by name.
    pub repositories: Vec<RepositorySummary>,
}

/// A repository, as the wizard shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositorySummary {
    /// The repository id.
    pub id: String,
    /// The repository name.
    pub name: String,
    /// E.g. `main` (without `refs/heads/`).
    pub default_branch: Option<String>,
    /// The web page.
    pub web_url: Option<String>,
    /// The HTTPS clone URL.
    pub remote_url: Option<String>,
}

/// How to reach the server, besides the target: stored in the profile with the connection, so
/// every later request (checks, hooks, a refresh) goes the same way as the verify did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectOptions {
    /// A CA (PEM) trusted for this connection only. Public data, not a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_ca_pem: Option<String>,
    /// An explicit proxy (`http://host:port`; credentials in it are refused by
    /// [`ado_core::target::validate_proxy`]); without it, `HTTPS_PROXY`, `HTTP_PROXY` and
    /// `NO_PROXY` apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// The user consented to sending the credential over plain `http://` to a server that is not
    /// on this machine's loopback. Without it the client refuses such a target before sending.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_http: bool,
    /// A per-request timeout instead of the client's default (20 s); not saved.
    #[serde(skip)]
    pub request_timeout: Option<std::time::Duration>,
    /// The Server's newest REST API version as learned when the connection was verified (not a
    /// choice of the user): requests are negotiated against it from the first one on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_api_version: Option<ApiVersion>,
}

impl ConnectOptions {
    /// A client configuration for `base_url` with this connection's TLS trust, proxy and
    /// plain-http consent.
    pub fn client_config(&self, base_url: url::Url, credential: Credential) -> ClientConfig {
        let mut config = ClientConfig::new(base_url, credential);
        config.trusted_ca_pem = self.trusted_ca_pem.clone();
        config.proxy = self.proxy.clone();
        config.allow_plain_http = self.allow_http;
        if let Some(timeout) = self.request_timeout {
            config.timeout = timeout;
        }
        config.served_versions = self.server_api_version.map(ServedVersions::latest);
        config
    }
}

/// Builds the client for a target. A plain-http target on another machine without
/// [`ConnectOptions::allow_http`] fails here, before anything is sent (`http_consent_required`).
pub fn client_for(
    target: &ConnectionTarget,
    credential: Credential,
    options: &ConnectOptions,
) -> Result<AdoClient, Problem> {
    AdoClient::new(options.client_config(target.api_base(), credential)).map_err(|e| match e {
        ado_client::Error::Config(message) => Problem {
            code: CheckCode::InvalidInput,
            field: Some(target.host_field()),
            message,
            fix: "Check the trusted CA (a PEM certificate, -----BEGIN CERTIFICATE-----) and the proxy URL (http://host:port)."
                .into(),
            server_message: None,
            support_id: None,
        },
        other => checks::diagnose(target, &probe_failure(Probe::ConnectionData, &other)),
    })
}

/// Verifies `credential` against `target`: who is signed in, the deployment, and every project
/// and repository it can reach. Returns the diagnosed [`Problem`] when the connection does not work.
pub async fn verify_connection(
    target: &ConnectionTarget,
    credential: Credential,
    options: &ConnectOptions,
) -> Result<Verified, Problem> {
    let client = client_for(target, credential.clone(), options)?;
    let diagnose = |probe: Probe, error: ado_client::Error| {
        checks::diagnose(target, &probe_failure(probe, &error))
    };

    let (connection, served) =
        tokio::join!(client.connection_data(), read_versions(&client, target));
    let connection = match connection {
        Ok(connection) => connection,
        Err(e) => {
            let problem = diagnose(Probe::ConnectionData, e);
            return Err(collections::with_existing_collections(
                target, credential, options, problem,
            )
            .await);
        }
    };
    if let Some(served) = served.filter(|s| !s.is_supported()) {
        let latest = served.latest.to_string();
        return Err(ado_core::preflight::server_too_old(
            target,
            Some(&latest),
            None,
        ));
    }
    let (projects, repositories) = tokio::join!(client.all_projects(), client.repositories(None));
    let mut warnings = deployment_warnings(target, &connection);
    let projects = match (
        projects.map_err(|e| diagnose(Probe::Projects, e)),
        &repositories,
    ) {
        (Ok(projects), _) => projects,
        // A token with Code (Read) but not Project and Team (Read) (all Kong Konnect asks for)
        // is valid: connectionData accepted it. Its projects are those of its repositories.
        (Err(problem), Ok(repos)) if is_refusal(&problem) => {
            warnings.push(Problem::new(
                CheckCode::InvalidPermissions,
                Some(Field::Pat),
                "The token may not list projects (it has no Project and Team (Read)); the projects shown are those of the repositories it reads.",
                "Nothing to do if what you connect needs only repositories; otherwise add Project and Team (Read) to the token.",
            ));
            projects_of(repos)
        }
        (Err(problem), _) => return Err(problem),
    };
    let repositories = match repositories {
        Ok(repos) => repos,
        Err(error) => {
            let mut problem = diagnose(Probe::Repositories, error);
            if matches!(
                problem.code,
                CheckCode::InvalidCredentials | CheckCode::InvalidPermissions
            ) {
                // The same token just listed projects, so it is valid: what it lacks is the scope.
                problem.code = CheckCode::InvalidPermissions;
                problem.field = Some(Field::Pat);
                problem.message = "The token can list projects but not repositories.".into();
                problem.fix = "Add the Code (Read) scope to the token (User settings → Personal access tokens → Edit), then verify again.".into();
            }
            warnings.push(problem);
            Vec::new()
        }
    };
    if projects.is_empty() {
        warnings.push(Problem::new(CheckCode::NoResources, Some(Field::Pat), format!("The token is valid but sees no projects in {}.", target.scope_phrase()), "Ask a project administrator to add this user to a project, or use a token of a user who is a member."));
    }

    let repository_count = repositories.len();
    let server_api_version = server_api_version(&client, target);
    Ok(Verified {
        target: target.clone(),
        api_url: client.base_url().to_string(),
        deployment: if connection.is_on_premises() {
            Deployment::Server
        } else {
            Deployment::Services
        },
        server_api_version,
        server_release: server_api_version
            .map(|v| ado_core::preflight::product_for_max_version(&v.to_string())),
        user: User {
            id: connection.authenticated_user.id.clone(),
            display_name: connection.authenticated_user.display_name().to_string(),
            account: connection.authenticated_user.account().map(str::to_string),
        },
        projects: group_by_project(projects, repositories),
        repository_count,
        warnings,
    })
}

/// A valid token refused for a missing scope (or permission).
fn is_refusal(problem: &Problem) -> bool {
    matches!(
        problem.code,
        CheckCode::InvalidCredentials | CheckCode::InvalidPermissions
    )
}

/// The projects the repositories belong to, each once, in the repositories' order.
fn projects_of(
    repositories: &[ado_client::GitRepository],
) -> Vec<ado_client::TeamProjectReference> {
    let mut out: Vec<ado_client::TeamProjectReference> = Vec::new();
    for project in repositories.iter().filter_map(|r| r.project.as_ref()) {
        if !out.iter().any(|p| p.id == project.id) {
            out.push(project.clone());
        }
    }
    out
}

/// A Server's resource locations (`OPTIONS _apis`), read beside `connectionData`; `None` on
/// Services (they serve every version the client asks) or when the table cannot be read (the
/// client then learns from the first out-of-range error instead).
pub(crate) async fn read_versions(
    client: &AdoClient,
    target: &ConnectionTarget,
) -> Option<ServedVersions> {
    if target.deployment() != Deployment::Server {
        return None;
    }
    match client.discover_versions().await {
        Ok(served) => Some(served),
        Err(error) => {
            tracing::info!(%error, "the resource locations could not be read; negotiating on the first refusal");
            None
        }
    }
}

/// The Server's newest REST API version as the client knows it now; `None` on Services.
pub(crate) fn server_api_version(
    client: &AdoClient,
    target: &ConnectionTarget,
) -> Option<ApiVersion> {
    (target.deployment() == Deployment::Server)
        .then(|| client.served_versions().map(|v| v.latest))
        .flatten()
}

fn deployment_warnings(target: &ConnectionTarget, connection: &ConnectionData) -> Vec<Problem> {
    let server_says_on_prem = connection.is_on_premises();
    match (target.deployment(), server_says_on_prem) {
        (Deployment::Server, false) => vec![Problem::new(
            CheckCode::Unexpected,
            Some(Field::ServerUrl),
            "This URL is Azure DevOps Services, not Azure DevOps Server.",
            "Choose Azure DevOps Services and enter the organization name instead.",
        )],
        (Deployment::Services, true) => vec![Problem::new(
            CheckCode::Unexpected,
            Some(Field::Organization),
            "This URL is an Azure DevOps Server, not Azure DevOps Services.",
            "Choose Azure DevOps Server and enter the server URL and collection.",
        )],
        _ => Vec::new(),
    }
}

fn group_by_project(
    projects: Vec<TeamProjectReference>,
    repositories: Vec<GitRepository>,
) -> Vec<ProjectSummary> {
    let mut by_project: BTreeMap<String, Vec<RepositorySummary>> = BTreeMap::new();
    for repo in repositories {
        let Some(project_id) = repo.project.as_ref().map(|p| p.id.to_ascii_lowercase()) else {
            continue;
        };
        by_project
            .entry(project_id)
            .or_default()
            .push(RepositorySummary {
                id: repo.id,
                name: repo.name,
                default_branch: repo
                    .default_branch
                    .map(|b| b.trim_start_matches("refs/heads/").to_string()),
                // Azure DevOps Server 2019 sends no webUrl (spec git/azure-devops-server-5.0);
                // a Server's clone URL is the same page.
                web_url: repo.web_url.or_else(|| {
                    repo.remote_url
                        .clone()
                        .filter(|u| u.starts_with("http") && !u.contains('@'))
                }),
                remote_url: repo.remote_url,
            });
    }
    let mut summaries: Vec<ProjectSummary> = projects
        .into_iter()
        .map(|p| {
            let mut repositories = by_project
                .remove(&p.id.to_ascii_lowercase())
                .unwrap_or_default();
            repositories.sort_by_key(|r| r.name.to_lowercase());
            ProjectSummary {
                id: p.id,
                name: p.name,
                description: p.description.filter(|d| !d.is_empty()),
                repositories,
            }
        })
        .collect();
    summaries.sort_by_key(|p| p.name.to_lowercase());
    summaries
}
