//! The one Azure DevOps HTTP client of ADO Connect.
//!
//! [`AdoClient`] talks to one organization (Services) or collection (Server). Every request goes
//! through [`AdoClient::send`]; the area modules in [`api`] add typed calls on top. Errors are
//! typed ([`Error`]) and keep the status, the VSS `typeKey` and message, and the support ids.
//! Credentials are [`Credential`]s whose `Debug` is redacted. Each request's `api-version` is
//! negotiated with what the server serves ([`versions`]): Azure DevOps Server 2019 and 2020 get
//! what they serve, Services and Server 2022 what was asked.
//!
//! # Terminology
//! - **Base URL**: the organization or collection URL every REST path hangs off.
//! - **VSS error**: the JSON error body Azure DevOps sends (`typeKey`, `message`, …).
//! - **Sign-in signal**: 401, 203 with HTML, or a redirect to a sign-in page.
//! - **Served versions**: the server's latest REST API version and each route's range, from its
//!   resource locations (`OPTIONS _apis`) or its out-of-range error.

pub mod api;
mod client;
mod credential;
mod error;
mod http;
pub mod versions;

pub use api::build::Build;
pub use api::connection_data::{AccessMapping, ConnectionData, Identity, LocationServiceData};
pub use api::git::{GitRepository, PullRequest};
pub use api::hooks::Subscription;
pub use api::projects::TeamProjectReference;
pub use api::wit::WorkItemType;
pub use api::Page;
pub use client::{
    needs_plain_http_consent, AdoClient, ClientConfig, Request, Response, Stats, MAX_BODY_BYTES,
};
pub use credential::Credential;
pub use error::{Challenge, Error, SignInSignal, SupportIds, TransportKind, VssError};
pub use http::{http_client, HttpOptions};
pub use versions::{ApiVersion, ServedVersions, OLDEST_SUPPORTED};
