//! The profile as the TOML gives it: each value with its byte span, `None` where it is absent
//! or was unreadable (already reported). Which keys exist where is decided here; what the values
//! may be is checked by validation (`parse.rs`, `rules.rs`).

use super::read::{Errors, Span, Table, S};

pub(super) struct Raw {
    pub(super) format: Option<S<i64>>,
    pub(super) product: Option<RawProduct>,
    pub(super) deployments: Option<RawDeployments>,
    pub(super) sign_in: Option<RawSignIn>,
    pub(super) access: Option<RawConnector>,
    pub(super) connectors: Option<S<Vec<RawConnector>>>,
    pub(super) pat: Option<RawPat>,
    pub(super) placeholders: Vec<RawPlaceholder>,
    pub(super) verification: Option<RawVerification>,
    pub(super) webhooks: Option<RawWebhooks>,
    pub(super) handoff: Option<RawHandoff>,
}

pub(super) struct RawProduct {
    pub(super) id: Option<S<String>>,
    pub(super) name: Option<S<String>>,
    pub(super) logo: Option<S<String>>,
    pub(super) docs_url: Option<S<String>>,
}

pub(super) struct RawDeployments {
    pub(super) span: Span,
    pub(super) services: Option<S<bool>>,
    pub(super) server: Option<S<bool>>,
    pub(super) min_server_version: Option<S<i64>>,
    pub(super) reachable_from_outside: Option<S<bool>>,
    pub(super) reachable_reason: Option<S<String>>,
    pub(super) bare_server_url: Option<S<bool>>,
}

pub(super) struct RawSignIn {
    pub(super) path: String,
    pub(super) span: Span,
    pub(super) methods: Option<S<Vec<S<String>>>>,
    pub(super) recommended: Option<S<String>>,
    pub(super) note: Option<S<String>>,
    pub(super) services: Option<Box<RawSignIn>>,
    pub(super) server: Option<Box<RawSignIn>>,
}

pub(super) struct RawConnector {
    pub(super) path: String,
    pub(super) span: Span,
    pub(super) id: Option<S<String>>,
    pub(super) label: Option<S<String>>,
    pub(super) capabilities: Vec<S<String>>,
    pub(super) scopes: Vec<S<String>>,
    pub(super) several_credentials: bool,
    pub(super) permissions: Vec<S<String>>,
}

pub(super) struct RawPat {
    pub(super) expiry_required: Option<S<bool>>,
    pub(super) one_per_connector: Option<S<bool>>,
}

pub(super) struct RawPlaceholder {
    pub(super) path: String,
    pub(super) name: Option<S<String>>,
    pub(super) label: Option<S<String>>,
    pub(super) default: Option<S<String>>,
    pub(super) example: Option<S<String>>,
    pub(super) kind: Option<S<String>>,
}

pub(super) struct RawVerification {
    pub(super) codes: [Option<S<String>>; 3],
    pub(super) calls: Option<S<Vec<RawCall>>>,
}

pub(super) struct RawCall {
    pub(super) path: String,
    pub(super) title: Option<S<String>>,
    pub(super) get: Option<S<String>>,
    pub(super) api_version: Option<S<String>>,
    pub(super) host: Option<S<String>>,
    pub(super) connectors: Vec<S<String>>,
    pub(super) expect_items: bool,
    pub(super) forbid_text: Vec<S<String>>,
}

