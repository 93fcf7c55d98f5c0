//! What an existing subscription needs changed to be what its spec asks for (drift), and what
//! this app records about the subscriptions it owns.

use serde::{Deserialize, Serialize};

use crate::ids::SubscriptionId;

use super::body::{publisher_inputs, DELIVERY_INPUTS};
use super::existing::SERVER_PUBLISHER_INPUTS;
use super::{
    normalize_branch, ExistingSubscription, HookAuth, HookSpec, SecretFact, RESOURCE_VERSION,
};

/// One difference between an existing subscription and what its spec asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Change {
    /// The secret header carries another value (after a rotation, or edited by hand).
    SecretChanged {
        /// The header name.
        header: String,
    },
    /// The secret header is missing.
    SecretHeaderMissing {
        /// The header name.
        header: String,
    },
    /// The server masks the secret and this app never set it: it is set again to be sure.
    SecretUnverified,
    /// Basic auth is set where the secret header is wanted, or the other way round.
    AuthMethodChanged,
    /// Other custom headers are set; the update leaves only the secret header.
    #[serde(rename_all = "camelCase")]
    ExtraHeaders {
        /// Their names.
        names: Vec<String>,
    },
    /// Another basic-auth user name.
    #[serde(rename_all = "camelCase")]
    BasicAuthUsername {
        /// What it is.
        from: Option<String>,
        /// What it becomes.
        to: String,
    },
    /// Another basic-auth password.
    BasicAuthPassword,
    /// An event filter differs (e.g. `mergeResult`), or one the wizard does not set is set.
    #[serde(rename_all = "camelCase")]
    Filter {
        /// The publisher input.
        input: String,
        /// What it is.
        from: Option<String>,
        /// What it becomes (`None`: cleared).
        to: Option<String>,
    },
    /// A delivery setting differs (`resourceDetailsToSend`, `messagesToSend`, …).
    #[serde(rename_all = "camelCase")]
    Delivery {
        /// The consumer input.
        input: String,
        /// What it is.
        from: Option<String>,
        /// What it becomes.
        to: String,
    },
    /// Another payload version.
    #[serde(rename_all = "camelCase")]
    ResourceVersion {
        /// What it is.
        from: String,
        /// What it becomes.
        to: String,
    },
}

impl Change {
    /// True when the change writes another secret (or authentication) onto a subscription that
    /// delivers already: its receiver must be given the new one, or it rejects deliveries.
    pub fn replaces_secret(&self) -> bool {
        matches!(
            self,
            Change::SecretChanged { .. }
                | Change::SecretHeaderMissing { .. }
                | Change::SecretUnverified
                | Change::AuthMethodChanged
                | Change::BasicAuthPassword
        )
    }

    /// One line for the plan.
    pub fn describe(&self) -> String {
        match self {
            Change::SecretChanged { header } => {
                format!("set {header} to the current secret")
            }
            Change::SecretHeaderMissing { header } => format!("add the {header} header"),
            Change::SecretUnverified => {
                "set the secret again (the server does not show it, so it cannot be compared)"
                    .into()
            }
            Change::AuthMethodChanged => "switch the delivery authentication method".into(),
            Change::ExtraHeaders { names } => {
                format!("drop the other headers ({})", names.join(", "))
            }
            Change::BasicAuthUsername { from, to } => format!(
                "basic-auth user {} → {to}",
                from.as_deref().unwrap_or("(none)")
            ),
            Change::BasicAuthPassword => "set the basic-auth password".into(),
            Change::Filter { input, from, to } => format!(
                "filter {input}: {} → {}",
                from.as_deref().unwrap_or("(any)"),
                to.as_deref().unwrap_or("(any)")
            ),
            Change::Delivery { input, from, to } => {
                format!("{input}: {} → {to}", from.as_deref().unwrap_or("(default)"))
            }
            Change::ResourceVersion { from, to } => format!("resource version {from} → {to}"),
        }
    }
}

/// What this app recorded about a subscription it created or adopted (kept in the profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedHook {
    /// The subscription id.
    pub id: SubscriptionId,
    /// The spec it was created or adopted for.
    pub spec: HookSpec,
    /// Created by this app, or adopted (it existed already).
    pub origin: HookOrigin,
    /// The fingerprint of the secret last written to it, when this app wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_fingerprint: Option<String>,
    /// When it was recorded (seconds since the Unix epoch).
    #[serde(default)]
    pub recorded_at: u64,
}

impl RecordedHook {
    /// The record without fingerprints: what may be shown or printed.
    pub fn without_fingerprints(&self) -> RecordedHook {
        RecordedHook {
            spec: self.spec.without_fingerprint(),
            secret_fingerprint: None,
            ..self.clone()
        }
    }
}

/// How a recorded subscription came to be ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HookOrigin {
    /// This app created it.
    Created,
    /// It existed and matched a spec; this app took it over.
    Adopted,
}

