//! The one place an HTTP client for ADO Connect is configured: rustls, the OS trust store plus a
//! CA trusted for one connection, an explicit proxy (else `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`),
//! timeouts, our user agent, and **no redirects** (a credential must never be replayed to
//! another host). [`AdoClient`](crate::AdoClient) and the Microsoft Entra sign-in (`ado-auth`,
//! handed the client by `ado-flows`) both use it.

use std::time::Duration;

use crate::error::Error;

/// How the HTTP client reaches a server.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Extra CA certificates (PEM) trusted for this connection only, besides the system's.
    pub trusted_ca_pem: Option<String>,
    /// An explicit proxy URL; `None` (or blank) uses `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    pub proxy: Option<String>,
    /// Timeout per request; connecting gets at most 10 s of it.
    pub timeout: Duration,
    /// Host names pinned to addresses (tests reach a name that is not loopback by spelling).
    pub resolve: Vec<(String, std::net::SocketAddr)>,
}

impl Default for HttpOptions {
    /// 20 s per request, the system's CAs, the environment's proxy.
    fn default() -> Self {
        Self {
            trusted_ca_pem: None,
            proxy: None,
            timeout: Duration::from_secs(20),
            resolve: Vec::new(),
        }
    }
}

/// Builds the configured `reqwest::Client`. Fails on a bad trusted CA or proxy URL, naming it.
pub fn http_client(options: &HttpOptions) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.timeout)
        .connect_timeout(options.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("ado-connect/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &options.trusted_ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| Error::Config(format!("the trusted CA is not valid PEM: {e}")))?;
        if certs.is_empty() {
            return Err(Error::Config(
                "the trusted CA PEM holds no certificate".into(),
            ));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if let Some(proxy) = options
        .proxy
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let proxy = reqwest::Proxy::all(proxy).map_err(|e| {
            Error::Config(format!(
                "the proxy is not a valid URL (http://host:port): {e}"
            ))
        })?;
        builder = builder.proxy(proxy);
    }
    for (host, addr) in &options.resolve {
        builder = builder.resolve(host, *addr);
    }
    builder
        .build()
        .map_err(|e| Error::Config(crate::client::error_chain(&e)))
}
