//! Everything ADO Connect keeps between runs, owned here and nowhere else: the saved connections
//! ([`profiles`]: one JSON file in the config directory, written atomically and privately by
//! [`file`]), their secrets ([`secrets`]: the OS keyring only), and each connection's webhook
//! journal ([`journal`]: intents written before a change, outcomes after).
//!
//! [`Connections`](profiles::Connections) is the door: the one way in
//! ([`Connections::open_default`](profiles::Connections::open_default)), the one lookup of a saved
//! connection ([`Connections::saved`](profiles::Connections::saved), with the one not-found), and
//! the secrets and journal paths of a connection. Nothing outside this module opens a file of
//! the config directory or the keyring. Files the user names (an export, a report, a product's
//! profile) are the user's, not the store's, and are written where the user said.

pub(crate) mod file;
pub mod journal;
pub(crate) mod profile_id;
pub mod profiles;
pub mod secrets;