pub(super) struct RawWebhooks {
    pub(super) span: Span,
    pub(super) created_by: Option<S<String>>,
    pub(super) events: Option<S<Vec<S<String>>>>,
    /// `scope`, `url`, `header`, `secret`: required when the wizard creates the webhooks,
    /// refused when the product does (so their presence is kept too).
    pub(super) scope: Option<S<String>>,
    pub(super) url: Option<S<String>>,
    pub(super) header: Option<S<String>>,
    pub(super) secret: Option<S<String>>,
    pub(super) given: Vec<(&'static str, Span)>,
}

pub(super) struct RawHandoff {
    pub(super) span: Span,
    pub(super) title: Option<S<String>>,
    pub(super) fields: Vec<RawField>,
    pub(super) guides: Vec<RawGuide>,
    pub(super) post: Option<RawPost>,
}

pub(super) struct RawField {
    pub(super) path: String,
    pub(super) span: Span,
    pub(super) source: Option<S<String>>,
    pub(super) label: Option<S<String>>,
    pub(super) placeholder: Option<S<String>>,
    pub(super) deployment: Option<S<String>>,
    pub(super) optional: bool,
    pub(super) methods: Vec<S<String>>,
}

pub(super) struct RawGuide {
    pub(super) path: String,
    pub(super) deployment: Option<S<String>>,
    pub(super) methods: Vec<S<String>>,
    pub(super) steps: Option<S<Vec<S<String>>>>,
}

pub(super) struct RawPost {
    pub(super) span: Span,
    pub(super) url: Option<S<String>>,
    pub(super) auth_header: Option<S<String>>,
    pub(super) auth_prefix: Option<S<String>>,
    pub(super) token_label: Option<S<String>>,
    pub(super) body: Option<S<serde_json::Value>>,
    pub(super) per_credential: bool,
}

fn list(t: &Table<'_, '_>, e: &mut Errors<'_>, key: &str) -> Vec<S<String>> {
    t.strings(e, key).map(S::into_inner).unwrap_or_default()
}

fn flag(t: &Table<'_, '_>, e: &mut Errors<'_>, key: &str) -> bool {
    t.boolean(e, key).is_some_and(|b| *b.get_ref())
}

/// Reads the document's root.
pub(super) fn read(root: Table<'_, '_>, e: &mut Errors<'_>) -> Raw {
    let root = root.known(
        e,
        &[
            "format",
            "product",
            "deployments",
            "sign_in",
            "access",
            "connectors",
            "pat",
            "placeholders",
            "verification",
            "webhooks",
            "handoff",
        ],
    );
    let connector = |t: Table<'_, '_>, e: &mut Errors<'_>| RawConnector {
        id: t.string(e, "id"),
        label: t.string(e, "label"),
        capabilities: list(&t, e, "capabilities"),
        scopes: list(&t, e, "scopes"),
        several_credentials: flag(&t, e, "several_credentials"),
        permissions: list(&t, e, "permissions"),
        path: t.path,
        span: t.span,
    };
    const CONNECTOR: &[&str] = &[
        "id",
        "label",
        "capabilities",
        "scopes",
        "several_credentials",
        "permissions",
    ];
    Raw {
        format: root.req(e, "format", Table::integer),
        product: root
            .req(e, "product", |t, e, k| {
                t.table(e, k, &["id", "name", "logo", "docs_url"])
            })
            .map(|t| RawProduct {
                id: t.req(e, "id", Table::string),
                name: t.req(e, "name", Table::string),
                logo: t.string(e, "logo"),
                docs_url: t.string(e, "docs_url"),
            }),
        deployments: root
            .req(e, "deployments", |t, e, k| {
                t.table(
                    e,
                    k,
                    &[
                        "services",
                        "server",
                        "min_server_version",
                        "reachable_from_outside",
                        "reachable_reason",
                        "bare_server_url",
                    ],
                )
            })
            .map(|t| RawDeployments {
                services: t.req(e, "services", Table::boolean),
                server: t.req(e, "server", Table::boolean),
                min_server_version: t.integer(e, "min_server_version"),
                reachable_from_outside: t.boolean(e, "reachable_from_outside"),
                reachable_reason: t.string(e, "reachable_reason"),
                bare_server_url: t.boolean(e, "bare_server_url"),
                span: t.span,
            }),
        sign_in: root
            .req(e, "sign_in", |t, e, k| {
                t.table(
                    e,
                    k,
                    &["methods", "recommended", "note", "services", "server"],
                )
            })
            .map(|t| sign_in(t, e, true)),
        access: root.table(e, "access", CONNECTOR).map(|t| connector(t, e)),
        connectors: root.tables(e, "connectors", CONNECTOR).map(|list| {
            let span = list.span();
            S::new(
                span,
                list.into_inner()
                    .into_iter()
                    .map(|t| connector(t, e))
                    .collect(),
            )
        }),
        pat: root
            .table(e, "pat", &["expiry_required", "one_per_connector"])
            .map(|t| RawPat {
                expiry_required: t.boolean(e, "expiry_required"),
                one_per_connector: t.boolean(e, "one_per_connector"),
            }),
        placeholders: root
            .tables(
                e,
                "placeholders",
                &["name", "label", "default", "example", "kind"],
            )
            .map(S::into_inner)
            .unwrap_or_default()
            .into_iter()
            .map(|t| RawPlaceholder {
                name: t.req(e, "name", Table::string),
                label: t.req(e, "label", Table::string),
                default: t.string(e, "default"),
                example: t.string(e, "example"),
                kind: t.string(e, "kind"),
                path: t.path,
            })
            .collect(),
        verification: root
            .table(e, "verification", &["codes", "calls"])
            .map(|t| verification(t, e)),
        webhooks: root
            .table(
                e,
                "webhooks",
                &["created_by", "events", "scope", "url", "header", "secret"],
            )
            .map(|t| RawWebhooks {
                created_by: t.string(e, "created_by"),
                events: t.req(e, "events", Table::strings),
                scope: t.string(e, "scope"),
                url: t.string(e, "url"),
                header: t.string(e, "header"),
                secret: t.string(e, "secret"),
                given: ["scope", "url", "header", "secret"]
                    .into_iter()
                    .filter(|k| t.has(k))
                    .map(|k| (k, t.span_of(k)))
                    .collect(),
                span: t.span,
            }),
        handoff: root
            .table(e, "handoff", &["title", "fields", "guides", "post"])
            .map(|t| handoff(t, e)),
    }
}

