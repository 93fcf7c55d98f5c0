//! Preflight: every check before anything is changed, filled in live.
//!
//! Round trips on the critical path (two):
//! 1. at once: `connectionData` (reachable, TLS, credentials, who, public URL from the access
//!    mappings); on a Server its resource locations (`OPTIONS _apis`: the REST API versions it
//!    serves, so every later probe and its curl reproduction go at the server's version); and,
//!    since the target is known, the inventory: projects (which also settles the server
//!    version when the locations could not be read), the organization's repositories, hook
//!    subscriptions, and the named project if there is one. When the credential is refused
//!    (or the server is too old) the inventory's answers are dropped unread.
//! 2. at once, on the chosen project: pull requests, builds, work item types, and the
//!    ServiceHooks permission evaluation.
//!
//! A Server whose version is not known yet (not a saved connection) and that is older than
//! what the client asks for answers round 1's inventory with an out-of-range error; the client
//! learns its version from it and asks again at once: one more round trip, on 2019 and 2020
//! only, and only until the connection is saved with its version.
//!
//! Each round trip is a named phase of `run` (`open`, `connect` beside `Inventory::gather`,
//! `report_projects`, `choose_project`, `report_repositories`, `probe_capabilities`, `finish`).
//! The verdicts are the core's pure functions; this module only gathers facts.

use std::sync::Mutex;

use ado_client::api::security::{service_hooks_token, EDIT_SUBSCRIPTIONS, SERVICE_HOOKS_NAMESPACE};
use ado_client::{AdoClient, ConnectionData, Credential, Error, Request, TeamProjectReference};
use ado_core::capabilities::Capability;
use ado_core::checks::{self, CheckCode, FailureKind, Probe, Problem};
use ado_core::curl::{curl_command, AuthKind, CurlSpec};
use ado_core::preflight::{self as verdicts, Check, CheckId, ServerVersionFact, Status};
use ado_core::target::{ConnectionTarget, Field};
use serde::Serialize;

use crate::failure::probe_failure;
mod report;

use crate::verify::{client_for, ConnectOptions, User};
pub use report::{default_report_dir, save_report, save_report_to_default_dir};

/// What to check.
#[derive(Clone)]
pub struct PreflightRequest {
    /// Where.
    pub target: ConnectionTarget,
    /// With which credential.
    pub credential: Credential,
    /// For what.
    pub capabilities: Vec<Capability>,
    /// A project the user named (from a pasted URL), if any.
    pub project: Option<String>,
    /// A repository the user named, if any.
    pub repository: Option<String>,
    /// TLS trust, proxy, and the user's consent to plain HTTP (`allow_http`).
    pub options: ConnectOptions,
    /// Where the trusted CA file is, for curl reproductions (`--cacert`).
    pub ca_file_hint: Option<String>,
}

/// The checklist, when every check has run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightReport {
    /// True when no check failed.
    pub ok: bool,
    /// Every check, in the order the UI lists them.
    pub checks: Vec<Check>,
    /// Who the token belongs to, when known.
    pub user: Option<User>,
    /// HTTP requests sent.
    pub requests: u64,
}

/// Runs every check, calling `on_check` as each one settles (for the live checklist).
pub async fn run_preflight(
    request: &PreflightRequest,
    on_check: &(dyn Fn(&Check) + Sync),
) -> PreflightReport {
    let sink = Sink {
        checks: Mutex::new(Vec::new()),
        on_check,
    };
    let user = run(request, &sink).await;
    let checks = sink.checks.into_inner().expect("checks lock");
    let ok = checks.iter().all(|c| c.status != Status::Fail);
    PreflightReport {
        ok,
        checks,
        user: user.0,
        requests: user.1,
    }
}

struct Sink<'a> {
    checks: Mutex<Vec<Check>>,
    on_check: &'a (dyn Fn(&Check) + Sync),
}

impl Sink<'_> {
    fn push(&self, check: Check) {
        (self.on_check)(&check);
        self.checks.lock().expect("checks lock").push(check);
    }
}

struct Probes<'a> {
    request: &'a PreflightRequest,
    client: AdoClient,
}

