//! A product profile applied to a *saved* connection: one function per thing the app and the CLI
//! let a user do with a product, so that the shells only adapt arguments and answers.
//!
//! - [`connect_rules`]: what the connect form may offer and what it refuses, the moment a paste
//!   or the deployment choice reveals it (before any token is asked for).
//! - [`check_saved`]: the product's checks, always run ("Check access"); connector PATs are kept
//!   only when every check passed.
//! - [`handoff_view`], [`handoff_value`], [`export_to_default_dir`], [`script_to_default_dir`],
//!   [`deliver`]: the hand-off, each through the gate ([`super::handoff::open_handoff`]).

use ado_core::checks::{CheckCode, Problem};
use ado_core::preflight::Status;
use ado_core::product::handoff::{HandoffPanel, MissingField, Reveal};
use ado_core::product::verdicts::Restriction;
use ado_core::product::{ProductProfile, SignInRule};
use ado_core::target::{ConnectionTarget, Deployment};
use secrecy::SecretString;
use serde::Serialize;

use super::delivery::{self, Consent, DeliveryPreview};
use super::gate::{clear_saved, Clear, SavedCheck};
use super::handoff::{
    open_handoff, product_token, recorded_specs, store_product_token, write_private, Deliveries,
    Handoff, HandoffChoice,
};
use super::post::{post_handoff, PostOptions, PostReport};
use super::precheck::{precheck, today, Precheck};
use super::{ProductEvent, ProductReport};
use crate::{Connections, ProfileId};

/// What the connect form shows for a product: the sign-in methods the deployment takes (its
/// recommended one first) and the refusals so far.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectRules {
    /// The rule of the deployment chosen (or the profile's default).
    pub sign_in: SignInRule,
    /// Every restriction that could be judged without a request.
    pub restrictions: Vec<Restriction>,
    /// True when one of them refuses: nothing may be sent.
    pub refused: bool,
}

/// What the connect form knows so far.
#[derive(Debug, Clone, Default)]
pub struct ConnectInput {
    /// The target, once the form's fields make one.
    pub target: Option<ConnectionTarget>,
    /// The deployment chosen.
    pub deployment: Option<Deployment>,
    /// The sign-in method chosen.
    pub method: Option<ado_core::product::SignInMethod>,
    /// The PAT's expiry date as typed.
    pub expires_on: Option<String>,
}

/// The connect form's rules for `profile` and what the form holds now.
pub fn connect_rules(profile: &ProductProfile, input: &ConnectInput) -> ConnectRules {
    let deployment = input
        .target
        .as_ref()
        .map(ConnectionTarget::deployment)
        .or(input.deployment);
    let is_pat = input.method == Some(ado_core::product::SignInMethod::Pat);
    // A product handed a PAT on Services (DX per connector, Kong Konnect, Datafold) may have it
    // created after a Microsoft sign-in ("Create the tokens for me", `super::mint`): that
    // sign-in only registers webhooks and mints, so the form offers it too (issue 20).
    let mintable = super::mint::mintable(profile) && deployment == Some(Deployment::Services);
    let microsoft = matches!(
        input.method,
        Some(
            ado_core::product::SignInMethod::Browser | ado_core::product::SignInMethod::DeviceCode
        )
    );
    let restrictions = precheck(
        profile,
        &Precheck {
            target: input.target.clone(),
            deployment,
            methods: input
                .method
                .filter(|_| !(mintable && microsoft))
                .into_iter()
                .collect(),
            expiry_dates: if is_pat {
                vec![(
                    String::new(),
                    input.expires_on.clone().filter(|d| !d.trim().is_empty()),
                )]
            } else {
                Vec::new()
            },
            today: today(),
        },
    );
    let mut sign_in = deployment
        .map_or(&profile.sign_in, |d| profile.sign_in_for(d))
        .clone();
    if mintable {
        for method in [
            ado_core::product::SignInMethod::Browser,
            ado_core::product::SignInMethod::DeviceCode,
        ] {
            if !sign_in.methods.contains(&method) {
                sign_in.methods.push(method);
            }
        }
        let what = if profile.pat_one_per_connector {
            "its tokens (\"Create the tokens for me\")"
        } else {
            "its token (\"Create the token for me\")"
        };
        let offer = format!(
            "{} is handed a personal access token: paste one, or sign in with Microsoft and let ADO Connect create {what}.",
            profile.product.name
        );
        sign_in.note = Some(match sign_in.note.take() {
            Some(note) => format!("{note} {offer}"),
            None => offer,
        });
    }
    ConnectRules {
        sign_in,
        refused: restrictions.iter().any(|r| r.status == Status::Fail),
        restrictions,
    }
}

