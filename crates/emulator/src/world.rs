//! The in-memory world: organizations, servers, collections, projects, repositories, users and
//! tokens, plus [`WorldHandle`] for tests that change it while the emulator runs.
//!
//! Names are matched case-insensitively everywhere, as Azure DevOps does.

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use time::OffsetDateTime;
use uuid::Uuid;

use crate::scenario::{
    CollectionSpec, GeneratedProjects, OrganizationSpec, ProjectSpec, RepositorySpec, Scenario,
    ServerSpec, SignInMode, TokenSpec, UserSpec, Visibility,
};
use crate::versions::ServerVersion;
use crate::Error;

/// Namespace for the emulator's uuid v5 ids (itself a random v4, fixed forever).
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x5d1f0c4e_8a0b_4c71_9f23_6e4b2a7d9c10);

/// A stable id for `kind` + `parts`, so a scenario without ids yields the same ids every run.
pub(crate) fn derived_id(kind: &str, parts: &[&str]) -> Uuid {
    let mut name = kind.to_string();
    for part in parts {
        name.push('\u{1f}');
        name.push_str(&part.to_lowercase());
    }
    Uuid::new_v5(&ID_NAMESPACE, name.as_bytes())
}

/// The date every project shows as `lastUpdateTime` unless the scenario says otherwise.
const DEFAULT_LAST_UPDATE: OffsetDateTime = time::macros::datetime!(2024-05-06 09:30:00.123 UTC);

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: Uuid,
    pub display_name: String,
    pub email: String,
    pub account: Option<String>,
    /// Project Collection Administrators (see `permissions.rs`).
    pub collection_administrator: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub id: Uuid,
    pub name: String,
    pub default_branch: Option<String>,
    pub size: u64,
    pub is_disabled: bool,
    pub is_in_maintenance: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub visibility: Visibility,
    pub revision: u64,
    pub last_update_time: OffsetDateTime,
    pub default_team_id: Uuid,
    pub repositories: Vec<Repository>,
    /// Project Administrators, by email as the scenario wrote them (see `permissions.rs`).
    pub administrators: Vec<String>,
    /// See `activity.rs`.
    pub pull_requests: Vec<crate::activity::PullRequest>,
    /// See `activity.rs`.
    pub builds: Vec<crate::activity::Build>,
}

#[derive(Debug, Clone)]
pub(crate) struct Organization {
    pub id: Uuid,
    pub name: String,
    pub tenant_id: Uuid,
    pub sign_in: SignInMode,
    pub projects: Vec<Project>,
}

#[derive(Debug, Clone)]
pub(crate) struct Collection {
    pub id: Uuid,
    pub name: String,
    pub projects: Vec<Project>,
}

#[derive(Debug, Clone)]
pub(crate) struct Server {
    pub id: Uuid,
    pub name: String,
    pub version: ServerVersion,
    pub virtual_directory: Option<String>,
    pub public_url: Option<String>,
    pub collections: Vec<Collection>,
}

/// How a credential is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    /// HTTP Basic password.
    Pat,
    /// `Authorization: Bearer`.
    AccessToken,
}

#[derive(Debug, Clone)]
pub(crate) struct Credential {
    pub kind: CredentialKind,
    pub token: String,
    pub name: String,
    pub user_id: Uuid,
    pub scopes: Vec<String>,
    pub valid_to: Option<OffsetDateTime>,
    pub revoked: bool,
    pub all_hosts: bool,
    pub organizations: Vec<String>,
    /// `(server, collection)`, lowercased.
    pub collections: Vec<(String, String)>,
}

impl Credential {
    pub fn works_on(&self, world: &World, host: HostRef) -> bool {
        if self.all_hosts {
            return true;
        }
        match host {
            HostRef::Organization(o) => {
                let name = world.organizations[o].name.to_lowercase();
                self.organizations.contains(&name)
            }
            HostRef::Collection(s, c) => {
                let server = world.servers[s].name.to_lowercase();
                let collection = world.servers[s].collections[c].name.to_lowercase();
                self.collections.contains(&(server, collection))
            }
        }
    }
}

