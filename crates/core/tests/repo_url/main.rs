//! Table tests for `ado_core::repo_url`, ripgrep style: one `parses!` or `rejects!` row per form.
//!
//! Index, one module per what it tests:
//! - `services`: HTTPS forms, legacy `visualstudio.com`, SSH, links (browse, pull request, hubs),
//!   partial URLs;
//! - `server`: HTTP(S) and SSH, virtual directories and the ambiguity they bring;
//! - `public_parsers`: the public parsers' test URLs (ado-api.md §6): Backstage `AzureUrl.test.ts`,
//!   Git Credential Manager `UriHelpersTests.cs`, git-url-parse (Rust crate and npm package),
//!   TfsUrlParser; where our answer differs, the row's comment says why;
//! - `rejections`: one or more per error kind;
//! - `derived`: derived URLs; `summary`: the CLI summary and descriptions; `errors`: error messages;
//! - `support`: the `Want` of a parse, its `check`, and the `parses!` and `rejects!` macros.
//!
//! Every `parses!` row checks all fields: any field it does not name must be absent.

#[macro_use]
mod support;

mod derived;
mod errors;
mod public_parsers;
mod rejections;
mod server;
mod services;
mod summary;
