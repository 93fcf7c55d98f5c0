//! One probe per scope a profile asks for, when the profile does not list the product's own
//! verification calls. A valid token refused with 401/403 here lacks the scope:
//! `invalid_permissions`, naming the scope as the PAT page does. Only the scopes the product
//! asks for are probed, so a token with exactly those passes.
//!
//! | scope | probe |
//! | --- | --- |
//! | `vso.code` | `GET _apis/git/repositories` |
//! | `vso.code_write` | `POST {project}/_apis/git/repositories/{repo}/refs` with `[]`: **the one probe that is not a GET**. An empty list of ref updates changes nothing, but Azure DevOps answers it only for a token with Code (Read & write); there is no read-only call that proves a write scope |
//! | `vso.code_manage` | not probed (no call proves it without a change); listed as unchecked |
//! | `vso.project` | `GET _apis/projects?$top=1` |
//! | `vso.build` | `GET {project}/_apis/build/builds?$top=1` |
//! | `vso.work` | `GET {project}/_apis/wit/workitemtypes` |
//! | `vso.graph` | `GET _apis/graph/users` (Services; `vssps.dev.azure.com` on the real service; Servers have no Graph API) |
//! | `vso.identity` | `GET _apis/identities?searchFilter=General&filterValue={user}` (`vssps` on the real service) |
//! | `vso.release` | `GET {project}/_apis/release/definitions?$top=1` (`vsrm.dev.azure.com` on the real service) |
//! | `vso.taskgroups_read` | `GET {project}/_apis/distributedtask/taskgroups` |

use ado_client::Request;
use ado_core::capabilities::Scope;
use ado_core::checks::CheckCode;
use ado_core::preflight::{Check, CheckId, Status};
use ado_core::target::{Deployment, Field};

use super::facts::{seg, Answer, Place, Prober};

fn title(scope: &Scope) -> String {
    format!("Token has {}", scope.pat_label)
}

/// Probes `scope` for the product named `product`, as `user`, in `place`.
pub(super) async fn probe_scope(
    prober: &Prober<'_>,
    place: &Place,
    user: &str,
    product: &str,
    scope: Scope,
) -> Check {
    let project = place.project.as_ref().map(|p| seg(&p.name));
    let in_project = |path: &str| project.as_ref().map(|p| format!("{p}/{path}"));
    let (host, request, note) = match scope.id {
        "vso.code" => (None, Some(Request::get("_apis/git/repositories").api_version("7.0")), ""),
        "vso.code_write" => match (&project, &place.repository) {
            (Some(p), Some(repo)) => (
                None,
                Some(Request::post_json(format!("{p}/_apis/git/repositories/{}/refs", seg(&repo.id)), serde_json::json!([])).api_version("7.0")),
                " (an empty ref update: it changes nothing, and only a token with this scope may send it)",
            ),
            _ => return skip(&scope, "Not checked: no repository to probe in (the token sees none)."),
        },
        "vso.project" => (None, Some(Request::get("_apis/projects").query("$top", 1).api_version("7.0")), ""),
        "vso.build" => (None, in_project("_apis/build/builds").map(|p| Request::get(p).query("$top", 1).api_version("7.0")), ""),
        "vso.work" => (None, in_project("_apis/wit/workitemtypes").map(|p| Request::get(p).api_version("7.0")), ""),
        "vso.graph" if prober.target.deployment() == Deployment::Server => {
            return skip(&scope, "Not checked: Azure DevOps Server has no Graph API; tick Graph (Read) when you create the token.")
        }
        "vso.graph" => (Some("vssps"), Some(Request::get("_apis/graph/users").api_version("7.1-preview.1")), ""),
        "vso.identity" => (
            Some("vssps"),
            Some(Request::get("_apis/identities")
                .query("searchFilter", "General")
                .query("filterValue", user)
                .query("queryMembership", "None")
                .api_version("7.0")),
            "",
        ),
        "vso.release" => (Some("vsrm"), in_project("_apis/release/definitions").map(|p| Request::get(p).query("$top", 1).api_version("7.0")), ""),
        "vso.taskgroups_read" => (None, in_project("_apis/distributedtask/taskgroups").map(|p| Request::get(p).api_version("7.0")), ""),
        _ => return skip(&scope, format!("Not checked: Azure DevOps has no read-only way to test {}; tick it when you create the token.", scope.pat_label)),
    };
    let Some(request) = request else {
        return skip(
            &scope,
            "Not checked: no project to probe in (the token sees none).",
        );
    };
    let client = match prober.client_on(host) {
        Ok(c) => c,
        Err(problem) => {
            return Check::from_problem(CheckId::Capability, Status::Fail, problem)
                .titled(title(&scope))
        }
    };
    let curl = prober.curl(&client, &request);
    let check = match prober.answer(&client, request).await {
        Answer::Ok { .. } => Check::pass(
            CheckId::Capability,
            format!("Allowed: {} ({}){note}.", scope.pat_label, scope.id),
        ),
        Answer::Status { status: 404, .. } => {
            return skip(
                &scope,
                "Not checked: this server does not offer the API that proves it.",
            )
            .with_curl(curl)
        }
        Answer::Status {
            status: 401 | 403,
            mut problem,
        } => {
            problem.code = CheckCode::InvalidPermissions;
            problem.field = Some(Field::Pat);
            problem.message = format!(
                "The token lacks {} ({}), which {product} needs.",
                scope.pat_label, scope.id
            );
            problem.fix = format!(
                "Edit the token (User settings → Personal access tokens) and tick {}.",
                scope.pat_label
            );
            Check::from_problem(CheckId::Capability, Status::Fail, problem)
        }
        Answer::Status { problem, .. } | Answer::Failed(problem) => {
            let status = if problem.code == CheckCode::RateLimited {
                Status::Warn
            } else {
                Status::Fail
            };
            Check::from_problem(CheckId::Capability, status, problem)
        }
    };
    check.titled(title(&scope)).with_curl(curl)
}

fn skip(scope: &Scope, why: impl Into<String>) -> Check {
    Check::skip(CheckId::Capability, why).titled(title(scope))
}
