//! HTTPS with a private CA made fresh at every start, and the certificate faults.
//!
//! The CA signs one server certificate for `127.0.0.1`, `::1` and `localhost`. A client that
//! trusts only the CA's PEM (from `--ca-out`, the startup line's `caPem`, or
//! [`crate::Emulator::ca_pem`]) connects; one that trusts the usual roots fails the handshake,
//! as it would against an on-premises server with an internal CA.
//!
//! The handshake presents the whole chain, leaf then CA, as many internal servers are set up,
//! so a client can show the chain and offer to trust its root (`tests/hooks/tls_chain.rs`).
//!
//! [`TlsCertificate`] picks what new connections are shown even to a client that trusts the
//! CA: an expired certificate, one for another host name, or one from another (untrusted) CA.
//! All four are made at start (a few milliseconds), so switching at run time is instant.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::{Deserialize, Serialize};
use tokio_rustls::TlsAcceptor;

use crate::Error;

/// The certificate HTTPS connections are shown (`--tls-certificate`,
/// [`crate::Emulator::set_tls_certificate`], `POST /_emulator/tls`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TlsCertificate {
    /// Signed by the emulator's CA, for `127.0.0.1`, `::1` and `localhost`, valid now.
    #[default]
    Valid,
    /// Signed by the CA, but expired (valid 2020-01-01 to 2021-01-01).
    Expired,
    /// Signed by the CA, valid, but only for `wrong-host.invalid`.
    WrongHost,
    /// For the right names, valid, signed by another CA that nobody trusts.
    UntrustedCa,
}

impl TlsCertificate {
    /// Every variant.
    pub const ALL: [TlsCertificate; 4] = [
        TlsCertificate::Valid,
        TlsCertificate::Expired,
        TlsCertificate::WrongHost,
        TlsCertificate::UntrustedCa,
    ];

    /// `valid`, `expired`, `wrongHost`, `untrustedCa`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsCertificate::Valid => "valid",
            TlsCertificate::Expired => "expired",
            TlsCertificate::WrongHost => "wrongHost",
            TlsCertificate::UntrustedCa => "untrustedCa",
        }
    }
}

impl FromStr for TlsCertificate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.replace('-', "");
        TlsCertificate::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| {
                format!(
                    "unknown TLS certificate {s:?}; use valid, expired, wrong-host or untrusted-ca"
                )
            })
    }
}

/// The CA and one acceptor per [`TlsCertificate`], with the one in force.
pub(crate) struct TlsSet {
    pub ca_pem: String,
    acceptors: Vec<(TlsCertificate, TlsAcceptor)>,
    current: RwLock<TlsCertificate>,
}

impl std::fmt::Debug for TlsSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSet")
            .field("current", &self.certificate())
            .finish_non_exhaustive()
    }
}

impl TlsSet {
    /// The acceptor for a new connection.
    pub fn acceptor(&self) -> TlsAcceptor {
        let current = self.certificate();
        self.acceptors
            .iter()
            .find(|(c, _)| *c == current)
            .or(self.acceptors.first())
            .map(|(_, a)| a.clone())
            .expect("an acceptor per certificate")
    }

    pub fn certificate(&self) -> TlsCertificate {
        *self.current.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_certificate(&self, certificate: TlsCertificate) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = certificate;
    }
}

fn tls_error(e: impl std::fmt::Display) -> Error {
    Error::Tls(e.to_string())
}

fn make_ca(name: &str) -> Result<(Certificate, KeyPair), Error> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, name);
    ca_params
        .distinguished_name
        .push(DnType::OrganizationName, "ado-emulator");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_error)?;
    Ok((ca_cert, ca_key))
}

fn acceptor(
    kind: TlsCertificate,
    ca: &(Certificate, KeyPair),
    other_ca: &(Certificate, KeyPair),
) -> Result<TlsAcceptor, Error> {
    let host = match kind {
        TlsCertificate::WrongHost => "wrong-host.invalid",
        _ => "localhost",
    };
    let mut leaf_params = CertificateParams::new(vec![host.to_string()]).map_err(tls_error)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, host);
    if kind != TlsCertificate::WrongHost {
        leaf_params.subject_alt_names.extend([
            SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ]);
    }
    if kind == TlsCertificate::Expired {
        leaf_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        leaf_params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let (ca_cert, ca_key) = match kind {
        TlsCertificate::UntrustedCa => other_ca,
        _ => ca,
    };
    let leaf_key = KeyPair::generate().map_err(tls_error)?;
    let leaf_cert = leaf_params
        .signed_by(&leaf_key, ca_cert, ca_key)
        .map_err(tls_error)?;
    let chain = vec![
        CertificateDer::from(leaf_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    // An explicit provider, so nothing depends on which crypto backend the process installed.
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(tls_error)?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(tls_error)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Makes the CA, a server certificate per [`TlsCertificate`], and their rustls acceptors.
pub(crate) fn generate(initial: TlsCertificate) -> Result<TlsSet, Error> {
    let ca = make_ca("ado-emulator test CA")?;
    let other_ca = make_ca("ado-emulator untrusted CA")?;
    let acceptors = TlsCertificate::ALL
        .into_iter()
        .map(|kind| Ok((kind, acceptor(kind, &ca, &other_ca)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(TlsSet {
        ca_pem: ca.0.pem(),
        acceptors,
        current: RwLock::new(initial),
    })
}
