//! Fault rules: which requests (a request kind, a path pattern, a method) get which fault.
//!
//! A rule is chosen at startup (`--fault KIND=FAULT`, [`crate::Faults::rules`]) or at run time
//! ([`crate::Emulator::set_faults`], `POST /_emulator/faults`). The text form, shared by the
//! flag and [`FaultRule::from_str`], is `TARGET=FAULT[;option=value…]`:
//!
//! - `TARGET`: a [`RequestKind`] name (`projects`, `hooksCreate`, `token`, …), `any`, or
//!   `path:PATTERN` (case-insensitive, `*` matches any run of characters), optionally preceded
//!   by a method: `DELETE path:*/_apis/hooks/subscriptions/*`.
//! - `FAULT`: an HTTP status (`401`, `403`, `404`, `407`, `429`, `500`, `503`, `203`, `302`, any
//!   other from 400 to 599) or `reset`, `truncated`, `hugeBody`, `hang`, `close`, `refuse`.
//! - options: `times=N` (hit N matching requests, then pass; default every one), `skip=N` (let
//!   the first N matching requests through), `percent=P` (hit P% of them, seeded), `retryAfter=S|none` (429), `bytes=N` and
//!   `declareLength=true` (hugeBody), `forMs=N` (refuse).
//!
//! Written by hand: the grammar is four words and a few options; a parser library would be
//! larger than it.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a request asks for, as the fault rules name it. Names are camelCase on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum RequestKind {
    /// `GET _apis/connectionData`.
    ConnectionData,
    /// `OPTIONS _apis[/{area}]`.
    Locations,
    /// `GET _apis/ResourceAreas[/{id}]`.
    ResourceAreas,
    /// `GET _apis/projects`.
    Projects,
    /// `GET _apis/projects/{idOrName}`.
    Project,
    /// `GET [{project}/]_apis/git/repositories`.
    Repositories,
    /// `GET [{project}/]_apis/git/repositories/{idOrName}`.
    Repository,
    /// `GET … _apis/git/[repositories/{repo}/]pullrequests` (a preflight probe).
    PullRequests,
    /// `GET [{project}/]_apis/git/repositories/{repo}/commits`.
    Commits,
    /// `GET [{project}/]_apis/git/repositories/{repo}/pullRequests/{id}/commits`.
    PullRequestCommits,
    /// `GET [{project}/]_apis/build/builds` (a preflight probe).
    Builds,
    /// `GET [{project}/]_apis/wit/workitemtypes` (a preflight probe).
    WorkItemTypes,
    /// `POST _apis/security/permissionevaluationbatch` (a preflight probe).
    PermissionEvaluation,
    /// `GET _apis/hooks/subscriptions`.
    HooksList,
    /// `POST _apis/hooks/subscriptions`.
    HooksCreate,
    /// `GET _apis/hooks/subscriptions/{id}`.
    HooksGet,
    /// `PUT _apis/hooks/subscriptions/{id}`.
    HooksUpdate,
    /// `DELETE _apis/hooks/subscriptions/{id}`.
    HooksDelete,
    /// `POST _apis/hooks/subscriptionsquery`.
    HooksQuery,
    /// `POST _apis/hooks/testnotifications`.
    HooksTest,
    /// Any other `_apis/hooks/…` request (notifications, publishers, consumers).
    HooksOther,
    /// Entra `POST /{tenant}/oauth2/v2.0/token`.
    Token,
    /// Entra `/{tenant}/oauth2/v2.0/authorize`.
    Authorize,
    /// Entra `POST /{tenant}/oauth2/v2.0/devicecode`.
    DeviceCode,
    /// Entra `/devicelogin`.
    DeviceLogin,
    /// Entra `…/.well-known/openid-configuration` and `…/discovery/v2.0/keys`.
    EntraDiscovery,
    /// Anything else.
    Other,
}

impl RequestKind {
    /// Every kind, for error messages and docs.
    pub const ALL: [RequestKind; 27] = [
        RequestKind::ConnectionData,
        RequestKind::Locations,
        RequestKind::ResourceAreas,
        RequestKind::Projects,
        RequestKind::Project,
        RequestKind::Repositories,
        RequestKind::Repository,
        RequestKind::PullRequests,
        RequestKind::Commits,
        RequestKind::PullRequestCommits,
        RequestKind::Builds,
        RequestKind::WorkItemTypes,
        RequestKind::PermissionEvaluation,
        RequestKind::HooksList,
        RequestKind::HooksCreate,
        RequestKind::HooksGet,
        RequestKind::HooksUpdate,
        RequestKind::HooksDelete,
        RequestKind::HooksQuery,
        RequestKind::HooksTest,
        RequestKind::HooksOther,
        RequestKind::Token,
        RequestKind::Authorize,
        RequestKind::DeviceCode,
        RequestKind::DeviceLogin,
        RequestKind::EntraDiscovery,
        RequestKind::Other,
    ];

