//! The built-in `large` world: [`Scenario::minimal`] plus a Services organization of 2,000
//! projects and 20,000 repositories, and a Server collection of 250 projects, all generated
//! with deterministic names (`Project 0001` / `repo-0001-01` …), for paging, pickers and
//! benchmarks (issue 9).

use super::{CollectionSpec, GeneratedProjects, OrganizationSpec, Scenario};
use uuid::Uuid;

/// The large organization's name (`/megacorp`).
pub const LARGE_ORGANIZATION: &str = "megacorp";
/// Its projects.
pub const LARGE_PROJECTS: usize = 2_000;
/// Repositories in each of its projects (20,000 in all).
pub const LARGE_REPOSITORIES_PER_PROJECT: usize = 10;

impl Scenario {
    /// `minimal`, plus `/megacorp` (Services, 2,000 projects × 10 repositories: `Project 0001`
    /// … `Project 2000`, `repo-0001-01` … `repo-2000-10`) and `/tfs/Big` on the 2022 server
    /// (250 projects, `Project 001` → `repo-001` …). The demo's full-access PAT works
    /// everywhere; Demo Admin is a collection administrator.
    pub fn large() -> Scenario {
        let mut scenario = Scenario::minimal();
        scenario.name = "large".to_string();
        scenario.organizations.push(OrganizationSpec {
            name: LARGE_ORGANIZATION.to_string(),
            tenant_id: Uuid::from_u128(0x7a1d2e3f_4b5c_4d6e_8f70_8192a3b4c5d6),
            id: None,
            sign_in: None,
            projects: Vec::new(),
            generated_projects: Some(
                GeneratedProjects::new(LARGE_PROJECTS)
                    .repositories_per_project(LARGE_REPOSITORIES_PER_PROJECT),
            ),
            oauth_policy_disabled: false,
        });
        if let Some(server) = scenario.servers.first_mut() {
            server.collections.push(CollectionSpec {
                name: "Big".to_string(),
                id: None,
                projects: Vec::new(),
                generated_projects: Some(GeneratedProjects::new(250)),
            });
        }
        scenario
    }
}
