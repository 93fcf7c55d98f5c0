//! End-to-end journeys: the real `ado-connect` window, driven through tauri-driver and
//! WebKitWebDriver under Xvfb, against the emulator. Screenshots land in `target/e2e-screenshots/`.
//!
//! - `first_journey`: an on-prem team verifies a server, collection and PAT (good PAT, bad PAT,
//!   unknown collection, unreachable server), and forgets the connection again.
//! - `plain_http`: a server on another machine over plain http: the consent question before the
//!   token leaves, and a saved connection that remembers the answer.
//! - `paste_url`: a developer pastes HTTPS, SSH and on-prem URLs and the fields fill themselves.
//! - `preflight`: the checks step: a passing run and a saved report, `server_too_old` (Team
//!   Foundation Server 2018), `public_url_localhost`, and `tls_untrusted` followed by trusting the CA.
//! - `server_releases`: an on-prem team on Azure DevOps Server 2020 verifies and passes the checks,
//!   every request at the server's REST API version.
//! - `sign_in`: Microsoft Entra sign-in in the browser (the test plays the browser), device code
//!   with cancel, and a service principal.
//! - `home`: five clicks from paste to webhooks, the returning user's home (re-verify, webhooks,
//!   forget with the webhooks removed), renewing a PAT from its reminder, 720×560 without
//!   horizontal scroll, and a 250-project collection.
//! - `products`: the app opened with a product profile: DX on Services behind its checks (a PAT
//!   per connector, its webhooks with the secret DX gave, the POST to DX's API) and Datafold (a
//!   pasted URL to its form).
//! - `product_rules`: the products' rules in the connect form (dbt refusing a pasted Server with
//!   nothing sent, Kong Konnect's PAT, Appcircle's Microsoft sign-in) and hand-offs that offer
//!   only what the product has.
//! - `mint`: DX's tokens created after a Microsoft sign-in (the organizations listed, the
//!   preview, a lifetime refusal fitted, DX's checks, the hand-off), renewed and revoked (issue 20).
//! - `webhooks`: plan, apply, test delivery to a loopback receiver, no duplicates on a re-run,
//!   removal.
//! - `hooks_step`: the webhooks step leads with what exists (from the home: shown, preselected,
//!   Apply changes nothing), plan rows become results, a missing service-hooks permission stops
//!   the step before anything is created, a stale confirmation clears, focus shows everywhere and
//!   nothing is cut, each at 1040×760 and 720×560 (issue 21).

mod support;

mod first_journey;
mod home;
mod hooks_step;
mod mint;
mod paste_url;
mod plain_http;
mod preflight;
mod product_rules;
mod products;
mod server_releases;
mod sign_in;
mod webhooks;
