//! [`check_product`]: a profile's restrictions, then exactly the access it needs, per credential.

use ado_client::Credential;
use ado_core::capabilities::Capability;
use ado_core::checks::{FailureKind, Probe};
use ado_core::preflight::{max_version_from_message, Check, Status};
use ado_core::product::verdicts::{self, PublicUrlFact, Restriction};
use ado_core::product::{ConnectorAccess, ProductProfile, SignInMethod};
use ado_core::target::ConnectionTarget;
use serde::Serialize;

use super::probes::{probe_scope, ProbeContext};
use crate::failure::probe_failure;
use crate::preflight::{run_preflight, PreflightReport, PreflightRequest};
use crate::verify::{client_for, ConnectOptions};

/// One credential the user gave for a connector.
#[derive(Clone)]
pub struct ProductCredential {
    /// The connector id (`default` for profiles without connectors).
    pub connector: String,
    /// 0-based, for connectors with several credentials.
    pub index: usize,
    /// The credential.
    pub credential: Credential,
    /// How it was obtained.
    pub method: SignInMethod,
    /// A PAT's expiry date (`YYYY-MM-DD`), if the user gave it.
    pub expires_on: Option<String>,
}

/// What to check.
#[derive(Clone)]
pub struct ProductCheckRequest {
    /// The product.
    pub profile: ProductProfile,
    /// Where.
    pub target: ConnectionTarget,
    /// TLS trust and proxy.
    pub options: ConnectOptions,
    /// The user accepted plain HTTP.
    pub consent_to_http: bool,
    /// The project the user chose (probes run there), if any.
    pub project: Option<String>,
    /// The repository the user chose, if any.
    pub repository: Option<String>,
    /// One or more credentials per connector.
    pub credentials: Vec<ProductCredential>,
    /// The credential that registers the webhooks (the connection's own); `None` = the first
    /// credential. Checked for the webhooks capability when the profile has webhooks.
    pub hooks_credential: Option<ProductCredential>,
}

/// Who is checked for what: with no connector credentials of its own, the connection's `main`
/// credential is checked for every connector; with some, exactly those are checked, and `main`
/// (as `webhooks`) for the webhooks the profile registers with it.
pub fn credentials_to_check(
    profile: &ProductProfile,
    main: ProductCredential,
    own: Vec<ProductCredential>,
) -> (Vec<ProductCredential>, Option<ProductCredential>) {
    if own.is_empty() {
        let all = profile
            .connectors
            .iter()
            .map(|c| ProductCredential {
                connector: c.id.clone(),
                ..main.clone()
            })
            .collect();
        return (all, None);
    }
    let hooks = profile.webhooks.as_ref().map(|_| ProductCredential {
        connector: "webhooks".into(),
        ..main
    });
    (own, hooks)
}

/// The checks of one credential.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectorReport {
    /// The connector id, or `webhooks` for the credential that registers them.
    pub connector: String,
    /// Its label.
    pub label: String,
    /// Which credential of the connector.
    pub index: usize,
    /// What it needs.
    pub access: Option<ConnectorAccess>,
    /// The preflight (capabilities).
    pub preflight: PreflightReport,
    /// One row per extra scope.
    pub scopes: Vec<Check>,
}

/// The product's checklist.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductReport {
    /// True when nothing failed.
    pub ok: bool,
    /// The product's name.
    pub product: String,
    /// True when a restriction refused the connection before any access check ran.
    pub refused: bool,
    /// The restrictions, in order.
    pub restrictions: Vec<Restriction>,
    /// One entry per credential checked.
    pub connectors: Vec<ConnectorReport>,
    /// Server: the public URL the server gives itself, when the profile needed to look
    /// (reachability); hand it to [`super::handoff::HandoffChoice::server_public_url`].
    pub public_url: Option<String>,
}

impl ProductReport {
    /// Every failing row's code and message, restrictions first (for errors and the CLI).
    pub fn failures(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .restrictions
            .iter()
            .filter(|r| r.status == Status::Fail)
            .map(|r| {
                (
                    r.code.map(|c| c.to_string()).unwrap_or_default(),
                    r.message.clone(),
                )
            })
            .collect();
        for c in &self.connectors {
            for check in c.preflight.checks.iter().chain(c.scopes.iter()) {
                if check.status == Status::Fail {
                    out.push((
                        check.code.map(|c| c.to_string()).unwrap_or_default(),
                        format!("{}: {}", c.label, check.message),
                    ));
                }
            }
        }
        out
    }
}

/// Progress, as each part settles.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ProductEvent<'a> {
    /// A restriction's verdict.
    Restriction(&'a Restriction),
    /// A check of a connector's credential.
    #[serde(rename_all = "camelCase")]
    Check {
        /// The connector.
        connector: &'a str,
        /// Which credential.
        index: usize,
        /// The row.
        check: &'a Check,
    },
}

