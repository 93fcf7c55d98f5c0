//! The hand-off, pure: which fields a product gets and under which labels, the export document,
//! the POST bodies rendered from the profile's template, and the shell script that recreates the
//! webhook subscriptions. Secret values come in through a lookup the caller owns (the flows read
//! them from the keyring), and go out only where asked: a panel field the user chose to reveal,
//! an export the user opted into, a POST body.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::{collect_strings, template_names};
use super::{FieldRule, FieldSource, Placeholder, PlaceholderKind, ProductProfile, SignInMethod};
use crate::target::{ConnectionTarget, Deployment};
use crate::webhook::{subscription_body, HookSpec};

/// A secret the hand-off may need.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKey {
    /// The `index`th PAT of a connector.
    Pat {
        /// The connector id.
        connector: String,
        /// 0-based.
        index: usize,
    },
    /// The service principal's client secret.
    ClientSecret,
    /// The webhook secret.
    WebhookSecret,
}

/// Looks a secret up; `None` when there is none.
pub type SecretLookup<'a> = &'a dyn Fn(&SecretKey) -> Option<String>;

/// One credential given for a connector (the secret itself stays with the caller).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialFact {
    /// The connector id.
    pub connector: String,
    /// 0-based, for connectors with several credentials.
    pub index: usize,
}

/// What the wizard knows about the verified connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffFacts {
    /// Where.
    pub target: ConnectionTarget,
    /// How the connection signs in (which hand-off fields and guides apply).
    pub method: SignInMethod,
    /// Server: the public URL the server gives itself (its access mapping), when known; the
    /// product's cloud connects there, so `server_url`/`server_origin` use it.
    pub server_public_url: Option<String>,
    /// The chosen project.
    pub project: Option<String>,
    /// The chosen repository.
    pub repository: Option<String>,
    /// Its clone URL.
    pub repository_url: Option<String>,
    /// Service principal: tenant.
    pub tenant_id: Option<String>,
    /// Service principal: client id.
    pub client_id: Option<String>,
    /// The PATs given, per connector.
    pub credentials: Vec<CredentialFact>,
    /// Values the user completed (`dx_url`).
    pub placeholders: BTreeMap<String, String>,
}

/// Which secret fields to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reveal {
    /// None: secret values are `null`.
    Nothing,
    /// The field with this key.
    Field(String),
    /// All of them (export with secrets, `--show-secrets`).
    All,
}

/// One field of the "Paste into …" panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffField {
    /// A stable key: the source, plus `:{connector}:{n}` for PATs (`pat:boards:0`).
    pub key: String,
    /// The product's label.
    pub label: String,
    /// What it holds.
    pub source: FieldSource,
    /// For PATs: the connector's id.
    pub connector: Option<String>,
    /// The value; `null` for a secret not revealed, or a value not known.
    pub value: Option<String>,
    /// A secret: shown only on request.
    pub secret: bool,
    /// The product marks it optional.
    pub optional: bool,
}

/// The panel: the product, a title, the fields in the product's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffPanel {
    /// The product's name.
    pub product: String,
    /// "Paste into DX".
    pub title: String,
    /// The fields.
    pub fields: Vec<HandoffField>,
    /// Steps to follow in the product, in order (the steps of every guide that applies to this
    /// deployment and sign-in method).
    pub guides: Vec<String>,
}

fn host_origin(url: &url::Url) -> String {
    let mut origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        origin.push_str(&format!(":{port}"));
    }
    origin
}

/// The server URL the product should use: the public one when known, else the one entered.
fn server_url(facts: &HandoffFacts) -> url::Url {
    facts
        .server_public_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|_| facts.target.deployment() == Deployment::Server)
        .unwrap_or_else(|| facts.target.host_url().clone())
}

