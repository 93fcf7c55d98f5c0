//! Turns the client's errors into the core's facts, so that verdicts stay pure.

use ado_client::{Error, SignInSignal, TransportKind};
use ado_core::checks::{self, FailureKind, Probe, ProbeFailure};

/// Describes a failed request as facts for [`ado_core::checks::diagnose`].
pub fn probe_failure(probe: Probe, error: &Error) -> ProbeFailure {
    let message = error
        .vss()
        .map(|v| v.message.clone())
        .filter(|m| !m.is_empty());
    let kind = match error {
        Error::Transport { kind, detail, .. } => FailureKind::Transport {
            kind: transport_kind(*kind),
            detail: detail.clone(),
        },
        Error::NotAuthenticated { signal, .. } => FailureKind::NotAuthenticated {
            signal: match signal {
                SignInSignal::Unauthorized => checks::SignInSignal::Unauthorized,
                SignInSignal::HtmlPage => checks::SignInSignal::HtmlPage,
                SignInSignal::Redirect => checks::SignInSignal::Redirect,
            },
            message,
        },
        Error::RateLimited { retry_after, .. } => FailureKind::RateLimited {
            retry_after_secs: retry_after.map(|d| d.as_secs()),
        },
        Error::Status { status, vss, .. } => FailureKind::Http {
            status: *status,
            type_key: vss
                .as_ref()
                .map(|v| v.type_key.clone())
                .filter(|k| !k.is_empty()),
            message,
        },
        Error::PlainHttpRefused { .. } => FailureKind::PlainHttpRefused,
        Error::BodyTooLarge { limit_bytes, .. } => FailureKind::TooLarge {
            limit_bytes: *limit_bytes as u64,
        },
        Error::Decode { detail, .. } => FailureKind::Undecodable {
            detail: detail.clone(),
        },
        other => FailureKind::Undecodable {
            detail: other.to_string(),
        },
    };
    ProbeFailure {
        via_oauth: false,
        probe,
        kind,
        support_id: error.support().and_then(|s| s.summary()),
    }
}

fn transport_kind(kind: TransportKind) -> checks::TransportKind {
    match kind {
        TransportKind::Dns => checks::TransportKind::Dns,
        TransportKind::Connect => checks::TransportKind::Connect,
        TransportKind::Timeout => checks::TransportKind::Timeout,
        TransportKind::Tls => checks::TransportKind::Tls,
        TransportKind::ProxyAuth => checks::TransportKind::ProxyAuth,
        _ => checks::TransportKind::Other,
    }
}