fn sign_in(t: Table<'_, '_>, e: &mut Errors<'_>, top: bool) -> RawSignIn {
    // `[sign_in.services]` and `[sign_in.server]` take the same keys, and nothing nested.
    let sub = |name: &str, e: &mut Errors<'_>| {
        top.then(|| t.table(e, name, &["methods", "recommended", "note"]))
            .flatten()
            .map(|s| Box::new(sign_in(s, e, false)))
    };
    RawSignIn {
        methods: t.req(e, "methods", Table::strings),
        recommended: t.req(e, "recommended", Table::string),
        note: t.string(e, "note"),
        services: sub("services", e),
        server: sub("server", e),
        path: t.path.clone(),
        span: t.span.clone(),
    }
}

fn verification(t: Table<'_, '_>, e: &mut Errors<'_>) -> RawVerification {
    let codes = t.table(e, "codes", &["unauthorized", "forbidden", "no_resources"]);
    let code = |k: &str, e: &mut Errors<'_>| codes.as_ref().and_then(|c| c.string(e, k));
    RawVerification {
        codes: [
            code("unauthorized", e),
            code("forbidden", e),
            code("no_resources", e),
        ],
        calls: t
            .req(e, "calls", |t, e, k| {
                t.tables(
                    e,
                    k,
                    &[
                        "title",
                        "get",
                        "api_version",
                        "host",
                        "connectors",
                        "expect_items",
                        "forbid_text",
                    ],
                )
            })
            .map(|calls| {
                let span = calls.span();
                S::new(
                    span,
                    calls
                        .into_inner()
                        .into_iter()
                        .map(|c| RawCall {
                            title: c.string(e, "title"),
                            get: c.req(e, "get", Table::string),
                            api_version: c.req(e, "api_version", Table::string),
                            host: c.string(e, "host"),
                            connectors: list(&c, e, "connectors"),
                            expect_items: flag(&c, e, "expect_items"),
                            forbid_text: list(&c, e, "forbid_text"),
                            path: c.path,
                        })
                        .collect(),
                )
            }),
    }
}

fn handoff(t: Table<'_, '_>, e: &mut Errors<'_>) -> RawHandoff {
    let fields = t
        .tables(
            e,
            "fields",
            &[
                "source",
                "label",
                "placeholder",
                "deployment",
                "optional",
                "methods",
            ],
        )
        .map(S::into_inner)
        .unwrap_or_default()
        .into_iter()
        .map(|f| RawField {
            source: f.req(e, "source", Table::string),
            label: f.req(e, "label", Table::string),
            placeholder: f.string(e, "placeholder"),
            deployment: f.string(e, "deployment"),
            optional: flag(&f, e, "optional"),
            methods: list(&f, e, "methods"),
            path: f.path,
            span: f.span,
        })
        .collect();
    let guides = t
        .tables(e, "guides", &["deployment", "methods", "steps"])
        .map(S::into_inner)
        .unwrap_or_default()
        .into_iter()
        .map(|g| RawGuide {
            deployment: g.string(e, "deployment"),
            methods: list(&g, e, "methods"),
            steps: g.req(e, "steps", Table::strings),
            path: g.path,
        })
        .collect();
    let post = t
        .table(
            e,
            "post",
            &[
                "url",
                "auth_header",
                "auth_prefix",
                "token_label",
                "body",
                "per_credential",
            ],
        )
        .map(|p| RawPost {
            url: p.req(e, "url", Table::string),
            auth_header: p.string(e, "auth_header"),
            auth_prefix: p.string(e, "auth_prefix"),
            token_label: p.req(e, "token_label", Table::string),
            body: p.req(e, "body", Table::json),
            per_credential: flag(&p, e, "per_credential"),
            span: p.span,
        });
    RawHandoff {
        title: t.string(e, "title"),
        fields,
        guides,
        post,
        span: t.span,
    }
}
