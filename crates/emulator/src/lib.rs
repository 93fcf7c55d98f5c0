//! `ado-emulator`: a fake Azure DevOps, faithful enough for the ADO Connect client, its tests,
//! the demo, and Microsoft's own Python SDK.
//!
//! It serves Azure DevOps Services organizations (`/{organization}/…`) and Azure DevOps
//! Servers (`[/{virtualDirectory}]/{collection}/…`) from a [`Scenario`], on loopback only,
//! over HTTP or HTTPS with a private CA. It answers the way the real service answers:
//! VSS error bodies, `401`/`302`/`203` for bad credentials, `api-version` limits per server
//! release, paging through `x-ms-continuationtoken`, and injected faults (latency, `429`,
//! `5xx`). Wire shapes are its own (`serde_json::json!`), shared with no client, so a serde
//! mistake in the client cannot be mirrored here. `FIDELITY.md` lists what was checked
//! against which source, and what was decided without one.
//!
//! It also plays Microsoft Entra ID's OAuth 2.0 endpoints (auth code + PKCE, device code,
//! client credentials, refresh; see [`Emulator::entra`]); the tokens they issue work on the
//! organizations as Bearer tokens.
//!
//! What it does not do: Windows (NTLM/Kerberos) authentication, the legacy Azure DevOps OAuth
//! service, writes (except service-hook subscriptions), or any area beyond location, core
//! projects, git repositories, commits and pull requests, builds, work item types, permission
//! evaluation and service hooks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ado_emulator::Error> {
//! use ado_emulator::{Config, Emulator, Scenario};
//! let emu = Emulator::spawn(Config { scenario: Scenario::demo(), ..Default::default() }).await?;
//! let collection = emu.collection_url("fabrikam-tfs", "DefaultCollection").unwrap();
//! assert_eq!(collection, format!("{}/tfs/DefaultCollection", emu.base_url()));
//! // GET {collection}/_apis/projects with Basic ":{DEMO_FULL_ACCESS_PAT}" lists 3 projects.
//! emu.world().revoke_token(ado_emulator::scenario::DEMO_FULL_ACCESS_PAT);
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Terminology
//! - **Organization**: an Azure DevOps Services tenant of projects, `https://dev.azure.com/{org}`.
//!   Each has an Entra tenant (all-zero GUID: backed by Microsoft accounts).
//! - **Server**: an Azure DevOps Server (formerly TFS) installation. It has a release (2019,
//!   2020, 2022), which caps the REST API version; an IIS virtual directory (`tfs` or none); and
//!   a configured *public URL*, which responses use for every URL they contain.
//! - **Collection**: a Server's project collection, `http://host:8080/tfs/{collection}`. For REST
//!   purposes it plays the part an organization plays on Services. Both are *hosts* here.
//! - **Project**: a team project within a host; holds Git repositories.
//! - **PAT**: personal access token, sent as an HTTP Basic password; has scopes, an expiry, a
//!   user, and the hosts it works on.
//! - **Scope**: what a token may do, e.g. `vso.code` (read code), `vso.project` (read projects),
//!   or `app_token` (full access).
//! - **Resource location / area**: Azure DevOps' self-description (`OPTIONS _apis`,
//!   `_apis/ResourceAreas`) from which SDKs build URLs and negotiate versions.
//! - **Service-hook subscription**: a webhook registration (publisher `tfs`, consumer
//!   `webHooks`); events fired with [`Emulator::fire`] are delivered to it as real HTTP POSTs
//!   to loopback receivers, each recorded as a *notification* (see [`hooks`]).
//!
//! # Layers
//! Each layer uses only those below it; nothing outside `lib.rs` uses `routes`.
//! 1. **Wire basics**: `versions` (`api-version`, Server releases) and `errors` (VSS error
//!    bodies), which name each other's types.
//! 2. **Model**: `scenario` (what to serve, as written), `world` and `activity` (the state
//!    served: hosts, projects, repositories, pull requests, builds), and `history` (commits,
//!    derived from that state). They refer to one another;
//!    `WorldHandle` also keeps the hooks' `HookStore` next to the world, so one lock order
//!    holds (the world first).
//! 3. **Resources** (`resources/`): world state rendered as Azure DevOps JSON (projects,
//!    repositories, pull requests, commits, builds, identities, connectionData) and the sign-in
//!    pages.
//! 4. **Services**: `auth` (credentials, scopes, challenges), `permissions`, `faults` (which
//!    fault a request gets, the request log), `entra` (Entra ID's grants and its endpoints,
//!    which see only the grants and the world), `hooks` (subscriptions, events rendered with
//!    the resources, deliveries), `tls`, and `server` (accept loop, connections).
//! 5. **State** (`state.rs`): `AppState`, what every request handler shares.
//! 6. **Routes** (`routes/`): parse a request, run the checks, find what it names and call a
//!    renderer; also the `/_emulator` control endpoints and the answers of faults.
//!
//! The crate root (`Emulator`, `Config`, `Error`) sits above them all; [`Error`] is the one
//! type every layer names upward, and `hooks` adds the [`Emulator`]'s hooks methods.

