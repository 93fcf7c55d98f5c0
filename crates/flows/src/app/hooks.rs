//! The webhooks step's actions: what exists, the gate, plan → apply, recover or roll back an
//! interrupted run, a test event, the deliveries, remove.

use serde::Serialize;

use super::App;
use crate::hooks::{
    self, ApplyEvent, ApplyOptions, ApplyReport, Delivery, HookGate, HookPlan, HookRequest,
    HookState, InterruptedRun, RemoveReport, RollbackReport, Session, SubscriptionId, TestDelivery,
};
use crate::{Error, Missing, ProfileId};

/// A recorded webhook with the names of its project and repository.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookView {
    #[serde(flatten)]
    state: HookState,
    /// How people call the event.
    event_label: &'static str,
    project_name: Option<String>,
    repository_name: Option<String>,
}

/// The webhook step's starting point: the hooks this app recorded, their status, and any
/// interrupted run.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HooksOverview {
    hooks: Vec<HookView>,
    interrupted: Option<InterruptedRun>,
}

impl App {
    /// A client of the saved connection (its credential refreshed if need be) and its records.
    pub(super) async fn hooks_session(&self, profile_id: &ProfileId) -> Result<Session, Error> {
        let settings = self.settings()?;
        hooks::open_session(self.connections()?, profile_id, &settings).await
    }