/// The non-secret value of `source` (`None` for secrets and unknowns).
pub fn plain_value(
    source: FieldSource,
    facts: &HandoffFacts,
    profile: &ProductProfile,
) -> Option<String> {
    let t = &facts.target;
    match source {
        FieldSource::Organization => match t {
            ConnectionTarget::Services { organization, .. } => Some(organization.clone()),
            ConnectionTarget::Server { .. } => None,
        },
        FieldSource::Collection => match t {
            ConnectionTarget::Server { collection, .. } => Some(collection.clone()),
            ConnectionTarget::Services { .. } => None,
        },
        FieldSource::OrganizationOrCollection => Some(t.scope_name().to_string()),
        FieldSource::OrganizationUrl => {
            Some(t.api_base().as_str().trim_end_matches('/').to_string())
        }
        FieldSource::ServerUrl => {
            Some(server_url(facts).as_str().trim_end_matches('/').to_string())
        }
        FieldSource::ServerOrigin => Some(host_origin(&server_url(facts))),
        FieldSource::Project => facts.project.clone(),
        FieldSource::Repository => facts.repository.clone(),
        FieldSource::RepositoryUrl => facts.repository_url.clone(),
        FieldSource::TenantId => facts.tenant_id.clone(),
        FieldSource::ClientId => facts.client_id.clone(),
        FieldSource::WebhookUrl => profile
            .webhooks
            .as_ref()
            .filter(|_| profile.wizard_registers_hooks())
            .and_then(|w| render(&w.url, &|n| placeholder_value(profile, facts, n)).ok()),
        FieldSource::WebhookHeader => profile
            .webhooks
            .as_ref()
            .filter(|_| profile.wizard_registers_hooks())
            .map(|w| w.header.clone()),
        FieldSource::Pat
        | FieldSource::ClientSecret
        | FieldSource::WebhookSecret
        | FieldSource::Placeholder => None,
    }
}

/// The value of a placeholder: what the user completed, else its default.
pub fn placeholder_value(
    profile: &ProductProfile,
    facts: &HandoffFacts,
    name: &str,
) -> Option<String> {
    facts
        .placeholders
        .get(name)
        .filter(|v| !v.is_empty())
        .cloned()
        .or_else(|| profile.placeholder(name).and_then(|p| p.default.clone()))
}

/// A field's stable key (`organization`, `placeholder:description`); PATs have one per
/// credential ([`pat_key`]).
fn field_key(rule: &FieldRule) -> String {
    match (&rule.placeholder, rule.source) {
        (Some(p), FieldSource::Placeholder) => format!("placeholder:{p}"),
        (_, source) => source.name().to_string(),
    }
}

fn pat_key(c: &CredentialFact) -> String {
    format!("pat:{}:{}", c.connector, c.index)
}

/// A PAT field's label: the product's, then the connector's (when there are several) and the
/// credential's number (when the connector has several).
fn pat_label(
    profile: &ProductProfile,
    facts: &HandoffFacts,
    rule: &FieldRule,
    c: &CredentialFact,
) -> String {
    let mut label = rule.label.clone();
    if profile.connectors.len() > 1 {
        let connector = profile.connector(&c.connector);
        label.push_str(&format!(
            " ({})",
            connector.map(|k| k.label.as_str()).unwrap_or(&c.connector)
        ));
    }
    if facts
        .credentials
        .iter()
        .filter(|o| o.connector == c.connector)
        .count()
        > 1
    {
        label.push_str(&format!(" #{}", c.index + 1));
    }
    label
}

fn pat_secret(c: &CredentialFact) -> SecretKey {
    SecretKey::Pat {
        connector: c.connector.clone(),
        index: c.index,
    }
}

/// The panel's fields (those of this deployment and sign-in method) and guides. Secrets are
/// looked up only for the fields `reveal` names.
pub fn panel(
    profile: &ProductProfile,
    facts: &HandoffFacts,
    secrets: SecretLookup<'_>,
    reveal: &Reveal,
) -> HandoffPanel {
    let deployment = facts.target.deployment();
    let shows = |key: &str| match reveal {
        Reveal::Nothing => false,
        Reveal::All => true,
        Reveal::Field(k) => k == key,
    };
    let mut fields = Vec::new();
    for rule in profile.fields_for(deployment, facts.method) {
        if rule.source == FieldSource::Pat {
            for c in &facts.credentials {
                let key = pat_key(c);
                fields.push(HandoffField {
                    value: shows(&key).then(|| secrets(&pat_secret(c))).flatten(),
                    key,
                    label: pat_label(profile, facts, rule, c),
                    source: rule.source,
                    connector: Some(c.connector.clone()),
                    secret: true,
                    optional: rule.optional,
                });
            }
            continue;
        }
        let key = field_key(rule);
        let value = match rule.source {
            FieldSource::ClientSecret => shows(&key)
                .then(|| secrets(&SecretKey::ClientSecret))
                .flatten(),
            FieldSource::WebhookSecret => shows(&key)
                .then(|| secrets(&SecretKey::WebhookSecret))
                .flatten(),
            FieldSource::Placeholder => rule
                .placeholder
                .as_ref()
                .and_then(|p| placeholder_value(profile, facts, p)),
            source => plain_value(source, facts, profile),
        };
        fields.push(HandoffField {
            key,
            label: rule.label.clone(),
            source: rule.source,
            connector: None,
            value,
            secret: rule.source.is_secret(),
            optional: rule.optional,
        });
    }
    HandoffPanel {
        product: profile.product.name.clone(),
        title: profile.handoff.title.clone(),
        fields,
        guides: profile
            .guides_for(deployment, facts.method)
            .into_iter()
            .flat_map(|g| g.steps.iter().cloned())
            .collect(),
    }
}