/// Where a request landed: a Services organization or a Server collection (indices into the
/// world, valid while the lock that produced them is held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostRef {
    Organization(usize),
    Collection(usize, usize),
}

/// Outcome of matching the first path segments against the world.
#[derive(Debug)]
pub(crate) enum HostMatch {
    /// A host and how many segments its address took.
    Found(HostRef, usize),
    /// A Server's virtual directory followed by an unknown (or missing) collection.
    UnknownCollection(String),
    /// Nothing at that name.
    UnknownOrganization(String),
}

/// The world the routes read.
#[derive(Debug, Clone)]
pub(crate) struct World {
    pub users: Vec<User>,
    pub organizations: Vec<Organization>,
    pub servers: Vec<Server>,
    pub credentials: Vec<Credential>,
    /// Bumped on every change; served as `lastChangeId`.
    pub change_id: i64,
    /// The Services "deployment" all organizations share.
    pub services_deployment_id: Uuid,
}

impl World {
    /// Validates a scenario and builds the world.
    pub fn from_scenario(scenario: &Scenario) -> Result<World, Error> {
        let mut world = World {
            users: Vec::new(),
            organizations: Vec::new(),
            servers: Vec::new(),
            credentials: Vec::new(),
            change_id: 1,
            services_deployment_id: derived_id("services-deployment", &[]),
        };
        for user in &scenario.users {
            world.add_user(user)?;
        }
        for org in &scenario.organizations {
            world.add_organization(org, scenario.sign_in)?;
        }
        for server in &scenario.servers {
            world.add_server(server)?;
        }
        for pat in &scenario.pats {
            world.add_credential(pat, CredentialKind::Pat)?;
        }
        for token in &scenario.access_tokens {
            world.add_credential(token, CredentialKind::AccessToken)?;
        }
        crate::activity::finish_world(&mut world)?;
        Ok(world)
    }

    fn add_user(&mut self, spec: &UserSpec) -> Result<(), Error> {
        if self.user_by_email(&spec.email).is_some() {
            return Err(invalid(format!("user {:?} is listed twice", spec.email)));
        }
        self.users.push(User {
            id: spec
                .id
                .unwrap_or_else(|| derived_id("user", &[&spec.email])),
            display_name: spec.display_name.clone(),
            email: spec.email.clone(),
            account: spec.account.clone(),
            collection_administrator: spec.collection_administrator,
        });
        Ok(())
    }

