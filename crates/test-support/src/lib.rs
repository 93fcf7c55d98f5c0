//! What the flows and CLI tests share, so that each suite writes only its own cases:
//!
//! - [`world`]: the emulator's demo world, changed per test (DX's service accounts, extra PATs),
//!   its targets, the product profiles as shipped.
//! - [`saved`]: a saved connection in the real keyring (removed with its secrets on drop), the
//!   product gate and the hand-off on it; [`saved::ConfigDir`], the CLI's config folder, cleaned
//!   the same way.
//! - [`entra`]: a Microsoft sign-in on the emulator, saved in the real keyring (minting).
//! - [`tls`]: a private CA and a certificate for a loopback address, and reading one HTTP/1.1
//!   request; [`product_api`] (a product's API answering scripted statuses) and [`collector`]
//!   (an attacker's endpoint that counts every connection) are built on it.
//!
//! Dev-only: never a dependency of a shipped crate. Secrets go to the real keyring, so the tests
//! that use [`saved`] run under `scripts/desktop-session.sh`.

pub mod collector;
pub mod entra;
pub mod product_api;
pub mod saved;
pub mod tls;
pub mod world;
