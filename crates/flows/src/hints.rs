//! Hints for the connect form that need the network: when `https://host:port` fails, does plain
//! `http://` answer on the same port? (A server set up without TLS is the usual reason.) The
//! probe is anonymous, short, and sends no credential.

use ado_client::{AdoClient, Credential};
use url::Url;

use crate::verify::ConnectOptions;

/// `url` with `http://` instead of `https://` (same host, port and path) when an Azure DevOps
/// collection or server answers there; `None` when `url` is not https or nothing answers.
pub async fn http_answers_instead(url: &str, options: &ConnectOptions) -> Option<Url> {
    let https = Url::parse(url.trim()).ok()?;
    if https.scheme() != "https" {
        return None;
    }
    let port = https.port_or_known_default()?;
    let mut http = https.clone();
    http.set_scheme("http").ok()?;
    http.set_port(Some(port)).ok()?;
    let mut config = options.client_config(http.clone(), Credential::Anonymous);
    config.timeout = std::time::Duration::from_secs(3);
    config.max_retry_wait = std::time::Duration::ZERO;
    let client = AdoClient::new(config).ok()?;
    match client.connection_data().await {
        Ok(_) => Some(http),
        // Any HTTP answer (401, 404, …) means something speaks plain HTTP there.
        Err(e) if e.status().is_some() => Some(http),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_https_urls_are_probed() {
        assert_eq!(
            http_answers_instead("http://127.0.0.1:9/tfs", &ConnectOptions::default()).await,
            None
        );
        assert_eq!(
            http_answers_instead("not a url", &ConnectOptions::default()).await,
            None
        );
    }

    #[tokio::test]
    async fn plain_http_on_the_same_port_is_found() {
        let emulator = ado_emulator::Emulator::spawn(ado_emulator::Config::default())
            .await
            .unwrap();
        let https = emulator.base_url().replacen("http://", "https://", 1) + "/tfs";
        let found = http_answers_instead(&https, &ConnectOptions::default())
            .await
            .expect("the emulator answers over http");
        assert_eq!(found.as_str(), format!("{}/tfs", emulator.base_url()));
        // Nothing listens on port 9.
        assert_eq!(
            http_answers_instead("https://127.0.0.1:9/tfs", &ConnectOptions::default()).await,
            None
        );
        emulator.shutdown().await;
    }
}
