//! Integration tests of the emulator, one module per concern. Each test starts its own
//! emulator on a free loopback port (they are cheap) unless it is about the binary itself.
//!
//! - `paths`: case-insensitive routing, virtual directory and none, names with spaces, ids.
//! - `paging`: `$top`, `continuationToken` and the `x-ms-continuationtoken` header.
//! - `auth`: 401 JSON vs 302 vs 203, expired and revoked PATs, scopes, Bearer tokens.
//! - `not_found`: the VSS 404s for organizations, collections, projects and repositories.
//! - `versions`: api-version limits per Server release, preview-only resources.
//! - `releases`: Team Foundation Server 2018 and Azure DevOps Server 2019, 2020 and 2022 as their
//!   published specs describe them (version ranges, resource locations, answer shapes).
//! - `locations`: OPTIONS tables, resource areas, connectionData, public URLs.
//! - `faults`: 429 with Retry-After, injected 5xx, latency.
//! - `fault_rules`: per-request-kind faults (statuses, resets, truncated and huge bodies, hangs,
//!   refused connections), certificate faults, and their control endpoints.
//! - `tls`: HTTPS with the generated CA, and a failed handshake without it.
//! - `large`: the built-in 2,000-project world, seeded percentage faults.
//! - `binary`: the stdout JSON line, loopback-only binding, SIGTERM.
//! - `code_only`: a "Code (Read)" PAT, and the organization-level forms with `projectId`/`project`.
//! - `bare_server`: the demo's Server 2022 without a virtual directory (`contoso-azdo`).

mod auth;
mod bare_server;
mod binary;
mod code_only;
#[path = "../common/mod.rs"]
mod common;
mod fault_rules;
mod faults;
mod large;
mod locations;
mod not_found;
mod paging;
mod paths;
mod releases;
mod support;
mod tls;
mod versions;
