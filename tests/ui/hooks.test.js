// The webhooks step's logic: a plan in words, then what Apply did to each planned row, from the
// backend's plan, apply report and overview (fake).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";

installFakeBackend();
const { applyStatus, planItems, planStatus } = await import("../../ui/src/steps/hooks.js");
const { outcome } = await import("../../ui/src/steps/hookviews.js");
const { backend } = await import("../../ui/src/backend.js");

test("the plan says what it will write, and that nothing changes until Apply", async () => {
  const plan = await backend.planHooks("p", {});
  assert.equal(planStatus(plan.plan), "The plan: 2 to create. Nothing changes until you apply it.");
  const nothing = { ...plan.plan, unchanged: plan.plan.create, create: [] };
  assert.equal(planStatus(nothing), "Nothing to change: all 2 subscriptions are already right.");
});

test("rows are listed creates first, what is already right last", () => {
  const p = fixture("plan_hooks").plan;
  const right = { ...p.create[0], action: "unchanged" };
  const items = planItems({ ...p, unchanged: [right], create: p.create });
  assert.deepEqual(items.map((i) => i.action), ["create", "create", "unchanged"]);
});

test("each planned create gets the subscription Apply made for it", async () => {
  const plan = fixture("plan_hooks").plan;
  const report = { ...(await backend.applyHooks(() => {})), failed: [], leftAlone: [] };
  const { hooks } = await backend.hooksOverview("p");
  for (const item of plan.create) {
    const made = report.created.find((c) => c.event === item.spec.event);
    assert.deepEqual(outcome(item, report, hooks), { result: "created", subscriptionId: made.subscriptionId, message: "" });
  }
  assert.equal(applyStatus(report), "Done: 2 created.");
});

test("a failed change carries the backend's problem; a match not ours is left alone", () => {
  const plan = fixture("plan_hooks").plan;
  const report = fixture("apply_hooks");
  const failed = report.failed[0];
  const update = { ...plan.create[0], action: "update", subscriptionId: failed.subscriptionId };
  const result = outcome(update, { ...report, ok: false }, []);
  assert.equal(result.result, "failed");
  assert.equal(result.message, `${failed.problem.message} ${failed.problem.fix}`);
  const create = plan.create.find((i) => i.spec.event === report.leftAlone[0].event);
  assert.deepEqual(outcome(create, { ...report, failed: [] }, []), { result: "unchanged", subscriptionId: report.leftAlone[0].subscriptionId, message: "exists, not ours: left alone" });
  assert.match(applyStatus({ ...report, ok: false }), /1 failed\. Retry with "Finish it", or roll back\.$/);
});

test("a create Azure DevOps did not confirm is not shown as done", () => {
  const plan = fixture("plan_hooks").plan;
  const empty = { ...fixture("apply_hooks"), created: [], failed: [], leftAlone: [] };
  assert.equal(outcome(plan.create[0], empty, []).result, "failed");
});
