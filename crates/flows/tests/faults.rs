//! The fault matrix: every fault on every request kind, through the flows (verify-and-save and
//! the preflight checks), against the emulator behind a small fault-injecting proxy.
//!
//! Each row asserts: a stable code from the fault's expected set (never a panic), an answer
//! within a bound (the hang row proves the timeout holds), and nothing half-written (a failed
//! save leaves the profile file byte for byte as it was and no secret behind).
//!
//! The proxy forwards every request to the emulator except those whose path names the row's
//! route; those get the fault. Network-level faults (refused, TLS) concern the whole host and
//! have rows of their own. Rows run a few at a time; each has its own proxy. The hooks rows
//! (create, delete) go through `hooks::open_session`, plan, apply and remove, each with an
//! emulator of its own, and check that the profile records only what exists.
//! The Entra token endpoint rows sign in as a service principal (`ado_flows::signin`) against
//! an emulator whose `token` requests get the fault (its fault rules answer as Entra would).
//! The device-code rows sign in with a device code, the fault on the device authorization
//! endpoint (`deviceCode`) or on the token endpoint it polls (`token`).

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use ado_core::capabilities::Capability;
use ado_core::preflight::Status;
use ado_core::target::{ConnectionTarget, Deployment, TargetInput};
use ado_emulator::scenario::{DEMO_FULL_ACCESS_PAT, DEMO_USER_EMAIL};
use ado_emulator::{Config, Emulator};
use ado_flows::preflight::{run_preflight, PreflightRequest};
use ado_flows::{ConnectOptions, Connections, Pat, SecretStore};
use futures_util::StreamExt as _;
use secrecy::SecretString;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// Every answer must come within this, hangs and rate-limit waits included.
const BOUND: Duration = Duration::from_secs(30);
/// The per-request timeout the rows use, so that a hang ends quickly.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(4);
/// The hooks rows open the saved connection the one way, with the client's default 20 s
/// timeout (a timeout is not saved). A hung create is ambiguous, so apply looks and tries again
/// up to 3 times (hooks/apply.rs `CREATE_RETRIES`, backoff 0.5 + 2 + 8 s): 4 x 20 + 10.5 s.
const HOOKS_BOUND: Duration = Duration::from_secs(100);
/// Rows at once: enough to be quick, few enough that a loaded 2-core machine answers in time.
const AT_ONCE: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
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

