//! A profile's restrictions as verdicts: facts the flows gathered in, one [`Restriction`] per
//! rule out. Refusals that need no request (deployment, sign-in method, PAT expiry) come first,
//! so nothing is sent to a server the product cannot use.

use std::net::IpAddr;

use serde::Serialize;

use super::{ProductProfile, SignInMethod, VerifyCall};
use crate::capabilities::Scope;
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
    /// The product takes a server URL without a path.
    BareServerUrl,
    /// Each connector's token belongs to its own identity.
    SameIdentity,
    /// The credentials given: one per connector where the product asks for that.
    Credentials,
    /// The details the hand-off needs (a project, a repository).
    Details,
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

/// Is the sign-in method one the product accepts on this deployment?
pub fn sign_in(
    profile: &ProductProfile,
    deployment: Deployment,
    method: SignInMethod,
) -> Restriction {
    let name = &profile.product.name;
    let rule = profile.sign_in_for(deployment);
    let title = format!("{name} accepts this sign-in");
    let on = if profile.sign_in_services.is_some() || profile.sign_in_server.is_some() {
        format!(" on {}", deployment.display_name())
    } else {
        String::new()
    };
    if rule.methods.contains(&method) {
        let mut message = format!("{name} accepts this sign-in{on}: {}.", method.label());
        if method != rule.recommended {
            message.push_str(&format!(" It recommends: {}.", rule.recommended.label()));
        }
        return Restriction::pass(Rule::SignIn, title, message);
    }
    let accepted: Vec<&str> = rule.methods.iter().map(|m| m.label()).collect();
    Restriction::fail(
        Rule::SignIn,
        title,
        Status::Fail,
        CheckCode::InvalidInput,
        (method == SignInMethod::Pat).then_some(Field::Pat),
        format!(
            "{name} does not accept this sign-in{on}: {}.",
            method.label()
        ),
        format!(
            "Sign in with one of: {} (recommended: {}).{}",
            accepted.join(", "),
            rule.recommended.label(),
            if deployment == Deployment::Services
                && rule.methods.contains(&SignInMethod::Pat)
                && matches!(method, SignInMethod::Browser | SignInMethod::DeviceCode)
            {
                " Or keep this Microsoft sign-in and let ADO Connect create the PAT: \"Create the tokens for me\" in the product's step, or `ado-connect-cli mint`."
            } else {
                ""
            }
        ),
    )
}

/// Whether `date` is a real calendar date written `YYYY-MM-DD`.
fn is_iso_date(date: &str) -> bool {
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && crate::target::validate_date(date).is_ok()
}

/// A PAT's expiry date: one the user gave must be a real date (`YYYY-MM-DD`) and not before
/// `today` (`YYYY-MM-DD`, passed in), whether or not the product asks for one; a product that
/// requires one fails without it.
pub fn pat_expiry(profile: &ProductProfile, expires_on: Option<&str>, today: &str) -> Restriction {
    let name = &profile.product.name;
    let title = "PAT expiry date".to_string();
    let fail = |code, message: String, fix: &str| {
        Restriction::fail(
            Rule::PatExpiry,
            title.clone(),
            Status::Fail,
            code,
            Some(Field::Pat),
            message,
            fix.to_string(),
        )
    };
    match expires_on.map(str::trim) {
        Some(date) if !is_iso_date(date) => fail(
            CheckCode::InvalidInput,
            format!("The expiry date {date:?} is not a date written YYYY-MM-DD."),
            "Enter the date the token expires as year-month-day, e.g. 2027-01-31 (it is on the token's page in User settings → Personal access tokens).",
        ),
        Some(date) if date < today => fail(
            CheckCode::TokenExpired,
            format!("The PAT expired on {date}."),
            "Create a new PAT (User settings → Personal access tokens) with an expiry date in the future, then enter it and its date.",
        ),
        Some(date) => Restriction::pass(Rule::PatExpiry, title, format!("The PAT expires on {date}.")),
        None if profile.pat_expiry_required => fail(
            CheckCode::InvalidInput,
            format!("{name} asks for a PAT with an expiration date, and none was given."),
            "Enter the date the token expires (it is on the token's page in User settings → Personal access tokens); the wizard reminds you before it does.",
        ),
        None => Restriction::pass(Rule::PatExpiry, title, format!("{name} does not ask for one.")),
    }
}

