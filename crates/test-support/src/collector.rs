//! A collector: the HTTPS endpoint an attacker's profile (or a misbehaving product) points a
//! hand-off at. It listens on a loopback address only (`127.0.0.1`, `127.0.0.2`, … so that two
//! collectors are two hosts), with a certificate from a private CA of its own, counts every TCP
//! connection it accepts (so "nothing reached it" means not even a handshake), records every
//! request (path, headers, body), and answers with a fixed body or an endless chunked one,
//! counting what it managed to send.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the collector received.
pub use crate::tls::Request as Received;

/// How the collector answers every request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// `status` with exactly `body` (and its `content-length`).
    Body { status: u16, body: Vec<u8> },
    /// `status` with a chunked body of `bytes` bytes, streamed in 64 KiB chunks for at most
    /// `for_at_most`, stopped as soon as the client stops taking it.
    Endless {
        status: u16,
        bytes: u64,
        for_at_most: Duration,
    },
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Answer {
        Answer::Body {
            status,
            body: body.as_bytes().to_vec(),
        }
    }
}

#[derive(Default)]
struct State {
    connections: AtomicUsize,
    sent: AtomicU64,
    log: Mutex<Vec<Received>>,
}

pub struct Collector {
    /// `https://{ip}:{port}`.
    pub url: String,
    /// The address, as a URL host (`127.0.0.2`).
    pub host: String,
    /// The private CA that signed its certificate (PEM).
    pub ca_pem: String,
    state: Arc<State>,
}

impl Collector {
    /// TCP connections accepted so far (a refused TLS handshake counts too).
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.log.lock().unwrap().clone()
    }

    /// Body bytes of the answers written so far.
    pub fn bytes_sent(&self) -> u64 {
        self.state.sent.load(Ordering::SeqCst)
    }

    /// A collector on `ip` (a loopback address), answering every request with `answer`.
    pub async fn start(ip: Ipv4Addr, answer: Answer) -> Collector {
        assert!(ip.is_loopback(), "only loopback addresses are ever targets");
        let (acceptor, ca_pem) = crate::tls::acceptor(ip);
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let url = format!("https://{ip}:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(State::default());
        let served = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                served.connections.fetch_add(1, Ordering::SeqCst);
                let (acceptor, state, answer) = (acceptor.clone(), served.clone(), answer.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        serve(tls, &state, &answer).await;
                    }
                });
            }
        });
        Collector {
            url,
            host: ip.to_string(),
            ca_pem,
            state,
        }
    }
}

/// Reads one request, records it, answers, closes.
async fn serve(
    mut tls: tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    state: &State,
    answer: &Answer,
) {
    use tokio::io::AsyncWriteExt as _;

    let Some(request) = crate::tls::read_request(&mut tls).await else {
        return;
    };
    state.log.lock().unwrap().push(request);
    match answer {
        Answer::Body { status, body } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = tls.write_all(head.as_bytes()).await;
            if tls.write_all(body).await.is_ok() {
                state.sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            }
        }
        Answer::Endless {
            status,
            bytes,
            for_at_most,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
            );
            if tls.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let deadline = Instant::now() + *for_at_most;
            let piece = vec![b'x'; 64 * 1024];
            let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
            framed.extend_from_slice(&piece);
            framed.extend_from_slice(b"\r\n");
            let mut sent = 0u64;
            while sent < *bytes {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, tls.write_all(&framed)).await {
                    Ok(Ok(())) => {
                        sent += piece.len() as u64;
                        state.sent.fetch_add(piece.len() as u64, Ordering::SeqCst);
                    }
                    // The client hung up (or stopped reading until the time ran out).
                    _ => return,
                }
            }
            let _ = tls.write_all(b"0\r\n\r\n").await;
        }
    }
    let _ = tls.shutdown().await;
}
