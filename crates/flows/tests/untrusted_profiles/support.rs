//! What these tests share beyond `ado_test_support` (the emulator, DX's service accounts, a
//! saved connection in the real keyring with the gate and the hand-off on it): profiles written
//! to a folder of their own and loaded as the app loads them, and small test profiles.

use std::path::Path;

use ado_core::product::ProductProfile;
use ado_flows::product::load_profile;
pub use ado_test_support::saved::{dx_pats, saved, Saved};
pub use ado_test_support::world::*;

/// Writes `text` to `dir/file` and loads it as the app and the CLI do.
pub fn written(dir: &Path, file: &str, text: &str) -> ProductProfile {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    load_profile(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .profile
}

/// A small product whose webhooks ADO Connect registers with a secret it generates
/// (`secret = "wizard"`), and whose API takes `{webhook_secret}` in its body. `id` and the
/// receiver's host vary per test product; `api_url` is a placeholder.
pub fn wizard_product(id: &str, name: &str, receiver: &str, event: &str) -> String {
    format!(
        r#"format = 1

[product]
id = "{id}"
name = "{name}"

[deployments]
services = true
server = false

[sign_in]
methods = ["pat"]
recommended = "pat"

[access]
scopes = ["vso.code"]

[[placeholders]]
name = "api_url"
label = "{name} API URL"
kind = "url"

[webhooks]
events = ["{event}"]
scope = "each_project"
url = "{receiver}"
header = "X-{name}-Signature"
secret = "wizard"

[handoff]
title = "Paste into {name}"
fields = [
  {{ source = "organization", label = "Organization" }},
  {{ source = "webhook_secret", label = "Webhook secret" }},
]

[handoff.post]
url = "{{api_url}}/receivers"
token_label = "{name} API token"
body = {{ organization = "{{organization}}", signing_secret = "{{webhook_secret}}" }}
"#
    )
}
