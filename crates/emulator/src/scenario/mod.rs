//! Scenario files: the JSON that describes a world (documented in `README.md`).
//!
//! A scenario is plain data. The emulator validates it at start (`World::from_scenario`) and turns it
//! into the in-memory world the routes read; ids a scenario leaves out are derived from names
//! (uuid v5), so the same scenario always yields the same ids.

use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::versions::ServerVersion;
use crate::Error;

mod large;
pub use self::large::{LARGE_ORGANIZATION, LARGE_PROJECTS, LARGE_REPOSITORIES_PER_PROJECT};

pub use crate::entra::spec::{
    EntraAppSpec, ServicePrincipalSpec, DEMO_DECLINING_USER_EMAIL, DEMO_SP_CLIENT_ID,
    DEMO_SP_NOT_ADDED_CLIENT_ID, DEMO_SP_NOT_ADDED_OBJECT_ID, DEMO_SP_NOT_ADDED_SECRET,
    DEMO_SP_OBJECT_ID, DEMO_SP_SECRET, VISUAL_STUDIO_CLIENT_ID,
};

/// The world an emulator serves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// A label, shown in logs.
    #[serde(default)]
    pub name: String,
    /// How Services organizations answer bad credentials without `X-TFS-FedAuthRedirect:
    /// Suppress`, unless an organization says otherwise. Default: [`SignInMode::Redirect`].
    #[serde(default)]
    pub sign_in: SignInMode,
    /// People tokens belong to.
    #[serde(default)]
    pub users: Vec<UserSpec>,
    /// Azure DevOps Services organizations (`/{organization}/…`).
    #[serde(default)]
    pub organizations: Vec<OrganizationSpec>,
    /// Azure DevOps Servers (`[/{virtualDirectory}]/{collection}/…`).
    #[serde(default)]
    pub servers: Vec<ServerSpec>,
    /// Personal access tokens, sent as HTTP Basic passwords.
    #[serde(default)]
    pub pats: Vec<TokenSpec>,
    /// Access tokens sent as `Authorization: Bearer` (the hook for Entra/OAuth tokens).
    #[serde(default)]
    pub access_tokens: Vec<TokenSpec>,
    /// Applications registered in Microsoft Entra ID that sign users in (`entra/spec.rs`).
    #[serde(default)]
    pub entra_apps: Vec<EntraAppSpec>,
    /// Entra service principals: client credentials with a secret (`entra/spec.rs`).
    #[serde(default)]
    pub service_principals: Vec<ServicePrincipalSpec>,
}

/// A person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserSpec {
    /// Shown as `providerDisplayName`.
    pub display_name: String,
    /// Sign-in name; tokens refer to users by it.
    pub email: String,
    /// Fixed identity id; derived from the email when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The on-premises account (`DOMAIN\user`) shown by Servers; the email when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Member of Project Collection Administrators in every organization and collection: holds
    /// every permission the emulator models (service hooks included) on every project.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub collection_administrator: bool,
    /// Declines every Entra sign-in: `access_denied` from the authorize endpoint,
    /// `authorization_declined` for a device code.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub declines_sign_in: bool,
}

/// What bad credentials get when the client did not send `X-TFS-FedAuthRedirect: Suppress`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInMode {
    /// `302` to the emulator's own `/_signin` page.
    #[default]
    Redirect,
    /// `203 Non-Authoritative Information` with an HTML sign-in page.
    Page,
}

/// An Azure DevOps Services organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationSpec {
    /// The URL segment, e.g. `fabrikam`.
    pub name: String,
    /// The Entra tenant; the all-zero GUID means an MSA-backed organization.
    #[serde(default)]
    pub tenant_id: Uuid,
    /// Fixed host id (`instanceId`); derived from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Overrides [`Scenario::sign_in`] for this organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in: Option<SignInMode>,
    /// Projects.
    #[serde(default)]
    pub projects: Vec<ProjectSpec>,
    /// Extra projects made up from a pattern (e.g. to exercise paging).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_projects: Option<GeneratedProjects>,
    /// The organization policy "Third-party application access via OAuth" is off: every Bearer
    /// token gets `401 TF400813` (see `FIDELITY.md`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub oauth_policy_disabled: bool,
}