/// Runs the product's checks. Nothing is sent when the deployment, a sign-in method or a PAT
/// expiry is refused; nothing beyond `connectionData` and one projects page when the Server
/// version or reachability is refused.
pub async fn check_product(
    request: &ProductCheckRequest,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> ProductReport {
    let profile = &request.profile;
    let mut restrictions = vec![verdicts::deployment(profile, &request.target)];
    let mut methods: Vec<SignInMethod> = request.credentials.iter().map(|c| c.method).collect();
    methods.extend(request.hooks_credential.as_ref().map(|c| c.method));
    methods.dedup();
    for method in methods {
        restrictions.push(verdicts::sign_in(profile, method));
    }
    for c in request
        .credentials
        .iter()
        .filter(|c| c.method == SignInMethod::Pat)
    {
        let r = verdicts::pat_expiry(profile, c.expires_on.as_deref());
        if r.status == Status::Fail || !restrictions.iter().any(|o| o.rule == r.rule) {
            restrictions.push(r);
        }
    }
    if request.credentials.is_empty() {
        restrictions.push(Restriction {
            rule: verdicts::Rule::SignIn,
            title: "Credentials".into(),
            status: Status::Fail,
            code: Some(ado_core::checks::CheckCode::InvalidInput),
            message: format!("No credential given for {}.", profile.product.name),
            fix: "Sign in, or give a PAT for each connector.".into(),
            field: Some(ado_core::target::Field::Pat),
        });
    }
    for c in &request.credentials {
        if profile.connector(&c.connector).is_none() {
            restrictions.push(Restriction {
                rule: verdicts::Rule::SignIn,
                title: "Connector".into(),
                status: Status::Fail,
                code: Some(ado_core::checks::CheckCode::InvalidInput),
                message: format!(
                    "{} has no connector {:?}.",
                    profile.product.name, c.connector
                ),
                fix: format!(
                    "Use one of: {}.",
                    profile
                        .connectors
                        .iter()
                        .map(|k| k.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                field: None,
            });
        }
    }
    let mut public_url = None;
    let refused_now = |r: &[Restriction]| r.iter().any(|r| r.status == Status::Fail);
    if !refused_now(&restrictions) {
        let first = request
            .hooks_credential
            .as_ref()
            .or(request.credentials.first());
        if let Some(first) = first {
            let (found, url) = server_restrictions(request, &first.credential).await;
            restrictions.extend(found);
            public_url = url;
        }
    }
    for r in &restrictions {
        on_event(&ProductEvent::Restriction(r));
    }
    if refused_now(&restrictions) {
        return ProductReport {
            ok: false,
            product: profile.product.name.clone(),
            refused: true,
            restrictions,
            connectors: Vec::new(),
            public_url,
        };
    }

    let mut connectors = Vec::new();
    for c in &request.credentials {
        let Some(connector) = profile.connector(&c.connector) else {
            continue;
        };
        let mut capabilities = connector.capabilities.clone();
        let hooks_here = profile.webhooks.is_some()
            && request.hooks_credential.is_none()
            && std::ptr::eq(c, &request.credentials[0]);
        if hooks_here && !capabilities.contains(&Capability::Webhooks) {
            capabilities.push(Capability::Webhooks);
        }
        let report = check_credential(
            request,
            c,
            &capabilities,
            &connector.scopes_to_probe(),
            on_event,
        )
        .await;
        connectors.push(ConnectorReport {
            connector: connector.id.clone(),
            label: connector.label.clone(),
            index: c.index,
            access: Some(connector.access()),
            preflight: report.0,
            scopes: report.1,
        });
    }
    if let (Some(hooks), Some(_)) = (&request.hooks_credential, &profile.webhooks) {
        let report = check_credential(request, hooks, &[Capability::Webhooks], &[], on_event).await;
        connectors.push(ConnectorReport {
            connector: "webhooks".into(),
            label: "Webhooks".into(),
            index: 0,
            access: None,
            preflight: report.0,
            scopes: report.1,
        });
    }
    let ok = connectors
        .iter()
        .all(|c| c.preflight.ok && c.scopes.iter().all(|s| s.status != Status::Fail));
    ProductReport {
        ok,
        product: profile.product.name.clone(),
        refused: false,
        restrictions,
        connectors,
        public_url,
    }
}

async fn check_credential(
    request: &ProductCheckRequest,
    c: &ProductCredential,
    capabilities: &[Capability],
    scopes: &[ado_core::capabilities::Scope],
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> (PreflightReport, Vec<Check>) {
    let preflight_request = PreflightRequest {
        target: request.target.clone(),
        credential: c.credential.clone(),
        capabilities: capabilities.to_vec(),
        project: request.project.clone(),
        repository: request.repository.clone(),
        options: crate::ConnectOptions {
            allow_http: request.options.allow_http || request.consent_to_http,
            ..request.options.clone()
        },
        ca_file_hint: None,
    };
    let emit = |check: &Check| {
        on_event(&ProductEvent::Check {
            connector: &c.connector,
            index: c.index,
            check,
        })
    };
    let preflight = run_preflight(&preflight_request, &emit).await;
    let credentials_ok = preflight
        .checks
        .iter()
        .all(|k| k.id != ado_core::preflight::CheckId::Credentials || k.status == Status::Pass);
    let mut rows = Vec::new();
    if scopes.is_empty() {
        return (preflight, rows);
    }
    if !credentials_ok {
        for s in scopes {
            let row = Check::skip(
                ado_core::preflight::CheckId::Capability,
                "Skipped: the credential itself failed.",
            )
            .titled(format!("Token has {}", s.pat_label));
            emit(&row);
            rows.push(row);
        }
        return (preflight, rows);
    }
    // Where to probe: the chosen project (or the first one) and its first repository.
    let (project_id, repository_id) = probe_location(request, &c.credential).await;
    let user = preflight
        .user
        .as_ref()
        .map(|u| u.account.clone().unwrap_or_else(|| u.display_name.clone()));
    let ctx = ProbeContext {
        target: &request.target,
        credential: &c.credential,
        options: &request.options,
        project: project_id.as_deref(),
        repository_id: repository_id.as_deref(),
        user: user.as_deref(),
        product: &request.profile.product.name,
    };
    for s in scopes {
        let row = probe_scope(&ctx, *s).await;
        emit(&row);
        rows.push(row);
    }
    (preflight, rows)
}

async fn probe_location(
    request: &ProductCheckRequest,
    credential: &Credential,
) -> (Option<String>, Option<String>) {
    let Ok(client) = client_for(&request.target, credential.clone(), &request.options) else {
        return (None, None);
    };
    let project = match &request.project {
        Some(name) => client.project(name).await.ok(),
        None => client
            .projects_page(1, None)
            .await
            .ok()
            .and_then(|p| p.items.into_iter().next()),
    };
    let Some(project) = project else {
        return (None, None);
    };
    let repos = client
        .repositories(Some(&project.id))
        .await
        .unwrap_or_default();
    let repo = match &request.repository {
        Some(name) => repos.iter().find(|r| r.name.eq_ignore_ascii_case(name)),
        None => repos.first(),
    };
    (Some(project.id.to_string()), repo.map(|r| r.id.clone()))
}

/// Server version and reachability: one `connectionData` and one projects page.
async fn server_restrictions(
    request: &ProductCheckRequest,
    credential: &Credential,
) -> (Vec<Restriction>, Option<String>) {
    let profile = &request.profile;
    let target = &request.target;
    let wants_version = profile.deployments.min_server_version.is_some();
    let wants_reach = profile.deployments.reachable_from_outside;
    if target.deployment() != ado_core::target::Deployment::Server
        || !(wants_version || wants_reach)
    {
        return (Vec::new(), None);
    }
    // Plain http to a remote host without consent: the preflight refuses it; send nothing here.
    if ado_core::preflight::encryption(target, request.consent_to_http).status == Status::Fail {
        return (Vec::new(), None);
    }
    let Ok(client) = client_for(target, credential.clone(), &request.options) else {
        return (Vec::new(), None);
    };
    let mut out = Vec::new();
    let mut public_url = None;
    if wants_version {
        let fact: Result<Option<String>, ()> = match client.projects_page(1, None).await {
            Ok(_) => Ok(None),
            Err(error) => match probe_failure(Probe::Projects, &error).kind {
                FailureKind::Http {
                    type_key: Some(key),
                    message,
                    ..
                } if key == "VssVersionOutOfRangeException" => Ok(Some(
                    message
                        .as_deref()
                        .and_then(max_version_from_message)
                        .unwrap_or_else(|| "6.0".into()),
                )),
                _ => Err(()),
            },
        };
        out.extend(verdicts::server_version(
            profile,
            target,
            fact.as_ref().map(|v| v.as_deref()).map_err(|_| ()),
        ));
    }
    if wants_reach {
        // The public URL is what the server says it is (its access mappings); the address
        // this machine used may well be internal. Without mappings, the entered URL.
        let mut urls: Vec<String> = match client.connection_data().await {
            Ok(connection) => connection
                .location_service_data
                .map(|l| {
                    l.access_mappings
                        .into_iter()
                        .map(|m| m.access_point)
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        public_url = urls.first().cloned();
        if urls.is_empty() {
            urls.push(target.host_url().to_string());
        }
        let mut facts = Vec::new();
        for raw in urls {
            let Ok(url) = url::Url::parse(&raw) else {
                continue;
            };
            let host = url
                .host_str()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let addresses = match host.parse::<std::net::IpAddr>() {
                Ok(ip) => vec![ip],
                Err(_) => resolve(&host, url.port_or_known_default().unwrap_or(443)).await,
            };
            facts.push(PublicUrlFact {
                url: raw,
                host,
                addresses,
            });
        }
        out.extend(verdicts::reachable_from_outside(profile, target, &facts));
    }
    (out, public_url)
}

async fn resolve(host: &str, port: u16) -> Vec<std::net::IpAddr> {
    let lookup = tokio::net::lookup_host((host, port));
    match tokio::time::timeout(std::time::Duration::from_secs(3), lookup).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => Vec::new(),
    }
}