impl Probes<'_> {
    fn auth_kind(&self) -> AuthKind {
        match self.request.credential {
            Credential::Anonymous => AuthKind::Anonymous,
            Credential::Pat(_) => AuthKind::Pat,
            Credential::Bearer(_) => AuthKind::Bearer,
        }
    }

    fn curl(&self, request: &Request) -> Option<String> {
        let url = self.client.url_for(request).ok()?;
        let body = request.body().map(|b| b.to_string());
        Some(curl_command(&CurlSpec {
            method: request.method(),
            url: url.as_str(),
            auth: self.auth_kind(),
            json_body: body.as_deref(),
            ca_file: self.request.ca_file_hint.as_deref().or(self
                .request
                .options
                .trusted_ca_pem
                .as_ref()
                .map(|_| "ca.pem")),
        }))
    }

    fn problem(&self, probe: Probe, error: &Error) -> Problem {
        let mut failure = probe_failure(probe, error);
        failure.via_oauth = matches!(self.request.credential, Credential::Bearer(_));
        checks::diagnose(&self.request.target, &failure)
    }
}

/// The phases in order; each pushes its rows and says whether the next can run.
async fn run(request: &PreflightRequest, sink: &Sink<'_>) -> (Option<User>, u64) {
    let Some(probes) = open(request, sink) else {
        return (None, 0);
    };
    // Round 1: the connection and the inventory at once; the inventory is dropped unread when
    // the connection fails.
    let (connected, inventory) = tokio::join!(connect(&probes, sink), Inventory::gather(&probes));
    let Some((connection, user)) = connected else {
        return (None, probes.client.stats().requests);
    };
    if let Some(too_old) = unsupported_server(&probes) {
        sink.push(too_old);
        skip_checks(
            sink,
            request,
            &[CheckId::PublicUrl, CheckId::Resources],
            "Skipped: the server is older than ADO Connect supports.",
        );
        finish(sink, &probes);
        return (Some(user), probes.client.stats().requests);
    }
    let subscriptions = inventory.subscriptions;
    let projects = report_projects(
        &probes,
        sink,
        &connection,
        inventory.projects,
        &inventory.repositories,
    );
    let chosen = choose_project(&probes, sink, inventory.project, &projects);
    report_repositories(&probes, sink, inventory.repositories);
    match chosen {
        Some(project) => probe_capabilities(&probes, sink, &user, &project, subscriptions).await,
        None => skip_capabilities(sink, request),
    }
    finish(sink, &probes);
    (Some(user), probes.client.stats().requests)
}

/// Phase 0: encryption (plain http without consent stops here, nothing sent) and the client.
fn open<'a>(request: &'a PreflightRequest, sink: &Sink<'_>) -> Option<Probes<'a>> {
    let target = &request.target;
    let encryption = verdicts::encryption(target, request.options.allow_http);
    let refused_http = encryption.status == Status::Fail;
    sink.push(encryption);
    if refused_http {
        skip_rest(
            sink,
            request,
            "Not sent: the token would travel over plain HTTP.",
        );
        return None;
    }
    match client_for(target, request.credential.clone(), &request.options) {
        Ok(client) => Some(Probes { request, client }),
        Err(problem) => {
            sink.push(Check::from_problem(
                CheckId::Reachable,
                Status::Fail,
                problem,
            ));
            None
        }
    }
}

/// Round trip 1, `connectionData` (and the resource locations): reachable, TLS, credentials, who.
async fn connect(probes: &Probes<'_>, sink: &Sink<'_>) -> Option<(ConnectionData, User)> {
    let request = probes.request;
    let target = &request.target;
    let connection_request = Request::get("_apis/connectionData");
    let (connection, _) = tokio::join!(
        probes.client.connection_data(),
        crate::verify::read_versions(&probes.client, target)
    );
    let connection = match connection {
        Ok(c) => c,
        Err(error) => {
            let problem = probes.problem(Probe::ConnectionData, &error);
            let id = match problem.code {
                CheckCode::InvalidCredentials
                | CheckCode::TokenExpired
                | CheckCode::OauthPolicyDisabled
                | CheckCode::MsaOrganization => CheckId::Credentials,
                CheckCode::NotFound => CheckId::Named,
                _ => CheckId::Reachable,
            };
            if id != CheckId::Reachable {
                sink.push(Check::pass(
                    CheckId::Reachable,
                    format!("{} answers.", target.host_url()),
                ));
            }
            sink.push(
                Check::from_problem(id, Status::Fail, problem)
                    .with_curl(probes.curl(&connection_request)),
            );
            skip_rest(sink, request, "Skipped: the connection itself failed.");
            return None;
        }
    };
    let user = User {
        id: connection.authenticated_user.id.clone(),
        display_name: connection.authenticated_user.display_name().to_string(),
        account: connection.authenticated_user.account().map(str::to_string),
    };
    sink.push(Check::pass(
        CheckId::Reachable,
        match target.host_url().scheme() {
            "https" => format!(
                "{} answers, and its TLS certificate is trusted.",
                target.host_url()
            ),
            _ => format!("{} answers.", target.host_url()),
        },
    ));
    sink.push(Check::pass(
        CheckId::Credentials,
        format!(
            "Signed in as {}{}.",
            user.display_name,
            user.account
                .as_deref()
                .map(|a| format!(" ({a})"))
                .unwrap_or_default()
        ),
    ));

    Some((connection, user))
}

