//! The preflight checklist: one [`Check`] per question the wizard answers before it changes
//! anything. Each verdict here is a pure function of facts the flows gathered; none does IO.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::capabilities::Capability;
use crate::checks::{CheckCode, Problem};
use crate::target::{ConnectionTarget, Deployment, Field};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Works, but the user should know something.
    Warn,
    /// Will not work until fixed.
    Fail,
    /// Not run, because an earlier check failed or it does not apply.
    Skip,
}

/// Which question a check answers. Stable ids for the UI's checklist rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckId {
    /// Can we reach the server, and does TLS verify?
    Reachable,
    /// Is the channel encrypted?
    Encryption,
    /// Is the token valid?
    Credentials,
    /// Is the server new enough?
    ServerVersion,
    /// Does the server know its own public URL?
    PublicUrl,
    /// Does the token see any project?
    Resources,
    /// Do the project and repository named exist?
    Named,
    /// Can the token do what this capability needs?
    Capability,
    /// May the token manage service hooks?
    HookPermission,
    /// Were we throttled?
    RateLimit,
}

/// One row of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Which question.
    pub id: CheckId,
    /// For capability rows, which one.
    pub capability: Option<Capability>,
    /// The row's title, e.g. "Server reachable".
    pub title: String,
    /// How it came out.
    pub status: Status,
    /// The stable code, when it did not pass.
    pub code: Option<CheckCode>,
    /// One line: what we found.
    pub message: String,
    /// What to do (empty on pass).
    pub fix: String,
    /// The field at fault, if any.
    pub field: Option<Field>,
    /// A copyable reproduction of the probe, token as `$ADO_PAT`.
    pub curl: Option<String>,
    /// The server's own words.
    pub server_message: Option<String>,
    /// Correlation ids.
    pub support_id: Option<String>,
    /// The product's own code for this failure (DX: `invalid_permissions`), when a product
    /// profile names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
}

impl CheckId {
    /// The row's title as the checklist shows it (a row may name itself more precisely with
    /// [`Check::titled`], e.g. "Named project exists" or a capability's label).
    pub fn title(self) -> &'static str {
        match self {
            CheckId::Reachable => "Server reachable",
            CheckId::Encryption => "Encrypted connection",
            CheckId::Credentials => "Credentials",
            CheckId::ServerVersion => "Server version",
            CheckId::PublicUrl => "Public URL",
            CheckId::Resources => "Projects visible",
            CheckId::Named => "Organization or collection exists",
            CheckId::Capability => "Capability",
            CheckId::HookPermission => "Manage service hooks",
            CheckId::RateLimit => "Rate limits",
        }
    }
}

impl Check {
    /// A passing row.
    pub fn pass(id: CheckId, message: impl Into<String>) -> Check {
        Check {
            id,
            capability: None,
            title: id.title().to_string(),
            status: Status::Pass,
            code: None,
            message: message.into(),
            fix: String::new(),
            field: None,
            curl: None,
            server_message: None,
            support_id: None,
            product_code: None,
        }
    }

    /// A skipped row, saying why.
    pub fn skip(id: CheckId, why: impl Into<String>) -> Check {
        Check {
            status: Status::Skip,
            ..Check::pass(id, why)
        }
    }

    /// A failing (or warning) row from a diagnosed problem.
    pub fn from_problem(id: CheckId, status: Status, problem: Problem) -> Check {
        Check {
            id,
            capability: None,
            title: id.title().to_string(),
            status,
            code: Some(problem.code),
            message: problem.message,
            fix: problem.fix,
            field: problem.field,
            curl: None,
            server_message: problem.server_message,
            support_id: problem.support_id,
            product_code: None,
        }
    }

    /// Sets the product's own code.
    pub fn with_product_code(mut self, code: Option<String>) -> Check {
        self.product_code = code;
        self
    }

    /// Names the row more precisely than its id's title.
    pub fn titled(mut self, title: impl Into<String>) -> Check {
        self.title = title.into();
        self
    }

    /// Sets the capability.
    pub fn for_capability(mut self, capability: Capability) -> Check {
        self.capability = Some(capability);
        self
    }

    /// Sets the curl reproduction.
    pub fn with_curl(mut self, curl: Option<String>) -> Check {
        self.curl = curl;
        self
    }
}

fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `http_insecure`: a plain `http://` server sends the token in the clear. Loopback addresses
/// pass (the token never leaves the machine); anything else fails until the user consents, then
/// warns.
pub fn encryption(target: &ConnectionTarget, consent_to_http: bool) -> Check {
    let url = target.host_url();
    if url.scheme() == "https" {
        return Check::pass(
            CheckId::Encryption,
            "HTTPS: the token is encrypted in transit.",
        );
    }
    if url.host_str().is_some_and(is_loopback_host) {
        return Check::pass(
            CheckId::Encryption,
            "Plain HTTP on this machine's loopback: the token never leaves it.",
        );
    }
    let p = Problem::new(
        CheckCode::HttpInsecure,
        Some(target.host_field()),
        format!("{} uses plain HTTP: the token would travel unencrypted.", url),
        "Use the server's https:// address if it has one (ask its administrator to bind HTTPS in the Administration Console); otherwise confirm that you accept sending the token over plain HTTP.",
    );
    Check::from_problem(
        CheckId::Encryption,
        if consent_to_http {
            Status::Warn
        } else {
            Status::Fail
        },
        p,
    )
}

/// The highest api-version a server said it supports, from the `VssVersionOutOfRangeException`
/// message ("… The latest REST API version this server supports is 6.0.").
pub fn max_version_from_message(message: &str) -> Option<String> {
    let tail = message.split("supports is").nth(1)?;
    let version: String = tail
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.').to_string();
    (!version.is_empty()).then_some(version)
}

/// The product a maximum api-version belongs to (docs `rest-api-versioning`; the spec folders
/// `tfs-4.1`, `azure-devops-server-5.0`, `-6.0`, `-7.0`).
pub fn product_for_max_version(version: &str) -> &'static str {
    match version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
    {
        Some(7) => "Azure DevOps Server 2022",
        Some(6) => "Azure DevOps Server 2020",
        Some(5) => "Azure DevOps Server 2019",
        Some(4) => "Team Foundation Server 2018",
        Some(3) => "Team Foundation Server 2017",
        _ => "an older Team Foundation Server",
    }
}

/// The oldest server ADO Connect supports, and the REST API version it serves: older ones
/// (Team Foundation Server 2018 and before) get `server_too_old`.
pub const OLDEST_SUPPORTED_SERVER: (&str, &str) = ("Azure DevOps Server 2019", "5.0");

/// True when a server whose latest REST API version is `latest` is supported.
pub fn is_supported_version(latest: &str) -> bool {
    let number = |v: &str| -> Option<(u32, u32)> {
        let (major, minor) = v.split('-').next()?.split_once('.')?;
        Some((major.trim().parse().ok()?, minor.trim().parse().ok()?))
    };
    match (number(latest), number(OLDEST_SUPPORTED_SERVER.1)) {
        (Some(found), Some(oldest)) => found >= oldest,
        _ => false,
    }
}

/// What the flows learned of a server's REST API version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerVersionFact {
    /// The newest version the server serves (its resource locations, or its out-of-range
    /// error), e.g. `6.0`.
    Latest(String),
    /// Requests were served, but the server did not say its latest.
    Served,
    /// The server refused a request as out of range without naming a version ADO Connect
    /// supports; its message.
    OutOfRange(Option<String>),
    /// Not determined: the request that would have told failed for another reason.
    Unknown,
}

/// `server_too_old`: naming the version found (when known) and the oldest supported.
pub fn server_too_old(
    target: &ConnectionTarget,
    latest: Option<&str>,
    server_message: Option<String>,
) -> Problem {
    let (oldest, oldest_api) = OLDEST_SUPPORTED_SERVER;
    let found = match latest {
        Some(v) => format!(
            "This server is {} (REST API up to {v}).",
            product_for_max_version(v)
        ),
        None => "This server refused every REST API version ADO Connect speaks.".to_string(),
    };
    let mut p = Problem::new(
        CheckCode::ServerTooOld,
        Some(target.host_field()),
        format!("{found} ADO Connect supports {oldest} (REST API {oldest_api}) and newer."),
        format!("Upgrade the server to {oldest} or newer (Azure DevOps Server 2022 is current)."),
    );
    p.server_message = server_message;
    p
}

