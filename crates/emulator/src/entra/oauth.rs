//! Pure pieces of the Entra endpoints: error replies (`{error, error_description: "AADSTS…",
//! error_codes, timestamp, trace_id, correlation_id, error_uri}`), scope parsing, and the token
//! strings. Texts are quoted from captured Entra replies where one was found; `FIDELITY.md`
//! says which.

use axum::http::StatusCode;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// Azure DevOps' application (resource) id in Entra.
pub(crate) const AZURE_DEVOPS_RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";
/// Azure DevOps' resource URI, accepted as a scope prefix too.
const AZURE_DEVOPS_RESOURCE_URI: &str = "https://app.vssps.visualstudio.com";
/// OpenID Connect scopes that name no resource.
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];

/// An OAuth error as Entra words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub status: StatusCode,
    /// RFC 6749 `error`, e.g. `invalid_grant`.
    pub error: &'static str,
    /// The AADSTS number.
    pub code: u64,
    /// The text after `AADSTS{code}: `.
    pub text: String,
}

/// `2016-01-09 02:02:12Z`, as in Entra's `timestamp` and descriptions.
pub(crate) fn entra_timestamp(now: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    now.format(&format).unwrap_or_default()
}

/// `2026-01-01T00:00:00.0000000Z`, as in AADSTS50173's dates.
pub(crate) fn dotnet_round_trip(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z"
    );
    at.format(&format).unwrap_or_default()
}

/// Where a reply's diagnostics come from: a fresh trace id, the caller's `client-request-id`
/// (or a fresh one), and the time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Diagnostics {
    pub trace_id: Uuid,
    pub correlation_id: Uuid,
    pub now: OffsetDateTime,
}

impl OAuthError {
    fn new(error: &'static str, code: u64, text: impl Into<String>) -> Self {
        // RFC 6749 §5.2: invalid_client may be 401; Entra answers it so (brief, FIDELITY.md).
        let status = if error == "invalid_client" {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::BAD_REQUEST
        };
        OAuthError {
            status,
            error,
            code,
            text: text.into(),
        }
    }

