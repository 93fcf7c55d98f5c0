//! Product profiles: the five shipped ones say what their pages say (`profiles.rs`); broken
//! profiles report every mistake at once (`parse.rs`); the hand-off (`handoff.rs`) and the
//! verdicts (`verdicts.rs`) as pure functions.

mod handoff;
mod parse;
mod profiles;
mod verdicts;

use super::handoff::{CredentialFact, HandoffFacts};
use super::*;
use crate::target::{ConnectionTarget, TargetInput};

/// A shipped profile, parsed.
fn shipped(name: &str) -> ProductProfile {
    let path = format!("{}/../../profiles/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    parse_profile(&text).unwrap_or_else(|e| panic!("{path}:\n{e}"))
}

/// The mistakes of a broken profile.
fn errors(text: &str) -> Vec<ProfileError> {
    parse_profile(text).expect_err("the profile is broken").0
}

/// A small valid profile to break.
const MINIMAL: &str = r#"format = 1
[product]
id = "acme"
name = "Acme"
[deployments]
services = true
server = true
[sign_in]
methods = ["pat"]
recommended = "pat"
[access]
capabilities = ["repos"]
[handoff]
fields = [{ source = "organization_or_collection", label = "Org" }]
"#;

fn services(organization: &str) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Services),
        organization: organization.into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn server(url: &str, collection: &str) -> ConnectionTarget {
    TargetInput {
        deployment: Some(Deployment::Server),
        server_url: url.into(),
        collection: collection.into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

/// Facts for one PAT of the `default` connector, project `analytics`, repository `dbt`.
fn facts(target: ConnectionTarget, method: SignInMethod) -> HandoffFacts {
    HandoffFacts {
        target,
        method,
        server_public_url: None,
        project: Some("analytics".into()),
        repository: Some("dbt".into()),
        repository_url: None,
        tenant_id: None,
        client_id: None,
        credentials: vec![CredentialFact {
            connector: "default".into(),
            index: 0,
        }],
        placeholders: Default::default(),
    }
}
