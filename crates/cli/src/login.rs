//! `ado-connect-cli login` and `logout`: sign in to Azure DevOps Services with Microsoft Entra ID
//! (browser, device code, or a service principal) and save the connection, as the app does;
//! sign out removes the connection and every secret it stored. `--allow-minting` asks for the
//! tokens API's permission (`user_impersonation`) instead of the plain sign-in's `.default`, which
//! is what `mint` names when Microsoft answers `consent_required` (incremental consent).

use std::io::BufRead as _;
use std::process::ExitCode;

use ado_flows::app::{App, Forget, LoginForm, LoginMethod};
use ado_flows::hooks::HooksOnForget;
use ado_flows::ProfileId;
use clap::Args;
use secrecy::SecretString;
use serde_json::json;

use crate::{bad_input, finish, input_problem};

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
    let (no_browser, minting) = (args.no_browser, args.allow_minting);
    let open = |url: &url::Url| output::open(url, minting, no_browser);
    let app = App::new(None);
    let signed_in = app.log_in(args.form(), open, output::device_code).await;
    finish(signed_in, |connected| output::logged_in(&connected))
}

impl LoginArgs {
    /// How to sign in; a service principal's secret from `ADO_SP_SECRET`, else stdin.
    fn form(self) -> LoginForm {
        let method = match (self.service_principal, self.device_code) {
            (true, _) => LoginMethod::ServicePrincipal {
                tenant: self.tenant.unwrap_or_default(),
                client_id: self.client_id.unwrap_or_default(),
                secret: sp_secret(),
            },
            (false, true) => LoginMethod::DeviceCode {
                allow_minting: self.allow_minting,
            },
            (false, false) => LoginMethod::Browser {
                allow_minting: self.allow_minting,
            },
        };
        LoginForm {
            organization: self.organization,
            services_url: self.services_url,
            proxy: self.proxy,
            method,
        }
    }
}

fn sp_secret() -> SecretString {
    match std::env::var("ADO_SP_SECRET") {
        Ok(s) if !s.trim().is_empty() => SecretString::from(s.trim().to_string()),
        _ => {
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            SecretString::from(line.trim().to_string())
        }
    }
}

pub async fn logout(args: LogoutArgs) -> ExitCode {
    let (which, hooks) = or_exit!(args.choice().map_err(bad_input));
    finish(App::new(None).log_out(which, hooks).await, |out| {
        println!(
            "{}",
            json!({ "ok": true, "removed": out.removed, "hooks": out.hooks })
        );
        ExitCode::SUCCESS
    })
}

impl LogoutArgs {
    /// Which connections, and what happens to their webhooks (none said: asked when they have
    /// some).
    fn choice(&self) -> Result<(Forget, Option<HooksOnForget>), ado_flows::Error> {
        let which = match (&self.id, self.all) {
            (Some(id), _) => Forget::One(id.clone()),
            (None, true) => Forget::All,
            (None, false) => Err(input_problem(
                None,
                "say which connection: --id ID or --all".into(),
                "Run with --id or --all.",
            ))?,
        };
        let hooks = match (self.remove_hooks, self.keep_hooks) {
            (_, true) => Some(HooksOnForget::KeepHooks),
            (true, _) => Some(HooksOnForget::RemoveHooks),
            _ => None,
        };
        Ok((which, hooks))
    }
}

mod output {
    use std::process::ExitCode;

    use ado_flows::signin::DeviceCodePrompt;
    use ado_flows::Connected;
    use serde_json::json;

    /// The browser's address, and the browser opened unless `--no-browser`.
    pub(super) fn open(url: &url::Url, minting: bool, no_browser: bool) {
        if minting {
            eprintln!("Sign in in your browser and allow ADO Connect to manage your personal access tokens. If it does not open, open this link:\n{url}");
        } else {
            eprintln!("Sign in in your browser. If it does not open, open this link:\n{url}");
        }
        if !no_browser {
            super::open_browser(url);
        }
    }

    pub(super) fn device_code(p: DeviceCodePrompt) {
        eprintln!(
            "To sign in, open {} and enter the code {} (valid {} s).",
            p.verification_uri, p.user_code, p.expires_in_secs
        );
    }

    pub(super) fn logged_in(connected: &Connected) -> ExitCode {
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
