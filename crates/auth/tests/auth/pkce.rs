//! PKCE S256 (RFC 7636).

use std::marker::PhantomData;

use ado_auth::PkceVerifier;
use secrecy::SecretString;

#[test]
fn rfc7636_appendix_b_vector() {
    let verifier = PkceVerifier::new(SecretString::from(
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ))
    .unwrap();
    assert_eq!(
        verifier.challenge().as_str(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "S256 of the RFC 7636 Appendix B verifier"
    );
}

#[test]
fn generated_verifiers_are_43_unreserved_chars_and_fresh() {
    let a = PkceVerifier::generate();
    let b = PkceVerifier::generate();
    assert_ne!(
        a.challenge(),
        b.challenge(),
        "each sign-in gets its own verifier"
    );
    let challenge = a.challenge();
    assert_eq!(
        challenge.as_str().len(),
        43,
        "base64url of a SHA-256, unpadded"
    );
    assert!(challenge
        .as_str()
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
}

#[test]
fn rejects_verifiers_outside_rfc7636() {
    for bad in ["short", &"a".repeat(129), &format!("{}+", "a".repeat(42))] {
        assert!(
            PkceVerifier::new(SecretString::from(bad)).is_err(),
            "{bad:?} is not a valid verifier"
        );
    }
}

#[test]
fn verifier_debug_is_redacted() {
    let verifier = PkceVerifier::new(SecretString::from(
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ))
    .unwrap();
    assert_eq!(format!("{verifier:?}"), "PkceVerifier([redacted])");
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
        !Probe::<PkceVerifier>(PhantomData).is_clone(),
        "a PKCE verifier is used once"
    );
    assert!(!Probe::<ado_auth::CsrfState>(PhantomData).is_clone());
    assert!(!Probe::<ado_auth::AuthCode>(PhantomData).is_clone());
    assert!(!Probe::<ado_auth::ServicePrincipal>(PhantomData).is_clone());
    assert!(
        Probe::<String>(PhantomData).is_clone(),
        "the probe itself works"
    );
}
