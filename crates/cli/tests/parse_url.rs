//! The `parse-url` contract scripts rely on: one JSON object and exit 0; for input that is not
//! an Azure DevOps URL, exit 2 with a one-line message on stderr.

use std::process::Command;

fn parse(url: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ado-connect-cli"))
        .args(["parse-url", url])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn services_https_url() {
    let (code, stdout, _) =
        parse("https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/fiber-api/pullrequest/42");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["deployment"], "services");
    assert_eq!(v["organization"], "fabrikam");
    assert_eq!(v["collection"], serde_json::Value::Null);
    assert_eq!(v["serverUrl"], serde_json::Value::Null);
    assert_eq!(v["project"], "Fabrikam Fiber");
    assert_eq!(v["repository"], "fiber-api");
    assert_eq!(v["branch"], serde_json::Value::Null);
    assert_eq!(v["path"], serde_json::Value::Null);
    assert_eq!(v["pullRequestId"], 42);
}

#[test]
fn server_url_with_browse_link() {
    let (code, stdout, _) = parse("  http://tfs:8080/tfs/DefaultCollection/Web/_git/portal?path=/src/app.js&version=GBrelease  ");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["deployment"], "server");
    assert_eq!(v["organization"], serde_json::Value::Null);
    assert_eq!(v["serverUrl"], "http://tfs:8080/tfs");
    assert_eq!(v["collection"], "DefaultCollection");
    assert_eq!(v["branch"], "release");
    assert_eq!(v["path"], "/src/app.js");
}

#[test]
fn not_azure_devops_exits_2_with_one_line() {
    for input in ["https://github.com/octo/repo", "not a url at all", ""] {
        let (code, stdout, stderr) = parse(input);
        assert_eq!(code, 2, "{input:?}");
        assert!(stdout.is_empty(), "nothing on stdout for {input:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
    }
    assert!(parse("https://github.com/octo/repo").2.contains("GitHub"));
}
