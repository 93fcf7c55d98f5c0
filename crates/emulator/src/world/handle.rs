//! [`WorldHandle`]: the world as tests change it while the emulator runs, and [`HostPath`],
//! how those calls name a host.

use super::*;

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

pub(super) fn host_key(world: &World, host: HostRef) -> String {
    match host {
        HostRef::Organization(o) => format!("org/{}", world.organizations[o].name),
        HostRef::Collection(s, c) => format!(
            "collection/{}/{}",
            world.servers[s].name, world.servers[s].collections[c].name
        ),
    }
}
