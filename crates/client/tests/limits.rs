//! The client's own guards, at the socket: a credential never goes over plain http to another
//! machine without consent (nothing reaches the server), and a huge body fails with
//! `BodyTooLarge` instead of filling memory.
//!
//! "Another machine" without leaving loopback: the host name `ado.example.test` is pinned to a
//! loopback listener through [`ClientConfig::resolve`], so the URL is not a loopback one while
//! the socket is.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ado_client::{AdoClient, ClientConfig, Credential, Error};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// A listener that counts connections and answers each with `response` (then `body_len` zero
/// bytes, if any).
async fn server(head: &'static str, body_len: usize) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(head.as_bytes()).await;
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < body_len {
                    let n = chunk.len().min(body_len - sent);
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
        }
    });
    (addr, accepted)
}

const OK_JSON: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";

fn config(base: &str, addr: SocketAddr) -> ClientConfig {
    let mut config = ClientConfig::new(base.parse().unwrap(), Credential::pat("secret-pat"));
    config.resolve = vec![("ado.example.test".into(), addr)];
    config
}

#[tokio::test]
async fn plain_http_to_another_machine_sends_nothing_without_consent() {
    let (addr, accepted) = server(OK_JSON, 0).await;
    let base = format!("http://ado.example.test:{}/tfs/Coll/", addr.port());

    let refused = AdoClient::new(config(&base, addr)).unwrap_err();
    assert!(
        matches!(refused, Error::PlainHttpRefused { .. }),
        "{refused:?}"
    );
    assert!(
        !refused.to_string().contains("secret-pat"),
        "the token is never in an error"
    );

    // An anonymous client carries no token: it may ask (reachability, tenant discovery).
    let mut anonymous = config(&base, addr);
    anonymous.credential = Credential::Anonymous;
    let anonymous = AdoClient::new(anonymous).unwrap();
    anonymous
        .send(ado_client::Request::get("_apis/connectionData"))
        .await
        .unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // With consent, the same request reaches the server.
    let mut consented = config(&base, addr);
    consented.allow_plain_http = true;
    AdoClient::new(consented)
        .unwrap()
        .send(ado_client::Request::get("_apis/connectionData"))
        .await
        .unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2, "only the consented one");
}

#[tokio::test]
async fn a_request_path_cannot_leave_for_another_host_in_the_clear() {
    // The base is loopback (no consent needed), but an absolute path joins to another host.
    let (addr, accepted) = server(OK_JSON, 0).await;
    let mut cfg = config(&format!("http://127.0.0.1:{}/tfs/Coll/", addr.port()), addr);
    cfg.allow_plain_http = false;
    let client = AdoClient::new(cfg).unwrap();
    let err = client
        .send(ado_client::Request::get(format!(
            "http://ado.example.test:{}/_apis/connectionData",
            addr.port()
        )))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PlainHttpRefused { .. }), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}

#[test]
fn loopback_needs_no_consent_and_https_never_does() {
    use ado_client::needs_plain_http_consent as needs;
    let url = |s: &str| url::Url::parse(s).unwrap();
    assert!(!needs(&url("http://localhost:8080/tfs")));
    assert!(!needs(&url("http://127.0.0.2:8080/tfs")));
    assert!(!needs(&url("http://[::1]:8080/tfs")));
    assert!(!needs(&url("https://tfs.example.com/tfs")));
    assert!(needs(&url("http://tfs.example.com/tfs")));
    assert!(needs(&url("http://10.0.0.5:8080/tfs")));
    assert!(needs(&url("http://localhost.example.com/tfs")));
}

async fn expect_too_large(head: &'static str) {
    let (addr, _) = server(head, 50 * 1024 * 1024).await;
    let client = AdoClient::new(ClientConfig::new(
        format!("http://127.0.0.1:{}/tfs/Coll/", addr.port())
            .parse()
            .unwrap(),
        Credential::pat("x"),
    ))
    .unwrap();
    let started = Instant::now();
    let err = client
        .send(ado_client::Request::get("_apis/connectionData"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit_bytes, .. } if limit_bytes == ado_client::MAX_BODY_BYTES),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_50_mb_body_announced_by_content_length_is_refused() {
    expect_too_large("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\nConnection: close\r\n\r\n").await;
}

#[tokio::test]
async fn a_50_mb_body_without_a_length_is_cut_at_the_limit() {
    expect_too_large(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
    )
    .await;
}

/// A listener that answers `/a` with 429 (`Retry-After: 1`) the first time and everything else
/// with `{}` after a short pause; it notes the order requests arrive in and the most it had in
/// hand at once.
async fn throttling_server() -> (
    SocketAddr,
    Arc<std::sync::Mutex<Vec<String>>>,
    Arc<AtomicUsize>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let arrivals = Arc::new(std::sync::Mutex::new(Vec::new()));
    let most = Arc::new(AtomicUsize::new(0));
    let in_hand = Arc::new(AtomicUsize::new(0));
    let (log, peak) = (arrivals.clone(), most.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (log, peak, in_hand) = (log.clone(), peak.clone(), in_hand.clone());
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let now = in_hand.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let first_a = {
                    let mut log = log.lock().unwrap();
                    let first = path.starts_with("/tfs/Coll/a")
                        && !log.iter().any(|p: &String| p.starts_with("/tfs/Coll/a"));
                    log.push(path);
                    first
                };
                tokio::time::sleep(Duration::from_millis(20)).await;
                in_hand.fetch_sub(1, Ordering::SeqCst);
                let answer = if first_a {
                    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                } else {
                    OK_JSON
                };
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (addr, arrivals, most)
}

#[tokio::test]
async fn a_request_limit_holds_the_rest_back_but_not_behind_a_429() {
    let (addr, arrivals, most) = throttling_server().await;
    let base = format!("http://127.0.0.1:{}/tfs/Coll/", addr.port());
    let client = AdoClient::new(config(&base, addr))
        .unwrap()
        .with_request_limit(2);
    let paths = ["a", "b", "c", "d", "e", "f"];
    let answers = futures_util::future::join_all(
        paths
            .iter()
            .map(|p| client.send(ado_client::Request::get(*p))),
    )
    .await;
    assert!(answers.iter().all(|a| a.is_ok()), "{answers:?}");
    assert!(most.load(Ordering::SeqCst) <= 2, "at most 2 on the wire");
    assert_eq!(client.stats().requests, 7, "six, and `a` once more");
    assert_eq!(client.stats().rate_limited, 1);
    let order = arrivals.lock().unwrap().clone();
    assert_eq!(
        order.last().map(String::as_str),
        Some("/tfs/Coll/a"),
        "`a` waited out its Retry-After without holding a place: the others went meanwhile ({order:?})"
    );
}