const FAULTS: [Fault; 14] = [
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
    fn expected(self) -> &'static [&'static str] {
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

/// The request kinds: a path fragment each request of that kind has.
const ROUTES: [(&str, &str); 8] = [
    ("connectionData", "/_apis/connectionData"),
    ("projects", "/_apis/projects"),
    ("repositories", "/_apis/git/repositories"),
    ("pull requests", "/_apis/git/pullrequests"),
    ("builds", "/_apis/build/builds"),
    ("work item types", "/_apis/wit/workitemtypes"),
    (
        "service-hooks permission",
        "/_apis/security/permissionevaluationbatch",
    ),
    ("hooks list", "/_apis/hooks/subscriptions"),
];

/// Reads one request (head and body); returns its bytes and the request line.
async fn read_request(socket: &mut TcpStream) -> Option<(Vec<u8>, String)> {
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
async fn fault_proxy(upstream: SocketAddr, route: &'static str, fault: Fault) -> SocketAddr {
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

fn target_at(addr: SocketAddr) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("http://{addr}/tfs"),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn options() -> ConnectOptions {
    ConnectOptions {
        request_timeout: Some(REQUEST_TIMEOUT),
        ..Default::default()
    }
}

fn pat() -> Pat {
    Pat::parse(&SecretString::from(DEMO_FULL_ACCESS_PAT.to_string())).unwrap()
}

/// A row's outcome: the codes it produced, or why it is wrong.
type Row = Result<(), String>;

/// Verify-and-save through a store that already holds another connection.
async fn verify_row(
    upstream: SocketAddr,
    route: &'static str,
    fault: Fault,
    store: Option<SecretStore>,
) -> Row {
    let addr = fault_proxy(upstream, route, fault).await;
    let target = target_at(addr);
    let Some(store) = store else {
        // No keyring: verify only.
        return match ado_flows::verify_connection(&target, pat().credential(), &options()).await {
            Err(p) => check_code(fault, p.code.as_str()),
            Ok(v) => warned(fault, v.warnings.iter().map(|w| w.code.as_str())),
        };
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("connections.json");
    let before = br#"{"version":2,"connections":[]}"#;
    std::fs::write(&file, before).unwrap();
    let connections = Connections::new(dir.path(), store.clone());
    let result =
        ado_flows::verify_and_save_pat(&connections, &target, &pat(), None, &options(), 0).await;
    match result {
        Err(ado_flows::ConnectError::Problem(p)) => {
            unchanged(dir.path(), before)?;
            let key = format!("pat:{}", ado_flows::profiles::profile_id(&target));
            if store.get(&key).map_err(|e| e.to_string())?.is_some() {
                return Err("a secret was left behind".into());
            }
            check_code(fault, p.code.as_str())
                .map_err(|e| format!("{e} ({}; {:?})", p.message, p.server_message))
        }
        Err(other) => Err(format!("not a diagnosed problem: {other}")),
        Ok(connected) => {
            // Only a repositories failure may still verify (a warning): then it saved whole.
            let saved = connections.list().map_err(|e| e.to_string())?;
            let _ = connections.remove(&connected.profile.id);
            if saved.len() != 1 {
                return Err(format!("saved {} profiles", saved.len()));
            }
            warned(
                fault,
                connected.verified.warnings.iter().map(|w| w.code.as_str()),
            )
        }
    }
}

fn unchanged(dir: &Path, before: &[u8]) -> Row {
    let now = std::fs::read(dir.join("connections.json")).map_err(|e| e.to_string())?;
    if now != before {
        return Err(format!(
            "profile file changed: {}",
            String::from_utf8_lossy(&now)
        ));
    }
    Ok(())
}

fn check_code(fault: Fault, code: &str) -> Row {
    if fault.expected().contains(&code) {
        Ok(())
    } else {
        Err(format!(
            "classified as {code}, expected one of {:?}",
            fault.expected()
        ))
    }
}

fn warned<'a>(fault: Fault, mut codes: impl Iterator<Item = &'a str>) -> Row {
    let codes: Vec<&str> = codes.by_ref().collect();
    if codes.iter().any(|c| fault.expected().contains(c)) {
        Ok(())
    } else {
        Err(format!(
            "verified with warnings {codes:?}, expected one of {:?}",
            fault.expected()
        ))
    }
}

/// The preflight checklist with every capability: the row's fault must show as a failing or
/// warning check with an expected code, and every failing check must carry a code.
async fn preflight_row(upstream: SocketAddr, route: &'static str, fault: Fault) -> Row {
    let addr = fault_proxy(upstream, route, fault).await;
    let request = PreflightRequest {
        target: target_at(addr),
        credential: pat().credential(),
        capabilities: vec![
            Capability::Repositories,
            Capability::PullRequests,
            Capability::Pipelines,
            Capability::Boards,
            Capability::Webhooks,
        ],
        project: None,
        repository: None,
        options: options(),
        ca_file_hint: None,
    };
    let report = run_preflight(&request, &|_| {}).await;
    let flagged: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn))
        .map(|c| c.code.map(|c| c.as_str()).unwrap_or("none"))
        .collect();
    if flagged.contains(&"none") {
        return Err(format!("a failing check without a code: {flagged:?}"));
    }
    warned(fault, flagged.into_iter())
}

async fn timed(name: String, row: impl std::future::Future<Output = Row>) -> Option<String> {
    timed_within(BOUND, name, row).await
}

async fn timed_within(
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

type RowFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Option<String>> + Send>>;

/// Runs the rows a few at a time; fails listing every row that failed.
async fn run_rows(rows: Vec<RowFuture>) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_request_kind_is_classified_in_time_and_leaves_nothing_half_written() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let upstream: SocketAddr = emu
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let store = SecretStore::detect().ok();
    if store.is_none() {
        eprintln!("no keyring: the verify rows check the verdict only, not the save");
    }
    let mut rows: Vec<RowFuture> = Vec::new();
    for fault in FAULTS {
        for (kind, route) in ROUTES {
            if matches!(
                route,
                "/_apis/connectionData" | "/_apis/projects" | "/_apis/git/repositories"
            ) {
                rows.push(Box::pin(timed(
                    format!("verify / {kind} / {fault:?}"),
                    verify_row(upstream, route, fault, store.clone()),
                )));
            }
            rows.push(Box::pin(timed(
                format!("preflight / {kind} / {fault:?}"),
                preflight_row(upstream, route, fault),
            )));
        }
    }
    run_rows(rows).await;
}

#[tokio::test]
async fn connection_refused_is_unreachable_and_saves_nothing() {
    // Bind then drop: nothing listens on the port any more.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let started = Instant::now();
    let problem = ado_flows::verify_connection(&target_at(addr), pat().credential(), &options())
        .await
        .unwrap_err();
    assert_eq!(problem.code.as_str(), "unreachable", "{problem:?}");
    assert!(started.elapsed() < BOUND);
}

#[tokio::test]
async fn tls_untrusted_is_named_and_trusting_the_ca_fixes_it() {
    let emu = Emulator::spawn(Config {
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("{}/tfs", emu.base_url()),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let problem = ado_flows::verify_connection(&target, pat().credential(), &options())
        .await
        .unwrap_err();
    assert_eq!(problem.code.as_str(), "tls_untrusted", "{problem:?}");
    let trusted = ConnectOptions {
        trusted_ca_pem: emu.ca_pem().map(str::to_string),
        ..options()
    };
    ado_flows::verify_connection(&target, pat().credential(), &trusted)
        .await
        .expect("trusted for this connection");
}

/// A TLS server whose certificate is signed by a fresh CA (returned as PEM, so the rows can
/// trust it): for `names`, valid until `not_after`. It completes no HTTP: the handshake is the
/// point.
async fn tls_server(names: &[&str], not_after: (i32, u8, u8)) -> (SocketAddr, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let mut leaf =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    if names.contains(&"127.0.0.1") {
        leaf.subject_alt_names = vec![SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into())];
    }
    leaf.not_before = rcgen::date_time_ymd(2000, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(leaf_cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move { drop(acceptor.accept(socket).await) });
        }
    });
    (addr, ca_cert.pem())
}

