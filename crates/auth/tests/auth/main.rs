//! ado-auth's integration tests, one module per area of the crate. The interop run against a real,
//! independent OAuth server (oidc-provider) is the separate `interop_oidc_provider` test.
//!
//! Everything here talks only to 127.0.0.1 (a scripted mock authority and the crate's own loopback
//! listener), plus, in `loopback::binds_loopback_only`, this machine's own non-loopback address.

mod support;

mod device_code;
mod loopback;
mod pkce;
mod redaction;
mod replies;
mod requests;
mod settings;
mod tenant;
