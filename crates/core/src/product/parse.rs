//! Reading a profile: TOML into raw structs that keep each value's byte span, then validation
//! that turns every mistake into a [`ProfileError`] naming the line, the field (as a dotted path,
//! `webhooks.events[1]`) and the fix. All errors are collected, not just the first.

use toml::Spanned;

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

use super::raw::*;

/// Turns byte offsets into lines and columns.
struct Lines<'a>(&'a str);

impl Lines<'_> {
    fn at(&self, offset: usize) -> (usize, usize) {
        let before = &self.0[..offset.min(self.0.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
        (line, column)
    }
}

struct Errors<'a> {
    lines: Lines<'a>,
    list: Vec<ProfileError>,
}

impl Errors<'_> {
    fn at(
        &mut self,
        span: std::ops::Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        let (line, column) = self.lines.at(span.start);
        self.list.push(ProfileError {
            line,
            column,
            field: field.into(),
            message: message.into(),
        });
    }
}

/// Parses and validates a profile. Every error names its line and field.
pub fn parse_profile(text: &str) -> Result<ProductProfile, ProfileErrors> {
    let mut errors = Errors {
        lines: Lines(text),
        list: Vec::new(),
    };
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let field = key_at(text, span.start);
            errors.at(span, field, e.message().trim().to_string());
            return Err(ProfileErrors(errors.list));
        }
    };
    let profile = validate(raw, &mut errors);
    if errors.list.is_empty() {
        Ok(profile)
    } else {
        errors.list.sort_by_key(|e| (e.line, e.column));
        Err(ProfileErrors(errors.list))
    }
}

/// The key on the line at `offset` (`name = …` → `name`), or the table header.
fn key_at(text: &str, offset: usize) -> String {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let line = text[start..].lines().next().unwrap_or("").trim();
    match line.split_once('=') {
        Some((key, _)) => key.trim().to_string(),
        None => line
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_string(),
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn validate(raw: Raw, e: &mut Errors<'_>) -> ProductProfile {
    if *raw.format.get_ref() != FORMAT_VERSION {
        e.at(
            raw.format.span(),
            "format",
            format!(
                "this ADO Connect reads profile format {FORMAT_VERSION}, not {}; write `format = {FORMAT_VERSION}` or update ADO Connect",
                raw.format.get_ref()
            ),
        );
    }
    let product = validate_product(raw.product, e);
    let deployments = validate_deployments(raw.deployments, e);
    let sign_in = validate_sign_in(raw.sign_in, e);
    let connectors = validate_connectors(raw.access, raw.connectors, e);
    let placeholders = validate_placeholders(raw.placeholders, e);
    let webhooks = raw.webhooks.map(|w| validate_webhooks(w, &placeholders, e));
    let handoff = validate_handoff(raw.handoff, &product.name, &placeholders, &connectors, e);
    ProductProfile {
        format: *raw.format.get_ref(),
        product,
        deployments,
        sign_in,
        connectors,
        pat_expiry_required: raw.pat.expiry_required,
        placeholders,
        webhooks,
        handoff,
    }
}

fn validate_product(raw: RawProduct, e: &mut Errors<'_>) -> ProductInfo {
    if !is_id(raw.id.get_ref()) {
        e.at(raw.id.span(), "product.id", "use 1–40 lowercase letters, digits, `_` or `-` (it names keyring entries and files), e.g. `datafold`");
    }
    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        e.at(
            raw.name.span(),
            "product.name",
            "give the product's name as users know it (1–60 characters)",
        );
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
        } else if value.contains("://")
            || value.starts_with('/')
            || value.split(['/', '\\']).any(|p| p == "..")
        {
            e.at(logo.span(), "product.logo", "give a path relative to the profile's folder (no `..`, no absolute path, no URL) or a `data:image/…` URL");
        }
    }
    if let Some(url) = &raw.docs_url {
        if !url.get_ref().starts_with("https://") {
            e.at(url.span(), "product.docs_url", "use an https:// URL");
        }
    }
    ProductInfo {
        id: raw.id.into_inner(),
        name,
        logo: raw.logo.map(Spanned::into_inner),
        docs_url: raw.docs_url.map(Spanned::into_inner),
    }
}

