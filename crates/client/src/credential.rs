//! Credentials, wrapped so that `Debug`, `Display` and logs never show them.

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

/// How requests authenticate.
#[derive(Clone)]
pub enum Credential {
    /// No `Authorization` header: for tenant discovery and reachability probes.
    Anonymous,
    /// A personal access token, sent as HTTP Basic with an empty user name.
    Pat(SecretString),
    /// An OAuth 2.0 access token (Microsoft Entra ID), sent as `Bearer`.
    Bearer(SecretString),
}

impl Credential {
    /// A PAT credential from a plain string (trimmed).
    pub fn pat(token: &str) -> Self {
        Credential::Pat(SecretString::from(token.trim().to_string()))
    }

    /// The `Authorization` header value, marked sensitive so HTTP stacks do not log it.
    pub(crate) fn header_value(&self) -> Option<reqwest::header::HeaderValue> {
        let raw = match self {
            Credential::Anonymous => return None,
            // Azure DevOps ignores the user name; docs: "Use any value for the user name and the
            // token as the password".
            Credential::Pat(pat) => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!(":{}", pat.expose_secret()))
            ),
            Credential::Bearer(token) => format!("Bearer {}", token.expose_secret()),
        };
        let mut value = reqwest::header::HeaderValue::from_str(&raw).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// "PAT", "Bearer token" or "anonymous", for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::Anonymous => "anonymous",
            Credential::Pat(_) => "PAT",
            Credential::Bearer(_) => "Bearer token",
        }
    }
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Anonymous => f.write_str("Anonymous"),
            Credential::Pat(_) => f.write_str("Pat([redacted])"),
            Credential::Bearer(_) => f.write_str("Bearer([redacted])"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let pat = Credential::pat("s3cr3t-pat-value");
        assert_eq!(format!("{pat:?}"), "Pat([redacted])");
        let bearer = Credential::Bearer(SecretString::from("eyJ-token".to_string()));
        assert!(!format!("{bearer:?}").contains("eyJ"));
    }

    #[test]
    fn pat_is_basic_with_empty_user() {
        let value = Credential::pat(" abc ").header_value().unwrap();
        assert!(
            value.is_sensitive(),
            "the header is marked sensitive for HTTP-level logging"
        );
        // base64(":abc") = "OmFiYw=="
        assert_eq!(value.to_str().unwrap(), "Basic OmFiYw==");
    }
}
