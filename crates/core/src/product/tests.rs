//! The five shipped profiles parse; broken profiles name their line and field.

use super::handoff::{panel, render_json, reproduction_script, HandoffFacts, Reveal, SecretKey};
use super::*;
use crate::target::TargetInput;

fn shipped(name: &str) -> ProductProfile {
    let path = format!("{}/../../profiles/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    parse_profile(&text).unwrap_or_else(|e| panic!("{path}:\n{e}"))
}

fn errors(text: &str) -> Vec<ProfileError> {
    parse_profile(text).expect_err("the profile is broken").0
}

const MINIMAL: &str = r#"format = 1
[product]
id = "acme"
name = "Acme"
[deployments]
services = true
server = true
[sign_in]
methods = ["pat"]
recommended = "pat"
[access]
capabilities = ["repos"]
[handoff]
fields = [{ source = "organization_or_collection", label = "Org" }]
"#;

#[test]
fn the_five_profiles_parse() {
    for name in ["dbt", "dx", "kong-konnect", "datafold", "appcircle"] {
        shipped(name);
    }
    let dx = shipped("dx");
    assert_eq!(dx.connectors.len(), 5, "DX has five connectors");
    assert!(dx.pat_expiry_required);
    let boards = dx.connector("boards").unwrap().access();
    assert_eq!(
        boards.pat_scopes,
        [
            "Project and Team (Read)",
            "Work Items (Read)",
            "Graph (Read)",
            "Identity (Read)",
            "Release (Read)",
            "Task Groups (Read)"
        ],
        "DX's Boards list, in the scope table's words"
    );
    let datafold = shipped("datafold").connectors[0].access();
    assert_eq!(
        datafold.pat_scopes,
        [
            "Project and Team (Read)",
            "Code (Read & write)",
            "Identity (Read)"
        ],
        "Code (Read) is dropped: Read & write includes it"
    );
    assert!(datafold
        .entra_scopes
        .contains(&"499b84ac-1321-427f-aa17-267ca6975798/vso.code_write".to_string()));
    assert_eq!(
        shipped("appcircle").deployments.min_server_version,
        Some(2022)
    );
    assert!(!shipped("dbt").deployments.server);
}

#[test]
fn a_minimal_profile_parses() {
    let p = parse_profile(MINIMAL).unwrap();
    assert_eq!(p.connectors[0].id, "default");
    assert_eq!(p.handoff.title, "Paste into Acme");
}

#[test]
fn errors_name_the_line_and_the_field() {
    let broken = MINIMAL.replace(
        r#"methods = ["pat"]"#,
        r#"methods = ["pat", "carrier_pigeon"]"#,
    );
    let e = errors(&broken);
    assert_eq!(
        (e[0].line, e[0].field.as_str()),
        (9, "sign_in.methods[1]"),
        "{e:?}"
    );
    assert!(
        e[0].message.contains("service_principal"),
        "lists the valid methods: {}",
        e[0].message
    );

    let broken = MINIMAL.replace(
        r#"capabilities = ["repos"]"#,
        "capabilities = [\"repos\"]\nscopes = [\"vso.code_writ\"]",
    );
    let e = errors(&broken);
    assert_eq!(
        (e[0].line, e[0].field.as_str()),
        (13, "access.scopes[0]"),
        "{e:?}"
    );

    let broken = MINIMAL.replace("id = \"acme\"", "id = \"acme\"\ncolour = \"red\"");
    let e = errors(&broken);
    assert_eq!(e[0].line, 4, "{e:?}");
    assert!(e[0].message.contains("unknown field `colour`"), "{e:?}");

    let broken = MINIMAL.replace("format = 1", "format = 2");
    assert_eq!(errors(&broken)[0].field, "format");

    let broken = MINIMAL.replace(
        "services = true\nserver = true",
        "services = false\nserver = false",
    );
    assert_eq!(errors(&broken)[0].field, "deployments");

    let broken = format!("{MINIMAL}[webhooks]\nevents = [\"git.push\"]\nscope = \"each_project\"\nurl = \"{{hook_url}}/in\"\nheader = \"X-Sig\"\nsecret = \"wizard\"\n");
    let e = errors(&broken);
    assert_eq!(
        (e[0].line, e[0].field.as_str()),
        (18, "webhooks.url"),
        "{e:?}"
    );
    assert!(e[0].message.contains("[[placeholders]]"), "{e:?}");

    let broken = MINIMAL.replace("recommended = \"pat\"", "recommended = \"browser\"");
    assert_eq!(errors(&broken)[0].field, "sign_in.recommended");

    let broken = MINIMAL.replace(
        "name = \"Acme\"",
        "name = \"Acme\"\nlogo = \"../../etc/passwd\"",
    );
    assert_eq!(errors(&broken)[0].field, "product.logo");

    let broken = format!("{MINIMAL}[handoff.post]\nurl = \"https://api.example.com/{{pat}}\"\ntoken_label = \"T\"\nbody = {{ a = \"b\" }}\n");
    let e = errors(&broken);
    assert_eq!(
        (e[0].field.as_str(), e[0].line),
        ("handoff.post.url", 16),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|e| e.message.contains("secret may not be part of a URL")),
        "{e:?}"
    );

    let e = errors("format = 1\n[product\n");
    assert_eq!(e[0].line, 2, "a syntax error names its line: {e:?}");
}

