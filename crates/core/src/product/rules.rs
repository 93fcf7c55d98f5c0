//! Validation of the parts of a profile that refer to other parts: `[verification]` (its calls
//! name connectors), `[webhooks]` (templates over placeholders), `[handoff]` (fields and guides
//! per deployment and sign-in method), and the rule that every way in ends in a hand-off.

use toml::Spanned;

use super::parse::{deployment, methods};
use super::raw::*;
use super::read::{Errors, Span, S};
use super::*;

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

pub(crate) fn collect_strings<'v>(value: &'v serde_json::Value, out: &mut Vec<&'v str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

fn check_template(
    span: Span,
    field: &str,
    template: &str,
    placeholders: &[Placeholder],
    builtin: &[&str],
    e: &mut Errors<'_>,
) {
    for name in template_names(template) {
        if !builtin.contains(&name.as_str()) && !placeholders.iter().any(|p| p.name == name) {
            e.at(span.clone(), field, format!("{{{name}}} is not declared: add a `[[placeholders]]` entry with `name = \"{name}\"` and a label"));
        }
    }
}

/// The deployments the product supports.
fn supported(p: &ProductProfile) -> Vec<Deployment> {
    let mut out = Vec::new();
    if p.deployments.services {
        out.push(Deployment::Services);
    }
    if p.deployments.server {
        out.push(Deployment::Server);
    }
    out
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

fn is_api_version(s: &str) -> bool {
    let (number, preview) = match s.split_once("-preview") {
        Some((n, rest)) => (n, Some(rest)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let number_ok = number
        .split_once('.')
        .is_some_and(|(a, b)| digits(a) && digits(b));
    let preview_ok =
        preview.is_none_or(|r| r.is_empty() || r.strip_prefix('.').is_some_and(digits));
    number_ok && preview_ok
}

/// What is wrong with a verification call's `get`, if anything.
fn check_get(get: &str) -> Result<(), String> {
    if get.trim().is_empty() {
        return Err("give the path the product calls, e.g. `_apis/projects`".into());
    }
    if get.contains("://") || get.starts_with("//") {
        return Err("give a path relative to the organization or collection URL, without scheme or host (`_apis/projects`); ADO Connect adds the connection's URL".into());
    }
    if get.starts_with('/') {
        return Err(
            "leave out the leading `/`: the path is relative to the organization or collection URL"
                .into(),
        );
    }
    if get.contains(char::is_whitespace) || get.contains(['#', '\\']) {
        return Err("a path has no spaces, `#` or `\\`; percent-encode them".into());
    }
    let (path, query) = get.split_once('?').unwrap_or((get, ""));
    if path
        .split('/')
        .any(|s| s == ".." || s == "." || s.to_ascii_lowercase().contains("%2e"))
    {
        return Err("`..` and `.` segments are not allowed: name the API's path as it is".into());
    }
    if query.to_ascii_lowercase().contains("api-version") {
        return Err("give the version as `api_version`, not in the query".into());
    }
    if get.matches('{').count() != get.matches('}').count() {
        return Err("a `{` or `}` is unbalanced".into());
    }
    for name in template_names(get) {
        if !VERIFY_TEMPLATE_NAMES.contains(&name.as_str()) {
            return Err(format!(
                "{{{name}}} cannot be filled in here; use {}",
                VERIFY_TEMPLATE_NAMES
                    .iter()
                    .map(|n| format!("{{{n}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

pub(super) fn verification(
    raw: RawVerification,
    profile: &ProductProfile,
    e: &mut Errors<'_>,
) -> Verification {
    let names = ["unauthorized", "forbidden", "no_resources"];
    let mut codes = [None, None, None];
    for (i, code) in raw.codes.into_iter().enumerate() {
        if let Some(c) = code {
            if !is_code(c.get_ref()) {
                e.at(
                    c.span(),
                    format!("verification.codes.{}", names[i]),
                    "give the product's code as it writes it: letters, digits, `_`, `.` or `-` (e.g. `invalid_credentials`)",
                );
            }
            codes[i] = Some(c.into_inner());
        }
    }
    let [unauthorized, forbidden, no_resources] = codes;
    let mut calls = Vec::new();
    if let Some(list) = raw.calls {
        if list.get_ref().is_empty() {
            e.at(
                list.span(),
                "verification.calls",
                "list the calls the product makes to verify a connection",
            );
        }
        for c in list.into_inner() {
            calls.push(call(c, profile, e));
        }
    }
    Verification {
        codes: ProductCodes {
            unauthorized,
            forbidden,
            no_resources,
        },
        calls,
    }
}

fn call(c: RawCall, profile: &ProductProfile, e: &mut Errors<'_>) -> VerifyCall {
    let path = &c.path;
    if let Some(get) = &c.get {
        if let Err(why) = check_get(get.get_ref()) {
            e.at(get.span(), format!("{path}.get"), why);
        }
    }
    if let Some(v) = &c.api_version {
        if !is_api_version(v.get_ref()) {
            e.at(
                v.span(),
                format!("{path}.api_version"),
                "write the api-version the product sends, like `7.0`, `6.0` or `7.1-preview.1`",
            );
        }
    }
    if let Some(h) = &c.host {
        if h.get_ref() != "vssps" {
            e.at(
                h.span(),
                format!("{path}.host"),
                "the only other host is `vssps` (Graph and identities on vssps.dev.azure.com); leave `host` out for the organization's own URL",
            );
        } else if profile.deployments.server {
            e.at(h.span(), format!("{path}.host"), "`vssps` exists on Azure DevOps Services only (Microsoft publishes no Server version of the Graph API), and the profile supports Server too");
        }
    }
    for (i, id) in c.connectors.iter().enumerate() {
        if !profile.connectors.is_empty() && profile.connector(id.get_ref()).is_none() {
            e.at(
                id.span(),
                format!("{path}.connectors[{i}]"),
                format!(
                    "no connector is called {:?}; the connectors are {}",
                    id.get_ref(),
                    profile
                        .connectors
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    for (i, t) in c.forbid_text.iter().enumerate() {
        if t.get_ref().trim().is_empty() {
            e.at(
                t.span(),
                format!("{path}.forbid_text[{i}]"),
                "give the text that must not appear",
            );
        }
    }
    if let Some(t) = c.title.as_ref().filter(|t| t.get_ref().trim().is_empty()) {
        e.at(
            t.span(),
            format!("{path}.title"),
            "give a title, or leave `title` out",
        );
    }
    let get = c.get.map(Spanned::into_inner).unwrap_or_default();
    VerifyCall {
        title: c
            .title
            .map(Spanned::into_inner)
            .unwrap_or_else(|| format!("GET {get}")),
        path: get,
        api_version: c.api_version.map(Spanned::into_inner).unwrap_or_default(),
        host: c.host.map(Spanned::into_inner),
        connectors: c.connectors.into_iter().map(Spanned::into_inner).collect(),
        expect_items: c.expect_items,
        forbid_text: c.forbid_text.into_iter().map(Spanned::into_inner).collect(),
    }
}

pub(super) fn webhooks(
    raw: RawWebhooks,
    profile: &ProductProfile,
    e: &mut Errors<'_>,
) -> WebhookRule {
    let created_by = match raw.created_by.as_ref().map(|c| c.get_ref().as_str()) {
        None | Some("wizard") => HookCreator::Wizard,
        Some("product") => HookCreator::Product,
        Some(_) => {
            let span = raw.created_by.as_ref().map(|c| c.span()).unwrap_or(0..0);
            e.at(span, "webhooks.created_by", "use `wizard` (ADO Connect registers them) or `product` (the product creates them itself)");
            HookCreator::Wizard
        }
    };
    let mut events = Vec::new();
    if let Some(list) = &raw.events {
        for (i, ev) in list.get_ref().iter().enumerate() {
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
        if list.get_ref().is_empty() {
            e.at(list.span(), "webhooks.events", "list at least one event");
        }
    }
    let mut rule = WebhookRule {
        created_by,
        events,
        scope: HookScope::EachProject,
        url: String::new(),
        header: String::new(),
        secret: SecretOrigin::Wizard,
    };
    if created_by == HookCreator::Product {
        let name = &profile.product.name;
        for (key, span) in &raw.given {
            e.at(span.clone(), format!("webhooks.{key}"), format!("{name} creates its own webhooks (`created_by = \"product\"`), so ADO Connect registers none and `{key}` is not used: remove it"));
        }
        return rule;
    }
    let need = |e: &mut Errors<'_>, v: &Option<S<String>>, key: &str| {
        if v.is_none() && !raw.given.iter().any(|(k, _)| *k == key) {
            e.missing(raw.span.clone(), format!("webhooks.{key}"), format!("`{key}` is missing from `webhooks`; add it (or `created_by = \"product\"` when the product creates its webhooks)"));
        }
    };
    need(e, &raw.scope, "scope");
    need(e, &raw.url, "url");
    need(e, &raw.header, "header");
    need(e, &raw.secret, "secret");
    if let Some(scope) = &raw.scope {
        rule.scope = match scope.get_ref().as_str() {
            "each_project" => HookScope::EachProject,
            "chosen_repositories" => HookScope::ChosenRepositories,
            _ => {
                e.at(
                    scope.span(),
                    "webhooks.scope",
                    "use `each_project` or `chosen_repositories`",
                );
                HookScope::EachProject
            }
        };
    }
    if let Some(url) = raw.url {
        let u = url.get_ref();
        check_template(url.span(), "webhooks.url", u, &profile.placeholders, &[], e);
        if !(u.starts_with("https://") || u.starts_with("http://") || u.starts_with('{')) {
            e.at(url.span(), "webhooks.url", "give the receiver URL (https://…) or a template starting with a placeholder, e.g. `{dx_url}/webhooks/ado`");
        }
        rule.url = url.into_inner();
    }
    if let Some(header) = raw.header {
        if let Err(why) = crate::webhook::validate_header_name(header.get_ref()) {
            e.at(header.span(), "webhooks.header", why);
        }
        rule.header = header.into_inner();
    }
    if let Some(secret) = &raw.secret {
        rule.secret = match secret.get_ref().as_str() {
            "wizard" => SecretOrigin::Wizard,
            "product" => SecretOrigin::Product,
            _ => {
                e.at(
                    secret.span(),
                    "webhooks.secret",
                    "use `wizard` (ADO Connect generates it) or `product` (the product gives it)",
                );
                SecretOrigin::Wizard
            }
        };
    }
    rule
}

/// Whether a source has a value on a deployment with a sign-in method.
type Has = fn(Deployment, SignInMethod, &ProductProfile) -> bool;

/// Where a source has a value at all (and the fix when a field asks for it elsewhere); `None`
/// when it always has one.
fn source_needs(source: FieldSource) -> Option<(&'static str, Has)> {
    match source {
        FieldSource::TenantId | FieldSource::ClientId | FieldSource::ClientSecret => Some((
            "exists only when signing in as a service principal: add `methods = [\"service_principal\"]`",
            |_, m, _| m == SignInMethod::ServicePrincipal,
        )),
        FieldSource::Pat => Some((
            "exists only when signing in with a PAT (or with `[pat] one_per_connector`): add `methods = [\"pat\"]`",
            |_, m, p| m == SignInMethod::Pat || p.pat_one_per_connector,
        )),
        FieldSource::Organization => Some((
            "exists only on Azure DevOps Services: add `deployment = \"services\"`",
            |d, _, _| d == Deployment::Services,
        )),
        FieldSource::Collection | FieldSource::ServerUrl | FieldSource::ServerOrigin => Some((
            "exists only on Azure DevOps Server: add `deployment = \"server\"`",
            |d, _, _| d == Deployment::Server,
        )),
        FieldSource::WebhookUrl | FieldSource::WebhookSecret | FieldSource::WebhookHeader => Some((
            "exists only when ADO Connect registers the webhooks (`[webhooks]` without `created_by = \"product\"`)",
            |_, _, p| p.wizard_registers_hooks(),
        )),
        _ => None,
    }
}

/// Checks a field's or guide's `deployment` and `methods` against what the product accepts.
fn scope_of(
    path: &str,
    raw_deployment: &Option<S<String>>,
    raw_methods: &[S<String>],
    profile: &ProductProfile,
    e: &mut Errors<'_>,
) -> (Option<Deployment>, Vec<SignInMethod>) {
    let d = raw_deployment
        .as_ref()
        .and_then(|d| deployment(d, &format!("{path}.deployment"), e));
    if let (Some(d), Some(raw)) = (d, raw_deployment) {
        if !supported(profile).contains(&d) {
            e.at(
                raw.span(),
                format!("{path}.deployment"),
                format!(
                    "the profile does not support {} (`[deployments]`)",
                    d.display_name()
                ),
            );
        }
    }
    let m = methods(raw_methods, &format!("{path}.methods"), e);
    let on: Vec<Deployment> = supported(profile)
        .into_iter()
        .filter(|s| d.is_none_or(|d| d == *s))
        .collect();
    for (i, method) in raw_methods.iter().enumerate() {
        let Some(parsed) = SignInMethod::parse(method.get_ref()) else {
            continue;
        };
        if !on.is_empty()
            && !on
                .iter()
                .any(|d| profile.sign_in_for(*d).methods.contains(&parsed))
        {
            let where_ = on
                .iter()
                .map(|d| d.display_name())
                .collect::<Vec<_>>()
                .join(" or ");
            e.at(
                method.span(),
                format!("{path}.methods[{i}]"),
                format!(
                    "{:?} is not an accepted sign-in on {where_} (`[sign_in]`)",
                    parsed.name()
                ),
            );
        }
    }
    (d, m)
}

pub(super) fn handoff(
    raw: Option<RawHandoff>,
    profile: &ProductProfile,
    e: &mut Errors<'_>,
) -> HandoffRule {
    let name = &profile.product.name;
    let mut rule = HandoffRule {
        title: format!("Paste into {name}"),
        fields: Vec::new(),
        guides: Vec::new(),
        post: None,
    };
    let Some(raw) = raw else {
        coverage(profile, &rule, 0..0, e);
        return rule;
    };
    if let Some(t) = raw.title {
        if t.get_ref().trim().is_empty() {
            e.at(
                t.span(),
                "handoff.title",
                "give a heading, or leave `title` out",
            );
        }
        rule.title = t.into_inner();
    }
    for f in raw.fields {
        let path = f.path.as_str();
        let source = f.source.as_ref().and_then(|s| {
            let parsed = FieldSource::parse(s.get_ref());
            if parsed.is_none() {
                e.at(
                    s.span(),
                    format!("{path}.source"),
                    format!(
                        "unknown source {:?}; use one of {}",
                        s.get_ref(),
                        FieldSource::ALL
                            .iter()
                            .map(|s| s.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            parsed
        });
        if let Some(l) = f.label.as_ref().filter(|l| l.get_ref().trim().is_empty()) {
            e.at(
                l.span(),
                format!("{path}.label"),
                "give the label the product's form uses",
            );
        }
        match (&f.placeholder, source) {
            (None, Some(FieldSource::Placeholder)) => e.at(
                f.span.clone(),
                format!("{path}.placeholder"),
                "name the placeholder this field shows",
            ),
            (Some(p), Some(FieldSource::Placeholder))
                if profile.placeholder(p.get_ref()).is_none() =>
            {
                e.at(
                    p.span(),
                    format!("{path}.placeholder"),
                    format!("{:?} is not declared in `[[placeholders]]`", p.get_ref()),
                )
            }
            (Some(p), Some(s)) if s != FieldSource::Placeholder => e.at(
                p.span(),
                format!("{path}.placeholder"),
                "only `source = \"placeholder\"` takes a placeholder",
            ),
            _ => {}
        }
        let (deployment, methods) = scope_of(path, &f.deployment, &f.methods, profile, e);
        let Some(source) = source else { continue };
        let field = FieldRule {
            source,
            label: f.label.map(Spanned::into_inner).unwrap_or_default(),
            placeholder: f.placeholder.map(Spanned::into_inner),
            deployment,
            optional: f.optional,
            methods,
        };
        if let Some((why, has)) = source_needs(source) {
            let gap = pairs(profile)
                .into_iter()
                .find(|(d, m)| applies(&field, *d, *m) && !has(*d, *m, profile));
            if let Some((d, m)) = gap {
                let at = f
                    .source
                    .as_ref()
                    .map(|s| s.span())
                    .unwrap_or(f.span.clone());
                e.at(
                    at,
                    format!("{path}.source"),
                    format!(
                        "`{}` {why} (this field also applies to {} with {})",
                        source.name(),
                        d.display_name(),
                        m.label().to_lowercase()
                    ),
                );
            }
        }
        rule.fields.push(field);
    }
    for g in raw.guides {
        let path = g.path.as_str();
        let (deployment, methods) = scope_of(path, &g.deployment, &g.methods, profile, e);
        let mut steps = Vec::new();
        if let Some(list) = g.steps {
            if list.get_ref().is_empty() {
                e.at(
                    list.span(),
                    format!("{path}.steps"),
                    "list the steps, in order",
                );
            }
            for (i, s) in list.into_inner().into_iter().enumerate() {
                if s.get_ref().trim().is_empty() {
                    e.at(s.span(), format!("{path}.steps[{i}]"), "an empty step");
                }
                steps.push(s.into_inner());
            }
        }
        rule.guides.push(Guide {
            deployment,
            methods,
            steps,
        });
    }
    rule.post = raw.post.map(|p| post(p, profile, e));
    coverage(profile, &rule, raw.span, e);
    rule
}

fn applies(f: &FieldRule, d: Deployment, m: SignInMethod) -> bool {
    f.deployment.is_none_or(|x| x == d) && (f.methods.is_empty() || f.methods.contains(&m))
}

/// Every (deployment supported × sign-in method accepted on it).
fn pairs(profile: &ProductProfile) -> Vec<(Deployment, SignInMethod)> {
    supported(profile)
        .into_iter()
        .flat_map(|d| profile.sign_in_for(d).methods.iter().map(move |m| (d, *m)))
        .collect()
}

/// Every way in (deployment × sign-in method) ends in a field to paste or a guide to follow.
fn coverage(profile: &ProductProfile, rule: &HandoffRule, span: Span, e: &mut Errors<'_>) {
    if e.any_under(&["handoff", "sign_in", "deployments"]) {
        return;
    }
    let gaps: Vec<String> = pairs(profile)
        .into_iter()
        .filter(|(d, m)| {
            !rule.fields.iter().any(|f| applies(f, *d, *m))
                && !rule.guides.iter().any(|g| {
                    g.deployment.is_none_or(|x| x == *d)
                        && (g.methods.is_empty() || g.methods.contains(m))
                })
        })
        .map(|(d, m)| format!("{} with {}", d.display_name(), m.label().to_lowercase()))
        .collect();
    if !gaps.is_empty() {
        e.at(span, "handoff", format!("nothing is handed over on {}: add a `handoff.fields` entry or a `[[handoff.guides]]` for it (with `deployment`/`methods` where they differ)", gaps.join("; ")));
    }
}

fn post(p: RawPost, profile: &ProductProfile, e: &mut Errors<'_>) -> PostRule {
    let per_credential_names = ["pat", "connector", "connector_label"];
    if let Some(url) = &p.url {
        let u = url.get_ref();
        // Built-in values may be part of the URL; a secret one is refused below.
        let builtin: Vec<&str> = FieldSource::ALL.iter().map(|s| s.name()).collect();
        check_template(
            url.span(),
            "handoff.post.url",
            u,
            &profile.placeholders,
            &builtin,
            e,
        );
        if !(u.starts_with("https://") || u.starts_with('{')) {
            e.at(
                url.span(),
                "handoff.post.url",
                "the product's API must be https:// (the token and the PAT travel in it)",
            );
        }
        let secret_name = |n: &String| FieldSource::parse(n).is_some_and(FieldSource::is_secret);
        if template_names(u).iter().any(secret_name) {
            e.at(url.span(), "handoff.post.url", "a secret may not be part of a URL (URLs end up in logs and proxies); put it in `body`");
        }
    }
    let auth_header = p
        .auth_header
        .map(Spanned::into_inner)
        .unwrap_or_else(|| "Authorization".into());
    let token_char = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if auth_header.is_empty() || !auth_header.chars().all(token_char) {
        e.at(
            p.span.clone(),
            "handoff.post.auth_header",
            "use an HTTP header name, e.g. `Authorization`",
        );
    }
    if let Some(t) = p
        .token_label
        .as_ref()
        .filter(|t| t.get_ref().trim().is_empty())
    {
        e.at(
            t.span(),
            "handoff.post.token_label",
            "give the name the product uses for its API token",
        );
    }
    let body = p.body.map(|b| {
        let mut builtin: Vec<&str> = FieldSource::ALL.iter().map(|s| s.name()).collect();
        builtin.extend(["connector", "connector_label"]);
        let mut strings = Vec::new();
        collect_strings(b.get_ref(), &mut strings);
        for s in &strings {
            check_template(
                b.span(),
                "handoff.post.body",
                s,
                &profile.placeholders,
                &builtin,
                e,
            );
            if !p.per_credential {
                if let Some(n) = template_names(s)
                    .into_iter()
                    .find(|n| per_credential_names.contains(&n.as_str()))
                {
                    e.at(
                        b.span(),
                        "handoff.post.body",
                        format!("{{{n}}} names one credential: it needs `per_credential = true`"),
                    );
                }
            }
        }
        b.into_inner()
    });
    PostRule {
        url: p.url.map(Spanned::into_inner).unwrap_or_default(),
        auth_header,
        auth_prefix: p
            .auth_prefix
            .map(Spanned::into_inner)
            .unwrap_or_else(|| "Bearer ".into()),
        token_label: p.token_label.map(Spanned::into_inner).unwrap_or_default(),
        body: body.unwrap_or_default(),
        per_credential: p.per_credential,
    }
}
