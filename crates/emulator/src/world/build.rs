//! Building the world from a scenario: hosts, projects (given and generated), repositories.

use super::*;

pub(super) fn invalid(message: String) -> Error {
    Error::InvalidScenario(message)
}

pub(super) fn check_segment(name: &str, what: &str) -> Result<(), Error> {
    if name.trim().is_empty() || name.contains('/') || name.contains('\\') {
        return Err(invalid(format!(
            "{what} name {name:?} must be non-empty and contain no slash"
        )));
    }
    Ok(())
}

pub(super) fn build_collection(server: &str, spec: &CollectionSpec) -> Result<Collection, Error> {
    let host_key = format!("collection/{server}/{}", spec.name);
    Ok(Collection {
        id: spec
            .id
            .unwrap_or_else(|| derived_id("collection", &[server, &spec.name])),
        name: spec.name.clone(),
        projects: build_projects(&host_key, &spec.projects, spec.generated_projects.as_ref())?,
    })
}

pub(super) fn build_projects(
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

pub(super) fn build_project(host_key: &str, spec: &ProjectSpec) -> Result<Project, Error> {
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

pub(super) fn build_repository(
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
        pull_request_contribute_denied: spec.pull_request_contribute_denied.clone(),
    })
}
