//! [`check_product`]: whether a connection may be used for a product, decided once from facts
//! gathered first.
//!
//! 1. **Restrictions that need no request** ([`precheck`]): the deployment, the sign-in method
//!    the deployment takes, a collection under a virtual directory where the product needs a
//!    bare server URL, PAT expiry dates, a token per connector where the product asks for one,
//!    and the details the hand-off needs (Datafold's project and repository). A refusal here
//!    sends nothing.
//! 2. **The server** (only when the profile cares): its version and the public URL the
//!    product's cloud would call.
//! 3. **Each credential, at once**: who it is (`connectionData`), then where the calls point
//!    (a project, a repository, a pull request), then exactly the product's own verification
//!    calls when the profile lists them (with the product's own codes), otherwise one read-only
//!    probe per scope it asks for; then the permissions it names (Contribute to pull requests,
//!    the service-hooks permission for webhooks). Scopes the product does not ask for are never
//!    demanded: a Code (Read) token passes Kong Konnect.
//! 4. **Across credentials**: two connectors whose tokens are the same identity are warned
//!    about where the product wants separate identities (DX).

use ado_client::Credential;
use ado_core::capabilities::Capability;
use ado_core::checks::{CheckCode, Problem};
use ado_core::preflight::{Check, Status};
use ado_core::product::verdicts::{self, Restriction, Rule};
use ado_core::product::{ConnectorAccess, FieldSource, ProductProfile, SignInMethod};
use ado_core::target::{ConnectionTarget, Deployment, Field};
use serde::Serialize;

use super::credential::{check_credential, Plan};
use super::precheck::{precheck, today, Precheck};
use super::server::server_restrictions;
use crate::verify::{ConnectOptions, User};

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
    /// The connection's own credential when it is not one of `credentials` (it registers the
    /// webhooks); checked for the service-hooks permission when the profile has webhooks.
    pub hooks_credential: Option<ProductCredential>,
}

/// Who is checked for what. The connection's `main` credential serves every connector that
/// has none of its own, unless the product wants a token per connector (DX): then each
/// connector must have its own, and `main` (as `webhooks`) only registers the webhooks.
pub fn credentials_to_check(
    profile: &ProductProfile,
    main: ProductCredential,
    own: Vec<ProductCredential>,
) -> (Vec<ProductCredential>, Option<ProductCredential>) {
    if own.is_empty() && !profile.pat_one_per_connector {
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
    /// Who the token belongs to, when it worked.
    pub identity: Option<User>,
    /// The rows, in order: the token, then each call, then each permission.
    pub checks: Vec<Check>,
}

impl ConnectorReport {
    fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status != Status::Fail)
    }
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
    /// (reachability); the hand-off uses it for `server_url`/`server_origin`.
    pub public_url: Option<String>,
    /// Server: the highest REST version the server serves, when it said (`None`: 7.0 or
    /// newer, or not asked).
    pub server_api_version: Option<String>,
}

impl ProductReport {
    /// Every failing row's code and message, restrictions first (for errors and the CLI).
    pub fn failures(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<(String, String, String)> = self
            .restrictions
            .iter()
            .filter(|r| r.status == Status::Fail)
            .map(|r| {
                (
                    r.code.map(|c| c.to_string()).unwrap_or_default(),
                    r.message.clone(),
                    r.fix.clone(),
                )
            })
            .collect();
        for c in &self.connectors {
            for check in c.checks.iter().filter(|k| k.status == Status::Fail) {
                let code = check
                    .product_code
                    .clone()
                    .or(check.code.map(|c| c.to_string()))
                    .unwrap_or_default();
                out.push((
                    code,
                    format!("{}: {}", c.label, check.message),
                    check.fix.clone(),
                ));
            }
        }
        out
    }

