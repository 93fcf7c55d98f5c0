//! OpenID discovery document and the (empty) key set.

use super::*;

// ----- discovery -----------------------------------------------------------------------------

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: Entra's document with the emulator's
/// endpoints. The issuer is `{origin}/{tenant id}/v2.0`, or the `{tenantid}` template for
/// `organizations` and `common`, as Entra writes it.
pub(super) fn openid_configuration(
    entra: &EntraState,
    tenant: &str,
    origin: &str,
) -> Result<Value, OAuthError> {
    let resolved = entra.tenant(tenant)?;
    let base = format!("{origin}/{tenant}");
    let issuer = match resolved {
        Tenant::Specific(id) => format!("{origin}/{id}/v2.0"),
        _ => format!("{origin}/{{tenantid}}/v2.0"),
    };
    Ok(json!({
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_modes_supported": ["query"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["none"],
        "response_types_supported": ["code"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            DEVICE_CODE_GRANT,
        ],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid", "preferred_username", "tid", "ver"],
        "tenant_region_scope": null,
        "cloud_instance_name": "ado-emulator",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_paths_are_recognised_in_any_case() {
        assert_eq!(
            endpoint("/organizations/oauth2/v2.0/authorize"),
            Some(Endpoint::Authorize("organizations".into()))
        );
        assert_eq!(
            endpoint("/6F1C2B3A-4d5e-4f60-8a7b-9c0d1e2f3a4b/OAuth2/V2.0/token"),
            Some(Endpoint::Token(
                "6F1C2B3A-4d5e-4f60-8a7b-9c0d1e2f3a4b".into()
            ))
        );
        assert_eq!(endpoint("/DeviceLogin"), Some(Endpoint::DeviceLogin));
        assert_eq!(
            endpoint("/common/v2.0/.well-known/openid-configuration"),
            Some(Endpoint::OpenIdConfiguration("common".into()))
        );
        assert_eq!(endpoint("/fabrikam/_apis/projects"), None);
        assert_eq!(endpoint("/fabrikam/oauth2/v2.0"), None);
    }

    #[test]
    fn redirect_parameters_are_appended() {
        assert_eq!(
            with_query(
                "http://localhost:5000",
                &[("code", "a b"), ("state", "x&y")]
            ),
            "http://localhost:5000?code=a+b&state=x%26y"
        );
        assert_eq!(
            with_query("https://app.example/cb?tenant=1", &[("code", "c")]),
            "https://app.example/cb?tenant=1&code=c"
        );
    }
}
