//! Pure core of ADO Connect. No IO here: no sockets, no files, no clocks; callers pass facts in.
//!
//! # Terminology
//! - **Organization**: an Azure DevOps Services tenant, `https://dev.azure.com/{organization}`.
//! - **Server** and **collection**: Azure DevOps Server (on-premises) hosts project collections at
//!   `{server URL}/{collection}`, where the server URL may end in a virtual directory such as `/tfs`.
//! - **Project** and **repository**: a team project, and a Git repository inside it.
//! - **PAT**: a personal access token, sent as the password of HTTP Basic auth.
//! - **Check code**: the stable name of a failure (`invalid_credentials`, `not_found`, …).

pub mod capabilities;
pub mod checks;
pub mod curl;
pub mod ids;
pub mod preflight;
pub mod product;
pub mod repo_url;
pub mod retry_after;
pub mod target;
pub mod webhook;
