//! Nothing leaves the machine unseen: before the first delivery to a host, the user is shown
//! the resolved URL, the host, its addresses and every secret the request carries (its headers
//! and body), and must say yes for that host. A destination on this machine, a private network
//! or a link-local address is refused unless the user opts in for that delivery. A product API
//! token kept in the keyring is used only for the host it was given for.
//!
//! Accepted hosts are kept with the connection (`product-delivery-hosts:{key}`), per product
//! identity ([`super::secrets_key`]).

use std::net::{IpAddr, SocketAddr};

use ado_core::checks::{CheckCode, Problem};
use ado_core::product::handoff::json_template_names;
use ado_core::product::verdicts::unreachable_reason;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::handoff::Handoff;
use crate::Connections;

/// Where a delivery goes and what it carries.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPreview {
    /// The URL, resolved from the profile's template and the values given.
    pub url: String,
    /// Its host.
    pub host: String,
    /// The addresses the host resolved to here.
    pub addresses: Vec<String>,
    /// Why the destination is local (this machine, a private network, link-local), if it is.
    pub local: Option<String>,
    /// Every secret the requests carry, in words ("DX API token (Authorization header)",
    /// "Personal access token of Boards #1").
    pub carries: Vec<String>,
    /// How many requests.
    pub requests: usize,
    /// The user accepted this host before (for this product and connection).
    pub accepted_before: bool,
}

/// What the user said about a delivery.
#[derive(Debug, Clone, Default)]
pub struct Consent {
    /// The host the user confirmed (after seeing the preview).
    pub host: Option<String>,
    /// Deliver to a local destination this time.
    pub allow_local: bool,
}

/// The outcome of asking to deliver.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Asked {
    /// Nothing was sent: show this and ask (or refuse a local destination without opt-in).
    #[serde(rename_all = "camelCase")]
    NeedsConsent {
        /// What would be sent where.
        preview: DeliveryPreview,
        /// Why it was not sent.
        problem: Problem,
    },
    /// Allowed: send to these addresses.
    Allowed {
        /// The preview (for the report).
        preview: DeliveryPreview,
        /// The checked addresses, to pin the connection to.
        #[serde(skip)]
        pinned: Vec<SocketAddr>,
    },
}

/// The keyring name of the hosts a product's deliveries were accepted for.
pub fn accepted_hosts_name(key: &str) -> String {
    format!("product-delivery-hosts:{key}")
}

/// The keyring name of the host a kept product API token was given for.
pub fn token_host_name(key: &str) -> String {
    format!("product-token-host:{key}")
}

/// The secrets `handoff`'s requests carry, in words.
fn carried(handoff: &Handoff, token_label: &str, auth_header: &str) -> Vec<String> {
    let mut out = vec![format!("{token_label} ({auth_header} header)")];
    let Some(post) = &handoff.profile.handoff.post else {
        return out;
    };
    let names = json_template_names(&post.body);
    let per_credential: Vec<String> = if post.per_credential {
        handoff
            .facts
            .credentials
            .iter()
            .map(|c| {
                let label = handoff
                    .profile
                    .connector(&c.connector)
                    .map_or(c.connector.clone(), |k| k.label.clone());
                format!("{label} #{}", c.index + 1)
            })
            .collect()
    } else {
        vec!["the connection".to_string()]
    };
    for name in names {
        match name.as_str() {
            "pat" => out.extend(
                per_credential
                    .iter()
                    .map(|w| format!("Personal access token of {w}")),
            ),
            "client_secret" => out.push("The service principal's client secret".into()),
            "webhook_secret" => {
                out.push(format!("{}'s webhook secret", handoff.profile.product.name))
            }
            _ => {}
        }
    }
    out
}

/// `url`'s host (brackets of an IPv6 literal removed) and the addresses it resolves to here,
/// within 5 seconds (none when it does not resolve).
pub(super) async fn resolve(url: &url::Url) -> (String, Vec<SocketAddr>) {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = resolve_host(&host, port).await;
    (host, addrs)
}

