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

mod build;
mod handle;
mod pats;

use self::build::{
    build_collection, build_project, build_projects, build_repository, check_segment, invalid,
};
pub use self::handle::{HostPath, WorldHandle};
pub use self::pats::{MintedPatInfo, PatPolicy};
pub(crate) use self::pats::{PatError, PatRequest, PatView};

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
    /// Denied "Contribute to pull requests", by email (see `permissions.rs`).
    pub pull_request_contribute_denied: Vec<String>,
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
    /// PATs minted through the API, and organizations' PAT policies (`pats.rs`).
    pub pats: pats::PatStore,
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
            pats: pats::PatStore::default(),
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