/// An Azure DevOps Server installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerSpec {
    /// A name for tests and token targets, e.g. `fabrikam-tfs` (not part of URLs).
    pub name: String,
    /// `2018`, `2019`, `2020` or `2022`: caps the REST API version and shapes the answers
    /// (each release's published spec, [`crate::spec`]).
    pub version: ServerVersion,
    /// The IIS virtual directory, e.g. `tfs`; absent or empty for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_directory: Option<String>,
    /// The configured public URL including the virtual directory (e.g. a misconfigured
    /// `http://localhost:8080/tfs`); absent means correct, i.e. the emulator's own URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Fixed deployment id; derived from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Project collections.
    #[serde(default)]
    pub collections: Vec<CollectionSpec>,
}

/// A project collection on a Server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionSpec {
    /// The URL segment, e.g. `DefaultCollection`.
    pub name: String,
    /// Fixed host id (`instanceId`); derived from the names when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Projects.
    #[serde(default)]
    pub projects: Vec<ProjectSpec>,
    /// Extra projects made up from a pattern (e.g. to exercise paging).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_projects: Option<GeneratedProjects>,
}

/// `count` projects named `{namePrefix} 001` … each with one repository `{repoPrefix}-001` …,
/// or with `repositoriesPerProject: k > 1`, repositories `{repoPrefix}-001-01` … `-001-k`.
/// Names are zero-padded to the count's width (at least 3), so they sort as numbered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratedProjects {
    /// How many.
    pub count: usize,
    /// Project name prefix; default `Project`.
    #[serde(default = "default_project_prefix")]
    pub name_prefix: String,
    /// Repository name prefix; default `repo`.
    #[serde(default = "default_repo_prefix")]
    pub repository_prefix: String,
    /// Repositories in each project; default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub repositories_per_project: usize,
}

impl GeneratedProjects {
    /// `count` projects `Project 001` … with one repository each (`repo-001` …).
    pub fn new(count: usize) -> Self {
        GeneratedProjects {
            count,
            name_prefix: default_project_prefix(),
            repository_prefix: default_repo_prefix(),
            repositories_per_project: 1,
        }
    }

    /// With `n` repositories in each project.
    pub fn repositories_per_project(mut self, n: usize) -> Self {
        self.repositories_per_project = n;
        self
    }
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

fn default_project_prefix() -> String {
    "Project".to_string()
}

fn default_repo_prefix() -> String {
    "repo".to_string()
}

/// A team project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectSpec {
    /// Name; may contain spaces.
    pub name: String,
    /// Fixed id; derived from the host and name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Description (omitted from responses when absent, as Azure DevOps does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `private` (default) or `public`.
    #[serde(default)]
    pub visibility: Visibility,
    /// `revision`; default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// `lastUpdateTime`; a fixed date when absent.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_update_time: Option<OffsetDateTime>,
    /// Git repositories.
    #[serde(default)]
    pub repositories: Vec<RepositorySpec>,
    /// Members of the project's Project Administrators group, by email (see `permissions.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administrators: Vec<String>,
    /// Pull requests (`GET {project}/_apis/git/pullrequests`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pull_requests: Vec<crate::activity::PullRequestSpec>,
    /// Builds (`GET {project}/_apis/build/builds`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builds: Vec<crate::activity::BuildSpec>,
}

impl ProjectSpec {
    /// A private project with no repositories.
    pub fn named(name: &str) -> Self {
        ProjectSpec {
            name: name.to_string(),
            id: None,
            description: None,
            visibility: Visibility::Private,
            revision: None,
            last_update_time: None,
            repositories: Vec::new(),
            administrators: Vec::new(),
            pull_requests: Vec::new(),
            builds: Vec::new(),
        }
    }

    /// Adds a Project Administrator (by email).
    pub fn with_administrator(mut self, email: &str) -> Self {
        self.administrators.push(email.to_string());
        self
    }

    /// Adds a repository named `name` with default settings.
    pub fn with_repository(mut self, name: &str) -> Self {
        self.repositories.push(RepositorySpec::named(name));
        self
    }
}

/// Project visibility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Visibility {
    /// `private`.
    #[default]
    Private,
    /// `public`.
    Public,
}

impl Visibility {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Public => "public",
        }
    }
}