async fn resolve_host(host: &str, port: u16) -> Vec<SocketAddr> {
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return vec![SocketAddr::new(ip, port)];
    }
    let lookup = tokio::net::lookup_host((host, port));
    match tokio::time::timeout(std::time::Duration::from_secs(5), lookup).await {
        Ok(Ok(addrs)) => addrs.collect(),
        _ => Vec::new(),
    }
}

fn accepted_hosts(
    connections: &Connections,
    handoff: &Handoff,
    key: &str,
) -> Result<Vec<String>, crate::Error> {
    Ok(connections
        .extra_secret(handoff.saved()?, &accepted_hosts_name(key))?
        .and_then(|v| serde_json::from_str(v.expose_secret()).ok())
        .unwrap_or_default())
}

/// Records that the user accepted deliveries of this product to `host`.
pub(super) fn accept_host(
    connections: &Connections,
    handoff: &Handoff,
    host: &str,
) -> Result<(), crate::Error> {
    let key = super::secrets_key(&handoff.profile);
    let mut hosts = accepted_hosts(connections, handoff, &key)?;
    if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        hosts.push(host.to_ascii_lowercase());
        let json = serde_json::to_string(&hosts).expect("hosts serialize");
        connections.put_extra_secret(
            handoff.saved()?,
            &accepted_hosts_name(&key),
            &SecretString::from(json),
        )?;
    }
    Ok(())
}

/// Where the delivery would go and what it would carry; whether it may go now.
pub async fn ask(
    connections: &Connections,
    handoff: &Handoff,
    consent: &Consent,
) -> Result<Asked, crate::Error> {
    let requests = handoff.post_requests()?;
    let post = handoff
        .profile
        .handoff
        .post
        .as_ref()
        .expect("post_requests refuses a profile without a POST");
    let url = requests.first().map(|r| r.1.clone()).unwrap_or_default();
    let parsed = url::Url::parse(&url).map_err(|e| {
        Problem::new(
            CheckCode::InvalidInput,
            None,
            format!("The product API URL {url} is not a URL: {e}."),
            "Check the API URL you gave.",
        )
    })?;
    let (host, pinned) = resolve(&parsed).await;
    let local = if host == "localhost" || host.ends_with(".localhost") {
        Some("this machine (localhost)".to_string())
    } else {
        pinned
            .iter()
            .find_map(|a| unreachable_reason(a.ip()))
            .map(str::to_string)
    };
    let key = super::secrets_key(&handoff.profile);
    let accepted_before = accepted_hosts(connections, handoff, &key)?
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&host));
    let preview = DeliveryPreview {
        addresses: pinned.iter().map(|a| a.ip().to_string()).collect(),
        carries: carried(handoff, &post.token_label, &post.auth_header),
        requests: requests.len(),
        url,
        host: host.clone(),
        local: local.clone(),
        accepted_before,
    };
    let name = &handoff.profile.product.name;
    if pinned.is_empty() {
        return Err(Problem::new(
            CheckCode::Unreachable,
            None,
            format!("{host}, the host of {name}'s API, does not resolve from this machine."),
            "Check the API URL you gave and the network.",
        )
        .into());
    }
    if let Some(reason) = &local {
        if !consent.allow_local {
            let problem = Problem::new(
                CheckCode::InvalidInput,
                None,
                format!("{name}'s API URL points at {host}, which is {reason}: a product's cloud API is not there, and the secrets would go to whatever listens there."),
                "Check the URL. If you really run the product's API there (a test double, an on-premises product), allow a local destination for this delivery.",
            );
            return Ok(Asked::NeedsConsent { preview, problem });
        }
    }
    let confirmed = consent
        .host
        .as_deref()
        .is_some_and(|h| h.eq_ignore_ascii_case(&host));
    if !accepted_before && !confirmed {
        let problem = Problem::new(
            CheckCode::InvalidInput,
            None,
            format!(
                "Nothing was sent yet: this is the first delivery of {name}'s hand-off to {host} ({}), carrying {}.",
                preview.addresses.join(", "),
                preview.carries.join("; ")
            ),
            format!("Check that {host} is {name}'s API, then confirm the delivery to {host} (the CLI: --confirm-delivery-to {host})."),
        );
        return Ok(Asked::NeedsConsent { preview, problem });
    }
    Ok(Asked::Allowed { preview, pinned })
}
