//! What the admin asked for, from the flags and the environment: the selection, the
//! basic-auth password, a provided secret. Secrets never come from argv.

use std::io::BufRead as _;
use std::process::ExitCode;

use ado_flows::hooks::{AuthChoice, HookRequest, SecretChoice};
use ado_flows::interface::EventKind;
use secrecy::SecretString;

use super::SelectionArgs;
use crate::{fail, input_problem};

pub(super) fn request_of(
    selection: &SelectionArgs,
    secret: SecretChoice,
) -> Result<HookRequest, ExitCode> {
    let mut events = Vec::new();
    for name in &selection.events {
        match EventKind::from_cli_name(name) {
            Some(e) => events.push(e),
            None => {
                return Err(fail(
                    input_problem(
                        None,
                        format!("unknown event {name:?}"),
                        "Use any of pr-created, pr-updated, pr-merged, push, build-completed.",
                    ),
                    2,
                ))
            }
        }
    }
    let auth = match &selection.basic_auth_user {
        Some(user) => AuthChoice::Basic {
            username: user.clone(),
            password: read_hook_password()?,
        },
        None => AuthChoice::SecretHeader {
            header: selection.secret_header.clone(),
            secret,
        },
    };
    Ok(HookRequest {
        project: String::new(),
        projects: selection.project.clone(),
        all_projects: selection.all_projects,
        repository: None,
        repositories: selection.repository.clone(),
        branch: selection.branch.clone(),
        events,
        url: selection.url.clone().unwrap_or_default(),
        auth,
        take_over: selection.take_over,
    })
}

/// The basic-auth password: `ADO_HOOK_PASSWORD`, else the next line of stdin.
pub(super) fn read_hook_password() -> Result<SecretString, ExitCode> {
    if let Ok(value) = std::env::var("ADO_HOOK_PASSWORD") {
        if !value.trim().is_empty() {
            return Ok(SecretString::from(value.trim().to_string()));
        }
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        fail(
            input_problem(
                None,
                format!("cannot read the password from stdin: {e}"),
                "Set ADO_HOOK_PASSWORD.",
            ),
            2,
        )
    })?;
    let line = line.trim().to_string();
    if line.is_empty() {
        return Err(fail(
            input_problem(
                None,
                "--basic-auth-user needs a password".into(),
                "Set ADO_HOOK_PASSWORD, or pipe it on stdin.",
            ),
            2,
        ));
    }
    Ok(SecretString::from(line))
}

/// The secret from `--secret-env`.
pub(super) fn secret_from_env(var: &str) -> Result<SecretString, ExitCode> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Ok(SecretString::from(v.trim().to_string())),
        _ => Err(fail(
            input_problem(
                None,
                format!("the environment variable {var} named by --secret-env is empty or unset"),
                "Export the secret in that variable.",
            ),
            2,
        )),
    }
}
