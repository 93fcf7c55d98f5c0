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

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(plain("DX"), "DX");
        assert_eq!(plain("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(plain("x\ny\r"), "x\\u{a}y\\u{d}");
        assert_eq!(plain("\u{9b}31m"), "\\u{9b}31m");
    }
}
