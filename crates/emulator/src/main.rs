//! `ado-emulator`: runs the fake Azure DevOps from the command line.
//!
//! Prints exactly one JSON line on stdout once listening (see `Emulator::startup_info`), logs to
//! stderr, and stops cleanly on SIGINT or SIGTERM.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, ValueEnum};

use ado_emulator::{
    Config, Emulator, EntraConfig, FaultRule, Faults, Scenario, SignInMode, TlsCertificate,
};

/// A fake Azure DevOps (Services and Server) on loopback.
#[derive(Debug, Parser)]
#[command(name = "ado-emulator", version)]
struct Args {
    /// A built-in scenario (demo, minimal) or a path to a scenario JSON file.
    #[arg(long, default_value = "demo")]
    scenario: String,
    /// Listen address: 127.0.0.1 (default), ::1 or localhost. Anything else is refused.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Listen port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with a fresh private CA (its PEM is in the startup line as caPem).
    #[arg(long)]
    tls: bool,
    /// Also write the CA certificate (PEM) to this file (with --tls).
    #[arg(long, requires = "tls")]
    ca_out: Option<PathBuf>,
    /// The certificate HTTPS connections are shown: valid, expired, wrong-host, untrusted-ca.
    #[arg(long, requires = "tls", default_value = "valid", value_parser = parse_certificate)]
    tls_certificate: TlsCertificate,
    /// A fault rule, TARGET=FAULT[;option=value…] (repeatable), e.g. projects=429,
    /// 'hooksCreate=429;retryAfter=none', token=hang, 'DELETE path:*/_apis/hooks/*=reset'.
    /// See the README's "Fault rules".
    #[arg(long = "fault", value_name = "RULE", value_parser = parse_rule)]
    faults: Vec<FaultRule>,
    /// Seed of the fault rules' percent=P choices (same seed, same requests hit).
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Delay every response by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer every Nth request with 429 TF400733.
    #[arg(long, default_value_t = 0)]
    rate_limit_every: u64,
    /// Retry-After seconds on those 429s.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Answer every Nth request with a server error (see --fail-status).
    #[arg(long, default_value_t = 0)]
    fail_every: u64,
    /// Status of injected server errors.
    #[arg(long, value_enum, default_value_t = FailStatus::S503)]
    fail_status: FailStatus,
    /// How Services answer bad credentials without X-TFS-FedAuthRedirect: Suppress
    /// (default: per organization in the scenario).
    #[arg(long, value_enum)]
    sign_in: Option<SignInArg>,
    /// Print the scenario as JSON (a starting point for your own) and exit.
    #[arg(long)]
    print_scenario: bool,
    /// Lifetime of access tokens issued by the Entra endpoints (expires_in), in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime_secs: u64,
    /// Lifetime of Entra authorization codes, in seconds.
    #[arg(long, default_value_t = 600)]
    auth_code_lifetime_secs: u64,
    /// Lifetime of Entra device codes (expires_in of /devicecode), in seconds.
    #[arg(long, default_value_t = 900)]
    device_code_lifetime_secs: u64,
    /// Polling interval of Entra device codes, in seconds.
    #[arg(long, default_value_t = 5)]
    device_code_interval_secs: u64,
    /// Refuse an Entra refresh token once used (strict rotation; Entra itself does not).
    #[arg(long)]
    single_use_refresh_tokens: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailStatus {
    #[value(name = "500")]
    S500,
    #[value(name = "503")]
    S503,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SignInArg {
    /// 302 to the emulator's /_signin page.
    Redirect,
    /// 203 with an HTML sign-in page.
    Page,
}

fn parse_rule(text: &str) -> Result<FaultRule, String> {
    text.parse()
}

fn parse_certificate(text: &str) -> Result<TlsCertificate, String> {
    text.parse()
}

fn parse_host(host: &str) -> anyhow::Result<IpAddr> {
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.trim_matches(['[', ']'])
            .parse()
            .with_context(|| format!("--host {host:?} is not an IP address"))?
    };
    if !ip.is_loopback() {
        anyhow::bail!(ado_emulator::Error::NotLoopback(host.to_string()));
    }
    Ok(ip)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let scenario = Scenario::load(&args.scenario)?;
    if args.print_scenario {
        println!("{}", serde_json::to_string_pretty(&scenario)?);
        return Ok(());
    }
    let config = Config {
        scenario,
        host: parse_host(&args.host)?,
        port: args.port,
        tls: args.tls,
        tls_certificate: args.tls_certificate,
        faults: Faults {
            latency_ms: args.latency_ms,
            rate_limit_every: args.rate_limit_every,
            retry_after_secs: args.retry_after,
            fail_every: args.fail_every,
            fail_status: match args.fail_status {
                FailStatus::S500 => 500,
                FailStatus::S503 => 503,
            },
            rules: args.faults,
            seed: args.fault_seed,
        },
        sign_in: args.sign_in.map(|s| match s {
            SignInArg::Redirect => SignInMode::Redirect,
            SignInArg::Page => SignInMode::Page,
        }),
        entra: EntraConfig {
            token_lifetime_secs: args.token_lifetime_secs,
            auth_code_lifetime_secs: args.auth_code_lifetime_secs,
            device_code_lifetime_secs: args.device_code_lifetime_secs,
            device_code_interval_secs: args.device_code_interval_secs,
            single_use_refresh_tokens: args.single_use_refresh_tokens,
        },
    };
    let emulator = Emulator::spawn(config).await?;
    if let (Some(path), Some(pem)) = (&args.ca_out, emulator.ca_pem()) {
        std::fs::write(path, pem).with_context(|| format!("writing {}", path.display()))?;
    }
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", emulator.startup_info())?;
        stdout.flush()?;
    }

    wait_for_signal().await?;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}
