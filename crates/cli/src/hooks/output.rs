//! Printing plans, progress and reports as lines (`--json` prints the flows' documents).

use ado_flows::hooks::{ApplyEvent, ApplyReport, HookPlan, Phase};

pub(super) fn print_json(value: serde_json::Value) {
    println!("{}", crate::terminal::json(&value));
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
