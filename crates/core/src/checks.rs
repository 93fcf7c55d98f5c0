//! Check verdicts: facts about a probe in, a [`Problem`] with a stable code and a fix out.
//!
//! The flows crate runs the probes and describes each failure as a [`ProbeFailure`] (plain facts: an
//! HTTP status, the VSS `typeKey`, a transport kind). [`diagnose`] decides what it means for the user.
//! Codes are stable: the UI, the CLI and scripts switch on them, never on message text.

use serde::{Deserialize, Serialize};

use crate::target::{ConnectionTarget, Deployment, Field};

/// A stable code for every way a connection can fail. Serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckCode {
    /// DNS, connect or timeout failures, including through a proxy.
    Unreachable,
    /// The TLS chain does not verify (self-signed, private CA, wrong host name).
    TlsUntrusted,
    /// A plain `http://` server: the token travels in the clear.
    HttpInsecure,
    /// A plain `http://` server on another machine, and the user has not consented to sending
    /// the token in the clear: nothing was sent.
    HttpConsentRequired,
    /// The server is older than Azure DevOps Server 2022.
    ServerTooOld,
    /// URLs the server returns point at localhost or another host than the one entered.
    PublicUrlLocalhost,
    /// 401, 203 with HTML, or a redirect to sign-in.
    InvalidCredentials,
    /// The service says the token expired.
    TokenExpired,
    /// The token is valid but lacks a scope or permission.
    InvalidPermissions,
    /// The token is valid but sees no projects or repositories.
    NoResources,
    /// The organization, collection, project or repository does not exist.
    NotFound,
    /// An OAuth token refused with TF400813 because of the organization's policy.
    OauthPolicyDisabled,
    /// The organization is backed by Microsoft accounts, not Microsoft Entra ID (its resource
    /// tenant is the all-zero GUID): Entra sign-in and service principals cannot reach it; a
    /// personal access token can.
    MsaOrganization,
    /// 429 or `Retry-After`.
    RateLimited,
    /// Something the user typed is malformed; nothing was sent.
    InvalidInput,
    /// The server's answer is larger than ADO Connect reads.
    ResponseTooLarge,
    /// Anything else: the server answered something we do not understand.
    Unexpected,
}

impl CheckCode {
    /// The code as it appears in JSON, e.g. `invalid_credentials`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckCode::Unreachable => "unreachable",
            CheckCode::TlsUntrusted => "tls_untrusted",
            CheckCode::HttpInsecure => "http_insecure",
            CheckCode::HttpConsentRequired => "http_consent_required",
            CheckCode::ServerTooOld => "server_too_old",
            CheckCode::PublicUrlLocalhost => "public_url_localhost",
            CheckCode::InvalidCredentials => "invalid_credentials",
            CheckCode::TokenExpired => "token_expired",
            CheckCode::InvalidPermissions => "invalid_permissions",
            CheckCode::NoResources => "no_resources",
            CheckCode::NotFound => "not_found",
            CheckCode::OauthPolicyDisabled => "oauth_policy_disabled",
            CheckCode::MsaOrganization => "msa_organization",
            CheckCode::RateLimited => "rate_limited",
            CheckCode::InvalidInput => "invalid_input",
            CheckCode::ResponseTooLarge => "response_too_large",
            CheckCode::Unexpected => "unexpected",
        }
    }
}

impl std::fmt::Display for CheckCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong, for a person: a stable code, the field to fix, one-line cause, the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The stable code.
    pub code: CheckCode,
    /// The form field the user should look at, if one is at fault.
    pub field: Option<Field>,
    /// The cause in one line.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// What the server said, verbatim (never holds a secret: servers do not echo tokens).
    pub server_message: Option<String>,
    /// Correlation ids for Microsoft support (`X-VSS-E2EID`, `ActivityId`).
    pub support_id: Option<String>,
}

