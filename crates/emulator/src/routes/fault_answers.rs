//! The answers of fault rules (`faults/` decides which rule applies; this module answers it):
//! status pages and bodies, and the transport faults (a reset
//! mid-body, a truncated body, a huge body, a hang, a dropped connection, a refusal).
//!
//! Transport faults act on the connection through [`crate::server::Connection`] (a per
//! connection handle in the request's extensions): killing it makes every later write fail and
//! the socket close with `SO_LINGER 0`, which the client sees as a TCP reset.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::{Bytes, Frame, SizeHint};
use serde_json::json;
use uuid::Uuid;

use crate::auth::Challenge;
use crate::errors::VssError;
use crate::faults::{Fault, Listening};
use crate::resources::signin;
use crate::server::Connection;

/// The answer of a [`Fault::Status`]. `challenge` is the Azure DevOps host's (401/203/302 look
/// like its own); `None` on the Entra endpoints, which answer Entra's error JSON.
pub(crate) fn status(
    status: u16,
    retry_after_secs: Option<u64>,
    challenge: Option<&Challenge>,
    origin: &str,
    activity: &Uuid,
) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    match (status, challenge) {
        (203, _) => html(code, signin::sign_in_page(origin)),
        (302, _) => {
            let location = format!("{origin}/_signin?realm=injected&redirect=1");
            let mut response = html(code, signin::object_moved_page(&location));
            insert(&mut response, header::LOCATION, &location);
            response
        }
        (407, _) => {
            let mut response = html(
                code,
                "<html><head><title>407 Proxy Authentication Required</title></head>\
<body><h1>Proxy Authentication Required</h1></body></html>\n"
                    .to_string(),
            );
            insert(
                &mut response,
                header::PROXY_AUTHENTICATE,
                "Basic realm=\"ado-emulator proxy\"",
            );
            response
        }
        (429, _) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let mut error = VssError::rate_limited(retry_after_secs.unwrap_or(0), now);
            if retry_after_secs.is_none() {
                error
                    .headers
                    .retain(|(name, _)| name != header::RETRY_AFTER && name != "x-ratelimit-reset");
            }
            match challenge {
                Some(_) => error.into_response(),
                None => entra_error(code, "temporarily_unavailable", &error.headers),
            }
        }
        (401, Some(challenge)) => challenge.unauthorized(),
        (_, Some(_)) => injected(code, activity).into_response(),
        (_, None) => {
            let error = match status {
                401 => "invalid_client",
                400..=499 => "invalid_request",
                _ => "temporarily_unavailable",
            };
            entra_error(code, error, &[])
        }
    }
}

/// The VSS error of an injected status other than 401/429.
fn injected(code: StatusCode, activity: &Uuid) -> VssError {
    match code.as_u16() {
        403 => VssError::new(
            code,
            "AccessCheckException",
            "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi",
            "Access Denied: the caller is not allowed to perform this action (injected by ado-emulator).".to_string(),
        ),
        404 => VssError::new(
            code,
            "VssResourceNotFoundException",
            "Microsoft.VisualStudio.Services.WebApi.VssResourceNotFoundException, Microsoft.VisualStudio.Services.WebApi",
            "The requested resource does not exist (injected by ado-emulator).".to_string(),
        ),
        500..=599 => VssError::server_failure(code, activity),
        _ => VssError::new(
            code,
            "VssServiceException",
            "Microsoft.VisualStudio.Services.WebApi.VssServiceException, Microsoft.VisualStudio.Services.WebApi",
            format!("Injected by ado-emulator: HTTP {}.", code.as_u16()),
        ),
    }
}

fn entra_error(code: StatusCode, error: &str, headers: &[(HeaderName, HeaderValue)]) -> Response {
    let trace = Uuid::new_v4();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS90033: A transient error has occurred (injected by ado-emulator, HTTP {}).\r\nTrace ID: {trace}", code.as_u16()),
        "error_codes": [90033],
        "trace_id": trace,
    });
    let mut response = (code, axum::Json(body)).into_response();
    for (name, value) in headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

fn html(code: StatusCode, page: String) -> Response {
    let mut response = (code, page).into_response();
    insert(
        &mut response,
        header::CONTENT_TYPE,
        "text/html; charset=utf-8",
    );
    response
}

