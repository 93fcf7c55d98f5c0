//! Service hooks end to end against the emulator (Azure DevOps Server 2022 collection
//! `tfs/DefaultCollection` of the demo world) with a real receiver on loopback: plan, apply,
//! apply again, adopt, rotate, re-enable, permissions, crash recovery, rollback, test
//! delivery, history, remove, rate limits and ambiguous failures.
//!
//! Secrets go to the real keyring (Secret Service when one runs, else the kernel keyring);
//! each test's profile id is unique (the emulator's port is in it) and is removed at the end.
//!
//! Modules: `apply` (plan and apply, running again, a stale plan, someone else's subscription
//! and taking it over, re-enabling, several repositories, Services, the subscriptions query),
//! `secrets` (rotation, basic auth, no secret in the journal or profile, keyed fingerprints),
//! `refusals` (permissions, credentials in the receiver's URL), `recovery` (a crash mid-apply,
//! recover, rollback, a corrupt journal), `delivery` (a test event, a real push, history),
//! `remove` (remove, forgetting a connection), `throttling` (rate limits, slow-down headers,
//! server errors on create); `support` holds the receiver, the fixture and the crash they share.

mod apply;
mod delivery;
mod recovery;
mod refusals;
mod remove;
mod secrets;
mod support;
mod throttling;