impl Problem {
    /// A problem without the server's words or support ids (add them with struct update when a
    /// server said something).
    pub fn new(
        code: CheckCode,
        field: Option<Field>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        Problem {
            code,
            field,
            message: message.into(),
            fix: fix.into(),
            server_message: None,
            support_id: None,
        }
    }
}

/// Which request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Probe {
    /// `GET {base}/_apis/connectionData`: who am I, which deployment.
    ConnectionData,
    /// `GET {base}/_apis/projects`.
    Projects,
    /// `GET {base}/_apis/git/repositories`.
    Repositories,
}

/// How the server told us we are not signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignInSignal {
    /// HTTP 401.
    Unauthorized,
    /// HTTP 203 Non-Authoritative Information with an HTML sign-in page.
    HtmlPage,
    /// A 3xx redirect to a sign-in page.
    Redirect,
}

/// Transport-level failure kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TransportKind {
    /// The host name does not resolve.
    Dns,
    /// The connection was refused or reset.
    Connect,
    /// No answer in time.
    Timeout,
    /// The TLS handshake failed (untrusted chain, wrong name, protocol).
    Tls,
    /// The proxy wants credentials (407).
    ProxyAuth,
    /// Anything else below HTTP.
    Other,
}

/// Facts about one failed probe, gathered by the flows from the client's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProbeFailure {
    /// The request that failed.
    pub probe: Probe,
    /// What kind of failure.
    pub kind: FailureKind,
    /// Correlation ids, when the server sent them.
    pub support_id: Option<String>,
    /// The request carried an OAuth (Entra) bearer token rather than a PAT.
    #[serde(default)]
    pub via_oauth: bool,
}

/// The shape of a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum FailureKind {
    /// No HTTP answer at all.
    Transport {
        /// What failed below HTTP.
        kind: TransportKind,
        /// The underlying error, for the details pane.
        detail: String,
    },
    /// The server wants us to sign in.
    NotAuthenticated {
        /// How it said so.
        signal: SignInSignal,
        /// The VSS error message, if the body had one.
        message: Option<String>,
    },
    /// An HTTP error status with (maybe) a VSS error body.
    #[serde(rename_all = "camelCase")]
    Http {
        /// The status code.
        status: u16,
        /// The VSS `typeKey`, e.g. `VssVersionOutOfRangeException`.
        type_key: Option<String>,
        /// The VSS `message`.
        message: Option<String>,
    },
    /// 429, or a `Retry-After` we were told to honour.
    #[serde(rename_all = "camelCase")]
    RateLimited {
        /// Seconds to wait, if the server said.
        retry_after_secs: Option<u64>,
    },
    /// Plain http to another machine without the user's consent: nothing was sent.
    PlainHttpRefused,
    /// The answer's body exceeded the client's limit.
    #[serde(rename_all = "camelCase")]
    TooLarge {
        /// The limit, in bytes.
        limit_bytes: u64,
    },
    /// A 2xx answer whose body we could not read as the documented JSON.
    Undecodable {
        /// What the decoder said.
        detail: String,
    },
}

