//! `--profile` on `check` and `hooks`, and `handoff`, through the built binary against an
//! in-process emulator: the same engine as the app (`ado_flows::product`). Refusals are checked
//! against the emulator's request log (nothing sent) and the config directory (nothing saved).
//!
//! Secrets go to the real keyring: `scripts/desktop-session.sh cargo test -p ado-connect-cli
//! --test handoff`.

mod support;

use ado_test_support::product_api;

mod appcircle_konnect;
mod datafold;
mod dbt;
mod dx;
mod refusals;
