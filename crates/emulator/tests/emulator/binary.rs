//! The `ado-emulator` binary: one JSON line on stdout, loopback only, clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Command, Stdio};
use std::time::Duration;

use ado_emulator::{Config, Emulator, Error};

const BIN: &str = env!("CARGO_BIN_EXE_ado-emulator");

#[tokio::test]
async fn prints_one_json_line_and_stops_on_sigterm() {
    let mut child = Command::new(BIN)
        .args(["--scenario", "demo", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("the first line is JSON");
    let base = info["baseUrl"].as_str().unwrap();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(!base.ends_with(":0"), "--port 0 resolves to the real port");
    assert!(info["organizationUrls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u == &format!("{base}/fabrikam")));
    assert!(info["collectionUrls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u == &format!("{base}/tfs/DefaultCollection")));
    let first = &info["pats"][0];
    assert_eq!(
        first["scopes"],
        serde_json::json!(["app_token"]),
        "pats[0] has full access"
    );
    assert_eq!(first["token"].as_str().unwrap().len(), 52);
    assert_eq!(first["user"], "demo.admin@fabrikam.example");

    let reply = reqwest::Client::new()
        .get(format!("{base}/tfs/DefaultCollection/_apis/projects"))
        .basic_auth("", first["token"].as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);

    let mut rest = String::new();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(exit.success(), "exits 0 on SIGTERM: {exit:?}");
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
}

#[test]
fn refuses_a_non_loopback_host() {
    let output = Command::new(BIN)
        .args(["--host", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no startup line");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
}

#[tokio::test]
async fn the_library_refuses_a_non_loopback_host_too() {
    let error = Emulator::spawn(Config {
        host: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ..Config::default()
    })
    .await
    .expect_err("0.0.0.0 is refused");
    assert!(matches!(error, Error::NotLoopback(_)), "{error}");
}

#[tokio::test]
async fn binds_to_loopback_only() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    assert!(emu.local_addr().ip().is_loopback());
    // The same port on another local address is not served.
    let port = emu.local_addr().port();
    if let Some(other) = non_loopback_address() {
        let attempt = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect((other, port)),
        )
        .await;
        assert!(
            !matches!(attempt, Ok(Ok(_))),
            "{other}:{port} must not answer"
        );
    }
}

/// An address of this machine that is not loopback, if it has one.
fn non_loopback_address() -> Option<IpAddr> {
    // Connecting a UDP socket sends nothing; it only picks the outgoing interface.
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn stops_on_shutdown_and_frees_the_port() {
    let emu = Emulator::spawn(Config::default()).await.unwrap();
    let addr = emu.local_addr();
    emu.shutdown().await;
    let refused = tokio::net::TcpStream::connect(addr).await;
    assert!(refused.is_err(), "nothing listens after shutdown");
}

#[test]
fn prints_the_scenario_as_json() {
    let output = Command::new(BIN)
        .args(["--scenario", "minimal", "--print-scenario"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let scenario =
        ado_emulator::Scenario::from_json(&String::from_utf8_lossy(&output.stdout)).unwrap();
    assert_eq!(scenario, ado_emulator::Scenario::minimal());
}

#[tokio::test]
async fn fault_rules_and_certificates_come_from_flags() {
    let mut child = Command::new(BIN)
        .args([
            "--port",
            "0",
            "--tls",
            "--tls-certificate",
            "wrong-host",
            "--fault",
            "projects=429;retryAfter=none",
            "--fault",
            "GET path:*/_apis/git/*=503;times=1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("the first line is JSON");
    let base = info["baseUrl"].as_str().unwrap().to_string();
    let anything = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let tls: serde_json::Value = anything
        .get(format!("{base}/_emulator/tls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tls["certificate"], "wrongHost");
    let token = info["pats"][0]["token"].as_str().unwrap().to_string();
    let status = |path: &'static str| {
        let (anything, base, token) = (anything.clone(), base.clone(), token.clone());
        async move {
            let reply = anything
                .get(format!("{base}/fabrikam{path}"))
                .basic_auth("", Some(token))
                .send()
                .await
                .unwrap();
            (
                reply.status().as_u16(),
                reply.headers().contains_key("retry-after"),
            )
        }
    };
    assert_eq!(status("/_apis/projects").await, (429, false));
    assert_eq!(status("/_apis/git/repositories").await.0, 503);
    assert_eq!(status("/_apis/git/repositories").await.0, 200, "times=1");
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn a_bad_fault_flag_names_the_fix() {
    let output = Command::new(BIN)
        .args(["--port", "0", "--fault", "projcts=429"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown request kind \"projcts\""),
        "{stderr}"
    );
    assert!(stderr.contains("connectionData"), "{stderr}");
}