/// A required hand-off field without a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingField {
    /// The field's key, as in the panel (`project`, `pat:boards:0`, `placeholder:dx_url`; `pat`
    /// when no PAT was given at all).
    pub key: String,
    /// The product's label.
    pub label: String,
    /// What it holds.
    pub source: FieldSource,
    /// For a placeholder, which one.
    pub placeholder: Option<String>,
}

/// The fields the product's form requires (for this deployment and sign-in method) whose value
/// is not known: a project or repository not chosen, a placeholder not completed (and without
/// a default), a PAT or secret not in the store. The flows refuse a hand-off that has any, and
/// name them, rather than hand over an empty field.
pub fn missing_required(
    profile: &ProductProfile,
    facts: &HandoffFacts,
    has_secret: &dyn Fn(&SecretKey) -> bool,
) -> Vec<MissingField> {
    let mut out = Vec::new();
    let missing = |rule: &FieldRule, key: String, label: String| MissingField {
        key,
        label,
        source: rule.source,
        placeholder: rule.placeholder.clone(),
    };
    for rule in profile.fields_for(facts.target.deployment(), facts.method) {
        if rule.optional {
            continue;
        }
        let known = match rule.source {
            FieldSource::Pat => {
                if facts.credentials.is_empty() {
                    out.push(missing(rule, "pat".into(), rule.label.clone()));
                }
                for c in &facts.credentials {
                    if !has_secret(&pat_secret(c)) {
                        out.push(missing(
                            rule,
                            pat_key(c),
                            pat_label(profile, facts, rule, c),
                        ));
                    }
                }
                continue;
            }
            FieldSource::ClientSecret => has_secret(&SecretKey::ClientSecret),
            FieldSource::WebhookSecret => has_secret(&SecretKey::WebhookSecret),
            FieldSource::Placeholder => rule
                .placeholder
                .as_ref()
                .is_some_and(|p| placeholder_value(profile, facts, p).is_some()),
            source => plain_value(source, facts, profile).is_some_and(|v| !v.is_empty()),
        };
        if !known {
            out.push(missing(rule, field_key(rule), rule.label.clone()));
        }
    }
    out
}

/// Whether `value` fits the placeholder's kind: plain text on one line; a URL `https://`
/// (`http://` only to this machine's loopback, for tests); a whole number.
pub fn check_placeholder_value(p: &Placeholder, value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!(
            "{} contains the control character {c:?}; give one line of plain text",
            p.label
        ));
    }
    match p.kind {
        PlaceholderKind::Text => Ok(()),
        PlaceholderKind::Integer => {
            let digits = value.strip_prefix('-').unwrap_or(value);
            if !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && value.parse::<i64>().is_ok()
            {
                Ok(())
            } else {
                Err(format!(
                    "{} is a whole number, like 456; {value:?} is not",
                    p.label
                ))
            }
        }
        PlaceholderKind::Url => {
            let bad = || {
                format!(
                    "{} is an https:// URL, like https://example.com; {value:?} is not",
                    p.label
                )
            };
            let url = url::Url::parse(value).map_err(|_| bad())?;
            let host = url.host_str().unwrap_or_default();
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if host.is_empty() {
                return Err(bad());
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(format!("{} may not hold a user name or password", p.label));
            }
            match url.scheme() {
                "https" => Ok(()),
                "http" if loopback => Ok(()),
                "http" => Err(format!(
                    "{} must be https:// (http:// only for this machine's loopback address)",
                    p.label
                )),
                _ => Err(bad()),
            }
        }
    }
}

