//! The hand-off, pure: fields and guides per deployment and sign-in method, what a required
//! field lacks, JSON bodies in the product's shape, and a script no name can break out of.

use super::*;
use crate::product::handoff::{
    check_placeholder_value, hooks_api_version, missing_required, panel, render_json,
    reproduction_script, template_value, MissingField, RenderError, Reveal, SecretKey,
};
use SignInMethod::{Browser, Pat, ServicePrincipal};

fn shown(p: &ProductProfile, f: &HandoffFacts) -> Vec<(String, Option<String>)> {
    panel(p, f, &|_| None, &Reveal::Nothing)
        .fields
        .into_iter()
        .map(|f| (f.label, f.value))
        .collect()
}

fn owned(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
    pairs
        .iter()
        .map(|(l, v)| (l.to_string(), v.map(str::to_string)))
        .collect()
}

#[test]
fn datafold_fields_come_from_its_example_url_and_secrets_stay_hidden() {
    let p = shipped("datafold");
    let f = facts(services("datafold"), Pat);
    assert_eq!(
        shown(&p, &f),
        owned(&[
            ("Personal/project Access Token", None),
            ("Organization", Some("datafold")),
            ("Project", Some("analytics")),
            ("Repository", Some("dbt")),
        ])
    );
    let secret = |k: &SecretKey| matches!(k, SecretKey::Pat { .. }).then(|| "s3cret".to_string());
    let revealed = panel(&p, &f, &secret, &Reveal::Field("pat:default:0".into()));
    assert_eq!(revealed.fields[0].value.as_deref(), Some("s3cret"));
    assert!(revealed.guides.is_empty());
}

#[test]
fn appcircle_drops_the_path_on_server_and_guides_on_services() {
    let p = shipped("appcircle");
    let f = facts(server("https://azure.spacetech.com", "Mobile"), Pat);
    assert_eq!(
        shown(&p, &f),
        owned(&[
            ("Server URL", Some("https://azure.spacetech.com")),
            ("Owner", Some("Mobile")),
            ("Personal access token", None),
        ])
    );
    let on_services = panel(
        &p,
        &facts(services("fabrikam"), Browser),
        &|_| None,
        &Reveal::Nothing,
    );
    assert!(on_services.fields.is_empty(), "nothing is pasted");
    assert_eq!(on_services.guides.len(), 3);
    assert!(on_services.guides[0].contains("Third-party application access via OAuth"));
}

#[test]
fn dbt_shows_the_service_principal_or_the_service_user_guide() {
    let p = shipped("dbt");
    let mut f = facts(services("fabrikam"), ServicePrincipal);
    f.tenant_id = Some("t-1".into());
    f.client_id = Some("c-1".into());
    assert_eq!(
        shown(&p, &f),
        owned(&[
            ("Tenant ID", Some("t-1")),
            ("Application (client) ID", Some("c-1")),
            ("Client secret", None),
        ])
    );
    f.method = Browser;
    let service_user = panel(&p, &f, &|_| None, &Reveal::Nothing);
    assert!(service_user.fields.is_empty());
    assert!(
        service_user.guides[0].contains("service user"),
        "{:?}",
        service_user.guides
    );
}

#[test]
fn missing_required_names_every_field_without_a_value() {
    let p = shipped("datafold");
    let mut f = facts(services("datafold"), Pat);
    f.repository = None;
    let none = missing_required(&p, &f, &|_| false);
    let keys: Vec<&str> = none.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["pat:default:0", "repository"]);
    assert_eq!(none[1].label, "Repository");
    f.repository = Some("dbt".into());
    assert!(missing_required(&p, &f, &|_| true).is_empty());
    f.credentials.clear();
    assert_eq!(
        missing_required(&p, &f, &|_| true),
        [MissingField {
            key: "pat".into(),
            label: "Personal/project Access Token".into(),
            source: FieldSource::Pat,
            placeholder: None,
        }],
        "no PAT at all"
    );

    let dbt = shipped("dbt");
    let mut sp = facts(services("fabrikam"), ServicePrincipal);
    sp.tenant_id = Some("t".into());
    let keys: Vec<String> = missing_required(&dbt, &sp, &|_| false)
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(keys, ["client_id", "client_secret"]);

    let kong = shipped("kong-konnect");
    let f = facts(services("kong"), Pat);
    assert!(
        missing_required(&kong, &f, &|_| true).is_empty(),
        "the optional Description may stay empty"
    );
}

#[test]
fn dx_body_renders_the_connection_id_as_a_number() {
    let p = shipped("dx");
    let body = &p.handoff.post.as_ref().unwrap().body;
    let value = |n: &str| match n {
        "dx_connection_id" => Some("456".to_string()),
        "pat" => Some("the-pat".to_string()),
        _ => None,
    };
    let out = render_json(body, &p, &value).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"id": 456, "secrets": {"personal_access_token": "the-pat"}}),
        "DX's documented example shape"
    );
    let not_a_number =
        |n: &str| Some(if n == "dx_connection_id" { "45x" } else { "p" }.to_string());
    assert!(matches!(
        render_json(body, &p, &not_a_number),
        Err(RenderError::NotInteger { .. })
    ));
    assert!(matches!(
        render_json(body, &p, &|_| None),
        Err(RenderError::Missing(_))
    ));
}

