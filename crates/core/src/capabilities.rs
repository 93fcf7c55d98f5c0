//! What a connection is for, and the least access each purpose needs: PAT scopes, Microsoft
//! Entra ID scopes, and Azure DevOps permissions.
//!
//! Scope names come from Microsoft's scope table (docs `integrate/includes/scopes.md`). Service
//! hooks have no public scope of their own (`vso.hooks*` are "no longer public"); the hooks REST
//! spec (7.1) lists `vso.code`, `vso.build` and `vso.work` for subscriptions, so the webhook
//! capability asks for the read scope of each event's area, plus the ServiceHooks permissions.

use serde::{Deserialize, Serialize};

/// The Azure DevOps resource (application) id in Microsoft Entra ID.
pub const AZURE_DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";

/// What the user wants the connection to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Capability {
    /// Read code: list and clone repositories.
    Repositories,
    /// Read pull requests.
    PullRequests,
    /// Read builds (Pipelines).
    Pipelines,
    /// Read work items (Boards).
    Boards,
    /// Manage service-hook subscriptions (webhooks).
    Webhooks,
}

impl Capability {
    /// Every capability, in the order the UI lists them.
    pub const ALL: [Capability; 5] = [
        Capability::Repositories,
        Capability::PullRequests,
        Capability::Pipelines,
        Capability::Boards,
        Capability::Webhooks,
    ];

    /// The short name the CLI takes (`repos,pulls,pipelines,boards,webhooks`).
    pub fn cli_name(self) -> &'static str {
        match self {
            Capability::Repositories => "repos",
            Capability::PullRequests => "pulls",
            Capability::Pipelines => "pipelines",
            Capability::Boards => "boards",
            Capability::Webhooks => "webhooks",
        }
    }

    /// Parses a CLI name (also accepts the long names).
    pub fn from_cli_name(name: &str) -> Option<Capability> {
        let name = name.trim().to_ascii_lowercase();
        Capability::ALL.into_iter().find(|c| {
            c.cli_name() == name
                || format!("{c:?}").eq_ignore_ascii_case(&name)
                || c.label().eq_ignore_ascii_case(&name)
        })
    }

    /// The label users read.
    pub fn label(self) -> &'static str {
        match self {
            Capability::Repositories => "Repositories",
            Capability::PullRequests => "Pull requests",
            Capability::Pipelines => "Pipelines",
            Capability::Boards => "Boards",
            Capability::Webhooks => "Webhooks",
        }
    }

    /// What it needs.
    pub fn requirement(self) -> Requirement {
        let (scopes, permissions): (&[Scope], &[&str]) = match self {
            Capability::Repositories => (&[Scope::CODE_READ], &["Git repositories: Read"]),
            Capability::PullRequests => (
                &[Scope::CODE_READ],
                &["Git repositories: Read (pull requests inherit it)"],
            ),
            Capability::Pipelines => (&[Scope::BUILD_READ], &["Builds: View builds"]),
            Capability::Boards => (
                &[Scope::WORK_READ],
                &["Work items: View work items in this node"],
            ),
            Capability::Webhooks => (
                &[Scope::CODE_READ, Scope::BUILD_READ],
                &[
                    "Service hooks: View subscriptions",
                    "Service hooks: Edit subscriptions (project administrators have it)",
                ],
            ),
        };
        Requirement {
            capability: self,
            scopes: scopes.to_vec(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        }
    }
}

/// An Azure DevOps OAuth/PAT scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// The scope id, e.g. `vso.code`.
    pub id: &'static str,
    /// How the PAT page names it, e.g. `Code (Read)`.
    pub pat_label: &'static str,
}

impl Scope {
    /// `vso.project`: Project and Team (Read). Every connection needs it to list projects.
    pub const PROJECT_READ: Scope = Scope {
        id: "vso.project",
        pat_label: "Project and Team (Read)",
    };
    /// `vso.code`: Code (Read).
    pub const CODE_READ: Scope = Scope {
        id: "vso.code",
        pat_label: "Code (Read)",
    };
    /// `vso.build`: Build (Read).
    pub const BUILD_READ: Scope = Scope {
        id: "vso.build",
        pat_label: "Build (Read)",
    };
    /// `vso.work`: Work Items (Read).
    pub const WORK_READ: Scope = Scope {
        id: "vso.work",
        pat_label: "Work Items (Read)",
    };

    /// The Entra ID delegated scope, e.g. `499b84ac-…/vso.code`.
    pub fn entra(self) -> String {
        format!("{AZURE_DEVOPS_RESOURCE}/{}", self.id)
    }
}

/// What one capability needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// The capability.
    pub capability: Capability,
    /// Its scopes (besides Project and Team (Read), which every connection needs).
    pub scopes: Vec<Scope>,
    /// The Azure DevOps permissions the user must hold.
    pub permissions: Vec<String>,
}

/// The least access for a set of capabilities, de-duplicated, as the UI's scope table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPlan {
    /// One row per capability.
    pub rows: Vec<Requirement>,
    /// PAT scopes to tick, e.g. `Code (Read)`.
    pub pat_scopes: Vec<String>,
    /// Entra ID scopes to request, e.g. `499b84ac-…/vso.code`.
    pub entra_scopes: Vec<String>,
    /// Permissions to hold.
    pub permissions: Vec<String>,
}

/// The least access `capabilities` need.
pub fn access_plan(capabilities: &[Capability]) -> AccessPlan {
    let mut caps = capabilities.to_vec();
    caps.sort();
    caps.dedup();
    let rows: Vec<Requirement> = caps.iter().map(|c| c.requirement()).collect();
    let mut scopes = vec![Scope::PROJECT_READ];
    for row in &rows {
        for scope in &row.scopes {
            if !scopes.contains(scope) {
                scopes.push(*scope);
            }
        }
    }
    let mut permissions: Vec<String> = Vec::new();
    for p in rows.iter().flat_map(|r| r.permissions.iter()) {
        if !permissions.contains(p) {
            permissions.push(p.clone());
        }
    }
    AccessPlan {
        pat_scopes: scopes.iter().map(|s| s.pat_label.to_string()).collect(),
        entra_scopes: scopes.iter().map(|s| s.entra()).collect(),
        permissions,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_need_project_and_code_read() {
        let plan = access_plan(&[Capability::Repositories]);
        assert_eq!(plan.pat_scopes, ["Project and Team (Read)", "Code (Read)"]);
        assert_eq!(
            plan.entra_scopes,
            [
                "499b84ac-1321-427f-aa17-267ca6975798/vso.project",
                "499b84ac-1321-427f-aa17-267ca6975798/vso.code"
            ]
        );
    }

    #[test]
    fn scopes_are_deduplicated_across_capabilities() {
        let plan = access_plan(&[
            Capability::Webhooks,
            Capability::Repositories,
            Capability::PullRequests,
            Capability::Repositories,
        ]);
        assert_eq!(plan.rows.len(), 3, "one row per distinct capability");
        assert_eq!(
            plan.pat_scopes,
            ["Project and Team (Read)", "Code (Read)", "Build (Read)"]
        );
        assert!(plan
            .permissions
            .iter()
            .any(|p| p.contains("Edit subscriptions")));
    }

    #[test]
    fn cli_names_round_trip() {
        for c in Capability::ALL {
            assert_eq!(Capability::from_cli_name(c.cli_name()), Some(c));
        }
        assert_eq!(
            Capability::from_cli_name("Pull requests"),
            Some(Capability::PullRequests)
        );
        assert_eq!(Capability::from_cli_name("nope"), None);
    }
}
