//! The hand-off: the verified connection delivered to the product.
//!
//! - [`Handoff::from_connection`] gathers the facts of a saved connection and its secrets from
//!   the keyring (the connection's PAT or service-principal secret, each connector's PATs, the
//!   webhook secret).
//! - [`Handoff::panel`]: the "Paste into …" fields; secret values only for the field asked.
//! - [`Handoff::export_to`]: the export file (`profiles/handoff.schema.json`); secrets only on
//!   opt-in, then with a warning inside and mode 0600.
//! - [`post_handoff`]: the HTTPS POST to the product's API, retried with backoff on 429/5xx,
//!   trusting a private CA only when configured; the product API token never reaches a log.
//! - [`Handoff::reproduction_script`]: curl commands that recreate the webhook subscriptions.
//!
//! The POST uses its own `reqwest` client because the product's API is not Azure DevOps (the
//! one Azure DevOps client stays in `ado-client`); it follows no redirect, like that client.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use ado_core::checks::{CheckCode, Problem};
use ado_core::product::handoff::{
    self as pure, CredentialFact, ExportDocument, HandoffFacts, HandoffPanel, Reveal, SecretKey,
};
use ado_core::product::ProductProfile;
use ado_core::webhook::{HookAuth, HookSpec};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::{connector_secret_name, product_token_name};
use crate::hooks::secret::HEADER_SECRET_NAME;
use crate::{AuthMethod, Connections};

/// What the user chose that the saved connection does not hold.
#[derive(Debug, Clone, Default)]
pub struct HandoffChoice {
    /// The project (Datafold's "Project").
    pub project: Option<String>,
    /// The repository.
    pub repository: Option<String>,
    /// Its clone URL.
    pub repository_url: Option<String>,
    /// Server: its public URL, from [`super::ProductReport::public_url`].
    pub server_public_url: Option<String>,
    /// Completed placeholders (`dx_url`, `dx_api_url`, `description`).
    pub placeholders: BTreeMap<String, String>,
}

/// A connection ready to hand over. Holds secrets in memory; `Debug` does not show them.
pub struct Handoff {
    /// The product.
    pub profile: ProductProfile,
    /// The facts.
    pub facts: HandoffFacts,
    secrets: BTreeMap<SecretKey, SecretString>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("product", &self.profile.product.id)
            .field("facts", &self.facts)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn store_problem(e: impl std::fmt::Display) -> Problem {
    Problem {
        code: CheckCode::Unexpected,
        field: None,
        message: format!("The keyring or the connection store failed: {e}"),
        fix: "Unlock the system keyring and try again.".into(),
        server_message: None,
        support_id: None,
    }
}

fn saved(connections: &Connections, connection_id: &str) -> Result<crate::Profile, Problem> {
    connections
        .list()
        .map_err(store_problem)?
        .into_iter()
        .find(|p| p.id == connection_id)
        .ok_or_else(|| Problem {
            code: CheckCode::NotFound,
            field: None,
            message: format!("There is no saved connection {connection_id}."),
            fix: "Verify the connection first.".into(),
            server_message: None,
            support_id: None,
        })
}

/// Keeps a connector's PAT in the keyring, as an extra secret of the saved connection.
pub fn store_connector_pat(
    connections: &Connections,
    connection_id: &str,
    product_id: &str,
    connector: &str,
    index: usize,
    pat: &SecretString,
) -> Result<(), Problem> {
    let profile = saved(connections, connection_id)?;
    connections
        .put_extra_secret(
            &profile,
            &connector_secret_name(product_id, connector, index),
            pat,
        )
        .map_err(store_problem)?;
    Ok(())
}

/// Keeps the product API token the user pasted in the keyring (with the connection).
pub fn store_product_token(
    connections: &Connections,
    connection_id: &str,
    product_id: &str,
    token: &SecretString,
) -> Result<(), Problem> {
    let profile = saved(connections, connection_id)?;
    connections
        .put_extra_secret(&profile, &product_token_name(product_id), token)
        .map_err(store_problem)?;
    Ok(())
}

/// The product API token kept for this connection, if any.
pub fn product_token(
    connections: &Connections,
    connection_id: &str,
    product_id: &str,
) -> Result<Option<SecretString>, Problem> {
    let profile = saved(connections, connection_id)?;
    connections
        .extra_secret(&profile, &product_token_name(product_id))
        .map_err(store_problem)
}

impl Handoff {
    /// A hand-off from facts and secrets the caller holds (tests, or a flow that just verified).
    pub fn new(profile: ProductProfile, facts: HandoffFacts) -> Handoff {
        Handoff {
            profile,
            facts,
            secrets: BTreeMap::new(),
        }
    }