#![deny(missing_docs)]

pub mod activity;
mod auth;
mod entra;
mod errors;
pub mod faults;
mod history;
pub mod hooks;
mod permissions;
mod resources;
mod routes;
pub mod scenario;
mod server;
pub mod spec;
mod state;
mod tls;
pub mod versions;
pub mod world;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use crate::entra::{EntraConfig, EntraHandle};
pub use crate::faults::{Fault, FaultRule, Faults, RequestKind, RequestRecord};
pub use crate::scenario::{Scenario, SignInMode};
pub use crate::tls::TlsCertificate;
pub use crate::versions::ServerVersion;
pub use crate::world::{HostPath, WorldHandle};

use crate::faults::FaultState;
use crate::resources::{encode_segment, vdir_prefix};
use crate::state::AppState;
use crate::world::World;

/// What can go wrong starting or changing an emulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `--scenario foo` where `foo` is neither built in nor a file, e.g. `"dmeo"`.
    #[error("unknown built-in scenario {0:?} (built in: demo, minimal, large)")]
    UnknownScenario(String),
    /// A scenario file that cannot be read.
    #[error("cannot read scenario file {path}: {source}")]
    ScenarioFile {
        /// The path as given.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A scenario that does not parse or contradicts itself, e.g. a token naming an unknown user.
    #[error("invalid scenario: {0}")]
    InvalidScenario(String),
    /// A listen address that is not loopback, e.g. `0.0.0.0`.
    #[error("refusing to listen on {0}: ado-emulator serves on loopback only (127.0.0.1, ::1)")]
    NotLoopback(String),
    /// The port is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Certificate generation or TLS setup failed.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// A [`WorldHandle`] call named something that does not exist, e.g. an unknown project.
    #[error("not found: {0}")]
    NotFound(String),
    /// A [`WorldHandle`] call would create a duplicate, e.g. a second project of the same name.
    #[error("already exists: {0}")]
    Conflict(String),
    /// Fault rules that cannot be served, e.g. status 200 or a 10-byte "huge" body.
    #[error("invalid faults: {0}")]
    InvalidFaults(String),
    /// An event that cannot happen, e.g. a merge result the service does not know.
    #[error("invalid event: {0}")]
    InvalidEvent(String),
}

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct Config {
    /// The world to serve. Default: [`Scenario::demo`].
    pub scenario: Scenario,
    /// Listen address; must be loopback. Default `127.0.0.1`.
    pub host: IpAddr,
    /// Listen port; `0` picks a free one. Default `0`.
    pub port: u16,
    /// Serve HTTPS with a freshly generated private CA.
    pub tls: bool,
    /// With `tls`: the certificate connections are shown (a fault unless `Valid`).
    pub tls_certificate: TlsCertificate,
    /// Injected faults (changeable later with [`Emulator::set_faults`]).
    pub faults: Faults,
    /// Overrides every organization's answer to bad credentials without `Suppress`.
    pub sign_in: Option<SignInMode>,
    /// Token, code and device code lifetimes of the Entra endpoints (`--token-lifetime-secs`, …).
    pub entra: EntraConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            scenario: Scenario::demo(),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: false,
            tls_certificate: TlsCertificate::Valid,
            faults: Faults::default(),
            sign_in: None,
            entra: EntraConfig::default(),
        }
    }
}