    /// Top-level URL segments already taken (organizations, virtual directories, collections
    /// of servers without one), lowercased.
    fn top_level_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .organizations
            .iter()
            .map(|o| o.name.to_lowercase())
            .collect();
        for server in &self.servers {
            match &server.virtual_directory {
                Some(vdir) => names.push(vdir.to_lowercase()),
                None => names.extend(server.collections.iter().map(|c| c.name.to_lowercase())),
            }
        }
        names
    }

    fn claim_top_level(&self, name: &str, what: &str) -> Result<(), Error> {
        check_segment(name, what)?;
        if name.starts_with('_') {
            return Err(invalid(format!(
                "{what} {name:?} starts with '_', which Azure DevOps reserves (_apis, _git, …)"
            )));
        }
        if self.top_level_names().contains(&name.to_lowercase()) {
            return Err(invalid(format!(
                "{what} {name:?} clashes with another organization, virtual directory or collection at the top of the URL space"
            )));
        }
        Ok(())
    }

    fn add_organization(
        &mut self,
        spec: &OrganizationSpec,
        default_sign_in: SignInMode,
    ) -> Result<(), Error> {
        self.claim_top_level(&spec.name, "organization")?;
        let host_key = format!("org/{}", spec.name);
        let projects = build_projects(&host_key, &spec.projects, spec.generated_projects.as_ref())?;
        self.organizations.push(Organization {
            id: spec
                .id
                .unwrap_or_else(|| derived_id("organization", &[&spec.name])),
            name: spec.name.clone(),
            tenant_id: spec.tenant_id,
            sign_in: spec.sign_in.unwrap_or(default_sign_in),
            projects,
        });
        Ok(())
    }

    fn add_server(&mut self, spec: &ServerSpec) -> Result<(), Error> {
        if self
            .servers
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&spec.name))
        {
            return Err(invalid(format!("server {:?} is listed twice", spec.name)));
        }
        let vdir = spec
            .virtual_directory
            .as_deref()
            .map(|v| v.trim_matches('/'))
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        match &vdir {
            Some(vdir) => self.claim_top_level(vdir, "virtual directory")?,
            None => {
                for collection in &spec.collections {
                    self.claim_top_level(&collection.name, "collection")?;
                }
            }
        }
        if let Some(url) = &spec.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!(
                    "server {:?}: publicUrl {url:?} must start with http:// or https://",
                    spec.name
                )));
            }
        }
        let mut collections: Vec<Collection> = Vec::new();
        for collection in &spec.collections {
            check_segment(&collection.name, "collection")?;
            if collections
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(&collection.name))
            {
                return Err(invalid(format!(
                    "server {:?} lists collection {:?} twice",
                    spec.name, collection.name
                )));
            }
            collections.push(build_collection(&spec.name, collection)?);
        }
        self.servers.push(Server {
            id: spec
                .id
                .unwrap_or_else(|| derived_id("server", &[&spec.name])),
            name: spec.name.clone(),
            version: spec.version,
            virtual_directory: vdir,
            public_url: spec
                .public_url
                .as_ref()
                .map(|u| u.trim_end_matches('/').to_string()),
            collections,
        });
        Ok(())
    }

    pub fn add_credential(&mut self, spec: &TokenSpec, kind: CredentialKind) -> Result<(), Error> {
        if spec.token.is_empty() {
            return Err(invalid("a token is empty".to_string()));
        }
        if self.credentials.iter().any(|c| c.token == spec.token) {
            return Err(invalid(format!("token {:?} is listed twice", spec.name)));
        }
        let user_id = self
            .user_by_email(&spec.user)
            .map(|u| u.id)
            .ok_or_else(|| {
                invalid(format!(
                    "token {:?} names unknown user {:?}",
                    spec.name, spec.user
                ))
            })?;
        for org in &spec.organizations {
            if self.organization_index(org).is_none() {
                return Err(invalid(format!(
                    "token {:?} names unknown organization {org:?}",
                    spec.name
                )));
            }
        }
        let mut collections = Vec::new();
        for target in &spec.collections {
            let (server, collection) = target.split_once('/').ok_or_else(|| {
                invalid(format!(
                    "token {:?}: collection {target:?} must be written server/collection",
                    spec.name
                ))
            })?;
            if self.collection_index(server, collection).is_none() {
                return Err(invalid(format!(
                    "token {:?} names unknown collection {target:?}",
                    spec.name
                )));
            }
            collections.push((server.to_lowercase(), collection.to_lowercase()));
        }
        self.credentials.push(Credential {
            kind,
            token: spec.token.clone(),
            name: spec.name.clone(),
            user_id,
            scopes: spec.scopes.clone(),
            valid_to: spec.valid_to,
            revoked: spec.revoked,
            all_hosts: spec.all_hosts,
            organizations: spec
                .organizations
                .iter()
                .map(|o| o.to_lowercase())
                .collect(),
            collections,
        });
        self.change_id += 1;
        Ok(())
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn user(&self, id: Uuid) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn organization_index(&self, name: &str) -> Option<usize> {
        self.organizations
            .iter()
            .position(|o| o.name.eq_ignore_ascii_case(name))
    }

    pub fn collection_index(&self, server: &str, collection: &str) -> Option<(usize, usize)> {
        let s = self
            .servers
            .iter()
            .position(|srv| srv.name.eq_ignore_ascii_case(server))?;
        let c = self.servers[s]
            .collections
            .iter()
            .position(|col| col.name.eq_ignore_ascii_case(collection))?;
        Some((s, c))
    }

    /// Matches the leading path segments (already percent-decoded) to a host.
    pub fn match_host(&self, segments: &[String]) -> HostMatch {
        let Some(first) = segments.first() else {
            return HostMatch::UnknownOrganization(String::new());
        };
        if let Some(o) = self.organization_index(first) {
            return HostMatch::Found(HostRef::Organization(o), 1);
        }
        for (s, server) in self.servers.iter().enumerate() {
            match &server.virtual_directory {
                Some(vdir) if vdir.eq_ignore_ascii_case(first) => {
                    let Some(second) = segments.get(1) else {
                        return HostMatch::UnknownCollection(String::new());
                    };
                    return match server
                        .collections
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(second))
                    {
                        Some(c) => HostMatch::Found(HostRef::Collection(s, c), 2),
                        None => HostMatch::UnknownCollection(second.clone()),
                    };
                }
                Some(_) => {}
                None => {
                    if let Some(c) = server
                        .collections
                        .iter()
                        .position(|c| c.name.eq_ignore_ascii_case(first))
                    {
                        return HostMatch::Found(HostRef::Collection(s, c), 1);
                    }
                }
            }
        }
        HostMatch::UnknownOrganization(first.clone())
    }

    pub fn projects(&self, host: HostRef) -> &[Project] {
        match host {
            HostRef::Organization(o) => &self.organizations[o].projects,
            HostRef::Collection(s, c) => &self.servers[s].collections[c].projects,
        }
    }

    fn projects_mut(&mut self, host: HostRef) -> &mut Vec<Project> {
        match host {
            HostRef::Organization(o) => &mut self.organizations[o].projects,
            HostRef::Collection(s, c) => &mut self.servers[s].collections[c].projects,
        }
    }

    /// A project by id (any case of the GUID) or by name.
    pub fn project(&self, host: HostRef, name_or_id: &str) -> Option<&Project> {
        let projects = self.projects(host);
        match Uuid::parse_str(name_or_id) {
            Ok(id) => projects.iter().find(|p| p.id == id),
            Err(_) => projects
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name_or_id)),
        }
    }

    /// The host's id (`instanceId`).
    pub fn host_id(&self, host: HostRef) -> Uuid {
        match host {
            HostRef::Organization(o) => self.organizations[o].id,
            HostRef::Collection(s, c) => self.servers[s].collections[c].id,
        }
    }

    /// The host's name (organization or collection).
    pub fn host_name(&self, host: HostRef) -> &str {
        match host {
            HostRef::Organization(o) => &self.organizations[o].name,
            HostRef::Collection(s, c) => &self.servers[s].collections[c].name,
        }
    }

    /// The credential presented as `token` in the given way, if the world has it.
    pub fn credential(&self, kind: CredentialKind, token: &str) -> Option<&Credential> {
        self.credentials
            .iter()
            .find(|c| c.kind == kind && c.token == token)
    }

    fn host_ref(&self, host: &HostPath) -> Result<HostRef, Error> {
        match host {
            HostPath::Organization(name) => self
                .organization_index(name)
                .map(HostRef::Organization)
                .ok_or_else(|| Error::NotFound(format!("organization {name:?}"))),
            HostPath::Collection { server, collection } => self
                .collection_index(server, collection)
                .map(|(s, c)| HostRef::Collection(s, c))
                .ok_or_else(|| Error::NotFound(format!("collection {server}/{collection}"))),
        }
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidScenario(message)
}

