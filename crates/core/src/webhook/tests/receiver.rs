//! Receiver checks: reachability per deployment, the sandbox, header names, secrets, branches.

use super::*;

fn ctx(deployment: Deployment, sandbox: bool, resolved: &[&str]) -> ReceiverContext {
    ReceiverContext {
        deployment,
        azure_devops_on_loopback: sandbox,
        resolved: resolved.iter().map(|r| r.parse().unwrap()).collect(),
    }
}

#[test]
fn receivers_services_cannot_reach_are_refused() {
    let services = ctx(Deployment::Services, false, &[]);
    let refused = [
        ("http://hooks.example.com/ado", ReceiverIssue::PlainHttp),
        ("https://localhost/ado", ReceiverIssue::Loopback),
        ("https://app.localhost/ado", ReceiverIssue::Loopback),
        ("https://127.0.0.1:8443/ado", ReceiverIssue::Loopback),
        ("https://[::1]/ado", ReceiverIssue::Loopback),
        ("https://10.1.2.3/ado", ReceiverIssue::PrivateAddress),
        ("https://172.16.0.1/ado", ReceiverIssue::PrivateAddress),
        ("https://172.31.255.255/ado", ReceiverIssue::PrivateAddress),
        ("https://192.168.1.10/ado", ReceiverIssue::PrivateAddress),
        ("https://100.64.0.1/ado", ReceiverIssue::PrivateAddress),
        ("https://[fd12:3456::1]/ado", ReceiverIssue::PrivateAddress),
        (
            "https://[::ffff:10.0.0.1]/ado",
            ReceiverIssue::PrivateAddress,
        ),
        ("https://169.254.169.254/latest", ReceiverIssue::LinkLocal),
        ("https://[fe80::1]/ado", ReceiverIssue::LinkLocal),
        ("https://0.0.0.0/ado", ReceiverIssue::NotRoutable),
        (
            "ftp://hooks.example.com/ado",
            ReceiverIssue::UnsupportedScheme,
        ),
        ("hooks.example.com/ado", ReceiverIssue::NotAUrl),
        (
            "https://user:pw@hooks.example.com/ado",
            ReceiverIssue::CredentialsInUrl,
        ),
    ];
    for (url, issue) in refused {
        let refusal = check_receiver_url(url, &services).unwrap_err();
        assert_eq!(refusal.issue, issue, "{url}");
        assert!(!refusal.fix.is_empty() && !refusal.message.is_empty());
        assert_eq!(refusal.to_problem().code, CheckCode::InvalidInput);
    }
    for url in [
        "https://hooks.example.com/ado",
        "https://172.32.0.1/x",
        "https://8.8.8.8/x",
    ] {
        let ok = check_receiver_url(url, &services).unwrap();
        assert!(ok.warnings.is_empty(), "{url}: {:?}", ok.warnings);
    }
}

#[test]
fn server_allows_http_and_private_receivers_with_warnings() {
    let server = ctx(Deployment::Server, false, &[]);
    let cases: Vec<(&str, Vec<ReceiverIssue>)> = vec![
        ("https://10.1.2.3/ado", vec![]),
        (
            "http://hooks.corp.example/ado",
            vec![ReceiverIssue::PlainHttp],
        ),
        (
            "http://192.168.1.10:8080/ado",
            vec![ReceiverIssue::PlainHttp],
        ),
        ("https://localhost/ado", vec![ReceiverIssue::Loopback]),
    ];
    for (url, issues) in cases {
        let check = check_receiver_url(url, &server).unwrap();
        let got: Vec<ReceiverIssue> = check.warnings.iter().map(|w| w.issue).collect();
        assert_eq!(got, issues, "{url}");
    }
    assert_eq!(
        check_receiver_url("https://169.254.1.1/x", &server)
            .unwrap_err()
            .issue,
        ReceiverIssue::LinkLocal
    );
}

#[test]
fn the_sandbox_turns_refusals_into_warnings() {
    let sandbox = ctx(Deployment::Services, true, &[]);
    let check = check_receiver_url("http://127.0.0.1:9000/hook", &sandbox).unwrap();
    let got: Vec<ReceiverIssue> = check.warnings.iter().map(|w| w.issue).collect();
    assert_eq!(got, vec![ReceiverIssue::Loopback, ReceiverIssue::PlainHttp]);
    assert!(
        check_receiver_url("https://user:pw@127.0.0.1/", &sandbox).is_err(),
        "credentials are refused everywhere"
    );
}

#[test]
fn names_resolving_privately_get_a_warning_on_services() {
    let services = ctx(Deployment::Services, false, &["10.0.0.5"]);
    let check = check_receiver_url("https://hooks.corp.example/ado", &services).unwrap();
    assert_eq!(check.warnings[0].issue, ReceiverIssue::ResolvesPrivate);
    assert!(check.warnings[0].message.contains("10.0.0.5"));
    let public = ctx(Deployment::Services, false, &["93.184.216.34"]);
    assert!(check_receiver_url("https://hooks.example.com/ado", &public)
        .unwrap()
        .warnings
        .is_empty());
}

#[test]
fn header_names_secrets_and_basic_auth_are_checked() {
    for ok in ["X-ADO-Connect-Secret", "X-Hub-Token", "x_token"] {
        assert!(validate_header_name(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "X Secret",
        "X-Secret:",
        "Authorization",
        "content-length",
        "Ünïcode",
        &"x".repeat(65),
    ] {
        assert!(validate_header_name(bad).is_err(), "{bad:?}");
    }
    assert!(validate_secret_value("0123456789abcdef").is_ok());
    for bad in [
        "short",
        "0123456789abcdef\nX-Injected: 1",
        "0123456789 abcdef",
        &"x".repeat(257),
    ] {
        assert!(validate_secret_value(bad).is_err(), "{bad:?}");
    }
    assert!(validate_basic_username("ado-connect").is_ok());
    assert!(validate_basic_username("").is_err());
    assert!(validate_basic_password("p@ss").is_ok());
    assert!(validate_basic_password("p ss").is_err());
}

#[test]
fn branches_normalize() {
    for (input, expected) in [
        ("refs/heads/main", "main"),
        ("REFS/HEADS/feature/x", "feature/x"),
        (" main ", "main"),
        ("refs/heads/", "refs/heads/"),
        ("réfs/heads/x", "réfs/heads/x"),
    ] {
        assert_eq!(normalize_branch(input), expected, "{input}");
    }
}
