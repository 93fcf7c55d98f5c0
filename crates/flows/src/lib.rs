//! ADO Connect's onboarding flows: each step is a short async function that calls the client,
//! turns the answers into facts, and lets the pure core decide. The Tauri shell and the CLI call
//! these and nothing below them.
//!
//! # Terminology
//! - **Verify**: prove a credential works against a target, and list what it reaches.
//! - **Profile**: a saved connection, without its secret.
//! - **Secret store**: the OS keyring holding PATs and tokens.
//! - **Sandbox**: the bundled emulator `make demo` starts.

pub mod app;
pub mod catalog;
pub mod clock;
pub mod connect;
pub mod error;
pub mod failure;
pub mod hints;
pub mod home;
pub mod hooks;
pub mod open;
pub mod organizations;
pub mod preflight;
pub mod product;
pub mod resolve;
pub mod sandbox;
pub mod signin;
pub mod store;
pub mod tls;
pub mod verify;

pub use connect::{
    connect_with_pat, verify_and_save_pat, ConnectError, Connected, Pat, PatConnectRequest,
};
pub use error::{Code, Error, Missing, RefusedProfile};
pub use open::{open_connection, OpenConnection};
pub use profiles::{AuthMethod, Connections, Profile, ProfileError, ProfileId};
pub use secrets::{Backend, EntryLimit, SecretError, SecretStore};
pub use store::{profiles, secrets};
pub use verify::{
    verify_connection, ConnectOptions, ProjectSummary, RepositorySummary, User, Verified,
};

/// The lower layers' types that are part of this crate's interface: the shells (the Tauri app and
/// the CLI) name them through `ado_flows::interface` and depend on nothing below `ado_flows`.
///
/// Grouped by the job they do for a shell; anything not listed here stays an implementation detail
/// of the flows.
pub mod interface {
    // The target: what the user typed, the validated connection, and the fields errors point at.
    pub use ado_core::repo_url::RepoUrl;
    pub use ado_core::target::{
        validate_date, validate_proxy, ConnectionTarget, Deployment, Field, InputError, TargetInput,
    };

    // Problems and checks: the stable codes and messages shells show, and preflight results.
    pub use ado_core::capabilities::{access_plan, AccessPlan, Capability};
    pub use ado_core::checks::{CheckCode, Problem};
    pub use ado_core::preflight::{Check, Status};

    // Credentials and the one HTTP client the flows hand back to the shells.
    pub use ado_auth::{CancellationToken, SignInSettings};
    pub use ado_client::{AdoClient, Credential};

    // Products: the profiles a hand-off targets and how their secrets are shown.
    pub use ado_core::product::handoff::{HandoffPanel, Reveal};
    pub use ado_core::product::{ProductProfile, SignInMethod};

    // Web hooks: events, the desired spec, where a subscription came from, and the receiver's header.
    pub use ado_core::webhook::{
        validate_header_name, EventKind, HookOrigin, HookSpec, SubscriptionStatus,
        DEFAULT_SECRET_HEADER,
    };
}