    /// The wire name, e.g. `hooksCreate`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::ConnectionData => "connectionData",
            RequestKind::Locations => "locations",
            RequestKind::ResourceAreas => "resourceAreas",
            RequestKind::Projects => "projects",
            RequestKind::Project => "project",
            RequestKind::Repositories => "repositories",
            RequestKind::Repository => "repository",
            RequestKind::PullRequests => "pullRequests",
            RequestKind::Commits => "commits",
            RequestKind::PullRequestCommits => "pullRequestCommits",
            RequestKind::Builds => "builds",
            RequestKind::WorkItemTypes => "workItemTypes",
            RequestKind::PermissionEvaluation => "permissionEvaluation",
            RequestKind::HooksList => "hooksList",
            RequestKind::HooksCreate => "hooksCreate",
            RequestKind::HooksGet => "hooksGet",
            RequestKind::HooksUpdate => "hooksUpdate",
            RequestKind::HooksDelete => "hooksDelete",
            RequestKind::HooksQuery => "hooksQuery",
            RequestKind::HooksTest => "hooksTest",
            RequestKind::HooksOther => "hooksOther",
            RequestKind::Token => "token",
            RequestKind::Authorize => "authorize",
            RequestKind::DeviceCode => "deviceCode",
            RequestKind::DeviceLogin => "deviceLogin",
            RequestKind::EntraDiscovery => "entraDiscovery",
            RequestKind::Other => "other",
        }
    }

    /// Whether the kind is one of Entra's endpoints (not Azure DevOps').
    pub fn is_entra(self) -> bool {
        matches!(
            self,
            RequestKind::Token
                | RequestKind::Authorize
                | RequestKind::DeviceCode
                | RequestKind::DeviceLogin
                | RequestKind::EntraDiscovery
        )
    }

    /// Classifies a request by method and path (case-insensitive, percent-decoded segments).
    pub fn classify(method: &str, path: &str) -> RequestKind {
        let lower: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .to_ascii_lowercase()
            })
            .collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let method = method.to_ascii_uppercase();
        match lower.as_slice() {
            ["devicelogin"] => return RequestKind::DeviceLogin,
            [_, "oauth2", "v2.0", "authorize"] => return RequestKind::Authorize,
            [_, "oauth2", "v2.0", "token"] => return RequestKind::Token,
            [_, "oauth2", "v2.0", "devicecode"] => return RequestKind::DeviceCode,
            [_, "v2.0", ".well-known", "openid-configuration"]
            | [_, "discovery", "v2.0", "keys"] => return RequestKind::EntraDiscovery,
            _ => {}
        }
        let Some(apis) = lower.iter().position(|s| *s == "_apis") else {
            return RequestKind::Other;
        };
        if method == "OPTIONS" {
            return RequestKind::Locations;
        }
        let post = method == "POST";
        match &lower[apis + 1..] {
            ["connectiondata"] => RequestKind::ConnectionData,
            ["resourceareas", ..] => RequestKind::ResourceAreas,
            ["projects"] => RequestKind::Projects,
            ["projects", _] => RequestKind::Project,
            ["git", "repositories"] => RequestKind::Repositories,
            ["git", "repositories", _] => RequestKind::Repository,
            ["git", "pullrequests"] | ["git", "repositories", _, "pullrequests"] => {
                RequestKind::PullRequests
            }
            ["git", "repositories", _, "commits"] => RequestKind::Commits,
            ["git", "repositories", _, "pullrequests", _, "commits"] => {
                RequestKind::PullRequestCommits
            }
            ["build", "builds"] => RequestKind::Builds,
            ["wit", "workitemtypes"] => RequestKind::WorkItemTypes,
            ["security", "permissionevaluationbatch"] => RequestKind::PermissionEvaluation,
            ["hooks", "subscriptions"] if post => RequestKind::HooksCreate,
            ["hooks", "subscriptions"] => RequestKind::HooksList,
            ["hooks", "subscriptions", _] => match method.as_str() {
                "DELETE" => RequestKind::HooksDelete,
                "PUT" => RequestKind::HooksUpdate,
                _ => RequestKind::HooksGet,
            },
            ["hooks", "subscriptionsquery"] => RequestKind::HooksQuery,
            ["hooks", "testnotifications"] => RequestKind::HooksTest,
            ["hooks", ..] => RequestKind::HooksOther,
            _ => RequestKind::Other,
        }
    }
}

