//! The loopback redirect listener ([RFC 8252 §7.3]): where the browser brings the authorization code
//! back. Ours, because `oauth2` leaves the redirect to the application.
//!
//! - Binds `127.0.0.1` **and** `[::1]` on the same port the OS picks: the redirect URI says
//!   `localhost` (what Entra and the Visual Studio client id expect), which browsers try on `::1`
//!   first, so no other local user may hold `[::1]:{port}`. If that address is taken the port is
//!   given up and another one tried; where the machine has no IPv6 loopback nobody can bind it, so
//!   `127.0.0.1` alone is safe. Nothing off the machine can connect.
//! - Speaks just enough HTTP/1.1 for one `GET /?code=…&state=…`; each connection is read in its own
//!   task; when [`MAX_PENDING_CONNECTIONS`] are being read the oldest is dropped, so idle
//!   pre-connections (a browser's, or anyone's) cannot shut out the real redirect.
//! - A request whose `state` is missing or wrong (with a code or an error) is answered 400 and the
//!   wait goes on: only the browser that started this sign-in can end it. `state` is compared in
//!   constant time (`oauth2`'s `CsrfToken` with `timing-resistant-secret-traits`); `iss`
//!   (RFC 9207) is checked when the authority's issuer is known.
//! - On the code, it closes the listening socket and hands back the browser's connection, which
//!   is answered only when the token exchange is over ([`answer`]): the page says "Signed in" only
//!   when it worked.
//! - Gives up after the timeout or when cancelled; dropping the future closes the sockets too.
//!
//! [RFC 8252 §7.3]: https://www.rfc-editor.org/rfc/rfc8252#section-7.3

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::time::Duration;

use oauth2::{AuthorizationCode, CsrfToken};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::error::AuthError;

/// The longest request head read from the browser.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request line.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long writing a page to the browser may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections read at the same time; a new one beyond this drops the oldest.
pub(crate) const MAX_PENDING_CONNECTIONS: usize = 32;
/// Ports tried when `[::1]:{port}` is already taken.
const BIND_ATTEMPTS: usize = 16;

/// What one request to the listener amounts to. Pure result of [`read_redirect`].
#[derive(Debug)]
pub(crate) enum RedirectOutcome {
    /// The code, with the right `state` (and `iss`, if checked).
    Code(AuthorizationCode),
    /// The authorization server sent an error back (`error=`) with the right `state`.
    Error {
        error: String,
        description: Option<String>,
    },
    /// `iss` names another issuer (with the right `state`).
    IssuerMismatch { expected: String, actual: String },
    /// Another path (`/favicon.ico`): answer 404 and keep waiting.
    NotForUs,
    /// Not from the sign-in we started (no or wrong `state`), no code or error, or a parameter
    /// twice: answer 400 and keep waiting.
    Refused,
}

/// Reads a request target (`/?code=…&state=…`) against the expected state and issuer. Pure.
pub(crate) fn read_redirect(
    target: &str,
    expected_state: &CsrfToken,
    expected_issuer: Option<&str>,
) -> RedirectOutcome {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/" {
        return RedirectOutcome::NotForUs;
    }
    let query = query.split('#').next().unwrap_or_default();
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if params.iter().any(|(n, _)| *n == name) {
            return RedirectOutcome::Refused;
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    // Constant-time comparison: CsrfToken's PartialEq with `timing-resistant-secret-traits`.
    let ours =
        get("state").is_some_and(|state| CsrfToken::new(state.to_owned()) == *expected_state);
    if !ours {
        return RedirectOutcome::Refused;
    }
    if let (Some(expected), Some(actual)) = (expected_issuer, get("iss")) {
        if expected.trim_end_matches('/') != actual.trim_end_matches('/') {
            return RedirectOutcome::IssuerMismatch {
                expected: expected.to_owned(),
                actual: actual.to_owned(),
            };
        }
    }
    match (get("code"), get("error")) {
        (Some(code), None) if !code.is_empty() => {
            RedirectOutcome::Code(AuthorizationCode::new(code.to_owned()))
        }
        (_, Some(error)) => RedirectOutcome::Error {
            error: error.to_owned(),
            description: get("error_description").map(str::to_owned),
        },
        _ => RedirectOutcome::Refused,
    }
}

/// The listening sockets: `127.0.0.1:{port}` and, where the machine has it, `[::1]:{port}`.
pub(crate) struct Listener {
    v4: TcpListener,
    v6: Option<TcpListener>,
}