/// Round trip 1 too, beside `connectionData`: projects, repositories, hook subscriptions, the
/// named project.
struct Inventory {
    projects: Result<ado_client::Page<TeamProjectReference>, Error>,
    repositories: Option<Result<Vec<ado_client::GitRepository>, Error>>,
    subscriptions: Option<Result<Vec<ado_client::Subscription>, Error>>,
    project: Option<Result<TeamProjectReference, Error>>,
}

impl Inventory {
    async fn gather(probes: &Probes<'_>) -> Inventory {
        let request = probes.request;
        let named_project = request.project.as_deref();
        let wants_repos = request.capabilities.contains(&Capability::Repositories);
        let wants_hooks = request.capabilities.contains(&Capability::Webhooks);
        let (projects, repositories, subscriptions, project) = tokio::join!(
            probes.client.projects_page(100, None),
            async {
                if wants_repos || request.repository.is_some() {
                    Some(probes.client.repositories(named_project).await)
                } else {
                    None
                }
            },
            async {
                if wants_hooks {
                    Some(probes.client.subscriptions().await)
                } else {
                    None
                }
            },
            async {
                match named_project {
                    Some(name) => Some(probes.client.project(name).await),
                    None => None,
                }
            },
        );
        Inventory {
            projects,
            repositories,
            subscriptions,
            project,
        }
    }
}

/// Server version, public URL and resources, from round trip 1. Returns the projects.
fn report_projects(
    probes: &Probes<'_>,
    sink: &Sink<'_>,
    connection: &ConnectionData,
    projects: Result<ado_client::Page<TeamProjectReference>, Error>,
    repositories: &Option<Result<Vec<ado_client::GitRepository>, Error>>,
) -> Vec<TeamProjectReference> {
    let target = &probes.request.target;
    let projects_request = probes.client.projects_request(100);
    let connection_request = Request::get("_apis/connectionData");
    let mut returned_urls: Vec<String> = connection
        .location_service_data
        .as_ref()
        .map(|l| {
            l.access_mappings
                .iter()
                .map(|m| m.access_point.clone())
                .collect()
        })
        .unwrap_or_default();
    let version_fact = version_fact(probes, &projects);
    let version_ok = matches!(
        version_fact,
        ServerVersionFact::Latest(_) | ServerVersionFact::Served
    );
    sink.push(
        verdicts::server_version(target, &version_fact).with_curl(probes.curl(&projects_request)),
    );
    let projects = match projects {
        Ok(page) => page.items,
        Err(error) => {
            let problem = probes.problem(Probe::Projects, &error);
            sink.push(
                Check::from_problem(CheckId::Resources, Status::Fail, problem)
                    .with_curl(probes.curl(&projects_request)),
            );
            Vec::new()
        }
    };
    returned_urls.extend(projects.iter().filter_map(|p| p.url.clone()));
    if let Some(Ok(repos)) = repositories {
        returned_urls.extend(repos.iter().filter_map(|r| r.remote_url.clone()));
        returned_urls.extend(repos.iter().filter_map(|r| r.url.clone()));
    }
    sink.push(
        verdicts::public_url(target, &target.api_base(), &returned_urls)
            .with_curl(probes.curl(&connection_request)),
    );
    if version_ok {
        if projects.is_empty() {
            sink.push(Check::from_problem(CheckId::Resources, Status::Fail, Problem::new(CheckCode::NoResources, Some(Field::Pat), format!("The token is valid but sees no projects in {}.", target.scope_phrase()), "Ask a project administrator to add this user to a project, or use a token of a user who is a member.")).with_curl(probes.curl(&projects_request)));
        } else {
            sink.push(Check::pass(
                CheckId::Resources,
                format!("{} project(s) visible.", projects.len()),
            ));
        }
    }

    projects
}