    /// Adds a secret.
    pub fn with_secret(mut self, key: SecretKey, value: SecretString) -> Handoff {
        if let SecretKey::Pat { connector, index } = &key {
            let fact = CredentialFact {
                connector: connector.clone(),
                index: *index,
            };
            if !self.facts.credentials.contains(&fact) {
                self.facts.credentials.push(fact);
            }
        }
        self.secrets.insert(key, value);
        self
    }

    /// The hand-off of a saved connection: its target, the service principal's ids, and its
    /// secrets from the keyring. When no connector has a PAT of its own, a PAT connection's own
    /// PAT serves every connector.
    pub fn from_connection(
        connections: &Connections,
        connection_id: &str,
        profile: ProductProfile,
        choice: HandoffChoice,
    ) -> Result<Handoff, Problem> {
        let saved = saved(connections, connection_id)?;
        let (tenant_id, client_id) = match &saved.auth {
            AuthMethod::ServicePrincipal {
                tenant, client_id, ..
            } => (Some(tenant.clone()), Some(client_id.clone())),
            _ => (None, None),
        };
        let facts = HandoffFacts {
            target: saved.target.clone(),
            server_public_url: choice.server_public_url,
            project: choice.project,
            repository: choice.repository,
            repository_url: choice.repository_url,
            tenant_id,
            client_id,
            credentials: Vec::new(),
            placeholders: with_defaults(&profile, choice.placeholders),
        };
        let mut handoff = Handoff::new(profile, facts);
        let get = |name: &str| {
            connections
                .extra_secret(&saved, name)
                .map_err(store_problem)
        };
        let connectors: Vec<String> = handoff
            .profile
            .connectors
            .iter()
            .map(|c| c.id.clone())
            .collect();
        for connector in &connectors {
            for index in 0..16 {
                match get(&connector_secret_name(
                    &handoff.profile.product.id,
                    connector,
                    index,
                ))? {
                    Some(pat) => {
                        handoff = handoff.with_secret(
                            SecretKey::Pat {
                                connector: connector.clone(),
                                index,
                            },
                            pat,
                        )
                    }
                    None => break,
                }
            }
        }
        match &saved.auth {
            // No connector has a PAT of its own: the connection's PAT serves each of them.
            AuthMethod::Pat { .. } if handoff.facts.credentials.is_empty() => {
                if let Some(pat) = connections.secret_of(&saved).map_err(store_problem)? {
                    for connector in &connectors {
                        handoff = handoff.with_secret(
                            SecretKey::Pat {
                                connector: connector.clone(),
                                index: 0,
                            },
                            pat.clone(),
                        );
                    }
                }
            }
            AuthMethod::ServicePrincipal { .. } => {
                if let Some(secret) = get("sp-secret")? {
                    handoff.secrets.insert(SecretKey::ClientSecret, secret);
                }
            }
            _ => {}
        }
        if let Some(secret) = get(HEADER_SECRET_NAME)? {
            handoff.secrets.insert(SecretKey::WebhookSecret, secret);
        }
        Ok(handoff)
    }

    fn lookup(&self) -> impl Fn(&SecretKey) -> Option<String> + '_ {
        |key| self.secrets.get(key).map(|s| s.expose_secret().to_string())
    }

    /// The panel; secrets only for the field `reveal` names (or all with [`Reveal::All`]).
    pub fn panel(&self, reveal: &Reveal) -> HandoffPanel {
        pure::panel(&self.profile, &self.facts, &self.lookup(), reveal)
    }

    /// The value of one field, secret or not ("Reveal" and "Copy").
    pub fn field_value(&self, key: &str) -> Option<String> {
        self.panel(&Reveal::Field(key.to_string()))
            .fields
            .into_iter()
            .find(|f| f.key == key)
            .and_then(|f| f.value)
    }

