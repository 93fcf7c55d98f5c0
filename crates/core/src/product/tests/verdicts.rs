//! The verdicts: facts in, one restriction or call verdict out.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;
use crate::checks::{CheckCode, Problem};
use crate::preflight::Status;
use crate::product::verdicts::*;
use crate::target::Field;
use SignInMethod::{Browser, Pat};

#[test]
fn internal_addresses_are_named() {
    let cases: [(IpAddr, Option<&str>); 7] = [
        (
            Ipv4Addr::LOCALHOST.into(),
            Some("a loopback address (this machine only)"),
        ),
        (
            Ipv4Addr::new(10, 1, 2, 3).into(),
            Some("a private address (RFC 1918)"),
        ),
        (
            Ipv4Addr::new(192, 168, 0, 5).into(),
            Some("a private address (RFC 1918)"),
        ),
        (
            Ipv4Addr::new(169, 254, 1, 1).into(),
            Some("a link-local address"),
        ),
        (
            Ipv6Addr::LOCALHOST.into(),
            Some("a loopback address (this machine only)"),
        ),
        ("fe80::1".parse().unwrap(), Some("a link-local address")),
        (Ipv4Addr::new(20, 1, 2, 3).into(), None),
    ];
    for (ip, want) in cases {
        assert_eq!(unreachable_reason(ip), want, "{ip}");
    }
}

#[test]
fn sign_in_is_judged_per_deployment() {
    let p = shipped("appcircle");
    assert_eq!(sign_in(&p, Deployment::Server, Pat).status, Status::Pass);
    assert_eq!(
        sign_in(&p, Deployment::Services, Browser).status,
        Status::Pass
    );
    let refused = sign_in(&p, Deployment::Services, Pat);
    assert_eq!(refused.status, Status::Fail);
    assert!(
        refused.message.contains("on Azure DevOps Services"),
        "{refused:?}"
    );
    assert!(
        refused.fix.contains("Sign in with Microsoft (browser)"),
        "{refused:?}"
    );
    let dbt = shipped("dbt");
    assert_eq!(
        sign_in(&dbt, Deployment::Services, Pat).status,
        Status::Fail
    );
}

#[test]
fn a_given_expiry_date_is_real_and_not_past() {
    let dx = shipped("dx");
    let kong = shipped("kong-konnect");
    let today = "2026-12-07";
    let check = |p: &ProductProfile, d: Option<&str>| {
        let r = pat_expiry(p, d, today);
        (r.status, r.code)
    };
    assert_eq!(check(&dx, Some("2027-01-31")), (Status::Pass, None));
    assert_eq!(
        check(&dx, Some("2026-12-07")),
        (Status::Pass, None),
        "today is not past"
    );
    assert_eq!(
        check(&dx, None),
        (Status::Fail, Some(CheckCode::InvalidInput))
    );
    assert_eq!(
        check(&kong, None),
        (Status::Pass, None),
        "Kong does not ask for one"
    );
    for bad in [
        "2027-02-30",
        "2027-1-5",
        "31.01.2027",
        "2027-01-31T00:00",
        "tomorrow",
    ] {
        for p in [&dx, &kong] {
            let r = pat_expiry(p, Some(bad), today);
            assert_eq!(
                (r.status, r.code, r.field),
                (
                    Status::Fail,
                    Some(CheckCode::InvalidInput),
                    Some(Field::Pat)
                ),
                "{bad}"
            );
            assert!(!r.fix.is_empty());
        }
    }
    assert_eq!(
        check(&kong, Some("2026-12-06")),
        (Status::Fail, Some(CheckCode::TokenExpired))
    );
}

#[test]
fn a_collection_under_a_virtual_directory_is_refused_where_the_form_takes_a_bare_url() {
    let p = shipped("appcircle");
    assert!(bare_server_url(&p, &services("fabrikam")).is_none());
    assert!(bare_server_url(
        &shipped("dx"),
        &server("https://host/tfs", "DefaultCollection")
    )
    .is_none());
    let ok = bare_server_url(&p, &server("https://host", "DefaultCollection")).unwrap();
    assert_eq!(ok.status, Status::Pass);
    let r = bare_server_url(&p, &server("https://host/tfs", "DefaultCollection")).unwrap();
    assert_eq!(
        (r.status, r.code, r.field),
        (
            Status::Fail,
            Some(CheckCode::InvalidInput),
            Some(Field::ServerUrl)
        )
    );
    assert_eq!(r.rule, Rule::BareServerUrl);
    assert!(
        r.message.contains("https://host/DefaultCollection/_apis/"),
        "{}",
        r.message
    );
    assert!(
        r.message.contains("https://host/tfs/DefaultCollection"),
        "{}",
        r.message
    );
    assert!(
        r.fix.contains("Application Tier") && r.fix.contains("reverse proxy"),
        "{}",
        r.fix
    );
}

