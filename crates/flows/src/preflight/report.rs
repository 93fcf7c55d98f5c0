//! The preflight report on disk: "Save report" writes it as Markdown and JSON (the token never
//! appears: reproductions carry `$ADO_PAT`). A part of [`crate::preflight`].

use ado_core::checks::{CheckCode, Problem};
use ado_core::preflight as verdicts;
use ado_core::target::ConnectionTarget;

use super::PreflightReport;

/// [`save_report`] into [`default_report_dir`]; returns both paths as text, or the
/// [`Problem`] the shells show.
pub fn save_report_to_default_dir(
    name: &str,
    target: &ConnectionTarget,
    report: &PreflightReport,
    now_unix: u64,
) -> Result<Vec<String>, crate::Error> {
    let (md, json) =
        save_report(&default_report_dir(), name, target, report, now_unix).map_err(|e| {
            Problem::new(
                CheckCode::Unexpected,
                None,
                format!("Could not save the report: {e}"),
                "Check that the Downloads folder (or $ADO_CONNECT_REPORT_DIR) is writable.",
            )
        })?;
    Ok(vec![md.display().to_string(), json.display().to_string()])
}

/// Writes the report as Markdown and JSON into `dir`; returns both paths.
pub fn save_report(
    dir: &std::path::Path,
    name: &str,
    target: &ConnectionTarget,
    report: &PreflightReport,
    now_unix: u64,
) -> std::io::Result<(std::path::PathBuf, std::path::PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let stem = format!("ado-connect-report-{name}-{now_unix}");
    let md_path = dir.join(format!("{stem}.md"));
    let json_path = dir.join(format!("{stem}.json"));
    let md = verdicts::to_markdown(
        "ADO Connect preflight report",
        target.api_base().as_str(),
        &report.checks,
    );
    std::fs::write(&md_path, md)?;
    std::fs::write(
        &json_path,
        serde_json::to_vec_pretty(report).expect("reports serialize"),
    )?;
    Ok((md_path, json_path))
}

/// Where reports go: `$ADO_CONNECT_REPORT_DIR`, else the Downloads folder, else the home folder.
pub fn default_report_dir() -> std::path::PathBuf {
    std::env::var_os("ADO_CONNECT_REPORT_DIR")
        .map(std::path::PathBuf::from)
        .or_else(dirs::download_dir)
        .or_else(dirs::home_dir)
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}