fn validate_deployments(raw: RawDeployments, e: &mut Errors<'_>) -> Deployments {
    if !raw.services && !*raw.server.get_ref() {
        e.at(raw.server.span(), "deployments", "a product must support Services, Server or both: set `services = true` or `server = true`");
    }
    if let Some(v) = &raw.min_server_version {
        if ![2019, 2020, 2022].contains(v.get_ref()) {
            e.at(
                v.span(),
                "deployments.min_server_version",
                "use a release: 2019, 2020 or 2022",
            );
        } else if !*raw.server.get_ref() {
            e.at(
                v.span(),
                "deployments.min_server_version",
                "a minimum Server version needs `server = true`",
            );
        }
    }
    Deployments {
        services: raw.services,
        server: *raw.server.get_ref(),
        min_server_version: raw.min_server_version.map(Spanned::into_inner),
        reachable_from_outside: raw.reachable_from_outside,
        reachable_reason: raw.reachable_reason,
    }
}

fn validate_sign_in(raw: RawSignIn, e: &mut Errors<'_>) -> SignInRule {
    let names = SignInMethod::ALL.map(|m| m.name()).join(", ");
    let mut methods = Vec::new();
    for (i, m) in raw.methods.get_ref().iter().enumerate() {
        match SignInMethod::parse(m.get_ref()) {
            Some(method) if !methods.contains(&method) => methods.push(method),
            Some(_) => e.at(m.span(), format!("sign_in.methods[{i}]"), "listed twice"),
            None => e.at(
                m.span(),
                format!("sign_in.methods[{i}]"),
                format!(
                    "unknown sign-in method {:?}; use one of {names}",
                    m.get_ref()
                ),
            ),
        }
    }
    if raw.methods.get_ref().is_empty() {
        e.at(
            raw.methods.span(),
            "sign_in.methods",
            format!("list at least one of {names}"),
        );
    }
    let recommended = match SignInMethod::parse(raw.recommended.get_ref()) {
        Some(m) if methods.contains(&m) => m,
        Some(m) => {
            e.at(
                raw.recommended.span(),
                "sign_in.recommended",
                format!(
                    "{:?} is not among `methods`; add it there or recommend one of them",
                    m.name()
                ),
            );
            m
        }
        None => {
            e.at(
                raw.recommended.span(),
                "sign_in.recommended",
                format!("unknown sign-in method; use one of {names}"),
            );
            SignInMethod::Pat
        }
    };
    SignInRule {
        methods,
        recommended,
        note: raw.note,
    }
}