    /// The export document.
    pub fn export(&self, include_secrets: bool, now_unix: u64) -> ExportDocument {
        pure::export(
            &self.profile,
            &self.facts,
            &self.lookup(),
            include_secrets,
            now_unix,
        )
    }

    /// Writes the export file; with secrets it is readable by the owner only (Unix).
    pub fn export_to(
        &self,
        path: &Path,
        include_secrets: bool,
        now_unix: u64,
    ) -> std::io::Result<ExportDocument> {
        let doc = self.export(include_secrets, now_unix);
        let json = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if include_secrets {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        use std::io::Write as _;
        options.open(path)?.write_all(&json)?;
        Ok(doc)
    }

    /// The script that recreates `specs` (from the records of the applied webhooks), with the
    /// project names for comments.
    pub fn reproduction_script(&self, specs: &[(HookSpec, ado_core::ids::ProjectId)]) -> String {
        pure::reproduction_script(&self.profile, &self.facts.target, specs)
    }

    /// The POST requests the profile asks for: (what it is for, URL, body). Secrets are in the
    /// bodies: never log them.
    fn post_requests(&self) -> Result<Vec<(String, String, serde_json::Value)>, Problem> {
        let Some(post) = &self.profile.handoff.post else {
            return Err(Problem {
                code: CheckCode::InvalidInput,
                field: None,
                message: format!("{} has no API to deliver to.", self.profile.product.name),
                fix: "Use the paste panel or the export file.".into(),
                server_message: None,
                support_id: None,
            });
        };
        let lookup = self.lookup();
        let missing = |m: pure::MissingValue| Problem {
            code: CheckCode::InvalidInput,
            field: None,
            message: format!(
                "The POST to {} needs {}: {m}.",
                self.profile.product.name,
                self.profile
                    .placeholder(&m.0)
                    .map(|p| p.label.as_str())
                    .unwrap_or(&m.0)
            ),
            fix: "Fill in the missing value (or give the connector's PAT) and try again.".into(),
            server_message: None,
            support_id: None,
        };
        let url = pure::render(&post.url, &|n| {
            pure::template_value(n, &self.profile, &self.facts, None, &lookup)
        })
        .map_err(missing)?;
        if !url.starts_with("https://") {
            return Err(Problem {
                code: CheckCode::HttpInsecure,
                field: None,
                message: format!("The product API URL {url} is not https://: the token would travel in the clear."),
                fix: "Use the product's https:// API address.".into(),
                server_message: None,
                support_id: None,
            });
        }
        let credentials: Vec<Option<&CredentialFact>> = if post.per_credential {
            self.facts.credentials.iter().map(Some).collect()
        } else {
            vec![self.facts.credentials.first()]
        };
        let mut out = Vec::new();
        for c in credentials {
            let body = pure::render_json(&post.body, &|n| {
                pure::template_value(n, &self.profile, &self.facts, c, &lookup)
            })
            .map_err(missing)?;
            let what = c
                .map(|c| format!("{}#{}", c.connector, c.index))
                .unwrap_or_else(|| "connection".into());
            out.push((what, url.clone(), body));
        }
        Ok(out)
    }
}

fn with_defaults(
    profile: &ProductProfile,
    mut given: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    given.retain(|_, v| !v.trim().is_empty());
    for p in &profile.placeholders {
        if let (false, Some(d)) = (given.contains_key(&p.name), &p.default) {
            given.insert(p.name.clone(), d.clone());
        }
    }
    given
}

/// How the POST reaches the product.
#[derive(Clone)]
pub struct PostOptions {
    /// A CA (PEM) to trust in addition to the system's, e.g. a company proxy's or a test's.
    pub trusted_ca_pem: Option<String>,
    /// An explicit proxy.
    pub proxy: Option<String>,
    /// Attempts per request (at least 1).
    pub max_attempts: u32,
    /// The first backoff; doubled each retry, capped at 30 s (or `Retry-After`, capped too).
    pub backoff: Duration,
}

impl Default for PostOptions {
    fn default() -> Self {
        PostOptions {
            trusted_ca_pem: None,
            proxy: None,
            max_attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// One delivered request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// What it carried (`boards#0`, or `connection`).
    pub what: String,
    /// The product's status code.
    pub status: u16,
    /// Attempts made.
    pub attempts: u32,
    /// The product's answer (up to 2 KiB).
    pub answer: String,
}

/// What [`post_handoff`] delivered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostReport {
    /// True when every request was accepted.
    pub ok: bool,
    /// The URL posted to.
    pub url: String,
    /// Accepted requests.
    pub delivered: Vec<Delivery>,
    /// The first refused request, with the product's answer and the fix.
    pub failed: Option<PostFailure>,
}

/// A request the product refused or that never arrived.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostFailure {
    /// What it carried.
    pub what: String,
    /// The status, when the product answered.
    pub status: Option<u16>,
    /// Attempts made.
    pub attempts: u32,
    /// What went wrong and what to do.
    pub problem: Problem,
    /// The product's answer (up to 2 KiB).
    pub answer: Option<String>,
}

/// The certificates of a pasted PEM, each checked by building a client with it alone (a damaged
/// one is only refused then); a clear error naming the field otherwise.
fn trusted_certificates(pem: &str, product: &str) -> Result<Vec<reqwest::Certificate>, Problem> {
    let not_a_certificate = |detail: String| {
        Problem {
        code: CheckCode::InvalidInput,
        field: None,
        message: format!("The CA to trust for {product}'s API is not a usable PEM certificate ({detail})."),
        fix: "Paste the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, or leave the field empty.".into(),
        server_message: None,
        support_id: None,
    }
    };
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
        .map_err(|e| not_a_certificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(not_a_certificate("no certificate block found".into()));
    }
    for cert in &certs {
        reqwest::Client::builder()
            .add_root_certificate(cert.clone())
            .build()
            .map_err(|e| not_a_certificate(e.to_string()))?;
    }
    Ok(certs)
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(2048).collect()
}

/// POSTs the hand-off to the product's API with `token` in the profile's auth header. Retries
/// 429 and 5xx (and connection failures) with exponential backoff, honouring `Retry-After`;
/// stops at the first refusal and reports the product's answer.
pub async fn post_handoff(
    handoff: &Handoff,
    token: &SecretString,
    options: &PostOptions,
) -> Result<PostReport, Problem> {
    let post = handoff.profile.handoff.post.clone().ok_or_else(|| {
        handoff
            .post_requests()
            .err()
            .unwrap_or_else(|| store_problem("no post"))
    })?;
    let requests = handoff.post_requests()?;
    let config_problem = |detail: String| Problem {
        code: CheckCode::InvalidInput,
        field: None,
        message: format!(
            "The client for {}'s API could not be set up: {detail}",
            handoff.profile.product.name
        ),
        fix: "Check the trusted CA (PEM) and the proxy URL.".into(),
        server_message: None,
        support_id: None,
    };
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("ado-connect/", env!("CARGO_PKG_VERSION")));
    let certs = match &options.trusted_ca_pem {
        Some(pem) => trusted_certificates(pem, &handoff.profile.product.name)?,
        None => Vec::new(),
    };
    for cert in certs {
        builder = builder.add_root_certificate(cert);
    }
    if let Some(proxy) = &options.proxy {
        builder =
            builder.proxy(reqwest::Proxy::all(proxy).map_err(|e| config_problem(e.to_string()))?);
    }
    let client = builder.build().map_err(|e| config_problem(e.to_string()))?;
    let mut auth = reqwest::header::HeaderValue::from_str(&format!(
        "{}{}",
        post.auth_prefix,
        token.expose_secret().trim()
    ))
    .map_err(|_| config_problem("the API token has characters a header cannot carry".into()))?;
    auth.set_sensitive(true);
    let url = requests.first().map(|r| r.1.clone()).unwrap_or_default();
    let mut delivered = Vec::new();
    for (what, url, body) in requests {
        let mut attempts = 0;
        let mut delay = options.backoff;
        loop {
            attempts += 1;
            let sent = client
                .post(&url)
                .header(post.auth_header.as_str(), auth.clone())
                .json(&body)
                .send()
                .await;
            let retry_after = |r: &reqwest::Response| {
                r.headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s.min(30)))
            };
            let (retryable, wait, failure) = match sent {
                Ok(response) => {
                    let status = response.status();
                    let wait = retry_after(&response);
                    let answer = excerpt(&response.bytes().await.unwrap_or_default());
                    tracing::info!(product = %handoff.profile.product.id, status = status.as_u16(), attempts, "hand-off POST");
                    if status.is_success() {
                        delivered.push(Delivery {
                            what: what.clone(),
                            status: status.as_u16(),
                            attempts,
                            answer,
                        });
                        break;
                    }
                    let retryable = status.as_u16() == 429 || status.is_server_error();
                    let problem = answer_problem(
                        &handoff.profile.product.name,
                        status.as_u16(),
                        &post.token_label,
                    );
                    (
                        retryable,
                        wait,
                        PostFailure {
                            what: what.clone(),
                            status: Some(status.as_u16()),
                            attempts,
                            problem,
                            answer: Some(answer),
                        },
                    )
                }
                Err(e) => {
                    tracing::info!(product = %handoff.profile.product.id, attempts, "hand-off POST failed to connect");
                    let tls = format!("{e:?}")
                        .to_ascii_lowercase()
                        .contains("certificate");
                    let problem = Problem {
                        code: if tls {
                            CheckCode::TlsUntrusted
                        } else {
                            CheckCode::Unreachable
                        },
                        field: None,
                        message: format!(
                            "Could not reach {}'s API at {url}: {}",
                            handoff.profile.product.name,
                            without_url(&e)
                        ),
                        fix: if tls {
                            "The API's certificate is not trusted: trust its CA (--ca-file) if it is a company CA.".into()
                        } else {
                            "Check the URL, the network and the proxy.".into()
                        },
                        server_message: None,
                        support_id: None,
                    };
                    (
                        !tls,
                        None,
                        PostFailure {
                            what: what.clone(),
                            status: None,
                            attempts,
                            problem,
                            answer: None,
                        },
                    )
                }
            };
            if !retryable || attempts >= options.max_attempts.max(1) {
                return Ok(PostReport {
                    ok: false,
                    url,
                    delivered,
                    failed: Some(failure),
                });
            }
            tokio::time::sleep(wait.unwrap_or(delay)).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
    Ok(PostReport {
        ok: true,
        url,
        delivered,
        failed: None,
    })
}