async fn tls_row(names: &[&str], not_after: (i32, u8, u8)) -> ado_core::checks::Problem {
    let (addr, ca_pem) = tls_server(names, not_after).await;
    let target = TargetInput {
        deployment: Some(Deployment::Server),
        server_url: format!("https://127.0.0.1:{}/tfs", addr.port()),
        collection: "DefaultCollection".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let trusted = ConnectOptions {
        trusted_ca_pem: Some(ca_pem),
        ..options()
    };
    let started = Instant::now();
    let problem = ado_flows::verify_connection(&target, pat().credential(), &trusted)
        .await
        .unwrap_err();
    assert!(started.elapsed() < BOUND);
    problem
}

#[tokio::test]
async fn tls_expired_and_wrong_host_are_named_even_with_the_ca_trusted() {
    // Control: the same server, valid and for the right address, verifies its TLS (then fails
    // on the missing HTTP answer, not on TLS).
    let control = tls_row(&["127.0.0.1"], (2999, 1, 1)).await;
    assert_ne!(control.code.as_str(), "tls_untrusted", "{control:?}");
    let expired = tls_row(&["127.0.0.1"], (2001, 1, 1)).await;
    assert_eq!(expired.code.as_str(), "tls_untrusted", "{expired:?}");
    let wrong_host = tls_row(&["wrong.example"], (2999, 1, 1)).await;
    assert_eq!(wrong_host.code.as_str(), "tls_untrusted", "{wrong_host:?}");
}

/// A hooks row: save the connection, plan and apply one subscription (the create row's fault
/// hits the POST), then remove it (the delete row's fault hits the DELETE). A failed create
/// records nothing; a failed delete keeps the record (so removing again retries).
async fn hooks_row(route: &'static str, fault: Fault, store: SecretStore) -> Row {
    use ado_flows::hooks::{self, AuthChoice, HookRequest, SecretChoice};
    // An emulator of its own: subscriptions are state, and rows run at once.
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let upstream: SocketAddr = emu
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let addr = fault_proxy(upstream, route, fault).await;
    let target = target_at(addr);
    let dir = tempfile::tempdir().unwrap();
    let connections = Connections::new(dir.path(), store);
    // The fault is on the hooks route only: saving the connection first gets the client's
    // default timeout, so a loaded machine's slow answer is not taken for the row's fault.
    let connected = ado_flows::verify_and_save_pat(
        &connections,
        &target,
        &pat(),
        None,
        &ConnectOptions::default(),
        0,
    )
    .await
    .map_err(|e| format!("saving failed: {e}"))?;
    let id = connected.profile.id.clone();
    let result = async {
        let hooks::Session { client, records } =
            hooks::open_session(&connections, &id, &ado_auth::SignInSettings::default())
                .await
                .map_err(|p| format!("open_session: {p:?}"))?;
        let request = HookRequest {
            project: "Fabrikam Fiber".into(),
            projects: Vec::new(),
            all_projects: false,
            repository: Some("fiber-api".into()),
            repositories: Vec::new(),
            take_over: false,
            branch: None,
            events: vec![ado_core::webhook::EventKind::CodePushed],
            url: "https://hooks.example.com/ado".into(),
            auth: AuthChoice::SecretHeader {
                header: None,
                secret: SecretChoice::Keep,
            },
        };
        let plan = hooks::plan_hooks(&client, &records, &request)
            .await
            .map_err(|p| format!("plan: {p:?}"))?;
        let recorded = || {
            connections
                .get(&id)
                .map(|p| p.map(|p| p.hooks.len()).unwrap_or(0))
        };
        let codes = |failed: &[hooks::FailedHook]| {
            failed
                .iter()
                .map(|f| f.problem.code.as_str().to_string())
                .collect::<Vec<_>>()
        };
        let applied = hooks::apply_plan(&client, &records, &plan, &|_| {}).await;
        if route.starts_with("POST") {
            let code = match applied {
                Err(p) => p.code.as_str().to_string(),
                Ok(report) if !report.ok => codes(&report.failed).join(","),
                Ok(_) => return Err("the create succeeded through the fault".to_string()),
            };
            if recorded().map_err(|e| e.to_string())? != 0 {
                return Err("a subscription that was not created is recorded".into());
            }
            return check_code(fault, &code);
        }
        let report = applied.map_err(|p| format!("apply: {p:?}"))?;
        if !report.ok {
            return Err(format!("apply failed: {:?}", codes(&report.failed)));
        }
        let code = match hooks::remove_hooks(&client, &records).await {
            Err(p) => p.code.as_str().to_string(),
            Ok(report) if !report.ok => codes(&report.failed).join(","),
            // A 404 on delete means gone already, and a 200 needs no body: both are success.
            Ok(_) if matches!(fault, Fault::NotFound404 | Fault::TruncatedJson) => return Ok(()),
            Ok(_) => return Err("the delete succeeded through the fault".to_string()),
        };
        if recorded().map_err(|e| e.to_string())? != 1 {
            return Err("a subscription that was not deleted lost its record".into());
        }
        check_code(fault, &code)
    }
    .await;
    let _ = connections.remove(&id);
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_hooks_create_and_delete_is_classified_and_records_stay_true() {
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: the hooks rows need a keyring (scripts/desktop-session.sh)");
        return;
    };
    let mut rows: Vec<RowFuture> = Vec::new();
    for fault in FAULTS {
        for (kind, route) in [
            ("hooks create", "POST /_apis/hooks/subscriptions"),
            ("hooks delete", "DELETE /_apis/hooks/subscriptions/"),
        ] {
            rows.push(Box::pin(timed_within(
                HOOKS_BOUND,
                format!("{kind} / {fault:?}"),
                hooks_row(route, fault, store.clone()),
            )));
        }
    }
    run_rows(rows).await;
}

/// The Entra token endpoint's fault, as an emulator rule on the `token` request kind (the
/// emulator answers these as Entra would: OAuth error JSON for statuses, see its README).
fn token_rule(fault: Fault) -> &'static str {
    match fault {
        Fault::Unauthorized401 => "token=401",
        Fault::HtmlPage203 => "token=203",
        Fault::SignInRedirect302 => "token=302",
        Fault::Forbidden403 => "token=403",
        Fault::NotFound404 => "token=404",
        Fault::ProxyAuth407 => "token=407",
        Fault::Throttled429WithRetryAfter => "token=429;retryAfter=1",
        Fault::Throttled429Bare => "token=429;retryAfter=none",
        Fault::Internal500 => "token=500",
        Fault::Unavailable503 => "token=503",
        Fault::ResetMidBody => "token=reset",
        Fault::TruncatedJson => "token=truncated",
        Fault::Huge50Mb => "token=hugeBody",
        Fault::NeverAnswers => "token=hang",
    }
}