/// The differences between `existing` and what `spec` asks for. `recorded` is this app's record
/// of the subscription, if any: it vouches for a secret the server masks.
pub fn changes(
    spec: &HookSpec,
    existing: &ExistingSubscription,
    recorded: Option<&RecordedHook>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let wanted = spec.auth.secret().fingerprint.as_deref();
    // A masked secret: trust our record if it says we wrote this very secret.
    let masked_ok = || {
        let recorded_fp = recorded.and_then(|r| r.secret_fingerprint.as_deref());
        match (recorded_fp, wanted) {
            (Some(r), Some(w)) => r == w,
            // Recorded, but no fingerprint to compare (basic auth): nothing says it changed.
            (None, _) => recorded.is_some(),
            (Some(_), None) => true,
        }
    };
    match &spec.auth {
        HookAuth::SecretHeader { header, .. } => {
            if existing.basic_auth_username.is_some() {
                changes.push(Change::AuthMethodChanged);
            }
            let found = existing
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(header) || h.name.is_empty());
            match found.map(|h| &h.value) {
                None => changes.push(Change::SecretHeaderMissing {
                    header: header.clone(),
                }),
                Some(SecretFact::Fingerprint(fp)) => {
                    if wanted != Some(fp.as_str()) {
                        changes.push(Change::SecretChanged {
                            header: header.clone(),
                        });
                    }
                }
                Some(SecretFact::Masked) => {
                    if !masked_ok() {
                        changes.push(if recorded.is_some() {
                            Change::SecretChanged {
                                header: header.clone(),
                            }
                        } else {
                            Change::SecretUnverified
                        });
                    }
                }
            }
            let others: Vec<String> = existing
                .headers
                .iter()
                .filter(|h| !h.name.is_empty() && !h.name.eq_ignore_ascii_case(header))
                .map(|h| h.name.clone())
                .collect();
            if !others.is_empty() {
                changes.push(Change::ExtraHeaders { names: others });
            }
        }
        HookAuth::Basic { username, .. } => {
            if !existing.headers.is_empty() {
                changes.push(Change::AuthMethodChanged);
            }
            if existing.basic_auth_username.as_deref() != Some(username.as_str()) {
                changes.push(Change::BasicAuthUsername {
                    from: existing.basic_auth_username.clone(),
                    to: username.clone(),
                });
            }
            match &existing.basic_auth_password {
                None => changes.push(Change::BasicAuthPassword),
                Some(SecretFact::Fingerprint(fp)) if wanted.is_some_and(|w| w != fp) => {
                    changes.push(Change::BasicAuthPassword)
                }
                Some(SecretFact::Fingerprint(_)) => {}
                Some(SecretFact::Masked) => {
                    if !masked_ok() {
                        changes.push(if recorded.is_some() {
                            Change::BasicAuthPassword
                        } else {
                            Change::SecretUnverified
                        });
                    }
                }
            }
        }
    }

    // Filters: the ones we set must have our value; any other non-empty filter is cleared
    // (project, repository and branch are equal already: they are the match key).
    let wanted_inputs = publisher_inputs(spec);
    for (input, value) in &wanted_inputs {
        let have = existing.input(input);
        let same = match input.as_str() {
            "branch" => have.map(normalize_branch).as_deref() == Some(value.as_str()),
            _ => have.is_some_and(|h| h.eq_ignore_ascii_case(value)),
        };
        if !same {
            changes.push(Change::Filter {
                input: input.clone(),
                from: have.map(str::to_string),
                to: Some(value.clone()),
            });
        }
    }
    for (input, value) in &existing.publisher_inputs {
        let known = wanted_inputs.keys().any(|k| k.eq_ignore_ascii_case(input))
            || SERVER_PUBLISHER_INPUTS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(input));
        if !known && !value.trim().is_empty() {
            changes.push(Change::Filter {
                input: input.clone(),
                from: Some(value.clone()),
                to: None,
            });
        }
    }

    for (input, value) in DELIVERY_INPUTS {
        let have = existing
            .other_consumer_inputs
            .get(input)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty());
        // An empty resourceDetailsToSend means "all" (the descriptor's default).
        let effective = match (input, have) {
            ("resourceDetailsToSend", None) => Some("all"),
            (_, h) => h,
        };
        if !effective.is_some_and(|h| h.eq_ignore_ascii_case(value)) {
            changes.push(Change::Delivery {
                input: input.to_string(),
                from: have.map(str::to_string),
                to: value.to_string(),
            });
        }
    }
    if let Some(version) = existing.resource_version.as_deref() {
        let v = version.trim();
        if !v.is_empty() && v != RESOURCE_VERSION {
            changes.push(Change::ResourceVersion {
                from: v.to_string(),
                to: RESOURCE_VERSION.to_string(),
            });
        }
    }
    changes
}