    /// This connection's webhooks as the server has them, named from the catalog when the
    /// connection was verified in this run, and any interrupted run.
    pub async fn hooks_overview(&self, profile_id: &ProfileId) -> Result<HooksOverview, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        let catalog = self.catalog(profile_id);
        let hooks = hooks::list_hooks(&client, &records)
            .await?
            .into_iter()
            .map(|hook| {
                let spec = &hook.recorded.spec;
                let (project_name, repository_name) = catalog
                    .as_ref()
                    .map(|c| c.names_for(&spec.project_id, spec.repository_id.as_deref()))
                    .unwrap_or_default();
                HookView {
                    event_label: spec.event.label(),
                    project_name,
                    repository_name,
                    state: hook,
                }
            })
            .collect();
        Ok(HooksOverview {
            hooks,
            interrupted: records.interrupted()?,
        })
    }

    /// May the signed-in user edit service-hook subscriptions in `projects`? Asked as the step
    /// opens, before anything is planned.
    pub async fn hooks_gate(
        &self,
        profile_id: &ProfileId,
        projects: &[String],
    ) -> Result<HookGate, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::hook_gate(&client, &records, projects).await
    }

    /// The Azure DevOps page that lists a subscription this connection registered (its
    /// project's Service hooks settings), made from the saved connection, never from the page.
    pub async fn hook_page(
        &self,
        profile_id: &ProfileId,
        subscription_id: &SubscriptionId,
    ) -> Result<String, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::hook_page(&client, &records, subscription_id).await
    }

    /// Plans what to create, adopt, update or re-enable; nothing changes yet. The plan (with any
    /// generated secret, in memory only) is kept for [`App::apply_hooks`].
    pub async fn plan_hooks(
        &self,
        profile_id: ProfileId,
        request: &HookRequest,
    ) -> Result<HookPlan, Error> {
        let Session { client, records } = self.hooks_session(&profile_id).await?;
        let plan = hooks::plan_hooks(&client, &records, request).await?;
        *self.hook_plan.lock().expect("plan lock") = Some((profile_id, plan.clone()));
        Ok(plan)
    }

    /// Applies the kept plan (at most once), streaming progress; the service-hooks permission is
    /// asked again first, so nothing is created without it.
    pub async fn apply_hooks(
        &self,
        progress: &(dyn Fn(&ApplyEvent) + Sync),
    ) -> Result<ApplyReport, Error> {
        let kept = self.hook_plan.lock().expect("plan lock").take();
        let (profile_id, plan) = kept.ok_or_else(|| Error::nothing_yet(Missing::Plan))?;
        let Session { client, records } = self.hooks_session(&profile_id).await?;
        hooks::apply_checked(&client, &records, &plan, progress).await
    }

    /// Finishes an interrupted run.
    pub async fn recover_hooks(
        &self,
        profile_id: &ProfileId,
        progress: &(dyn Fn(&ApplyEvent) + Sync),
    ) -> Result<ApplyReport, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::recover(&client, &records, progress).await
    }

    /// Rolls an interrupted run back: deletes what it created.
    pub async fn rollback_hooks(&self, profile_id: &ProfileId) -> Result<RollbackReport, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::rollback(&client, &records).await
    }

    /// Sends a test event through one subscription; the receiver's answer.
    pub async fn test_hook(
        &self,
        profile_id: &ProfileId,
        subscription_id: &SubscriptionId,
    ) -> Result<TestDelivery, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::send_test(&client, &records, subscription_id).await
    }

    /// The last 20 deliveries of one subscription.
    pub async fn hook_history(
        &self,
        profile_id: &ProfileId,
        subscription_id: &SubscriptionId,
    ) -> Result<Vec<Delivery>, Error> {
        self.hook_deliveries(profile_id, subscription_id, 20).await
    }

    /// Deletes exactly the subscriptions this app created or adopted.
    pub async fn remove_hooks(&self, profile_id: &ProfileId) -> Result<RemoveReport, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::remove_hooks(&client, &records).await
    }

    /// The recorded webhooks as the server has them, and any interrupted run (an unreadable
    /// journal reads as none here: `apply` and `discard-journal` name it).
    pub async fn recorded_hooks(&self, profile_id: &ProfileId) -> Result<RecordedHooks, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        Ok(RecordedHooks {
            hooks: hooks::list_hooks(&client, &records).await?,
            interrupted: records.interrupted().ok().flatten(),
        })
    }

    /// Finishes an interrupted run first (`on_interrupted` hears of it), plans `request`
    /// (`on_plan` hears the plan) and applies it, streaming `progress`. A plan that replaces the
    /// secret of subscriptions that deliver already needs `confirm_secret_change`.
    pub async fn apply_hooks_now(
        &self,
        profile_id: &ProfileId,
        request: &HookRequest,
        confirm_secret_change: bool,
        on_interrupted: impl FnOnce(&InterruptedRun),
        on_plan: impl FnOnce(&HookPlan),
        progress: &(dyn Fn(&ApplyEvent) + Sync),
    ) -> Result<HooksApplied, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        let mut recovered = None;
        if let Some(run) = records.interrupted()? {
            on_interrupted(&run);
            let report = hooks::recover(&client, &records, progress).await?;
            if !report.ok {
                return Ok(HooksApplied::RecoveryFailed(Box::new(report)));
            }
            recovered = Some(report);
        }
        let plan = hooks::plan_hooks(&client, &records, request).await?;
        on_plan(&plan);
        let options = ApplyOptions {
            confirm_secret_change,
            ..ApplyOptions::default()
        };
        let report = hooks::apply_plan_with(&client, &records, &plan, &options, progress).await?;
        Ok(HooksApplied::Applied(Box::new(AppliedHooks {
            recovered,
            plan,
            report,
        })))
    }

    /// Sends a test event through one subscription, or through every recorded one.
    pub async fn test_hooks(
        &self,
        profile_id: &ProfileId,
        subscription_id: Option<SubscriptionId>,
    ) -> Result<Vec<TestDelivery>, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        let ids = match subscription_id {
            Some(id) => vec![id],
            None => records.recorded()?.into_iter().map(|h| h.id).collect(),
        };
        let mut tests = Vec::new();
        for id in ids {
            tests.push(hooks::send_test(&client, &records, &id).await?);
        }
        Ok(tests)
    }

    /// The last `max` deliveries of one subscription.
    pub async fn hook_deliveries(
        &self,
        profile_id: &ProfileId,
        subscription_id: &SubscriptionId,
        max: u32,
    ) -> Result<Vec<Delivery>, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::history(&client, &records, subscription_id, max).await
    }

    /// Puts a new secret on every recorded subscription that uses the secret header.
    pub async fn rotate_hook_secret(
        &self,
        profile_id: &ProfileId,
        progress: &(dyn Fn(&ApplyEvent) + Sync),
    ) -> Result<ApplyReport, Error> {
        let Session { client, records } = self.hooks_session(profile_id).await?;
        hooks::rotate_secret(&client, &records, progress).await
    }

    /// Discards a journal that cannot be read; false when there was none.
    pub async fn discard_hook_journal(&self, profile_id: &ProfileId) -> Result<bool, Error> {
        let Session { records, .. } = self.hooks_session(profile_id).await?;
        hooks::discard_journal(&records)
    }
}

/// The webhooks this connection recorded, as the server has them.
#[derive(Serialize)]
pub struct RecordedHooks {
    /// Each recorded subscription's state.
    pub hooks: Vec<HookState>,
    /// A run that did not finish, if any.
    pub interrupted: Option<InterruptedRun>,
}

/// What [`App::apply_hooks_now`] did.
pub enum HooksApplied {
    /// The interrupted run could not be finished; nothing new was planned.
    RecoveryFailed(Box<ApplyReport>),
    /// Applied (after finishing an interrupted run, if there was one).
    Applied(Box<AppliedHooks>),
}

/// What an apply did, after finishing an interrupted run if there was one.
pub struct AppliedHooks {
    /// The interrupted run finished first.
    pub recovered: Option<ApplyReport>,
    /// What was planned.
    pub plan: HookPlan,
    /// What was done.
    pub report: ApplyReport,
}