    /// `AADSTS{code}: {text}\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …`.
    pub fn description(&self, d: &Diagnostics) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.code,
            self.text,
            d.trace_id,
            d.correlation_id,
            entra_timestamp(d.now)
        )
    }

    /// `AADSTS{code}: {text}` without the diagnostics (pages).
    pub fn short(&self) -> String {
        format!("AADSTS{}: {}", self.code, self.text)
    }

    /// The JSON body of a token, device code or discovery error.
    pub fn body(&self, d: &Diagnostics) -> Value {
        json!({
            "error": self.error,
            "error_description": self.description(d),
            "error_codes": [self.code],
            "timestamp": entra_timestamp(d.now),
            "trace_id": d.trace_id.to_string(),
            "correlation_id": d.correlation_id.to_string(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        })
    }

    // ----- tenants, parameters, clients -------------------------------------------------

    pub fn tenant_not_found(tenant: &str) -> Self {
        Self::new(
            "invalid_request",
            90002,
            format!("Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."),
        )
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{name}'."),
        )
    }

    pub fn method_not_allowed(allowed: &str, verb: &str) -> Self {
        Self::new(
            "invalid_request",
            900561,
            format!("The endpoint only accepts {allowed} requests. Received a {verb} request."),
        )
    }

    pub fn app_not_found(client_id: &str, directory: &str) -> Self {
        Self::new(
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        )
    }

    pub fn not_multi_tenant(client_id: &str, name: &str) -> Self {
        Self::new(
            "invalid_request",
            50194,
            format!("Application '{client_id}'({name}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant."),
        )
    }

    pub fn grant_needs_tenant() -> Self {
        Self::new(
            "invalid_request",
            9001023,
            "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
        )
    }

    pub fn redirect_mismatch(redirect_uri: &str, client_id: &str) -> Self {
        Self::new(
            "invalid_request",
            50011,
            format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this."),
        )
    }

    pub fn no_reply_address() -> Self {
        Self::new("invalid_request", 900971, "No reply address provided.")
    }

    pub fn public_client_with_secret() -> Self {
        Self::new(
            "invalid_client",
            700025,
            "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
        )
    }

    pub fn secret_required() -> Self {
        Self::new(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )
    }

    pub fn bad_secret(client_id: &str) -> Self {
        Self::new(
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
        )
    }

    // ----- the authorize request ---------------------------------------------------------

    pub fn unsupported_response_type(response_type: &str) -> Self {
        Self::new(
            "unsupported_response_type",
            700051,
            format!("response_type '{response_type}' is not enabled for the application."),
        )
    }

    pub fn unsupported_response_mode(mode: &str) -> Self {
        Self::new(
            "invalid_request",
            70007,
            format!("The application returned an unsupported value of 'response_mode' ('{mode}') when requesting a token."),
        )
    }

    pub fn invalid_scope(scope: &str) -> Self {
        Self::new(
            "invalid_scope",
            70011,
            format!("The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
        )
    }

    pub fn challenge_method(method: &str) -> Self {
        Self::new(
            "invalid_request",
            50149,
            format!("Invalid Code_Challenge_method parameter ('{method}'). Only S256 is accepted."),
        )
    }

    pub fn challenge_size() -> Self {
        Self::new(
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter.",
        )
    }

    pub fn user_not_found(hint: &str, directory: &str) -> Self {
        Self::new(
            "invalid_request",
            50034,
            format!("The user account {hint} does not exist in the '{directory}' directory. To sign into this application, the account must be added to the directory."),
        )
    }

    pub fn user_declined() -> Self {
        Self::new(
            "access_denied",
            65004,
            "User declined to consent to access the app.",
        )
    }

    // ----- the token request -------------------------------------------------------------

    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        )
    }

    pub fn malformed_grant() -> Self {
        Self::new(
            "invalid_grant",
            9002313,
            "Invalid request. Request is malformed or invalid.",
        )
    }

    pub fn code_redeemed() -> Self {
        Self::new(
            "invalid_grant",
            54005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        )
    }

    pub fn code_expired() -> Self {
        Self::new(
            "invalid_grant",
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )
    }

    pub fn grant_not_valid(parameter: &str) -> Self {
        Self::new(
            "invalid_grant",
            70000,
            format!("The provided value for the input parameter '{parameter}' is not valid."),
        )
    }

    pub fn code_for_other_tenant() -> Self {
        Self::new(
            "invalid_grant",
            700005,
            "Provided Authorization Code is intended to use against other tenant, thus rejected.",
        )
    }

    pub fn reply_address_mismatch(sent: &str, original: &str) -> Self {
        Self::new(
            "invalid_grant",
            500112,
            format!("The reply address '{sent}' does not match the reply address '{original}' provided when requesting Authorization code."),
        )
    }

    pub fn verifier_missing() -> Self {
        Self::new(
            "invalid_grant",
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        )
    }

    pub fn verifier_mismatch() -> Self {
        Self::new(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        )
    }

    pub fn refresh_revoked(issued: OffsetDateTime, valid_from: OffsetDateTime) -> Self {
        Self::new(
            "invalid_grant",
            50173,
            format!(
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{}'.",
                dotnet_round_trip(issued),
                dotnet_round_trip(valid_from)
            ),
        )
    }

    pub fn refresh_expired(issued: OffsetDateTime) -> Self {
        Self::new(
            "invalid_grant",
            700082,
            format!(
                "The refresh token has expired due to inactivity. The token was issued on {} and was inactive for 90.00:00:00.",
                dotnet_round_trip(issued)
            ),
        )
    }

    pub fn consent_missing(client_id: &str, name: &str) -> Self {
        Self::new(
            "invalid_grant",
            65001,
            format!("The user or administrator has not consented to use the application with ID '{client_id}' named '{name}'. Send an interactive authorization request for this user and resource."),
        )
    }

    pub fn client_credentials_scope(scope: &str) -> Self {
        Self::new(
            "invalid_scope",
            1002012,
            format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        )
    }

    pub fn resource_not_found(resource: &str, tenant: &str) -> Self {
        Self::new(
            "invalid_resource",
            500011,
            format!("The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."),
        )
    }

    // ----- the device code flow ----------------------------------------------------------

    pub fn authorization_pending() -> Self {
        Self::new(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
    }

    pub fn slow_down(interval: u64) -> Self {
        Self::new(
            "slow_down",
            70016,
            format!("OAuth 2.0 device flow error. The client is polling too frequently; wait at least {interval} seconds between requests."),
        )
    }

    pub fn device_code_expired() -> Self {
        Self::new("expired_token", 70019, "Verification code expired.")
    }

    pub fn device_code_declined() -> Self {
        Self::new(
            "authorization_declined",
            65004,
            "User declined to consent to access the app.",
        )
    }

    pub fn bad_verification_code() -> Self {
        Self::new(
            "bad_verification_code",
            70018,
            "The provided value for the input parameter 'device_code' is not valid.",
        )
    }
}

