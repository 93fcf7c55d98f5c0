//! Can Azure DevOps reach the receiver at all? Refusals and warnings for a receiver URL.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::checks::{CheckCode, Problem};
use crate::target::Deployment;

/// What the receiver check knows besides the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverContext {
    /// Services or Server: Services delivers from Microsoft's cloud, Server from the server.
    pub deployment: Deployment,
    /// True when Azure DevOps itself runs on this machine's loopback (the sandbox): then a
    /// loopback receiver is reachable, and refusals become warnings.
    pub azure_devops_on_loopback: bool,
    /// The addresses the receiver's host name resolves to from here, if the caller looked.
    /// Used for warnings only: Azure DevOps may resolve it differently.
    pub resolved: Vec<IpAddr>,
}

/// Why a receiver URL is refused or warned about. Serialized in `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverIssue {
    /// Not an absolute URL.
    NotAUrl,
    /// Not `http` or `https`.
    UnsupportedScheme,
    /// `user:password@` in the URL: use basic auth instead, so it is kept as a secret.
    CredentialsInUrl,
    /// Plain `http`: the secret and the payload travel in the clear.
    PlainHttp,
    /// `localhost` or a loopback address: that is Azure DevOps' own machine, not yours.
    Loopback,
    /// A private (RFC 1918, unique local, shared CGNAT) address.
    PrivateAddress,
    /// A link-local address (169.254/16, fe80::/10).
    LinkLocal,
    /// `0.0.0.0`, `::` or a multicast or broadcast address.
    NotRoutable,
    /// The host name resolves here to a non-public address.
    ResolvesPrivate,
}

/// A warning about a receiver that is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverWarning {
    /// Which issue.
    pub issue: ReceiverIssue,
    /// What it means, in one or two sentences.
    pub message: String,
}

/// A receiver URL that passed, with warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverCheck {
    /// The parsed URL.
    pub url: Url,
    /// Things the admin should know.
    pub warnings: Vec<ReceiverWarning>,
}

/// A refused receiver URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ReceiverRefusal {
    /// Which issue.
    pub issue: ReceiverIssue,
    /// The URL as given.
    pub url: String,
    /// Why, in one sentence.
    pub message: String,
    /// What to do.
    pub fix: String,
}

impl ReceiverRefusal {
    /// As a [`Problem`] (`invalid_input`), for the UI and the CLI.
    pub fn to_problem(&self) -> Problem {
        Problem {
            code: CheckCode::InvalidInput,
            field: None,
            message: self.message.clone(),
            fix: self.fix.clone(),
            server_message: None,
            support_id: None,
        }
    }
}

/// The kind of address an IP is, for the checks.
fn classify_ip(ip: IpAddr) -> Option<ReceiverIssue> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return classify_v4(v4);
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some(ReceiverIssue::Loopback)
            } else if v6.is_unspecified() || v6.is_multicast() {
                Some(ReceiverIssue::NotRoutable)
            } else if first & 0xfe00 == 0xfc00 {
                Some(ReceiverIssue::PrivateAddress)
            } else if first & 0xffc0 == 0xfe80 {
                Some(ReceiverIssue::LinkLocal)
            } else {
                None
            }
        }
    }
}

fn classify_v4(v4: Ipv4Addr) -> Option<ReceiverIssue> {
    let [a, b, ..] = v4.octets();
    if v4.is_loopback() {
        Some(ReceiverIssue::Loopback)
    } else if v4.is_private() || (a == 100 && (64..=127).contains(&b)) {
        Some(ReceiverIssue::PrivateAddress)
    } else if v4.is_link_local() {
        Some(ReceiverIssue::LinkLocal)
    } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || a == 0 {
        Some(ReceiverIssue::NotRoutable)
    } else {
        None
    }
}

fn host_issue(url: &Url) -> Option<ReceiverIssue> {
    match url.host()? {
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            (d == "localhost" || d.ends_with(".localhost")).then_some(ReceiverIssue::Loopback)
        }
        url::Host::Ipv4(v4) => classify_v4(v4),
        url::Host::Ipv6(v6) => classify_ip(IpAddr::V6(v6)),
    }
}

