//! The one error shape the UI sees is the flows' own: [`ado_flows::Error`], serialized as
//! `{code, field, message, fix, serverMessage, supportId, fieldErrors}` (`fieldErrors` only when a
//! form is at fault). `code` is its stable snake_case name; the UI switches on it and highlights
//! `field`, and never matches message text. The shell adds nothing and decides nothing: a
//! command's `?` turns any flows failure into it through `ado_flows::Error`'s `From`s.

/// What a command fails with.
pub type CommandError = ado_flows::Error;

#[cfg(test)]
mod tests {
    use super::*;
    use ado_flows::{Code, Missing};

    /// Every code the flows have goes through the app as the UI reads it: its stable name, the
    /// field, and the flows' words unchanged. (The CLI's `--json` error is checked the same way in
    /// `crates/cli/src/main.rs`.)
    #[test]
    fn every_code_reaches_the_ui_as_the_flows_wrote_it() {
        for code in Code::ALL {
            let error = ado_flows::error::example(code);
            // What Tauri sends the page for a command's `Err`.
            let json = tauri::ipc::InvokeError::from(error.clone()).0;
            assert_eq!(json["code"], code.as_str());
            assert_eq!(json["message"], error.message.as_str());
            assert_eq!(json["fix"], error.fix.as_str());
            assert_eq!(
                json["field"],
                serde_json::to_value(error.field).unwrap(),
                "{code}"
            );
        }
        let json = tauri::ipc::InvokeError::from(CommandError::nothing_yet(Missing::Plan)).0;
        assert_eq!(json["code"], "nothing_yet");
        assert!(json.get("fieldErrors").is_none());
    }
}