#[test]
fn several_errors_are_reported_at_once() {
    let broken = MINIMAL
        .replace("id = \"acme\"", "id = \"Acme Inc\"")
        .replace(
            r#"capabilities = ["repos"]"#,
            r#"capabilities = ["repo", "boards"]"#,
        );
    let e = errors(&broken);
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["product.id", "access.capabilities[0]"]);
}

fn facts(target: TargetInput) -> HandoffFacts {
    HandoffFacts {
        target: target.validate().unwrap(),
        server_public_url: None,
        project: Some("analytics".into()),
        repository: Some("dbt".into()),
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: vec![handoff::CredentialFact {
            connector: "default".into(),
            index: 0,
        }],
        placeholders: Default::default(),
    }
}

#[test]
fn datafold_fields_come_from_its_example_url_and_secrets_stay_hidden() {
    let p = shipped("datafold");
    let f = facts(TargetInput {
        deployment: Some(crate::target::Deployment::Services),
        organization: "datafold".into(),
        ..Default::default()
    });
    let secret =
        |k: &SecretKey| matches!(k, SecretKey::Pat { .. }).then(|| "s3cret-pat".to_string());
    let hidden = panel(&p, &f, &secret, &Reveal::Nothing);
    let shown: Vec<(&str, Option<&str>)> = hidden
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref()))
        .collect();
    assert_eq!(
        shown,
        [
            ("Organization", Some("datafold")),
            ("Project", Some("analytics")),
            ("Repository", Some("dbt")),
            ("Personal access token", None)
        ]
    );
    let revealed = panel(&p, &f, &secret, &Reveal::Field("pat:default:0".into()));
    assert_eq!(revealed.fields[3].value.as_deref(), Some("s3cret-pat"));
}

#[test]
fn appcircle_calls_the_collection_owner_and_drops_the_path() {
    let p = shipped("appcircle");
    let f = facts(TargetInput {
        deployment: Some(crate::target::Deployment::Server),
        server_url: "https://azure.spacetech.com/tfs".into(),
        collection: "Mobile".into(),
        ..Default::default()
    });
    let panel = panel(&p, &f, &|_| None, &Reveal::Nothing);
    let shown: Vec<(&str, Option<&str>)> = panel
        .fields
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_deref()))
        .collect();
    assert_eq!(
        shown,
        [
            ("Server URL", Some("https://azure.spacetech.com")),
            ("Owner", Some("Mobile")),
            ("Personal access token", None)
        ]
    );
}

#[test]
fn post_bodies_escape_values_through_json() {
    let body = serde_json::json!({"name": "{a}", "nested": {"v": ["{a}-x"]}});
    let out = render_json(&body, &|n| {
        (n == "a").then(|| "quote\" and {b}".to_string())
    })
    .unwrap();
    assert_eq!(out["name"], "quote\" and {b}");
    assert_eq!(out["nested"]["v"][0], "quote\" and {b}-x");
    assert!(
        render_json(&body, &|_| None).is_err(),
        "a missing value is an error, not an empty string"
    );
}

#[test]
fn the_reproduction_script_keeps_secrets_in_the_environment() {
    let p = shipped("dx");
    let target = TargetInput {
        deployment: Some(crate::target::Deployment::Services),
        organization: "fabrikam".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let spec = crate::webhook::HookSpec {
        event: crate::webhook::EventKind::PullRequestCreated,
        project_id: "p-1".into(),
        repository_id: None,
        branch: None,
        url: "https://acme.getdx.net/webhooks/ado".into(),
        auth: crate::webhook::HookAuth::SecretHeader {
            header: "X-ADO-Signature".into(),
            secret: crate::webhook::SecretRef {
                key: "k".into(),
                fingerprint: None,
            },
        },
    };
    let script = reproduction_script(&p, &target, &[(spec, "Fiber $(rm -rf)".into())]);
    assert!(
        script.contains("X-ADO-Signature:${WEBHOOK_SECRET}"),
        "{script}"
    );
    assert!(script.contains("-u \":$ADO_PAT\""), "{script}");
    assert!(
        script.contains("ADO_URL=\"${ADO_URL:-https://dev.azure.com/fabrikam}\""),
        "{script}"
    );
    assert!(script.contains("\"git.pullrequest.created\""), "{script}");
}
