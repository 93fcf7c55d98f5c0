//! Typed ids for the values that cross crates: a saved connection ([`ProfileId`]), a
//! service-hook subscription ([`SubscriptionId`]) and a project ([`ProjectId`]).
//!
//! Each wraps the id's text and serializes as that text (`#[serde(transparent)]`), so the
//! profiles file, the hooks journal, the app's commands and the CLI's `--json` output read and
//! write exactly what they did with plain strings. Each derefs to `str`, so reading one is as
//! plain as reading a `String`; what changes is that a project id cannot be passed where a
//! subscription id is wanted.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id from its text.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            /// The id's text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                $name(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                $name(id.to_string())
            }
        }

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                $name(id.clone())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

string_id! {
    /// The id of a saved connection (a profile), unique per exact target, e.g.
    /// `server-http-tfs-8080-tfs-defaultcollection-1a2b3c4d5e6f`.
    ProfileId
}

string_id! {
    /// The id of a service-hook subscription, as Azure DevOps gives it (a GUID).
    SubscriptionId
}

string_id! {
    /// The id of a project, as Azure DevOps gives it (a GUID).
    ProjectId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_their_text() {
        let id = SubscriptionId::from("6c0b5a4e-0000-4000-8000-000000000001");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(
            json, r#""6c0b5a4e-0000-4000-8000-000000000001""#,
            "the id is written as the plain string it was"
        );
        let back: SubscriptionId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id, "and read back from it");
        assert_eq!(ProjectId::from("p-1").to_string(), "p-1");
        let profile = ProfileId::from("x");
        assert!(profile == "x", "an id compares with its text");
    }
}
