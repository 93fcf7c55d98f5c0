//! Scenario types for Microsoft Entra ID: the applications that sign users in, and the service
//! principals that get tokens with a client secret. Re-exported from [`crate::scenario`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An application registered in Entra ID that signs users in (`entraApps` in a scenario).
///
/// ```json
/// { "clientId": "872cd9fa-d31f-45e0-9eab-6e460a02d1f1", "displayName": "Visual Studio",
///   "redirectUris": ["http://localhost"], "publicClient": true, "allowPublicClientFlows": true }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EntraAppSpec {
    /// The application (client) id.
    pub client_id: Uuid,
    /// Shown on the sign-in pages ("Are you trying to sign in to …?").
    pub display_name: String,
    /// Registered redirect URIs. A loopback one (`http://localhost`, `http://127.0.0.1`,
    /// `http://[::1]`) matches any port, as Entra's "localhost exception" and RFC 8252 §7.3 have
    /// it; `localhost` and `127.0.0.1` stay different hosts.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// A public client ("Mobile and desktop applications"): redeems codes without a secret and
    /// must send PKCE (S256). A web (confidential) app needs the secret of the service
    /// principal with the same client id.
    #[serde(default)]
    pub public_client: bool,
    /// "Allow public client flows": without it, device code polls get `invalid_client`
    /// AADSTS7000218.
    #[serde(default)]
    pub allow_public_client_flows: bool,
    /// The home tenant of a single-tenant app. Absent: multi-tenant (any tenant, `organizations`
    /// and `common`), like Visual Studio's first-party client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<Uuid>,
}

/// A service principal: an app registration with a client secret that gets tokens by client
/// credentials (`servicePrincipals` in a scenario).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServicePrincipalSpec {
    /// The application (client) id.
    pub client_id: Uuid,
    /// The client secret (the *value*, not the secret id).
    pub secret: String,
    /// The tenant the app is registered in; its organizations must be backed by this tenant.
    pub tenant_id: Uuid,
    /// The service principal's object id, which Azure DevOps shows as its identity id; derived
    /// from the client id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<Uuid>,
    /// Display name.
    pub display_name: String,
    /// Organizations it was added to (Organization settings → Users). Elsewhere its tokens get
    /// `401 TF400813`.
    #[serde(default)]
    pub organizations: Vec<String>,
}

/// Visual Studio's public client id, the default of ADO Connect's sign-in (`ado-auth`).
pub const VISUAL_STUDIO_CLIENT_ID: Uuid = Uuid::from_u128(0x872cd9fa_d31f_45e0_9eab_6e460a02d1f1);

/// The demo's service principal that was added to `fabrikam`.
pub const DEMO_SP_CLIENT_ID: Uuid = Uuid::from_u128(0x3f7d2c1e_8b4a_4e6f_9a2d_5c1b0e7f4a3d);
/// Its object id (the identity id Azure DevOps reports).
pub const DEMO_SP_OBJECT_ID: Uuid = Uuid::from_u128(0x8c2e4f6a_1b3d_4c5e_9f7a_2d4b6e8a0c1f);
/// Its client secret. Public on purpose: it only opens the emulator.
pub const DEMO_SP_SECRET: &str = "Xq8Q~adoemu.demo.sp.secret.only.for.the.emulator";

/// The demo's service principal that was added to no organization.
pub const DEMO_SP_NOT_ADDED_CLIENT_ID: Uuid =
    Uuid::from_u128(0x5a9b1c3d_7e2f_4a6b_8c0d_1e3f5a7b9c2d);
/// Its object id.
pub const DEMO_SP_NOT_ADDED_OBJECT_ID: Uuid =
    Uuid::from_u128(0x9d1f3b5e_7a2c_4e6a_8b0d_2f4a6c8e0b3d);
/// Its client secret.
pub const DEMO_SP_NOT_ADDED_SECRET: &str = "Zr4Q~adoemu.outsider.sp.secret.only.for.the.emulator";

/// The demo's user who declines every sign-in (`access_denied`, `authorization_declined`).
pub const DEMO_DECLINING_USER_EMAIL: &str = "dana.decliner@fabrikam.example";

/// Visual Studio's client as Entra has it: public, `http://localhost` (any port), public client
/// flows allowed, usable in every tenant.
pub fn visual_studio_app() -> EntraAppSpec {
    EntraAppSpec {
        client_id: VISUAL_STUDIO_CLIENT_ID,
        display_name: "Visual Studio".to_string(),
        redirect_uris: vec!["http://localhost".to_string()],
        public_client: true,
        allow_public_client_flows: true,
        tenant_id: None,
    }
}

/// The demo's two service principals in `tenant`: one added to `organization`, one nowhere.
pub fn demo_service_principals(tenant: Uuid, organization: &str) -> Vec<ServicePrincipalSpec> {
    vec![
        ServicePrincipalSpec {
            client_id: DEMO_SP_CLIENT_ID,
            secret: DEMO_SP_SECRET.to_string(),
            tenant_id: tenant,
            object_id: Some(DEMO_SP_OBJECT_ID),
            display_name: "Fabrikam Automation".to_string(),
            organizations: vec![organization.to_string()],
        },
        ServicePrincipalSpec {
            client_id: DEMO_SP_NOT_ADDED_CLIENT_ID,
            secret: DEMO_SP_NOT_ADDED_SECRET.to_string(),
            tenant_id: tenant,
            object_id: Some(DEMO_SP_NOT_ADDED_OBJECT_ID),
            display_name: "Fabrikam Outsider".to_string(),
            organizations: Vec::new(),
        },
    ]
}