/// Checks that Azure DevOps can deliver to `input`.
///
/// - Always refused: not an absolute `http(s)` URL, or credentials in the URL.
/// - **Services** (deliveries come from Microsoft's cloud; docs `service-hooks/services/webhooks.md`:
///   no localhost or special-range addresses, use HTTPS): refused for plain `http`, `localhost`,
///   loopback, private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local and
///   non-routable addresses.
/// - **Server** (deliveries come from the server, usually inside the company network): `http`
///   and private addresses are allowed, `http` with a warning; loopback is allowed with a
///   warning (it means the Azure DevOps Server machine itself).
/// - When Azure DevOps runs on this machine's loopback (the sandbox), every refusal about
///   addresses and `http` becomes a warning.
/// - A host name that resolves here ([`ReceiverContext::resolved`]) to a non-public address gets
///   a warning: Azure DevOps may resolve it differently (split DNS), so it is not refused.
pub fn check_receiver_url(
    input: &str,
    ctx: &ReceiverContext,
) -> Result<ReceiverCheck, ReceiverRefusal> {
    let raw = input.trim();
    let refuse = |issue, message: String, fix: &str| ReceiverRefusal {
        issue,
        url: raw.to_string(),
        message,
        fix: fix.to_string(),
    };
    let url = Url::parse(raw).map_err(|e| {
        refuse(
            ReceiverIssue::NotAUrl,
            format!("{raw:?} is not a receiver URL ({e})."),
            "Paste the full URL the product gave you, starting with https://.",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(refuse(
            ReceiverIssue::UnsupportedScheme,
            format!("{raw} is not an http(s) URL; Azure DevOps web hooks only POST to http(s)."),
            "Use the https:// URL of the receiver.",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            ReceiverIssue::CredentialsInUrl,
            "The receiver URL contains a user name or password, which Azure DevOps would store and show in clear.".into(),
            "Remove them from the URL and choose basic authentication instead; the password is then kept as a secret.",
        ));
    }

    let host = url.host_str().unwrap_or_default().to_string();
    let sandbox = ctx.azure_devops_on_loopback;
    let mut warnings = Vec::new();
    let warn = |warnings: &mut Vec<ReceiverWarning>, issue, message: String| {
        warnings.push(ReceiverWarning { issue, message })
    };

    if let Some(issue) = host_issue(&url) {
        let what = match issue {
            ReceiverIssue::Loopback => "a loopback address (this very machine)",
            ReceiverIssue::PrivateAddress => "a private network address",
            ReceiverIssue::LinkLocal => "a link-local address",
            _ => "an address that cannot be routed",
        };
        match (ctx.deployment, issue, sandbox) {
            (_, _, true) => warn(
                &mut warnings,
                issue,
                format!("{host} is {what}; that works only because Azure DevOps runs on this machine too (the sandbox)."),
            ),
            (Deployment::Services, _, false) => {
                return Err(refuse(
                    issue,
                    format!("Azure DevOps Services cannot reach {host}: it is {what}, and deliveries come from Microsoft's cloud."),
                    "Use a public https:// URL for the receiver (for local testing, a tunnel such as a reverse proxy with a public name).",
                ))
            }
            (Deployment::Server, ReceiverIssue::Loopback, false) => warn(
                &mut warnings,
                issue,
                format!("{host} is the Azure DevOps Server machine itself from the server's point of view; deliveries will reach the receiver only if it runs there."),
            ),
            (Deployment::Server, ReceiverIssue::PrivateAddress, false) => {}
            (Deployment::Server, _, false) => {
                return Err(refuse(
                    issue,
                    format!("Azure DevOps Server cannot deliver to {host}: it is {what}."),
                    "Use the receiver's host name or routable address.",
                ))
            }
        }
    }

    if url.scheme() == "http" {
        match (ctx.deployment, sandbox) {
            (Deployment::Services, false) => {
                return Err(refuse(
                    ReceiverIssue::PlainHttp,
                    format!("{raw} is plain http: the secret and every event would travel unencrypted over the internet."),
                    "Use the receiver's https:// URL.",
                ))
            }
            _ => warn(
                &mut warnings,
                ReceiverIssue::PlainHttp,
                "Plain http: the secret and each event travel unencrypted; anyone on the network path can read and replay them. Prefer https.".into(),
            ),
        }
    }

    if matches!(url.host(), Some(url::Host::Domain(_))) && host_issue(&url).is_none() {
        let private: Vec<String> = ctx
            .resolved
            .iter()
            .filter(|ip| classify_ip(**ip).is_some())
            .map(|ip| ip.to_string())
            .collect();
        let from_the_cloud = ctx.deployment == Deployment::Services && !sandbox;
        if from_the_cloud && !private.is_empty() {
            warn(
                &mut warnings,
                ReceiverIssue::ResolvesPrivate,
                format!(
                    "{host} resolves here to {}, which Azure DevOps Services cannot reach; it works only if public DNS gives a public address.",
                    private.join(", ")
                ),
            );
        }
    }
    Ok(ReceiverCheck { url, warnings })
}
