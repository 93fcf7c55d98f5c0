//! Service-hook subscriptions (webhooks): what to register, how to recognise one that already
//! exists, and what to change. Pure: facts about existing subscriptions come in, a [`Plan`] comes
//! out; the flows crate does the HTTP, the keyring and the journal.
//!
//! - [`EventKind`]: the five events the wizard offers, with their `eventType` and filters.
//! - [`HookSelection::specs`]: one [`HookSpec`] per chosen event (what the admin picked).
//! - [`subscription_body`]: the JSON Azure DevOps takes for one spec (publisher `tfs`, consumer
//!   `webHooks`, action `httpRequest`), docs `service-hooks/create-subscription.md`.
//! - [`matches`]: the one rule that says "this existing subscription is the one a spec asks for":
//!   same publisher, consumer, event, receiver URL (normalized), project, repository and branch.
//!   Everything else (secret header, `mergeResult`, message settings, status) is drift to fix,
//!   not a reason to create another subscription. Reconciling on this key is what prevents the
//!   duplicate-hook bugs peers shipped (port-labs/ocean#3686, #3997; getsentry/sentry#10151).
//! - [`plan`]: desired specs + existing subscriptions + the ids this app recorded → create,
//!   adopt, update, re-enable or leave alone, each with its reasons.
//! - [`check_receiver_url`]: can Azure DevOps reach the receiver at all?
//!
//! Secrets never enter this module: existing subscriptions' secrets arrive as fingerprints
//! ([`SecretFact`]), computed by the caller, and [`subscription_body`] takes the secret as an
//! argument only to place it in the body.

mod body;
mod changes;
mod event;
mod existing;
mod matching;
mod plan;
mod receiver;
mod spec;
#[cfg(test)]
mod tests;
mod validate;

pub use body::*;
pub use changes::*;
pub use event::*;
pub use existing::*;
pub use matching::*;
pub use plan::*;
pub use receiver::*;
pub use spec::*;
pub use validate::*;

/// The publisher of Azure DevOps' own events (Git, builds, work items).
pub const PUBLISHER_ID: &str = "tfs";
/// The "Web Hooks" consumer.
pub const CONSUMER_ID: &str = "webHooks";
/// Its only action: POST the event as JSON.
pub const CONSUMER_ACTION_ID: &str = "httpRequest";
/// The header that carries the generated secret unless the admin names another.
pub const DEFAULT_SECRET_HEADER: &str = "X-ADO-Connect-Secret";
/// The payload version asked for. Docs advise always setting it; "1.0" is what every event
/// here documents (`service-hooks/events.md`).
pub const RESOURCE_VERSION: &str = "1.0";
