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
//!
//! Modules: `requests` (verify-and-save and preflight, refused connections), `tls`, `webhooks`
//! (hooks create and delete), `signin` (Entra's token and device-code endpoints); `support`
//! holds the faults, the proxy and the row runner they share.

mod requests;
mod signin;
mod support;
mod tls;
mod webhooks;
