//! Copyable `curl` reproductions of a probe, with the token left as a shell variable
//! (`$ADO_PAT` or `$ADO_TOKEN`), so a user can paste one into a terminal or a support ticket.

use serde::{Deserialize, Serialize};

/// How the probe authenticated (never the secret itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthKind {
    /// No credentials.
    Anonymous,
    /// A PAT, as Basic auth: `-u ":$ADO_PAT"`.
    Pat,
    /// An OAuth token: `-H "Authorization: Bearer $ADO_TOKEN"`.
    Bearer,
}

/// A probe to reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlSpec<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The full URL, query included.
    pub url: &'a str,
    /// How it authenticated.
    pub auth: AuthKind,
    /// A JSON body, if any.
    pub json_body: Option<&'a str>,
    /// A CA file to trust, when the connection trusts a private CA.
    pub ca_file: Option<&'a str>,
}

/// The command line. Values are single-quoted for POSIX shells; the token stays a variable.
pub fn curl_command(spec: &CurlSpec<'_>) -> String {
    let mut parts = vec!["curl".to_string(), "-sS".to_string(), "-i".to_string()];
    if spec.method != "GET" {
        parts.push(format!("-X {}", spec.method));
    }
    match spec.auth {
        AuthKind::Anonymous => {}
        AuthKind::Pat => parts.push("-u \":$ADO_PAT\"".to_string()),
        AuthKind::Bearer => parts.push("-H \"Authorization: Bearer $ADO_TOKEN\"".to_string()),
    }
    parts.push(format!("-H {}", quote("X-TFS-FedAuthRedirect: Suppress")));
    parts.push(format!("-H {}", quote("Accept: application/json")));
    if let Some(ca) = spec.ca_file {
        parts.push(format!("--cacert {}", quote(ca)));
    }
    if let Some(body) = spec.json_body {
        parts.push(format!("-H {}", quote("Content-Type: application/json")));
        parts.push(format!("--data {}", quote(body)));
    }
    parts.push(quote(spec.url));
    parts.join(" ")
}

/// Single-quotes `value` for a POSIX shell (`'` becomes `'\''`).
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pat_probe_keeps_the_token_as_a_variable() {
        let cmd = curl_command(&CurlSpec {
            method: "GET",
            url: "https://tfs.contoso.com/tfs/DefaultCollection/_apis/projects?api-version=7.0&$top=1",
            auth: AuthKind::Pat,
            json_body: None,
            ca_file: None,
        });
        assert_eq!(
            cmd,
            "curl -sS -i -u \":$ADO_PAT\" -H 'X-TFS-FedAuthRedirect: Suppress' -H 'Accept: application/json' \
             'https://tfs.contoso.com/tfs/DefaultCollection/_apis/projects?api-version=7.0&$top=1'"
        );
    }

    #[test]
    fn bodies_and_quotes_are_shell_safe() {
        let cmd = curl_command(&CurlSpec {
            method: "POST",
            url: "https://dev.azure.com/o/_apis/x",
            auth: AuthKind::Bearer,
            json_body: Some(r#"{"name":"it's"}"#),
            ca_file: Some("/tmp/my ca.pem"),
        });
        assert!(cmd.contains(r#"--data '{"name":"it'\''s"}'"#), "{cmd}");
        assert!(cmd.contains("--cacert '/tmp/my ca.pem'"), "{cmd}");
        assert!(cmd.contains("-X POST"), "{cmd}");
        assert!(cmd.contains("Bearer $ADO_TOKEN"), "{cmd}");
    }
}
