//! [`post_handoff`]: the hand-off delivered to the product's own API, when its profile names one
//! (DX's `credentials.create`). HTTPS only, no redirect followed, retried with backoff on 429
//! and 5xx, trusting a private CA only when configured; the product API token never reaches a
//! log.
//!
//! The POST uses its own `reqwest` client because the product's API is not Azure DevOps (the
//! one Azure DevOps client stays in `ado-client`).

use std::time::Duration;

use ado_core::checks::{CheckCode, Problem};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use super::handoff::Handoff;

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
    /// The addresses the destination was checked at ([`super::delivery::preview`]): the POST
    /// goes there and nowhere else, so a name that resolves differently a moment later (DNS
    /// rebinding) cannot redirect it.
    pub pinned: Option<(String, Vec<std::net::SocketAddr>)>,
}

impl Default for PostOptions {
    fn default() -> Self {
        PostOptions {
            trusted_ca_pem: None,
            proxy: None,
            max_attempts: 4,
            backoff: Duration::from_millis(500),
            pinned: None,
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
fn trusted_certificates(
    pem: &str,
    product: &str,
) -> Result<Vec<reqwest::Certificate>, crate::Error> {
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
        return Err(not_a_certificate("no certificate block found".into()).into());
    }
    for cert in &certs {
        reqwest::Client::builder()
            .add_root_certificate(cert.clone())
            .build()
            .map_err(|e| not_a_certificate(e.to_string()))?;
    }
    Ok(certs)
}

/// The most of a product's answer that is read: the rest is never received into memory.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The most of it that is shown.
const SHOWN_CHARS: usize = 2048;

fn excerpt(body: &[u8], cut: bool) -> String {
    let text = String::from_utf8_lossy(body);
    let mut shown: String = text.chars().take(SHOWN_CHARS).collect();
    if cut || text.chars().count() > SHOWN_CHARS {
        shown.push_str(&format!(
            " … (cut: the answer was longer{}; ADO Connect reads at most {} KiB of it)",
            if cut { "" } else { " than shown" },
            MAX_ANSWER_BYTES / 1024
        ));
    }
    shown
}

/// Reads the product's answer, at most [`MAX_ANSWER_BYTES`] of it.
async fn bounded_answer(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    let mut cut = false;
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = MAX_ANSWER_BYTES - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            cut = true;
            break;
        }
        body.extend_from_slice(&chunk);
    }
    excerpt(&body, cut)
}

/// POSTs the hand-off to the product's API with `token` in the profile's auth header. Retries
/// 429 and 5xx (and connection failures) with exponential backoff, honouring `Retry-After`;
/// stops at the first refusal and reports the product's answer.
pub async fn post_handoff(
    handoff: &Handoff,
    token: &SecretString,
    options: &PostOptions,
) -> Result<PostReport, crate::Error> {
    let requests = handoff.post_requests()?;
    let post = handoff
        .profile
        .handoff
        .post
        .clone()
        .expect("post_requests refuses a profile without a POST");
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
    if let Some((host, addrs)) = &options.pinned {
        builder = builder.resolve_to_addrs(host, addrs);
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
                    let answer = bounded_answer(response).await;
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
                            "The API's certificate is not trusted: trust its CA (the product CA field, or --product-ca-file) if it is a company CA.".into()
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
