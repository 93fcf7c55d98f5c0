//! `ado-connect-cli login` and `logout`: sign in to Azure DevOps Services with Microsoft Entra ID
//! (browser, device code, or a service principal) and save the connection, as the app does;
//! sign out removes the connection and every secret it stored. `--allow-minting` asks for the
//! tokens API's permission (`user_impersonation`) instead of the plain sign-in's `.default`, which
//! is what `mint` names when Microsoft answers `consent_required` (incremental consent).

use std::io::BufRead as _;
use std::process::ExitCode;

use ado_flows::product::mint::consent;
use ado_flows::{hooks, signin, ConnectError, ConnectOptions, ProfileId};
use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use crate::{fail, input_problem};

#[derive(Args)]
pub struct LoginArgs {
    /// The organization, e.g. fabrikam.
    #[arg(long)]
    organization: String,
    /// The Services host, for sandboxes (default https://dev.azure.com/).
    #[arg(long, hide = true, default_value = "")]
    services_url: String,
    /// Use the device code flow (no browser on this machine).
    #[arg(long, conflicts_with = "service_principal")]
    device_code: bool,
    /// Do not try to open a browser; print the sign-in URL only.
    #[arg(long)]
    no_browser: bool,
    /// Sign in as a service principal; the secret comes from ADO_SP_SECRET or stdin.
    #[arg(long, requires_all = ["tenant", "client_id"])]
    service_principal: bool,
    /// The service principal's tenant.
    #[arg(long)]
    tenant: Option<String>,
    /// The service principal's application (client) id.
    #[arg(long)]
    client_id: Option<String>,
    /// An explicit proxy (`http://host:port`) for the sign-in and the connection; without it,
    /// HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply.
    #[arg(long)]
    proxy: Option<String>,
    /// Also allow ADO Connect to manage your personal access tokens (`mint`): the sign-in asks
    /// for the tokens API's permission (user_impersonation) instead of the plain sign-in's.
    #[arg(long, conflicts_with = "service_principal")]
    allow_minting: bool,
}

#[derive(Args)]
pub struct LogoutArgs {
    /// The saved connection's id (see the `profile.id` that login printed).
    #[arg(long, conflicts_with = "all")]
    id: Option<ProfileId>,
    /// Remove every saved connection.
    #[arg(long)]
    all: bool,
    /// Delete the connection's webhooks first (what this tool created or adopted). Required, or
    /// --keep-hooks, when the connection has webhooks.
    #[arg(long, conflicts_with = "keep_hooks")]
    remove_hooks: bool,
    /// Leave the connection's webhooks delivering and stop tracking them.
    #[arg(long)]
    keep_hooks: bool,
}

pub async fn login(args: LoginArgs) -> ExitCode {
    let connections = match crate::connections() {
        Ok(c) => c,
        Err(e) => return fail(e, 1),
    };
    let target = match signin::services_target(&args.organization, &args.services_url) {
        Ok(t) => t,
        Err(e) => return report(Err(e)),
    };
    let settings = match signin::settings() {
        Ok(s) => s,
        Err(e) => return report(Err(e)),
    };
    let options = ConnectOptions {
        proxy: args.proxy.clone(),
        ..ConnectOptions::default()
    };
    let result = if args.service_principal {
        let secret = match std::env::var("ADO_SP_SECRET") {
            Ok(s) if !s.trim().is_empty() => SecretString::from(s.trim().to_string()),
            _ => {
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
                SecretString::from(line.trim().to_string())
            }
        };
        let (tenant, client_id) = (
            args.tenant.unwrap_or_default(),
            args.client_id.unwrap_or_default(),
        );
        signin::sign_in_as_service_principal(
            &connections,
            &target,
            &settings,
            signin::ServicePrincipalLogin {
                tenant: &tenant,
                client_id: &client_id,
                secret: &secret,
            },
            &options,
            crate::now_unix(),
        )
        .await
    } else if args.device_code {
        let show = |p: signin::DeviceCodePrompt| {
            eprintln!(
                "To sign in, open {} and enter the code {} (valid {} s).",
                p.verification_uri, p.user_code, p.expires_in_secs
            );
        };
        if args.allow_minting {
            consent::device_sign_in(
                &connections,
                &target,
                &settings,
                &options,
                show,
                |_| {},
                crate::now_unix(),
            )
            .await
        } else {
            signin::sign_in_with_device_code(
                &connections,
                &target,
                &settings,
                &options,
                show,
                |_| {},
                crate::now_unix(),
            )
            .await
        }
    } else if args.allow_minting {
        let no_browser = args.no_browser;
        let open = |url: &url::Url| {
            eprintln!("Sign in in your browser and allow ADO Connect to manage your personal access tokens. If it does not open, open this link:\n{url}");
            if !no_browser {
                open_browser(url);
            }
        };
        let hint = connections
            .get(&ado_flows::profiles::profile_id(&target))
            .ok()
            .flatten()
            .and_then(|p| p.user_account);
        consent::browser_sign_in(
            &connections,
            &target,
            &settings,
            &options,
            hint.as_deref(),
            open,
            |_| {},
            crate::now_unix(),
        )
        .await
    } else {
        let no_browser = args.no_browser;
        let open = |url: &url::Url| {
            eprintln!("Sign in in your browser. If it does not open, open this link:\n{url}");
            if !no_browser {
                open_browser(url);
            }
        };
        signin::sign_in_with_browser(
            &connections,
            &target,
            &settings,
            &options,
            open,
            |_| {},
            crate::now_unix(),
        )
        .await
    };
    report(result)
}