fn check_segment(name: &str, what: &str) -> Result<(), Error> {
    if name.trim().is_empty() || name.contains('/') || name.contains('\\') {
        return Err(invalid(format!(
            "{what} name {name:?} must be non-empty and contain no slash"
        )));
    }
    Ok(())
}

fn build_collection(server: &str, spec: &CollectionSpec) -> Result<Collection, Error> {
    let host_key = format!("collection/{server}/{}", spec.name);
    Ok(Collection {
        id: spec
            .id
            .unwrap_or_else(|| derived_id("collection", &[server, &spec.name])),
        name: spec.name.clone(),
        projects: build_projects(&host_key, &spec.projects, spec.generated_projects.as_ref())?,
    })
}

fn build_projects(
    host_key: &str,
    specs: &[ProjectSpec],
    generated: Option<&GeneratedProjects>,
) -> Result<Vec<Project>, Error> {
    let mut projects: Vec<Project> = Vec::new();
    let mut all: Vec<ProjectSpec> = specs.to_vec();
    if let Some(generated) = generated {
        let width = generated.count.to_string().len().max(3);
        let per = generated.repositories_per_project;
        let per_width = per.to_string().len().max(2);
        for n in 1..=generated.count {
            let mut spec = ProjectSpec::named(&format!("{} {n:0width$}", generated.name_prefix));
            let prefix = format!("{}-{n:0width$}", generated.repository_prefix);
            if per == 1 {
                spec = spec.with_repository(&prefix);
            } else {
                for k in 1..=per {
                    spec = spec.with_repository(&format!("{prefix}-{k:0per_width$}"));
                }
            }
            all.push(spec);
        }
    }
    // Names compare case-insensitively; a set keeps 2,000-project worlds quick to build.
    let mut names = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for spec in &all {
        let project = build_project(host_key, spec)?;
        if !names.insert(project.name.to_lowercase()) || !ids.insert(project.id) {
            return Err(invalid(format!(
                "{host_key}: project {:?} is listed twice",
                project.name
            )));
        }
        projects.push(project);
    }
    Ok(projects)
}

