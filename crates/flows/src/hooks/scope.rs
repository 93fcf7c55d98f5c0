//! Where subscriptions go: the projects and repositories a [`HookRequest`] names, resolved to
//! ids, with the service-hooks permission checked in each project. One project, a chosen set,
//! every project of the organization or collection, or a chosen set of repositories: one plan
//! for all of them. Lookups overlap, at most [`LOOKUPS_AT_ONCE`] at a time.

use ado_client::AdoClient;
use ado_core::checks::{self, CheckCode, Probe, Problem};
use ado_core::target::{ConnectionTarget, Field};
use futures_util::{StreamExt as _, TryStreamExt as _};
use serde::Serialize;

use super::{HookRequest, NamedId, ProjectId};
use crate::failure::probe_failure;

/// Lookups (projects, repositories, permissions) in flight at once.
pub const LOOKUPS_AT_ONCE: usize = 8;

/// One place subscriptions are registered: a project, or one repository of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookScope {
    /// The project.
    pub project: NamedId<ProjectId>,
    /// The repository Git events are narrowed to; `None` = every repository of the project.
    pub repository: Option<NamedId>,
}

fn names(first: Option<&str>, rest: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in first.into_iter().chain(rest.iter().map(String::as_str)) {
        let name = name.trim();
        if !name.is_empty() && !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name.to_string());
        }
    }
    out
}

fn not_found(message: String, fix: &str) -> Problem {
    Problem {
        code: CheckCode::NotFound,
        field: None,
        message,
        fix: fix.into(),
        server_message: None,
        support_id: None,
    }
}

