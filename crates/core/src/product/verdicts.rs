//! A profile's restrictions as verdicts: facts the flows gathered in, one [`Restriction`] per
//! rule out. Refusals that need no request (deployment, sign-in method, PAT expiry) come first,
//! so nothing is sent to a server the product cannot use.

use std::net::IpAddr;

use serde::Serialize;

use super::{ProductProfile, SignInMethod};
use crate::checks::{CheckCode, Problem};
use crate::preflight::{product_for_max_version, Status};
use crate::target::{ConnectionTarget, Deployment, Field};

/// Which rule of the profile a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Rule {
    /// Services, Server, or both.
    Deployment,
    /// The sign-in method.
    SignIn,
    /// A PAT's expiry date.
    PatExpiry,
    /// The minimum Server release.
    ServerVersion,
    /// The server must be reachable from outside.
    ReachableFromOutside,
}

/// One verdict on a restriction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restriction {
    /// Which rule.
    pub rule: Rule,
    /// The row title, e.g. "DX supports this deployment".
    pub title: String,
    /// Pass, warn or fail.
    pub status: Status,
    /// The stable code when it did not pass.
    pub code: Option<CheckCode>,
    /// What we found.
    pub message: String,
    /// What to do (empty on pass).
    pub fix: String,
    /// The field at fault.
    pub field: Option<Field>,
}

impl Restriction {
    fn pass(rule: Rule, title: String, message: String) -> Restriction {
        Restriction {
            rule,
            title,
            status: Status::Pass,
            code: None,
            message,
            fix: String::new(),
            field: None,
        }
    }

    fn fail(
        rule: Rule,
        title: String,
        status: Status,
        code: CheckCode,
        field: Option<Field>,
        message: String,
        fix: String,
    ) -> Restriction {
        Restriction {
            rule,
            title,
            status,
            code: Some(code),
            message,
            fix,
            field,
        }
    }

    /// As a [`Problem`], for errors that stop a flow.
    pub fn to_problem(&self) -> Problem {
        Problem {
            code: self.code.unwrap_or(CheckCode::Unexpected),
            field: self.field,
            message: self.message.clone(),
            fix: self.fix.clone(),
            server_message: None,
            support_id: None,
        }
    }
}

/// Does the product support this deployment? (dbt: Services only.)
pub fn deployment(profile: &ProductProfile, target: &ConnectionTarget) -> Restriction {
    let name = &profile.product.name;
    let title = format!("{name} supports this deployment");
    let d = target.deployment();
    let ok = match d {
        Deployment::Services => profile.deployments.services,
        Deployment::Server => profile.deployments.server,
    };
    if ok {
        return Restriction::pass(
            Rule::Deployment,
            title,
            format!("{name} works with {}.", d.display_name()),
        );
    }
    let other = match d {
        Deployment::Services => Deployment::Server,
        Deployment::Server => Deployment::Services,
    };
    Restriction::fail(
        Rule::Deployment,
        title,
        Status::Fail,
        CheckCode::InvalidInput,
        Some(target.host_field()),
        format!("{name} does not support {}; it works with {} only.", d.display_name(), other.display_name()),
        match d {
            Deployment::Server => format!("Connect {name} to an Azure DevOps Services organization instead, or follow {name}'s own instructions for on-premises servers."),
            Deployment::Services => format!("Connect {name} to your Azure DevOps Server instead."),
        },
    )
}

/// Is the sign-in method one the product accepts?
pub fn sign_in(profile: &ProductProfile, method: SignInMethod) -> Restriction {
    let name = &profile.product.name;
    let title = format!("{name} accepts this sign-in");
    if profile.sign_in.methods.contains(&method) {
        let mut message = format!("{name} accepts {}.", method.label().to_lowercase());
        if method != profile.sign_in.recommended {
            message.push_str(&format!(
                " It recommends {}.",
                profile.sign_in.recommended.label().to_lowercase()
            ));
        }
        return Restriction::pass(Rule::SignIn, title, message);
    }
    let accepted: Vec<&str> = profile.sign_in.methods.iter().map(|m| m.label()).collect();
    Restriction::fail(
        Rule::SignIn,
        title,
        Status::Fail,
        CheckCode::InvalidInput,
        (method == SignInMethod::Pat).then_some(Field::Pat),
        format!("{name} does not accept {}.", method.label().to_lowercase()),
        format!(
            "Sign in with one of: {} (recommended: {}).",
            accepted.join(", "),
            profile.sign_in.recommended.label()
        ),
    )
}

/// Does a PAT the product requires to expire have an expiry date? `expires_on` is what the user
/// gave (YYYY-MM-DD), if anything.
pub fn pat_expiry(profile: &ProductProfile, expires_on: Option<&str>) -> Restriction {
    let name = &profile.product.name;
    let title = "PAT expiry date".to_string();
    match (profile.pat_expiry_required, expires_on) {
        (false, _) => Restriction::pass(Rule::PatExpiry, title, format!("{name} does not ask for one.")),
        (true, Some(date)) => Restriction::pass(Rule::PatExpiry, title, format!("The PAT expires on {date}.")),
        (true, None) => Restriction::fail(
            Rule::PatExpiry,
            title,
            Status::Fail,
            CheckCode::InvalidInput,
            Some(Field::Pat),
            format!("{name} asks for a PAT with an expiration date, and none was given."),
            "Enter the date the token expires (it is on the token's page in User settings → Personal access tokens); the wizard reminds you before it does.".into(),
        ),
    }
}