/// What a `scope` parameter asks of Azure DevOps and of OpenID Connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Granted {
    /// Azure DevOps scopes as the emulator's credentials name them: `vso.code`, …, or
    /// `user_impersonation` for `…/.default` (all Azure DevOps permissions consented).
    pub ado: Vec<String>,
    /// `openid`, `profile`, `email`, `offline_access` as asked.
    pub oidc: Vec<String>,
}

impl Granted {
    /// Reads a space-separated `scope`. Accepts `499b84ac-…/{.default|vso.*|user_impersonation}`
    /// (or the `https://app.vssps.visualstudio.com/…` form) and the OpenID Connect scopes; anything
    /// else, e.g. a bare `vso.code_full`, is `invalid_scope` AADSTS70011.
    pub fn parse(scope: &str) -> Result<Granted, OAuthError> {
        let mut granted = Granted::default();
        let mut bad: Vec<&str> = Vec::new();
        for item in scope.split_whitespace() {
            let lower = item.to_ascii_lowercase();
            if OIDC_SCOPES.contains(&lower.as_str()) {
                push_unique(&mut granted.oidc, &lower);
                continue;
            }
            match azure_devops_permission(item) {
                Some(permission) if permission == ".default" => {
                    push_unique(&mut granted.ado, "user_impersonation")
                }
                Some(permission) if is_azure_devops_permission(&permission) => {
                    push_unique(&mut granted.ado, &permission)
                }
                _ => bad.push(item),
            }
        }
        if !bad.is_empty() {
            return Err(OAuthError::invalid_scope(&bad.join(" ")));
        }
        Ok(granted)
    }

    pub fn offline_access(&self) -> bool {
        self.oidc.iter().any(|s| s == "offline_access")
    }

    pub fn openid(&self) -> bool {
        self.oidc.iter().any(|s| s == "openid")
    }

    /// Whether every Azure DevOps scope of `self` is within `granted` (`user_impersonation`
    /// covers all).
    pub fn within(&self, granted: &Granted) -> bool {
        self.ado.iter().all(|scope| {
            granted
                .ado
                .iter()
                .any(|g| g == scope || g == "user_impersonation")
        })
    }

    /// The `scope` of a token reply: the Azure DevOps permissions with the resource prefix, then
    /// `openid`/`profile`/`email` as asked (Entra does not list `offline_access` there).
    pub fn reply_scope(&self) -> String {
        self.ado
            .iter()
            .map(|s| format!("{AZURE_DEVOPS_RESOURCE}/{s}"))
            .chain(self.oidc.iter().filter(|s| *s != "offline_access").cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|s| s == item) {
        list.push(item.to_string());
    }
}

/// `…/vso.code` → `vso.code` for the Azure DevOps resource (id or URI, any case); `None` for
/// other resources and bare scopes.
fn azure_devops_permission(scope: &str) -> Option<String> {
    let lower = scope.to_ascii_lowercase();
    for prefix in [AZURE_DEVOPS_RESOURCE, AZURE_DEVOPS_RESOURCE_URI] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            if let Some(permission) = rest.strip_prefix('/') {
                return Some(permission.to_string());
            }
        }
    }
    None
}

