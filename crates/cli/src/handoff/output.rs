//! Printing the product steps: a broken profile's mistakes, the product's checks as lines, the
//! hand-off's panel, export, script and delivery, the product's webhooks (`--json`: the
//! documents whole).

use std::process::ExitCode;

use ado_flows::app::{HandedOff, ProductHooksDone};
use ado_flows::interface::{CheckCode, Status};
use ado_flows::product::saved::Delivered;
use ado_flows::product::{LoadError, ProductEvent, ProductReport};
use serde_json::json;

use crate::terminal::{self, plain};

/// A profile that could not be read: each mistake on its own line on stderr, then the error
/// (its JSON on stdout whatever the flags: `error.profile` holds the path and the mistakes);
/// exits 2.
pub(super) fn profile_refused(load: LoadError) -> ExitCode {
    let error = ado_flows::Error::from(load);
    println!("{}", terminal::json(&crate::error_json(&error)));
    if let Some(profile) = &error.profile {
        for e in &profile.errors {
            eprintln!(
                "error[{}]: {}:{}:{}: {}: {}",
                error.code,
                plain(&profile.path),
                e.line,
                e.column,
                plain(&e.field),
                plain(&e.message)
            );
        }
    }
    eprintln!("{}", crate::error_line(&error));
    ExitCode::from(2)
}

/// One of the product's checks as a line (nothing with `--json`).
pub(super) fn event(event: &ProductEvent<'_>, product: &str, json: bool) {
    if json {
        return;
    }
    match event {
        ProductEvent::Restriction(r) => line(r.status, &r.title, r.code, &r.message, &r.fix, None),
        ProductEvent::Check {
            connector,
            index,
            check,
        } => line(
            check.status,
            &format!(
                "[{connector}#{index}] {}{}",
                check.title,
                check
                    .product_code
                    .as_deref()
                    .map(|c| format!(" ({product} code: {c})"))
                    .unwrap_or_default()
            ),
            check.code,
            &check.message,
            &check.fix,
            check.curl.as_deref(),
        ),
    }
}

/// The product's report with `--json`; exits 0 only when nothing failed.
pub(super) fn product_report(report: &ProductReport, json: bool) -> ExitCode {
    if json {
        println!("{}", terminal::json(report));
    }
    crate::exit_if(report.ok)
}

fn line(
    status: Status,
    title: &str,
    code: Option<CheckCode>,
    message: &str,
    fix: &str,
    curl: Option<&str>,
) {
    let mark = match status {
        Status::Pass => "pass",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
        Status::Skip => "skip",
    };
    let code = code.map(|c| format!(" [{c}]")).unwrap_or_default();
    // Titles and messages quote the profile and the servers: no control character reaches the
    // terminal.
    let (title, message, fix) = (plain(title), plain(message), plain(fix));
    println!("{mark}  {title}{code}: {message}");
    if matches!(status, Status::Fail | Status::Warn) {
        println!("      fix: {fix}");
        if let Some(curl) = curl {
            println!("      reproduce: {curl}");
        }
    }
}

/// The product's webhooks: a line per project (planned or applied), or the document.
pub(super) fn product_hooks(done: &ProductHooksDone, json: bool) -> ExitCode {
    if json {
        let mut value = serde_json::to_value(done).expect("reports serialize");
        value["ok"] = json!(done.ok());
        println!("{}", terminal::json(&value));
    } else {
        match done {
            ProductHooksDone::Planned(plan) => {
                for p in &plan.plans {
                    println!("{}: {}", p.project.name, p.plan.summary());
                }
            }
            ProductHooksDone::Applied(report) => {
                for run in &report.runs {
                    let r = &run.report;
                    println!(
                        "{}: {} created, {} adopted, {} updated, {} unchanged, {} failed",
                        run.project,
                        r.created.len(),
                        r.adopted.len(),
                        r.updated.len(),
                        r.unchanged.len(),
                        r.failed.len()
                    );
                }
            }
        }
    }
    crate::exit_if(done.ok())
}

/// The hand-off: the panel as lines, what was written, the delivery; or the document.
pub(super) fn handed_off(done: &HandedOff, json: bool) -> ExitCode {
    if !json {
        panel(done);
    }
    if let Some(warning) = done.export.as_ref().and_then(|w| w.warning.as_deref()) {
        eprintln!("warning: {}", plain(warning));
    }
    let mut out = json!({ "ok": done.ok(), "handoff": done.panel });
    if let Some(written) = &done.export {
        out["export"] = json!(written.path);
    }
    if let Some((path, subscriptions)) = &done.script {
        out["script"] = json!(path);
        out["subscriptions"] = json!(subscriptions);
    }
    match &done.delivery {
        Some(Delivered::NeedsConsent { preview, problem }) => {
            out["delivery"] = json!({ "preview": preview });
            if !json {
                eprintln!(
                    "would send {} request(s) to {}",
                    preview.requests,
                    plain(&preview.url)
                );
                eprintln!(
                    "  host {} ({})",
                    plain(&preview.host),
                    preview.addresses.join(", ")
                );
                for c in &preview.carries {
                    eprintln!("  carrying: {}", plain(c));
                }
                return crate::fail(problem, 1);
            }
            out["error"] = json!(problem);
        }
        Some(Delivered::Sent { preview, report }) => {
            out["delivery"] = json!({ "preview": preview });
            out["post"] = serde_json::to_value(report).expect("reports serialize");
            if !json {
                delivery_lines(report);
            }
        }
        None => {}
    }
    if json {
        println!("{}", terminal::json(&out));
    }
    crate::exit_if(done.ok())
}

fn panel(done: &HandedOff) {
    let panel = &done.panel;
    println!("{}", plain(&panel.title));
    for f in &panel.fields {
        let value = match (&f.value, f.secret) {
            (Some(v), _) => plain(v),
            (None, true) => "(secret: --show-secrets to print)".into(),
            (None, false) => "(not needed here)".into(),
        };
        println!("  {}: {value}", plain(&f.label));
    }
    for (i, step) in panel.guides.iter().enumerate() {
        println!("  {}. {}", i + 1, plain(step));
    }
}

fn delivery_lines(report: &ado_flows::product::post::PostReport) {
    for d in &report.delivered {
        println!(
            "delivered {} to {} (HTTP {}, {} attempt(s))",
            d.what,
            plain(&report.url),
            d.status,
            d.attempts
        );
    }
    if let Some(f) = &report.failed {
        eprintln!(
            "error[{}]: {} {}",
            f.problem.code,
            plain(&f.problem.message),
            plain(&f.problem.fix)
        );
        if let Some(answer) = &f.answer {
            eprintln!("  the product answered: {}", plain(answer));
        }
    }
}
