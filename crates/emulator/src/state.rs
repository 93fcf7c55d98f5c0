//! [`AppState`]: what every request handler shares (the world, faults, the hooks engine, the
//! Entra grants), and [`origin`], how a request names this emulator.
//!
//! Routes depend on this module; it depends on nothing of theirs.

use std::sync::Arc;

use axum::http::header;
use uuid::Uuid;

use crate::entra::EntraState;
use crate::faults::FaultState;
use crate::hooks::Engine;
use crate::scenario::SignInMode;
use crate::tls::TlsSet;
use crate::world::WorldHandle;

/// Everything a request handler needs, shared by all connections.
#[derive(Debug)]
pub(crate) struct AppState {
    pub world: WorldHandle,
    pub faults: Arc<FaultState>,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `ip:port` the listener is bound to, used when a request has no `Host`.
    pub fallback_authority: String,
    /// Overrides every organization's [`SignInMode`] (the `--sign-in` flag).
    pub sign_in_override: Option<SignInMode>,
    /// Sent as `X-TFS-ProcessId`.
    pub process_id: Uuid,
    /// Service-hook deliveries and throttling (`hooks/`).
    pub hooks: Arc<Engine>,
    /// Microsoft Entra ID's grants, apps and service principals (`entra/`).
    pub entra: Arc<EntraState>,
    /// Turns `true` when the emulator stops (ends hanging faults).
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// The HTTPS certificates, when serving HTTPS (`POST /_emulator/tls`).
    pub tls: Option<Arc<TlsSet>>,
}

/// `scheme://authority` of a request: its URI's authority, else `Host`, else the listener's.
pub(crate) fn origin(state: &AppState, parts: &axum::http::request::Parts) -> String {
    let authority = parts
        .uri
        .authority()
        .map(|a| a.to_string())
        .or_else(|| {
            parts
                .headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_else(|| state.fallback_authority.clone());
    format!("{}://{}", state.scheme, authority)
}
