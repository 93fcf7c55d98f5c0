//! What every row shares: the faults and how each may be classified, the fault-injecting proxy,
//! the connection the rows save, the checks of a row's outcome, and running rows in time.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_emulator::scenario::DEMO_FULL_ACCESS_PAT;
use ado_flows::{ConnectOptions, Pat};
use futures_util::StreamExt as _;
use secrecy::SecretString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Every answer must come within this, hangs and rate-limit waits included.
pub const BOUND: Duration = Duration::from_secs(30);
/// The per-request timeout the rows use, so that a hang ends quickly.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(4);
/// Rows at once: enough to be quick, few enough that a loaded 2-core machine answers in time.
pub const AT_ONCE: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Unauthorized401,
    HtmlPage203,
    SignInRedirect302,
    Forbidden403,
    NotFound404,
    ProxyAuth407,
    Throttled429WithRetryAfter,
    Throttled429Bare,
    Internal500,
    Unavailable503,
    ResetMidBody,
    TruncatedJson,
    Huge50Mb,
    NeverAnswers,
}

pub const FAULTS: [Fault; 14] = [
    Fault::Unauthorized401,
    Fault::HtmlPage203,
    Fault::SignInRedirect302,
    Fault::Forbidden403,
    Fault::NotFound404,
    Fault::ProxyAuth407,
    Fault::Throttled429WithRetryAfter,
    Fault::Throttled429Bare,
    Fault::Internal500,
    Fault::Unavailable503,
    Fault::ResetMidBody,
    Fault::TruncatedJson,
    Fault::Huge50Mb,
    Fault::NeverAnswers,
];

impl Fault {
    /// The codes this fault may be classified as (the first request kinds say "credentials",
    /// later ones "permissions": the same token already proved valid).
    pub fn expected(self) -> &'static [&'static str] {
        match self {
            Fault::Unauthorized401 | Fault::HtmlPage203 | Fault::SignInRedirect302 => {
                &["invalid_credentials", "invalid_permissions"]
            }
            Fault::Forbidden403 => &["invalid_permissions"],
            Fault::NotFound404 => &["not_found"],
            Fault::ProxyAuth407 => &["unreachable"],
            Fault::Throttled429WithRetryAfter | Fault::Throttled429Bare => &["rate_limited"],
            Fault::Internal500 | Fault::Unavailable503 => &["unexpected"],
            Fault::ResetMidBody | Fault::NeverAnswers => &["unreachable"],
            Fault::TruncatedJson => &["unexpected"],
            Fault::Huge50Mb => &["response_too_large"],
        }
    }

    fn head(self) -> Option<&'static str> {
        Some(match self {
            Fault::Unauthorized401 => "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n",
            Fault::HtmlPage203 => "HTTP/1.1 203 Non-Authoritative Information\r\nContent-Type: text/html\r\nContent-Length: 21\r\n",
            Fault::SignInRedirect302 => "HTTP/1.1 302 Found\r\nLocation: https://spsprodcus1.vssps.visualstudio.com/_signin?realm=dev.azure.com\r\nContent-Length: 0\r\n",
            Fault::Forbidden403 => "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n",
            Fault::NotFound404 => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n",
            Fault::ProxyAuth407 => "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n",
            Fault::Throttled429WithRetryAfter => "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n",
            Fault::Throttled429Bare => "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n",
            Fault::Internal500 => "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n",
            Fault::Unavailable503 => "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n",
            Fault::ResetMidBody => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n",
            Fault::TruncatedJson => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 26\r\n",
            Fault::Huge50Mb => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
            Fault::NeverAnswers => return None,
        })
    }

    async fn answer(self, mut socket: TcpStream) {
        let Some(head) = self.head() else {
            // Accept, read, and never answer: only the client's timeout ends this.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        };
        let _ = socket
            .write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())
            .await;
        match self {
            Fault::HtmlPage203 => drop(socket.write_all(b"<html>sign in</html>\n").await),
            Fault::TruncatedJson => drop(socket.write_all(br#"{"count":1,"value":[{"id":"#).await),
            Fault::ResetMidBody => {
                let _ = socket.write_all(br#"{"count":3,"value":[{"#).await;
                let _ = socket.flush().await;
                #[allow(deprecated)]
                let _ = socket.set_linger(Some(Duration::ZERO));
                drop(socket); // RST with most of the body missing
            }
            Fault::Huge50Mb => {
                let chunk = vec![b' '; 64 * 1024];
                for _ in 0..(50 * 16) {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                }
            }
            _ => {}
        }
    }
}

/// Reads one request (head and body); returns its bytes and the request line.
pub async fn read_request(socket: &mut TcpStream) -> Option<(Vec<u8>, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = head.lines().next().unwrap_or_default().to_string();
    // One request per connection: ask the emulator to close after answering.
    let mut rewritten: Vec<u8> = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .flat_map(|l| format!("{l}\r\n").into_bytes())
        .collect();
    rewritten.extend_from_slice(b"Connection: close\r\n\r\n");
    rewritten.extend_from_slice(&buf[head_end..]);
    Some((rewritten, line))
}

/// A proxy to `upstream` that answers requests on `route` with `fault`.
pub async fn fault_proxy(upstream: SocketAddr, route: &'static str, fault: Fault) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some((request, line)) = read_request(&mut socket).await else {
                    return;
                };
                let mut parts = line.split(' ');
                let method = parts.next().unwrap_or_default();
                let path = parts.next().unwrap_or_default();
                let path = path.split('?').next().unwrap_or_default();
                let hit = match route.split_once(' ') {
                    // "POST /_apis/hooks/subscriptions": this method, and the path ends here
                    // (or continues with an id, for "DELETE …/subscriptions/").
                    Some((m, r)) => {
                        m == method && (path.ends_with(r) || (r.ends_with('/') && path.contains(r)))
                    }
                    None => path.contains(route),
                };
                if hit {
                    return fault.answer(socket).await;
                }
                let Ok(mut up) = TcpStream::connect(upstream).await else {
                    return;
                };
                let mut answer = Vec::new();
                if up.write_all(&request).await.is_ok() && up.read_to_end(&mut answer).await.is_ok()
                {
                    let _ = socket.write_all(&answer).await;
                }
            });
        }
    });
    addr
}

