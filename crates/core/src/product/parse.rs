//! Reading a profile: the TOML's syntax checked statement by statement (`syntax.rs`), read by
//! hand with every value's position (`read.rs`, `raw.rs`), then validated here and in
//! `rules.rs`, so that every mistake becomes a [`ProfileError`] naming the line, the column, the
//! field (as a dotted path, `webhooks.events[1]`) and the fix. All of them are collected, in
//! file order, not just the first.

use toml::de::DeTable;
use toml::Spanned;

use super::raw::*;
use super::read::{Errors, Span, Table, S};
use super::*;

/// One mistake in a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("line {line}: {field}: {message}")]
pub struct ProfileError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field at fault, e.g. `webhooks.events[1]`.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Every mistake found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ProfileErrors(pub Vec<ProfileError>);

/// Parses and validates a profile. Every mistake is reported, each naming its line, column and
/// field: TOML syntax, wrong types, unknown and missing keys, and values the format refuses.
pub fn parse_profile(text: &str) -> Result<ProductProfile, ProfileErrors> {
    let cleaned = super::syntax::clean(text);
    let mut errors = Errors::new(text, cleaned.broken);
    // What is still wrong after the broken statements were blanked was reported by `clean`.
    let (doc, _) = DeTable::parse_recoverable(&cleaned.text);
    let raw = read(Table::root(&doc), &mut errors);
    let profile = validate(raw, &mut errors);
    let mut list = errors.list;
    if list.is_empty() {
        return Ok(profile);
    }
    list.sort_by_key(|e| (e.line, e.column));
    list.dedup();
    Err(ProfileErrors(list))
}

pub(super) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// `services` or `server`.
pub(super) fn deployment(value: &S<String>, path: &str, e: &mut Errors<'_>) -> Option<Deployment> {
    match value.get_ref().as_str() {
        "services" => Some(Deployment::Services),
        "server" => Some(Deployment::Server),
        _ => {
            e.at(value.span(), path, "use `services` or `server`");
            None
        }
    }
}

/// Sign-in method names, each known and listed once.
pub(super) fn methods(list: &[S<String>], path: &str, e: &mut Errors<'_>) -> Vec<SignInMethod> {
    let names = SignInMethod::ALL.map(|m| m.name()).join(", ");
    let mut out = Vec::new();
    for (i, m) in list.iter().enumerate() {
        match SignInMethod::parse(m.get_ref()) {
            Some(method) if !out.contains(&method) => out.push(method),
            Some(_) => e.at(m.span(), format!("{path}[{i}]"), "listed twice"),
            None => e.at(
                m.span(),
                format!("{path}[{i}]"),
                format!(
                    "unknown sign-in method {:?}; use one of {names}",
                    m.get_ref()
                ),
            ),
        }
    }
    out
}

fn validate(raw: Raw, e: &mut Errors<'_>) -> ProductProfile {
    if let Some(format) = &raw.format {
        if *format.get_ref() != i64::from(FORMAT_VERSION) {
            e.at(
                format.span(),
                "format",
                format!(
                    "this ADO Connect reads profile format {FORMAT_VERSION}, not {}; write `format = {FORMAT_VERSION}` or update ADO Connect",
                    format.get_ref()
                ),
            );
        }
    }
    let product = raw
        .product
        .map(|p| validate_product(p, e))
        .unwrap_or(ProductInfo {
            id: String::new(),
            name: String::new(),
            logo: None,
            docs_url: None,
        });
    let deployments = validate_deployments(raw.deployments, e);
    let (sign_in, sign_in_services, sign_in_server) =
        validate_sign_in(raw.sign_in, &deployments, e);
    let one_per_connector = raw.pat.as_ref().and_then(|p| p.one_per_connector.clone());
    if let Some(flag) = &one_per_connector {
        if *flag.get_ref() && raw.connectors.is_none() {
            e.at(
                flag.span(),
                "pat.one_per_connector",
                "one token per connector needs `[[connectors]]`; with `[access]` there is one credential",
            );
        }
    }
    let connectors = validate_connectors(raw.access, raw.connectors, e);
    let placeholders = validate_placeholders(raw.placeholders, e);
    let mut profile = ProductProfile {
        format: FORMAT_VERSION,
        origin: None,
        product,
        deployments,
        sign_in,
        sign_in_services,
        sign_in_server,
        connectors,
        pat_expiry_required: raw
            .pat
            .as_ref()
            .and_then(|p| p.expiry_required.as_ref())
            .is_some_and(|b| *b.get_ref()),
        pat_one_per_connector: one_per_connector.is_some_and(|b| *b.get_ref()),
        placeholders,
        verification: None,
        webhooks: None,
        handoff: HandoffRule {
            title: String::new(),
            fields: Vec::new(),
            guides: Vec::new(),
            post: None,
        },
    };
    profile.verification = raw
        .verification
        .map(|v| super::rules::verification(v, &profile, e));
    profile.webhooks = raw.webhooks.map(|w| super::rules::webhooks(w, &profile, e));
    profile.handoff = super::rules::handoff(raw.handoff, &profile, e);
    profile
}

