//! The flags every command that connects shares, once: the target, the trusted CA, the proxy,
//! plain-http consent, and the refusal of a PAT on argv. Flatten [`ConnectionArgs`] into a
//! command's `Args`, then call [`ConnectionArgs::target`] and [`ConnectionArgs::options`].

use std::path::PathBuf;

use ado_flows::interface::{ConnectionTarget, Deployment, Field, Problem, TargetInput};
use ado_flows::ConnectOptions;
use clap::Args;

use crate::input_problem;

/// Where to connect and how.
#[derive(Args, Clone, Debug, Default)]
pub struct ConnectionArgs {
    /// Azure DevOps Services: the organization name, e.g. fabrikam.
    #[arg(long, conflicts_with = "server_url")]
    pub organization: Option<String>,
    /// Azure DevOps Services: the host, for sandboxes (default https://dev.azure.com/).
    #[arg(long, requires = "organization", hide = true)]
    pub services_url: Option<String>,
    /// Azure DevOps Server: the server URL with its virtual directory, e.g. http://tfs:8080/tfs.
    #[arg(long, requires = "collection")]
    pub server_url: Option<String>,
    /// Azure DevOps Server: the collection name, e.g. DefaultCollection.
    #[arg(long, requires = "server_url")]
    pub collection: Option<String>,
    /// A PEM file with a CA certificate to trust for this connection only.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// An explicit proxy (http://host:port); otherwise HTTPS_PROXY / NO_PROXY apply.
    #[arg(long)]
    pub proxy: Option<String>,
    /// Accept sending the token over plain http:// to a server that is not this machine.
    #[arg(long)]
    pub allow_http: bool,
    /// Refused on purpose: a token on the command line ends up in shell history and `ps`.
    #[arg(long, hide = true)]
    pub pat: Option<String>,
}

impl ConnectionArgs {
    /// The target form as the flags fill it (Services when `--organization` is given).
    pub fn target_input(&self) -> TargetInput {
        TargetInput {
            deployment: Some(if self.organization.is_some() {
                Deployment::Services
            } else {
                Deployment::Server
            }),
            organization: self.organization.clone().unwrap_or_default(),
            services_url: self.services_url.clone().unwrap_or_default(),
            server_url: self.server_url.clone().unwrap_or_default(),
            collection: self.collection.clone().unwrap_or_default(),
        }
    }

    /// The validated target; the first bad flag as an `invalid_input` problem.
    pub fn target(&self) -> Result<ConnectionTarget, Problem> {
        validate_target(&self.target_input())
    }

    /// The trusted CA (read from `--ca-file`), the proxy (validated) and the plain-http consent.
    /// Also refuses `--pat`, so every command that connects refuses it the same way.
    pub fn options(&self) -> Result<ConnectOptions, Problem> {
        if self.pat.is_some() {
            return Err(input_problem(
                Some(Field::Pat),
                "--pat is not accepted: a token on the command line ends up in shell history and process lists.".into(),
                "Set ADO_PAT in the environment, or pipe the token on stdin.",
            ));
        }
        let trusted_ca_pem = match &self.ca_file {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                input_problem(
                    None,
                    format!("cannot read --ca-file {}: {e}", path.display()),
                    "Give a readable PEM file.",
                )
            })?),
            None => None,
        };
        let proxy = ado_flows::interface::validate_proxy(self.proxy.as_deref().unwrap_or_default())
            .map_err(|e| input_problem(Some(e.field), e.message, "Fix --proxy and run again."))?;
        Ok(ConnectOptions {
            trusted_ca_pem,
            proxy,
            allow_http: self.allow_http,
            request_timeout: None,
            server_api_version: None,
        })
    }

    /// Where `--ca-file` is, for curl reproductions.
    pub fn ca_file_hint(&self) -> Option<String> {
        self.ca_file.as_ref().map(|p| p.display().to_string())
    }
}

/// Validates a target form; the first error as an `invalid_input` problem naming the flag.
pub fn validate_target(input: &TargetInput) -> Result<ConnectionTarget, Problem> {
    input.validate().map_err(|errors| {
        let first = &errors[0];
        input_problem(
            Some(first.field),
            first.message.clone(),
            "Give --server-url and --collection, or --organization, and run again.",
        )
    })
}
