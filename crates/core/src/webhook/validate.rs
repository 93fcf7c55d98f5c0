//! Checks of what the admin types: header name, secret value, basic-auth user and password.

/// Headers that framing, routing or authentication own; a secret header must not replace them.
const RESERVED_HEADERS: [&str; 10] = [
    "authorization",
    "content-type",
    "content-length",
    "host",
    "connection",
    "transfer-encoding",
    "expect",
    "te",
    "upgrade",
    "cookie",
];

/// Checks a secret header name: an HTTP token (RFC 9110 `tchar`), at most 64 characters, and not
/// a header HTTP or basic auth owns.
pub fn validate_header_name(name: &str) -> Result<(), String> {
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() {
        return Err("the secret header needs a name, e.g. X-ADO-Connect-Secret".into());
    }
    if name.len() > 64 || !name.chars().all(tchar) {
        return Err(format!(
            "{name:?} is not a valid header name: use letters, digits and dashes (at most 64), e.g. X-ADO-Connect-Secret"
        ));
    }
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "{name} is reserved for HTTP itself; choose another name such as X-ADO-Connect-Secret (for Authorization, choose basic authentication)"
        ));
    }
    Ok(())
}

/// Checks a secret value for the header: 16–256 printable ASCII characters without spaces.
/// A line break would let the value inject another header line into `httpHeaders`.
pub fn validate_secret_value(secret: &str) -> Result<(), String> {
    if secret.len() < 16 {
        return Err(
            "the secret is too short: use at least 16 characters (the generated ones have 43)"
                .into(),
        );
    }
    if secret.len() > 256 || !secret.chars().all(|c| c.is_ascii_graphic()) {
        return Err("the secret must be at most 256 printable ASCII characters, without spaces or line breaks".into());
    }
    Ok(())
}

/// Checks a basic-auth user name: 1–256 characters, no whitespace (the consumer's input
/// descriptor: `^[\S]+$`), no colon (it separates user and password in the header).
pub fn validate_basic_username(username: &str) -> Result<(), String> {
    if username.is_empty() || username.len() > 256 {
        return Err("the basic-auth user name must have 1 to 256 characters".into());
    }
    if username.chars().any(|c| c.is_whitespace() || c == ':') {
        return Err("the basic-auth user name cannot contain spaces or ':'".into());
    }
    Ok(())
}

/// Checks a basic-auth password: 1–256 characters without whitespace (input descriptor `^[\S]+$`).
pub fn validate_basic_password(password: &str) -> Result<(), String> {
    if password.is_empty() || password.len() > 256 || password.chars().any(char::is_whitespace) {
        return Err(
            "the basic-auth password must have 1 to 256 characters, without spaces or line breaks"
                .into(),
        );
    }
    Ok(())
}