/// The connect rules for `target` as the CLI meets it: with the saved connection's sign-in
/// method and PAT expiry date when it is saved (a date given now counts for a connection saved
/// without one), else a PAT dated `expires_on`.
pub fn rules_for_target(
    profile: &ProductProfile,
    connections: &Connections,
    target: &ConnectionTarget,
    expires_on: Option<&str>,
) -> Result<ConnectRules, crate::Error> {
    let id = crate::profiles::profile_id(target);
    let saved = connections.get(&id)?;
    let (method, saved_expiry) = match &saved {
        Some(saved) => (
            super::gate::method_of(&saved.auth, profile, saved),
            match &saved.auth {
                crate::AuthMethod::Pat { expires_on } => expires_on.clone(),
                _ => None,
            },
        ),
        None => (ado_core::product::SignInMethod::Pat, None),
    };
    Ok(connect_rules(
        profile,
        &ConnectInput {
            target: Some(target.clone()),
            deployment: None,
            method: Some(method),
            expires_on: saved_expiry.or(expires_on.map(str::to_string)),
        },
    ))
}

/// Runs the product's checks for a saved connection now; keeps the connector PATs when
/// everything passed, and records the pass for the hand-off.
pub async fn check_saved(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    request: SavedCheck,
    now_unix: u64,
    on_event: &(dyn Fn(&ProductEvent<'_>) + Sync),
) -> Result<ProductReport, crate::Error> {
    let outcome = clear_saved(
        connections,
        settings,
        request,
        Clear::Always,
        now_unix,
        on_event,
    )
    .await?;
    Ok(match outcome {
        super::gate::Outcome::Cleared(_, Some(report)) | super::gate::Outcome::Refused(report) => {
            report
        }
        super::gate::Outcome::Cleared(_, None) => unreachable!("Clear::Always runs the checks"),
    })
}

/// The hand-off panel as the app shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffView {
    /// The fields (secrets hidden) and the product's guide.
    pub panel: HandoffPanel,
    /// Required values not known yet: asked for, never handed over empty.
    pub missing: Vec<MissingField>,
    /// The ways to deliver this product has.
    pub deliveries: Deliveries,
    /// A product API token is kept in the keyring.
    pub has_token: bool,
    /// When the product's checks passed (Unix seconds).
    pub checked_at: u64,
}

/// The hand-off panel of a saved connection, through the gate.
pub async fn handoff_view(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    profile: ProductProfile,
    id: &ProfileId,
    choice: HandoffChoice,
    now_unix: u64,
) -> Result<HandoffView, crate::Error> {
    let handoff = open_handoff(connections, settings, profile, id, choice, now_unix).await?;
    let has_token = product_token(
        connections,
        handoff.saved()?,
        &super::secrets_key(&handoff.profile),
    )?
    .is_some();
    Ok(HandoffView {
        panel: handoff.panel(&Reveal::Nothing),
        missing: handoff.missing(),
        deliveries: handoff.deliveries(),
        has_token,
        checked_at: handoff.checked_at,
    })
}

/// One field's value (Reveal, Copy), through the gate; refused while a required field is
/// unknown.
pub async fn handoff_value(
    connections: &Connections,
    settings: &ado_auth::SignInSettings,
    profile: ProductProfile,
    id: &ProfileId,
    choice: HandoffChoice,
    key: &str,
    now_unix: u64,
) -> Result<Option<String>, crate::Error> {
    let handoff = open_handoff(connections, settings, profile, id, choice, now_unix).await?;
    handoff.require_complete()?;
    Ok(handoff.field_value(key))
}

fn file_stem(handoff: &Handoff) -> String {
    let id: String = handoff
        .profile
        .product
        .id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("ado-connect-{id}")
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    /// The file.
    pub path: String,
    /// A warning to show (secrets inside), if any.
    pub warning: Option<String>,
}

/// Writes the export file next to the saved reports; secrets only if asked. The file is new,
/// owner-only, and renamed into place.
pub fn export_to_default_dir(
    handoff: &Handoff,
    include_secrets: bool,
    now_unix: u64,
) -> Result<Written, crate::Error> {
    let dir = crate::preflight::default_report_dir();
    let path = dir.join(format!("{}-handoff.json", file_stem(handoff)));
    let doc = handoff.export_to(&path, include_secrets, now_unix)?;
    Ok(Written {
        path: path.display().to_string(),
        warning: doc.warning,
    })
}

/// The reproduction script of the connection's recorded subscriptions, and where it was saved.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Script {
    /// The script (secrets as environment variables).
    pub text: String,
    /// Where it was saved.
    pub path: String,
    /// How many subscriptions it recreates.
    pub subscriptions: usize,
}