/// What the server said of its version: its resource locations or out-of-range error (what the
/// client learned), else whether it served the projects list.
fn version_fact(
    probes: &Probes<'_>,
    projects: &Result<ado_client::Page<TeamProjectReference>, Error>,
) -> ServerVersionFact {
    let latest = crate::verify::server_api_version(&probes.client, &probes.request.target);
    match (projects, latest) {
        (Ok(_), Some(latest)) => ServerVersionFact::Latest(latest.to_string()),
        (Ok(_), None) => ServerVersionFact::Served,
        (Err(error), latest) => match probe_failure(Probe::Projects, error).kind {
            FailureKind::Http {
                type_key: Some(key),
                message,
                ..
            } if key == "VssVersionOutOfRangeException" => match latest {
                Some(latest) => ServerVersionFact::Latest(latest.to_string()),
                None => ServerVersionFact::OutOfRange(message),
            },
            _ => ServerVersionFact::Unknown,
        },
    }
}

/// The server version row when the resource locations already show a server older than ADO
/// Connect supports (nothing more is probed then).
fn unsupported_server(probes: &Probes<'_>) -> Option<Check> {
    let target = &probes.request.target;
    let latest = crate::verify::server_api_version(&probes.client, target)?;
    (!verdicts::is_supported_version(&latest.to_string())).then(|| {
        verdicts::server_version(target, &ServerVersionFact::Latest(latest.to_string()))
            .with_curl(probes.curl(&probes.client.projects_request(100)))
    })
}

/// The project the capability probes run in: the named one, else the first visible.
fn choose_project(
    probes: &Probes<'_>,
    sink: &Sink<'_>,
    project: Option<Result<TeamProjectReference, Error>>,
    projects: &[TeamProjectReference],
) -> Option<TeamProjectReference> {
    let named_project = probes.request.project.as_deref();
    match project {
        Some(Ok(p)) => {
            sink.push(
                Check::pass(CheckId::Named, format!("Project {} exists.", p.name))
                    .titled("Named project exists"),
            );
            Some(p)
        }
        Some(Err(error)) => {
            let mut problem = probes.problem(Probe::Projects, &error);
            if problem.code == CheckCode::NotFound {
                problem.message = format!(
                    "There is no project {} that this token can see.",
                    named_project.unwrap_or_default()
                );
                problem.fix = "Check the project's name (it is in the browser's address bar after the organization or collection).".into();
            }
            sink.push(
                Check::from_problem(CheckId::Named, Status::Fail, problem)
                    .titled("Named project exists"),
            );
            None
        }
        None => projects.first().cloned(),
    }
}

/// Repositories (round trip 1) and the named repository.
fn report_repositories(
    probes: &Probes<'_>,
    sink: &Sink<'_>,
    repositories: Option<Result<Vec<ado_client::GitRepository>, Error>>,
) {
    let request = probes.request;
    let repos_request = probes
        .client
        .repositories_request(request.project.as_deref());
    if let Some(result) = repositories {
        let check = match &result {
            Ok(repos) => match &request.repository {
                Some(name) if !repos.iter().any(|r| r.name.eq_ignore_ascii_case(name)) => {
                    Check::from_problem(
                        CheckId::Named,
                        Status::Fail,
                        Problem::new(
                            CheckCode::NotFound,
                            Some(Field::Url),
                            format!("There is no repository {name} that this token can see."),
                            "Check the repository's name, or that the token's user can read it.",
                        ),
                    )
                    .titled("Named repository exists")
                }
                _ => Check::pass(
                    CheckId::Capability,
                    format!("{} repositories readable.", repos.len()),
                )
                .titled("Read repositories"),
            },
            Err(error) => {
                capability_failure(probes, Probe::Repositories, error, Capability::Repositories)
            }
        };
        sink.push(
            check
                .for_capability(Capability::Repositories)
                .with_curl(probes.curl(&repos_request)),
        );
    }
}