fn build_project(host_key: &str, spec: &ProjectSpec) -> Result<Project, Error> {
    check_segment(&spec.name, "project")?;
    let id = spec
        .id
        .unwrap_or_else(|| derived_id("project", &[host_key, &spec.name]));
    let mut repositories: Vec<Repository> = Vec::new();
    for repo in &spec.repositories {
        let repository = build_repository(host_key, &spec.name, repo)?;
        if repositories
            .iter()
            .any(|r| r.name.eq_ignore_ascii_case(&repository.name) || r.id == repository.id)
        {
            return Err(invalid(format!(
                "{host_key}: project {:?} lists repository {:?} twice",
                spec.name, repository.name
            )));
        }
        repositories.push(repository);
    }
    let (pull_requests, builds) = crate::activity::build_activity(host_key, spec, &repositories)?;
    Ok(Project {
        id,
        name: spec.name.clone(),
        description: spec.description.clone(),
        visibility: spec.visibility,
        revision: spec.revision.unwrap_or(1),
        last_update_time: spec.last_update_time.unwrap_or(DEFAULT_LAST_UPDATE),
        default_team_id: derived_id("team", &[host_key, &spec.name]),
        repositories,
        administrators: spec.administrators.clone(),
        pull_requests,
        builds,
    })
}

fn build_repository(
    host_key: &str,
    project: &str,
    spec: &RepositorySpec,
) -> Result<Repository, Error> {
    check_segment(&spec.name, "repository")?;
    let id = spec
        .id
        .unwrap_or_else(|| derived_id("repository", &[host_key, project, &spec.name]));
    // A plausible, stable size for repositories that have a branch.
    let size = spec.size.unwrap_or_else(|| match spec.default_branch {
        Some(_) => 1024 + (id.as_u128() % 900_000) as u64,
        None => 0,
    });
    Ok(Repository {
        id,
        name: spec.name.clone(),
        default_branch: spec.default_branch.clone(),
        size,
        is_disabled: spec.is_disabled,
        is_in_maintenance: spec.is_in_maintenance,
    })
}

/// Names a host in [`WorldHandle`] calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPath {
    /// A Services organization by name.
    Organization(String),
    /// A Server collection by server name (as in the scenario) and collection name.
    Collection {
        /// [`ServerSpec::name`].
        server: String,
        /// [`CollectionSpec::name`].
        collection: String,
    },
}

impl HostPath {
    /// A Services organization.
    pub fn organization(name: &str) -> Self {
        HostPath::Organization(name.to_string())
    }

    /// A Server collection.
    pub fn collection(server: &str, collection: &str) -> Self {
        HostPath::Collection {
            server: server.to_string(),
            collection: collection.to_string(),
        }
    }
}

