//! Broken profiles: every mistake reported at once, each with its line, column and dotted
//! field, in file order.

use super::*;

/// (line, field) of each mistake.
fn places(text: &str) -> Vec<(usize, String)> {
    errors(text)
        .into_iter()
        .map(|e| (e.line, e.field))
        .collect()
}

/// The one mistake of `text`, which must have exactly one.
fn only(text: &str) -> ProfileError {
    let e = errors(text);
    assert_eq!(e.len(), 1, "exactly one mistake: {e:#?}");
    e.into_iter().next().unwrap()
}

#[test]
fn a_minimal_profile_parses() {
    let p = parse_profile(MINIMAL).unwrap();
    assert_eq!(p.connectors[0].id, "default");
    assert_eq!(p.handoff.title, "Paste into Acme");
    assert_eq!(
        p.sign_in_for(Deployment::Server).methods,
        [SignInMethod::Pat]
    );
}

#[test]
fn every_kind_of_mistake_is_reported_at_once_in_file_order() {
    let text = r#"format = 1
[product]
id = "acme"
name = 3
colour = "red"
[deployments]
services = true
server = true
[sign_in]
methods = ["pat",
recommended = "pat"
[access]
capabilities = ["repo"]
[handoff]
fields = [{ label = "Org" }]
"#;
    let e = errors(text);
    let got: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(
        got,
        [
            (4, "product.name"),
            (5, "product.colour"),
            (10, "sign_in.methods"),
            (13, "access.capabilities[0]"),
            (15, "handoff.fields[0].source"),
        ],
        "a wrong type, an unknown key, a syntax error, a bad value and a missing key: {e:#?}"
    );
    assert!(
        e[0].message.contains("expected a string, found a number"),
        "{e:?}"
    );
    assert!(e[1].message.contains("unknown key `colour`"), "{e:?}");
    assert!(
        e[1].message.contains("docs_url"),
        "it lists the keys that exist: {e:?}"
    );
    assert!(e[2].message.starts_with("not valid TOML"), "{e:?}");
    assert_eq!(e[2].column, 18, "at the end of the unclosed list: {e:?}");
    assert!(
        e[3].message.contains("unknown capability \"repo\""),
        "{e:?}"
    );
    assert!(e[4].message.contains("`source` is missing"), "{e:?}");
}

#[test]
fn syntax_errors_do_not_hide_the_rest_of_the_file() {
    let text = MINIMAL
        .replace("id = \"acme\"", "id = \"acme\nbroken line")
        .replace(
            "capabilities = [\"repos\"]",
            "capabilities = [\"repos\"]\nscopes = [\"vso.nope\"]",
        );
    let got = places(&text);
    assert_eq!(
        got,
        [
            (3, "product.id".to_string()),
            (4, "product.broken line".to_string()),
            (14, "access.scopes[0]".to_string()),
        ],
        "{:#?}",
        errors(&text)
    );
    let e = errors("format = 1\n[product\nid = \"x\"\n");
    assert!(
        e.iter()
            .any(|e| (e.line, e.field.as_str()) == (2, "product")),
        "{e:?}"
    );
    assert!(
        !e.iter()
            .any(|e| e.field == "id" || e.field.starts_with("product.")),
        "the keys under a broken header are neither unknown nor missing: {e:#?}"
    );
    let connectors = MINIMAL.replace(
        "[access]\ncapabilities = [\"repos\"]\n",
        "[[connectors]\nid = \"a\"\n",
    );
    let e = only(&connectors);
    assert_eq!(
        (e.line, e.field.as_str()),
        (11, "connectors[0]"),
        "and nothing said missing"
    );
}

#[test]
fn errors_name_the_line_and_the_field() {
    let broken = MINIMAL.replace(
        r#"methods = ["pat"]"#,
        r#"methods = ["pat", "carrier_pigeon"]"#,
    );
    let e = only(&broken);
    assert_eq!(
        (e.line, e.column, e.field.as_str()),
        (9, 19, "sign_in.methods[1]")
    );
    assert!(
        e.message.contains("service_principal"),
        "lists the valid methods: {}",
        e.message
    );

    let broken = MINIMAL.replace("format = 1", "format = 2");
    assert_eq!(only(&broken).field, "format");

    let broken = MINIMAL.replace(
        "services = true\nserver = true",
        "services = false\nserver = false",
    );
    assert_eq!(only(&broken).field, "deployments");

    let broken = format!("{MINIMAL}[webhooks]\nevents = [\"git.push\"]\nscope = \"each_project\"\nurl = \"{{hook_url}}/in\"\nheader = \"X-Sig\"\nsecret = \"wizard\"\n");
    let e = only(&broken);
    assert_eq!((e.line, e.field.as_str()), (18, "webhooks.url"));
    assert!(e.message.contains("[[placeholders]]"), "{e:?}");

    let broken = MINIMAL.replace("recommended = \"pat\"", "recommended = \"browser\"");
    assert_eq!(only(&broken).field, "sign_in.recommended");

    let broken = MINIMAL.replace(
        "name = \"Acme\"",
        "name = \"Acme\"\nlogo = \"../../etc/passwd\"",
    );
    assert_eq!(only(&broken).field, "product.logo");

    let broken = format!("{MINIMAL}[handoff.post]\nurl = \"https://api.example.com/{{pat}}\"\ntoken_label = \"T\"\nbody = {{ a = \"b\" }}\nper_credential = true\n");
    let e = only(&broken);
    assert_eq!((e.field.as_str(), e.line), ("handoff.post.url", 16));
    assert!(
        e.message.contains("secret may not be part of a URL"),
        "{e:?}"
    );

    let missing = MINIMAL.replace("[sign_in]\nmethods = [\"pat\"]\n", "[sign_in]\n");
    let e = only(&missing);
    assert_eq!(
        (e.line, e.field.as_str()),
        (8, "sign_in.methods"),
        "at the table's header"
    );
}

#[test]
fn control_characters_are_refused_in_every_string() {
    for (from, to, field) in [
        (
            "name = \"Acme\"",
            "name = \"Acme\\nrm -rf /\"",
            "product.name",
        ),
        (
            "label = \"Org\"",
            "label = \"Org\\tx\"",
            "handoff.fields[0].label",
        ),
        (
            "recommended = \"pat\"",
            "recommended = \"pat\"\nnote = \"a\\u001b[31mred\"",
            "sign_in.note",
        ),
        (
            "capabilities",
            "label = \"A\\rB\"\ncapabilities",
            "access.label",
        ),
    ] {
        let e = only(&MINIMAL.replace(from, to));
        assert_eq!(e.field, field, "{e:?}");
        assert!(e.message.contains("control character"), "{e:?}");
    }
    let body = format!("{MINIMAL}[handoff.post]\nurl = \"https://api.example.com\"\ntoken_label = \"T\"\nbody = {{ a = {{ b = \"x\\ny\" }} }}\n");
    assert_eq!(only(&body).field, "handoff.post.body.a.b");
    let step = format!("{MINIMAL}[[handoff.guides]]\nsteps = [\"one\", \"two\\u0085\"]\n");
    assert_eq!(only(&step).field, "handoff.guides[0].steps[1]");
}

/// MINIMAL with a Services-only deployment and `sign_in` replaced.
fn services_only(sign_in: &str, rest: &str) -> String {
    MINIMAL
        .replace("server = true", "server = false")
        .replace(
            "[sign_in]\nmethods = [\"pat\"]\nrecommended = \"pat\"\n",
            sign_in,
        )
        .replace(
            "[handoff]\nfields = [{ source = \"organization_or_collection\", label = \"Org\" }]\n",
            rest,
        )
}

#[test]
fn every_deployment_and_method_ends_in_a_field_or_a_guide() {
    let text = services_only(
        "[sign_in]\nmethods = [\"service_principal\", \"browser\"]\nrecommended = \"service_principal\"\n",
        "[handoff]\nfields = [{ source = \"tenant_id\", label = \"Tenant\", methods = [\"service_principal\"] }]\n",
    );
    let e = only(&text);
    assert_eq!(e.field, "handoff");
    assert!(
        e.message
            .contains("Azure DevOps Services with sign in with microsoft (browser)"),
        "names the gap: {e:?}"
    );
    let fixed = text + "[[handoff.guides]]\nmethods = [\"browser\"]\nsteps = [\"Sign in to Acme as the service user.\"]\n";
    parse_profile(&fixed).unwrap();

    let no_methods = services_only(
        "[sign_in]\nmethods = [\"service_principal\", \"pat\"]\nrecommended = \"pat\"\n",
        "[handoff]\nfields = [{ source = \"client_secret\", label = \"Secret\" }, { source = \"pat\", label = \"PAT\", methods = [\"pat\"] }]\n",
    );
    let e = only(&no_methods);
    assert_eq!(e.field, "handoff.fields[0].source");
    assert!(
        e.message.contains("methods = [\"service_principal\"]"),
        "{e:?}"
    );

    let server_field = MINIMAL.replace("organization_or_collection", "collection");
    let e = only(&server_field);
    assert!(
        e.message.contains("deployment = \\\"server\\\"")
            || e.message.contains("deployment = \"server\""),
        "{e:?}"
    );
}

#[test]
fn sign_in_per_deployment() {
    let text = MINIMAL.replace(
        "recommended = \"pat\"\n",
        "recommended = \"pat\"\n[sign_in.services]\nmethods = [\"browser\"]\nrecommended = \"device_code\"\n",
    );
    let e = only(&text);
    assert_eq!(e.field, "sign_in.services.recommended");

    let unsupported = MINIMAL
        .replace("services = true", "services = false")
        .replace("recommended = \"pat\"\n", "recommended = \"pat\"\n[sign_in.services]\nmethods = [\"browser\"]\nrecommended = \"browser\"\n");
    assert_eq!(only(&unsupported).field, "sign_in.services");

    let nested = MINIMAL.replace(
        "recommended = \"pat\"\n",
        "recommended = \"pat\"\n[sign_in.server]\nmethods = [\"pat\"]\nrecommended = \"pat\"\nservices = 1\n",
    );
    assert_eq!(only(&nested).field, "sign_in.server.services");
}

#[test]
fn rules_between_sections() {
    let one_per = MINIMAL.replace("[access]", "[pat]\none_per_connector = true\n[access]");
    assert_eq!(only(&one_per).field, "pat.one_per_connector");

    let bare = MINIMAL.replace("server = true", "server = false\nbare_server_url = true");
    assert_eq!(only(&bare).field, "deployments.bare_server_url");

    let placeholder = format!("{MINIMAL}[[placeholders]]\nname = \"conn\"\nlabel = \"Connection\"\nkind = \"integer\"\ndefault = \"abc\"\n");
    let e = only(&placeholder);
    assert_eq!(e.field, "placeholders[0].default");
    assert!(e.message.contains("whole number"), "{e:?}");
    let url = placeholder
        .replace("\"integer\"", "\"url\"")
        .replace("\"abc\"", "\"http://example.com\"");
    assert_eq!(
        only(&url).field,
        "placeholders[0].default",
        "plain http to another host"
    );
    parse_profile(&placeholder.replace("\"abc\"", "\"456\"")).unwrap();

    let by_product = format!("{MINIMAL}[webhooks]\ncreated_by = \"product\"\nevents = [\"git.push\"]\nurl = \"https://x.example\"\n");
    let e = only(&by_product);
    assert_eq!(e.field, "webhooks.url");
    assert!(e.message.contains("remove it"), "{e:?}");
    let by_wizard = format!("{MINIMAL}[webhooks]\nevents = [\"git.push\"]\nscope = \"each_project\"\nheader = \"X-Sig\"\nsecret = \"wizard\"\n");
    assert_eq!(only(&by_wizard).field, "webhooks.url");

    let per_credential = format!("{MINIMAL}[handoff.post]\nurl = \"https://api.example.com\"\ntoken_label = \"T\"\nbody = {{ token = \"{{pat}}\" }}\n");
    assert!(only(&per_credential)
        .message
        .contains("per_credential = true"));

    let field_on_unsupported = services_only(
        "[sign_in]\nmethods = [\"pat\"]\nrecommended = \"pat\"\n",
        "[handoff]\nfields = [{ source = \"pat\", label = \"PAT\" }, { source = \"project\", label = \"P\", deployment = \"server\" }]\n",
    );
    assert_eq!(
        only(&field_on_unsupported).field,
        "handoff.fields[1].deployment"
    );
}

#[test]
fn verification_calls_are_checked() {
    let call = |lines: &str| {
        format!("{MINIMAL}[verification]\ncodes = {{ unauthorized = \"bad_token\" }}\n[[verification.calls]]\n{lines}\n")
    };
    parse_profile(&call("get = \"_apis/git/repositories?projectId={project_id}\"\napi_version = \"7.1-preview.1\"\nconnectors = [\"default\"]")).unwrap();
    for (lines, field, words) in [
        (
            "get = \"/_apis/projects\"\napi_version = \"7.0\"",
            "verification.calls[0].get",
            "leading",
        ),
        (
            "get = \"https://evil.example/_apis\"\napi_version = \"7.0\"",
            "verification.calls[0].get",
            "without scheme",
        ),
        (
            "get = \"_apis/../../x\"\napi_version = \"7.0\"",
            "verification.calls[0].get",
            "`..`",
        ),
        (
            "get = \"_apis/{pat}\"\napi_version = \"7.0\"",
            "verification.calls[0].get",
            "cannot be filled",
        ),
        (
            "get = \"_apis/projects?api-version=7.0\"\napi_version = \"7.0\"",
            "verification.calls[0].get",
            "api_version",
        ),
        (
            "get = \"_apis/projects\"\napi_version = \"seven\"",
            "verification.calls[0].api_version",
            "7.0",
        ),
        (
            "get = \"_apis/projects\"\napi_version = \"7.0\"\nhost = \"evil.example\"",
            "verification.calls[0].host",
            "vssps",
        ),
        (
            "get = \"_apis/projects\"\napi_version = \"7.0\"\nhost = \"vssps\"",
            "verification.calls[0].host",
            "Services only",
        ),
        (
            "get = \"_apis/projects\"\napi_version = \"7.0\"\nconnectors = [\"boards\"]",
            "verification.calls[0].connectors[0]",
            "no connector",
        ),
        (
            "get = \"_apis/projects\"",
            "verification.calls[0].api_version",
            "missing",
        ),
    ] {
        let e = only(&call(lines));
        assert_eq!(e.field, field, "{lines}: {e:?}");
        assert!(e.message.contains(words), "{lines}: {e:?}");
    }
    let p = parse_profile(&call("get = \"_apis/projects\"\napi_version = \"6.0\"")).unwrap();
    let v = p.verification.unwrap();
    assert_eq!(
        v.calls[0].title, "GET _apis/projects",
        "a title derived from the path"
    );
    assert_eq!(v.codes.unauthorized.as_deref(), Some("bad_token"));
}

#[test]
fn mangled_profiles_never_panic_and_errors_stay_in_the_file() {
    let pieces = [
        "\"", "[", "]", "{", "}", "=", "\n", "'''", "\"\"\"", "#", ",", "é", "\\", "x.y", "[[a]]\n",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for name in ["dbt", "dx", "kong-konnect", "datafold", "appcircle"] {
        let path = format!("{}/../../profiles/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        for _ in 0..300 {
            let mut t = text.clone();
            for _ in 0..(next() % 3 + 1) {
                let mut at = (next() as usize) % (t.len() + 1);
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                if next() % 2 == 0 {
                    t.insert_str(at, pieces[(next() as usize) % pieces.len()]);
                } else {
                    let mut end = (at + (next() as usize) % 8).min(t.len());
                    while !t.is_char_boundary(end) {
                        end -= 1;
                    }
                    t.replace_range(at..end, "");
                }
            }
            if let Err(e) = parse_profile(&t) {
                let lines = t.lines().count() + 1;
                assert!(
                    e.0.iter().all(|e| e.line >= 1 && e.line <= lines),
                    "{t}\n{e}"
                );
                assert!(e
                    .0
                    .windows(2)
                    .all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)));
            }
        }
    }
}

#[test]
fn logo_paths_are_plain_relative_names_on_every_os() {
    use crate::product::is_plain_relative_path as plain;
    for ok in ["logo.png", "img/logo.svg", "my logo-1_2.webp"] {
        assert!(plain(ok), "{ok}");
    }
    for bad in [
        "/etc/logo.png",
        "../logo.png",
        "img/../../x.png",
        "C:\\logo.png",
        "C:logo.png",
        "\\\\host\\share\\x.png",
        "//host/share/x.png",
        "img\\logo.png",
        "https://x/logo.png",
        "./logo.png",
        "",
        "logo.png\u{0}",
    ] {
        assert!(!plain(bad), "{bad:?}");
    }
}
