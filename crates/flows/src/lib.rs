//! ADO Connect's onboarding flows: each step is a short async function that calls the client,
//! turns the answers into facts, and lets the pure core decide. The Tauri shell and the CLI call
//! these and nothing below them.
//!
//! # Terminology
//! - **Verify**: prove a credential works against a target, and list what it reaches.
//! - **Profile**: a saved connection, without its secret.
//! - **Secret store**: the OS keyring holding PATs and tokens.
//! - **Sandbox**: the bundled emulator `make demo` starts.

pub mod connect;
pub mod failure;
pub mod hooks;
pub mod preflight;
pub mod profiles;
pub mod resolve;
pub mod sandbox;
pub mod secrets;
pub mod signin;
pub mod tls;
pub mod verify;

pub use connect::{connect_with_pat, ConnectError, Connected, PatConnectRequest};
pub use profiles::{AuthMethod, Connections, Profile, ProfileError};
pub use secrets::{Backend, EntryLimit, SecretError, SecretStore};
pub use verify::{
    verify_connection, ConnectOptions, ProjectSummary, RepositorySummary, User, Verified,
};