/// Changes the running emulator's world. Cheap to clone; all clones share the world.
///
/// Changes apply to the next request. Every change bumps `lastChangeId`.
#[derive(Debug, Clone)]
pub struct WorldHandle {
    pub(crate) inner: Arc<RwLock<World>>,
    /// Service-hook subscriptions and notifications (`hooks/`). Lock order: the world first.
    pub(crate) hooks: Arc<std::sync::Mutex<crate::hooks::HookStore>>,
}

impl WorldHandle {
    pub(crate) fn new(world: World) -> Self {
        WorldHandle {
            inner: Arc::new(RwLock::new(world)),
            hooks: Arc::default(),
        }
    }

    pub(crate) fn read(&self) -> RwLockReadGuard<'_, World> {
        // A panic while holding the lock leaves consistent data (every change is one push or
        // one field write), so a poisoned lock is still safe to use.
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, World> {
        let mut world = self.inner.write().unwrap_or_else(|e| e.into_inner());
        world.change_id += 1;
        world
    }

    /// Revokes a PAT or access token: it then fails like an unknown one. Returns whether the
    /// token existed.
    pub fn revoke_token(&self, token: &str) -> bool {
        let mut world = self.write();
        let mut found = false;
        for credential in world.credentials.iter_mut().filter(|c| c.token == token) {
            credential.revoked = true;
            found = true;
        }
        found
    }

    /// Sets (or clears, with `None`) a token's expiry. Returns whether the token existed.
    pub fn set_token_expiry(&self, token: &str, valid_to: Option<OffsetDateTime>) -> bool {
        let mut world = self.write();
        let mut found = false;
        for credential in world.credentials.iter_mut().filter(|c| c.token == token) {
            credential.valid_to = valid_to;
            found = true;
        }
        found
    }

    /// Adds a PAT (sent as an HTTP Basic password).
    pub fn add_pat(&self, spec: TokenSpec) -> Result<(), Error> {
        self.write().add_credential(&spec, CredentialKind::Pat)
    }

    /// Adds an access token (sent as `Authorization: Bearer`). This is the hook for Entra and
    /// OAuth tokens: whatever issues them registers them here.
    pub fn add_access_token(&self, spec: TokenSpec) -> Result<(), Error> {
        self.write()
            .add_credential(&spec, CredentialKind::AccessToken)
    }

    /// Adds a user tokens can then name.
    pub fn add_user(&self, spec: UserSpec) -> Result<(), Error> {
        self.write().add_user(&spec)
    }

    /// Adds a project (with its repositories) to a host; returns its id.
    pub fn add_project(&self, host: &HostPath, spec: ProjectSpec) -> Result<Uuid, Error> {
        let mut world = self.write();
        let host_ref = world.host_ref(host)?;
        let host_key = host_key(&world, host_ref);
        let project = build_project(&host_key, &spec)?;
        if world
            .projects(host_ref)
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&project.name) || p.id == project.id)
        {
            return Err(Error::Conflict(format!(
                "project {:?} already exists",
                project.name
            )));
        }
        let id = project.id;
        world.projects_mut(host_ref).push(project);
        crate::activity::finish_world(&mut world)?;
        Ok(id)
    }

    /// Removes a project by name or id. Returns whether it existed.
    pub fn remove_project(&self, host: &HostPath, name_or_id: &str) -> Result<bool, Error> {
        let mut world = self.write();
        let host_ref = world.host_ref(host)?;
        let Some(id) = world.project(host_ref, name_or_id).map(|p| p.id) else {
            return Ok(false);
        };
        world.projects_mut(host_ref).retain(|p| p.id != id);
        Ok(true)
    }

    /// Adds a repository to a project (by name or id); returns its id.
    pub fn add_repository(
        &self,
        host: &HostPath,
        project: &str,
        spec: RepositorySpec,
    ) -> Result<Uuid, Error> {
        let mut world = self.write();
        let host_ref = world.host_ref(host)?;
        let host_key = host_key(&world, host_ref);
        let project_id = world
            .project(host_ref, project)
            .map(|p| p.id)
            .ok_or_else(|| Error::NotFound(format!("project {project:?}")))?;
        let projects = world.projects_mut(host_ref);
        let project = projects
            .iter_mut()
            .find(|p| p.id == project_id)
            .expect("found above");
        let repository = build_repository(&host_key, &project.name, &spec)?;
        if project
            .repositories
            .iter()
            .any(|r| r.name.eq_ignore_ascii_case(&repository.name) || r.id == repository.id)
        {
            return Err(Error::Conflict(format!(
                "repository {:?} already exists",
                repository.name
            )));
        }
        let id = repository.id;
        project.repositories.push(repository);
        Ok(id)
    }

    /// A project's id, by name.
    pub fn project_id(&self, host: &HostPath, project: &str) -> Option<Uuid> {
        let world = self.read();
        let host_ref = world.host_ref(host).ok()?;
        world.project(host_ref, project).map(|p| p.id)
    }

    /// A repository's id, by project and repository name.
    pub fn repository_id(&self, host: &HostPath, project: &str, repository: &str) -> Option<Uuid> {
        let world = self.read();
        let host_ref = world.host_ref(host).ok()?;
        world
            .project(host_ref, project)?
            .repositories
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(repository))
            .map(|r| r.id)
    }

    /// The current `lastChangeId`.
    pub fn last_change_id(&self) -> i64 {
        self.read().change_id
    }
}

