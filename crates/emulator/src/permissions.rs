//! A small permission model: who holds which security bits, enough for service hooks, "Contribute
//! to pull requests" and `_apis/security/permissionevaluationbatch`.
//!
//! Two groups exist: **Project Collection Administrators** (a user's
//! [`crate::scenario::UserSpec::collection_administrator`]) and each project's **Project
//! Administrators** ([`crate::scenario::ProjectSpec::administrators`]); every other user of the
//! world counts as a member (Contributor) of every project, as the emulator does not model
//! membership. Two namespaces are modelled, with their documented bits and tokens:
//!
//! - **ServiceHooks**: ViewSubscriptions 1, EditSubscriptions 2, DeleteSubscriptions 4,
//!   PublishEvents 8 (docs `organizations/security/namespace-reference.md`; display names from
//!   `az devops security permission namespace show`); token `PublisherSecurity` (every project)
//!   or `PublisherSecurity/{projectId}`; "By default, only project administrators have view or
//!   edit permissions" (docs `service-hooks/view-permission.md`); "automatically assigned to
//!   members of the Project Collection Administrators group" (namespace reference). Everyone
//!   else holds nothing.
//! - **Git Repositories** (`2e9eb7ed-…`): tokens `repoV2`, `repoV2/{projectId}`,
//!   `repoV2/{projectId}/{repositoryId}` (and branch tokens below it, evaluated as their
//!   repository); bits as the service's `GitRepositoryPermissions` enum. Defaults (docs
//!   `organizations/security/includes/code-git.md`): Readers and Contributors hold Read and
//!   Contribute to pull requests; Contributors also Contribute, Create branch, Create tag,
//!   Manage notes; Project Administrators also Create/Delete/Rename repository, Edit policies,
//!   Remove others' locks, Manage permissions; Force push and both Bypass policies are "not set
//!   for any security group". A repository's
//!   [`crate::scenario::RepositorySpec::pull_request_contribute_denied`] is an explicit Deny of
//!   PullRequestContribute for those users, which administrators' group permissions override.
//!
//! Other namespaces: collection administrators hold everything, others nothing (see
//! `FIDELITY.md`).

use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::errors::VssError;
use crate::world::{HostRef, User, World};

/// The ServiceHooks security namespace.
pub(crate) const SERVICE_HOOKS_NAMESPACE: Uuid =
    Uuid::from_u128(0xcb594ebe_87dd_4fc9_ac2c_6a10a4c92046);

/// ServiceHooks permission bits.
pub(crate) mod bits {
    /// View subscriptions (and their notification history).
    pub const VIEW_SUBSCRIPTIONS: u32 = 1;
    /// Create, update and delete subscriptions.
    pub const EDIT_SUBSCRIPTIONS: u32 = 2;
    /// Unused by the service today ("`EditSubscriptions` can delete service hooks").
    pub const DELETE_SUBSCRIPTIONS: u32 = 4;
    /// Publish events.
    pub const PUBLISH_EVENTS: u32 = 8;
    /// All of them.
    pub const ALL: u32 = 15;
}

/// The Git Repositories security namespace.
pub(crate) const GIT_REPOSITORIES_NAMESPACE: Uuid =
    Uuid::from_u128(0x2e9eb7ed_3c0a_47d4_87c1_0ffdd275fd87);

/// Git Repositories permission bits (the service's `GitRepositoryPermissions`).
pub(crate) mod git_bits {
    /// Read (clone, fetch, explore).
    pub const GENERIC_READ: u32 = 2;
    /// Contribute (push).
    pub const GENERIC_CONTRIBUTE: u32 = 4;
    /// Create branch.
    pub const CREATE_BRANCH: u32 = 16;
    /// Create tag.
    pub const CREATE_TAG: u32 = 32;
    /// Manage notes.
    pub const MANAGE_NOTE: u32 = 64;
    /// Create repository.
    pub const CREATE_REPOSITORY: u32 = 256;
    /// Delete repository.
    pub const DELETE_REPOSITORY: u32 = 512;
    /// Rename repository.
    pub const RENAME_REPOSITORY: u32 = 1024;
    /// Edit policies.
    pub const EDIT_POLICIES: u32 = 2048;
    /// Remove others' locks.
    pub const REMOVE_OTHERS_LOCKS: u32 = 4096;
    /// Manage permissions.
    pub const MANAGE_PERMISSIONS: u32 = 8192;
    /// Contribute to pull requests.
    pub const PULL_REQUEST_CONTRIBUTE: u32 = 16384;
    /// What project members (Readers and Contributors) hold by default.
    pub const CONTRIBUTORS: u32 = GENERIC_READ
        | PULL_REQUEST_CONTRIBUTE
        | GENERIC_CONTRIBUTE
        | CREATE_BRANCH
        | CREATE_TAG
        | MANAGE_NOTE;
    /// What Project Administrators hold by default.
    pub const ADMINISTRATORS: u32 = CONTRIBUTORS
        | CREATE_REPOSITORY
        | DELETE_REPOSITORY
        | RENAME_REPOSITORY
        | EDIT_POLICIES
        | REMOVE_OTHERS_LOCKS
        | MANAGE_PERMISSIONS;
}

