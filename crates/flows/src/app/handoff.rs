//! A product's hand-off and webhooks for a connection named by its target, as a headless shell
//! asks for them in one go: refused early what the product cannot use, the connection verified
//! and saved on first use, the gate (the product's checks, or a recorded pass), then the panel,
//! the export file, the reproduction script, the POST; or the product's webhooks planned or
//! applied. The same gate, hand-off and delivery as the app's product actions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ado_core::product::handoff::{HandoffPanel, Reveal};
use ado_core::target::ConnectionTarget;
use secrecy::SecretString;
use serde::Serialize;

use super::headless::SavedConnection;
use super::App;
use crate::clock::now_unix;
use crate::product::delivery::Consent;
use crate::product::gate::{Clear, Cleared, ConnectorPat, SavedCheck};
use crate::product::handoff::{write_private, Handoff, HandoffChoice};
use crate::product::post::PostOptions;
use crate::product::saved::{deliver, script_of, Delivered, Written};
use crate::product::{
    apply_product_hooks, plan_product_hooks, ProductHookPlan, ProductHooksReport,
    ProductHooksRequest,
};
use crate::{ConnectOptions, Error, Pat};

/// The connection a product step works on, and how the gate treats it.
pub struct ProductConnection {
    /// Where.
    pub target: ConnectionTarget,
    /// How to reach it (saved with the connection on first use).
    pub options: ConnectOptions,
    /// The expiry date of the PATs given (the connection's on first use, the connectors').
    pub pat_expires: Option<String>,
    /// The project the product gets.
    pub project: Option<String>,
    /// The repository the product gets.
    pub repository: Option<String>,
    /// Connector PATs given now (kept only when the product's checks pass with them).
    pub pats: Vec<ConnectorPat>,
    /// The values the profile asks for.
    pub placeholders: BTreeMap<String, String>,
}

/// What to hand over, besides the panel.
pub struct HandoffRequest {
    /// The connection and the choices.
    pub connection: ProductConnection,
    /// Server: the public URL the product uses instead of the one the checks found.
    pub public_url: Option<String>,
    /// Show secret values in the panel.
    pub show_secrets: bool,
    /// Write the export file here (with the secrets when `true`).
    pub export: Option<(PathBuf, bool)>,
    /// Write the webhook reproduction script here.
    pub script: Option<PathBuf>,
    /// Deliver to the product's API.
    pub post: Option<PostRequest>,
}

/// A delivery to the product's API.
pub struct PostRequest {
    /// The product's API token given now (else the one kept for that host).
    pub token: Option<SecretString>,
    /// A CA (PEM) to trust for the product's API.
    pub trusted_ca_pem: Option<String>,
    /// What the user accepted about where it goes.
    pub consent: Consent,
}

/// What the hand-off did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandedOff {
    /// The fields, as shown.
    pub panel: HandoffPanel,
    /// The export file written.
    pub export: Option<Written>,
    /// The script written, and how many subscriptions it recreates.
    pub script: Option<(String, usize)>,
    /// The delivery: sent, or waiting for consent.
    pub delivery: Option<Delivered>,
}

impl HandedOff {
    /// True when everything asked for was done (a delivery sent and accepted).
    pub fn ok(&self) -> bool {
        match &self.delivery {
            None => true,
            Some(Delivered::Sent { report, .. }) => report.ok,
            Some(Delivered::NeedsConsent { .. }) => false,
        }
    }
}

/// What the product's webhooks step did.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ProductHooksDone {
    /// Planned only.
    Planned(ProductHookPlan),
    /// Applied.
    Applied(ProductHooksReport),
}

impl ProductHooksDone {
    /// True unless a change failed.
    pub fn ok(&self) -> bool {
        match self {
            ProductHooksDone::Planned(_) => true,
            ProductHooksDone::Applied(report) => report.ok,
        }
    }
}