/// Can the product describe this server? A product whose form takes a server URL without a
/// path plus a collection (`deployments.bare_server_url`, Appcircle) calls
/// `https://host/{collection}/_apis/…`, which misses a collection under a virtual directory
/// (`https://host/tfs/{collection}`). `None` when the rule does not apply.
pub fn bare_server_url(profile: &ProductProfile, target: &ConnectionTarget) -> Option<Restriction> {
    if !profile.deployments.bare_server_url {
        return None;
    }
    let ConnectionTarget::Server { server_url, .. } = target else {
        return None;
    };
    let name = &profile.product.name;
    let title = format!("{name} can reach the collection from a server URL without a path");
    let mut origin = format!(
        "{}://{}",
        server_url.scheme(),
        server_url.host_str().unwrap_or_default()
    );
    if let Some(port) = server_url.port() {
        origin.push_str(&format!(":{port}"));
    }
    let real = target.api_base().as_str().trim_end_matches('/').to_string();
    let collection = real.rsplit('/').next().unwrap_or_default().to_string();
    let directory = server_url.path().trim_end_matches('/');
    if directory.is_empty() {
        return Some(Restriction::pass(
            Rule::BareServerUrl,
            title,
            format!("The collection sits at the server's root ({real}), as {name}'s form expects."),
        ));
    }
    Some(Restriction::fail(
        Rule::BareServerUrl,
        title,
        Status::Fail,
        CheckCode::InvalidInput,
        Some(Field::ServerUrl),
        format!("{name}'s form takes the server URL without a path and the collection, so it would call {origin}/{collection}/_apis/…; this collection is at {real}, under the virtual directory {directory}."),
        format!("Serve the collection at the server's root: in the Azure DevOps Server Administration Console → Application Tier, change the virtual directory to \"/\", or put a reverse proxy in front that maps {origin}/ to {directory}/; or follow {name}'s own instructions for servers under a virtual directory."),
    ))
}

/// Do two connectors' tokens belong to the same identity? `tokens` are (connector label,
/// identity id, display name), as the flows read them from `connectionData`. `None` unless the
/// product wants one token per connector (`[pat] one_per_connector`).
pub fn same_identity(
    profile: &ProductProfile,
    tokens: &[(String, String, String)],
) -> Option<Restriction> {
    if !profile.pat_one_per_connector {
        return None;
    }
    let name = &profile.product.name;
    let title = "One identity per connector".to_string();
    let mut shared = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (_, id, display) in tokens {
        if seen.contains(&id.as_str()) {
            continue;
        }
        seen.push(id);
        let mut connectors: Vec<&str> = Vec::new();
        for (label, other, _) in tokens {
            if other == id && !connectors.contains(&label.as_str()) {
                connectors.push(label);
            }
        }
        if connectors.len() > 1 {
            shared.push(format!(
                "{} use tokens of the same identity, {display} ({id})",
                connectors.join(" and ")
            ));
        }
    }
    if shared.is_empty() {
        return Some(Restriction::pass(
            Rule::SameIdentity,
            title,
            "Each connector's tokens belong to its own identity.".into(),
        ));
    }
    Some(Restriction::fail(
        Rule::SameIdentity,
        title,
        Status::Warn,
        CheckCode::RateLimited,
        Some(Field::Pat),
        format!(
            "{}; {name} asks for a separate service account per connector.",
            shared.join("; ")
        ),
        "Give each connector its own service account and PAT (rate limits are per identity)."
            .into(),
    ))
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

/// What one of the product's own verification calls (`[verification]`) got, as the flows saw
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    /// A 2xx answer.
    Ok {
        /// For a list (`{count, value}`), how many items it held.
        items: Option<usize>,
        /// The first of the call's `forbid_text` found in the answer, if any.
        forbidden_found: Option<String>,
    },
    /// Another HTTP status.
    Http {
        /// The status.
        status: u16,
        /// Whether the same token passed `connectionData` (it signs in): a 401 then means a
        /// missing scope, not a bad token.
        token_valid: bool,
    },
    /// Any other failure, already diagnosed (transport, TLS, a response too large, …).
    Failed(Problem),
    /// Not made, and why (no project to fill `{project_id}` in, an earlier failure, …).
    Skipped(String),
}

/// The verdict on one verification call: ADO Connect's code, and the product's own where its
/// profile names one (DX: `invalid_permissions` for a 403).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallVerdict {
    /// The call's title.
    pub title: String,
    /// Pass, warn, fail or skip.
    pub status: Status,
    /// ADO Connect's stable code when it did not pass.
    pub code: Option<CheckCode>,
    /// The product's own code for it (`verification.codes`), when it names one.
    pub product_code: Option<String>,
    /// What happened, naming the call.
    pub message: String,
    /// What to do (empty on pass).
    pub fix: String,
    /// The field at fault.
    pub field: Option<Field>,
}

/// The scope Azure DevOps wants for a call, as far as its path tells.
fn scope_for_call(call: &VerifyCall) -> Option<Scope> {
    let path = call.path.to_ascii_lowercase();
    let id = if call.host.as_deref() == Some("vssps") && path.contains("_apis/graph") {
        "vso.graph"
    } else if path.contains("_apis/identities") {
        "vso.identity"
    } else if path.contains("_apis/git/") || path.ends_with("_apis/git/repositories") {
        "vso.code"
    } else if path.contains("_apis/build/") {
        "vso.build"
    } else if path.contains("_apis/wit/") {
        "vso.work"
    } else if path.contains("_apis/release") {
        "vso.release"
    } else if path.contains("_apis/distributedtask/taskgroups") {
        "vso.taskgroups_read"
    } else if path.starts_with("_apis/projects") {
        "vso.project"
    } else {
        return None;
    };
    super::known_scope(id)
}