/// No project to probe in: every capability but repositories is skipped.
fn skip_capabilities(sink: &Sink<'_>, request: &PreflightRequest) {
    for capability in request
        .capabilities
        .iter()
        .filter(|c| **c != Capability::Repositories)
    {
        sink.push(
            Check::skip(CheckId::Capability, "Skipped: no project to probe in.")
                .titled(capability.label())
                .for_capability(*capability),
        );
    }
}

/// Round trip 2, all at once, in the chosen project: pull requests, builds, work item types,
/// and the service-hooks permission; with the subscriptions listed in round trip 1.
async fn probe_capabilities(
    probes: &Probes<'_>,
    sink: &Sink<'_>,
    user: &User,
    chosen: &TeamProjectReference,
    subscriptions: Option<Result<Vec<ado_client::Subscription>, Error>>,
) {
    let request = probes.request;
    let target = &request.target;
    let wants_hooks = request.capabilities.contains(&Capability::Webhooks);
    let hooks_request = probes.client.subscriptions_request();
    let pname = chosen.name.as_str();
    let wants = |c: Capability| request.capabilities.contains(&c);
    let (pulls, builds, types, permission) = tokio::join!(
        async {
            if wants(Capability::PullRequests) {
                Some(probes.client.pull_requests(pname, 1).await.map(drop))
            } else {
                None
            }
        },
        async {
            if wants(Capability::Pipelines) {
                Some(probes.client.builds(pname, 1).await.map(drop))
            } else {
                None
            }
        },
        async {
            if wants(Capability::Boards) {
                Some(probes.client.work_item_types(pname).await.map(drop))
            } else {
                None
            }
        },
        async {
            if wants_hooks {
                Some(
                    probes
                        .client
                        .has_permission(
                            SERVICE_HOOKS_NAMESPACE,
                            &service_hooks_token(&chosen.id),
                            EDIT_SUBSCRIPTIONS,
                        )
                        .await,
                )
            } else {
                None
            }
        },
    );
    let capability_rows = [
        (
            Capability::PullRequests,
            pulls,
            probes.client.pull_requests_request(pname, 1),
            "Read pull requests",
            Probe::Repositories,
        ),
        (
            Capability::Pipelines,
            builds,
            probes.client.builds_request(pname, 1),
            "Read builds",
            Probe::Repositories,
        ),
        (
            Capability::Boards,
            types,
            probes.client.work_item_types_request(pname),
            "Read work items",
            Probe::Repositories,
        ),
    ];
    for (capability, result, req, title, probe) in capability_rows {
        let Some(result) = result else { continue };
        let check = match result {
            Ok(()) => Check::pass(CheckId::Capability, format!("Allowed in project {pname}."))
                .titled(title),
            Err(error) => capability_failure(probes, probe, &error, capability),
        };
        sink.push(
            Check {
                title: title.to_string(),
                ..check
            }
            .for_capability(capability)
            .with_curl(probes.curl(&req)),
        );
    }
    if let Some(subscriptions) = subscriptions {
        let check = match subscriptions {
            Ok(list) => Check::pass(
                CheckId::Capability,
                format!("{} existing subscription(s) visible.", list.len()),
            )
            .titled("List service hooks"),
            Err(error) => {
                capability_failure(probes, Probe::Repositories, &error, Capability::Webhooks)
            }
        };
        sink.push(
            Check {
                title: "List service hooks".into(),
                ..check
            }
            .for_capability(Capability::Webhooks)
            .with_curl(probes.curl(&hooks_request)),
        );
    }
    if let Some(permission) = permission {
        let req = probes.client.permission_request(
            SERVICE_HOOKS_NAMESPACE,
            &service_hooks_token(&chosen.id),
            EDIT_SUBSCRIPTIONS,
        );
        let check = match permission {
            Ok(true) => Check::pass(CheckId::HookPermission, format!("Allowed to edit subscriptions in project {pname}.")),
            Ok(false) => Check::from_problem(CheckId::HookPermission, Status::Fail, Problem::new(CheckCode::InvalidPermissions, Some(Field::Pat), format!("{} may not edit service-hook subscriptions in project {pname}.", user.display_name), format!("Add the user to the project's Project Administrators group, or grant \"Edit subscriptions\" in Project settings → Permissions ({}{}/_settings/permissions).", target.api_base(), pname))),
            Err(error) => capability_failure(probes, Probe::Repositories, &error, Capability::Webhooks),
        };
        sink.push(
            Check {
                title: "Manage service hooks".into(),
                ..check
            }
            .for_capability(Capability::Webhooks)
            .with_curl(probes.curl(&req)),
        );
    }
}