impl Listener {
    /// The port both sockets listen on.
    pub(crate) fn port(&self) -> u16 {
        self.v4.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Whether `[::1]` is bound too.
    pub(crate) fn has_ipv6(&self) -> bool {
        self.v6.is_some()
    }

    async fn accept(&self) -> std::io::Result<TcpStream> {
        match &self.v6 {
            Some(v6) => tokio::select! {
                accepted = self.v4.accept() => accepted.map(|(s, _)| s),
                accepted = v6.accept() => accepted.map(|(s, _)| s),
            },
            None => self.v4.accept().await.map(|(s, _)| s),
        }
    }
}

/// Binds `127.0.0.1` on a port the OS picks and `[::1]` on the same port.
pub(crate) async fn bind() -> Result<Listener, AuthError> {
    let mut last = None;
    for _ in 0..BIND_ATTEMPTS {
        let v4 = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(AuthError::Listener)?;
        let port = v4.local_addr().map_err(AuthError::Listener)?.port();
        match TcpListener::bind(("::1", port)).await {
            Ok(v6) => return Ok(Listener { v4, v6: Some(v6) }),
            // Someone holds [::1]:{port} and would get the browser's redirect: another port.
            Err(error) if error.kind() == ErrorKind::AddrInUse => last = Some(error),
            // No IPv6 loopback on this machine: nobody can listen there.
            Err(error) => {
                tracing::debug!(%error, "no [::1] on this machine; listening on 127.0.0.1 only");
                return Ok(Listener { v4, v6: None });
            }
        }
    }
    Err(AuthError::Listener(last.unwrap_or_else(|| {
        std::io::Error::new(ErrorKind::AddrInUse, "no free port")
    })))
}

/// The browser's redirect, its connection held open until [`answer`].
pub(crate) struct Redirect {
    pub(crate) code: AuthorizationCode,
    pub(crate) browser: TcpStream,
}

/// Waits for the one redirect. Consumes the listener: it is closed when this returns (or is
/// dropped). Requests not from this sign-in are answered and ignored.
pub(crate) async fn wait_for_code(
    listener: Listener,
    expected_state: &CsrfToken,
    expected_issuer: Option<&str>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<Redirect, AuthError> {
    enum Event {
        Cancelled,
        TimedOut,
        Accepted(std::io::Result<TcpStream>),
        Request(Option<(TcpStream, String, String)>),
    }
    let deadline = tokio::time::Instant::now() + timeout;
    // Dropping the JoinSet aborts the tasks, closing their connections.
    let mut readers = JoinSet::new();
    let mut pending: VecDeque<AbortHandle> = VecDeque::new();
    loop {
        let event = tokio::select! {
            biased;
            () = cancel.cancelled() => Event::Cancelled,
            () = tokio::time::sleep_until(deadline) => Event::TimedOut,
            Some(joined) = readers.join_next(), if !readers.is_empty() => {
                Event::Request(joined.ok().flatten())
            }
            accepted = listener.accept() => Event::Accepted(accepted),
        };
        let (mut stream, method, target) = match event {
            Event::Cancelled => return Err(AuthError::Cancelled),
            Event::TimedOut => return Err(AuthError::TimedOut(timeout)),
            Event::Accepted(Ok(stream)) => {
                pending.retain(|handle| !handle.is_finished());
                if pending.len() >= MAX_PENDING_CONNECTIONS {
                    if let Some(oldest) = pending.pop_front() {
                        oldest.abort();
                    }
                }
                pending.push_back(readers.spawn(read_request(stream)));
                continue;
            }
            Event::Accepted(Err(error)) => {
                // E.g. too many open files: wait a little instead of spinning.
                tracing::debug!(%error, "loopback accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            Event::Request(None) => continue,
            Event::Request(Some(request)) => request,
        };
        if method != "GET" {
            respond(&mut stream, 405, &page(Page::NotForUs)).await;
            continue;
        }
        let (status, body, error) = match read_redirect(&target, expected_state, expected_issuer) {
            RedirectOutcome::NotForUs => {
                respond(&mut stream, 404, &page(Page::NotForUs)).await;
                continue;
            }
            RedirectOutcome::Refused => {
                respond(&mut stream, 400, &page(Page::NotForUs)).await;
                continue;
            }
            RedirectOutcome::Code(code) => {
                // Close the port first: once the browser shows a page, nothing listens any more.
                drop(listener);
                return Ok(Redirect {
                    code,
                    browser: stream,
                });
            }
            RedirectOutcome::Error { error, description } => (
                400,
                page(Page::Failed(&match &description {
                    Some(d) => format!("{error}: {d}"),
                    None => error.clone(),
                })),
                AuthError::Authorization { error, description },
            ),
            RedirectOutcome::IssuerMismatch { expected, actual } => (
                400,
                page(Page::Failed(
                    "this sign-in response came from an unexpected sign-in server",
                )),
                AuthError::IssuerMismatch { expected, actual },
            ),
        };
        drop(listener);
        respond(&mut stream, status, &body).await;
        return Err(error);
    }
}

/// Answers the held browser connection with the outcome of the token exchange.
pub(crate) async fn answer<T>(mut browser: TcpStream, result: &Result<T, AuthError>) {
    match result {
        Ok(_) => respond(&mut browser, 200, &page(Page::Success)).await,
        Err(AuthError::Cancelled) => {
            respond(&mut browser, 400, &page(Page::Failed("it was cancelled"))).await
        }
        Err(_) => {
            let reason = "the sign-in server did not accept it; ADO Connect says why";
            respond(&mut browser, 400, &page(Page::Failed(reason))).await
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
    let (method, target) = parse_request_head(&head)?;
    let (method, target) = (method.to_owned(), target.to_owned());
    Some((stream, method, target))
}

/// The method and request target of an HTTP/1.1 request head as the listener reads it (the
/// bytes up to the first CRLF: `GET /?code=…&state=… HTTP/1.1`). `None` when there is no CRLF,
/// the line is not UTF-8, holds a control character (a bare LF among them: RFC 9112 allows none
/// in a request line, and one would smuggle a second line into the target), or has no target.
/// Pure: the listener's only parsing of what a local client sent before [`read_redirect`] reads
/// the target (public for the fuzz target).
pub fn parse_request_head(head: &[u8]) -> Option<(&str, &str)> {
    let line_end = head.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&head[..line_end]).ok()?;
    if line.chars().any(char::is_control) {
        return None;
    }
    let mut parts = line.split(' ');
    let method = parts.next()?;
    let target = parts.next()?;
    Some((method, target))
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

    fn outcome(target: &str) -> RedirectOutcome {
        let state = CsrfToken::new("expected-state".to_owned());
        read_redirect(target, &state, Some("http://issuer"))
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
        for not_ours in [
            "/?code=abc&state=other",
            "/?code=abc",
            "/?error=access_denied&state=other",
            "/?error=access_denied",
            "/?code=abc&state=other&iss=http%3A%2F%2Fevil",
            "/",
            "/?code=a&code=b&state=expected-state",
        ] {
            assert!(
                matches!(outcome(not_ours), RedirectOutcome::Refused),
                "{not_ours}: answered 400, the wait goes on"
            );
        }
        assert!(matches!(
            outcome("/?error=access_denied&error_description=User+cancelled&state=expected-state"),
            RedirectOutcome::Error { ref error, ref description } if error == "access_denied" && description.as_deref() == Some("User cancelled")
        ));
        assert!(matches!(
            outcome("/?code=abc&state=expected-state&iss=http%3A%2F%2Fevil"),
            RedirectOutcome::IssuerMismatch { .. }
        ));
        assert!(matches!(outcome("/favicon.ico"), RedirectOutcome::NotForUs));
    }

    #[test]
    fn parses_request_heads() {
        assert_eq!(
            parse_request_head(b"GET /?code=a&state=b HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            Some(("GET", "/?code=a&state=b"))
        );
        assert_eq!(parse_request_head(b"GET / HTTP/1.1"), None, "no CRLF yet");
        assert_eq!(parse_request_head(b"GET\r\n"), None, "no target");
        assert_eq!(
            parse_request_head(b"G\xffT / HTTP/1.1\r\n"),
            None,
            "not UTF-8"
        );
        // Found by the fuzz target (fuzz/corpus/loopback/bare-lf-in-request-line): a bare LF
        // inside the request line must not reach the target.
        assert_eq!(
            parse_request_head(b"GE /Tr?error=access_denied\n<<<G\r\n\r\nHost: x\r\n\r\n"),
            None,
            "a control character in the request line"
        );
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