fn host_key(world: &World, host: HostRef) -> String {
    match host {
        HostRef::Organization(o) => format!("org/{}", world.organizations[o].name),
        HostRef::Collection(s, c) => format!(
            "collection/{}/{}",
            world.servers[s].name, world.servers[s].collections[c].name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> World {
        World::from_scenario(&Scenario::demo()).unwrap()
    }

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn ids_are_stable_across_builds() {
        let a = demo();
        let b = demo();
        assert_eq!(
            a.organizations[0].projects[0].id,
            b.organizations[0].projects[0].id
        );
        assert_ne!(
            a.organizations[0].projects[0].id,
            a.organizations[0].projects[1].id
        );
    }

    #[test]
    fn hosts_match_case_insensitively() {
        let world = demo();
        assert!(matches!(
            world.match_host(&segs("FABRIKAM/_apis")),
            HostMatch::Found(HostRef::Organization(0), 1)
        ));
        assert!(matches!(
            world.match_host(&segs("TFS/defaultcollection/_apis")),
            HostMatch::Found(HostRef::Collection(0, 0), 2)
        ));
        assert!(matches!(
            world.match_host(&segs("legacycollection/_apis")),
            HostMatch::Found(HostRef::Collection(1, 0), 1)
        ));
        assert!(
            matches!(world.match_host(&segs("tfs/Nope/_apis")), HostMatch::UnknownCollection(ref c) if c == "Nope")
        );
        assert!(
            matches!(world.match_host(&segs("nobody/_apis")), HostMatch::UnknownOrganization(ref o) if o == "nobody")
        );
    }

    #[test]
    fn the_big_collection_has_250_projects() {
        let world = demo();
        assert_eq!(world.servers[0].collections[1].projects.len(), 250);
        assert_eq!(
            world.servers[0].collections[1].projects[0].name,
            "Project 001"
        );
    }

    #[test]
    fn clashing_top_level_names_are_rejected() {
        let mut scenario = Scenario::minimal();
        scenario.organizations[0].name = "TFS".to_string();
        let err = World::from_scenario(&scenario).unwrap_err();
        assert!(err.to_string().contains("clashes"), "{err}");
    }

    #[test]
    fn tokens_must_name_known_users() {
        let mut scenario = Scenario::minimal();
        scenario.pats[0].user = "ghost@example.com".to_string();
        assert!(World::from_scenario(&scenario).is_err());
    }

    #[test]
    fn handle_adds_and_removes_projects() {
        let handle = WorldHandle::new(demo());
        let host = HostPath::organization("fabrikam");
        let before = handle.last_change_id();
        let id = handle
            .add_project(
                &host,
                ProjectSpec::named("New One").with_repository("new-repo"),
            )
            .unwrap();
        assert_eq!(handle.project_id(&host, "new one"), Some(id));
        assert!(handle.last_change_id() > before);
        assert!(handle.remove_project(&host, "New One").unwrap());
        assert_eq!(handle.project_id(&host, "New One"), None);
    }
}
