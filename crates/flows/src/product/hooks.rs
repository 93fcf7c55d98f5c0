//! A product's webhooks through the existing hooks flows: one [`HookRequest`] per project (or
//! per chosen repository), with the profile's events, receiver URL (its template completed),
//! header, and the secret the product gave or the wizard generates. Plans and applies go
//! through [`crate::hooks::plan_hooks`] and [`crate::hooks::apply_plan`], so reconciliation,
//! the journal and the records are the same as without a profile. Both need a
//! [`Cleared`]: the connection passed the product's checks.

use std::collections::BTreeMap;

use ado_client::AdoClient;
use ado_core::checks::{CheckCode, Problem};
use ado_core::product::handoff::render;
use ado_core::product::{HookCreator, HookScope, ProductProfile, SecretOrigin};
use ado_core::target::Field;
use secrecy::SecretString;
use serde::Serialize;

use super::gate::Cleared;
use crate::hooks::{
    apply_plan, plan_hooks, ApplyEvent, ApplyReport, AuthChoice, HookPlan, HookRecords,
    HookRequest, SecretChoice,
};

/// What to register.
#[derive(Clone)]
pub struct ProductHooksRequest {
    /// Values for the receiver URL's placeholders (`dx_url`).
    pub placeholders: BTreeMap<String, String>,
    /// `each_project`: the projects (names or ids); empty = every project the credential sees.
    pub projects: Vec<String>,
    /// `chosen_repositories`: `(project, repository)` pairs, at least one.
    pub repositories: Vec<(String, String)>,
    /// The secret the product gave (profiles with `secret = "product"`).
    pub secret: Option<SecretString>,
}

/// The plans, one per project or repository, for the preview.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductHookPlan {
    /// The product.
    pub product: String,
    /// The receiver URL, completed.
    pub url: String,
    /// The header.
    pub header: String,
    /// One plan per project or repository.
    pub plans: Vec<HookPlan>,
}

/// One project's (or repository's) run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductHookRun {
    /// The project.
    pub project: String,
    /// The repository, for `chosen_repositories`.
    pub repository: Option<String>,
    /// What the hooks flows did.
    pub report: ApplyReport,
}

/// What [`apply_product_hooks`] did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductHooksReport {
    /// True when every run succeeded.
    pub ok: bool,
    /// The runs, in order.
    pub runs: Vec<ProductHookRun>,
}

fn invalid(message: String, fix: &str, field: Option<Field>) -> Problem {
    Problem {
        code: CheckCode::InvalidInput,
        field,
        message,
        fix: fix.into(),
        server_message: None,
        support_id: None,
    }
}