/// Decides what a failed probe means for the user connecting to `target`.
pub fn diagnose(target: &ConnectionTarget, failure: &ProbeFailure) -> Problem {
    let scope_field = target.scope_field();
    let host_field = target.host_field();
    let host = target.host_url().host_str().unwrap_or_default().to_string();
    let product = target.deployment().display_name();
    // The token page lives under the organization or collection in both products.
    let pat_page = format!("{}_usersSettings/tokens", target.api_base());
    let problem =
        |code, field, message: String, fix: String, server_message: Option<String>| Problem {
            server_message,
            support_id: failure.support_id.clone(),
            ..Problem::new(code, field, message, fix)
        };
    let expired = |message: &Option<String>| {
        problem(
            CheckCode::TokenExpired,
            Some(Field::Pat),
            "This personal access token has expired.".into(),
            format!("Create a new token (or extend this one) at {pat_page} and paste it here."),
            message.clone(),
        )
    };

    match &failure.kind {
        FailureKind::Transport { kind, detail } => match kind {
            TransportKind::Dns => problem(
                CheckCode::Unreachable,
                Some(host_field),
                format!("The host name {host} does not resolve."),
                "Check the spelling of the server URL, and that this machine is on the network (or VPN) that knows it.".into(),
                Some(detail.clone()),
            ),
            TransportKind::Connect => problem(
                CheckCode::Unreachable,
                Some(host_field),
                format!("Nothing answers at {}.", target.host_url()),
                "Check the server URL's host and port (a default on-prem install listens on http://server:8080/tfs), that the server is running, and that no firewall blocks it.".into(),
                Some(detail.clone()),
            ),
            TransportKind::Timeout => problem(
                CheckCode::Unreachable,
                Some(host_field),
                format!("{host} did not answer in time."),
                "Check the network path (VPN, firewall, proxy settings) and try again.".into(),
                Some(detail.clone()),
            ),
            TransportKind::Tls => problem(
                CheckCode::TlsUntrusted,
                Some(host_field),
                format!("The TLS certificate of {host} is not trusted by this machine."),
                "If the server uses your company's own certificate authority, trust that CA for this connection; otherwise check that the URL's host matches the certificate.".into(),
                Some(detail.clone()),
            ),
            TransportKind::ProxyAuth => problem(
                CheckCode::Unreachable,
                Some(Field::Proxy),
                "The proxy asks for credentials (HTTP 407).".into(),
                "Set proxy credentials in HTTPS_PROXY (http://user:password@proxy:port), or add this server to NO_PROXY.".into(),
                Some(detail.clone()),
            ),
            TransportKind::Other => problem(
                CheckCode::Unreachable,
                Some(host_field),
                format!("Could not talk to {host}."),
                "Check the server URL and the network, then try again.".into(),
                Some(detail.clone()),
            ),
        },
        FailureKind::NotAuthenticated { signal, message } => {
            if failure.via_oauth && message.as_deref().is_some_and(names_a_user_tf400813) {
                let policy_page = match target.deployment() {
                    Deployment::Services => format!("{}_settings/organizationPolicy", target.api_base()),
                    Deployment::Server => format!("{}_settings", target.api_base()),
                };
                return problem(
                    CheckCode::OauthPolicyDisabled,
                    None,
                    "The OAuth token is valid, but the organization refuses OAuth access (TF400813 for a known user).".into(),
                    format!(
                        "An organization administrator must allow it: Organization settings → Policies → Application connection policies → \"Third-party application access via OAuth\" ({policy_page}). A service principal must also be added to the organization (Organization settings → Users)."
                    ),
                    message.clone(),
                );
            }
            if message.as_deref().is_some_and(is_expired_message) {
                return expired(message);
            }
            let how = match signal {
                SignInSignal::Unauthorized => "rejected the token (HTTP 401)",
                SignInSignal::HtmlPage => "answered with a sign-in page instead of data (HTTP 203)",
                SignInSignal::Redirect => "redirected to a sign-in page",
            };
            problem(
                CheckCode::InvalidCredentials,
                Some(Field::Pat),
                format!("{product} {how}: the personal access token is wrong, revoked, or not valid for this {}.", scope_noun(target)),
                format!("Copy the token again, or create a new one at {pat_page} for this {} (at least Project and Team: Read and Code: Read), and paste it here.", scope_noun(target)),
                message.clone(),
            )
        }
        FailureKind::Http { status, type_key, message } => {
            let type_key = type_key.as_deref().unwrap_or_default();
            if type_key == "VssVersionOutOfRangeException" {
                // The client negotiates down to any supported server, so this is an older one.
                let latest = message
                    .as_deref()
                    .and_then(crate::preflight::max_version_from_message);
                return Problem {
                    support_id: failure.support_id.clone(),
                    ..crate::preflight::server_too_old(target, latest.as_deref(), message.clone())
                };
            }
            if message.as_deref().is_some_and(is_expired_message) {
                return expired(message);
            }
            if message.as_deref().is_some_and(|m| m.contains("TF400813")) && *status == 401 {
                return problem(
                    CheckCode::InvalidCredentials,
                    Some(Field::Pat),
                    format!("{product} does not accept this token."),
                    format!("Create a new token at {pat_page} and paste it here."),
                    message.clone(),
                );
            }
            match status {
                404 => match failure.probe {
                    Probe::ConnectionData => problem(
                        CheckCode::NotFound,
                        Some(scope_field),
                        format!("There is no {} {} at {}.", scope_noun(target), target.scope_name(), target.host_url()),
                        match target.deployment() {
                            Deployment::Server => "Check the collection name (Administration Console → Team Project Collections; a new server's is DefaultCollection) and that the server URL includes the virtual directory, e.g. /tfs.".into(),
                            Deployment::Services => "Check the organization name: it is the part after dev.azure.com/ in your browser's address bar.".into(),
                        },
                        message.clone(),
                    ),
                    _ => problem(
                        CheckCode::NotFound,
                        None,
                        "A project or repository named here does not exist.".into(),
                        "Check its name, or that the token's user can see it.".into(),
                        message.clone(),
                    ),
                },
                407 => problem(
                    CheckCode::Unreachable,
                    Some(Field::Proxy),
                    "The proxy asks for credentials (HTTP 407 Proxy Authentication Required).".into(),
                    "Set proxy credentials in HTTPS_PROXY (http://user:password@proxy:port), or add this server to NO_PROXY if it needs no proxy.".into(),
                    message.clone(),
                ),
                403 => problem(
                    CheckCode::InvalidPermissions,
                    Some(Field::Pat),
                    "The token is valid but not allowed to read this.".into(),
                    "Give the token the Project and Team (Read) and Code (Read) scopes, or ask an administrator for access.".into(),
                    message.clone(),
                ),
                500..=599 => problem(
                    CheckCode::Unexpected,
                    None,
                    format!("{host} had an internal error (HTTP {status})."),
                    "Try again in a minute; if it persists, give the support id to the server's administrator.".into(),
                    message.clone(),
                ),
                _ => problem(
                    CheckCode::Unexpected,
                    None,
                    format!("{host} answered HTTP {status}{}.", if type_key.is_empty() { String::new() } else { format!(" ({type_key})") }),
                    "Check the URL; if it is right, the details below say what the server objected to.".into(),
                    message.clone(),
                ),
            }
        }
        FailureKind::RateLimited { retry_after_secs } => problem(
            CheckCode::RateLimited,
            None,
            match retry_after_secs {
                Some(s) => format!("{product} is throttling requests; it asks to wait {s} s."),
                None => format!("{product} is throttling requests."),
            },
            "Wait a moment and try again; the wizard retries on its own.".into(),
            None,
        ),
        FailureKind::PlainHttpRefused => problem(
            CheckCode::HttpConsentRequired,
            Some(host_field),
            format!("{} uses plain HTTP, and the token would travel unencrypted: nothing was sent.", target.host_url()),
            "Use the server's https:// address if it has one; otherwise consent to plain HTTP for this connection (in the app: the plain-HTTP question; on the command line: --allow-http).".into(),
            None,
        ),
        FailureKind::TooLarge { limit_bytes } => problem(
            CheckCode::ResponseTooLarge,
            Some(host_field),
            format!("{host} sent an answer larger than {} MiB, more than Azure DevOps ever sends here.", limit_bytes / (1024 * 1024)),
            "Check that the URL points at Azure DevOps and not at a file server or a proxy's page.".into(),
            None,
        ),
        FailureKind::Undecodable { detail } => problem(
            CheckCode::Unexpected,
            Some(host_field),
            format!("{host} answered, but not like Azure DevOps does."),
            "Check that the URL points at Azure DevOps and not at a proxy's or portal's page.".into(),
            Some(detail.clone()),
        ),
    }
}