#[test]
fn two_connectors_of_one_identity_are_warned_about() {
    let p = shipped("dx");
    let t = |c: &str, id: &str| (c.to_string(), id.to_string(), format!("user {id}"));
    let fine = same_identity(
        &p,
        &[t("Boards", "a"), t("Pipelines", "b"), t("Boards", "a")],
    )
    .unwrap();
    assert_eq!(
        fine.status,
        Status::Pass,
        "one connector's several tokens may share"
    );
    let r = same_identity(
        &p,
        &[
            t("Boards", "a"),
            t("Pipelines", "b"),
            t("Repositories", "a"),
        ],
    )
    .unwrap();
    assert_eq!(r.status, Status::Warn);
    assert!(
        r.message.contains("Boards and Repositories") && r.message.contains("user a (a)"),
        "{}",
        r.message
    );
    assert!(r.fix.contains("rate limits are per identity"), "{}", r.fix);
    assert!(same_identity(&shipped("datafold"), &[t("A", "x"), t("B", "x")]).is_none());
}

#[test]
fn verification_calls_carry_both_codes() {
    let p = shipped("dx");
    let calls = &p.verification.as_ref().unwrap().calls;
    let projects = &calls[0];
    let graph = &calls[1];
    let v = call_outcome(
        &p,
        projects,
        CallOutcome::Http {
            status: 403,
            token_valid: true,
        },
    );
    assert_eq!(
        (v.status, v.code, v.product_code.as_deref()),
        (
            Status::Fail,
            Some(CheckCode::InvalidPermissions),
            Some("invalid_permissions")
        )
    );
    assert!(
        v.message.contains("List projects") && v.message.contains("_apis/projects"),
        "{}",
        v.message
    );
    let v = call_outcome(
        &p,
        graph,
        CallOutcome::Http {
            status: 401,
            token_valid: true,
        },
    );
    assert_eq!(
        (v.code, v.product_code.as_deref()),
        (
            Some(CheckCode::InvalidPermissions),
            Some("invalid_credentials")
        )
    );
    assert!(v.message.contains("lacks the scope"), "{}", v.message);
    assert!(v.fix.contains("Graph (Read)"), "{}", v.fix);
    let v = call_outcome(
        &p,
        graph,
        CallOutcome::Http {
            status: 401,
            token_valid: false,
        },
    );
    assert_eq!(v.code, Some(CheckCode::InvalidCredentials));
    let v = call_outcome(
        &p,
        projects,
        CallOutcome::Ok {
            items: Some(0),
            forbidden_found: None,
        },
    );
    assert_eq!(
        (v.status, v.code, v.product_code.as_deref()),
        (
            Status::Fail,
            Some(CheckCode::NoResources),
            Some("no_resources")
        )
    );
    let v = call_outcome(
        &p,
        projects,
        CallOutcome::Http {
            status: 404,
            token_valid: true,
        },
    );
    assert_eq!(
        (v.code, v.product_code.as_deref()),
        (Some(CheckCode::NotFound), Some("no_resources"))
    );
    let builds = &calls[3];
    let v = call_outcome(
        &p,
        builds,
        CallOutcome::Ok {
            items: Some(0),
            forbidden_found: None,
        },
    );
    assert_eq!(v.status, Status::Pass, "no builds yet is not an error");
    let v = call_outcome(
        &p,
        projects,
        CallOutcome::Skipped("no project chosen".into()),
    );
    assert_eq!((v.status, v.code), (Status::Skip, None));
    let failed = Problem::new(
        CheckCode::Unreachable,
        None,
        "no route",
        "check the network",
    );
    let v = call_outcome(&p, projects, CallOutcome::Failed(failed));
    assert_eq!(
        (v.status, v.code),
        (Status::Fail, Some(CheckCode::Unreachable))
    );

    let appcircle = shipped("appcircle");
    let call = &appcircle.verification.as_ref().unwrap().calls[0];
    let v = call_outcome(
        &appcircle,
        call,
        CallOutcome::Ok {
            items: Some(2),
            forbidden_found: Some("localhost".into()),
        },
    );
    assert_eq!(
        (v.status, v.code, v.product_code),
        (Status::Fail, Some(CheckCode::PublicUrlLocalhost), None)
    );
    assert!(v.fix.contains("Change Public URL"), "{}", v.fix);
    let v = call_outcome(
        &appcircle,
        call,
        CallOutcome::Ok {
            items: Some(2),
            forbidden_found: None,
        },
    );
    assert_eq!((v.status, v.code), (Status::Pass, None));
}
