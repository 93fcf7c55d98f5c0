//! A test double of a product's API over TLS, with a private CA, on `127.0.0.1`: records every
//! request (path, `Authorization`, JSON body) and answers with scripted statuses, one connection
//! after the other (so the n-th request gets the n-th status).

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use tokio::io::AsyncWriteExt as _;

/// One request the product's API received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub body: serde_json::Value,
}

pub struct ProductApi {
    /// `https://127.0.0.1:{port}`.
    pub url: String,
    /// The private CA that signed its certificate (PEM).
    pub ca_pem: String,
    log: Arc<Mutex<Vec<Received>>>,
}

impl ProductApi {
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    /// Answers the n-th request with `statuses[n]` (the last one repeats).
    pub async fn start(statuses: Vec<u16>) -> ProductApi {
        let (acceptor, ca_pem) = crate::tls::acceptor(Ipv4Addr::LOCALHOST);
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
                let Some(request) = crate::tls::read_request(&mut tls).await else {
                    continue;
                };
                served.lock().unwrap().push(Received {
                    authorization: request
                        .header("authorization")
                        .unwrap_or_default()
                        .to_string(),
                    body: serde_json::from_slice(&request.body).unwrap_or_default(),
                    path: request.path,
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
        ProductApi { url, ca_pem, log }
    }
}