/// The Git Repositories bits `user` holds on a token `repoV2[/{projectId}[/{repositoryId}…]]`
/// (`None` for a token that is not one of those).
fn git_permissions(world: &World, host: HostRef, user: &User, token: &str) -> Option<u32> {
    let mut parts = token.split('/');
    if !parts.next()?.eq_ignore_ascii_case("repoV2") {
        return None;
    }
    let Some(project) = parts.next() else {
        // The root (every project): collection administrators only.
        return Some(if is_collection_admin(user) {
            git_bits::ADMINISTRATORS
        } else {
            0
        });
    };
    let project_id = Uuid::parse_str(project).ok()?;
    let project = world.projects(host).iter().find(|p| p.id == project_id)?;
    let admin = is_collection_admin(user) || is_project_admin(world, host, project_id, user);
    if admin {
        return Some(git_bits::ADMINISTRATORS);
    }
    let mut held = git_bits::CONTRIBUTORS;
    let repository = parts
        .next()
        .and_then(|r| Uuid::parse_str(r).ok())
        .and_then(|id| project.repositories.iter().find(|r| r.id == id));
    if let Some(repository) = repository {
        if repository
            .pull_request_contribute_denied
            .iter()
            .any(|email| email.eq_ignore_ascii_case(&user.email))
        {
            held &= !git_bits::PULL_REQUEST_CONTRIBUTE;
        }
    }
    Some(held)
}

/// The token of a project's service hooks: `PublisherSecurity/{projectId}`.
pub(crate) fn publisher_token(project_id: Option<Uuid>) -> String {
    match project_id {
        Some(id) => format!("PublisherSecurity/{id}"),
        None => "PublisherSecurity".to_string(),
    }
}

/// Whether the user is a Project Collection Administrator.
pub(crate) fn is_collection_admin(user: &User) -> bool {
    user.collection_administrator
}

/// Whether the user is in a project's Project Administrators group (by project id).
pub(crate) fn is_project_admin(
    world: &World,
    host: HostRef,
    project_id: Uuid,
    user: &User,
) -> bool {
    world
        .projects(host)
        .iter()
        .find(|p| p.id == project_id)
        .is_some_and(|p| {
            p.administrators
                .iter()
                .any(|email| email.eq_ignore_ascii_case(&user.email))
        })
}

/// Whether `user` holds every bit of `permissions` in the ServiceHooks namespace for the
/// project (`Some(id)`, token `PublisherSecurity/{id}`) or for all projects (`None`, token
/// `PublisherSecurity`).
pub(crate) fn has_service_hooks_permission(
    world: &World,
    host: HostRef,
    user: &User,
    project_id: Option<Uuid>,
    permissions: u32,
) -> bool {
    if permissions & !bits::ALL != 0 {
        return false;
    }
    if is_collection_admin(user) {
        return true;
    }
    match project_id {
        Some(id) => is_project_admin(world, host, id, user),
        None => false,
    }
}

/// Evaluates one entry of a permission evaluation batch.
pub(crate) fn evaluate(
    world: &World,
    host: HostRef,
    user: &User,
    namespace: Uuid,
    token: &str,
    permissions: u32,
) -> bool {
    let token = token.trim().trim_end_matches('/');
    if namespace == GIT_REPOSITORIES_NAMESPACE {
        return match git_permissions(world, host, user, token) {
            Some(held) => held & permissions == permissions,
            None => false,
        };
    }
    if namespace != SERVICE_HOOKS_NAMESPACE {
        return is_collection_admin(user);
    }
    let mut parts = token.split('/');
    let root = parts.next().unwrap_or_default();
    if !root.eq_ignore_ascii_case("PublisherSecurity") {
        return is_collection_admin(user);
    }
    match (parts.next(), parts.next()) {
        (None, _) => has_service_hooks_permission(world, host, user, None, permissions),
        (Some(project), None) => match Uuid::parse_str(project) {
            Ok(id) => has_service_hooks_permission(world, host, user, Some(id), permissions),
            Err(_) => false,
        },
        _ => false,
    }
}

/// The display names of ServiceHooks bits, as the namespace lists its actions.
fn action_names(permissions: u32) -> String {
    let names: Vec<&str> = [
        (bits::VIEW_SUBSCRIPTIONS, "View Subscriptions"),
        (bits::EDIT_SUBSCRIPTIONS, "Edit Subscription"),
        (bits::DELETE_SUBSCRIPTIONS, "Delete Subscriptions"),
        (bits::PUBLISH_EVENTS, "Publish Events"),
    ]
    .iter()
    .filter(|(bit, _)| permissions & bit != 0)
    .map(|(_, name)| *name)
    .collect();
    names.join(", ")
}