/// The export file's format version.
pub const EXPORT_FORMAT: u32 = 1;

/// The export file (`profiles/handoff.schema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDocument {
    /// `1`.
    pub format: u32,
    /// The product's id.
    pub product_id: String,
    /// The product's name.
    pub product: String,
    /// `services` or `server`.
    pub deployment: Deployment,
    /// The organization or collection URL.
    pub connection_url: String,
    /// When (Unix seconds).
    pub exported_at: u64,
    /// True when secret values are in the file.
    pub secrets_included: bool,
    /// A warning for whoever opens the file.
    pub warning: Option<String>,
    /// The fields.
    pub fields: Vec<HandoffField>,
}

/// The export document. With `include_secrets`, every secret is looked up and written, with a
/// warning in the file.
pub fn export(
    profile: &ProductProfile,
    facts: &HandoffFacts,
    secrets: SecretLookup<'_>,
    include_secrets: bool,
    now_unix: u64,
) -> ExportDocument {
    let reveal = if include_secrets {
        Reveal::All
    } else {
        Reveal::Nothing
    };
    let panel = panel(profile, facts, secrets, &reveal);
    ExportDocument {
        format: EXPORT_FORMAT,
        product_id: profile.product.id.clone(),
        product: profile.product.name.clone(),
        deployment: facts.target.deployment(),
        connection_url: facts.target.api_base().as_str().trim_end_matches('/').to_string(),
        exported_at: now_unix,
        secrets_included: include_secrets,
        warning: include_secrets.then(|| format!("This file holds secrets (tokens) for {}. Anyone who reads it can use them: import it into {} and then delete it.", facts.target.scope_phrase(), profile.product.name)),
        fields: panel.fields,
    }
}

/// A `{name}` that has no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{{{0}}} has no value: fill it in")]
pub struct MissingValue(pub String);

/// Replaces every `{name}` in `template` with `value(name)`.
pub fn render(
    template: &str,
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<String, MissingValue> {
    let mut out = template.to_string();
    for name in template_names(template) {
        let v = value(&name).ok_or_else(|| MissingValue(name.clone()))?;
        out = out.replace(&format!("{{{name}}}"), &v);
    }
    Ok(out)
}

/// A value that cannot go into a POST body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A `{name}` without a value.
    #[error(transparent)]
    Missing(#[from] MissingValue),
    /// An `integer` placeholder whose value is not a whole number.
    #[error("{{{name}}} must be a whole number, not {value:?}")]
    NotInteger {
        /// The placeholder.
        name: String,
        /// What it holds.
        value: String,
    },
}

/// Renders every string of a JSON template (so values are escaped by JSON, not by hand). A
/// string that is exactly `"{name}"` for an `integer` placeholder becomes a JSON number (DX's
/// `{"id": 456, …}`).
pub fn render_json(
    template: &serde_json::Value,
    profile: &ProductProfile,
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<serde_json::Value, RenderError> {
    Ok(match template {
        serde_json::Value::String(s) => {
            let whole = s
                .strip_prefix('{')
                .and_then(|r| r.strip_suffix('}'))
                .filter(|n| !n.contains(['{', '}']));
            match whole.and_then(|n| profile.placeholder(n)) {
                Some(p) if p.kind == PlaceholderKind::Integer => {
                    let v = value(&p.name).ok_or_else(|| MissingValue(p.name.clone()))?;
                    let n: i64 = v.trim().parse().map_err(|_| RenderError::NotInteger {
                        name: p.name.clone(),
                        value: v.clone(),
                    })?;
                    serde_json::Value::from(n)
                }
                _ => serde_json::Value::String(render(s, value)?),
            }
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(
            a.iter()
                .map(|v| render_json(v, profile, value))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(o) => serde_json::Value::Object(
            o.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, profile, value)?)))
                .collect::<Result<_, RenderError>>()?,
        ),
        other => other.clone(),
    })
}

/// The template names a JSON template uses.
pub fn json_template_names(template: &serde_json::Value) -> Vec<String> {
    let mut strings = Vec::new();
    collect_strings(template, &mut strings);
    let mut names: Vec<String> = strings.iter().flat_map(|s| template_names(s)).collect();
    names.sort();
    names.dedup();
    names
}

