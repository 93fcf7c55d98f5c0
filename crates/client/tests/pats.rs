//! The tokens, profile and accounts APIs (issue 20) against the emulator: a PAT created, read,
//! listed, updated and revoked by `authorizationId`; each refusal as its `patTokenError`; the
//! signed-in user's organizations from the profile's id; and every `patTokenError` value the
//! published spec lists read as itself.

use ado_client::api::accounts::Account;
use ado_client::api::profile::profile_base;
use ado_client::api::tokens::{
    tokens_base, PatCallError, PatFilter, PatTokenCreateRequest, PatTokenError,
    PatTokenUpdateRequest,
};
use ado_client::{AdoClient, ClientConfig, Credential};
use ado_emulator::scenario::{TokenSpec, DEMO_USER_EMAIL};
use ado_emulator::world::PatPolicy;
use ado_emulator::{Config, Emulator};
use secrecy::{ExposeSecret, SecretString};

const ENTRA: &str = "entra-token-for-the-client-pat-tests";

async fn emulator() -> Emulator {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    emu.world()
        .add_access_token(TokenSpec::everywhere(
            ENTRA,
            DEMO_USER_EMAIL,
            &["user_impersonation"],
        ))
        .unwrap();
    emu
}

fn client(base: url::Url, credential: Credential) -> AdoClient {
    AdoClient::new(ClientConfig::new(base, credential)).unwrap()
}

fn bearer() -> Credential {
    Credential::Bearer(SecretString::from(ENTRA.to_string()))
}

fn org(emu: &Emulator, name: &str) -> url::Url {
    url::Url::parse(&format!(
        "{}/",
        emu.organization_url(name).trim_end_matches('/')
    ))
    .unwrap()
}

fn in_days(days: u64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + days * 86_400;
    // RFC 3339 from a Unix time, without a date library: days since 1970 to a civil date.
    let (z, rem) = ((secs / 86_400) as i64 + 719_468, secs % 86_400);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:00Z",
        rem / 3600,
        rem % 3600 / 60
    )
}

fn create_request(scope: &str, days: u64) -> PatTokenCreateRequest {
    PatTokenCreateRequest {
        display_name: "DX – Boards (ADO Connect)".into(),
        scope: scope.into(),
        valid_to: in_days(days),
        all_orgs: false,
    }
}

#[tokio::test]
async fn a_pat_is_created_read_listed_updated_and_revoked_by_authorization_id() {
    let emu = emulator().await;
    let tokens = client(tokens_base(&org(&emu, "fabrikam")), bearer());
    let pat = tokens
        .create_pat(&create_request("vso.work", 30))
        .await
        .unwrap();
    let value = pat.token.clone().expect("the token comes with the create");
    assert_eq!(pat.scope.as_deref(), Some("vso.work"));

    let with_pat = client(
        org(&emu, "fabrikam"),
        Credential::pat(value.expose_secret()),
    );
    with_pat
        .connection_data()
        .await
        .expect("the new PAT authenticates");

    let got = tokens.get_pat(pat.authorization_id).await.unwrap();
    assert!(got.token.is_none(), "a get never carries the token");
    let listed = tokens.list_pats(PatFilter::Active, None).await.unwrap();
    assert_eq!(listed.pat_tokens.len(), 1);
    let updated = tokens
        .update_pat(&PatTokenUpdateRequest {
            authorization_id: pat.authorization_id,
            scope: Some("vso.work vso.project".into()),
            ..PatTokenUpdateRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(updated.scope.as_deref(), Some("vso.work vso.project"));

    tokens.revoke_pat(pat.authorization_id).await.unwrap();
    let after = with_pat.connection_data().await.unwrap_err();
    assert!(
        matches!(after.status(), Some(401)),
        "a revoked PAT fails with 401: {after:?}"
    );
    assert!(tokens
        .list_pats(PatFilter::Active, None)
        .await
        .unwrap()
        .pat_tokens
        .is_empty());
    assert_eq!(
        tokens
            .list_pats(PatFilter::Revoked, None)
            .await
            .unwrap()
            .pat_tokens
            .len(),
        1
    );
}

#[tokio::test]
async fn refusals_come_back_as_their_pat_token_error() {
    let emu = emulator().await;
    emu.world().set_pat_policy(
        "fabrikam",
        PatPolicy {
            max_lifetime_days: Some(7),
            no_full_scope: true,
            ..PatPolicy::default()
        },
    );
    let tokens = client(tokens_base(&org(&emu, "fabrikam")), bearer());
    let refused = |r: Result<_, PatCallError>| match r {
        Err(PatCallError::Refused(e)) => e,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        refused(tokens.create_pat(&create_request("vso.code", 30)).await),
        PatTokenError::PatLifespanPolicyViolation
    );
    assert_eq!(
        refused(tokens.create_pat(&create_request("app_token", 5)).await),
        PatTokenError::FullScopePatPolicyViolation
    );
    let mut global = create_request("vso.code", 5);
    global.all_orgs = true;
    assert_eq!(
        refused(tokens.create_pat(&global).await),
        PatTokenError::GlobalPatPolicyViolation
    );
    assert!(
        matches!(
            tokens.revoke_pat(uuid::Uuid::new_v4()).await,
            Err(PatCallError::Refused(PatTokenError::AuthorizationNotFound))
        ),
        "an unknown authorizationId"
    );
    let with_a_pat = client(
        tokens_base(&org(&emu, "fabrikam")),
        Credential::pat(ado_emulator::scenario::DEMO_FULL_ACCESS_PAT),
    );
    match with_a_pat.create_pat(&create_request("vso.code", 5)).await {
        Err(PatCallError::Http(error)) => assert_eq!(error.status(), Some(401), "{error:?}"),
        other => panic!("a PAT may not mint: {other:?}"),
    }
}

#[tokio::test]
async fn the_signed_in_users_organizations_come_from_the_profile_id() {
    let emu = emulator().await;
    let profiles = client(profile_base(&org(&emu, "fabrikam")), bearer());
    let me = profiles.my_profile().await.unwrap();
    assert_eq!(me.email_address().as_deref(), Some(DEMO_USER_EMAIL));
    let accounts: Vec<Account> = profiles.accounts_of_member(me.id).await.unwrap();
    let names: Vec<&str> = accounts.iter().map(|a| a.account_name.as_str()).collect();
    assert_eq!(names, ["contoso", "fabrikam"], "sorted by name");
}

#[test]
fn every_published_pat_token_error_reads_as_itself() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/docs/ado-specs/tokens.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the published spec {} is needed ({e})", path.display()));
    let spec: serde_json::Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap();
    let values = spec["definitions"]["PatTokenResult"]["properties"]["patTokenError"]["enum"]
        .as_array()
        .unwrap();
    assert_eq!(values.len(), 33);
    for value in values {
        let error: PatTokenError = serde_json::from_value(value.clone()).unwrap();
        assert_ne!(error, PatTokenError::Unknown, "{value} is published");
        assert_eq!(serde_json::Value::String(error.as_str()), *value);
    }
}