fn validate_product(raw: RawProduct, e: &mut Errors<'_>) -> ProductInfo {
    if let Some(id) = &raw.id {
        if !is_id(id.get_ref()) {
            e.at(id.span(), "product.id", "use 1–40 lowercase letters, digits, `_` or `-` (it names keyring entries and files), e.g. `datafold`");
        }
    }
    let name = raw.name.as_ref().map(|n| n.get_ref().trim().to_string());
    if let (Some(n), Some(raw_name)) = (&name, &raw.name) {
        if n.is_empty() || n.chars().count() > 60 {
            e.at(
                raw_name.span(),
                "product.name",
                "give the product's name as users know it (1–60 characters)",
            );
        }
    }
    if let Some(logo) = &raw.logo {
        let value = logo.get_ref();
        if value.starts_with("data:") {
            if !value.starts_with("data:image/") || !value.contains(";base64,") {
                e.at(
                    logo.span(),
                    "product.logo",
                    "a data URL must be `data:image/…;base64,…`",
                );
            } else if value.len() > MAX_LOGO_BYTES * 4 / 3 + 64 {
                e.at(
                    logo.span(),
                    "product.logo",
                    format!(
                        "the logo is larger than {} KiB; use a smaller image",
                        MAX_LOGO_BYTES / 1024
                    ),
                );
            }
        } else if !is_plain_relative_path(value) {
            e.at(logo.span(), "product.logo", "give a plain path relative to the profile's folder (letters, digits, `.`, `_`, `-`, space and `/`; no `..`, `\\`, drive, share, absolute path or URL) or a `data:image/…` URL");
        }
    }
    if let Some(url) = &raw.docs_url {
        if !url.get_ref().starts_with("https://") || url::Url::parse(url.get_ref()).is_err() {
            e.at(url.span(), "product.docs_url", "use an https:// URL");
        }
    }
    ProductInfo {
        id: raw.id.map(Spanned::into_inner).unwrap_or_default(),
        name: name.unwrap_or_default(),
        logo: raw.logo.map(Spanned::into_inner),
        docs_url: raw.docs_url.map(Spanned::into_inner),
    }
}

/// A plain relative path inside a folder on every OS: `/`-separated parts of letters, digits,
/// `.`, `_`, `-` and space, none `.` or `..` (so no absolute path, drive `C:`, UNC share
/// `\\host\share`, backslash or URL).
pub fn is_plain_relative_path(value: &str) -> bool {
    value.len() <= 255
        && value.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' '))
        })
}

fn validate_deployments(raw: Option<RawDeployments>, e: &mut Errors<'_>) -> Deployments {
    let Some(raw) = raw else {
        return Deployments {
            services: false,
            server: false,
            min_server_version: None,
            reachable_from_outside: false,
            reachable_reason: None,
            bare_server_url: false,
        };
    };
    let on = |b: &Option<S<bool>>| b.as_ref().is_some_and(|b| *b.get_ref());
    let (services, server) = (on(&raw.services), on(&raw.server));
    if raw.services.is_some() && raw.server.is_some() && !services && !server {
        e.at(raw.span.clone(), "deployments", "a product must support Services, Server or both: set `services = true` or `server = true`");
    }
    let server_only = |e: &mut Errors<'_>, span: Span, key: &str, what: &str| {
        if raw.server.is_some() && !server {
            e.at(
                span,
                format!("deployments.{key}"),
                format!("{what} is about Azure DevOps Server: it needs `server = true`"),
            );
        }
    };
    let mut min_server_version = None;
    if let Some(v) = &raw.min_server_version {
        if ![2019, 2020, 2022].contains(v.get_ref()) {
            e.at(
                v.span(),
                "deployments.min_server_version",
                "use a release: 2019, 2020 or 2022",
            );
        } else {
            min_server_version = u32::try_from(*v.get_ref()).ok();
            server_only(
                e,
                v.span(),
                "min_server_version",
                "a minimum Server version",
            );
        }
    }
    if let Some(b) = raw.reachable_from_outside.as_ref().filter(|b| *b.get_ref()) {
        server_only(
            e,
            b.span(),
            "reachable_from_outside",
            "reachability from outside",
        );
    }
    if let Some(b) = raw.bare_server_url.as_ref().filter(|b| *b.get_ref()) {
        server_only(
            e,
            b.span(),
            "bare_server_url",
            "a server URL without a path",
        );
    }
    Deployments {
        services,
        server,
        min_server_version,
        reachable_from_outside: on(&raw.reachable_from_outside),
        reachable_reason: raw.reachable_reason.map(Spanned::into_inner),
        bare_server_url: on(&raw.bare_server_url),
    }
}