/// `403 AccessCheckException` "Access Denied: {user} needs the following permission(s) on the
/// resource {token} to perform this action: {actions}" (the message format is widely quoted;
/// the shape is that of the expired-PAT `AccessCheckException`, see `FIDELITY.md`).
pub(crate) fn access_denied(user: &User, project_id: Option<Uuid>, permissions: u32) -> VssError {
    let token = publisher_token(project_id);
    let mut error = VssError::new(
        StatusCode::FORBIDDEN,
        "AccessCheckException",
        "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
        format!(
            "Access Denied: {} needs the following permission(s) on the resource {token} to perform this action: {}",
            user.display_name,
            action_names(permissions)
        ),
    );
    error.custom_properties = Some(Box::new(json!({
        "Descriptor": null,
        "IdentityDisplayName": user.display_name,
        "Token": token,
        "RequestedPermissions": permissions,
        "NamespaceId": SERVICE_HOOKS_NAMESPACE,
    })));
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, DEMO_DEVELOPER_EMAIL, DEMO_USER_EMAIL};

    #[test]
    fn project_admins_hold_service_hooks_bits_on_their_projects_only() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let host = HostRef::Organization(0);
        let admin = world.user_by_email(DEMO_USER_EMAIL).unwrap();
        let dana = world.user_by_email(DEMO_DEVELOPER_EMAIL).unwrap();
        let project = world.projects(host)[0].id;
        let token = format!("PublisherSecurity/{project}");
        assert!(evaluate(
            &world,
            host,
            admin,
            SERVICE_HOOKS_NAMESPACE,
            &token,
            2
        ));
        assert!(!evaluate(
            &world,
            host,
            dana,
            SERVICE_HOOKS_NAMESPACE,
            &token,
            2
        ));
        assert!(!evaluate(
            &world,
            host,
            admin,
            SERVICE_HOOKS_NAMESPACE,
            "PublisherSecurity",
            1
        ));
        let unknown = format!("PublisherSecurity/{}", Uuid::nil());
        assert!(!evaluate(
            &world,
            host,
            admin,
            SERVICE_HOOKS_NAMESPACE,
            &unknown,
            1
        ));
    }

    #[test]
    fn git_repository_bits_follow_the_default_groups_and_the_deny() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let host = HostRef::Organization(0);
        let admin = world.user_by_email(DEMO_USER_EMAIL).unwrap();
        let dana = world.user_by_email(DEMO_DEVELOPER_EMAIL).unwrap();
        let tailwind = &world.projects(host)[1];
        let repo = &tailwind.repositories[0];
        let project_token = format!("repoV2/{}", tailwind.id);
        let repo_token = format!("{project_token}/{}", repo.id);
        let pr = git_bits::PULL_REQUEST_CONTRIBUTE;
        let eval = |user, token: &str, bits| {
            evaluate(&world, host, user, GIT_REPOSITORIES_NAMESPACE, token, bits)
        };
        assert!(eval(dana, &project_token, pr));
        assert!(!eval(dana, &repo_token, pr), "denied on tailwind-traders");
        assert!(eval(dana, &repo_token, git_bits::GENERIC_READ));
        assert!(
            eval(admin, &repo_token, pr),
            "administrators override the deny"
        );
        assert!(!eval(dana, &repo_token, git_bits::MANAGE_PERMISSIONS));
        assert!(eval(admin, &repo_token, git_bits::MANAGE_PERMISSIONS));
        assert!(
            !eval(admin, "repoV2", pr),
            "the root is the collection administrators'"
        );
        assert!(!eval(admin, "repoV3/x", pr));
    }

    #[test]
    fn collection_admins_hold_everything() {
        let world = World::from_scenario(&Scenario::minimal()).unwrap();
        let user = &world.users[0];
        assert!(has_service_hooks_permission(
            &world,
            HostRef::Organization(0),
            user,
            None,
            15
        ));
        assert!(!has_service_hooks_permission(
            &world,
            HostRef::Organization(0),
            user,
            None,
            16
        ));
    }

    #[test]
    fn denial_names_the_token_and_action() {
        let world = World::from_scenario(&Scenario::demo()).unwrap();
        let dana = world.user_by_email(DEMO_DEVELOPER_EMAIL).unwrap();
        let error = access_denied(dana, Some(Uuid::nil()), bits::EDIT_SUBSCRIPTIONS);
        assert_eq!(error.status, StatusCode::FORBIDDEN);
        assert_eq!(
            error.message,
            "Access Denied: Dana Developer needs the following permission(s) on the resource PublisherSecurity/00000000-0000-0000-0000-000000000000 to perform this action: Edit Subscription"
        );
    }
}
