//! The Microsoft Entra ID endpoints of the emulator, one module per concern. Each test starts
//! its own emulator on a free loopback port.
//!
//! - `authorize`: the authorize endpoint's pages, redirects and errors, PKCE, `state`.
//! - `tokens`: code redemption (PKCE, single use, expiry, redirect and tenant binding), refresh
//!   (rotation, revocation, expiry), error bodies.
//! - `device`: the device code flow: pending, `slow_down`, approval by library call and through
//!   the HTML page, denial, expiry.
//! - `client_credentials`: service principals with good, wrong and unknown credentials.
//! - `azure_devops`: the issued tokens on Azure DevOps routes: accepted, expired, service
//!   principal not added, OAuth policy off, tenant discovery.
//! - `discovery`: the OpenID configuration, the startup line, scenario validation.
//! - `interop`: ADO Connect's sign-in library (`ado-auth`) driving every flow.

mod authorize;
mod azure_devops;
mod client_credentials;
#[path = "../common/mod.rs"]
mod common;
mod device;
mod discovery;
mod interop;
mod support;
mod tokens;