fn report(result: Result<ado_flows::Connected, ConnectError>) -> ExitCode {
    match result {
        Ok(connected) => {
            println!(
                "{}",
                json!({
                    "ok": true,
                    "profile": connected.profile,
                    "user": connected.verified.user,
                    "secretStore": connected.secret_store,
                })
            );
            ExitCode::SUCCESS
        }
        Err(ConnectError::Problem(p)) => fail(&p, 1),
        Err(ConnectError::Input(errors)) => fail(
            input_problem(
                Some(errors[0].field),
                errors[0].message.clone(),
                "Fix the flag and run again.",
            ),
            2,
        ),
        Err(ConnectError::Save(e)) => fail(
            input_problem(
                None,
                e.to_string(),
                "Check the keyring and the config directory.",
            ),
            1,
        ),
    }
}

pub fn logout(args: LogoutArgs) -> ExitCode {
    let connections = match crate::connections() {
        Ok(c) => c,
        Err(e) => return fail(e, 1),
    };
    let ids: Vec<ProfileId> = match (&args.id, args.all) {
        (Some(id), _) => vec![id.clone()],
        (None, true) => connections
            .list()
            .map(|l| l.into_iter().map(|p| p.id).collect())
            .unwrap_or_default(),
        (None, false) => {
            return fail(
                input_problem(
                    None,
                    "say which connection: --id ID or --all".into(),
                    "Run with --id or --all.",
                ),
                2,
            )
        }
    };
    let choice = match (args.remove_hooks, args.keep_hooks) {
        (_, true) => Some(hooks::HooksOnForget::KeepHooks),
        (true, _) => Some(hooks::HooksOnForget::RemoveHooks),
        _ => None,
    };
    // Webhooks are never orphaned silently: a connection that has them needs a choice.
    if choice.is_none() {
        for id in &ids {
            match hooks::has_hooks(&connections, id) {
                Ok(false) => {}
                Ok(true) => {
                    return fail(
                        input_problem(
                            None,
                            format!("the connection {id} has webhooks registered: say what happens to them"),
                            "Run again with --remove-hooks (delete them first) or --keep-hooks (leave them delivering, untracked).",
                        ),
                        2,
                    )
                }
                Err(p) => return fail(&p, 1),
            }
        }
    }
    let settings = match signin::settings() {
        Ok(s) => s,
        Err(e) => return report(Err(e)),
    };
    let mut removed = Vec::new();
    let mut reports = Vec::new();
    for id in ids {
        let forget =
            hooks::forget_connection(&connections, &id, &settings, choice.unwrap_or_default());
        match crate::runtime().block_on(forget) {
            Ok(report) if !report.forgotten && args.id.is_some() => {
                return fail(ado_flows::Error::unknown_connection(&id), 1)
            }
            Ok(report) => {
                if report.forgotten {
                    removed.push(id);
                }
                reports.push(report);
            }
            Err(problem) => return fail(&problem, 1),
        }
    }
    println!(
        "{}",
        json!({ "ok": true, "removed": removed, "hooks": reports })
    );
    ExitCode::SUCCESS
}

/// Opens `url` in the user's browser, best effort (the link is printed too). The `open` crate
/// knows each platform's opener (xdg-open, gio, … on Linux; `open` on macOS; the shell's
/// `start` on Windows); we spawn its commands ourselves so the child gets our environment minus
/// every `ADO_*` variable: an exported `ADO_PAT` or `ADO_SP_SECRET` must not reach the browser
/// and everything it starts. The URL holds no secret (state and the PKCE challenge only).
fn open_browser(url: &url::Url) {
    let ado_vars: Vec<std::ffi::OsString> = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| name.to_string_lossy().starts_with("ADO_"))
        .collect();
    for mut command in open::commands(url.as_str()) {
        for name in &ado_vars {
            command.env_remove(name);
        }
        let spawned = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return;
        }
    }
}