/// A capability probe failed after the token proved valid: a 401 now means a missing scope.
fn capability_failure(
    probes: &Probes<'_>,
    probe: Probe,
    error: &Error,
    capability: Capability,
) -> Check {
    let mut problem = probes.problem(probe, error);
    let requirement = capability.requirement();
    let scopes: Vec<&str> = requirement.scopes.iter().map(|s| s.pat_label).collect();
    match problem.code {
        CheckCode::InvalidCredentials | CheckCode::InvalidPermissions => {
            problem.code = CheckCode::InvalidPermissions;
            problem.field = Some(Field::Pat);
            problem.message = format!(
                "The token may not do this: {} needs {}.",
                capability.label(),
                scopes.join(" and ")
            );
            problem.fix = format!(
                "Edit the token (User settings → Personal access tokens) and add {}; the user also needs: {}.",
                scopes.join(", "),
                requirement.permissions.join("; ")
            );
        }
        CheckCode::RateLimited => {
            return Check::from_problem(CheckId::Capability, Status::Warn, problem)
                .titled(capability.label())
                .for_capability(capability);
        }
        _ => {}
    }
    Check::from_problem(CheckId::Capability, Status::Fail, problem)
        .titled(capability.label())
        .for_capability(capability)
}

fn finish(sink: &Sink<'_>, probes: &Probes<'_>) {
    let stats = probes.client.stats();
    if stats.rate_limited > 0 {
        sink.push(Check::from_problem(CheckId::RateLimit, Status::Warn, Problem::new(CheckCode::RateLimited, None, format!(
                    "Azure DevOps throttled {} request(s); ADO Connect waited {:.1} s as asked and went on.",
                    stats.rate_limited,
                    stats.waited_ms as f64 / 1000.0
                ), "Nothing to do now. If it recurs, give this integration its own identity: limits are per identity.")));
    } else {
        sink.push(Check::pass(CheckId::RateLimit, "Not throttled."));
    }
}

fn skip_rest(sink: &Sink<'_>, request: &PreflightRequest, why: &str) {
    let ids = [
        CheckId::ServerVersion,
        CheckId::PublicUrl,
        CheckId::Resources,
    ];
    skip_checks(sink, request, &ids, why);
}

/// Skips the rows `ids` and every capability, saying why.
fn skip_checks(sink: &Sink<'_>, request: &PreflightRequest, ids: &[CheckId], why: &str) {
    for id in ids {
        sink.push(Check::skip(*id, why));
    }
    for capability in &request.capabilities {
        sink.push(
            Check::skip(CheckId::Capability, why)
                .titled(capability.label())
                .for_capability(*capability),
        );
    }
}

/// A preflight request for a saved connection ([`crate::open_connection`]: its target, a fresh
/// credential from the keyring, its saved options). `consent_to_http` is the checks step's own
/// answer to the plain-http question, on top of any consent saved with the connection.
pub async fn request_for_profile(
    connections: &crate::Connections,
    profile_id: &crate::ProfileId,
    capabilities: Vec<Capability>,
    project: Option<String>,
    consent_to_http: bool,
) -> Result<PreflightRequest, crate::Error> {
    let settings = ado_auth::SignInSettings::from_env().unwrap_or_default();
    let opened = crate::open_connection(connections, profile_id, &settings).await?;
    let mut options = opened.options().clone();
    options.allow_http |= consent_to_http;
    Ok(PreflightRequest {
        ca_file_hint: options
            .trusted_ca_pem
            .as_ref()
            .map(|_| "ca.pem".to_string()),
        target: opened.profile.target,
        credential: opened.credential,
        capabilities,
        project: project.filter(|p| !p.trim().is_empty()),
        repository: None,
        options,
    })
}
