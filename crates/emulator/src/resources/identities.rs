//! `IdentityRef`: how pull requests, builds and subscriptions name a person.

use serde_json::{json, Value};

use super::Site;
use crate::world::{derived_id, User};

/// An `IdentityRef` for a user (or, for an email the world does not know, a made-up one).
pub(crate) fn identity_ref(site: &Site<'_>, user: Option<&User>, email: Option<&str>) -> Value {
    let (id, display_name, unique_name) = match user {
        Some(user) => (user.id, user.display_name.clone(), user.email.clone()),
        None => {
            let email = email.unwrap_or("unknown@example.invalid");
            (
                derived_id("user", &[email]),
                email.to_string(),
                email.to_string(),
            )
        }
    };
    let base = site.base();
    json!({
        "displayName": display_name,
        "url": format!("{base}/_apis/Identities/{id}"),
        "id": id,
        "uniqueName": unique_name,
        "imageUrl": format!("{base}/_api/_common/identityImage?id={id}"),
    })
}

/// The author of something a scenario names by email (`None` = the world's first user).
pub(crate) fn person<'w>(site: &Site<'w>, email: Option<&str>) -> Option<&'w User> {
    match email {
        Some(email) => site.world.user_by_email(email),
        None => site.world.users.first(),
    }
}