/// Is the server new enough for the product? `max_api_version` is the highest REST version the
/// server serves (`Ok(None)`: it serves 7.0, so 2022 or newer; `Err(())`: not determined).
pub fn server_version(
    profile: &ProductProfile,
    target: &ConnectionTarget,
    max_api_version: Result<Option<&str>, ()>,
) -> Option<Restriction> {
    let min = profile.deployments.min_server_version?;
    if target.deployment() != Deployment::Server {
        return None;
    }
    let name = &profile.product.name;
    let title = format!("{name} supports this Server version");
    let needed_major = match min {
        2022 => 7,
        2020 => 6,
        _ => 5,
    };
    Some(match max_api_version {
        Ok(None) => Restriction::pass(
            Rule::ServerVersion,
            title,
            format!("Azure DevOps Server 2022 or newer; {name} needs {min} or later."),
        ),
        Ok(Some(v)) => {
            let major: u32 = v
                .split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            let product = product_for_max_version(v);
            if major >= needed_major {
                Restriction::pass(
                    Rule::ServerVersion,
                    title,
                    format!("{product}; {name} needs {min} or later."),
                )
            } else {
                Restriction::fail(
                    Rule::ServerVersion,
                    title,
                    Status::Fail,
                    CheckCode::ServerTooOld,
                    Some(Field::ServerUrl),
                    format!("This server is {product} (REST API up to {v}); {name} needs Azure DevOps Server {min} or later."),
                    format!("Upgrade the server to Azure DevOps Server {min} or later before connecting {name}."),
                )
            }
        }
        Err(()) => Restriction {
            status: Status::Skip,
            ..Restriction::pass(
                Rule::ServerVersion,
                title,
                "Not determined: the server's version could not be read (see the checks below)."
                    .into(),
            )
        },
    })
}

/// Why an address cannot be reached from the internet, if it cannot.
pub fn unreachable_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            if v4.is_loopback() {
                Some("a loopback address (this machine only)")
            } else if v4.is_private() {
                Some("a private address (RFC 1918)")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else if v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1]) {
                Some("a carrier-grade NAT address")
            } else if v4.is_unspecified() {
                Some("the unspecified address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return unreachable_reason(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("a loopback address (this machine only)")
            } else if first & 0xfe00 == 0xfc00 {
                Some("a private (unique local) address")
            } else if first & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if v6.is_unspecified() {
                Some("the unspecified address")
            } else {
                None
            }
        }
    }
}

/// What the flows learned about one URL the server calls itself by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrlFact {
    /// The URL (an access mapping's access point, or the URL entered).
    pub url: String,
    /// Its host.
    pub host: String,
    /// The addresses it resolved to here (empty when it did not resolve).
    pub addresses: Vec<IpAddr>,
}

/// Can the product's cloud reach the server? Fails when a public URL is `localhost`, or an IP
/// literal or a name that resolves only to loopback, private or link-local addresses; warns
/// when a name does not resolve here (it may resolve outside).
pub fn reachable_from_outside(
    profile: &ProductProfile,
    target: &ConnectionTarget,
    facts: &[PublicUrlFact],
) -> Option<Restriction> {
    if !profile.deployments.reachable_from_outside || target.deployment() != Deployment::Server {
        return None;
    }
    let name = &profile.product.name;
    let title = format!("Reachable by {name}");
    let why = profile
        .deployments
        .reachable_reason
        .clone()
        .unwrap_or_else(|| format!("{name}'s cloud connects to the server."));
    let fix = format!(
        "Give the server a public URL that {name} can reach (Administration Console → Application Tier → Change Public URL), and allow {name}'s addresses through the firewall. {why}"
    );
    for fact in facts {
        let reason = if fact.host.eq_ignore_ascii_case("localhost")
            || fact.host.to_ascii_lowercase().ends_with(".localhost")
        {
            Some("localhost")
        } else if !fact.addresses.is_empty() {
            let reasons: Vec<&str> = fact
                .addresses
                .iter()
                .filter_map(|ip| unreachable_reason(*ip))
                .collect();
            (reasons.len() == fact.addresses.len()).then(|| reasons[0])
        } else {
            None
        };
        if let Some(reason) = reason {
            return Some(Restriction::fail(
                Rule::ReachableFromOutside,
                title,
                Status::Fail,
                CheckCode::PublicUrlLocalhost,
                Some(Field::ServerUrl),
                format!("The server's public URL {} is {reason}: {name} cannot reach it from the internet.", fact.url),
                fix,
            ));
        }
    }
    if let Some(fact) = facts.iter().find(|f| f.addresses.is_empty()) {
        return Some(Restriction::fail(
            Rule::ReachableFromOutside,
            title,
            Status::Warn,
            CheckCode::PublicUrlLocalhost,
            Some(Field::ServerUrl),
            format!("{} does not resolve from this machine; ADO Connect cannot tell whether {name} can reach it.", fact.url),
            fix,
        ));
    }
    Some(Restriction::pass(
        Rule::ReachableFromOutside,
        title,
        format!("The server's public URLs are public addresses. {why}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn internal_addresses_are_named() {
        let cases: [(IpAddr, Option<&str>); 7] = [
            (
                Ipv4Addr::LOCALHOST.into(),
                Some("a loopback address (this machine only)"),
            ),
            (
                Ipv4Addr::new(10, 1, 2, 3).into(),
                Some("a private address (RFC 1918)"),
            ),
            (
                Ipv4Addr::new(192, 168, 0, 5).into(),
                Some("a private address (RFC 1918)"),
            ),
            (
                Ipv4Addr::new(169, 254, 1, 1).into(),
                Some("a link-local address"),
            ),
            (
                Ipv6Addr::LOCALHOST.into(),
                Some("a loopback address (this machine only)"),
            ),
            ("fe80::1".parse().unwrap(), Some("a link-local address")),
            (Ipv4Addr::new(20, 1, 2, 3).into(), None),
        ];
        for (ip, want) in cases {
            assert_eq!(unreachable_reason(ip), want, "{ip}");
        }
    }
}