/// `server_too_old` or a pass: the server version row of the checklist. Every request goes at
/// the highest version both sides know, so any supported release passes and says which it is.
pub fn server_version(target: &ConnectionTarget, fact: &ServerVersionFact) -> Check {
    if target.deployment() == Deployment::Services {
        return match fact {
            ServerVersionFact::OutOfRange(message) => Check::from_problem(
                CheckId::ServerVersion,
                Status::Fail,
                server_too_old(target, None, message.clone()),
            ),
            _ => Check::pass(
                CheckId::ServerVersion,
                "Azure DevOps Services: always current.",
            ),
        };
    }
    match fact {
        ServerVersionFact::Latest(v) if !is_supported_version(v) => Check::from_problem(
            CheckId::ServerVersion,
            Status::Fail,
            server_too_old(target, Some(v), None),
        ),
        ServerVersionFact::Latest(v) => Check::pass(
            CheckId::ServerVersion,
            format!(
                "{}, serving REST API up to {v}: each request goes at the highest version both sides know.",
                product_for_max_version(v)
            ),
        ),
        ServerVersionFact::Served => Check::pass(
            CheckId::ServerVersion,
            "Serves REST API 7.0: Azure DevOps Server 2022 or newer.",
        ),
        ServerVersionFact::OutOfRange(message) => {
            let latest = message.as_deref().and_then(max_version_from_message);
            Check::from_problem(
                CheckId::ServerVersion,
                Status::Fail,
                server_too_old(target, latest.as_deref(), message.clone()),
            )
        }
        ServerVersionFact::Unknown => Check::pass(
            CheckId::ServerVersion,
            "Not determined: listing projects failed (see below).",
        ),
    }
}

/// `public_url_localhost`: URLs the server hands out must point where the user connects.
///
/// `entered` is the URL the user typed (organization or collection URL); `returned` are URLs the
/// server put in its answers (access mappings, `url`, `remoteUrl`). A returned URL on localhost
/// (or 127.0.0.1, ::1) that is not where the user connects fails; another host warns (it may be
/// an alias, but clones and service-hook links will use it).
pub fn public_url(target: &ConnectionTarget, entered: &Url, returned: &[String]) -> Check {
    let key = |u: &Url| {
        (
            u.host_str().unwrap_or_default().to_ascii_lowercase(),
            u.port_or_known_default(),
        )
    };
    let entered_key = key(entered);
    let mut localhost: Option<String> = None;
    let mut other: Option<String> = None;
    for raw in returned {
        let Ok(url) = Url::parse(raw) else { continue };
        if key(&url) == entered_key {
            continue;
        }
        if url.host_str().is_some_and(is_loopback_host) {
            localhost.get_or_insert_with(|| raw.clone());
        } else {
            other.get_or_insert_with(|| raw.clone());
        }
    }
    let admin_fix = "On the server, open the Azure DevOps Server Administration Console → Application Tier → Change Public URL, and set it to the address users reach (e.g. https://tfs.contoso.com/tfs); or run TFSConfig Settings /ServerURL:….";
    match (localhost, other) {
        (Some(url), _) => Check::from_problem(CheckId::PublicUrl, Status::Fail, Problem::new(
                CheckCode::PublicUrlLocalhost,
                Some(target.host_field()),
                format!("The server calls itself {url}: links, clone URLs and webhook payloads will point at localhost."),
                admin_fix,
            )),
        (None, Some(url)) => Check::from_problem(CheckId::PublicUrl, Status::Warn, Problem::new(
                CheckCode::PublicUrlLocalhost,
                Some(target.host_field()),
                format!("The server calls itself {url}, not {entered}: links it hands out use that address."),
                format!("If {url} is not reachable by your users, change the public URL: {admin_fix}"),
            )),
        (None, None) => Check::pass(CheckId::PublicUrl, format!("The server's URLs match {entered}.")),
    }
}