fn validate_rule(raw: &RawSignIn, e: &mut Errors<'_>) -> Option<SignInRule> {
    let path = &raw.path;
    let list = raw.methods.as_ref()?;
    let names = SignInMethod::ALL.map(|m| m.name()).join(", ");
    let methods = methods(list.get_ref(), &format!("{path}.methods"), e);
    if list.get_ref().is_empty() {
        e.at(
            list.span(),
            format!("{path}.methods"),
            format!("list at least one of {names}"),
        );
    }
    let rec = raw.recommended.as_ref()?;
    let recommended = match SignInMethod::parse(rec.get_ref()) {
        Some(m) if methods.contains(&m) => m,
        Some(m) => {
            if methods.len() == list.get_ref().len() {
                e.at(
                    rec.span(),
                    format!("{path}.recommended"),
                    format!(
                        "{:?} is not among `methods` of `{path}`; add it there or recommend one of them",
                        m.name()
                    ),
                );
            }
            m
        }
        None => {
            e.at(
                rec.span(),
                format!("{path}.recommended"),
                format!(
                    "unknown sign-in method {:?}; use one of {names}",
                    rec.get_ref()
                ),
            );
            return None;
        }
    };
    Some(SignInRule {
        methods,
        recommended,
        note: raw.note.as_ref().map(|n| n.get_ref().clone()),
    })
}

fn validate_sign_in(
    raw: Option<RawSignIn>,
    deployments: &Deployments,
    e: &mut Errors<'_>,
) -> (SignInRule, Option<SignInRule>, Option<SignInRule>) {
    let fallback = SignInRule {
        methods: Vec::new(),
        recommended: SignInMethod::Pat,
        note: None,
    };
    let Some(raw) = raw else {
        return (fallback, None, None);
    };
    let top = validate_rule(&raw, e).unwrap_or(fallback);
    let mut sub = |over: &Option<Box<RawSignIn>>, supported: bool, d: Deployment| {
        let over = over.as_ref()?;
        if !supported {
            e.at(
                over.span.clone(),
                over.path.clone(),
                format!(
                    "the profile does not support {} (`[deployments]`); remove `[{}]` or support it",
                    d.display_name(),
                    over.path
                ),
            );
        }
        validate_rule(over, e)
    };
    let services = sub(&raw.services, deployments.services, Deployment::Services);
    let server = sub(&raw.server, deployments.server, Deployment::Server);
    (top, services, server)
}

