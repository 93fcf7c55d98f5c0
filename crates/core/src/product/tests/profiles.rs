//! Each shipped profile says exactly what its product's page says (`/work/shared/docs/products.md`
//! in the issue): deployments, sign-in, scopes per connector, fields per deployment and method.

use super::*;
use crate::target::Deployment::{Server, Services};
use SignInMethod::{Browser, DeviceCode, Pat, ServicePrincipal};

fn labels(p: &ProductProfile, d: Deployment, m: SignInMethod) -> Vec<(&str, FieldSource)> {
    p.fields_for(d, m)
        .iter()
        .map(|f| (f.label.as_str(), f.source))
        .collect()
}

fn steps(p: &ProductProfile, d: Deployment, m: SignInMethod) -> usize {
    p.guides_for(d, m).iter().map(|g| g.steps.len()).sum()
}

#[test]
fn the_five_profiles_parse() {
    for name in ["dbt", "dx", "kong-konnect", "datafold", "appcircle"] {
        shipped(name);
    }
}

#[test]
fn dbt_is_services_only_with_a_service_principal_or_its_service_user() {
    let p = shipped("dbt");
    assert!(p.deployments.services && !p.deployments.server);
    assert_eq!(p.sign_in.methods, [ServicePrincipal, Browser, DeviceCode]);
    assert_eq!(p.sign_in.recommended, ServicePrincipal);
    assert_eq!(
        labels(&p, Services, ServicePrincipal),
        [
            ("Tenant ID", FieldSource::TenantId),
            ("Application (client) ID", FieldSource::ClientId),
            ("Client secret", FieldSource::ClientSecret)
        ],
        "the service principal method hands dbt exactly these"
    );
    for m in [Browser, DeviceCode] {
        assert!(
            labels(&p, Services, m).is_empty(),
            "the service user pastes nothing"
        );
        assert!(steps(&p, Services, m) > 0, "but is told what to do in dbt");
    }
    assert_eq!(
        p.capabilities(),
        [
            crate::capabilities::Capability::Repositories,
            crate::capabilities::Capability::PullRequests,
            crate::capabilities::Capability::Webhooks
        ],
        "dbt creates its webhooks: the permission is checked"
    );
    let hooks = p.webhooks.as_ref().unwrap();
    assert_eq!(hooks.created_by, HookCreator::Product);
    assert!(!p.wizard_registers_hooks());
    assert!(
        p.verification.is_none(),
        "dbt's page documents no checks of its own"
    );
}

