//! The one error shape the UI sees: `{code, field, message, fix, …}`. `code` is an [`ErrorCode`],
//! serialized as its stable snake_case name; the UI switches on it and highlights `field`, and
//! never matches message text.

use ado_flows::interface::{CheckCode, Field, InputError, Problem};
use ado_flows::{ConnectError, ProfileError};
use serde::{Serialize, Serializer};

/// The stable codes a command can fail with: every check code, and the app's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A verdict of the checks (`invalid_credentials`, `unreachable`, `invalid_input`, …).
    Check(CheckCode),
    /// No OS keyring (or it failed).
    SecretStore,
    /// The profile file could not be read or written.
    ProfileStore,
    /// A step was asked for out of order (no plan to apply, no report to save).
    NothingYet,
}

impl ErrorCode {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Check(code) => code.as_str(),
            ErrorCode::SecretStore => "secret_store",
            ErrorCode::ProfileStore => "profile_store",
            ErrorCode::NothingYet => "nothing_yet",
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// An error returned by a command.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// The stable code.
    pub code: ErrorCode,
    /// The field to point at.
    pub field: Option<Field>,
    /// What went wrong.
    pub message: String,
    /// What to do.
    pub fix: String,
    /// What the server said.
    pub server_message: Option<String>,
    /// Correlation ids for support.
    pub support_id: Option<String>,
    /// Every field error, when the form itself is at fault.
    pub field_errors: Vec<InputError>,
}

impl CommandError {
    pub fn new(
        code: ErrorCode,
        field: Option<Field>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        CommandError {
            code,
            field,
            message: message.into(),
            fix: fix.into(),
            server_message: None,
            support_id: None,
            field_errors: Vec::new(),
        }
    }
}

impl From<Problem> for CommandError {
    fn from(p: Problem) -> Self {
        CommandError {
            code: ErrorCode::Check(p.code),
            field: p.field,
            message: p.message,
            fix: p.fix,
            server_message: p.server_message,
            support_id: p.support_id,
            field_errors: Vec::new(),
        }
    }
}

impl From<ProfileError> for CommandError {
    fn from(e: ProfileError) -> Self {
        let code = if matches!(e, ProfileError::Secret(_)) {
            ErrorCode::SecretStore
        } else {
            ErrorCode::ProfileStore
        };
        CommandError::new(
            code,
            None,
            e.to_string(),
            "Nothing was saved. Fix the store named above and verify again.",
        )
    }
}

impl From<ConnectError> for CommandError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::Input(errors) => {
                let first = errors.first().cloned();
                CommandError {
                    code: ErrorCode::Check(CheckCode::InvalidInput),
                    field: first.as_ref().map(|e| e.field),
                    message: first.map(|e| e.message).unwrap_or_default(),
                    fix: "Fix the highlighted fields; nothing was sent.".into(),
                    server_message: None,
                    support_id: None,
                    field_errors: errors,
                }
            }
            ConnectError::Problem(p) => p.into(),
            ConnectError::Save(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_stable_names() {
        let error = CommandError::new(
            ErrorCode::Check(CheckCode::TokenExpired),
            Some(Field::Pat),
            "m",
            "f",
        );
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "token_expired");
        assert_eq!(json["field"], "pat");
        assert_eq!(
            serde_json::to_value(ErrorCode::SecretStore).unwrap(),
            "secret_store"
        );
    }
}
