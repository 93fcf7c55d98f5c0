//! PKCE S256 (RFC 7636).

use std::marker::PhantomData;

use ado_auth::{PkceCodeChallenge, PkceCodeVerifier};

const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

#[test]
fn rfc7636_appendix_b_vector() {
    let verifier = PkceCodeVerifier::new(RFC_VERIFIER.to_owned());
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
    assert_eq!(
        challenge.as_str(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "S256 of the RFC 7636 Appendix B verifier"
    );
    assert_eq!(challenge.method().as_str(), "S256");
}

#[test]
fn generated_verifiers_are_43_unreserved_chars_and_fresh() {
    let (a, verifier_a) = PkceCodeChallenge::new_random_sha256();
    let (b, _) = PkceCodeChallenge::new_random_sha256();
    assert_ne!(a.as_str(), b.as_str(), "each sign-in gets its own verifier");
    assert_eq!(a.as_str().len(), 43, "base64url of a SHA-256, unpadded");
    let verifier = verifier_a.secret();
    assert_eq!(verifier.len(), 43, "32 random bytes, base64url");
    for text in [a.as_str(), verifier.as_str()] {
        assert!(text
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
    assert_eq!(
        PkceCodeChallenge::from_code_verifier_sha256(&verifier_a).as_str(),
        a.as_str()
    );
}

#[test]
fn verifier_debug_is_redacted() {
    let verifier = PkceCodeVerifier::new(RFC_VERIFIER.to_owned());
    let debug = format!("{verifier:?}");
    assert!(!debug.contains(RFC_VERIFIER), "{debug}");
    assert!(debug.contains("[redacted]"), "{debug}");
}

// Autoref-based probe: the inherent method (needs `T: Clone`) wins over the trait's fallback.
struct Probe<T>(PhantomData<T>);
trait NotClone {
    fn is_clone(&self) -> bool {
        false
    }
}
impl<T> NotClone for Probe<T> {}
impl<T: Clone> Probe<T> {
    #[allow(dead_code)]
    fn is_clone(&self) -> bool {
        true
    }
}

#[test]
fn secrets_that_must_not_be_reused_are_not_clone() {
    assert!(
        !Probe::<PkceCodeVerifier>(PhantomData).is_clone(),
        "a PKCE verifier is used once"
    );
    assert!(!Probe::<ado_auth::ServicePrincipal>(PhantomData).is_clone());
    assert!(
        Probe::<String>(PhantomData).is_clone(),
        "the probe itself works"
    );
}
