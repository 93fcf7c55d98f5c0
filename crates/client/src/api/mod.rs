//! One file per Azure DevOps area. Each adds typed methods to [`crate::AdoClient`].

pub mod build;
pub mod connection_data;
pub mod git;
pub mod hooks;
pub mod projects;
pub mod security;
pub mod wit;

/// The api-version the client asks for. 7.0 is the newest that Azure DevOps Server 2022 serves,
/// and Services still serves it; older servers answer `VssVersionOutOfRangeException`, which the
/// flows report as "server too old".
pub const API_VERSION: &str = "7.0";
