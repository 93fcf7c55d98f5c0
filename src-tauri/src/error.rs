//! The one error shape the UI sees: `{code, field, message, fix, …}`. The UI switches on `code`
//! and highlights `field`; it never matches message text.

use ado_core::checks::{CheckCode, Problem};
use ado_core::target::{Field, InputError};
use ado_flows::{ConnectError, ProfileError};
use serde::Serialize;

/// An error returned by a command.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// A stable code: a check code (`invalid_credentials`, …), `invalid_input`, `secret_store`
    /// or `profile_store`.
    pub code: String,
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
        code: &str,
        field: Option<Field>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        CommandError {
            code: code.into(),
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
            code: p.code.as_str().into(),
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
            "secret_store"
        } else {
            "profile_store"
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
                    code: CheckCode::InvalidInput.as_str().into(),
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