/// The checklist as Markdown, for "Save report" and support tickets. The token never appears:
/// reproductions carry `$ADO_PAT`.
pub fn to_markdown(title: &str, target_url: &str, checks: &[Check]) -> String {
    let mut md = format!(
        "# {title}\n\nTarget: `{target_url}`\n\n| Status | Check | Result |\n| --- | --- | --- |\n"
    );
    for c in checks {
        let status = match c.status {
            Status::Pass => "pass",
            Status::Warn => "**warn**",
            Status::Fail => "**FAIL**",
            Status::Skip => "skip",
        };
        let code = c.code.map(|code| format!(" `{code}`")).unwrap_or_default();
        md.push_str(&format!(
            "| {status} | {}{code} | {} |\n",
            cell(&c.title),
            cell(&c.message)
        ));
    }
    let problems: Vec<&Check> = checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .collect();
    if !problems.is_empty() {
        md.push_str("\n## What to do\n");
        for c in problems {
            md.push_str(&format!(
                "\n### {}{}\n\n{}\n\n**Fix:** {}\n",
                c.title,
                c.code
                    .map(|code| format!(" (`{code}`)"))
                    .unwrap_or_default(),
                c.message,
                c.fix
            ));
            if let Some(server) = &c.server_message {
                md.push_str(&format!("\nThe server said: {server}\n"));
            }
            if let Some(support) = &c.support_id {
                md.push_str(&format!("\nSupport ids: {support}\n"));
            }
            if let Some(curl) = &c.curl {
                md.push_str(&format!(
                    "\nReproduce (set `ADO_PAT` first):\n\n```sh\n{curl}\n```\n"
                ));
            }
        }
    }
    md
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::TargetInput;

    fn server(url: &str) -> ConnectionTarget {
        TargetInput {
            deployment: Some(Deployment::Server),
            server_url: url.into(),
            collection: "DefaultCollection".into(),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[test]
    fn http_needs_consent_except_on_loopback() {
        assert_eq!(
            encryption(&server("https://tfs/tfs"), false).status,
            Status::Pass
        );
        assert_eq!(
            encryption(&server("http://127.0.0.1:8080/tfs"), false).status,
            Status::Pass
        );
        let refused = encryption(&server("http://tfs:8080/tfs"), false);
        assert_eq!(
            (refused.status, refused.code),
            (Status::Fail, Some(CheckCode::HttpInsecure))
        );
        assert_eq!(
            encryption(&server("http://tfs:8080/tfs"), true).status,
            Status::Warn
        );
    }

    #[test]
    fn the_out_of_range_message_names_the_maximum() {
        let m = "The requested REST API version of 7.0 is out of range for this server. The latest REST API version this server supports is 4.1.";
        assert_eq!(max_version_from_message(m).as_deref(), Some("4.1"));
        let check = server_version(
            &server("https://tfs/tfs"),
            &ServerVersionFact::OutOfRange(Some(m.into())),
        );
        assert_eq!(check.code, Some(CheckCode::ServerTooOld));
        assert_eq!(
            check.message,
            "This server is Team Foundation Server 2018 (REST API up to 4.1). ADO Connect supports Azure DevOps Server 2019 (REST API 5.0) and newer."
        );
    }

    #[test]
    fn servers_2019_and_2020_pass_and_say_which_they_are() {
        for (latest, product) in [
            ("5.0", "Azure DevOps Server 2019"),
            ("6.0", "Azure DevOps Server 2020"),
            ("7.0", "Azure DevOps Server 2022"),
        ] {
            let check = server_version(
                &server("https://tfs/tfs"),
                &ServerVersionFact::Latest(latest.into()),
            );
            assert_eq!(check.status, Status::Pass, "{latest}");
            assert!(check.message.starts_with(product), "{}", check.message);
        }
        let old = server_version(
            &server("https://tfs/tfs"),
            &ServerVersionFact::Latest("4.1".into()),
        );
        assert_eq!(old.code, Some(CheckCode::ServerTooOld));
        assert!(is_supported_version("5.0") && is_supported_version("7.1-preview"));
        assert!(!is_supported_version("4.1") && !is_supported_version("junk"));
    }

    #[test]
    fn localhost_public_url_fails_and_other_hosts_warn() {
        let target = server("https://tfs.contoso.com/tfs");
        let entered = target.api_base();
        let fail = public_url(&target, &entered, &["http://localhost:8080/tfs/".into()]);
        assert_eq!(
            (fail.status, fail.code),
            (Status::Fail, Some(CheckCode::PublicUrlLocalhost))
        );
        let warn = public_url(
            &target,
            &entered,
            &["https://tfs-old.contoso.com/tfs/".into()],
        );
        assert_eq!(warn.status, Status::Warn);
        let pass = public_url(
            &target,
            &entered,
            &["https://tfs.contoso.com/tfs/DefaultCollection/_apis/projects/1".into()],
        );
        assert_eq!(pass.status, Status::Pass);
    }

    #[test]
    fn markdown_report_lists_fixes_and_reproductions() {
        let target = server("https://tfs/tfs");
        let mut failing = encryption(&server("http://tfs:8080/tfs"), false);
        failing.curl = Some("curl -u \":$ADO_PAT\" 'http://tfs:8080/tfs/x'".into());
        let md = to_markdown(
            "ADO Connect preflight",
            target.api_base().as_str(),
            &[encryption(&target, false), failing],
        );
        assert!(md.contains("| pass | Encrypted connection |"), "{md}");
        assert!(
            md.contains("**FAIL** | Encrypted connection `http_insecure`"),
            "{md}"
        );
        assert!(md.contains("```sh\ncurl -u \":$ADO_PAT\""), "{md}");
    }

    #[test]
    fn a_sandbox_on_loopback_with_a_wrong_port_fails() {
        let target = server("http://127.0.0.1:40123/tfs");
        let check = public_url(
            &target,
            &target.api_base(),
            &["http://localhost:8080/tfs/".into()],
        );
        assert_eq!(check.status, Status::Fail);
    }
}
