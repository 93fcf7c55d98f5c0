//! The five product profiles end to end against the emulator, through the product wing of the
//! flows (`ado_flows::product`): what each refuses before anything is sent, what its checks
//! find, the gate in front of every hand-off and webhook, the hand-off itself (panel, export,
//! the POST to a TLS test double of the product's API), and loading a profile.
//!
//! Secrets go to the real keyring (Secret Service when one runs, else the kernel keyring): run
//! as `scripts/desktop-session.sh cargo test -p ado-flows --test products`. Saved connections
//! are removed with their secrets at the end of each test.

mod support;

use ado_test_support::product_api;

mod appcircle;
mod dbt;
mod dx;
mod dx_delivery;
mod gate;
mod konnect_datafold;
mod loading;
mod refusals;
