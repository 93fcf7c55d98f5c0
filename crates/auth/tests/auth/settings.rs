//! Configuration: authorities, client id, scopes, environment overrides, discovery documents.

use ado_auth::{
    Authority, AuthoritySetting, ClientId, ConfigError, Scopes, SignInSettings, TenantHint,
};
use url::Url;

#[test]
fn entra_endpoints() {
    let authority = Authority::entra("contoso.onmicrosoft.com").unwrap();
    assert_eq!(
        authority.authorize_endpoint().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    );
    assert_eq!(
        authority.token_endpoint().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert_eq!(
        authority.device_code_endpoint().unwrap().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode"
    );
}

#[test]
fn an_entra_authority_round_trips_through_its_url() {
    for authority in [
        Authority::entra("contoso.onmicrosoft.com").unwrap(),
        Authority::entra_at(
            &Url::parse("http://127.0.0.1:8080/entra/").unwrap(),
            "organizations",
        )
        .unwrap(),
    ] {
        let url = authority.entra_authority_url().expect("Entra-style");
        assert_eq!(
            Authority::from_authority_url(&url).unwrap(),
            authority,
            "{url}"
        );
    }
    assert_eq!(
        Authority::entra("contoso.onmicrosoft.com")
            .unwrap()
            .entra_authority_url()
            .as_deref(),
        Some("https://login.microsoftonline.com/contoso.onmicrosoft.com")
    );
    let custom =
        Authority::custom("https://id.example/auth", "https://id.example/token", None).unwrap();
    assert_eq!(custom.entra_authority_url(), None, "not Entra-style");
}

#[test]
fn entra_style_authority_elsewhere() {
    let emulator = Url::parse("http://127.0.0.1:8080/entra/").unwrap();
    let authority = Authority::entra_at(&emulator, "organizations").unwrap();
    assert_eq!(
        authority.token_endpoint().as_str(),
        "http://127.0.0.1:8080/entra/organizations/oauth2/v2.0/token",
        "a path on the host is kept as a prefix"
    );
    let full =
        Authority::from_authority_url("https://login.microsoftonline.us/contoso.onmicrosoft.com/")
            .unwrap();
    assert_eq!(
        full.authorize_endpoint().as_str(),
        "https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/authorize"
    );
}

#[test]
fn rejects_unsafe_configuration() {
    for tenant in ["", "../evil", "a/b", "evil?x=1", "contoso"] {
        assert!(
            matches!(
                Authority::entra(tenant),
                Err(ConfigError::InvalidTenant { .. })
            ),
            "{tenant:?} is not a tenant"
        );
    }
    assert!(
        matches!(
            Authority::custom(
                "http://login.example.com/authorize",
                "https://login.example.com/token",
                None
            ),
            Err(ConfigError::InsecureEndpoint { .. })
        ),
        "plain http off loopback would expose codes and secrets"
    );
    assert!(Authority::custom(
        "http://127.0.0.1:9/a",
        "http://localhost:9/t",
        Some("http://[::1]:9/d")
    )
    .is_ok());
    assert!(matches!(
        Authority::custom(
            "https://u:p@login.example.com/a",
            "https://login.example.com/t",
            None
        ),
        Err(ConfigError::UnusableEndpoint { .. })
    ));
    assert!(matches!(
        Authority::from_authority_url("https://login.microsoftonline.com/"),
        Err(ConfigError::MissingTenant { .. })
    ));
    assert!(ClientId::new("").is_err());
    assert!(ClientId::new("has space").is_err());
    assert!(Scopes::new(["ok", "not ok"]).is_err());
    assert!(Scopes::new(Vec::<String>::new()).is_err());
    assert!(Scopes::new([r#"quo"te"#]).is_err());
}

#[test]
fn default_client_and_scopes() {
    assert_eq!(
        ClientId::default().as_str(),
        "872cd9fa-d31f-45e0-9eab-6e460a02d1f1"
    );
    assert_eq!(
        Scopes::azure_devops().to_param(),
        "499b84ac-1321-427f-aa17-267ca6975798/.default offline_access"
    );
    assert_eq!(
        Scopes::azure_devops_delegated(&["vso.code", "vso.project"]).unwrap().to_param(),
        "499b84ac-1321-427f-aa17-267ca6975798/vso.code 499b84ac-1321-427f-aa17-267ca6975798/vso.project offline_access"
    );
    assert_eq!(
        Scopes::service_principal().to_param(),
        "499b84ac-1321-427f-aa17-267ca6975798/.default"
    );
}

fn settings(vars: &[(&str, &str)]) -> Result<SignInSettings, ConfigError> {
    SignInSettings::from_lookup(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
}

#[test]
fn environment_overrides() {
    let defaults = settings(&[]).unwrap();
    assert_eq!(defaults, SignInSettings::default());
    assert_eq!(defaults.client_id, ClientId::default());
    assert_eq!(defaults.authority, AuthoritySetting::Discover);

    let empty = settings(&[
        ("ADO_CONNECT_CLIENT_ID", " "),
        ("ADO_CONNECT_AUTHORITY", ""),
    ])
    .unwrap();
    assert_eq!(
        empty,
        SignInSettings::default(),
        "empty values count as unset"
    );

    let own = settings(&[
        (
            "ADO_CONNECT_CLIENT_ID",
            "11111111-2222-3333-4444-555555555555",
        ),
        ("ADO_CONNECT_AUTHORITY", "https://login.microsoftonline.us"),
    ])
    .unwrap();
    assert_eq!(
        own.client_id.as_str(),
        "11111111-2222-3333-4444-555555555555"
    );
    assert_eq!(
        own.authority_for(&TenantHint::Tenant {
            tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into()
        })
        .unwrap()
        .token_endpoint()
        .as_str(),
        "https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
        "a host override keeps the discovered tenant"
    );

    let fixed = settings(&[(
        "ADO_CONNECT_AUTHORITY",
        "http://127.0.0.1:8080/sandbox-tenant.example",
    )])
    .unwrap();
    assert_eq!(
        fixed
            .authority_for(&TenantHint::Unknown)
            .unwrap()
            .token_endpoint()
            .as_str(),
        "http://127.0.0.1:8080/sandbox-tenant.example/oauth2/v2.0/token",
        "a full authority wins over discovery"
    );

    assert!(
        settings(&[("ADO_CONNECT_AUTHORITY", "http://login.example.com")]).is_err(),
        "http off loopback"
    );
    assert!(settings(&[("ADO_CONNECT_AUTHORITY", "not a url")]).is_err());
}

#[test]
fn authority_for_tenant_hints() {
    let settings = SignInSettings::default();
    assert_eq!(
        settings.authority_for(&TenantHint::Unknown).unwrap(),
        Authority::entra("organizations").unwrap(),
        "unknown tenant: any work or school account"
    );
    assert!(matches!(
        settings.authority_for(&TenantHint::MicrosoftAccount),
        Err(ConfigError::MicrosoftAccountOrganization)
    ));
    let message = ConfigError::MicrosoftAccountOrganization.to_string();
    assert!(message.contains("personal access token"), "{message}");
}

#[test]
fn reads_openid_configuration() {
    let document = br#"{"issuer":"http://127.0.0.1:4000","authorization_endpoint":"http://127.0.0.1:4000/auth","token_endpoint":"http://127.0.0.1:4000/token","device_authorization_endpoint":"http://127.0.0.1:4000/device/auth"}"#;
    let authority =
        Authority::from_openid_configuration(document, Some("http://127.0.0.1:4000/")).unwrap();
    assert_eq!(authority.issuer(), Some("http://127.0.0.1:4000"));
    assert_eq!(
        authority.device_code_endpoint().unwrap().as_str(),
        "http://127.0.0.1:4000/device/auth"
    );
    assert!(
        Authority::from_openid_configuration(document, Some("http://127.0.0.1:5000")).is_err(),
        "a document for another issuer is refused"
    );

    let entra_common = br#"{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0","authorization_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/authorize","token_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/token","device_authorization_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/devicecode"}"#;
    let authority = Authority::from_openid_configuration(
        entra_common,
        Some("https://login.microsoftonline.com/common/v2.0"),
    )
    .unwrap();
    assert_eq!(
        authority.issuer(),
        None,
        "a templated issuer cannot be checked"
    );

    assert!(Authority::from_openid_configuration(br#"{"issuer":"x"}"#, None).is_err());
    assert_eq!(
        Authority::openid_configuration_url("https://login.microsoftonline.com/organizations/v2.0")
            .unwrap()
            .as_str(),
        "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
    );
}
