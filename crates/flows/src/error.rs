//! The one error type of the flows: what a user action failed with, as the shells show it.
//!
//! Layers keep their own errors: the client's [`ado_client::Error`] is facts about a request, the
//! core's [`Problem`] is a check's verdict (a [`CheckCode`] with its words, decided in
//! `ado_core::checks`). An action of this crate fails with an [`Error`]: a verdict, or one of the
//! app's own failures ([`Code::SecretStore`], [`Code::ProfileStore`], [`Code::NothingYet`],
//! [`Code::InvalidProfile`]), whose words are written here and nowhere else, so the same failure
//! has the same code and text whichever path met it (the keyring failing while a check reads a
//! token reads as `secret_store`, as it does while a connection is saved).
//!
//! The shells serialize it as it is (`{code, field, message, fix, serverMessage, supportId,
//! fieldErrors}`): the Tauri app's `CommandError` and the CLI's `--json` error are this type, and
//! the UI switches on `code`, never on the words.

use ado_core::checks::{CheckCode, Problem};
use ado_core::product::ProfileError as ProfileMistake;
use ado_core::target::{Field, InputError};
use serde::{Serialize, Serializer};

/// The stable code of an [`Error`]: every check verdict's code, and the app's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// A check's verdict (`invalid_credentials`, `unreachable`, `invalid_input`, `not_found`, …).
    Check(CheckCode),
    /// The OS keyring is missing or failed.
    SecretStore,
    /// The saved-connections file could not be read or written.
    ProfileStore,
    /// A step was asked for before the one it needs (no plan to apply, no report to save, no
    /// product profile open, a catalog not loaded).
    NothingYet,
    /// A product profile with mistakes (each named with its line and field).
    InvalidProfile,
}

impl Code {
    /// Every code, the app's own last: what the shells' tests walk through.
    pub const ALL: [Code; 21] = [
        Code::Check(CheckCode::Unreachable),
        Code::Check(CheckCode::TlsUntrusted),
        Code::Check(CheckCode::HttpInsecure),
        Code::Check(CheckCode::HttpConsentRequired),
        Code::Check(CheckCode::ServerTooOld),
        Code::Check(CheckCode::PublicUrlLocalhost),
        Code::Check(CheckCode::InvalidCredentials),
        Code::Check(CheckCode::TokenExpired),
        Code::Check(CheckCode::InvalidPermissions),
        Code::Check(CheckCode::NoResources),
        Code::Check(CheckCode::NotFound),
        Code::Check(CheckCode::OauthPolicyDisabled),
        Code::Check(CheckCode::MsaOrganization),
        Code::Check(CheckCode::RateLimited),
        Code::Check(CheckCode::InvalidInput),
        Code::Check(CheckCode::ResponseTooLarge),
        Code::Check(CheckCode::Unexpected),
        Code::SecretStore,
        Code::ProfileStore,
        Code::NothingYet,
        Code::InvalidProfile,
    ];

    /// The stable name, e.g. `secret_store`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Check(code) => code.as_str(),
            Code::SecretStore => "secret_store",
            Code::ProfileStore => "profile_store",
            Code::NothingYet => "nothing_yet",
            Code::InvalidProfile => "invalid_profile",
        }
    }
}

impl From<CheckCode> for Code {
    fn from(code: CheckCode) -> Self {
        Code::Check(code)
    }
}

impl PartialEq<CheckCode> for Code {
    fn eq(&self, other: &CheckCode) -> bool {
        *self == Code::Check(*other)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What the user asked for before the step it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Apply without a previewed plan.
    Plan,
    /// Save report without a run of the checks.
    Report,
    /// A product step without a product profile open.
    ProductProfile,
    /// A search of a connection not verified since the app started.
    Catalog,
}

/// Why a user action failed: a stable [`Code`], the field to point at, and the words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    /// The stable code.
    pub code: Code,
    /// The form field at fault, if one is.
    pub field: Option<Field>,
    /// The cause, in a line.
    pub message: String,
    /// What to do.
    pub fix: String,
    /// What the server said, verbatim.
    pub server_message: Option<String>,
    /// Correlation ids for Microsoft support.
    pub support_id: Option<String>,
    /// Every field error, when the form itself is at fault (the first is `field`/`message`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<InputError>,
    /// A product profile refused: its file and each mistake with its line and field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<RefusedProfile>,
}

/// The product profile an [`Error`] refused, as the shells list it: the file and every mistake
/// (none when the file could not be read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedProfile {
    /// The file, as the user named it.
    pub path: String,
    /// Each mistake, in file order.
    pub errors: Vec<ProfileMistake>,
}

