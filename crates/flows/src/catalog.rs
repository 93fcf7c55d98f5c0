//! The projects and repositories a verified connection reaches, kept on the Rust side so the UI
//! gets only what it shows: a summary, one page of rows for a query, and "did you mean" for a name
//! that matches nothing. An organization of 2,000 projects and 20,000 repositories is a few MB
//! here and a few hundred bytes per keystroke over IPC.
//!
//! Matching is a case-insensitive substring test over names lowered once (a scan of 22,000 short
//! strings takes well under a millisecond); near misses are ranked with `strsim`'s normalized
//! Damerau–Levenshtein distance.

use ado_core::ids::ProjectId;
use serde::{Deserialize, Serialize};

use crate::verify::Verified;

/// A repository as the pickers show it.
#[derive(Debug, Clone)]
struct Repository {
    id: String,
    name: String,
    lower: String,
    default_branch: Option<String>,
}

/// A project and its repositories, names lowered once for matching.
#[derive(Debug, Clone)]
struct Project {
    id: ProjectId,
    name: String,
    lower: String,
    repositories: Vec<Repository>,
}

/// Everything a connection reaches, sorted by name (as [`Verified`] lists it).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    projects: Vec<Project>,
    repository_count: usize,
}

/// The counts every step shows: the same numbers everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogSummary {
    /// Projects the credential sees (every page read).
    pub projects: usize,
    /// Git repositories across them.
    pub repositories: usize,
}

/// What a search lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SearchScope {
    /// Projects, each followed by its repositories (the result step's list).
    #[default]
    Tree,
    /// Projects only (the project pickers).
    Projects,
    /// The repositories of one project (the repository picker).
    Repositories {
        /// The project, by exact name.
        project: String,
    },
    /// Every repository of every project, each with its project (the webhook step's
    /// repository multi-select).
    AllRepositories,
}

/// One row of a result page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Row {
    /// A project.
    #[serde(rename_all = "camelCase")]
    Project {
        /// Its id.
        id: ProjectId,
        /// Its name.
        name: String,
        /// How many repositories it has.
        repositories: usize,
    },
    /// A repository.
    #[serde(rename_all = "camelCase")]
    Repository {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// Its project's name.
        project: String,
        /// E.g. `main`.
        default_branch: Option<String>,
    },
}

/// One page of rows for a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// Rows matching the query in all (the list's height).
    pub total: usize,
    /// The page asked for.
    pub offset: usize,
    /// `rows[offset .. offset + limit]` of the matches.
    pub rows: Vec<Row>,
    /// The closest name when nothing matches, for "did you mean".
    pub suggestion: Option<String>,
}

/// The largest page the UI may ask for: a screen of rows, with room to scroll.
pub const MAX_PAGE: usize = 500;

impl Catalog {
    /// The catalog of what `verified` found.
    pub fn from_verified(verified: &Verified) -> Catalog {
        let projects: Vec<Project> = verified
            .projects
            .iter()
            .map(|p| Project {
                id: p.id.clone(),
                lower: p.name.to_lowercase(),
                name: p.name.clone(),
                repositories: p
                    .repositories
                    .iter()
                    .map(|r| Repository {
                        id: r.id.clone(),
                        lower: r.name.to_lowercase(),
                        name: r.name.clone(),
                        default_branch: r.default_branch.clone(),
                    })
                    .collect(),
            })
            .collect();
        let repository_count = projects.iter().map(|p| p.repositories.len()).sum();
        Catalog {
            projects,
            repository_count,
        }
    }

    /// Project and repository counts.
    pub fn summary(&self) -> CatalogSummary {
        CatalogSummary {
            projects: self.projects.len(),
            repositories: self.repository_count,
        }
    }