/// The hooks requests the profile makes, with the receiver URL completed.
async fn requests(
    profile: &ProductProfile,
    client: &AdoClient,
    records: &HookRecords,
    request: &ProductHooksRequest,
    applying: bool,
) -> Result<(String, String, Vec<HookRequest>), crate::Error> {
    let Some(rule) = &profile.webhooks else {
        return Err(invalid(
            format!("{} registers no webhooks.", profile.product.name),
            "Nothing to do: the profile has no [webhooks] section.",
            None,
        )
        .into());
    };
    if rule.created_by == HookCreator::Product {
        return Err(invalid(
            format!(
                "{} creates its webhooks itself once connected; ADO Connect only checked that it may.",
                profile.product.name
            ),
            "Nothing to register here: finish the hand-off and the product creates them.",
            None,
        ).into());
    }
    let url = render(&rule.url, &|name| {
        request
            .placeholders
            .get(name)
            .cloned()
            .or_else(|| profile.placeholder(name).and_then(|p| p.default.clone()))
            .filter(|v| !v.trim().is_empty())
    })
    .map_err(|missing| {
        let label = profile
            .placeholder(&missing.0)
            .map(|p| p.label.clone())
            .unwrap_or(missing.0.clone());
        invalid(
            format!("The webhook URL needs {label} ({{{}}}).", missing.0),
            "Fill it in: it is the address the product gave you.",
            None,
        )
    })?;
    // Each product's webhooks carry their own secret (`product-hook-secret:{id}`), never the
    // connection's or another product's: a second product's receiver cannot forge the first's.
    let name = super::product_hook_secret_name(&super::secrets_key(profile));
    let secret = match (rule.secret, &request.secret) {
        (SecretOrigin::Product, Some(value)) => {
            if applying {
                records.store_secret(&name, value)?;
            }
            SecretChoice::Provided {
                value: value.clone(),
            }
        }
        (SecretOrigin::Product, None) => {
            return Err(invalid(
                format!(
                    "{} gives the webhook secret for {}.",
                    profile.product.name, rule.header
                ),
                "Paste the webhook secret from the product's Azure DevOps setup page.",
                None,
            )
            .into())
        }
        (SecretOrigin::Wizard, _) => {
            let value = match records.stored_secret(&name)? {
                Some(value) => value,
                None => {
                    let value = crate::hooks::secret::generate_secret();
                    records.store_secret(&name, &value)?;
                    value
                }
            };
            SecretChoice::Provided { value }
        }
    };
    let auth = AuthChoice::SecretHeader {
        header: Some(rule.header.clone()),
        secret,
    };
    let make = |project: String, repository: Option<String>| HookRequest {
        project,
        projects: Vec::new(),
        all_projects: false,
        repository,
        repositories: Vec::new(),
        take_over: false,
        branch: None,
        events: rule.events.clone(),
        url: url.clone(),
        auth: auth.clone(),
    };
    let list = match rule.scope {
        HookScope::EachProject if request.projects.is_empty() => client
            .all_projects()
            .await
            .map_err(|e| {
                invalid(
                    format!("Could not list the projects: {e}"),
                    "Check the connection first.",
                    None,
                )
            })?
            .into_iter()
            .map(|p| make(p.name, None))
            .collect(),
        HookScope::EachProject => request
            .projects
            .iter()
            .map(|p| make(p.clone(), None))
            .collect(),
        HookScope::ChosenRepositories if request.repositories.is_empty() => {
            return Err(invalid(
                format!(
                    "{} wants webhooks on chosen repositories: choose at least one.",
                    profile.product.name
                ),
                "Pick the repositories (project and repository).",
                Some(Field::Url),
            )
            .into())
        }
        HookScope::ChosenRepositories => request
            .repositories
            .iter()
            .map(|(p, r)| make(p.clone(), Some(r.clone())))
            .collect(),
    };
    Ok((url, rule.header.clone(), list))
}

/// Plans every subscription the profile asks for; changes nothing.
pub async fn plan_product_hooks(
    cleared: &Cleared,
    client: &AdoClient,
    records: &HookRecords,
    request: &ProductHooksRequest,
) -> Result<ProductHookPlan, crate::Error> {
    let profile = cleared.profile();
    let (url, header, list) = requests(profile, client, records, request, false).await?;
    let mut plans = Vec::new();
    for r in &list {
        plans.push(plan_hooks(client, records, r).await?);
    }
    Ok(ProductHookPlan {
        product: profile.product.name.clone(),
        url,
        header,
        plans,
    })
}

/// Plans and applies, project after project (a generated secret is stored by the first run and
/// kept by the next ones, so every subscription carries the same one).
pub async fn apply_product_hooks(
    cleared: &Cleared,
    client: &AdoClient,
    records: &HookRecords,
    request: &ProductHooksRequest,
    progress: &(dyn Fn(&ApplyEvent) + Sync),
) -> Result<ProductHooksReport, crate::Error> {
    let (_, _, list) = requests(cleared.profile(), client, records, request, true).await?;
    let mut runs = Vec::new();
    for r in &list {
        let plan = plan_hooks(client, records, r).await?;
        let report = apply_plan(client, records, &plan, progress).await?;
        runs.push(ProductHookRun {
            project: plan.project.name.clone(),
            repository: plan.repository.as_ref().map(|r| r.name.clone()),
            report,
        });
        if !runs.last().is_some_and(|r| r.report.ok) {
            break;
        }
    }
    Ok(ProductHooksReport {
        ok: runs.iter().all(|r| r.report.ok),
        runs,
    })
}