/// The value of a built-in template name or placeholder (`{organization}`, `{dx_url}`);
/// `{pat}`, `{connector}` and `{connector_label}` for `credential`.
pub fn template_value(
    name: &str,
    profile: &ProductProfile,
    facts: &HandoffFacts,
    credential: Option<&CredentialFact>,
    secrets: SecretLookup<'_>,
) -> Option<String> {
    if profile.placeholder(name).is_some() {
        return placeholder_value(profile, facts, name);
    }
    match name {
        "connector" => credential.map(|c| c.connector.clone()),
        "connector_label" => credential
            .and_then(|c| profile.connector(&c.connector))
            .map(|c| c.label.clone()),
        "pat" => credential.and_then(|c| {
            secrets(&SecretKey::Pat {
                connector: c.connector.clone(),
                index: c.index,
            })
        }),
        "client_secret" => secrets(&SecretKey::ClientSecret),
        "webhook_secret" => secrets(&SecretKey::WebhookSecret),
        _ => FieldSource::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .and_then(|s| plain_value(s, facts, profile)),
    }
}

/// The api-version to create service-hook subscriptions with, from the highest REST version a
/// server serves (`None`: 7.0 is served, Azure DevOps Server 2022 or Services): Server 2019
/// takes `5.0`, 2020 `6.0`.
pub fn hooks_api_version(max_server_api: Option<&str>) -> &'static str {
    let major = max_server_api.and_then(|v| v.split('.').next()?.trim().parse::<u32>().ok());
    match major {
        Some(2) => "2.0",
        Some(3) => "3.0",
        Some(4) => "4.0",
        Some(5) => "5.0",
        Some(6) => "6.0",
        _ => "7.0",
    }
}

/// `text` made safe for a `#` comment line: control characters and line breaks (including
/// Unicode's) become spaces, so a name cannot end the comment and start a command.
fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// A POSIX shell script that recreates `specs` with curl, at `api_version` (see
/// [`hooks_api_version`]): the PAT and the webhook secret come from the environment (`ADO_PAT`,
/// `WEBHOOK_SECRET`), the target from `ADO_URL` (defaulting to this connection's URL), so the
/// script holds no secret and can be kept. Names the profile or the server gave appear only in
/// comments, stripped of line breaks.
pub fn reproduction_script(
    profile: &ProductProfile,
    target: &ConnectionTarget,
    specs: &[(HookSpec, crate::ids::ProjectId)],
    api_version: &str,
) -> String {
    const MARK: &str = "@@ADO_CONNECT_WEBHOOK_SECRET@@";
    let base = target.api_base().as_str().trim_end_matches('/').to_string();
    let product = comment_text(&profile.product.name);
    let api_version: String = api_version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-".contains(*c))
        .collect();
    let mut s = format!(
        "#!/bin/sh\n# Recreates {product}'s webhook subscriptions ({} in all) in {}.\n# Needs: ADO_PAT (a PAT that may edit service-hook subscriptions) and WEBHOOK_SECRET\n# (the secret {product} checks). ADO_URL overrides the organization or collection URL.\nset -eu\n: \"${{ADO_PAT:?set ADO_PAT to a personal access token}}\"\n: \"${{WEBHOOK_SECRET:?set WEBHOOK_SECRET to the webhook secret}}\"\nADO_URL=\"${{ADO_URL:-{}}}\"\n",
        specs.len(),
        comment_text(&target.scope_phrase()),
        comment_text(&base).replace(['"', '$', '`', '\\', ' '], ""),
    );
    for (spec, project) in specs {
        let body = serde_json::to_string_pretty(&subscription_body(spec, MARK)).unwrap_or_default();
        // The body goes through an unquoted heredoc so that $WEBHOOK_SECRET expands; escape
        // everything else the shell would interpret. JSON writes control characters escaped.
        let escaped = body
            .replace('\\', "\\\\")
            .replace('$', "\\$")
            .replace('`', "\\`")
            .replace(MARK, "${WEBHOOK_SECRET}");
        s.push_str(&format!(
            "\n# {} in project {}\ncurl -sS --fail-with-body -u \":$ADO_PAT\" -H 'X-TFS-FedAuthRedirect: Suppress' \\\n  -H 'Content-Type: application/json' -X POST \\\n  \"$ADO_URL/_apis/hooks/subscriptions?api-version={api_version}\" --data-binary @- <<EOF\n{escaped}\nEOF\n",
            spec.event.event_type(),
            comment_text(project),
        ));
    }
    s
}