    /// Rows `offset .. offset + limit` (at most [`MAX_PAGE`]) of those matching `query` in
    /// `scope`. An empty query matches everything.
    pub fn search(&self, scope: &SearchScope, query: &str, offset: usize, limit: usize) -> Page {
        let needle = query.trim().to_lowercase();
        let limit = limit.min(MAX_PAGE);
        let mut total = 0;
        let mut rows = Vec::new();
        let mut keep = |row: &dyn Fn() -> Row| {
            if total >= offset && rows.len() < limit {
                rows.push(row());
            }
            total += 1;
        };
        match scope {
            SearchScope::Projects => {
                for p in self.projects.iter().filter(|p| p.lower.contains(&needle)) {
                    keep(&|| project_row(p));
                }
            }
            SearchScope::Repositories { project } => {
                if let Some(p) = self.project(project) {
                    for r in p.repositories.iter().filter(|r| r.lower.contains(&needle)) {
                        keep(&|| repository_row(p, r));
                    }
                }
            }
            SearchScope::AllRepositories => {
                for p in &self.projects {
                    // `project/name` matches too: a query may name the project.
                    for r in p.repositories.iter().filter(|r| {
                        r.lower.contains(&needle)
                            || (needle.contains('/')
                                && format!("{}/{}", p.lower, r.lower).contains(&needle))
                    }) {
                        keep(&|| repository_row(p, r));
                    }
                }
            }
            SearchScope::Tree => {
                for p in &self.projects {
                    let whole = p.lower.contains(&needle);
                    let mut repos = p
                        .repositories
                        .iter()
                        .filter(|r| whole || r.lower.contains(&needle))
                        .peekable();
                    if !whole && repos.peek().is_none() {
                        continue;
                    }
                    keep(&|| project_row(p));
                    for r in repos {
                        keep(&|| repository_row(p, r));
                    }
                }
            }
        }
        let suggestion = if total == 0 && !needle.is_empty() {
            self.did_you_mean(scope, query)
        } else {
            None
        };
        Page {
            total,
            offset,
            rows,
            suggestion,
        }
    }

    /// The project named `name` (exactly, else ignoring case).
    fn project(&self, name: &str) -> Option<&Project> {
        let lower = name.trim().to_lowercase();
        self.projects
            .iter()
            .find(|p| p.name == name)
            .or_else(|| self.projects.iter().find(|p| p.lower == lower))
    }

    /// The exact name of the project called `name` (ignoring case), if there is one.
    pub fn project_name(&self, name: &str) -> Option<&str> {
        self.project(name).map(|p| p.name.as_str())
    }

    /// The exact name of `repository` in `project` (ignoring case), if there is one.
    pub fn repository_name(&self, project: &str, repository: &str) -> Option<&str> {
        let lower = repository.trim().to_lowercase();
        self.project(project)?
            .repositories
            .iter()
            .find(|r| r.lower == lower)
            .map(|r| r.name.as_str())
    }

    /// The closest name in `scope` to `query`, when it is close enough to be a typo.
    pub fn did_you_mean(&self, scope: &SearchScope, query: &str) -> Option<String> {
        let needle = query.trim().to_lowercase();
        let names: Box<dyn Iterator<Item = (&str, &str)>> = match scope {
            SearchScope::Repositories { project } => match self.project(project) {
                Some(p) => Box::new(
                    p.repositories
                        .iter()
                        .map(|r| (r.lower.as_str(), r.name.as_str())),
                ),
                None => Box::new(std::iter::empty()),
            },
            SearchScope::AllRepositories => Box::new(self.projects.iter().flat_map(|p| {
                p.repositories
                    .iter()
                    .map(|r| (r.lower.as_str(), r.name.as_str()))
            })),
            _ => Box::new(
                self.projects
                    .iter()
                    .map(|p| (p.lower.as_str(), p.name.as_str())),
            ),
        };
        names
            .map(|(lower, name)| (strsim::normalized_damerau_levenshtein(&needle, lower), name))
            .filter(|(score, _)| *score >= 0.7)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, name)| name.to_string())
    }

    /// Project and repository names for ids (e.g. of a recorded webhook), when known.
    pub fn names_for(
        &self,
        project_id: &str,
        repository_id: Option<&str>,
    ) -> (Option<String>, Option<String>) {
        let Some(project) = self
            .projects
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(project_id))
        else {
            return (None, None);
        };
        let repository = repository_id.and_then(|id| {
            project
                .repositories
                .iter()
                .find(|r| r.id.eq_ignore_ascii_case(id))
                .map(|r| r.name.clone())
        });
        (Some(project.name.clone()), repository)
    }
}

fn project_row(p: &Project) -> Row {
    Row::Project {
        id: p.id.clone(),
        name: p.name.clone(),
        repositories: p.repositories.len(),
    }
}