    /// The report as the error that stops a hand-off: the first failure's code, every failure
    /// with its fix in the message.
    pub fn refusal(&self) -> Problem {
        let failures = self.failures();
        let code = self
            .restrictions
            .iter()
            .find(|r| r.status == Status::Fail)
            .and_then(|r| r.code)
            .or_else(|| {
                self.connectors
                    .iter()
                    .flat_map(|c| c.checks.iter())
                    .find(|k| k.status == Status::Fail)
                    .and_then(|k| k.code)
            })
            .unwrap_or(CheckCode::InvalidPermissions);
        let field = self
            .restrictions
            .iter()
            .find(|r| r.status == Status::Fail)
            .and_then(|r| r.field);
        let lines: Vec<String> = failures
            .iter()
            .map(|(code, message, fix)| format!("[{code}] {message} {fix}"))
            .collect();
        Problem::new(
            code,
            field,
            format!(
                "The connection has not passed {}'s checks: {}",
                self.product,
                lines.join(" ")
            ),
            format!(
                "Fix what each check names, run the checks again, then hand the connection to {}.",
                self.product
            ),
        )
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

fn refusal_row(title: &str, field: Option<Field>, message: String, fix: String) -> Restriction {
    Restriction {
        rule: Rule::Credentials,
        title: title.into(),
        status: Status::Fail,
        code: Some(CheckCode::InvalidInput),
        message,
        fix,
        field,
    }
}

/// Rows about the request itself: credentials per connector and the details the hand-off needs.
fn request_rows(request: &ProductCheckRequest) -> Vec<Restriction> {
    let profile = &request.profile;
    let name = &profile.product.name;
    let mut out = Vec::new();
    if request.credentials.is_empty() && !profile.pat_one_per_connector {
        out.push(refusal_row(
            "Credentials",
            Some(Field::Pat),
            format!("No credential given for {name}."),
            "Sign in, or give a PAT for each connector.".into(),
        ));
    }
    for c in &request.credentials {
        if profile.connector(&c.connector).is_none() {
            out.push(refusal_row(
                "Connector",
                None,
                format!("{name} has no connector {:?}.", c.connector),
                format!(
                    "Use one of: {}.",
                    profile
                        .connectors
                        .iter()
                        .map(|k| k.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if profile.pat_one_per_connector {
        let missing: Vec<&str> = profile
            .connectors
            .iter()
            .filter(|k| !request.credentials.iter().any(|c| c.connector == k.id))
            .map(|k| k.label.as_str())
            .collect();
        if !missing.is_empty() {
            // A Microsoft sign-in on Services may have them created (`super::mint`), e.g. again
            // after Forget revoked the ones it created.
            let microsoft = request.target.deployment() == Deployment::Services
                && request
                    .credentials
                    .iter()
                    .chain(&request.hooks_credential)
                    .any(|c| matches!(c.method, SignInMethod::Browser | SignInMethod::DeviceCode));
            let create = if microsoft {
                " Or let ADO Connect create them with your Microsoft sign-in: \"Create the tokens for me\" in the product's step, or `ado-connect-cli mint`."
            } else {
                ""
            };
            out.push(refusal_row(
                "A token per connector",
                Some(Field::Pat),
                format!(
                    "{name} needs its own token for each connector; none was given for {}.",
                    missing.join(", ")
                ),
                format!(
                    "Create a PAT for each connector ({name} recommends a separate service account for each: rate limits are per identity) and give it in that connector's field.{create}"
                ),
            ));
        }
    }
    let needs = |source: FieldSource| {
        profile
            .handoff
            .fields
            .iter()
            .any(|f| f.source == source && !f.optional)
    };
    for (source, given, what) in [
        (FieldSource::Project, &request.project, "project"),
        (FieldSource::Repository, &request.repository, "repository"),
    ] {
        let given = given.as_deref().is_some_and(|v| !v.trim().is_empty());
        if needs(source) && !given {
            out.push(Restriction {
                rule: Rule::Details,
                title: format!("The {what} {name} gets"),
                status: Status::Fail,
                code: Some(CheckCode::InvalidInput),
                message: format!("{name} asks for the {what}, and none was chosen."),
                fix: format!("Choose the {what} {name} should use (paste its URL, or pick it), then check again."),
                field: Some(Field::Url),
            });
        }
    }
    out
}

/// Runs the product's checks. Nothing is sent when a restriction of [`precheck`] or the request
/// itself refuses; nothing beyond `connectionData` and one projects page when the Server version
/// or reachability is refused.
pub async fn check_product(
    request: &ProductCheckRequest,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> ProductReport {
    let profile = &request.profile;
    // How the product is signed in: the credentials it is handed. The one that registers its
    // webhooks is ADO Connect's own (the connection's sign-in), never handed to the product, so
    // a Microsoft sign-in may register DX's webhooks beside minted or pasted connector PATs.
    let methods: Vec<SignInMethod> = request.credentials.iter().map(|c| c.method).collect();
    let expiry_dates = request
        .credentials
        .iter()
        .chain(request.hooks_credential.as_ref())
        .filter(|c| c.method == SignInMethod::Pat)
        .map(|c| {
            let label = profile
                .connector(&c.connector)
                .filter(|_| profile.connectors.len() > 1)
                .map_or(String::new(), |k| format!("{} #{}", k.label, c.index + 1));
            (label, c.expires_on.clone())
        })
        .collect();
    let mut restrictions = precheck(
        profile,
        &Precheck {
            target: Some(request.target.clone()),
            deployment: None,
            methods,
            expiry_dates,
            today: today(),
        },
    );
    restrictions.extend(request_rows(request));
    let refused_now = |r: &[Restriction]| r.iter().any(|r| r.status == Status::Fail);
    let mut public_url = None;
    let mut server_api_version = None;
    if !refused_now(&restrictions) {
        let first = request
            .hooks_credential
            .as_ref()
            .or(request.credentials.first());
        if let Some(first) = first {
            let found = server_restrictions(request, &first.credential).await;
            restrictions.extend(found.restrictions);
            public_url = found.public_url;
            server_api_version = found.max_api_version;
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
            server_api_version,
        };
    }

    let hooks_on_first = profile.webhooks.is_some() && request.hooks_credential.is_none();
    let mut jobs = Vec::new();
    for (i, c) in request.credentials.iter().enumerate() {
        let Some(connector) = profile.connector(&c.connector) else {
            continue;
        };
        let plan = Plan {
            calls: profile.verification.as_ref().map(|v| {
                v.calls
                    .iter()
                    .filter(|k| k.applies_to(&connector.id))
                    .collect()
            }),
            scopes: connector.access().scope_ids,
            permissions: connector.permissions.clone(),
            hooks: (hooks_on_first && i == 0)
                || connector.capabilities.contains(&Capability::Webhooks),
        };
        jobs.push((
            c,
            connector.id.clone(),
            connector.label.clone(),
            Some(connector.access()),
            plan,
        ));
    }
    if let (Some(hooks), Some(_)) = (&request.hooks_credential, &profile.webhooks) {
        let plan = Plan {
            calls: None,
            scopes: Vec::new(),
            permissions: Vec::new(),
            hooks: true,
        };
        jobs.push((hooks, "webhooks".into(), "Webhooks".into(), None, plan));
    }
    let reports = futures_util::future::join_all(jobs.into_iter().map(
        |(c, connector, label, access, plan)| async move {
            let (identity, checks) = check_credential(request, c, &plan, on_event).await;
            ConnectorReport {
                connector,
                label,
                index: c.index,
                access,
                identity,
                checks,
            }
        },
    ))
    .await;

    let identities: Vec<(String, String, String)> = reports
        .iter()
        .filter(|r| r.connector != "webhooks")
        .filter_map(|r| {
            let who = r.identity.as_ref()?;
            let label = if reports
                .iter()
                .filter(|o| o.connector == r.connector)
                .count()
                > 1
            {
                format!("{} #{}", r.label, r.index + 1)
            } else {
                r.label.clone()
            };
            Some((label, who.id.clone(), who.display_name.clone()))
        })
        .collect();
    if let Some(row) = verdicts::same_identity(profile, &identities) {
        on_event(&ProductEvent::Restriction(&row));
        restrictions.push(row);
    }
    let ok = reports.iter().all(ConnectorReport::ok) && !refused_now(&restrictions);
    ProductReport {
        ok,
        product: profile.product.name.clone(),
        refused: false,
        restrictions,
        connectors: reports,
        public_url,
        server_api_version,
    }
}