impl FromStr for RequestKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = RequestKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown request kind {s:?}; use any, path:PATTERN or one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Default size of [`Fault::HugeBody`]: 50 MiB.
pub const HUGE_BODY_BYTES: u64 = 50 * 1024 * 1024;

fn one() -> Option<u64> {
    Some(1)
}

fn huge() -> u64 {
    HUGE_BODY_BYTES
}

/// What happens to a matching request. JSON: `{"fault": "status", "status": 429, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "fault",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Fault {
    /// An HTTP status answered the way Azure DevOps (or Entra, on its endpoints) answers it:
    /// `401` TF400813 + `WWW-Authenticate`; `203` the HTML sign-in page; `302` to `/_signin`;
    /// `403` AccessCheckException; `404` a VSS not-found; `407` an HTML proxy page with
    /// `Proxy-Authenticate`; `429` TF400733 (+ `Retry-After` unless `retryAfterSecs` is
    /// `null`); `5xx` TF400898; any other a VSS error with that status.
    Status {
        /// 203, 302 or 400–599.
        status: u16,
        /// `429` only: `Retry-After` seconds; `null` for none. Default 1.
        #[serde(default = "one")]
        retry_after_secs: Option<u64>,
    },
    /// The real answer's status and headers (with its full `Content-Length`), half its body,
    /// then a TCP reset.
    Reset,
    /// The real answer's status and headers, the body cut in half (`Content-Length` of what is
    /// sent): well-formed HTTP, malformed JSON.
    Truncated,
    /// `200` JSON of `bytes` bytes (`{"count":0,"value":[],"padding":"xxx…"}`), chunked unless
    /// `declareLength`.
    HugeBody {
        /// Body size. Default 50 MiB.
        #[serde(default = "huge")]
        bytes: u64,
        /// Send `Content-Length` (else chunked, so a client must count).
        #[serde(default)]
        declare_length: bool,
    },
    /// Reads the request and never answers (until the client gives up or the emulator stops).
    Hang,
    /// Closes the connection without writing a byte of an answer (TCP reset).
    Close,
    /// Answers this request normally with `Connection: close`, then stops listening: every
    /// later connection is refused (`ECONNREFUSED`) for `forMs`, or until the faults change.
    /// A TCP refusal happens before any request is seen, so "refused on request K" is armed
    /// on the request before K.
    Refuse {
        /// How long to refuse; `None`: until [`crate::Emulator::set_faults`] (over HTTP, the
        /// control endpoints cannot be reached while refusing: give `forMs`).
        #[serde(default)]
        for_ms: Option<u64>,
    },
}

impl Fault {
    /// A short name for logs and the request log: `status 429`, `reset`, `hugeBody`, ….
    pub(crate) fn name(&self) -> String {
        match self {
            Fault::Status { status, .. } => format!("status {status}"),
            Fault::Reset => "reset".into(),
            Fault::Truncated => "truncated".into(),
            Fault::HugeBody { .. } => "hugeBody".into(),
            Fault::Hang => "hang".into(),
            Fault::Close => "close".into(),
            Fault::Refuse { .. } => "refuse".into(),
        }
    }
}

/// Which requests a rule hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// A request kind; `None` with no `path`: every request (Azure DevOps and Entra).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RequestKind>,
    /// A path pattern, case-insensitive, `*` = any run of characters (query excluded), e.g.
    /// `/fabrikam/_apis/projects*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// An HTTP method (`GET`, `DELETE`, …), any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// What happens.
    #[serde(flatten)]
    pub fault: Fault,
    /// Let this many matching requests through first.
    #[serde(default)]
    pub skip: u64,
    /// Hit this many matching requests, then let them through; `None`: every one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Hit only this percentage (0–100) of the matching requests, chosen pseudo-randomly from
    /// [`crate::Faults::seed`], the rule's position and the match's number: the same requests
    /// in the same order are hit in every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<u8>,
}

impl FaultRule {
    /// A rule hitting every request of `kind`.
    pub fn on(kind: RequestKind, fault: Fault) -> Self {
        FaultRule {
            kind: Some(kind),
            path: None,
            method: None,
            fault,
            skip: 0,
            times: None,
            percent: None,
        }
    }

