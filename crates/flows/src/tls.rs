//! Shows a server's certificate chain when it is not trusted, so the user can decide to trust
//! their company's CA **for this connection only**. Verification is never turned off: the
//! handshake here only records what the server presents, sends no request, and its result is
//! never used to talk to the server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use url::Url;

/// One certificate of the presented chain.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// SHA-256 fingerprint of the DER, as `AB:CD:…`.
    pub sha256: String,
    /// A CA certificate (basicConstraints CA:TRUE).
    pub is_ca: bool,
    /// Subject equals issuer.
    pub self_signed: bool,
    /// Validity end, RFC 2822-ish as the parser prints it.
    pub not_after: String,
    /// The certificate as PEM (public data).
    pub pem: String,
}

/// The chain a server presented, leaf first.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PresentedChain {
    /// `host:port` that was asked.
    pub endpoint: String,
    /// Leaf first, as sent.
    pub certificates: Vec<CertificateInfo>,
    /// The index of the certificate to offer for trust: the last CA in the chain, if any.
    pub trust_candidate: Option<usize>,
}

/// Why the chain could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// Not an https URL.
    #[error("{0} is not an https:// URL")]
    NotHttps(String),
    /// TCP or TLS failed before any certificate arrived.
    #[error("could not read the certificate of {endpoint}: {detail}")]
    Handshake {
        /// `host:port`.
        endpoint: String,
        /// What failed.
        detail: String,
    },
}

/// [`inspect_chain`] for a URL as typed, with its errors as the [`Problem`]s the shells show.
pub async fn inspect_certificate(
    raw_url: &str,
) -> Result<PresentedChain, ado_core::checks::Problem> {
    use ado_core::checks::{CheckCode, Problem};
    use ado_core::target::Field;
    let url = Url::parse(raw_url.trim()).map_err(|e| {
        Problem::new(
            CheckCode::InvalidInput,
            Some(Field::ServerUrl),
            e.to_string(),
            "Enter the server's https:// URL.",
        )
    })?;
    inspect_chain(&url).await.map_err(|e| {
        Problem::new(
            CheckCode::Unreachable,
            Some(Field::ServerUrl),
            e.to_string(),
            "Check the server URL and the network.",
        )
    })
}

/// Connects to `url`'s host, completes a TLS handshake that records the presented chain, and
/// describes it. Sends no HTTP request.
pub async fn inspect_chain(url: &Url) -> Result<PresentedChain, InspectError> {
    if url.scheme() != "https" {
        return Err(InspectError::NotHttps(url.to_string()));
    }
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let endpoint = format!("{host}:{port}");
    let handshake_error = |detail: String| InspectError::Handshake {
        endpoint: endpoint.clone(),
        detail,
    };

    let recorder = Arc::new(Recorder {
        chain: Mutex::new(Vec::new()),
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| handshake_error(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let server_name =
        ServerName::try_from(host.clone()).map_err(|e| handshake_error(e.to_string()))?;
    let connect = async {
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| handshake_error(e.to_string()))?;
        // The stream is dropped right after the handshake: nothing is ever sent over it.
        connector
            .connect(server_name, tcp)
            .await
            .map_err(|e| handshake_error(e.to_string()))
    };
    match tokio::time::timeout(Duration::from_secs(10), connect).await {
        Ok(Ok(_stream)) => {}
        Ok(Err(e)) if recorder.chain.lock().expect("chain lock").is_empty() => return Err(e),
        Ok(Err(_)) => {}
        Err(_) => return Err(handshake_error("timed out".into())),
    }
    let ders = recorder.chain.lock().expect("chain lock").clone();
    let certificates: Vec<CertificateInfo> = ders.iter().map(|der| describe(der)).collect();
    let trust_candidate = certificates.iter().rposition(|c| c.is_ca || c.self_signed);
    Ok(PresentedChain {
        endpoint,
        certificates,
        trust_candidate,
    })
}

fn describe(der: &[u8]) -> CertificateInfo {
    let sha256 = Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let pem = to_pem(der);
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => {
            let subject = cert.subject().to_string();
            let issuer = cert.issuer().to_string();
            let is_ca = cert
                .basic_constraints()
                .ok()
                .flatten()
                .is_some_and(|bc| bc.value.ca);
            CertificateInfo {
                self_signed: subject == issuer,
                subject,
                issuer,
                sha256,
                is_ca,
                not_after: cert.validity().not_after.to_string(),
                pem,
            }
        }
        Err(e) => CertificateInfo {
            subject: format!("(unreadable certificate: {e})"),
            issuer: String::new(),
            sha256,
            is_ca: false,
            self_signed: false,
            not_after: String::new(),
            pem,
        },
    }
}

/// PEM armour for a DER certificate.
pub fn to_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Records the presented chain and accepts it, for inspection only.
#[derive(Debug)]
struct Recorder {
    chain: Mutex<Vec<Vec<u8>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().expect("chain lock");
        chain.push(end_entity.to_vec());
        chain.extend(intermediates.iter().map(|c| c.to_vec()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}