/// A running emulator. Dropping it stops it too; [`Emulator::shutdown`] also waits.
#[derive(Debug)]
pub struct Emulator {
    base_url: String,
    local_addr: SocketAddr,
    startup_info: Value,
    ca_pem: Option<String>,
    /// The Entra endpoints' grants and the test controls (`entra/`).
    entra: EntraHandle,
    world: WorldHandle,
    faults: Arc<FaultState>,
    tls: Option<Arc<tls::TlsSet>>,
    /// Service-hook deliveries (`hooks/delivery.rs`).
    hooks: Arc<hooks::Engine>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Validates the scenario, binds the port and starts serving.
    ///
    /// Errors: an invalid scenario, a non-loopback host, a port in use, or TLS setup failure.
    pub async fn spawn(config: Config) -> Result<Emulator, Error> {
        if !config.host.is_loopback() {
            return Err(Error::NotLoopback(config.host.to_string()));
        }
        config.faults.validate().map_err(Error::InvalidFaults)?;
        let world = World::from_scenario(&config.scenario)?;
        let entra_state = entra::EntraState::new(&config.scenario, &config.entra, &world)?;
        let addr = SocketAddr::new(config.host, config.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { addr, source })?;
        let tls = if config.tls {
            Some(Arc::new(tls::generate(config.tls_certificate)?))
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let authority = match local_addr {
            SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
        };
        let base_url = format!("{scheme}://{authority}");
        let world = WorldHandle::new(world);
        entra_state.register_identities(&world)?;
        let entra_state = Arc::new(entra_state);
        let faults = Arc::new(FaultState::new(config.faults.clone()));
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let startup_info = startup_info(
            &base_url,
            &config.scenario,
            &world.read(),
            ca_pem.as_deref(),
        );
        let mut startup_info = startup_info;
        startup_info["entra"] = entra::startup_info(&entra_state, &base_url);
        let hooks = Arc::new(hooks::Engine::new(world.clone(), &base_url)?);
        let (stop, stopped) = watch::channel(false);
        let state = Arc::new(AppState {
            world: world.clone(),
            faults: faults.clone(),
            scheme,
            fallback_authority: authority,
            sign_in_override: config.sign_in,
            process_id: Uuid::new_v4(),
            hooks: hooks.clone(),
            entra: entra_state.clone(),
            stop: stopped.clone(),
            tls: tls.clone(),
        });
        let task = server::spawn(
            listener,
            routes::router(state),
            tls.clone(),
            stopped,
            faults.listening(),
        );
        tracing::info!(%base_url, scenario = %config.scenario.name, "ado-emulator listening");
        Ok(Emulator {
            base_url,
            local_addr,
            startup_info,
            ca_pem,
            entra: EntraHandle {
                state: entra_state,
                world: world.clone(),
            },
            world,
            faults,
            tls,
            hooks,
            stop,
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:{port}` (or `https://…`), without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The JSON the binary prints at start: `baseUrl`, `controlUrl`, `organizationUrls`,
    /// `collectionUrls`, `pats` (the first has full access), `accessTokens`, `organizations`,
    /// `servers`, `scenario`, and `caPem` with TLS.
    pub fn startup_info(&self) -> Value {
        self.startup_info.clone()
    }

    /// The private CA's certificate (PEM) when serving HTTPS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The URL of an organization, e.g. `organization_url("fabrikam")`.
    pub fn organization_url(&self, name: &str) -> String {
        format!("{}/{}", self.base_url, encode_segment(name))
    }

    /// The URL of a Server collection on this emulator (not its public URL), or `None` when the
    /// scenario has no such server or collection.
    pub fn collection_url(&self, server: &str, collection: &str) -> Option<String> {
        let world = self.world.read();
        let (s, c) = world.collection_index(server, collection)?;
        let server = &world.servers[s];
        Some(format!(
            "{}{}/{}",
            self.base_url,
            vdir_prefix(server),
            encode_segment(&server.collections[c].name)
        ))
    }

    /// A handle to change the world while the emulator runs.
    pub fn world(&self) -> WorldHandle {
        self.world.clone()
    }

    /// A handle to the Entra endpoints' state: approve or deny device codes, revoke refresh
    /// tokens, expire access tokens, switch an organization's OAuth policy.
    pub fn entra(&self) -> EntraHandle {
        self.entra.clone()
    }

    /// Replaces the injected faults; request counting restarts.
    pub fn set_faults(&self, faults: Faults) {
        self.faults.set(faults);
    }

    /// The injected faults in force.
    pub fn faults(&self) -> Faults {
        self.faults.get()
    }

    /// Adds one fault rule to those in force (counting restarts, as with
    /// [`Emulator::set_faults`]). Errors: a rule that cannot be served (e.g. status 200).
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), Error> {
        rule.validate().map_err(Error::InvalidFaults)?;
        let mut faults = self.faults.get();
        faults.rules.push(rule);
        self.faults.set(faults);
        Ok(())
    }

    /// Every request the emulator has seen (Azure DevOps and Entra, not `/_emulator`), oldest
    /// first, with its [`RequestKind`] and the fault injected, if any.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.faults.requests()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.faults.clear_requests()
    }

    /// Stops listening (new connections are refused, open ones close once idle) or starts
    /// again on the same port. [`Emulator::set_faults`] also starts listening again.
    pub fn refuse_connections(&self, refuse: bool) {
        self.faults.set_listening(match refuse {
            true => faults::Listening::Refusing(None),
            false => faults::Listening::Open,
        });
    }

    /// Which certificate new HTTPS connections are shown; existing ones keep theirs. No effect
    /// without TLS.
    pub fn set_tls_certificate(&self, certificate: TlsCertificate) {
        if let Some(tls) = &self.tls {
            tls.set_certificate(certificate);
        }
    }

    /// The certificate new HTTPS connections are shown (`None` without TLS).
    pub fn tls_certificate(&self) -> Option<TlsCertificate> {
        self.tls.as_ref().map(|t| t.certificate())
    }

    /// Stops accepting connections, lets open ones finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // The server task sees this and closes its listener; nothing to wait for here.
        let _ = self.stop.send(true);
    }
}

fn startup_info(base_url: &str, scenario: &Scenario, world: &World, ca_pem: Option<&str>) -> Value {
    let organizations: Vec<Value> = world
        .organizations
        .iter()
        .map(|o| {
            json!({
                "name": o.name,
                "url": format!("{base_url}/{}", encode_segment(&o.name)),
                "tenantId": o.tenant_id,
            })
        })
        .collect();
    let servers: Vec<Value> = world
        .servers
        .iter()
        .map(|s| {
            let root = format!("{base_url}{}", vdir_prefix(s));
            json!({
                "name": s.name,
                "version": s.version.as_str(),
                "maxApiVersion": s.version.max_api_version().to_string(),
                "virtualDirectory": s.virtual_directory,
                "url": root,
                "publicUrl": s.public_url,
                "collections": s.collections.iter().map(|c| json!({
                    "name": c.name,
                    "url": format!("{root}/{}", encode_segment(&c.name)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let collection_urls: Vec<Value> = servers
        .iter()
        .flat_map(|s| s["collections"].as_array().cloned().unwrap_or_default())
        .map(|c| c["url"].clone())
        .collect();
    let now = time::OffsetDateTime::now_utc();
    let token = |c: &world::Credential| {
        let user = world.user(c.user_id);
        json!({
            "token": c.token,
            "name": c.name,
            "user": user.map(|u| u.email.as_str()),
            "displayName": user.map(|u| u.display_name.as_str()),
            "scopes": c.scopes,
            "expired": c.valid_to.is_some_and(|t| t <= now),
            "validTo": c.valid_to.map(resources::format_time),
            "revoked": c.revoked,
        })
    };
    let full_access = |c: &&world::Credential| {
        auth::grants(&c.scopes, "vso.code")
            && auth::grants(&c.scopes, "vso.project")
            && c.valid_to.is_none_or(|t| t > now)
            && !c.revoked
    };
    let (kind_pat, kind_token) = (
        world::CredentialKind::Pat,
        world::CredentialKind::AccessToken,
    );
    // pats[0] is a working full-access token when the scenario has one.
    let mut pats: Vec<&world::Credential> = world
        .credentials
        .iter()
        .filter(|c| c.kind == kind_pat)
        .collect();
    pats.sort_by_key(|c| !full_access(c));
    let mut info = json!({
        "baseUrl": base_url,
        // The emulator's own endpoints (fire service-hook events, read deliveries): README.
        "controlUrl": format!("{base_url}/_emulator"),
        "scenario": scenario.name,
        "organizationUrls": organizations.iter().map(|o| o["url"].clone()).collect::<Vec<_>>(),
        "collectionUrls": collection_urls,
        "pats": pats.into_iter().map(token).collect::<Vec<_>>(),
        "accessTokens": world.credentials.iter().filter(|c| c.kind == kind_token).map(token).collect::<Vec<_>>(),
        "organizations": organizations,
        "servers": servers,
    });
    if let Some(pem) = ca_pem {
        info["caPem"] = json!(pem);
    }
    info
}
