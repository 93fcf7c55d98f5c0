//! The loopback redirect listener ([RFC 8252 §7.3]): where the browser brings the authorization code
//! back.
//!
//! - Binds `127.0.0.1` only, on a port the OS picks; nothing off the machine can connect.
//! - Speaks just enough HTTP/1.1 for one `GET /?code=…&state=…`; each connection is read in its own
//!   task, so a browser's idle pre-connections cannot hold up the real redirect.
//! - Checks `state` in constant time, and `iss` (RFC 9207) when the authority's issuer is known.
//! - Takes exactly one code, or one error, then closes the listening socket *before* answering
//!   the browser, so when the browser shows "you can return to ADO Connect" the port is already
//!   closed.
//! - Gives up after the timeout or when cancelled; dropping the future closes the socket too.
//!
//! [RFC 8252 §7.3]: https://www.rfc-editor.org/rfc/rfc8252#section-7.3

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::error::AuthError;
use crate::secret::{constant_time_eq, AuthCode};

/// The longest request head read from the browser.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long writing a page to the browser may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections read at the same time; more are dropped.
const MAX_PENDING_CONNECTIONS: usize = 32;

/// What one request to the listener amounts to. Pure result of [`read_redirect`].
#[derive(Debug)]
pub(crate) enum RedirectOutcome {
    /// The code, with the right `state` (and `iss`, if checked).
    Code(AuthCode),
    /// The authorization server sent an error back (`error=`), e.g. `access_denied`.
    Error {
        error: String,
        description: Option<String>,
    },
    /// `state` is missing or wrong while a code is present, or wrong with an error.
    StateMismatch,
    /// `iss` names another issuer.
    IssuerMismatch { expected: String, actual: String },
    /// Another path (`/favicon.ico`): answer 404 and keep waiting.
    NotForUs,
    /// The redirect path without a code or error, or with a parameter twice: answer 400 and keep
    /// waiting.
    Incomplete,
}

/// Reads a request target (`/?code=…&state=…`) against the expected state and issuer. Pure.
pub(crate) fn read_redirect(
    target: &str,
    expected_state: &str,
    expected_issuer: Option<&str>,
) -> RedirectOutcome {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, query),
        None => (target, ""),
    };
    if path != "/" {
        return RedirectOutcome::NotForUs;
    }
    let query = query.split('#').next().unwrap_or_default();
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if params.iter().any(|(n, _)| *n == name) {
            return RedirectOutcome::Incomplete;
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let state_ok = get("state")
        .is_some_and(|state| constant_time_eq(state.as_bytes(), expected_state.as_bytes()));
    let state_wrong = get("state").is_some() && !state_ok;

    if let (Some(expected), Some(actual)) = (expected_issuer, get("iss")) {
        if expected.trim_end_matches('/') != actual.trim_end_matches('/') {
            return RedirectOutcome::IssuerMismatch {
                expected: expected.to_owned(),
                actual: actual.to_owned(),
            };
        }
    }
    match (get("code"), get("error")) {
        (Some(_), _) if !state_ok => RedirectOutcome::StateMismatch,
        (_, Some(_)) if state_wrong => RedirectOutcome::StateMismatch,
        (Some(code), None) if !code.is_empty() => {
            RedirectOutcome::Code(AuthCode::new(code.to_owned()))
        }
        (_, Some(error)) => RedirectOutcome::Error {
            error: error.to_owned(),
            description: get("error_description").map(str::to_owned),
        },
        _ => RedirectOutcome::Incomplete,
    }
}

/// Binds the listener on `127.0.0.1`, port chosen by the OS.
pub(crate) async fn bind() -> Result<TcpListener, AuthError> {
    TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(AuthError::Listener)
}

