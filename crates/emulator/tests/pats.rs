//! PAT Lifecycle Management, profiles and accounts (issue 20): minted PATs work against the
//! other routes with exactly their scopes and fail once revoked; organizations' policies refuse
//! with their own `patTokenError`; every answer validates against Microsoft's published specs
//! (`../shared/docs/ado-specs/{tokens,profile,accounts}.json`).

#[path = "common/mod.rs"]
mod common;

use ado_emulator::scenario::{TokenSpec, DEMO_SP_CLIENT_ID, DEMO_SP_SECRET, DEMO_USER_EMAIL};
use ado_emulator::world::PatPolicy;
use ado_emulator::{Config, Emulator};
use common::{client, read, start, Reply};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ENTRA: &str = "entra-token-for-the-pat-tests";
const ENTRA_NARROW: &str = "entra-token-with-vso-code-only";
const TENANT: &str = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const V: &str = "api-version=7.1-preview.1";

async fn emulator() -> Emulator {
    let emu = start(Config::default()).await;
    let world = emu.world();
    world
        .add_access_token(TokenSpec {
            name: "Entra".into(),
            ..TokenSpec::everywhere(ENTRA, DEMO_USER_EMAIL, &["user_impersonation"])
        })
        .unwrap();
    world
        .add_access_token(TokenSpec::everywhere(
            ENTRA_NARROW,
            DEMO_USER_EMAIL,
            &["vso.code"],
        ))
        .unwrap();
    emu
}

async fn call(
    emu: &Emulator,
    method: reqwest::Method,
    path_and_query: &str,
    bearer: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = client()
        .request(method, format!("{}/{path_and_query}", emu.base_url()))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .bearer_auth(bearer);
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.unwrap()).await
}