fn without_url(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

fn answer_problem(product: &str, status: u16, token_label: &str) -> Problem {
    let (code, message, fix) = match status {
        401 | 403 => (
            CheckCode::InvalidCredentials,
            format!("{product} refused the {token_label} (HTTP {status})."),
            format!("Paste a valid {token_label} with permission to create credentials."),
        ),
        429 => (
            CheckCode::RateLimited,
            format!("{product} kept throttling the request (HTTP 429)."),
            "Try again in a few minutes.".to_string(),
        ),
        s if s >= 500 => (
            CheckCode::Unexpected,
            format!("{product}'s API failed (HTTP {s}) on every attempt."),
            format!("Try again later, or paste the fields into {product} by hand."),
        ),
        s => (
            CheckCode::InvalidInput,
            format!("{product} refused the hand-off (HTTP {s}); its answer is below."),
            "Fix what the answer names (often a value in the fields), then send again.".to_string(),
        ),
    };
    Problem {
        code,
        field: None,
        message,
        fix,
        server_message: None,
        support_id: None,
    }
}

/// Hook specs with their project ids, from what the hooks flows recorded for the connection
/// (what the reproduction script recreates).
pub fn recorded_specs(
    connections: &Connections,
    connection_id: &str,
) -> Result<Vec<(HookSpec, ado_core::ids::ProjectId)>, Problem> {
    let saved = saved(connections, connection_id)?;
    Ok(saved
        .hooks
        .iter()
        .filter(|h| matches!(h.spec.auth, HookAuth::SecretHeader { .. }))
        .map(|h| (h.spec.clone(), h.spec.project_id.clone()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_ca_that_is_not_a_certificate_is_named_with_the_fix() {
        for pem in [
            "hello",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n",
        ] {
            let problem = trusted_certificates(pem, "DX").expect_err(pem);
            assert_eq!(problem.code, CheckCode::InvalidInput, "{pem}");
            assert!(
                problem
                    .message
                    .contains("DX's API is not a usable PEM certificate"),
                "{}",
                problem.message
            );
            assert!(problem.fix.contains("-----BEGIN CERTIFICATE-----"));
        }
    }
}