fn repository_row(p: &Project, r: &Repository) -> Row {
    Row::Repository {
        id: r.id.clone(),
        name: r.name.clone(),
        project: p.name.clone(),
        default_branch: r.default_branch.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{ProjectSummary, RepositorySummary, User};
    use ado_core::target::{Deployment, TargetInput};
    use std::time::Instant;

    fn verified(projects: usize, repos_each: usize) -> Verified {
        let target = TargetInput {
            deployment: Some(Deployment::Services),
            organization: "fabrikam".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let projects: Vec<ProjectSummary> = (0..projects)
            .map(|i| ProjectSummary {
                id: format!("p{i:04}").into(),
                name: format!("Project {i:04}"),
                description: None,
                repositories: (0..repos_each)
                    .map(|j| RepositorySummary {
                        id: format!("r{i:04}-{j:02}"),
                        name: format!("repo-{i:04}-{j:02}"),
                        default_branch: Some("main".into()),
                        web_url: None,
                        remote_url: None,
                    })
                    .collect(),
            })
            .collect();
        Verified {
            target,
            api_url: "https://dev.azure.com/fabrikam/".into(),
            deployment: Deployment::Services,
            server_api_version: None,
            server_release: None,
            user: User {
                id: "u".into(),
                display_name: "U".into(),
                account: None,
            },
            repository_count: projects.iter().map(|p| p.repositories.len()).sum(),
            projects,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn counts_agree_with_what_was_verified() {
        let v = verified(250, 3);
        let c = Catalog::from_verified(&v);
        assert_eq!(
            c.summary(),
            CatalogSummary {
                projects: 250,
                repositories: 750
            }
        );
        assert_eq!(c.search(&SearchScope::Projects, "", 0, 10).total, 250);
        assert_eq!(c.search(&SearchScope::Tree, "", 0, 10).total, 1000);
    }

    #[test]
    fn pages_are_slices_of_the_matches() {
        let c = Catalog::from_verified(&verified(30, 2));
        let page = c.search(&SearchScope::Projects, "project 001", 3, 4);
        assert_eq!(page.total, 10);
        assert_eq!(page.rows.len(), 4);
        assert!(matches!(&page.rows[0], Row::Project { name, .. } if name == "Project 0013"));
        let big = c.search(&SearchScope::Tree, "", 0, 10_000);
        assert_eq!(big.rows.len(), 90);
    }

    #[test]
    fn a_repository_match_keeps_its_project_row() {
        let c = Catalog::from_verified(&verified(5, 3));
        let page = c.search(&SearchScope::Tree, "REPO-0002-01", 0, 50);
        assert_eq!(page.total, 2);
        assert!(matches!(&page.rows[0], Row::Project { name, .. } if name == "Project 0002"));
        assert!(
            matches!(&page.rows[1], Row::Repository { name, project, .. } if name == "repo-0002-01" && project == "Project 0002")
        );
        let repos = c.search(
            &SearchScope::Repositories {
                project: "project 0002".into(),
            },
            "",
            0,
            50,
        );
        assert_eq!(repos.total, 3);
    }

    #[test]
    fn near_misses_get_a_suggestion_and_far_ones_do_not() {
        let mut v = verified(3, 1);
        v.projects[1].name = "Fabrikam Fiber".into();
        let c = Catalog::from_verified(&v);
        let page = c.search(&SearchScope::Projects, "Fabrikam Fibre", 0, 10);
        assert_eq!(page.total, 0);
        assert_eq!(page.suggestion.as_deref(), Some("Fabrikam Fiber"));
        assert_eq!(
            c.search(&SearchScope::Projects, "zzzzzz", 0, 10).suggestion,
            None
        );
        assert_eq!(c.project_name("fabrikam fiber"), Some("Fabrikam Fiber"));
    }

    #[test]
    fn every_repository_of_every_project_is_one_list() {
        let c = Catalog::from_verified(&verified(3, 2));
        let all = c.search(&SearchScope::AllRepositories, "", 0, 50);
        assert_eq!(all.total, 6, "two repositories in each of three projects");
        assert!(
            matches!(&all.rows[0], Row::Repository { project, .. } if project == "Project 0000"),
            "each row names its project: {:?}",
            all.rows[0]
        );
        let one = c.search(&SearchScope::AllRepositories, "project 0001/repo", 0, 50);
        assert_eq!(one.total, 2, "project/name narrows to that project");
        let miss = c.search(&SearchScope::AllRepositories, "repo-0001-0l", 0, 50);
        assert_eq!(miss.suggestion.as_deref(), Some("repo-0001-01"));
    }

    #[test]
    fn ids_resolve_to_names() {
        let c = Catalog::from_verified(&verified(3, 2));
        assert_eq!(
            c.names_for("P0001", Some("r0001-01")),
            (Some("Project 0001".into()), Some("repo-0001-01".into()))
        );
        assert_eq!(c.names_for("nope", None), (None, None));
    }

    #[test]
    fn a_large_organization_filters_within_a_frame() {
        let c = Catalog::from_verified(&verified(2_000, 10));
        let started = Instant::now();
        let page = c.search(&SearchScope::Tree, "repo-1999", 0, 60);
        let elapsed = started.elapsed();
        assert_eq!(page.total, 11);
        // Debug build on a shared machine; release is ~10× faster. The UI's bound is 16 ms.
        assert!(elapsed.as_millis() < 50, "{elapsed:?}");
    }
}
