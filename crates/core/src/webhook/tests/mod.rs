//! Tests of the webhook planner, matching, bodies and receiver checks: the shared fixtures here,
//! one module per job of `webhook`.

mod matching;
mod plan;
mod receiver;
mod spec;

use std::collections::BTreeMap;

use super::*;
use crate::checks::CheckCode;
use crate::target::Deployment;

const PROJECT: &str = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c";
const REPO: &str = "3411ebc1-d5aa-464f-9615-0b527bc66719";
const URL: &str = "https://hooks.example.com/ado";

/// The fingerprint function of these tests: visibly not the secret.
fn fp(secret: &str) -> String {
    format!(
        "fp({})",
        secret.len() + secret.bytes().map(usize::from).sum::<usize>()
    )
}

fn header_auth(secret: &str) -> HookAuth {
    HookAuth::SecretHeader {
        header: DEFAULT_SECRET_HEADER.into(),
        secret: SecretRef {
            key: "hook-secret:p".into(),
            fingerprint: Some(fp(secret)),
        },
    }
}

fn spec(event: EventKind) -> HookSpec {
    HookSpec {
        event,
        project_id: PROJECT.into(),
        repository_id: None,
        branch: None,
        url: URL.into(),
        auth: header_auth("s3cret-value-0123456789"),
    }
}

/// What the server would return for `spec` created with `secret`.
fn existing_for(id: &str, spec: &HookSpec, secret: &str) -> ExistingSubscription {
    let body = subscription_body(spec, secret);
    let mut publisher = body.publisher_inputs.clone();
    publisher.insert("tfsSubscriptionId".into(), "42".into());
    ExistingSubscription::from_wire(
        id,
        Some(&body.publisher_id),
        Some(&body.event_type),
        Some(&body.resource_version),
        Some(&body.consumer_id),
        Some(&body.consumer_action_id),
        &publisher,
        &body.consumer_inputs,
        Some("enabled"),
        &fp,
    )
}

fn recorded(id: &str, spec: &HookSpec, secret: &str) -> RecordedHook {
    RecordedHook {
        id: id.into(),
        spec: spec.clone(),
        origin: HookOrigin::Created,
        secret_fingerprint: Some(fp(secret)),
        recorded_at: 0,
    }
}

const SECRET: &str = "s3cret-value-0123456789";