impl Error {
    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }

    fn app(code: Code, message: impl Into<String>, fix: &str) -> Error {
        Error {
            code,
            field: None,
            message: message.into(),
            fix: fix.into(),
            server_message: None,
            support_id: None,
            field_errors: Vec::new(),
            profile: None,
        }
    }

    /// The OS keyring is missing or failed (`detail`: the platform's words, never a secret).
    pub fn secret_store(detail: impl std::fmt::Display) -> Error {
        Error::app(
            Code::SecretStore,
            detail.to_string(),
            "ADO Connect keeps tokens only in the OS keyring: start and unlock your desktop's keyring (e.g. GNOME Keyring), then try again. Nothing was sent or saved.",
        )
    }

    /// The saved-connections file could not be read or written.
    pub fn profile_store(detail: impl std::fmt::Display) -> Error {
        Error::app(
            Code::ProfileStore,
            detail.to_string(),
            "Check that the config directory named above can be read and written (its permissions, the disk), then try again.",
        )
    }

    /// A step asked for before the one it needs.
    pub fn nothing_yet(missing: Missing) -> Error {
        let (message, fix) = match missing {
            Missing::Plan => ("There is no plan to apply.", "Preview the plan first."),
            Missing::Report => ("There is no report to save yet.", "Run the checks first."),
            Missing::ProductProfile => (
                "No product profile is open.",
                "Open a product's profile (.toml) from the first step, or start ADO Connect with --profile FILE.",
            ),
            Missing::Catalog => (
                "This connection has not been verified since the app started.",
                "Verify it again from the list of connections.",
            ),
        };
        Error::app(Code::NothingYet, message, fix)
    }

    /// `not_found`: no saved connection has this id (never saved, or forgotten meanwhile).
    pub fn unknown_connection(id: &str) -> Error {
        Error::app(
            Code::Check(CheckCode::NotFound),
            format!("There is no saved connection {id}."),
            "Go back to the list of connections (it may have been forgotten in another window), or verify and save the connection again; from the CLI, use the profile.id that `verify --save` or `login` printed.",
        )
    }

    /// A product profile that could not be read (`detail`: the OS's words).
    pub fn unreadable_profile(path: &str, detail: impl std::fmt::Display) -> Error {
        Error {
            profile: Some(RefusedProfile {
                path: path.to_string(),
                errors: Vec::new(),
            }),
            ..Error::app(
                Code::Check(CheckCode::InvalidInput),
                format!("cannot read {path}: {detail}"),
                "Choose the product's profile file again (a .toml file you can read).",
            )
        }
    }

    /// A product profile that was read but breaks its schema: every mistake with its line and
    /// field (in [`Error::profile`]).
    pub fn invalid_profile(path: &str, errors: Vec<ProfileMistake>) -> Error {
        let message = format!(
            "{path} is not a valid product profile ({}).",
            match errors.len() {
                1 => "1 mistake".to_string(),
                n => format!("{n} mistakes"),
            }
        );
        Error {
            profile: Some(RefusedProfile {
                path: path.to_string(),
                errors,
            }),
            ..Error::app(
                Code::InvalidProfile,
                message,
                "Fix each line named above in the profile, or ask the product for a current one; the profile open before stays open.",
            )
        }
    }

    /// The fields of a form at fault; nothing was sent.
    pub fn input(errors: Vec<InputError>) -> Error {
        let first = errors.first().cloned();
        Error {
            code: Code::Check(CheckCode::InvalidInput),
            field: first.as_ref().map(|e| e.field),
            message: first.map(|e| e.message).unwrap_or_default(),
            fix: "Fix the highlighted fields; nothing was sent.".into(),
            server_message: None,
            support_id: None,
            field_errors: errors,
            profile: None,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} {}", self.code, self.message, self.fix)
    }
}

impl std::error::Error for Error {}

impl From<Problem> for Error {
    fn from(p: Problem) -> Self {
        Error {
            code: Code::Check(p.code),
            field: p.field,
            message: p.message,
            fix: p.fix,
            server_message: p.server_message,
            support_id: p.support_id,
            field_errors: Vec::new(),
            profile: None,
        }
    }
}

impl From<&Problem> for Error {
    fn from(p: &Problem) -> Self {
        p.clone().into()
    }
}

impl From<&Error> for Error {
    fn from(e: &Error) -> Self {
        e.clone()
    }
}

/// An error with `code`, as the shells' tests walk every code through their serializers.
#[doc(hidden)]
pub fn example(code: Code) -> Error {
    match code {
        Code::Check(CheckCode::InvalidInput) => Error::input(vec![InputError {
            field: Field::Organization,
            message: "Organization is required.".into(),
        }]),
        Code::Check(check) => Problem::new(
            check,
            Some(Field::Pat),
            format!("{check} happened"),
            "do this",
        )
        .into(),
        Code::SecretStore => Error::secret_store("no Secret Service on the session bus"),
        Code::ProfileStore => Error::profile_store("could not write /x/profiles.json: read-only"),
        Code::NothingYet => Error::nothing_yet(Missing::Report),
        Code::InvalidProfile => Error::invalid_profile(
            "dx.toml",
            vec![ProfileMistake {
                line: 3,
                column: 1,
                field: "product.name".into(),
                message: "missing field `name`".into(),
            }],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnectError, ProfileError, SecretError};

    #[test]
    fn every_code_has_a_distinct_stable_name() {
        let names: std::collections::BTreeSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn a_keyring_failure_reads_the_same_whichever_way_it_came() {
        let direct = Error::from(SecretError::Unavailable("no D-Bus".into()));
        let through_profiles = Error::from(ProfileError::Secret(SecretError::Unavailable(
            "no D-Bus".into(),
        )));
        let through_connect = Error::from(ConnectError::Save(ProfileError::Secret(
            SecretError::Unavailable("no D-Bus".into()),
        )));
        assert_eq!(direct.code(), Code::SecretStore);
        assert_eq!(direct, through_profiles);
        assert_eq!(direct, through_connect);
    }

    #[test]
    fn a_check_verdict_keeps_its_code_and_words() {
        let p = Problem::new(CheckCode::TokenExpired, Some(Field::Pat), "m", "f");
        let e = Error::from(p);
        assert!(e.code == CheckCode::TokenExpired);
        assert_eq!(
            (e.field, e.message.as_str(), e.fix.as_str()),
            (Some(Field::Pat), "m", "f")
        );
    }
}