fn insert(response: &mut Response, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// Applies a transport fault to the real answer (`reset`, `truncated`, `refuse`); other
/// faults never reach here.
pub(crate) async fn transform(
    fault: &Fault,
    response: Response,
    connection: Option<&Connection>,
    faults: &crate::faults::FaultState,
) -> Response {
    match fault {
        Fault::Reset | Fault::Truncated => {
            let (mut parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let sent_length = if matches!(fault, Fault::Reset) {
                bytes.len()
            } else {
                half.len()
            };
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(sent_length));
            let body = match (fault, connection) {
                (Fault::Reset, Some(connection)) => {
                    Body::new(FaultBody::reset(half, connection.clone()))
                }
                _ => Body::from(half),
            };
            Response::from_parts(parts, body)
        }
        Fault::Refuse { for_ms } => {
            let until = for_ms.map(|ms| std::time::Instant::now() + Duration::from_millis(ms));
            faults.set_listening(Listening::Refusing(until));
            // Let the accept loop close the listener before the client can reconnect.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let mut response = response;
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
        _ => response,
    }
}

/// `200` JSON of `bytes` bytes, generated as it is sent.
pub(crate) fn huge_body(bytes: u64, declare_length: bool) -> Response {
    let mut response = Response::new(Body::new(FaultBody::huge(bytes, declare_length)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if declare_length {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
    }
    response
}

/// Never answers: waits for the emulator to stop, then drops the connection.
pub(crate) async fn hang(
    mut stop: tokio::sync::watch::Receiver<bool>,
    connection: Option<&Connection>,
) -> Response {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            break;
        }
    }
    close(connection)
}

/// Drops the connection without a byte of an answer.
pub(crate) fn close(connection: Option<&Connection>) -> Response {
    if let Some(connection) = connection {
        connection.kill();
    }
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}

const CHUNK: usize = 64 * 1024;

/// A body that is either generated padding (huge) or a prefix followed by a reset.
struct FaultBody {
    /// Huge: bytes still to send (prefix and suffix included).
    remaining: u64,
    total: u64,
    declared: bool,
    /// Reset: what to send before resetting, and the connection to kill.
    prefix: Option<Bytes>,
    reset: Option<(Connection, Pin<Box<tokio::time::Sleep>>)>,
}

const HUGE_HEAD: &[u8] = b"{\"count\":0,\"value\":[],\"padding\":\"";
const HUGE_TAIL: &[u8] = b"\"}";

impl FaultBody {
    fn huge(bytes: u64, declared: bool) -> Self {
        FaultBody {
            remaining: bytes,
            total: bytes,
            declared,
            prefix: None,
            reset: None,
        }
    }

    fn reset(prefix: Bytes, connection: Connection) -> Self {
        FaultBody {
            remaining: 0,
            total: 0,
            declared: false,
            prefix: Some(prefix),
            reset: Some((
                connection,
                Box::pin(tokio::time::sleep(Duration::from_millis(50))),
            )),
        }
    }

    fn next_huge_chunk(&mut self) -> Bytes {
        let sent = self.total - self.remaining;
        let size = (self.remaining as usize).min(CHUNK);
        let mut chunk = vec![b'x'; size];
        let tail_start = self.total - HUGE_TAIL.len() as u64;
        let fixed = HUGE_HEAD
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u64, *b))
            .chain(
                HUGE_TAIL
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (tail_start + i as u64, *b)),
            );
        for (at, byte) in fixed {
            if (sent..sent + size as u64).contains(&at) {
                chunk[(at - sent) as usize] = byte;
            }
        }
        self.remaining -= size as u64;
        Bytes::from(chunk)
    }
}

impl hyper::body::Body for FaultBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(prefix) = self.prefix.take() {
            return Poll::Ready(Some(Ok(Frame::data(prefix))));
        }
        if let Some((connection, sleep)) = self.reset.as_mut() {
            // Give the prefix time to leave, then reset.
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            connection.kill();
            self.reset = None;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "ado-emulator: reset mid-body (injected)",
            ))));
        }
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let chunk = self.next_huge_chunk();
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.reset.is_none() && self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.declared {
            SizeHint::with_exact(self.remaining)
        } else {
            SizeHint::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::body::Body as _;

    #[tokio::test]
    async fn huge_bodies_are_valid_json_of_the_asked_size() {
        let body = Body::new(FaultBody::huge(200_000, true));
        assert_eq!(body.size_hint().exact(), Some(200_000));
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        assert_eq!(bytes.len(), 200_000);
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["count"], 0);
    }
}
