//! Integration tests of the preflight endpoints and of service hooks. Each test starts its own
//! emulator; deliveries go to receivers the tests start on 127.0.0.1 (never anything else).
//!
//! - `preflight`: pull requests, builds, work item types, permission evaluation, demo users.
//! - `commits`: a repository's commits and a pull request's commits.
//! - `git_permissions`: "Contribute to pull requests" through permission evaluation.
//! - `subscriptions`: the subscription routes, who may edit, throttling, faults, Server versions.
//! - `subscription_validation`: the subscriptions the service refuses, and event types' scopes.
//! - `subscriptions_query`: `subscriptionsquery`, the publisher and the webHooks consumer.
//! - `deliveries`: which subscriptions get an event, payloads, filters.
//! - `delivery_outcomes`: history, retries, probation, disabling, failing receivers.
//! - `test_notifications`: test notifications, sample and real data.
//! - `control`: the `/_emulator/…` endpoints.
//! - `tls_chain`: the certificate chain presented with `--tls`.

mod commits;
#[path = "../common/mod.rs"]
mod common;
mod control;
mod deliveries;
mod delivery_outcomes;
mod git_permissions;
mod preflight;
mod subscription_validation;
mod subscriptions;
mod subscriptions_query;
mod support;
mod test_notifications;
mod tls_chain;