/// The reproduction script of the connection's recorded subscriptions.
pub fn script_of(
    connections: &Connections,
    handoff: &Handoff,
) -> Result<(String, usize), crate::Error> {
    if !handoff.profile.wizard_registers_hooks() {
        return Err(Problem::new(
            CheckCode::InvalidInput,
            None,
            format!(
                "{} creates its webhooks itself: there is no script to recreate them.",
                handoff.profile.product.name
            ),
            "Nothing to do.",
        )
        .into());
    }
    let specs = recorded_specs(connections, &handoff.connection_id)?;
    Ok((handoff.reproduction_script(&specs), specs.len()))
}

/// Writes the reproduction script next to the saved reports.
pub fn script_to_default_dir(
    connections: &Connections,
    handoff: &Handoff,
) -> Result<Script, crate::Error> {
    let (text, subscriptions) = script_of(connections, handoff)?;
    let dir = crate::preflight::default_report_dir();
    let path = dir.join(format!("{}-webhooks.sh", file_stem(handoff)));
    write_private(&path, text.as_bytes())?;
    Ok(Script {
        text,
        path: path.display().to_string(),
        subscriptions,
    })
}

/// What [`deliver`] did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Delivered {
    /// Nothing was sent: the user must see where it goes and what it carries, and say yes.
    #[serde(rename_all = "camelCase")]
    NeedsConsent {
        /// Where and what.
        preview: DeliveryPreview,
        /// Why nothing was sent, and how to go on.
        problem: Problem,
    },
    /// Sent.
    #[serde(rename_all = "camelCase")]
    Sent {
        /// Where and what.
        preview: DeliveryPreview,
        /// What the product answered.
        report: PostReport,
    },
}

/// Delivers the hand-off to the product's API, once the user has seen where it goes and what it
/// carries ([`delivery::ask`]). A token given now is kept in the keyring for that host; without
/// one, the token kept for the same host is used (never one given for another host).
pub async fn deliver(
    connections: &Connections,
    handoff: &Handoff,
    token: Option<SecretString>,
    consent: &Consent,
    options: &PostOptions,
) -> Result<Delivered, crate::Error> {
    let (preview, pinned) = match delivery::ask(connections, handoff, consent).await? {
        delivery::Asked::NeedsConsent { preview, problem } => {
            return Ok(Delivered::NeedsConsent { preview, problem })
        }
        delivery::Asked::Allowed { preview, pinned } => (preview, pinned),
    };
    let key = super::secrets_key(&handoff.profile);
    let saved_connection = handoff.saved()?;
    let host_name = delivery::token_host_name(&key);
    let given = token.filter(|t| !secrecy::ExposeSecret::expose_secret(t).trim().is_empty());
    let label = handoff
        .profile
        .handoff
        .post
        .as_ref()
        .map_or("the product's API token".to_string(), |p| {
            p.token_label.clone()
        });
    let name = &handoff.profile.product.name;
    let token = match given {
        Some(token) => token,
        None => {
            let kept_for = connections
                .extra_secret(saved_connection, &host_name)?
                .map(|h| secrecy::ExposeSecret::expose_secret(&h).to_string());
            let kept = product_token(connections, saved_connection, &key)?;
            match (kept, kept_for) {
                (Some(token), Some(host)) if host.eq_ignore_ascii_case(&preview.host) => token,
                (Some(_), Some(host)) => {
                    return Err(Problem::new(
                        CheckCode::InvalidInput,
                        None,
                        format!("The {label} kept in your keyring was given for {host}; this delivery goes to {}.", preview.host),
                        format!("Paste the {label} for {} (a kept token is only sent to the host it was given for).", preview.host),
                    ).into())
                }
                _ => {
                    return Err(Problem::new(
                        CheckCode::InvalidInput,
                        None,
                        format!("Paste the {label} first."),
                        format!("Create an API token in {name} and give it (the app's token field, or ADO_CONNECT_PRODUCT_TOKEN); it is kept in your OS keyring for {}.", preview.host),
                    ).into())
                }
            }
        }
    };
    let options = PostOptions {
        pinned: Some((preview.host.clone(), pinned)),
        ..options.clone()
    };
    let report = post_handoff(handoff, &token, &options).await?;
    // Kept only once the product accepted it: a mistyped token or host is not remembered.
    if report.ok {
        store_product_token(connections, saved_connection, &key, &token)?;
        connections.put_extra_secret(
            saved_connection,
            &host_name,
            &SecretString::from(preview.host.clone()),
        )?;
        delivery::accept_host(connections, handoff, &preview.host)?;
    }
    Ok(Delivered::Sent { preview, report })
}
