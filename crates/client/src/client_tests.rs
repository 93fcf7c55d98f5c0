//! Unit tests of [`super`]: how answers are classified, and `Retry-After`.

use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

fn url() -> Url {
    Url::parse("http://tfs/tfs/Coll/_apis/projects").unwrap()
}

#[test]
fn status_203_is_not_authenticated() {
    let err = classify(
        url(),
        StatusCode::NON_AUTHORITATIVE_INFORMATION,
        headers(&[("content-type", "text/html")]),
        b"<html>".to_vec(),
        SupportIds::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotAuthenticated {
                signal: SignInSignal::HtmlPage,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn html_200_is_not_authenticated() {
    let err = classify(
        url(),
        StatusCode::OK,
        headers(&[("content-type", "text/html; charset=utf-8")]),
        b"<html>".to_vec(),
        SupportIds::default(),
    )
    .unwrap_err();
    assert!(err.is_auth_failure());
}

#[test]
fn redirect_to_signin_is_not_authenticated_but_other_redirects_are_status() {
    let signin = classify(
        url(),
        StatusCode::FOUND,
        headers(&[(
            "location",
            "https://spsprodcus1.vssps.visualstudio.com/_signin?realm=x",
        )]),
        vec![],
        SupportIds::default(),
    )
    .unwrap_err();
    assert!(matches!(
        signin,
        Error::NotAuthenticated {
            signal: SignInSignal::Redirect,
            ..
        }
    ));
    let other = classify(
        url(),
        StatusCode::MOVED_PERMANENTLY,
        headers(&[("location", "https://elsewhere/")]),
        vec![],
        SupportIds::default(),
    )
    .unwrap_err();
    assert!(matches!(other, Error::Status { status: 301, .. }));
}

#[test]
fn vss_body_and_support_ids_are_kept() {
    let body = br#"{"$id":"1","innerException":null,"message":"TF400813: The user '' is not authorized to access this resource.","typeName":"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server","typeKey":"UnauthorizedRequestException","errorCode":0,"eventId":3000}"#;
    let h = headers(&[("x-vss-e2eid", "e2e-42"), ("activityid", "act-7")]);
    let support = support_ids(&h);
    let err = classify(url(), StatusCode::UNAUTHORIZED, h, body.to_vec(), support).unwrap_err();
    assert_eq!(err.vss().unwrap().type_key, "UnauthorizedRequestException");
    assert_eq!(
        err.support().unwrap().summary().unwrap(),
        "X-VSS-E2EID e2e-42, ActivityId act-7"
    );
    assert!(err.to_string().contains("TF400813"), "{err}");
}

#[test]
fn retry_after_parses_seconds_and_rejects_junk() {
    assert_eq!(
        retry_after(&headers(&[("retry-after", "2")])),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        retry_after(&headers(&[("retry-after", "0.5")])),
        Some(Duration::from_millis(500))
    );
    assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
    assert_eq!(retry_after(&headers(&[("retry-after", "-1")])), None);
}
