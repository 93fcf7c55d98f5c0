//! Issue 19, "A product profile is untrusted input": each of its seven items reproduced against
//! the emulator, with HTTPS collectors on loopback addresses standing in for an attacker (a TLS
//! test double with a private CA), asserting that now nothing leaves, nothing runs, nothing is
//! world-readable and nothing is read unbounded.
//!
//! Secrets go to the real keyring: run as
//! `scripts/desktop-session.sh cargo test -p ado-flows --test untrusted_profiles`. Saved
//! connections are removed with their secrets at the end of each test. Item 7 (the terminal) is
//! tested through the CLI binary: `crates/cli/tests/untrusted_profiles.rs`.

#[path = "untrusted_profiles/support.rs"]
mod support;

use ado_test_support::collector;

#[path = "untrusted_profiles/answers.rs"]
mod answers;
#[path = "untrusted_profiles/files.rs"]
mod files;
#[path = "untrusted_profiles/script.rs"]
mod script;
#[path = "untrusted_profiles/secrets.rs"]
mod secrets;