/// The codes a token-endpoint fault may be classified as: Entra's refusals (an OAuth error
/// JSON: 401, 403, 404) are credentials; a 429 is `rate_limited` (told apart from a 5xx by its
/// HTTP status, which the auth error carries); a 5xx is `unexpected` ("Entra is unavailable, try
/// again later"), as for Azure DevOps, not the user's credentials; everything that is not an
/// answer from Entra at all is `unreachable` ("check the network and try again").
fn token_expected(fault: Fault) -> &'static [&'static str] {
    match fault {
        Fault::Unauthorized401 | Fault::Forbidden403 | Fault::NotFound404 => {
            &["invalid_credentials"]
        }
        Fault::Throttled429WithRetryAfter | Fault::Throttled429Bare => &["rate_limited"],
        Fault::Internal500 | Fault::Unavailable503 => &["unexpected"],
        _ => &["unreachable"],
    }
}

/// A service-principal sign-in (`signin::sign_in_as_service_principal`) whose token request
/// gets `fault`: a stable code, in time, and nothing saved (the profile file byte for byte as it
/// was, no profile listed). Each row has its own emulator (its rules are global).
async fn token_row(fault: Fault, store: SecretStore) -> Row {
    use ado_emulator::scenario::{DEMO_SP_CLIENT_ID, DEMO_SP_SECRET};
    use ado_emulator::Faults;
    let rule = token_rule(fault).parse().map_err(|e| format!("{e:?}"))?;
    let emu = Emulator::spawn(Config {
        faults: Faults::rules([rule]),
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = emu.base_url().to_string();
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .map_err(|e| e.to_string())?;
    let target = ado_flows::signin::services_target("fabrikam", &format!("{base}/"))
        .map_err(|e| format!("{e:?}"))?;
    let dir = tempfile::tempdir().unwrap();
    let before = br#"{"version":2,"connections":[]}"#;
    std::fs::write(dir.path().join("connections.json"), before).unwrap();
    let connections = Connections::new(dir.path(), store);
    let secret = SecretString::from(DEMO_SP_SECRET.to_string());
    let result = ado_flows::signin::sign_in_as_service_principal(
        &connections,
        &target,
        &settings,
        ado_flows::signin::ServicePrincipalLogin {
            tenant: "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
            client_id: &DEMO_SP_CLIENT_ID.to_string(),
            secret: &secret,
        },
        &options(),
        0,
    )
    .await;
    let hit = emu.requests().iter().any(|r| r.fault.is_some());
    match result {
        Ok(connected) => {
            let _ = connections.remove(&connected.profile.id);
            Err("signed in despite the fault".into())
        }
        Err(ado_flows::ConnectError::Problem(p)) => {
            if !hit {
                return Err(format!("the fault never hit: {}", p.message));
            }
            unchanged(dir.path(), before)?;
            let listed = connections.list().map_err(|e| e.to_string())?;
            if !listed.is_empty() {
                return Err(format!("saved {} profiles", listed.len()));
            }
            let wait = match fault {
                Fault::Throttled429WithRetryAfter => Some("wait 1 second (Retry-After)"),
                Fault::Throttled429Bare => Some("throttling sign-ins"),
                Fault::Internal500 | Fault::Unavailable503 => Some("Entra ID is unavailable"),
                _ => None,
            };
            if let Some(words) = wait.filter(|w| !p.message.contains(w)) {
                return Err(format!("the message lacks {words:?}: {}", p.message));
            }
            let code = p.code.as_str();
            if token_expected(fault).contains(&code) {
                Ok(())
            } else {
                Err(format!(
                    "classified as {code}, expected one of {:?} ({})",
                    token_expected(fault),
                    p.message
                ))
            }
        }
        Err(other) => Err(format!("not a diagnosed problem: {other}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_the_entra_token_endpoint_is_classified_in_time_and_saves_nothing() {
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: no keyring (run inside scripts/desktop-session.sh)");
        return;
    };
    let rows: Vec<RowFuture> = FAULTS
        .into_iter()
        .map(|fault| -> RowFuture {
            Box::pin(timed(
                format!("service-principal sign-in / token / {fault:?}"),
                token_row(fault, store.clone()),
            ))
        })
        .collect();
    run_rows(rows).await;
}

/// The device-code rows' request timeout. The polling tolerates three network failures in a row
/// (`ado_auth` device_code.rs) with `oauth2`'s doubling backoff (2 + 4 + 8 s after a 1 s
/// interval), so four hung polls take 4 x this + 15 s: it must stay well under [`BOUND`].
const DEVICE_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// The device-code rows: a fault (as the emulator's rules name it) and the codes it may be
/// classified as (see [`token_expected`]). `close` drops the connection without an answer.
fn device_faults() -> Vec<(ado_emulator::Fault, &'static [&'static str])> {
    use ado_emulator::Fault as F;
    let status = |status, retry_after_secs| F::Status {
        status,
        retry_after_secs,
    };
    vec![
        (status(429, Some(1)), &["rate_limited"]),
        (status(500, None), &["unexpected"]),
        (status(503, None), &["unexpected"]),
        (F::Hang, &["unreachable"]),
        (F::Reset, &["unreachable"]),
        (F::Close, &["unreachable"]),
        (F::Truncated, &["unreachable"]),
    ]
}

/// What the error text must never hold: the emulator's device codes start with this (Entra's
/// start alike), and its access tokens are JWTs (`eyJ…`).
const DEVICE_SECRETS: [&str; 2] = ["DAQABAAEAAAD", "eyJ"];

/// A device-code sign-in (`signin::sign_in_with_device_code`, the user approving at once) whose
/// `kind` requests get `fault`: a stable code from `expected`, in time, no secret in the error
/// text, and nothing saved. Each row has its own emulator (its rules are global).
async fn device_row(
    kind: ado_emulator::RequestKind,
    fault: ado_emulator::Fault,
    expected: &'static [&'static str],
    store: SecretStore,
) -> Row {
    use ado_emulator::{EntraConfig, FaultRule, Faults};
    let throttled = matches!(fault, ado_emulator::Fault::Status { status: 429, .. });
    let emu = Emulator::spawn(Config {
        faults: Faults::rules([FaultRule::on(kind, fault)]),
        entra: EntraConfig {
            device_code_interval_secs: 1,
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .map_err(|e| e.to_string())?;
    let base = emu.base_url().to_string();
    let settings = ado_auth::SignInSettings::from_lookup(|name| {
        (name == "ADO_CONNECT_AUTHORITY").then(|| base.clone())
    })
    .map_err(|e| e.to_string())?;
    let target = ado_flows::signin::services_target("fabrikam", &format!("{base}/"))
        .map_err(|e| format!("{e:?}"))?;
    let dir = tempfile::tempdir().unwrap();
    let before = br#"{"version":2,"connections":[]}"#;
    std::fs::write(dir.path().join("connections.json"), before).unwrap();
    let connections = Connections::new(dir.path(), store);
    let entra = emu.entra();
    let options = ConnectOptions {
        request_timeout: Some(DEVICE_REQUEST_TIMEOUT),
        ..Default::default()
    };
    let result = ado_flows::signin::sign_in_with_device_code(
        &connections,
        &target,
        &settings,
        &options,
        // Approved at once: without the fault, the first poll would sign in.
        move |prompt| drop(entra.approve_device_code(&prompt.user_code, DEMO_USER_EMAIL)),
        |_| {},
        0,
    )
    .await;
    let hit = emu.requests().iter().any(|r| r.fault.is_some());
    let p = match result {
        Ok(connected) => {
            let _ = connections.remove(&connected.profile.id);
            return Err("signed in despite the fault".into());
        }
        Err(ado_flows::ConnectError::Problem(p)) => p,
        Err(other) => return Err(format!("not a diagnosed problem: {other}")),
    };
    if !hit {
        return Err(format!("the fault never hit: {}", p.message));
    }
    unchanged(dir.path(), before)?;
    let listed = connections.list().map_err(|e| e.to_string())?;
    if !listed.is_empty() {
        return Err(format!("saved {} profiles", listed.len()));
    }
    let text = format!("{p:?}");
    if let Some(secret) = DEVICE_SECRETS.iter().find(|s| text.contains(*s)) {
        return Err(format!("the error text holds a secret ({secret}…): {text}"));
    }
    if throttled && !p.message.contains("wait 1 second (Retry-After)") {
        return Err(format!(
            "the wait Entra asked for is not named: {}",
            p.message
        ));
    }
    let code = p.code.as_str();
    if expected.contains(&code) {
        Ok(())
    } else {
        Err(format!(
            "classified as {code}, expected one of {expected:?} ({})",
            p.message
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_the_device_code_endpoints_is_classified_in_time_and_leaks_nothing() {
    use ado_emulator::RequestKind;
    let Ok(store) = SecretStore::detect() else {
        eprintln!("skipping: no keyring (run inside scripts/desktop-session.sh)");
        return;
    };
    let mut rows: Vec<RowFuture> = Vec::new();
    for (kind, name) in [
        (RequestKind::DeviceCode, "device authorization"),
        (RequestKind::Token, "token polling"),
    ] {
        for (fault, expected) in device_faults() {
            rows.push(Box::pin(timed(
                format!("device-code sign-in / {name} / {fault:?}"),
                device_row(kind, fault, expected, store.clone()),
            )));
        }
    }
    run_rows(rows).await;
}
