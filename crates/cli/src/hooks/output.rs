//! Printing plans, progress and reports as lines (`--json` prints the flows' documents).

use std::process::ExitCode;

use ado_flows::app::{HooksApplied, RecordedHooks};
use ado_flows::hooks::{
    ApplyEvent, ApplyReport, Delivery, HookPlan, InterruptedRun, Phase, RemoveReport,
    RollbackReport, TestDelivery,
};
use ado_flows::interface::{HookOrigin, SubscriptionStatus};
use serde_json::json;

use crate::exit_if;

pub(super) fn print_json(value: serde_json::Value) {
    println!("{}", crate::terminal::json(&value));
}

/// A progress line: on stdout, or on stderr with `--json` (stdout holds the document).
pub(super) fn progress(event: &ApplyEvent, json: bool) {
    if json {
        eprintln!("{}", progress_line(event));
    } else {
        println!("{}", progress_line(event));
    }
}

/// A progress line on stdout, none with `--json`.
pub(super) fn progress_unless_json(event: &ApplyEvent, json: bool) {
    if !json {
        println!("{}", progress_line(event));
    }
}

/// Apply finishes an interrupted run first: said where progress goes.
pub(super) fn interrupted(json: bool) -> impl FnOnce(&InterruptedRun) {
    move |run| {
        let line = format!(
            "finishing the interrupted run {} ({} change(s))",
            run.run_id,
            run.entries.len()
        );
        if json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
}

/// The plan `apply` is about to apply, as lines (none with `--json`).
pub(super) fn plan_before_apply(json: bool) -> impl FnOnce(&HookPlan) {
    move |plan| {
        if !json {
            print_plan(plan);
        }
    }
}

/// `hooks plan`.
pub(super) fn planned(plan: &HookPlan, json: bool) -> ExitCode {
    if json {
        let mut value = serde_json::to_value(plan).expect("plans serialize");
        value["ok"] = json!(true);
        print_json(value);
    } else {
        print_plan(plan);
    }
    ExitCode::SUCCESS
}

/// `hooks apply`: what the interrupted run's recovery and the apply did.
pub(super) fn applied(applied: &HooksApplied, json: bool) -> ExitCode {
    let (recovered, plan, report) = match applied {
        HooksApplied::RecoveryFailed(report) => {
            if json {
                print_json(json!({"ok": false, "recovered": report}));
            } else {
                print_report(report);
            }
            return ExitCode::from(1);
        }
        HooksApplied::Applied(applied) => (&applied.recovered, &applied.plan, &applied.report),
    };
    if json {
        print_json(json!({
            "ok": report.ok,
            "plan": plan,
            "recovered": recovered,
            "report": report,
        }));
    } else {
        if let Some(r) = recovered {
            println!(
                "recovered the interrupted run: {} change(s) it had made recorded; sent now: created {}, updated {}, re-enabled {}",
                r.recorded_from_interrupted_run.len(),
                r.created.len(),
                r.updated.len(),
                r.reenabled.len()
            );
        }
        print_report(report);
    }
    exit_if(report.ok)
}

/// `hooks test`: the receiver's answer to each test event.
pub(super) fn tests(tests: &[TestDelivery], json: bool) -> ExitCode {
    let all_ok = tests.iter().all(|t| t.delivered);
    if json {
        print_json(json!({"ok": all_ok, "tests": tests}));
        return exit_if(all_ok);
    }
    for t in tests {
        println!(
            "{} {}: receiver answered {}{}{}",
            if t.delivered { "delivered" } else { "FAILED" },
            t.subscription_id,
            t.receiver_status
                .map(|c| c.to_string())
                .unwrap_or_else(|| "nothing".into()),
            t.receiver_reason
                .as_deref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default(),
            t.error_message
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
        if let Some(advice) = &t.advice {
            println!("  {advice}");
        }
        if let Some(body) = &t.response_excerpt {
            println!("  {}", body.replace('\n', "\n  "));
        }
    }
    exit_if(all_ok)
}

/// `hooks list`.
pub(super) fn list(listed: &RecordedHooks, json: bool) -> ExitCode {
    if json {
        print_json(json!({"ok": true, "hooks": listed.hooks}));
        return ExitCode::SUCCESS;
    }
    if listed.hooks.is_empty() {
        println!("no webhooks recorded for this connection");
    }
    if let Some(run) = &listed.interrupted {
        println!(
            "note: run {} did not finish ({} change(s)); its subscriptions are recorded once `hooks apply` finishes it, or deleted by `hooks rollback`",
            run.run_id,
            run.entries.len()
        );
    }
    for h in &listed.hooks {
        let status = match (h.exists, h.status) {
            (false, _) => "gone".to_string(),
            (true, Some(st)) => st.as_str().to_string(),
            (true, None) => "?".into(),
        };
        let last = h
            .last_delivery
            .as_ref()
            .map(|d| {
                format!(
                    ", last delivery {} {}",
                    d.result.as_deref().unwrap_or("?"),
                    d.receiver_status.map(|c| c.to_string()).unwrap_or_default()
                )
            })
            .unwrap_or_default();
        let origin = match h.recorded.origin {
            HookOrigin::Created => "created here",
            HookOrigin::Adopted => "adopted",
        };
        let scope = [
            h.project.clone(),
            h.repository.clone(),
            h.branch.as_ref().map(|b| format!("branch {b}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
        println!(
            "{} {:<22} in {scope}: {status} ({origin}) → {}{last}",
            h.recorded.id, h.event_label, h.url
        );
        if let Some(reason) = h
            .reason
            .as_deref()
            .filter(|_| h.status != Some(SubscriptionStatus::Enabled))
        {
            println!("    {reason}");
        }
    }
    ExitCode::SUCCESS
}

/// `hooks history`.
pub(super) fn history(deliveries: &[Delivery], json: bool) -> ExitCode {
    if json {
        print_json(json!({"ok": true, "deliveries": deliveries}));
        return ExitCode::SUCCESS;
    }
    for d in deliveries {
        println!(
            "#{} {} {} {} {}{}",
            d.id,
            d.created_date.as_deref().unwrap_or(""),
            d.event_type.as_deref().unwrap_or(""),
            d.result.as_deref().unwrap_or("?"),
            d.receiver_status.map(|c| c.to_string()).unwrap_or_default(),
            d.error_message
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
        if let Some(advice) = &d.advice {
            println!("  {advice}");
        }
    }
    ExitCode::SUCCESS
}

/// `hooks remove`.
pub(super) fn removed(report: &RemoveReport, json: bool) -> ExitCode {
    if json {
        print_json(serde_json::to_value(report).expect("serializes"));
        return exit_if(report.ok);
    }
    if let Some(r) = &report.rolled_back {
        println!(
            "rolled back an interrupted run: deleted {}",
            r.deleted.len()
        );
    }
    for r in &report.removed {
        println!(
            "removed {} {}{}",
            r.id,
            r.event.event_type(),
            if r.already_gone {
                " (already gone)"
            } else {
                ""
            }
        );
    }
    for f in &report.failed {
        println!(
            "FAILED {}: {} {}",
            f.subscription_id.as_deref().unwrap_or_default(),
            f.problem.message,
            f.problem.fix
        );
    }
    if report.removed.is_empty() && report.failed.is_empty() {
        println!("nothing recorded to remove");
    }
    exit_if(report.ok)
}

/// `hooks rotate`.
pub(super) fn rotated(report: &ApplyReport, json: bool) -> ExitCode {
    if json {
        print_json(json!({"ok": report.ok, "report": report}));
    } else {
        print_report(report);
    }
    exit_if(report.ok)
}

/// `hooks rollback`: ok unless a deletion failed.
pub(super) fn rolled_back(report: &RollbackReport, json: bool) -> ExitCode {
    let ok = report.failed.is_empty();
    if json {
        print_json(json!({"ok": ok, "rollback": report}));
    } else if let Some(run) = &report.run_id {
        println!(
            "rolled back run {run}: deleted {} subscription(s) it created; {} update(s) cannot be undone",
            report.deleted.len(),
            report.kept.len()
        );
    } else {
        println!("nothing to roll back: no run was interrupted");
    }
    exit_if(ok)
}

/// `hooks discard-journal`.
pub(super) fn discarded(discarded: bool, json: bool) -> ExitCode {
    if json {
        print_json(json!({"ok": true, "discarded": discarded}));
    } else if discarded {
        println!("discarded the unreadable journal; plan again (subscriptions the interrupted run made are found, not duplicated)");
    } else {
        println!("there is no journal to discard");
    }
    ExitCode::SUCCESS
}

pub(super) fn print_plan(plan: &HookPlan) {
    let p = &plan.plan;
    let project = if plan.scopes.len() > 1 {
        format!("{} scopes, first ", plan.scopes.len())
    } else {
        String::new()
    };
    println!(
        "plan: {} — receiver {}, {project}project {}{}{}",
        p.summary(),
        plan.url,
        plan.project.name,
        plan.repository
            .as_ref()
            .map(|r| format!(", repository {}", r.name))
            .unwrap_or_default(),
        plan.branch
            .as_ref()
            .map(|b| format!(", branch {b}"))
            .unwrap_or_default(),
    );
    for item in p.items() {
        let id = item
            .subscription_id
            .as_deref()
            .map(|i| format!(" {i}"))
            .unwrap_or_default();
        let in_flight = item
            .subscription_id
            .as_ref()
            .is_some_and(|id| plan.in_flight.contains(id));
        let adopting = if in_flight {
            " (made by the interrupted run; `hooks apply` finishes it and records it)".to_string()
        } else if item.adopting && item.subscription_id.is_some() {
            format!(
                " (adopting{})",
                item.created_by
                    .as_deref()
                    .map(|c| format!(", created by {c}"))
                    .unwrap_or_default()
            )
        } else {
            String::new()
        };
        println!(
            "  {:<9} {}{}{id}{adopting}",
            item.action.verb(),
            item.spec.event.event_type(),
            scope_of(plan, &item.spec)
        );
        if let Some(reason) = &item.reason {
            println!("            {reason}");
        }
        for change in &item.changes {
            println!("            - {}", change.describe());
        }
    }
    for d in &p.duplicates {
        println!(
            "  note: {} also matches {} ({}); left alone",
            d.subscription_id,
            d.event.event_type(),
            if d.recorded {
                "recorded by this tool"
            } else {
                "not ours"
            }
        );
    }
    for x in &p.foreign {
        println!(
            "  exists, not ours — left alone: {} {}{}; `--take-over` makes it ours (its headers are replaced)",
            x.subscription_id,
            x.spec.event.event_type(),
            x.created_by
                .as_deref()
                .map(|c| format!(" (created by {c})"))
                .unwrap_or_default()
        );
    }
    for s in &p.stale {
        println!(
            "  note: {} ({}) is recorded but no longer asked for; `hooks remove` deletes it",
            s.id,
            s.spec.event.event_type()
        );
    }
    for m in &p.missing {
        println!(
            "  note: {} was deleted in Azure DevOps; it will be forgotten",
            m.id
        );
    }
    if plan.rotates_secret {
        println!("warning[secret_change]: this plan replaces the secret of subscriptions that deliver already; their receiver rejects deliveries until it has the new one (apply needs --confirm-secret-change)");
    }
    for w in &plan.warnings {
        println!(
            "warning[{}]: {}",
            serde_json::to_value(w.issue)
                .unwrap()
                .as_str()
                .unwrap_or_default(),
            w.message
        );
    }
    for n in &plan.notes {
        println!("note: {n}");
    }
    if let Some(run) = &plan.interrupted {
        println!(
            "note: an earlier run ({}) did not finish; `hooks apply` finishes it first, `hooks rollback` undoes it",
            run.run_id
        );
    }
}

pub(super) fn progress_line(e: &ApplyEvent) -> String {
    let id = e.subscription_id.as_deref().unwrap_or("");
    match e.phase {
        Phase::Started => format!(
            "[{}/{}] {} {} …",
            e.seq,
            e.total,
            e.action.verb(),
            e.event.event_type()
        ),
        Phase::Done => format!(
            "[{}/{}] {} {}: done {id}",
            e.seq,
            e.total,
            e.action.verb(),
            e.event.event_type()
        ),
        Phase::Failed => format!(
            "[{}/{}] {} {}: FAILED {}",
            e.seq,
            e.total,
            e.action.verb(),
            e.event.event_type(),
            e.message.as_deref().unwrap_or_default()
        ),
    }
}

pub(super) fn print_report(report: &ApplyReport) {
    for f in &report.failed {
        println!(
            "FAILED {} {}: [{}] {} {}",
            f.action.verb(),
            f.event.event_type(),
            f.problem.code,
            f.problem.message,
            f.problem.fix
        );
    }
    if let Some(p) = &report.problem {
        println!("FAILED [{}]: {} {}", p.code, p.message, p.fix);
    }
    for note in &report.replanned {
        println!("note: {note}");
    }
    println!(
        "created {}, adopted {}, updated {}, re-enabled {}, unchanged {}, failed {}",
        report.created.len(),
        report.adopted.len(),
        report.updated.len(),
        report.reenabled.len(),
        report.unchanged.len(),
        report.failed.len()
    );
    for x in &report.left_alone {
        println!(
            "exists, not ours — left alone: {} {}",
            x.subscription_id,
            x.event.event_type()
        );
    }
    if report.journal_kept {
        println!("the journal is kept: run `hooks apply` again to retry, or `hooks rollback` to undo this run");
    }
    if let Some(secret) = &report.secret {
        println!();
        println!("Secret — shown once; it is stored in {}:", secret.stored_in);
        println!("  {}: {}", secret.header, secret.value);
        println!("Configure the receiver to accept deliveries only with this header.");
    }
}

/// " in Project/repo" when the plan covers several scopes; nothing otherwise.
fn scope_of(plan: &HookPlan, spec: &ado_flows::interface::HookSpec) -> String {
    if plan.scopes.len() < 2 {
        return String::new();
    }
    let scope = plan.scopes.iter().find(|s| {
        s.project.id.eq_ignore_ascii_case(&spec.project_id)
            && s.repository.as_ref().map(|r| &r.id) == spec.repository_id.as_ref()
    });
    match scope {
        Some(s) => match &s.repository {
            Some(r) => format!(" in {}/{}", s.project.name, r.name),
            None => format!(" in {}", s.project.name),
        },
        None => format!(" in {}", spec.project_id),
    }
}