fn validate_connector(
    raw: RawConnector,
    path: &str,
    default_id: bool,
    e: &mut Errors<'_>,
) -> Connector {
    let id = match (&raw.id, default_id) {
        (Some(id), _) if is_id(id.get_ref()) => id.get_ref().clone(),
        (Some(id), _) => {
            e.at(
                id.span(),
                format!("{path}.id"),
                "use 1–40 lowercase letters, digits, `_` or `-`",
            );
            id.get_ref().clone()
        }
        (None, true) => "default".to_string(),
        (None, false) => {
            let span = raw
                .capabilities
                .first()
                .or(raw.scopes.first())
                .map(|s| s.span())
                .unwrap_or(0..0);
            e.at(
                span,
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
    if raw.capabilities.is_empty() && raw.scopes.is_empty() {
        let span = raw.id.as_ref().map(|i| i.span()).unwrap_or(0..0);
        e.at(
            span,
            path.to_string(),
            "list the `capabilities` or `scopes` this credential needs",
        );
    }
    Connector {
        label: raw.label.unwrap_or_else(|| {
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
    }
}

fn validate_connectors(
    access: Option<RawConnector>,
    connectors: Vec<RawConnector>,
    e: &mut Errors<'_>,
) -> Vec<Connector> {
    match (access, connectors.is_empty()) {
        (Some(a), true) => vec![validate_connector(a, "access", true, e)],
        (Some(a), false) => {
            let span = a
                .capabilities
                .first()
                .or(a.scopes.first())
                .map(|s| s.span())
                .unwrap_or(0..0);
            e.at(
                span,
                "access",
                "use either `[access]` (one credential) or `[[connectors]]` (several), not both",
            );
            Vec::new()
        }
        (None, true) => {
            e.at(0..0, "access", "say what the product needs: an `[access]` table with `capabilities` and/or `scopes`, or `[[connectors]]`");
            Vec::new()
        }
        (None, false) => {
            let mut seen: Vec<String> = Vec::new();
            let mut out = Vec::new();
            for (i, raw) in connectors.into_iter().enumerate() {
                let span = raw.id.as_ref().map(|s| s.span());
                let c = validate_connector(raw, &format!("connectors[{i}]"), false, e);
                if seen.contains(&c.id) {
                    e.at(
                        span.unwrap_or(0..0),
                        format!("connectors[{i}].id"),
                        format!("connector id {:?} is used twice", c.id),
                    );
                }
                seen.push(c.id.clone());
                out.push(c);
            }
            out
        }
    }
}

fn validate_placeholders(raw: Vec<RawPlaceholder>, e: &mut Errors<'_>) -> Vec<Placeholder> {
    let mut out: Vec<Placeholder> = Vec::new();
    for (i, p) in raw.into_iter().enumerate() {
        let name = p.name.get_ref();
        let reserved = FieldSource::ALL.iter().any(|s| s.name() == name)
            || ["connector", "connector_label"].contains(&name.as_str());
        if !is_id(name) || name.contains('-') {
            e.at(
                p.name.span(),
                format!("placeholders[{i}].name"),
                "use lowercase letters, digits and `_`, e.g. `dx_url`",
            );
        } else if reserved {
            e.at(
                p.name.span(),
                format!("placeholders[{i}].name"),
                format!("{name:?} is a built-in template value; choose another name"),
            );
        } else if out.iter().any(|o| &o.name == name) {
            e.at(
                p.name.span(),
                format!("placeholders[{i}].name"),
                "declared twice",
            );
        }
        out.push(Placeholder {
            name: p.name.into_inner(),
            label: p.label,
            default: p.default,
            example: p.example,
        });
    }
    out
}

/// The `{names}` in a template.
pub(crate) fn template_names(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    names
}

fn check_template(
    span: std::ops::Range<usize>,
    field: &str,
    template: &str,
    placeholders: &[Placeholder],
    allowed_builtin: &[&str],
    e: &mut Errors<'_>,
) {
    for name in template_names(template) {
        let builtin = allowed_builtin.contains(&name.as_str());
        if !builtin && !placeholders.iter().any(|p| p.name == name) {
            e.at(span.clone(), field, format!("{{{name}}} is not declared: add a `[[placeholders]]` entry with `name = \"{name}\"` and a label"));
        }
    }
}

fn validate_webhooks(
    raw: RawWebhooks,
    placeholders: &[Placeholder],
    e: &mut Errors<'_>,
) -> WebhookRule {
    let mut events = Vec::new();
    for (i, ev) in raw.events.get_ref().iter().enumerate() {
        match EventKind::from_event_type(ev.get_ref()) {
            Some(kind) if !events.contains(&kind) => events.push(kind),
            Some(_) => e.at(ev.span(), format!("webhooks.events[{i}]"), "listed twice"),
            None => e.at(
                ev.span(),
                format!("webhooks.events[{i}]"),
                format!(
                    "unknown event {:?}; use one of {}",
                    ev.get_ref(),
                    EventKind::ALL
                        .iter()
                        .map(|k| k.event_type())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    if raw.events.get_ref().is_empty() {
        e.at(
            raw.events.span(),
            "webhooks.events",
            "list at least one event",
        );
    }
    let scope = match raw.scope.get_ref().as_str() {
        "each_project" => HookScope::EachProject,
        "chosen_repositories" => HookScope::ChosenRepositories,
        _ => {
            e.at(
                raw.scope.span(),
                "webhooks.scope",
                "use `each_project` or `chosen_repositories`",
            );
            HookScope::EachProject
        }
    };
    let url = raw.url.get_ref();
    check_template(raw.url.span(), "webhooks.url", url, placeholders, &[], e);
    if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('{')) {
        e.at(raw.url.span(), "webhooks.url", "give the receiver URL (https://…) or a template starting with a placeholder, e.g. `{dx_url}/webhooks/ado`");
    }
    if let Err(why) = crate::webhook::validate_header_name(raw.header.get_ref()) {
        e.at(raw.header.span(), "webhooks.header", why);
    }
    let secret = match raw.secret.get_ref().as_str() {
        "wizard" => SecretOrigin::Wizard,
        "product" => SecretOrigin::Product,
        _ => {
            e.at(
                raw.secret.span(),
                "webhooks.secret",
                "use `wizard` (ADO Connect generates it) or `product` (the product gives it)",
            );
            SecretOrigin::Wizard
        }
    };
    WebhookRule {
        events,
        scope,
        url: raw.url.into_inner(),
        header: raw.header.into_inner(),
        secret,
    }
}

fn validate_handoff(
    raw: RawHandoff,
    product: &str,
    placeholders: &[Placeholder],
    connectors: &[Connector],
    e: &mut Errors<'_>,
) -> HandoffRule {
    let mut fields = Vec::new();
    if raw.fields.get_ref().is_empty() {
        e.at(
            raw.fields.span(),
            "handoff.fields",
            "list the fields the product's form asks for",
        );
    }
    for (i, f) in raw.fields.into_inner().into_iter().enumerate() {
        let path = format!("handoff.fields[{i}]");
        let source = FieldSource::parse(f.source.get_ref()).unwrap_or_else(|| {
            e.at(
                f.source.span(),
                format!("{path}.source"),
                format!(
                    "unknown source {:?}; use one of {}",
                    f.source.get_ref(),
                    FieldSource::ALL
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            FieldSource::Organization
        });
        if f.label.get_ref().trim().is_empty() {
            e.at(
                f.label.span(),
                format!("{path}.label"),
                "give the label the product's form uses",
            );
        }
        match (&f.placeholder, source) {
            (None, FieldSource::Placeholder) => e.at(
                f.source.span(),
                format!("{path}.placeholder"),
                "name the placeholder this field shows",
            ),
            (Some(p), FieldSource::Placeholder)
                if !placeholders.iter().any(|d| &d.name == p.get_ref()) =>
            {
                e.at(
                    p.span(),
                    format!("{path}.placeholder"),
                    format!("{:?} is not declared in `[[placeholders]]`", p.get_ref()),
                )
            }
            (Some(p), s) if s != FieldSource::Placeholder => e.at(
                p.span(),
                format!("{path}.placeholder"),
                "only `source = \"placeholder\"` takes a placeholder",
            ),
            _ => {}
        }
        let deployment = f
            .deployment
            .as_ref()
            .and_then(|d| match d.get_ref().as_str() {
                "services" => Some(Deployment::Services),
                "server" => Some(Deployment::Server),
                _ => {
                    e.at(
                        d.span(),
                        format!("{path}.deployment"),
                        "use `services` or `server`",
                    );
                    None
                }
            });
        fields.push(FieldRule {
            source,
            label: f.label.into_inner(),
            placeholder: f.placeholder.map(Spanned::into_inner),
            deployment,
            optional: f.optional,
        });
    }
    let post = raw.post.map(|p| {
        let url = p.url.get_ref();
        check_template(p.url.span(), "handoff.post.url", url, placeholders, &[], e);
        if !(url.starts_with("https://") || url.starts_with('{')) {
            e.at(
                p.url.span(),
                "handoff.post.url",
                "the product's API must be https:// (the token and the PAT travel in it)",
            );
        }
        let secret_name = |n: &String| FieldSource::parse(n).is_some_and(FieldSource::is_secret);
        if template_names(url).iter().any(secret_name) {
            e.at(
                p.url.span(),
                "handoff.post.url",
                "a secret may not be part of a URL (URLs end up in logs and proxies); put it in `body`",
            );
        }
        let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if p.auth_header.is_empty() || !p.auth_header.chars().all(token_char) {
            e.at(
                p.url.span(),
                "handoff.post.auth_header",
                "use an HTTP header name, e.g. `Authorization`",
            );
        }
        let body = serde_json::to_value(p.body.get_ref()).unwrap_or_default();
        let mut builtin: Vec<&str> = FieldSource::ALL.iter().map(|s| s.name()).collect();
        builtin.extend(["connector", "connector_label"]);
        let mut strings = Vec::new();
        collect_strings(&body, &mut strings);
        for s in &strings {
            check_template(
                p.body.span(),
                "handoff.post.body",
                s,
                placeholders,
                &builtin,
                e,
            );
        }
        if p.per_credential && connectors.is_empty() {
            e.at(
                p.url.span(),
                "handoff.post.per_credential",
                "needs at least one connector",
            );
        }
        PostRule {
            url: p.url.into_inner(),
            auth_header: p.auth_header,
            auth_prefix: p.auth_prefix,
            token_label: p.token_label,
            body,
            per_credential: p.per_credential,
        }
    });
    HandoffRule {
        title: raw.title.unwrap_or_else(|| format!("Paste into {product}")),
        fields,
        post,
    }
}

pub(crate) fn collect_strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
