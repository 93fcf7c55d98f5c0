//! The sign-in loopback listener's request head (what any local client may send to the
//! listener): `ado_auth::parse_request_head` never panics, and what it returns is one line's
//! words (no space, CR or LF inside the method or the target).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Some((method, target)) = ado_auth::parse_request_head(bytes) {
        for part in [method, target] {
            assert!(!part.contains([' ', '\r', '\n']), "{part:?}");
        }
    }
});
