//! Tenant discovery from an organization's headers (pure), as a table.

use ado_auth::{tenant_from_headers, TenantHint};

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ZERO: &str = "00000000-0000-0000-0000-000000000000";

fn tenant(id: &str) -> TenantHint {
    TenantHint::Tenant {
        tenant_id: id.to_owned(),
    }
}

macro_rules! hint {
    ($name:ident, $www:expr, $resource:expr, $expected:expr) => {
        #[test]
        fn $name() {
            assert_eq!(tenant_from_headers($www, $resource), $expected);
        }
    };
}

hint!(bearer_authorization_uri, Some("Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"), None, tenant(TENANT));
hint!(
    bearer_quoted_with_other_challenges,
    Some(
        r#"Bearer authorization_uri="https://login.microsoftonline.com/72F988BF-86F1-41AF-91AB-2D7CD011DB47/", Basic realm="https://dev.azure.com/", TFS-Federated"#
    ),
    None,
    tenant(TENANT)
);
hint!(
    bearer_after_basic,
    Some(
        r#"Basic realm="a, b", Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47"#
    ),
    None,
    tenant(TENANT)
);
hint!(resource_tenant_header, None, Some(TENANT), tenant(TENANT));
hint!(
    first_non_zero_resource_tenant,
    None,
    Some("00000000-0000-0000-0000-000000000000, 72f988bf-86f1-41af-91ab-2d7cd011db47"),
    tenant(TENANT)
);
hint!(bearer_wins_over_resource_tenant,
    Some("Bearer authorization_uri=https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"),
    Some(TENANT), tenant("11111111-2222-3333-4444-555555555555"));
hint!(
    zero_guid_is_a_microsoft_account_org,
    None,
    Some(ZERO),
    TenantHint::MicrosoftAccount
);
hint!(
    zero_guid_with_common_bearer,
    Some("Bearer authorization_uri=https://login.microsoftonline.com/common"),
    Some(ZERO),
    TenantHint::MicrosoftAccount
);
hint!(
    common_alone_is_unknown,
    Some("Bearer authorization_uri=https://login.microsoftonline.com/common"),
    None,
    TenantHint::Unknown
);
hint!(nothing_is_unknown, None, None, TenantHint::Unknown);
hint!(
    basic_only_is_unknown,
    Some(r#"Basic realm="https://tfs.contoso.local/""#),
    None,
    TenantHint::Unknown
);
hint!(
    garbage_resource_tenant_is_unknown,
    None,
    Some("not-a-guid"),
    TenantHint::Unknown
);
hint!(
    path_tricks_are_not_tenants,
    Some("Bearer authorization_uri=https://login.microsoftonline.com/..%2Fevil"),
    None,
    TenantHint::Unknown
);
hint!(
    only_the_tenant_is_taken_not_the_host,
    Some("Bearer authorization_uri=https://phish.example/72f988bf-86f1-41af-91ab-2d7cd011db47"),
    None,
    tenant(TENANT)
);

#[test]
fn msa_orgs_get_pat_advice() {
    let advice = TenantHint::MicrosoftAccount.advice().unwrap();
    assert!(advice.contains("personal access token"), "{advice}");
    assert!(tenant(TENANT).advice().is_none());
}