/// A Git repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RepositorySpec {
    /// Name; may contain spaces.
    pub name: String,
    /// Fixed id; derived from host, project and name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// `refs/heads/main` when absent; `null` for an empty repository (no `defaultBranch`).
    #[serde(default = "default_branch", skip_serializing_if = "is_default_branch")]
    pub default_branch: Option<String>,
    /// `size` in bytes; derived from the name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// `isDisabled`.
    #[serde(default)]
    pub is_disabled: bool,
    /// `isInMaintenance`.
    #[serde(default)]
    pub is_in_maintenance: bool,
    /// People (by email) denied "Contribute to pull requests" on this repository: an explicit
    /// Deny of `PullRequestContribute` (Git Repositories namespace, token
    /// `repoV2/{projectId}/{repositoryId}`), which Project Administrators and Project Collection
    /// Administrators override (see `permissions.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pull_request_contribute_denied: Vec<String>,
}

fn default_branch() -> Option<String> {
    Some("refs/heads/main".to_string())
}

fn is_default_branch(branch: &Option<String>) -> bool {
    branch.as_deref() == Some("refs/heads/main")
}

impl RepositorySpec {
    /// A repository on `refs/heads/main`.
    pub fn named(name: &str) -> Self {
        RepositorySpec {
            name: name.to_string(),
            id: None,
            default_branch: default_branch(),
            size: None,
            is_disabled: false,
            is_in_maintenance: false,
            pull_request_contribute_denied: Vec::new(),
        }
    }

    /// Denies "Contribute to pull requests" on this repository to `email`.
    pub fn deny_pull_request_contribute(mut self, email: &str) -> Self {
        self.pull_request_contribute_denied.push(email.to_string());
        self
    }
}

/// A PAT or access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenSpec {
    /// The secret as the client sends it.
    pub token: String,
    /// The token's display name.
    #[serde(default)]
    pub name: String,
    /// The owner's email (see [`UserSpec::email`]).
    pub user: String,
    /// Scopes, e.g. `vso.code`, `vso.project`, or `app_token` for full access.
    pub scopes: Vec<String>,
    /// Expiry; never when absent. A past date makes an expired token.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_to: Option<OffsetDateTime>,
    /// Works on every organization and collection of the scenario.
    #[serde(default)]
    pub all_hosts: bool,
    /// Organizations it works on (by name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizations: Vec<String>,
    /// Collections it works on, as `server/collection` (e.g. `fabrikam-tfs/DefaultCollection`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<String>,
    /// Revoked: answered like a token that does not exist (see `FIDELITY.md`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoked: bool,
}

impl TokenSpec {
    /// A never-expiring token for `user` that works on every host.
    pub fn everywhere(token: &str, user: &str, scopes: &[&str]) -> Self {
        TokenSpec {
            token: token.to_string(),
            name: String::new(),
            user: user.to_string(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            valid_to: None,
            all_hosts: true,
            organizations: Vec::new(),
            collections: Vec::new(),
            revoked: false,
        }
    }
}

/// Names accepted by [`Scenario::builtin`].
pub const BUILTIN_NAMES: &[&str] = &["demo", "minimal", "large"];

/// The demo's full-access PAT (52 characters, like a pre-2024 PAT). Public on purpose: it only
/// opens the emulator.
pub const DEMO_FULL_ACCESS_PAT: &str = "adoemudemo2full3access4token5for6the7demo2only3abcde";
/// The demo's PAT that has only `vso.project`.
pub const DEMO_PROJECT_ONLY_PAT: &str = "adoemudemo2project3only4token5for6the7demo2only3abcd";
/// The demo's expired PAT.
pub const DEMO_EXPIRED_PAT: &str = "adoemudemo2expired3token4for5the6demo7only2abcdefghi";

/// The demo's user.
pub const DEMO_USER_EMAIL: &str = "demo.admin@fabrikam.example";

/// The demo's second user, Dana Developer: a project member who administers nothing.
pub const DEMO_DEVELOPER_EMAIL: &str = "dana.dev@fabrikam.example";
/// Dana Developer's full-access PAT (works everywhere, but Dana may not edit service hooks).
pub const DEMO_DEVELOPER_PAT: &str = "adoemudemo2dana3developer4token5for6the7demo2only3ab";
/// Demo Admin's PAT with `vso.project vso.code` only (no `vso.build`, no `vso.work`).
pub const DEMO_CODE_READ_PAT: &str = "adoemudemo2code3read4token5for6the7demo2only3abcdefg";
/// Demo Admin's PAT with `vso.code` only ("Code (Read)": repositories, commits, pull requests;
/// no projects).
pub const DEMO_CODE_ONLY_PAT: &str = "adoemudemo2code3only4token5for6the7demo2only3abcdefg";
/// Demo Admin's revoked PAT (`revoked: true` in the scenario).
pub const DEMO_REVOKED_PAT: &str = "adoemudemo2revoked3token4for5the6demo7only2abcdefghi";

impl Scenario {
    /// A built-in scenario by name: `demo` or `minimal` (see `README.md`).
    pub fn builtin(name: &str) -> Result<Scenario, Error> {
        match name.to_ascii_lowercase().as_str() {
            "demo" => Ok(Scenario::demo()),
            "minimal" => Ok(Scenario::minimal()),
            "large" => Ok(Scenario::large()),
            _ => Err(Error::UnknownScenario(name.to_string())),
        }
    }