impl App {
    /// The gate for a connection named by its target: refused early what the product cannot
    /// use (nothing sent, nothing saved), the connection verified and saved on first use (`pat`
    /// gives its PAT then; `on_saved` hears of it), then the product's checks for exactly these
    /// credentials. Connector PATs given now are always checked (and kept only if they pass);
    /// without them a pass recorded within a day clears the connection.
    pub async fn clear_product_connection(
        &self,
        connection: &ProductConnection,
        pat: impl FnOnce() -> Result<Pat, Error>,
        on_saved: impl FnOnce(&SavedConnection),
    ) -> Result<Cleared, Error> {
        let expires = connection.pat_expires.clone();
        self.refuse_early(&connection.target, expires.as_deref())?;
        let saved = self
            .connection_for(
                &connection.target,
                &connection.options,
                expires.clone(),
                pat,
            )
            .await?;
        on_saved(&saved);
        let pats = connection
            .pats
            .iter()
            .map(|p| ConnectorPat {
                connector: p.connector.clone(),
                index: p.index,
                pat: p.pat.clone(),
                expires_on: p.expires_on.clone(),
            })
            .collect::<Vec<_>>();
        let when = match pats.is_empty() {
            true => Clear::IfStale,
            false => Clear::Always,
        };
        let check = SavedCheck {
            profile: self.product()?,
            connection_id: saved.id,
            project: connection.project.clone(),
            repository: connection.repository.clone(),
            pats,
        };
        self.clear(check, when).await
    }

    /// The hand-off of a connection named by its target, through the gate: the panel, and the
    /// export file, the script and the delivery when asked.
    pub async fn hand_off(
        &self,
        request: HandoffRequest,
        pat: impl FnOnce() -> Result<Pat, Error>,
        on_saved: impl FnOnce(&SavedConnection),
    ) -> Result<HandedOff, Error> {
        let cleared = self
            .clear_product_connection(&request.connection, pat, on_saved)
            .await?;
        let connection = request.connection;
        let choice = HandoffChoice {
            project: connection.project,
            repository: connection.repository,
            server_public_url: request.public_url,
            placeholders: connection.placeholders,
        };
        let connections = self.connections()?;
        // The hand-off of what the gate just cleared (not a second pass through it).
        let handoff = Handoff::from_cleared(connections, &cleared, choice)?;
        handoff.require_complete()?;
        let reveal = match request.show_secrets {
            true => Reveal::All,
            false => Reveal::Nothing,
        };
        let mut done = HandedOff {
            panel: handoff.panel(&reveal),
            export: None,
            script: None,
            delivery: None,
        };
        if let Some((path, include_secrets)) = &request.export {
            let doc = handoff.export_to(path, *include_secrets, now_unix())?;
            done.export = Some(Written {
                path: path.display().to_string(),
                warning: doc.warning,
            });
        }
        if let Some(path) = &request.script {
            let (text, subscriptions) = script_of(connections, &handoff)?;
            write_private(path, text.as_bytes())?;
            done.script = Some((path.display().to_string(), subscriptions));
        }
        if let Some(post) = request.post {
            let options = PostOptions {
                trusted_ca_pem: post.trusted_ca_pem,
                ..PostOptions::default()
            };
            let delivered = deliver(connections, &handoff, post.token, &post.consent, &options);
            done.delivery = Some(delivered.await?);
        }
        Ok(done)
    }

    /// Plans or applies exactly the product's webhooks on a connection named by its target,
    /// through the gate. `secret` is the one the product gave, for profiles whose product
    /// gives it.
    pub async fn product_hooks_for_target(
        &self,
        connection: ProductConnection,
        secret: Option<SecretString>,
        apply: bool,
        pat: impl FnOnce() -> Result<Pat, Error>,
        on_saved: impl FnOnce(&SavedConnection),
    ) -> Result<ProductHooksDone, Error> {
        let cleared = self
            .clear_product_connection(&connection, pat, on_saved)
            .await?;
        let session = self.hooks_session(cleared.connection_id()).await?;
        let request = ProductHooksRequest {
            placeholders: connection.placeholders,
            projects: connection.project.into_iter().collect(),
            repositories: Vec::new(),
            secret,
        };
        let (client, records) = (&session.client, &session.records);
        Ok(match apply {
            true => ProductHooksDone::Applied(
                apply_product_hooks(&cleared, client, records, &request, &|_| {}).await?,
            ),
            false => ProductHooksDone::Planned(
                plan_product_hooks(&cleared, client, records, &request).await?,
            ),
        })
    }
}