fn validate_connector(raw: RawConnector, default_id: bool, e: &mut Errors<'_>) -> Connector {
    let path = raw.path.as_str();
    let id = match (&raw.id, default_id) {
        (Some(id), _) => {
            if !is_id(id.get_ref()) {
                e.at(
                    id.span(),
                    format!("{path}.id"),
                    "use 1–40 lowercase letters, digits, `_` or `-`",
                );
            }
            id.get_ref().clone()
        }
        (None, true) => "default".to_string(),
        (None, false) => {
            e.missing(
                raw.span.clone(),
                format!("{path}.id"),
                "each connector needs an `id`, e.g. `boards`",
            );
            String::new()
        }
    };
    let mut capabilities = Vec::new();
    for (i, c) in raw.capabilities.iter().enumerate() {
        match Capability::from_cli_name(c.get_ref()) {
            Some(cap) => capabilities.push(cap),
            None => e.at(
                c.span(),
                format!("{path}.capabilities[{i}]"),
                format!(
                    "unknown capability {:?}; use repos, pulls, pipelines, boards or webhooks",
                    c.get_ref()
                ),
            ),
        }
    }
    let mut scopes = Vec::new();
    for (i, s) in raw.scopes.iter().enumerate() {
        match known_scope(s.get_ref()) {
            Some(scope) if scopes.contains(&scope) => {
                e.at(s.span(), format!("{path}.scopes[{i}]"), "listed twice")
            }
            Some(scope) => scopes.push(scope),
            None => e.at(
                s.span(),
                format!("{path}.scopes[{i}]"),
                format!(
                    "unknown scope {:?}; use one of {}",
                    s.get_ref(),
                    KNOWN_SCOPES
                        .iter()
                        .map(|s| s.id)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    let mut permissions = Vec::new();
    for (i, p) in raw.permissions.iter().enumerate() {
        match Permission::parse(p.get_ref()) {
            Some(perm) if !permissions.contains(&perm) => permissions.push(perm),
            Some(_) => e.at(p.span(), format!("{path}.permissions[{i}]"), "listed twice"),
            None => e.at(
                p.span(),
                format!("{path}.permissions[{i}]"),
                format!(
                    "unknown permission {:?}; use one of {}",
                    p.get_ref(),
                    Permission::ALL.map(|p| p.name()).join(", ")
                ),
            ),
        }
    }
    if raw.capabilities.is_empty() && raw.scopes.is_empty() && !e.any_under(&[path]) {
        e.at(
            raw.span.clone(),
            path.to_string(),
            "list the `capabilities` or `scopes` this credential needs",
        );
    }
    Connector {
        label: raw.label.map(Spanned::into_inner).unwrap_or_else(|| {
            if default_id {
                "Connection".into()
            } else {
                id.clone()
            }
        }),
        id,
        capabilities,
        scopes,
        several_credentials: raw.several_credentials,
        permissions,
    }
}

fn validate_connectors(
    access: Option<RawConnector>,
    connectors: Option<S<Vec<RawConnector>>>,
    e: &mut Errors<'_>,
) -> Vec<Connector> {
    match (access, connectors) {
        (Some(a), None) => vec![validate_connector(a, true, e)],
        (Some(a), Some(_)) => {
            e.at(
                a.span,
                "access",
                "use either `[access]` (one credential) or `[[connectors]]` (several), not both",
            );
            Vec::new()
        }
        // A broken `[[connectors]]` header was reported already.
        (None, None) if e.is_broken("connectors[0]") => Vec::new(),
        (None, None) => {
            e.missing(0..0, "access".into(), "say what the product needs: an `[access]` table with `capabilities` and/or `scopes`, or `[[connectors]]`");
            Vec::new()
        }
        (None, Some(list)) => {
            if list.get_ref().is_empty() {
                e.at(list.span(), "connectors", "list at least one connector");
            }
            let mut out: Vec<Connector> = Vec::new();
            for raw in list.into_inner() {
                let (span, path) = (raw.id.as_ref().map(|s| s.span()), raw.path.clone());
                let c = validate_connector(raw, false, e);
                if !c.id.is_empty() && out.iter().any(|o| o.id == c.id) {
                    e.at(
                        span.unwrap_or(0..0),
                        format!("{path}.id"),
                        format!("connector id {:?} is used twice", c.id),
                    );
                }
                out.push(c);
            }
            out
        }
    }
}

fn validate_placeholders(raw: Vec<RawPlaceholder>, e: &mut Errors<'_>) -> Vec<Placeholder> {
    let mut out: Vec<Placeholder> = Vec::new();
    for p in raw {
        let path = &p.path;
        let name = p
            .name
            .as_ref()
            .map(|n| n.get_ref().clone())
            .unwrap_or_default();
        if let Some(n) = &p.name {
            let reserved = FieldSource::ALL.iter().any(|s| s.name() == name)
                || ["connector", "connector_label"].contains(&name.as_str())
                || VERIFY_TEMPLATE_NAMES.contains(&name.as_str());
            if !is_id(&name) || name.contains('-') {
                e.at(
                    n.span(),
                    format!("{path}.name"),
                    "use lowercase letters, digits and `_`, e.g. `dx_url`",
                );
            } else if reserved {
                e.at(
                    n.span(),
                    format!("{path}.name"),
                    format!("{name:?} is a built-in template value; choose another name"),
                );
            } else if out.iter().any(|o| o.name == name) {
                e.at(n.span(), format!("{path}.name"), "declared twice");
            }
        }
        if let Some(label) = p.label.as_ref().filter(|l| l.get_ref().trim().is_empty()) {
            e.at(
                label.span(),
                format!("{path}.label"),
                "give the label the product's form uses",
            );
        }
        let kind = match p.kind.as_ref().map(|k| k.get_ref().as_str()) {
            None | Some("text") => PlaceholderKind::Text,
            Some("url") => PlaceholderKind::Url,
            Some("integer") => PlaceholderKind::Integer,
            Some(_) => {
                let k = p.kind.as_ref().map(|k| k.span()).unwrap_or(0..0);
                e.at(k, format!("{path}.kind"), "use `text`, `url` or `integer`");
                PlaceholderKind::Text
            }
        };
        let mut placeholder = Placeholder {
            name,
            label: p.label.map(Spanned::into_inner).unwrap_or_default(),
            default: None,
            example: None,
            kind,
        };
        for (key, value) in [("default", &p.default), ("example", &p.example)] {
            if let Some(v) = value {
                if let Err(why) = super::handoff::check_placeholder_value(&placeholder, v.get_ref())
                {
                    e.at(
                        v.span(),
                        format!("{path}.{key}"),
                        format!("does not fit `kind`: {why}"),
                    );
                }
            }
        }
        placeholder.default = p.default.map(Spanned::into_inner);
        placeholder.example = p.example.map(Spanned::into_inner);
        out.push(placeholder);
    }
    out
}
