//! A server on another machine over plain http: the connect form asks before the token leaves,
//! and the saved connection remembers the answer.
//!
//! The sandbox listens on loopback, and plain http to `localhost` or a loopback address needs no
//! consent (the token never leaves the machine). The app decides by the URL's host, not by the
//! address it resolves to (`ado_client::needs_plain_http_consent`), so the journey reaches the
//! sandbox under this machine's own host name (`/etc/hosts` maps it to this machine): to the app
//! that is another machine, while the connection still ends on the sandbox. A small TCP relay on
//! the name's address forwards to the emulator and counts connections, which proves that nothing
//! was sent before the user agreed.
//!
//! glibc's `HOSTALIASES` (an alias file for single-label names) would allow any name, but glibc
//! applies it only inside its DNS resolver: the aliased name is then asked of the DNS server,
//! never looked up in `/etc/hosts`, so `adoserver localhost` fails wherever DNS does not answer
//! `localhost` (as in the test sandbox).

use std::net::{SocketAddr, ToSocketAddrs as _};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ado_emulator::Scenario;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Journey, Launch};

/// A TCP relay from an address of this machine to the emulator; counts the connections it saw.
struct Relay {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Relay {
    async fn start(on: std::net::IpAddr, upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind((on, 0)).await.unwrap_or_else(|e| {
            panic!("cannot listen on {on}, where this machine's host name points: {e}")
        });
        let addr = listener.local_addr().expect("the relay's address");
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Relay { addr, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A name for this machine that is not `localhost` and resolves to a loopback address, with
/// that address: the host name first, then any other name `/etc/hosts` gives a loopback address
/// (Debian's `ip6-localhost`, a container's own name). A name resolving elsewhere is never used:
/// nothing outside loopback is a target of a test.
fn machine_name() -> (String, std::net::IpAddr) {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    let mut candidates = vec![host.trim().to_string()];
    for line in hosts.lines() {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_whitespace();
        let loopback = fields
            .next()
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            .is_some_and(|a| a.is_loopback());
        if loopback {
            candidates.extend(fields.map(str::to_string));
        }
    }
    candidates
        .iter()
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("localhost"))
        .find_map(|name| {
            let ip = (name.as_str(), 0).to_socket_addrs().ok()?.next()?.ip();
            ip.is_loopback().then(|| (name.clone(), ip))
        })
        .unwrap_or_else(|| {
            panic!(
                "this journey needs a name other than localhost for this machine's loopback; \
                 none of {candidates:?} resolves to one (add the host name to /etc/hosts)"
            )
        })
}

#[tokio::test]
async fn plain_http_to_another_machine_asks_first_and_the_connection_remembers_the_answer() {
    let Some(journey) = Journey::start("plain-http", Scenario::demo(), Launch::default()).await
    else {
        return;
    };
    let (name, ip) = machine_name();
    let relay = Relay::start(ip, journey.emulator.local_addr()).await;
    let (server, collection) = journey.collection(0);
    let server = server.replace(
        &journey.emulator.local_addr().to_string(),
        &format!("{name}:{}", relay.addr.port()),
    );
    assert!(
        server.starts_with(&format!("http://{name}:")),
        "the server URL names the machine: {server}"
    );
    let pat = journey.full_access_pat();
    journey.fill_server_form(&server, &collection, &pat).await;
    journey.click("verify").await;
    journey
        .wait_until(
            "the plain-http question shows",
            "return !document.getElementById('alert').hidden",
        )
        .await;
    journey.screenshot("70-plain-http-question").await;
    assert_eq!(journey.text("alert-code").await, "http_consent_required");
    let message = journey.text("alert-message").await;
    assert!(
        message.contains("plain HTTP") && message.contains("unencrypted"),
        "the question names the risk: {message}"
    );
    assert!(
        journey.visible("connect-http-row").await,
        "the consent checkbox shows"
    );
    assert_eq!(
        relay.connections(),
        0,
        "nothing reached the server before the user agreed"
    );

    journey.click("connect-http-consent").await;
    journey.click("verify").await;
    journey.wait_for_result().await;
    journey.screenshot("71-plain-http-verified").await;
    assert!(
        relay.connections() > 0,
        "verified through the machine's name"
    );
    let user = journey.text("result-user").await;
    assert!(
        user.contains("Demo Admin"),
        "signed in as the PAT's user: {user}"
    );
    let profiles: Value = serde_json::from_str(
        &std::fs::read_to_string(journey.config_dir.join("connections.json"))
            .expect("a saved profile"),
    )
    .expect("the profile file is JSON");
    let saved = profiles["connections"][0].to_string();
    assert!(
        saved.contains(&name) && saved.contains("\"allowHttp\":true"),
        "the connection records the consent: {saved}"
    );

    // From home, re-verifying with the stored token does not ask again.
    journey
        .js("document.querySelector('#nav-home button').click(); return true")
        .await;
    journey.wait_step("home").await;
    let before = relay.connections();
    journey
        .js("document.querySelector('#home-list .reverify').click(); return true")
        .await;
    journey
        .wait_until(
            "the re-verified result (or a failure on the card) shows",
            "return document.body.dataset.step === 'result' || !!document.querySelector('#home-list .status.failed')",
        )
        .await;
    let failed = journey
        .js("const s = document.querySelector('#home-list .status.failed'); return s ? `${s.dataset.code}: ${s.textContent}` : ''")
        .await;
    assert_eq!(
        failed.as_str(),
        Some(""),
        "re-verifying a consented connection does not ask again"
    );
    journey.wait_step("result").await;
    assert!(
        relay.connections() > before,
        "the re-verify went to the server"
    );
    journey.screenshot("72-plain-http-reverified").await;
    journey.finish().await;
}