    /// Reads a scenario file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::ScenarioFile {
            path: path.display().to_string(),
            source,
        })?;
        Scenario::from_json(&text)
    }

    /// Parses scenario JSON.
    pub fn from_json(json: &str) -> Result<Scenario, Error> {
        serde_json::from_str(json).map_err(|e| Error::InvalidScenario(e.to_string()))
    }

    /// `--scenario` semantics: a built-in name, else a path to a JSON file.
    pub fn load(name_or_path: &str) -> Result<Scenario, Error> {
        if BUILTIN_NAMES.contains(&name_or_path.to_ascii_lowercase().as_str()) {
            Scenario::builtin(name_or_path)
        } else {
            Scenario::from_path(name_or_path)
        }
    }

    /// One organization `acme` (project `Alpha`, repo `alpha`), one Server 2022 at
    /// `/tfs/DefaultCollection` (project `Beta`, repo `beta`), one full-access PAT.
    pub fn minimal() -> Scenario {
        Scenario {
            name: "minimal".to_string(),
            sign_in: SignInMode::Redirect,
            users: vec![UserSpec {
                display_name: "Demo Admin".to_string(),
                email: DEMO_USER_EMAIL.to_string(),
                id: None,
                account: None,
                collection_administrator: true,
                declines_sign_in: false,
            }],
            organizations: vec![OrganizationSpec {
                name: "acme".to_string(),
                tenant_id: Uuid::from_u128(0x3c6f2a58_7b1e_4d0a_9c1f_0a1b2c3d4e5f),
                id: None,
                sign_in: None,
                projects: vec![ProjectSpec::named("Alpha").with_repository("alpha")],
                generated_projects: None,
                oauth_policy_disabled: false,
            }],
            servers: vec![ServerSpec {
                name: "tfs".to_string(),
                version: ServerVersion::V2022,
                virtual_directory: Some("tfs".to_string()),
                public_url: None,
                id: None,
                collections: vec![CollectionSpec {
                    name: "DefaultCollection".to_string(),
                    id: None,
                    projects: vec![ProjectSpec::named("Beta").with_repository("beta")],
                    generated_projects: None,
                }],
            }],
            pats: vec![TokenSpec::everywhere(
                DEMO_FULL_ACCESS_PAT,
                DEMO_USER_EMAIL,
                &["app_token"],
            )],
            access_tokens: Vec::new(),
            entra_apps: vec![crate::entra::spec::visual_studio_app()],
            service_principals: Vec::new(),
        }
    }

    /// The demo world (listed in full in `README.md`).
    pub fn demo() -> Scenario {
        let fabrikam_tenant = Uuid::from_u128(0x6f1c2b3a_4d5e_4f60_8a7b_9c0d1e2f3a4b);
        // Demo Admin administers every named demo project (service hooks need it).
        let project = |name: &str, description: &str, repos: &[&str]| ProjectSpec {
            description: Some(description.to_string()),
            repositories: repos.iter().map(|r| RepositorySpec::named(r)).collect(),
            administrators: vec![DEMO_USER_EMAIL.to_string()],
            ..ProjectSpec::named(name)
        };
        let mut empty_repo = RepositorySpec::named("sandbox");
        empty_repo.default_branch = None;
        empty_repo.size = Some(0);
        let mut fiber_cloud = project(
            "Fiber Cloud",
            "Fabrikam's cloud services.",
            &["fiber-cloud-api", "fiber-cloud-web"],
        );
        fiber_cloud.repositories.push(empty_repo);
        // Dana may not contribute to pull requests on tailwind-traders (an explicit Deny).
        let mut tailwind = project("Tailwind Traders", "Retail demo.", &["tailwind-traders"]);
        tailwind.repositories[0] = RepositorySpec::named("tailwind-traders")
            .deny_pull_request_contribute(DEMO_DEVELOPER_EMAIL);

        let expired_at = time::macros::datetime!(2024-01-31 00:00:00 UTC);
        let mut demo = Scenario {
            name: "demo".to_string(),
            sign_in: SignInMode::Redirect,
            users: vec![
                UserSpec {
                    display_name: "Demo Admin".to_string(),
                    email: DEMO_USER_EMAIL.to_string(),
                    id: None,
                    account: Some("FABRIKAM\\demo.admin".to_string()),
                    collection_administrator: false,
                    declines_sign_in: false,
                },
                UserSpec {
                    display_name: "Dana Developer".to_string(),
                    email: DEMO_DEVELOPER_EMAIL.to_string(),
                    id: None,
                    account: Some("FABRIKAM\\dana.dev".to_string()),
                    collection_administrator: false,
                    declines_sign_in: false,
                },
                // Declines every Entra sign-in (access_denied / authorization_declined).
                UserSpec {
                    display_name: "Dee Decliner".to_string(),
                    email: DEMO_DECLINING_USER_EMAIL.to_string(),
                    id: None,
                    account: None,
                    collection_administrator: false,
                    declines_sign_in: true,
                },
            ],
            organizations: vec![
                OrganizationSpec {
                    name: "fabrikam".to_string(),
                    tenant_id: fabrikam_tenant,
                    id: None,
                    sign_in: None,
                    projects: vec![
                        fiber_cloud,
                        tailwind,
                    ],
                    generated_projects: None,
                    oauth_policy_disabled: false,
                },
                OrganizationSpec {
                    name: "contoso".to_string(),
                    // All-zero tenant: an MSA-backed organization.
                    tenant_id: Uuid::nil(),
                    id: None,
                    sign_in: Some(SignInMode::Page),
                    projects: vec![project("Contoso Mobile", "Phone apps.", &["contoso-mobile"])],
                    generated_projects: None,
                    oauth_policy_disabled: false,
                },
            ],
            servers: vec![
                ServerSpec {
                    name: "fabrikam-tfs".to_string(),
                    version: ServerVersion::V2022,
                    virtual_directory: Some("tfs".to_string()),
                    public_url: None,
                    id: None,
                    collections: vec![
                        CollectionSpec {
                            name: "DefaultCollection".to_string(),
                            id: None,
                            projects: vec![
                                project(
                                    "Fabrikam Fiber",
                                    "Guidance and source control to foster a vibrant ecosystem for Fabrikam Fiber applications and extensions.",
                                    &["fiber-api", "Fabrikam Fiber", "web portal"],
                                ),
                                project("Contoso Web", "Contoso's web site.", &["contoso-web"]),
                                project(
                                    "Parts Unlimited",
                                    "Parts Unlimited storefront.",
                                    &["parts-unlimited"],
                                ),
                            ],
                            generated_projects: None,
                        },
                        CollectionSpec {
                            name: "Big".to_string(),
                            id: None,
                            projects: Vec::new(),
                            generated_projects: Some(GeneratedProjects::new(250)),
                        },
                        // A collection without projects.
                        CollectionSpec {
                            name: "Empty".to_string(),
                            id: None,
                            projects: Vec::new(),
                            generated_projects: None,
                        },
                    ],
                },
                ServerSpec {
                    name: "legacy-tfs".to_string(),
                    version: ServerVersion::V2019,
                    virtual_directory: None,
                    public_url: None,
                    id: None,
                    collections: vec![CollectionSpec {
                        name: "LegacyCollection".to_string(),
                        id: None,
                        projects: vec![project("Old Project", "Still on 2019.", &["old-repo"])],
                        generated_projects: None,
                    }],
                },
                ServerSpec {
                    name: "misconfigured-tfs".to_string(),
                    version: ServerVersion::V2020,
                    virtual_directory: Some("azdo".to_string()),
                    // Left at the installer's default host name: URLs in responses point here.
                    public_url: Some("http://localhost:8080/azdo".to_string()),
                    id: None,
                    collections: vec![CollectionSpec {
                        name: "DefaultCollection".to_string(),
                        id: None,
                        projects: vec![project(
                            "Mis Configured",
                            "Its server's public URL is localhost.",
                            &["mis-configured"],
                        )],
                        generated_projects: None,
                    }],
                },
                // Team Foundation Server 2018 (REST API 4.1): older than ADO Connect supports.
                ServerSpec {
                    name: "old-tfs".to_string(),
                    version: ServerVersion::V2018,
                    virtual_directory: Some("tfs2018".to_string()),
                    public_url: None,
                    id: None,
                    collections: vec![CollectionSpec {
                        name: "DefaultCollection".to_string(),
                        id: None,
                        projects: vec![project("Archive", "Still on TFS 2018.", &["archive"])],
                        generated_projects: None,
                    }],
                },
                // Azure DevOps Server 2022 without a virtual directory: collections at the root
                // (`https://host/ContosoCollection`), public URL correct.
                ServerSpec {
                    name: "contoso-azdo".to_string(),
                    version: ServerVersion::V2022,
                    virtual_directory: None,
                    public_url: None,
                    id: None,
                    collections: vec![CollectionSpec {
                        name: "ContosoCollection".to_string(),
                        id: None,
                        projects: vec![project("Mobile Apps", "Contoso's phone apps.", &["ios-app"])],
                        generated_projects: None,
                    }],
                },
            ],
            pats: vec![
                TokenSpec {
                    name: "demo full access".to_string(),
                    ..TokenSpec::everywhere(DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL, &["app_token"])
                },
                TokenSpec {
                    name: "demo project only".to_string(),
                    ..TokenSpec::everywhere(DEMO_PROJECT_ONLY_PAT, DEMO_USER_EMAIL, &["vso.project"])
                },
                TokenSpec {
                    name: "demo expired".to_string(),
                    valid_to: Some(expired_at),
                    ..TokenSpec::everywhere(DEMO_EXPIRED_PAT, DEMO_USER_EMAIL, &["app_token"])
                },
                TokenSpec {
                    name: "dana full access".to_string(),
                    ..TokenSpec::everywhere(DEMO_DEVELOPER_PAT, DEMO_DEVELOPER_EMAIL, &["app_token"])
                },
                TokenSpec {
                    name: "demo code read".to_string(),
                    ..TokenSpec::everywhere(
                        DEMO_CODE_READ_PAT,
                        DEMO_USER_EMAIL,
                        &["vso.project", "vso.code"],
                    )
                },
                TokenSpec {
                    name: "demo code only".to_string(),
                    ..TokenSpec::everywhere(DEMO_CODE_ONLY_PAT, DEMO_USER_EMAIL, &["vso.code"])
                },
                TokenSpec {
                    name: "demo revoked".to_string(),
                    revoked: true,
                    ..TokenSpec::everywhere(DEMO_REVOKED_PAT, DEMO_USER_EMAIL, &["app_token"])
                },
            ],
            access_tokens: Vec::new(),
            // Visual Studio's client; a service principal added to fabrikam and one added nowhere.
            entra_apps: vec![crate::entra::spec::visual_studio_app()],
            service_principals: crate::entra::spec::demo_service_principals(
                fabrikam_tenant,
                "fabrikam",
            ),
        };
        // Pull requests and builds of a few projects (listed in `activity.rs`).
        crate::activity::seed_demo(&mut demo);
        demo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_tokens_are_52_characters_like_classic_pats() {
        for token in [
            DEMO_FULL_ACCESS_PAT,
            DEMO_PROJECT_ONLY_PAT,
            DEMO_EXPIRED_PAT,
            DEMO_DEVELOPER_PAT,
            DEMO_CODE_READ_PAT,
            DEMO_CODE_ONLY_PAT,
            DEMO_REVOKED_PAT,
        ] {
            assert_eq!(token.len(), 52, "{token}");
        }
    }

    #[test]
    fn demo_round_trips_through_json() {
        let demo = Scenario::demo();
        let json = serde_json::to_string_pretty(&demo).unwrap();
        assert_eq!(Scenario::from_json(&json).unwrap(), demo);
    }

    #[test]
    fn unknown_fields_are_rejected_so_typos_surface() {
        let err = Scenario::from_json(r#"{"organisations": []}"#).unwrap_err();
        assert!(err.to_string().contains("organisations"), "{err}");
    }
}