/// Judges one of the product's verification calls.
pub fn call_outcome(
    profile: &ProductProfile,
    call: &VerifyCall,
    outcome: CallOutcome,
) -> CallVerdict {
    let name = &profile.product.name;
    let codes = profile.verification.as_ref().map(|v| &v.codes);
    let what = format!(
        "{name}'s call “{}” (GET {}, api-version {})",
        call.title, call.path, call.api_version
    );
    let scope = scope_for_call(call);
    let scope_words = scope.map_or("the scopes in the scope table".to_string(), |s| {
        format!("{} ({})", s.pat_label, s.id)
    });
    let verdict = |status,
                   code: Option<CheckCode>,
                   product_code: Option<&Option<String>>,
                   message: String,
                   fix: String| CallVerdict {
        title: call.title.clone(),
        status,
        code,
        product_code: product_code.and_then(Clone::clone),
        message,
        fix,
        field: code
            .filter(|c| {
                matches!(
                    c,
                    CheckCode::InvalidCredentials | CheckCode::InvalidPermissions
                )
            })
            .map(|_| Field::Pat),
    };
    match outcome {
        CallOutcome::Skipped(why) => verdict(Status::Skip, None, None, format!("{what} was not made: {why}"), String::new()),
        CallOutcome::Failed(p) => CallVerdict {
            field: p.field,
            ..verdict(Status::Fail, Some(p.code), None, format!("{what} failed: {}", p.message), p.fix)
        },
        CallOutcome::Ok { forbidden_found: Some(text), .. } => {
            let localhost = text.to_ascii_lowercase().contains("localhost");
            let fix = if localhost {
                format!("Set the server's public URL to the address {name} reaches (Azure DevOps Server Administration Console → Application Tier → Change Public URL), then verify again.")
            } else {
                format!("{name} treats an answer that mentions {text:?} as a misconfigured server; correct what the server reports and verify again.")
            };
            CallVerdict {
                field: Some(Field::ServerUrl),
                ..verdict(
                    Status::Fail,
                    Some(if localhost { CheckCode::PublicUrlLocalhost } else { CheckCode::Unexpected }),
                    None,
                    format!("{what} answered, but the answer mentions {text:?}."),
                    fix,
                )
            }
        }
        CallOutcome::Ok { items: Some(0), .. } if call.expect_items => verdict(
            Status::Fail,
            Some(CheckCode::NoResources),
            codes.map(|c| &c.no_resources),
            format!("{what} answered with an empty list: the token sees nothing there."),
            "Give the token's identity access to the projects and repositories the product should read (Project settings → Permissions), or sign in as an identity that has it.".into(),
        ),
        CallOutcome::Ok { items, .. } => verdict(
            Status::Pass,
            None,
            None,
            match items {
                Some(n) => format!("{what} answered with {n} item{}.", if n == 1 { "" } else { "s" }),
                None => format!("{what} answered."),
            },
            String::new(),
        ),
        CallOutcome::Http { status: 401, token_valid: true } => verdict(
            Status::Fail,
            Some(CheckCode::InvalidPermissions),
            codes.map(|c| &c.unauthorized),
            format!("{what} was refused with 401 although the same token signs in: Azure DevOps answers 401 when a PAT lacks the scope an API needs."),
            format!("Create the PAT with {scope_words} (and the other scopes {name} lists for it), then enter the new token."),
        ),
        CallOutcome::Http { status: 401, .. } => verdict(
            Status::Fail,
            Some(CheckCode::InvalidCredentials),
            codes.map(|c| &c.unauthorized),
            format!("{what} was refused with 401: the token is not valid (mistyped, revoked or expired)."),
            "Paste the token again, or create a new one (User settings → Personal access tokens).".into(),
        ),
        CallOutcome::Http { status: 403, .. } => verdict(
            Status::Fail,
            Some(CheckCode::InvalidPermissions),
            codes.map(|c| &c.forbidden),
            format!("{what} was refused with 403: the token lacks a permission or scope for it."),
            format!("Give the token {scope_words}, and its identity the permission to read there (Project settings → Permissions)."),
        ),
        CallOutcome::Http { status: 404, .. } => verdict(
            Status::Fail,
            Some(CheckCode::NotFound),
            codes.map(|c| &c.no_resources),
            format!("{what} answered 404: what it asks for does not exist, or the token cannot see it."),
            "Check the organization or collection, project and repository chosen, and that the token's identity can see them.".into(),
        ),
        CallOutcome::Http { status: 429, .. } => verdict(
            Status::Warn,
            Some(CheckCode::RateLimited),
            None,
            format!("{what} was throttled (429)."),
            "Wait a minute and verify again; give each connector its own identity if the product makes many calls.".into(),
        ),
        CallOutcome::Http { status, .. } => verdict(
            Status::Fail,
            Some(CheckCode::Unexpected),
            None,
            format!("{what} answered HTTP {status}."),
            "Try again; if it persists, run the call's curl reproduction and look at the server's answer.".into(),
        ),
    }
}
