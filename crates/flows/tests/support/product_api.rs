//! A test double of a product's API over TLS, with a private CA: records every request (path,
//! `Authorization`, JSON body) and answers with scripted statuses. Shared by the flows and CLI
//! tests (`#[path]`-included).

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub body: serde_json::Value,
}

pub struct ProductApi {
    pub url: String,
    pub ca_pem: String,
    log: Arc<Mutex<Vec<Received>>>,
}

impl ProductApi {
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// Answers the n-th request with `statuses[n]` (the last one repeats).
    pub async fn start(statuses: Vec<u16>) -> ProductApi {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        leaf.subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = leaf.signed_by(&leaf_key, &ca, &ca_key).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "https://127.0.0.1:{}",
            listener.local_addr().unwrap().port()
        );
        let log = Arc::new(Mutex::new(Vec::new()));
        let served = log.clone();
        tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    continue;
                };
                // One request per connection (we answer `Connection: close`).
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, body) = loop {
                    let Ok(read) = tls.read(&mut chunk).await else {
                        break (String::new(), Vec::new());
                    };
                    if read == 0 {
                        break (String::new(), Vec::new());
                    }
                    buf.extend_from_slice(&chunk[..read]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).to_string();
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        while buf.len() < end + 4 + length {
                            let Ok(read) = tls.read(&mut chunk).await else {
                                break;
                            };
                            if read == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..read]);
                        }
                        break (head, buf[end + 4..].to_vec());
                    }
                };
                if head.is_empty() {
                    continue;
                }
                let path = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                let authorization = head
                    .lines()
                    .find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
                            .map(|(_, v)| v.trim().to_string())
                    })
                    .unwrap_or_default();
                served.lock().unwrap().push(Received {
                    path,
                    authorization,
                    body: serde_json::from_slice(&body).unwrap_or_default(),
                });
                let status = statuses[n.min(statuses.len() - 1)];
                n += 1;
                let answer = match status {
                    200 => r#"{"ok":true,"credential":{"id":"cred_1"}}"#,
                    422 => r#"{"ok":false,"error":"name already taken"}"#,
                    _ => r#"{"ok":false,"error":"try later"}"#,
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            }
        });
        ProductApi {
            url,
            ca_pem: ca.pem(),
            log,
        }
    }
}