/// Resolves the request's projects and repositories to scopes (see the module docs).
pub(super) async fn resolve_scopes(
    client: &AdoClient,
    target: &ConnectionTarget,
    request: &HookRequest,
) -> Result<Vec<HookScope>, crate::Error> {
    let project_names = names(Some(&request.project), &request.projects);
    let projects: Vec<NamedId<ProjectId>> = if request.all_projects {
        client
            .all_projects()
            .await
            .map_err(|e| checks::diagnose(target, &probe_failure(Probe::Projects, &e)))?
            .into_iter()
            .map(|p| NamedId {
                id: p.id,
                name: p.name,
            })
            .collect()
    } else {
        if project_names.is_empty() {
            return Err(Problem {
                code: CheckCode::InvalidInput,
                field: None,
                message: "No project chosen.".into(),
                fix: "Choose one or more projects (CLI: --project, repeatable), or all projects (--all-projects).".into(),
                server_message: None,
                support_id: None,
            }.into());
        }
        let lookups: Vec<_> = project_names
            .iter()
            .map(|name| async move {
                let project = match client.project(name).await {
                    Ok(project) => project,
                    Err(e) => {
                        let mut problem =
                            checks::diagnose(target, &probe_failure(Probe::Projects, &e));
                        if e.status() == Some(404) {
                            problem.message =
                                format!("There is no project {name} that this token can see.");
                            problem.fix = project_fix(client, name).await;
                        }
                        return Err(problem);
                    }
                };
                Ok::<_, Problem>(NamedId {
                    id: project.id,
                    name: project.name,
                })
            })
            .collect();
        futures_util::stream::iter(lookups)
            .buffered(LOOKUPS_AT_ONCE)
            .try_collect()
            .await?
    };
    if projects.is_empty() {
        return Err(not_found(
            "This token sees no project.".into(),
            "Create a project, or connect as a user who is a member of one.",
        )
        .into());
    }

    let wanted = names(request.repository.as_deref(), &request.repositories);
    if wanted.is_empty() {
        return Ok(projects
            .into_iter()
            .map(|project| HookScope {
                project,
                repository: None,
            })
            .collect());
    }
    let lookups: Vec<_> = projects
        .into_iter()
        .map(|project| async move {
            let repos = client
                .repositories(Some(&project.id))
                .await
                .map_err(|e| checks::diagnose(target, &probe_failure(Probe::Repositories, &e)))?;
            let repos = repos
                .into_iter()
                .map(|r| NamedId {
                    id: r.id,
                    name: r.name,
                })
                .collect();
            Ok::<_, Problem>((project, repos))
        })
        .collect();
    let repositories: Vec<(NamedId<ProjectId>, Vec<NamedId>)> = futures_util::stream::iter(lookups)
        .buffered(LOOKUPS_AT_ONCE)
        .try_collect()
        .await?;
    let mut scopes: Vec<HookScope> = Vec::new();
    for name in &wanted {
        // `project/repository` names the project too; a bare name must be unambiguous.
        let (in_project, repo) = match name.split_once('/') {
            Some((p, r)) => (Some(p.trim()), r.trim()),
            None => (None, name.as_str()),
        };
        let found: Vec<HookScope> = repositories
            .iter()
            .filter(|(p, _)| {
                in_project.is_none_or(|want| {
                    p.name.eq_ignore_ascii_case(want) || p.id.eq_ignore_ascii_case(want)
                })
            })
            .flat_map(|(p, repos)| {
                repos
                    .iter()
                    .filter(|r| {
                        r.id.eq_ignore_ascii_case(repo) || r.name.eq_ignore_ascii_case(repo)
                    })
                    .map(|r| HookScope {
                        project: p.clone(),
                        repository: Some(r.clone()),
                    })
            })
            .collect();
        match found.len() {
            0 => {
                let within: Vec<&str> = repositories.iter().map(|(p, _)| p.name.as_str()).collect();
                let known: Vec<String> = repositories
                    .iter()
                    .flat_map(|(p, repos)| repos.iter().map(move |r| (p, r)))
                    .map(|(p, r)| match in_project {
                        Some(_) => format!("{}/{}", p.name, r.name),
                        None => r.name.clone(),
                    })
                    .collect();
                let fix = match crate::verify::collections::nearest(name, &known) {
                    Some(near) => format!(
                        "Did you mean {near}? Or leave the repository empty for every repository."
                    ),
                    None => "Check the repository's name, or leave it empty for every repository."
                        .into(),
                };
                let mut problem = not_found(
                    format!(
                        "There is no repository {name} in project {} that this token can see.",
                        within.join(", ")
                    ),
                    &fix,
                );
                problem.field = Some(Field::Repository);
                return Err(problem.into());
            }
            1 => {}
            _ => {
                return Err(Problem {
                    code: CheckCode::InvalidInput,
                    field: None,
                    message: format!("More than one project has a repository {name}."),
                    fix: format!(
                        "Name it with its project, e.g. {}/{name}.",
                        found[0].project.name
                    ),
                    server_message: None,
                    support_id: None,
                }
                .into())
            }
        }
        for scope in found {
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
    }
    Ok(scopes)
}

/// The fix for a project name that does not exist: the nearest one the token sees ("Did you
/// mean …?"), else where the name is found.
async fn project_fix(client: &AdoClient, name: &str) -> String {
    let known: Vec<String> = client
        .all_projects()
        .await
        .map(|all| all.into_iter().map(|p| p.name).collect())
        .unwrap_or_default();
    match crate::verify::collections::nearest(name, &known) {
        Some(near) => format!("Did you mean {near}? Project names are as the browser's address bar shows them after the organization or collection."),
        None => "Check the project's name (it is in the browser's address bar after the organization or collection).".into(),
    }
}

/// The distinct projects of `scopes`, in order.
pub(super) fn projects_of(scopes: &[HookScope]) -> Vec<NamedId<ProjectId>> {
    let mut out: Vec<NamedId<ProjectId>> = Vec::new();
    for s in scopes {
        if !out.contains(&s.project) {
            out.push(s.project.clone());
        }
    }
    out
}

/// The service-hooks permission ("Edit subscriptions", ServiceHooks namespace,
/// `PublisherSecurity/{projectId}`) of the signed-in user in each of `projects`: `Ok` when every
/// one allows it, else `invalid_permissions` naming the first project that does not, with the
/// fix. Asked when the webhooks step opens (before anything is planned) and again right before a
/// plan is applied, so a refusal stops the step before anything is created.
pub(super) async fn require_hook_permission(
    client: &AdoClient,
    target: &ConnectionTarget,
    projects: &[NamedId<ProjectId>],
    user: &str,
) -> Result<(), crate::Error> {
    use ado_client::api::security::{
        service_hooks_token, EDIT_SUBSCRIPTIONS, SERVICE_HOOKS_NAMESPACE,
    };
    // One batch request for all of them (`permissionevaluationbatch`).
    let tokens: Vec<String> = projects
        .iter()
        .map(|project| service_hooks_token(&project.id))
        .collect();
    let allowed = client
        .have_permission(SERVICE_HOOKS_NAMESPACE, &tokens, EDIT_SUBSCRIPTIONS)
        .await
        .map_err(|e| super::hook_problem(target, &e, "check the service-hooks permission"))?;
    match projects.iter().zip(allowed).find(|(_, allowed)| !allowed) {
        None => Ok(()),
        Some((project, _)) => Err(permission_refused(target, &project.name, user).into()),
    }
}

/// `invalid_permissions`: `user` may not edit subscriptions in `project`, and how to fix it.
pub(super) fn permission_refused(target: &ConnectionTarget, project: &str, user: &str) -> Problem {
    let encoded =
        percent_encoding::utf8_percent_encode(project, percent_encoding::NON_ALPHANUMERIC);
    Problem {
        code: CheckCode::InvalidPermissions,
        field: Some(Field::Pat),
        message: format!("{user} may not edit service-hook subscriptions in project {project}."),
        fix: format!(
            "Add the user to the project's Project Administrators group, or grant \"Edit subscriptions\" in Project settings → Permissions ({}{encoded}/_settings/permissions); or connect as a user who has it.",
            target.api_base()
        ),
        server_message: None,
        support_id: None,
    }
}

/// Projects by name or id, resolved to ids (`not_found` naming one that does not exist).
pub(super) async fn resolve_projects(
    client: &AdoClient,
    target: &ConnectionTarget,
    names: &[String],
) -> Result<Vec<NamedId<ProjectId>>, crate::Error> {
    let request = HookRequest {
        project: String::new(),
        projects: names.to_vec(),
        all_projects: false,
        repository: None,
        repositories: Vec::new(),
        branch: None,
        events: Vec::new(),
        url: String::new(),
        auth: super::AuthChoice::SecretHeader {
            header: None,
            secret: super::SecretChoice::Keep,
        },
        take_over: false,
    };
    Ok(projects_of(
        &resolve_scopes(client, target, &request).await?,
    ))
}