fn scope_noun(target: &ConnectionTarget) -> &'static str {
    match target.deployment() {
        Deployment::Services => "organization",
        Deployment::Server => "collection",
    }
}

/// `TF400813: The user '<id>' is not authorized…` with a non-empty id: the token was recognised
/// but refused (an unknown token names the user `''`).
fn names_a_user_tf400813(message: &str) -> bool {
    message.contains("TF400813") && !message.contains("user ''") && !message.contains("user \"\"")
}

fn is_expired_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("has expired") || m.contains("token expired") || m.contains("is expired")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::{Deployment, TargetInput};

    fn server_target() -> ConnectionTarget {
        TargetInput {
            deployment: Some(Deployment::Server),
            server_url: "http://tfs:8080/tfs".into(),
            collection: "DefaultCollection".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    fn diagnose_kind(probe: Probe, kind: FailureKind) -> Problem {
        diagnose(
            &server_target(),
            &ProbeFailure {
                via_oauth: false,
                probe,
                kind,
                support_id: Some("e2e-1".into()),
            },
        )
    }

    #[test]
    fn each_failure_gets_its_code_and_field() {
        let cases: Vec<(Probe, FailureKind, CheckCode, Option<Field>)> = vec![
            (
                Probe::ConnectionData,
                FailureKind::NotAuthenticated { signal: SignInSignal::Unauthorized, message: None },
                CheckCode::InvalidCredentials,
                Some(Field::Pat),
            ),
            (
                Probe::ConnectionData,
                FailureKind::NotAuthenticated { signal: SignInSignal::HtmlPage, message: None },
                CheckCode::InvalidCredentials,
                Some(Field::Pat),
            ),
            (
                Probe::ConnectionData,
                FailureKind::NotAuthenticated {
                    signal: SignInSignal::Unauthorized,
                    message: Some("Access Denied: The Personal Access Token used has expired.".into()),
                },
                CheckCode::TokenExpired,
                Some(Field::Pat),
            ),
            (
                Probe::ConnectionData,
                FailureKind::Http { status: 404, type_key: None, message: None },
                CheckCode::NotFound,
                Some(Field::Collection),
            ),
            (
                Probe::Projects,
                FailureKind::Http {
                    status: 400,
                    type_key: Some("VssVersionOutOfRangeException".into()),
                    message: Some("The requested REST API version of 7.0 is out of range for this server. The latest REST API version this server supports is 6.0.".into()),
                },
                CheckCode::ServerTooOld,
                Some(Field::ServerUrl),
            ),
            (
                Probe::ConnectionData,
                FailureKind::Transport { kind: TransportKind::Connect, detail: "refused".into() },
                CheckCode::Unreachable,
                Some(Field::ServerUrl),
            ),
            (
                Probe::ConnectionData,
                FailureKind::Transport { kind: TransportKind::Tls, detail: "UnknownIssuer".into() },
                CheckCode::TlsUntrusted,
                Some(Field::ServerUrl),
            ),
            (
                Probe::Projects,
                FailureKind::RateLimited { retry_after_secs: Some(3) },
                CheckCode::RateLimited,
                None,
            ),
        ];
        for (probe, kind, code, field) in cases {
            let problem = diagnose_kind(probe, kind.clone());
            assert_eq!((problem.code, problem.field), (code, field), "{kind:?}");
            assert!(
                !problem.fix.is_empty(),
                "every problem names a fix: {kind:?}"
            );
            assert_eq!(
                problem.support_id.as_deref(),
                Some("e2e-1"),
                "support ids are kept"
            );
        }
    }

    #[test]
    fn not_found_names_the_collection_and_the_fix() {
        let p = diagnose_kind(
            Probe::ConnectionData,
            FailureKind::Http {
                status: 404,
                type_key: None,
                message: None,
            },
        );
        assert!(
            p.message.contains("collection DefaultCollection"),
            "{}",
            p.message
        );
        assert!(p.fix.contains("DefaultCollection"), "{}", p.fix);
    }

    #[test]
    fn codes_serialize_as_stable_snake_case() {
        for code in [
            CheckCode::PublicUrlLocalhost,
            CheckCode::OauthPolicyDisabled,
            CheckCode::TlsUntrusted,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