#[test]
fn dx_has_five_connectors_with_exactly_its_scopes() {
    let p = shipped("dx");
    assert!(
        p.deployments.services && !p.deployments.server,
        "Graph is Services only"
    );
    assert_eq!(p.sign_in.methods, [Pat]);
    assert!(p.pat_expiry_required && p.pat_one_per_connector);
    let five = [
        "vso.graph",
        "vso.identity",
        "vso.project",
        "vso.release",
        "vso.taskgroups_read",
    ];
    let with = |first: &str| {
        let mut v = vec![first.to_string()];
        v.extend(five.iter().map(|s| s.to_string()));
        v
    };
    let scopes: Vec<(String, Vec<String>)> = p
        .access()
        .into_iter()
        .map(|a| (a.connector, a.scope_ids))
        .collect();
    assert_eq!(
        scopes,
        [
            ("boards".to_string(), with("vso.work")),
            ("pipelines".to_string(), with("vso.build")),
            ("repos".to_string(), with("vso.code")),
            ("pull_commits".to_string(), vec!["vso.code".to_string()]),
            ("commits".to_string(), vec!["vso.code".to_string()]),
        ]
    );
    assert!(p.connectors.iter().all(|c| c.several_credentials));
    let v = p.verification.as_ref().unwrap();
    assert_eq!(v.codes.unauthorized.as_deref(), Some("invalid_credentials"));
    assert_eq!(v.codes.forbidden.as_deref(), Some("invalid_permissions"));
    assert_eq!(v.codes.no_resources.as_deref(), Some("no_resources"));
    let calls: Vec<(&str, Option<&str>, Vec<&str>)> = v
        .calls
        .iter()
        .map(|c| {
            // The Graph API answers only preview versions; every other call is DX's 7.0.
            let want = if c.path.contains("graph") {
                "7.1-preview.1"
            } else {
                "7.0"
            };
            assert_eq!(c.api_version, want, "{}", c.path);
            (
                c.path.as_str(),
                c.host.as_deref(),
                c.connectors.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let three = vec!["boards", "pipelines", "repos"];
    assert_eq!(
        calls,
        [
            ("_apis/projects", None, three.clone()),
            ("_apis/graph/users", Some("vssps"), three),
            (
                "_apis/git/repositories?projectId={project_id}",
                None,
                vec!["repos"]
            ),
            (
                "_apis/build/builds?projectId={project_id}",
                None,
                vec!["pipelines"]
            ),
            (
                "_apis/wit/workitemtypes?project={project}",
                None,
                vec!["boards"]
            ),
            (
                "_apis/git/repositories/{repository_id}/pullRequests/{pull_request_id}/commits",
                None,
                vec!["pull_commits"]
            ),
            (
                "{project}/_apis/git/repositories/{repository_id}/commits",
                None,
                vec!["commits"]
            ),
        ]
    );
    let hooks = p.webhooks.as_ref().unwrap();
    assert_eq!(hooks.created_by, HookCreator::Wizard);
    assert_eq!(hooks.scope, HookScope::EachProject);
    assert_eq!(hooks.url, "{dx_url}/webhooks/ado");
    assert_eq!(hooks.header, "X-ADO-Signature");
    assert_eq!(hooks.secret, SecretOrigin::Product);
    assert_eq!(hooks.events.len(), 3);
    let kinds: Vec<(&str, PlaceholderKind, Option<&str>)> = p
        .placeholders
        .iter()
        .map(|p| (p.name.as_str(), p.kind, p.default.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("dx_url", PlaceholderKind::Url, None),
            ("dx_connection_id", PlaceholderKind::Integer, None),
            ("dx_api_url", PlaceholderKind::Url, None),
        ],
        "the page documents no host, so no default"
    );
    assert_eq!(
        labels(&p, Services, Pat),
        [("Personal access token", FieldSource::Pat)]
    );
    let post = p.handoff.post.as_ref().unwrap();
    assert_eq!(post.url, "{dx_api_url}/credentials.create");
    assert!(post.per_credential);
    assert_eq!(
        post.body,
        serde_json::json!({"id": "{dx_connection_id}", "secrets": {"personal_access_token": "{pat}"}})
    );
}

#[test]
fn kong_konnect_asks_for_code_read_only() {
    let p = shipped("kong-konnect");
    assert!(p.deployments.services && !p.deployments.server);
    assert_eq!(p.access()[0].scope_ids, ["vso.code"]);
    assert_eq!(
        labels(&p, Services, Pat),
        [
            ("Azure DevOps organization name", FieldSource::Organization),
            ("Azure DevOps personal access token (PAT)", FieldSource::Pat),
            ("Description", FieldSource::Placeholder),
        ]
    );
    assert!(p.handoff.fields[2].optional);
    assert_eq!(
        p.placeholder("description").unwrap().default,
        None,
        "no invented default"
    );
}

#[test]
fn datafold_asks_for_code_write_identity_and_contribute() {
    let p = shipped("datafold");
    assert!(p.deployments.services && !p.deployments.server);
    let access = p.connectors[0].access();
    assert_eq!(access.scope_ids, ["vso.code_write", "vso.identity"]);
    assert_eq!(
        access.pat_scopes,
        ["Code (Read & write)", "Identity (Read)"]
    );
    assert_eq!(
        p.connectors[0].permissions,
        [Permission::ContributeToPullRequests]
    );
    assert_eq!(
        labels(&p, Services, Pat),
        [
            ("Personal/project Access Token", FieldSource::Pat),
            ("Organization", FieldSource::Organization),
            ("Project", FieldSource::Project),
            ("Repository", FieldSource::Repository),
        ],
        "in the form's order"
    );
    assert!(p.handoff.fields.iter().all(|f| !f.optional));
}

#[test]
fn appcircle_takes_a_pat_on_server_and_its_own_oauth_on_services() {
    let p = shipped("appcircle");
    let d = &p.deployments;
    assert!(d.services && d.server && d.reachable_from_outside && d.bare_server_url);
    assert_eq!(d.min_server_version, Some(2022));
    assert_eq!(p.sign_in_for(Server).methods, [Pat]);
    assert_eq!(p.sign_in_for(Services).methods, [Browser, DeviceCode]);
    assert_eq!(p.sign_in_for(Services).recommended, Browser);
    assert_eq!(
        labels(&p, Server, Pat),
        [
            ("Server URL", FieldSource::ServerOrigin),
            ("Owner", FieldSource::Collection),
            ("Personal access token", FieldSource::Pat),
        ]
    );
    assert!(
        labels(&p, Services, Browser).is_empty(),
        "nothing is pasted on Services"
    );
    let guide = p.guides_for(Services, Browser);
    assert!(guide[0].steps[0].contains("Third-party application access via OAuth"));
    assert!(p.guides_for(Server, Pat).is_empty());
    assert_eq!(
        p.webhooks.as_ref().unwrap().created_by,
        HookCreator::Product
    );
    let calls = &p.verification.as_ref().unwrap().calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (
            calls[0].path.as_str(),
            calls[0].api_version.as_str(),
            calls[0].expect_items
        ),
        ("_apis/projects", "6.0", true)
    );
    assert_eq!(calls[0].forbid_text, ["localhost"]);
}
