//! Text from elsewhere (a product profile, a product's answer, a server's message) on the
//! terminal: control characters are shown as `\u{…}` escapes, never sent to the terminal, so
//! a profile cannot clear the screen or move the cursor to fake a result.

/// `text` with every control character escaped (a tab stays a tab; line breaks are escaped too:
/// one value, one line).
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON document on one line with DEL and the C1 controls (U+007F–U+009F) escaped too:
/// `serde_json` escapes only U+0000–U+001F, and a terminal may obey U+009B as a CSI. The
/// escapes are the same JSON values, and these characters only occur inside strings.
pub fn json(value: &impl serde::Serialize) -> String {
    let text = serde_json::to_string(value).expect("a document serializes");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if ('\u{7f}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{json, plain};

    #[test]
    fn json_escapes_c1_controls_as_the_same_values() {
        let value = serde_json::json!({ "answer": "a\u{9b}31m\u{7f}b\u{1b}" });
        let text = json(&value);
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(plain("DX"), "DX");
        assert_eq!(plain("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(plain("x\ny\r"), "x\\u{a}y\\u{d}");
        assert_eq!(plain("\u{9b}31m"), "\\u{9b}31m");
    }
}