#[test]
fn post_bodies_escape_values_through_json() {
    let p = parse_profile(MINIMAL).unwrap();
    let body = serde_json::json!({"name": "{a}", "nested": {"v": ["{a}-x"]}});
    let out = render_json(&body, &p, &|n| {
        (n == "a").then(|| "quote\" and {b}".to_string())
    })
    .unwrap();
    assert_eq!(out["name"], "quote\" and {b}");
    assert_eq!(out["nested"]["v"][0], "quote\" and {b}-x");
}

#[test]
fn placeholder_values_fit_their_kind() {
    let p = shipped("dx");
    let url = p.placeholder("dx_url").unwrap();
    let id = p.placeholder("dx_connection_id").unwrap();
    assert!(check_placeholder_value(url, "https://acme.getdx.net").is_ok());
    assert!(
        check_placeholder_value(url, "http://127.0.0.1:8080").is_ok(),
        "loopback, for tests"
    );
    assert!(check_placeholder_value(url, "http://localhost:8080").is_ok());
    assert!(check_placeholder_value(url, "http://acme.getdx.net").is_err());
    assert!(check_placeholder_value(url, "acme.getdx.net").is_err());
    assert!(check_placeholder_value(url, "https://user:pw@acme.getdx.net").is_err());
    assert!(check_placeholder_value(id, "456").is_ok());
    for bad in ["", "4.5", "+4", " 4", "456\n"] {
        assert!(check_placeholder_value(id, bad).is_err(), "{bad:?}");
    }
    let description = shipped("kong-konnect");
    let text = description.placeholder("description").unwrap();
    assert!(check_placeholder_value(text, "Our platform").is_ok());
    assert!(check_placeholder_value(text, "a\u{1b}[2J").is_err());
}

#[test]
fn template_values_fall_back_to_a_placeholder_default() {
    let text = format!(
        "{MINIMAL}[[placeholders]]\nname = \"region\"\nlabel = \"Region\"\ndefault = \"eu\"\n"
    );
    let p = parse_profile(&text).unwrap();
    let mut f = facts(services("fabrikam"), Pat);
    assert_eq!(
        template_value("region", &p, &f, None, &|_| None).as_deref(),
        Some("eu")
    );
    f.placeholders.insert("region".into(), "us".into());
    assert_eq!(
        template_value("region", &p, &f, None, &|_| None).as_deref(),
        Some("us")
    );
}

fn dx_spec() -> crate::webhook::HookSpec {
    crate::webhook::HookSpec {
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
    }
}

#[test]
fn the_reproduction_script_keeps_secrets_in_the_environment() {
    let p = shipped("dx");
    let script = reproduction_script(
        &p,
        &services("fabrikam"),
        &[(dx_spec(), "Fiber $(rm -rf)".into())],
        "7.0",
    );
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
    assert!(
        script.contains("subscriptions?api-version=7.0\""),
        "{script}"
    );
    let old = reproduction_script(
        &p,
        &services("fabrikam"),
        &[(dx_spec(), "Fiber".into())],
        hooks_api_version(Some("5.0")),
    );
    assert!(
        old.contains("subscriptions?api-version=5.0\""),
        "Server 2019: {old}"
    );
}

#[test]
fn no_name_breaks_out_of_a_comment_line() {
    let mut p = shipped("dx");
    p.product.name = "Datafold\necho $ADO_PAT\n#".into();
    let project = "Fiber\r\necho pwned\u{2028}echo again\u{85}x";
    let script = reproduction_script(
        &p,
        &services("fabrikam"),
        &[(dx_spec(), project.into())],
        "7.0",
    );
    for line in script.lines() {
        let t = line.trim_start();
        assert!(
            !t.starts_with("echo"),
            "an injected command line: {line:?}\n{script}"
        );
        assert!(!line.contains(['\r', '\u{2028}', '\u{85}']), "{line:?}");
    }
    let commands: Vec<&str> = script
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter(|l| {
            !l.starts_with(' ') && !l.starts_with('{') && !l.starts_with('}') && !l.starts_with('"')
        })
        .collect();
    assert_eq!(
        commands,
        [
            "set -eu",
            ": \"${ADO_PAT:?set ADO_PAT to a personal access token}\"",
            ": \"${WEBHOOK_SECRET:?set WEBHOOK_SECRET to the webhook secret}\"",
            "ADO_URL=\"${ADO_URL:-https://dev.azure.com/fabrikam}\"",
            "curl -sS --fail-with-body -u \":$ADO_PAT\" -H 'X-TFS-FedAuthRedirect: Suppress' \\",
            "EOF",
        ],
        "{script}"
    );
}

#[test]
fn hooks_api_versions_follow_the_server() {
    assert_eq!(hooks_api_version(None), "7.0");
    assert_eq!(hooks_api_version(Some("7.1")), "7.0");
    assert_eq!(hooks_api_version(Some("6.0")), "6.0");
    assert_eq!(hooks_api_version(Some("5.0")), "5.0");
    assert_eq!(hooks_api_version(Some("5.1-preview")), "5.0");
}