async fn with_pat(emu: &Emulator, path: &str, pat: &str) -> StatusCode {
    client()
        .get(format!("{}/{path}", emu.base_url()))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .basic_auth("", Some(pat))
        .send()
        .await
        .unwrap()
        .status()
}

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(days))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn create(emu: &Emulator, org: &str, body: Value) -> Value {
    let reply = call(
        emu,
        reqwest::Method::POST,
        &format!("{org}/_apis/tokens/pats?{V}"),
        ENTRA,
        Some(body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let answer = reply.json();
    spec("tokens.json").validate("PatTokenResult", &answer);
    answer
}

fn request(name: &str, scope: &str, days: i64) -> Value {
    json!({ "displayName": name, "scope": scope, "validTo": in_days(days), "allOrgs": false })
}

#[tokio::test]
async fn a_minted_pat_works_with_exactly_its_scopes_on_its_organization_until_revoked() {
    let emu = emulator().await;
    let answer = create(
        &emu,
        "fabrikam",
        request("DX – Repos (ADO Connect)", "vso.code", 30),
    )
    .await;
    assert_eq!(answer["patTokenError"], "none");
    let pat = answer["patToken"]["token"].as_str().unwrap().to_string();
    let id = answer["patToken"]["authorizationId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(answer["patToken"]["scope"], "vso.code");
    assert_eq!(
        answer["patToken"]["targetAccounts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    assert_eq!(
        with_pat(
            &emu,
            "fabrikam/_apis/git/repositories?api-version=7.0",
            &pat
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        with_pat(&emu, "fabrikam/_apis/projects?api-version=7.0", &pat).await,
        StatusCode::UNAUTHORIZED,
        "vso.code does not read projects"
    );
    assert_eq!(
        with_pat(&emu, "contoso/_apis/git/repositories?api-version=7.0", &pat).await,
        StatusCode::UNAUTHORIZED,
        "an org-scoped PAT works on its organization only"
    );

    // Get and list never show the token again.
    let got = call(
        &emu,
        reqwest::Method::GET,
        &format!("fabrikam/_apis/tokens/pats?authorizationId={id}&{V}"),
        ENTRA,
        None,
    )
    .await;
    spec("tokens.json").validate("PatTokenResult", &got.json());
    assert_eq!(got.json()["patToken"]["token"], Value::Null);
    let list = call(
        &emu,
        reqwest::Method::GET,
        &format!("fabrikam/_apis/tokens/pats?{V}"),
        ENTRA,
        None,
    )
    .await;
    spec("tokens.json").validate("PagedPatTokens", &list.json());
    assert_eq!(list.json()["patTokens"][0]["authorizationId"], id.as_str());
    assert!(!list.text.contains(&pat));

    let revoked = call(
        &emu,
        reqwest::Method::DELETE,
        &format!("fabrikam/_apis/tokens/pats?authorizationId={id}&{V}"),
        ENTRA,
        None,
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.text);
    assert_eq!(
        with_pat(
            &emu,
            "fabrikam/_apis/git/repositories?api-version=7.0",
            &pat
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "a revoked PAT fails"
    );
    let active = call(
        &emu,
        reqwest::Method::GET,
        &format!("fabrikam/_apis/tokens/pats?{V}"),
        ENTRA,
        None,
    )
    .await;
    assert_eq!(active.json()["patTokens"], json!([]));
    let all = call(
        &emu,
        reqwest::Method::GET,
        &format!("fabrikam/_apis/tokens/pats?displayFilterOption=revoked&{V}"),
        ENTRA,
        None,
    )
    .await;
    assert_eq!(all.json()["patTokens"].as_array().unwrap().len(), 1);
    assert!(emu.world().minted_pats()[0].revoked);
}

#[tokio::test]
async fn update_changes_scopes_and_expiry_of_a_valid_pat_only() {
    let emu = emulator().await;
    let answer = create(&emu, "fabrikam", request("one", "vso.code", 10)).await;
    let pat = answer["patToken"]["token"].as_str().unwrap().to_string();
    let id = answer["patToken"]["authorizationId"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({ "authorizationId": id, "scope": "vso.project", "validTo": in_days(20) });
    let updated = call(
        &emu,
        reqwest::Method::PUT,
        &format!("fabrikam/_apis/tokens/pats?{V}"),
        ENTRA,
        Some(body.clone()),
    )
    .await;
    spec("tokens.json").validate("PatTokenResult", &updated.json());
    assert_eq!(updated.json()["patToken"]["scope"], "vso.project");
    assert_eq!(
        with_pat(&emu, "fabrikam/_apis/projects?api-version=7.0", &pat).await,
        StatusCode::OK
    );
    call(
        &emu,
        reqwest::Method::DELETE,
        &format!("fabrikam/_apis/tokens/pats?authorizationId={id}&{V}"),
        ENTRA,
        None,
    )
    .await;
    let again = call(
        &emu,
        reqwest::Method::PUT,
        &format!("fabrikam/_apis/tokens/pats?{V}"),
        ENTRA,
        Some(body),
    )
    .await;
    assert_eq!(again.json()["patTokenError"], "invalidToken");
}

#[tokio::test]
async fn each_policy_and_bad_request_has_its_own_pat_token_error() {
    let emu = emulator().await;
    let world = emu.world();
    let error = |answer: Value| answer["patTokenError"].as_str().unwrap().to_string();

    let mut global = request("g", "vso.code", 5);
    global["allOrgs"] = json!(true);
    assert_eq!(
        error(create(&emu, "fabrikam", global).await),
        "globalPatPolicyViolation"
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("", "vso.code", 5)).await),
        "displayNameRequired"
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "repo:read", 5)).await),
        "invalidScope"
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "vso.code", -1)).await),
        "invalidValidTo"
    );
    assert_eq!(
        error(create(&emu, "contoso", request("x", "vso.code", 5)).await),
        "failedToReadTenantPolicy",
        "an MSA-backed organization"
    );

    world.set_pat_policy(
        "fabrikam",
        PatPolicy {
            max_lifetime_days: Some(7),
            ..PatPolicy::default()
        },
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "vso.code", 30)).await),
        "patLifespanPolicyViolation"
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "vso.code", 7)).await),
        "none"
    );

    world.set_pat_policy(
        "fabrikam",
        PatPolicy {
            no_full_scope: true,
            ..PatPolicy::default()
        },
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "app_token", 5)).await),
        "fullScopePatPolicyViolation"
    );

    world.set_pat_policy(
        "fabrikam",
        PatPolicy {
            creation_allow_list: Some(vec!["someone.else@fabrikam.example".into()]),
            ..PatPolicy::default()
        },
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "vso.code", 5)).await),
        "accessDenied"
    );
    world.set_pat_policy(
        "fabrikam",
        PatPolicy {
            creation_allow_list: Some(vec![DEMO_USER_EMAIL.to_uppercase()]),
            ..PatPolicy::default()
        },
    );
    assert_eq!(
        error(create(&emu, "fabrikam", request("x", "vso.code", 5)).await),
        "none"
    );
}