    /// A rule hitting every request whose path matches `pattern` (`*` wildcards).
    pub fn on_path(pattern: &str, fault: Fault) -> Self {
        FaultRule {
            kind: None,
            path: Some(pattern.to_string()),
            method: None,
            fault,
            skip: 0,
            times: None,
            percent: None,
        }
    }

    /// Only this percentage of the matching requests is hit (seeded, deterministic).
    pub fn percent(mut self, percent: u8) -> Self {
        self.percent = Some(percent);
        self
    }

    /// Only `n` matching requests are hit.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// The first `n` matching requests pass.
    pub fn skip(mut self, n: u64) -> Self {
        self.skip = n;
        self
    }

    /// Only requests with this method.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Whether the rule applies to this request (before counting).
    pub(crate) fn matches(&self, kind: RequestKind, method: &str, path: &str) -> bool {
        self.kind.is_none_or(|k| k == kind)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path
                .as_deref()
                .is_none_or(|p| wildcard(&p.to_ascii_lowercase(), &path.to_ascii_lowercase()))
    }

    /// Whether the rule targets Entra requests explicitly (global faults never do).
    pub(crate) fn names_entra(&self) -> bool {
        self.kind.is_some_and(RequestKind::is_entra) || self.path.is_some()
    }

    /// Checks values a type cannot: a status in range, a positive size.
    pub fn validate(&self) -> Result<(), String> {
        match &self.fault {
            Fault::Status { status, .. }
                if !(*status == 203 || *status == 302 || (400..600).contains(status)) =>
            {
                Err(format!(
                    "status {status} is not a fault; use 203, 302 or 400-599"
                ))
            }
            Fault::HugeBody { bytes, .. } if *bytes < 64 => Err(format!(
                "hugeBody bytes={bytes} is too small; use 64 or more"
            )),
            _ => Ok(()),
        }
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    if !text.ends_with(last) {
        return false;
    }
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

impl FromStr for FaultRule {
    type Err = String;

    /// `TARGET=FAULT[;option=value…]`, see the module documentation.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (target, fault) = text.split_once('=').ok_or_else(|| {
            format!("fault rule {text:?} has no '='; write TARGET=FAULT, e.g. projects=429")
        })?;
        let mut rule = FaultRule::on(RequestKind::Other, Fault::Hang);
        let target = target.trim();
        let (method, target) = match target.split_once(' ') {
            Some((m, t)) => (Some(m.to_ascii_uppercase()), t.trim()),
            None => (None, target),
        };
        rule.method = method;
        rule.kind = None;
        if let Some(pattern) = target.strip_prefix("path:") {
            rule.path = Some(pattern.to_string());
        } else if !target.eq_ignore_ascii_case("any") {
            rule.kind = Some(target.parse()?);
        }
        let mut pieces = fault.split(';').map(str::trim);
        let name = pieces.next().unwrap_or_default();
        let mut options = Vec::new();
        for piece in pieces.filter(|p| !p.is_empty()) {
            let (key, value) = piece
                .split_once('=')
                .ok_or_else(|| format!("fault option {piece:?} has no '='; write e.g. times=1"))?;
            options.push((key.to_ascii_lowercase(), value.to_string()));
        }
        let number = |key: &str, value: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("fault option {key}={value:?} is not a whole number"))
        };
        rule.fault = match name.to_ascii_lowercase().as_str() {
            "reset" => Fault::Reset,
            "truncated" | "truncatedjson" => Fault::Truncated,
            "hugebody" => Fault::HugeBody {
                bytes: HUGE_BODY_BYTES,
                declare_length: false,
            },
            "hang" => Fault::Hang,
            "close" => Fault::Close,
            "refuse" => Fault::Refuse { for_ms: None },
            status => match status.parse::<u16>() {
                Ok(status) => Fault::Status {
                    status,
                    retry_after_secs: Some(1),
                },
                Err(_) => {
                    return Err(format!(
                        "unknown fault {name:?}; use an HTTP status or reset, truncated, hugeBody, hang, close, refuse"
                    ))
                }
            },
        };
        for (key, value) in options {
            match (key.as_str(), &mut rule.fault) {
                ("times", _) => rule.times = Some(number(&key, &value)?),
                ("skip", _) => rule.skip = number(&key, &value)?,
                ("percent", _) => {
                    rule.percent = Some(u8::try_from(number(&key, &value)?).unwrap_or(u8::MAX))
                }
                ("retryafter", Fault::Status { retry_after_secs, .. }) => {
                    *retry_after_secs = if value.eq_ignore_ascii_case("none") {
                        None
                    } else {
                        Some(number(&key, &value)?)
                    }
                }
                ("bytes", Fault::HugeBody { bytes, .. }) => *bytes = number(&key, &value)?,
                ("declarelength", Fault::HugeBody { declare_length, .. }) => {
                    *declare_length = value.eq_ignore_ascii_case("true")
                }
                ("forms", Fault::Refuse { for_ms }) => *for_ms = Some(number(&key, &value)?),
                _ => {
                    return Err(format!(
                        "fault option {key:?} does not apply to {name:?} (times, skip, percent; retryAfter for 429; bytes, declareLength for hugeBody; forMs for refuse)"
                    ))
                }
            }
        }
        rule.validate()?;
        Ok(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_kinds_are_classified_from_method_and_path() {
        let cases = [
            (
                "GET",
                "/fabrikam/_apis/connectionData",
                RequestKind::ConnectionData,
            ),
            (
                "GET",
                "/tfs/DefaultCollection/_apis/projects",
                RequestKind::Projects,
            ),
            (
                "GET",
                "/fabrikam/Fiber%20Cloud/_apis/git/repositories",
                RequestKind::Repositories,
            ),
            (
                "POST",
                "/fabrikam/_apis/hooks/subscriptions",
                RequestKind::HooksCreate,
            ),
            (
                "GET",
                "/fabrikam/_apis/hooks/subscriptions",
                RequestKind::HooksList,
            ),
            (
                "DELETE",
                "/fabrikam/_apis/hooks/subscriptions/abc",
                RequestKind::HooksDelete,
            ),
            (
                "POST",
                "/fabrikam/_apis/security/permissionEvaluationBatch",
                RequestKind::PermissionEvaluation,
            ),
            (
                "GET",
                "/fabrikam/p/_apis/git/repositories/r/pullRequests",
                RequestKind::PullRequests,
            ),
            (
                "GET",
                "/fabrikam/p/_apis/git/repositories/r/commits",
                RequestKind::Commits,
            ),
            (
                "GET",
                "/fabrikam/_apis/git/repositories/r/pullRequests/3/commits",
                RequestKind::PullRequestCommits,
            ),
            (
                "POST",
                "/organizations/oauth2/v2.0/token",
                RequestKind::Token,
            ),
            ("OPTIONS", "/fabrikam/_apis", RequestKind::Locations),
            ("GET", "/", RequestKind::Other),
        ];
        for (method, path, kind) in cases {
            assert_eq!(RequestKind::classify(method, path), kind, "{method} {path}");
        }
    }

    #[test]
    fn rules_parse_from_text() {
        let rule: FaultRule = "hooksCreate=429;retryAfter=none;times=2".parse().unwrap();
        assert_eq!(rule.kind, Some(RequestKind::HooksCreate));
        assert_eq!(
            rule.fault,
            Fault::Status {
                status: 429,
                retry_after_secs: None
            }
        );
        assert_eq!(rule.times, Some(2));
        let rule: FaultRule = "DELETE path:*/_apis/hooks/*=reset".parse().unwrap();
        assert_eq!(rule.method.as_deref(), Some("DELETE"));
        assert!(rule.matches(
            RequestKind::HooksDelete,
            "delete",
            "/Fabrikam/_apis/hooks/subscriptions/1"
        ));
        assert!(!rule.matches(
            RequestKind::HooksList,
            "GET",
            "/fabrikam/_apis/hooks/subscriptions"
        ));
        for bad in [
            "projects",
            "nothing=429",
            "projects=teapot",
            "projects=418x",
            "projects=200",
            "projects=reset;bytes=3",
        ] {
            assert!(bad.parse::<FaultRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn wildcards_match_runs_of_characters() {
        assert!(wildcard("*/_apis/projects*", "/fabrikam/_apis/projects"));
        assert!(wildcard("/a*b*c", "/a-x-b-y-c"));
        assert!(!wildcard("/a*b*c", "/a-x-c"));
        assert!(!wildcard("/abc", "/abcd"));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn rules_round_trip_through_json() {
        let rule = FaultRule::on(
            RequestKind::Token,
            Fault::HugeBody {
                bytes: 100,
                declare_length: true,
            },
        )
        .times(1);
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["fault"], "hugeBody");
        assert_eq!(json["kind"], "token");
        assert_eq!(serde_json::from_value::<FaultRule>(json).unwrap(), rule);
        let parsed: FaultRule =
            serde_json::from_str(r#"{"kind":"projects","fault":"status","status":429}"#).unwrap();
        assert_eq!(
            parsed.fault,
            Fault::Status {
                status: 429,
                retry_after_secs: Some(1)
            }
        );
    }
}