/// The resource of a `{resource}/.default` scope, for client credentials.
pub(crate) fn default_scope_resource(scope: &str) -> Option<&str> {
    scope.strip_suffix("/.default")
}

/// Whether `resource` names Azure DevOps.
pub(crate) fn is_azure_devops_resource(resource: &str) -> bool {
    let lower = resource.trim_end_matches('/').to_ascii_lowercase();
    lower == AZURE_DEVOPS_RESOURCE || lower == AZURE_DEVOPS_RESOURCE_URI
}

/// `user_impersonation` or `vso.{letters, digits, _}` (the documented names; unknown `vso.*`
/// names are accepted rather than listed, so a new Azure DevOps scope does not fail here).
fn is_azure_devops_permission(permission: &str) -> bool {
    permission == "user_impersonation"
        || permission.strip_prefix("vso.").is_some_and(|name| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// RFC 7636 §4.1/§4.2 characters and length (43 to 128 of `[A-Za-z0-9-._~]`).
pub(crate) fn valid_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2), compared with the stored challenge.
pub(crate) fn s256_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    computed.len() == challenge.len()
        && computed
            .bytes()
            .zip(challenge.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `count` × 122 random bits, base64url: codes and refresh tokens.
pub(crate) fn random_token(count: usize) -> String {
    let mut bytes = Vec::with_capacity(count * 16);
    for _ in 0..count {
        bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A user code as people type it: 8 letters and digits, no look-alikes (`0/O`, `1/I`).
pub(crate) fn random_user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    Uuid::new_v4().as_bytes()[..8]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// `header.claims.` with `"alg":"none"`: JWT-shaped, unsigned, so nobody can mistake it for a
/// real Entra token, and anyone can read who it is for.
pub(crate) fn unsigned_jwt(claims: &Value) -> String {
    let header = json!({"typ": "JWT", "alg": "none"});
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_like_entra_v2() {
        let granted =
            Granted::parse("499b84ac-1321-427f-aa17-267ca6975798/.default offline_access").unwrap();
        assert_eq!(granted.ado, ["user_impersonation"]);
        assert!(granted.offline_access());
        assert_eq!(
            granted.reply_scope(),
            "499b84ac-1321-427f-aa17-267ca6975798/user_impersonation"
        );
        let granular = Granted::parse(
            "499b84ac-1321-427f-aa17-267ca6975798/vso.code https://app.vssps.visualstudio.com/vso.project openid",
        )
        .unwrap();
        assert_eq!(granular.ado, ["vso.code", "vso.project"]);
        assert!(granular.openid());
        let bare = Granted::parse("vso.code_full offline_access").unwrap_err();
        assert_eq!((bare.error, bare.code), ("invalid_scope", 70011));
    }

    #[test]
    fn rfc7636_appendix_b() {
        assert!(s256_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!s256_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn error_bodies_have_entra_fields() {
        let d = Diagnostics {
            trace_id: Uuid::nil(),
            correlation_id: Uuid::nil(),
            now: time::macros::datetime!(2016-01-09 02:02:12 UTC),
        };
        let body = OAuthError::bad_secret("x").body(&d);
        assert_eq!(body["error"], "invalid_client");
        assert_eq!(body["error_codes"], json!([7000215]));
        assert_eq!(body["timestamp"], "2016-01-09 02:02:12Z");
        assert!(body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215: Invalid client secret provided."));
        assert!(body["error_description"]
            .as_str()
            .unwrap()
            .ends_with("\r\nTimestamp: 2016-01-09 02:02:12Z"));
        assert_eq!(OAuthError::bad_secret("x").status, StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn user_codes_avoid_look_alikes() {
        for _ in 0..50 {
            let code = random_user_code();
            assert_eq!(code.len(), 8);
            assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
        }
    }
}