/// Waits for the one redirect. Consumes the listener: it is closed when this returns (or is
/// dropped).
pub(crate) async fn wait_for_code(
    listener: TcpListener,
    expected_state: &str,
    expected_issuer: Option<&str>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<AuthCode, AuthError> {
    enum Event {
        Cancelled,
        TimedOut,
        Accepted(std::io::Result<TcpStream>),
        Request(Option<(TcpStream, String, String)>),
    }
    let deadline = tokio::time::Instant::now() + timeout;
    // Dropping the JoinSet aborts the tasks, closing their connections.
    let mut readers = JoinSet::new();
    loop {
        let event = tokio::select! {
            biased;
            () = cancel.cancelled() => Event::Cancelled,
            () = tokio::time::sleep_until(deadline) => Event::TimedOut,
            Some(joined) = readers.join_next(), if !readers.is_empty() => {
                Event::Request(joined.ok().flatten())
            }
            accepted = listener.accept() => Event::Accepted(accepted.map(|(stream, _)| stream)),
        };
        match event {
            Event::Cancelled => return Err(AuthError::Cancelled),
            Event::TimedOut => return Err(AuthError::TimedOut(timeout)),
            Event::Accepted(Ok(stream)) => {
                if readers.len() < MAX_PENDING_CONNECTIONS {
                    readers.spawn(read_request(stream));
                }
            }
            Event::Accepted(Err(error)) => {
                // E.g. too many open files: wait a little instead of spinning.
                tracing::debug!(%error, "loopback accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Event::Request(None) => {}
            Event::Request(Some((mut stream, method, target))) => {
                if method != "GET" {
                    respond(&mut stream, 405, &page(Page::NotForUs)).await;
                    continue;
                }
                let outcome = read_redirect(&target, expected_state, expected_issuer);
                let (status, body, result) = match outcome {
                    RedirectOutcome::NotForUs => {
                        respond(&mut stream, 404, &page(Page::NotForUs)).await;
                        continue;
                    }
                    RedirectOutcome::Incomplete => {
                        respond(&mut stream, 400, &page(Page::NotForUs)).await;
                        continue;
                    }
                    RedirectOutcome::Code(code) => (200, page(Page::Success), Ok(code)),
                    RedirectOutcome::Error { error, description } => (
                        400,
                        page(Page::Failed(&match &description {
                            Some(d) => format!("{error}: {d}"),
                            None => error.clone(),
                        })),
                        Err(AuthError::Authorization { error, description }),
                    ),
                    RedirectOutcome::StateMismatch => (
                        400,
                        page(Page::Failed(
                            "this sign-in response does not belong to the sign-in ADO Connect started",
                        )),
                        Err(AuthError::StateMismatch),
                    ),
                    RedirectOutcome::IssuerMismatch { expected, actual } => (
                        400,
                        page(Page::Failed(
                            "this sign-in response came from an unexpected sign-in server",
                        )),
                        Err(AuthError::IssuerMismatch { expected, actual }),
                    ),
                };
                // Close the port first: once the browser shows the page, nothing listens any more.
                drop(listener);
                readers.abort_all();
                respond(&mut stream, status, &body).await;
                return result;
            }
        }
    }
}

/// Reads the request line of one connection: `(stream, method, target)`, or `None` if the
/// connection sends nothing usable in time.
async fn read_request(mut stream: TcpStream) -> Option<(TcpStream, String, String)> {
    let mut head = Vec::with_capacity(1024);
    let read = async {
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_HEAD {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Some(())
    };
    tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    let mut parts = line.split(' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    Some((stream, method, target))
}

async fn respond(stream: &mut TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Cache-Control: no-store\r\n\
         Referrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
         X-Content-Type-Options: nosniff\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, write).await;
}

/// The pages the browser is shown.
pub(crate) enum Page<'a> {
    Success,
    Failed(&'a str),
    NotForUs,
}

/// Renders a small self-contained page; `Failed` text is HTML-escaped.
pub(crate) fn page(kind: Page<'_>) -> String {
    let (title, text) = match kind {
        Page::Success => (
            "Signed in",
            "You are signed in. You can close this tab and return to ADO Connect.".to_owned(),
        ),
        Page::Failed(reason) => (
            "Sign-in failed",
            format!(
                "Sign-in did not complete: {}. Return to ADO Connect to try again.",
                escape_html(reason)
            ),
        ),
        Page::NotForUs => (
            "ADO Connect",
            "This address is used by ADO Connect to finish signing in.".to_owned(),
        ),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1b1b1b}}</style>\
         </head><body><h1>{title}</h1><p>{text}</p></body></html>"
    )
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATE: &str = "expected-state";

    fn outcome(target: &str) -> RedirectOutcome {
        read_redirect(target, STATE, Some("http://issuer"))
    }

    #[test]
    fn reads_redirects() {
        assert!(matches!(
            outcome("/?code=abc&state=expected-state"),
            RedirectOutcome::Code(_)
        ));
        assert!(matches!(
            outcome("/?code=abc&state=expected-state&iss=http%3A%2F%2Fissuer"),
            RedirectOutcome::Code(_)
        ));
        assert!(matches!(
            outcome("/?code=abc&state=other"),
            RedirectOutcome::StateMismatch
        ));
        assert!(
            matches!(outcome("/?code=abc"), RedirectOutcome::StateMismatch),
            "a code without state is refused"
        );
        assert!(matches!(
            outcome("/?error=access_denied&state=other"),
            RedirectOutcome::StateMismatch
        ));
        assert!(matches!(
            outcome("/?error=access_denied&error_description=User+cancelled&state=expected-state"),
            RedirectOutcome::Error { ref error, ref description } if error == "access_denied" && description.as_deref() == Some("User cancelled")
        ));
        assert!(matches!(
            outcome("/?code=abc&state=expected-state&iss=http%3A%2F%2Fevil"),
            RedirectOutcome::IssuerMismatch { .. }
        ));
        assert!(matches!(outcome("/favicon.ico"), RedirectOutcome::NotForUs));
        assert!(matches!(outcome("/"), RedirectOutcome::Incomplete));
        assert!(matches!(
            outcome("/?code=a&code=b&state=expected-state"),
            RedirectOutcome::Incomplete
        ));
    }

    #[test]
    fn escapes_reflected_text() {
        let html = page(Page::Failed("<script>alert(1)</script>"));
        assert!(
            !html.contains("<script>"),
            "error text from the redirect is escaped: {html}"
        );
    }
}