pub fn target_at(addr: SocketAddr) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("http://{addr}/tfs"),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

pub fn options() -> ConnectOptions {
    ConnectOptions {
        request_timeout: Some(REQUEST_TIMEOUT),
        ..Default::default()
    }
}

pub fn pat() -> Pat {
    Pat::parse(&SecretString::from(DEMO_FULL_ACCESS_PAT.to_string())).unwrap()
}

/// A row's outcome: the codes it produced, or why it is wrong.
pub type Row = Result<(), String>;

pub fn unchanged(dir: &Path, before: &[u8]) -> Row {
    let now = std::fs::read(dir.join("connections.json")).map_err(|e| e.to_string())?;
    if now != before {
        return Err(format!(
            "profile file changed: {}",
            String::from_utf8_lossy(&now)
        ));
    }
    Ok(())
}

pub fn check_code(fault: Fault, code: &str) -> Row {
    if fault.expected().contains(&code) {
        Ok(())
    } else {
        Err(format!(
            "classified as {code}, expected one of {:?}",
            fault.expected()
        ))
    }
}

pub async fn timed(name: String, row: impl std::future::Future<Output = Row>) -> Option<String> {
    timed_within(BOUND, name, row).await
}

pub async fn timed_within(
    bound: Duration,
    name: String,
    row: impl std::future::Future<Output = Row>,
) -> Option<String> {
    let started = Instant::now();
    match tokio::time::timeout(bound, row).await {
        Ok(Ok(())) => None,
        Ok(Err(why)) => Some(format!("{name}: {why}")),
        Err(_) => Some(format!(
            "{name}: no answer within {bound:?} ({:?})",
            started.elapsed()
        )),
    }
}

pub type RowFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send>>;

/// Runs the rows a few at a time; fails listing every row that failed.
pub async fn run_rows(rows: Vec<RowFuture>) {
    let count = rows.len();
    let failures: Vec<String> = futures_util::stream::iter(rows)
        .buffer_unordered(AT_ONCE)
        .filter_map(|f| async move { f })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {count} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