#[tokio::test]
async fn only_a_signed_in_users_entra_token_with_user_impersonation_may_mint() {
    let emu = emulator().await;
    let path = format!("fabrikam/_apis/tokens/pats?{V}");
    let body = request("x", "vso.code", 5);
    let pat = client()
        .post(format!("{}/{path}", emu.base_url()))
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .basic_auth("", Some(ado_emulator::scenario::DEMO_FULL_ACCESS_PAT))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pat.status(),
        StatusCode::UNAUTHORIZED,
        "a PAT may not mint PATs"
    );
    let narrow = call(
        &emu,
        reqwest::Method::POST,
        &path,
        ENTRA_NARROW,
        Some(body.clone()),
    )
    .await;
    assert_eq!(narrow.status, StatusCode::UNAUTHORIZED, "{}", narrow.text);

    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &DEMO_SP_CLIENT_ID.to_string()),
        ("client_secret", DEMO_SP_SECRET),
        ("scope", "499b84ac-1321-427f-aa17-267ca6975798/.default"),
    ];
    let token = read(
        client()
            .post(format!("{}/{TENANT}/oauth2/v2.0/token", emu.base_url()))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let sp = token.json()["access_token"].as_str().unwrap().to_string();
    let answer = call(&emu, reqwest::Method::POST, &path, &sp, Some(body)).await;
    assert_eq!(
        answer.json()["patTokenError"],
        "invalidUserType",
        "{}",
        answer.text
    );

    let server = call(
        &emu,
        reqwest::Method::POST,
        &format!("tfs/DefaultCollection/_apis/tokens/pats?{V}"),
        ENTRA,
        Some(request("x", "vso.code", 5)),
    )
    .await;
    assert_eq!(
        server.status,
        StatusCode::NOT_FOUND,
        "Azure DevOps Server has no PAT API: {}",
        server.text
    );
    let unversioned = call(
        &emu,
        reqwest::Method::GET,
        "fabrikam/_apis/tokens/pats",
        ENTRA,
        None,
    )
    .await;
    assert_eq!(unversioned.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn profile_and_accounts_name_the_user_and_their_organizations() {
    let emu = emulator().await;
    let profile = call(
        &emu,
        reqwest::Method::GET,
        "_apis/profile/profiles/me?api-version=7.1",
        ENTRA,
        None,
    )
    .await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.text);
    let me = profile.json();
    spec("profile.json").validate("Profile", &me);
    let id = me["id"].as_str().unwrap();
    let accounts = call(
        &emu,
        reqwest::Method::GET,
        &format!("_apis/accounts?memberId={id}&api-version=7.1"),
        ENTRA,
        None,
    )
    .await;
    assert_eq!(accounts.status, StatusCode::OK, "{}", accounts.text);
    let list = accounts.json();
    for account in list["value"].as_array().unwrap() {
        spec("accounts.json").validate("Account", account);
    }
    let names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountName"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"fabrikam") && names.contains(&"contoso"),
        "{names:?}"
    );
    let other = call(
        &emu,
        reqwest::Method::GET,
        &format!(
            "_apis/accounts?memberId={}&api-version=7.1",
            uuid::Uuid::nil()
        ),
        ENTRA,
        None,
    )
    .await;
    assert_eq!(
        other.json()["count"],
        0,
        "another member's organizations are not listed"
    );
    let anonymous = read(
        client()
            .get(format!("{}/_apis/profile/profiles/me", emu.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// One of Microsoft's published specs, read from `../shared/docs/ado-specs`.
struct Spec(Value);

fn spec(file: &str) -> Spec {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/docs/ado-specs")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the published spec {} is needed ({e})", path.display()));
    Spec(serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap())
}

impl Spec {
    /// Every member `value` carries is one the definition lists, with the listed type, format
    /// and enum value.
    fn validate(&self, definition: &str, value: &Value) {
        let schema = json!({ "$ref": format!("#/definitions/{definition}") });
        self.check(&schema, value, definition);
    }

    fn check(&self, schema: &Value, value: &Value, at: &str) {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.trim_start_matches("#/definitions/");
            let definition = &self.0["definitions"][name];
            assert!(!definition.is_null(), "{at}: {name} is not defined");
            return self.check(definition, value, at);
        }
        if value.is_null() {
            return;
        }
        if let Some(allowed) = schema["enum"].as_array() {
            assert!(
                allowed.contains(value),
                "{at}: {value} is not one of {allowed:?}"
            );
            return;
        }
        match (schema["type"].as_str(), value) {
            (Some("object") | None, Value::Object(members)) => {
                let properties = &schema["properties"];
                for (name, member) in members {
                    if properties.is_null() || properties.as_object().is_some_and(|p| p.is_empty())
                    {
                        break;
                    }
                    let declared = &properties[name];
                    assert!(!declared.is_null(), "{at}.{name} is not in the spec");
                    self.check(declared, member, &format!("{at}.{name}"));
                }
            }
            (Some("array"), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check(&schema["items"], item, &format!("{at}[{i}]"));
                }
            }
            (Some("string"), Value::String(s)) => match schema["format"].as_str() {
                Some("uuid") => assert!(s.parse::<uuid::Uuid>().is_ok(), "{at}: {s} is not a uuid"),
                Some("date-time") => assert!(
                    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                        .is_ok(),
                    "{at}: {s} is not a date-time"
                ),
                _ => {}
            },
            (Some("boolean"), Value::Bool(_)) => {}
            (Some("integer"), Value::Number(n)) => {
                assert!(n.is_i64(), "{at}: {n} is not an integer")
            }
            (Some(kind), other) => panic!("{at}: {other} is not {kind}"),
            (None, _) => {}
        }
    }
}
