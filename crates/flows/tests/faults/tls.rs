//! TLS faults of the whole host: an untrusted CA, an expired certificate, a wrong host name.

use std::net::SocketAddr;
use std::time::Instant;

use ado_core::target::{Deployment, TargetInput};
use ado_emulator::{Config, Emulator};
use ado_flows::ConnectOptions;
use tokio::net::TcpListener;

use crate::support::*;

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
