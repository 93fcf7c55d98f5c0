//! Integration tests of the preflight endpoints and of service hooks. Each test starts its own
//! emulator; deliveries go to receivers the tests start on 127.0.0.1 (never anything else).
//!
//! - `preflight`: pull requests, builds, work item types, permission evaluation, demo users.
//! - `commits`: a repository's commits and a pull request's commits.
//! - `git_permissions`: "Contribute to pull requests" through permission evaluation.
//! - `subscriptions`: the subscription routes, validation, permissions, scopes, throttling.
//! - `deliveries`: events, payloads, filters, history, probation, test notifications.
//! - `control`: the `/_emulator/…` endpoints.
//! - `tls_chain`: the certificate chain presented with `--tls`.

mod commits;
#[path = "../common/mod.rs"]
mod common;
mod control;
mod deliveries;
mod git_permissions;
mod preflight;
mod subscriptions;
mod support;
mod tls_chain;
