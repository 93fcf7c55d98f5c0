//! The HTML a browser-style client gets instead of JSON: the sign-in page (served at
//! `/_signin`, the target of the `302`, and as the body of a `203`), the expired-PAT page, and
//! the "Object moved" body of the redirect.
//!
//! Real pages are large; these keep only what clients look at: the `<title>` (clients that
//! detect sign-in pages match "Azure DevOps Services | Sign In", e.g. shell scripts in public
//! repositories) and `text/html`. They never link anywhere but the emulator.

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sign-in page.
pub(crate) fn sign_in_page(reply_to: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Azure DevOps Services | Sign In</title>\n</head>\n<body>\n\
<h1>Sign in</h1>\n<p>This is ado-emulator's stand-in for the Azure DevOps sign-in page. \
The request did not carry valid credentials.</p>\n\
<p>Return address: <code>{}</code></p>\n</body>\n</html>\n",
        escape(reply_to)
    )
}

/// The page an expired PAT gets when the client did not ask for JSON errors.
pub(crate) fn expired_page() -> String {
    "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>Access Denied: The Personal Access Token used has expired.</title>\n</head>\n<body>\n\
<h1>Access Denied: The Personal Access Token used has expired.</h1>\n</body>\n</html>\n"
        .to_string()
}

/// The body IIS puts in a `302`.
pub(crate) fn object_moved_page(location: &str) -> String {
    format!(
        "<html><head><title>Object moved</title></head><body>\n\
<h2>Object moved to <a href=\"{}\">here</a>.</h2>\n</body></html>\n",
        escape(location)
    )
}
