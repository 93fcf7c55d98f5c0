//! The hand-off, pure: which fields a product gets and under which labels, the export document,
//! the POST bodies rendered from the profile's template, and the shell script that recreates the
//! webhook subscriptions. Secret values come in through a lookup the caller owns (the flows read
//! them from the keyring), and go out only where asked: a panel field the user chose to reveal,
//! an export the user opted into, a POST body.

use std::collections::BTreeMap;

use serde::Serialize;

use super::parse::{collect_strings, template_names};
use super::{FieldSource, ProductProfile};
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
            .and_then(|w| render(&w.url, &|n| facts.placeholders.get(n).cloned()).ok()),
        FieldSource::WebhookHeader => profile.webhooks.as_ref().map(|w| w.header.clone()),
        FieldSource::Pat
        | FieldSource::ClientSecret
        | FieldSource::WebhookSecret
        | FieldSource::Placeholder => None,
    }
}

/// The panel's fields. Secrets are looked up only for the fields `reveal` names.
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
    for rule in &profile.handoff.fields {
        if rule.deployment.is_some_and(|d| d != deployment) {
            continue;
        }
        match rule.source {
            FieldSource::Pat => {
                for c in &facts.credentials {
                    let connector = profile.connector(&c.connector);
                    let several = facts
                        .credentials
                        .iter()
                        .filter(|o| o.connector == c.connector)
                        .count()
                        > 1;
                    let mut label = rule.label.clone();
                    if profile.connectors.len() > 1 {
                        label.push_str(&format!(
                            " ({})",
                            connector.map(|k| k.label.as_str()).unwrap_or(&c.connector)
                        ));
                    }
                    if several {
                        label.push_str(&format!(" #{}", c.index + 1));
                    }
                    let key = format!("pat:{}:{}", c.connector, c.index);
                    let value = shows(&key)
                        .then(|| {
                            secrets(&SecretKey::Pat {
                                connector: c.connector.clone(),
                                index: c.index,
                            })
                        })
                        .flatten();
                    fields.push(HandoffField {
                        key,
                        label,
                        source: rule.source,
                        connector: Some(c.connector.clone()),
                        value,
                        secret: true,
                        optional: rule.optional,
                    });
                }
            }
            source => {
                let key = match (&rule.placeholder, source) {
                    (Some(p), FieldSource::Placeholder) => format!("placeholder:{p}"),
                    _ => source.name().to_string(),
                };
                let value = match source {
                    FieldSource::ClientSecret => shows(&key)
                        .then(|| secrets(&SecretKey::ClientSecret))
                        .flatten(),
                    FieldSource::WebhookSecret => shows(&key)
                        .then(|| secrets(&SecretKey::WebhookSecret))
                        .flatten(),
                    FieldSource::Placeholder => rule
                        .placeholder
                        .as_ref()
                        .and_then(|p| facts.placeholders.get(p).cloned()),
                    _ => plain_value(source, facts, profile),
                };
                fields.push(HandoffField {
                    key,
                    label: rule.label.clone(),
                    source,
                    connector: None,
                    value,
                    secret: source.is_secret(),
                    optional: rule.optional,
                });
            }
        }
    }
    HandoffPanel {
        product: profile.product.name.clone(),
        title: profile.handoff.title.clone(),
        fields,
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

/// Renders every string of a JSON template (so values are escaped by JSON, not by hand).
pub fn render_json(
    template: &serde_json::Value,
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<serde_json::Value, MissingValue> {
    Ok(match template {
        serde_json::Value::String(s) => serde_json::Value::String(render(s, value)?),
        serde_json::Value::Array(a) => serde_json::Value::Array(
            a.iter()
                .map(|v| render_json(v, value))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(o) => serde_json::Value::Object(
            o.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, value)?)))
                .collect::<Result<_, MissingValue>>()?,
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
    if let Some(v) = facts.placeholders.get(name) {
        return Some(v.clone());
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

/// A POSIX shell script that recreates `specs` with curl: the PAT and the webhook secret come
/// from the environment (`ADO_PAT`, `WEBHOOK_SECRET`), the target from `ADO_URL` (defaulting to
/// this connection's URL), so the script holds no secret and can be kept.
pub fn reproduction_script(
    profile: &ProductProfile,
    target: &ConnectionTarget,
    specs: &[(HookSpec, crate::ids::ProjectId)],
) -> String {
    const MARK: &str = "@@ADO_CONNECT_WEBHOOK_SECRET@@";
    let base = target.api_base().as_str().trim_end_matches('/').to_string();
    let mut s = format!(
        "#!/bin/sh\n# Recreates {}'s webhook subscriptions ({} in all) in {}.\n# Needs: ADO_PAT (a PAT that may edit service-hook subscriptions) and WEBHOOK_SECRET\n# (the secret {} checks). ADO_URL overrides the organization or collection URL.\nset -eu\n: \"${{ADO_PAT:?set ADO_PAT to a personal access token}}\"\n: \"${{WEBHOOK_SECRET:?set WEBHOOK_SECRET to the webhook secret}}\"\nADO_URL=\"${{ADO_URL:-{}}}\"\n",
        profile.product.name,
        specs.len(),
        target.scope_phrase(),
        profile.product.name,
        base.replace(['"', '$', '`', '\\'], ""),
    );
    for (spec, project) in specs {
        let body = serde_json::to_string_pretty(&subscription_body(spec, MARK)).unwrap_or_default();
        // The body goes through an unquoted heredoc so that $WEBHOOK_SECRET expands; escape
        // everything else the shell would interpret.
        let escaped = body
            .replace('\\', "\\\\")
            .replace('$', "\\$")
            .replace('`', "\\`")
            .replace(MARK, "${WEBHOOK_SECRET}");
        s.push_str(&format!(
            "\n# {} in project {}\ncurl -sS --fail-with-body -u \":$ADO_PAT\" -H 'X-TFS-FedAuthRedirect: Suppress' \\\n  -H 'Content-Type: application/json' -X POST \\\n  \"$ADO_URL/_apis/hooks/subscriptions?api-version=7.0\" --data-binary @- <<EOF\n{escaped}\nEOF\n",
            spec.event.event_type(),
            project.replace('\n', " "),
        ));
    }
    s
}
