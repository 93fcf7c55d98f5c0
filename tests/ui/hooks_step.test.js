// The webhooks step on the fake backend, as it opens: the event choices are the backend's
// (app_info), what this connection has now (hooks_overview) is listed by place and preselects
// the form, and the service-hooks gate (hooks_gate) is asked for the chosen projects: a refusal
// stops the step with its fix under the backend's code, an allowance opens Preview, a gate that
// cannot be asked leaves Preview to say why.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store, noContext } = await import("../../ui/src/store.js");
const { backend } = await import("../../ui/src/backend.js");
const { initHooks, showHooks } = await import("../../ui/src/steps/hooks.js");

let doc;
let shown = 0;
const $ = (id) => doc.getElementById(id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The parts of ui/index.html's webhooks form the step finds by name, not by id. */
function form() {
  const radio = (name, value, id) => node("input", { type: "radio", name, value, id });
  doc.body.append(
    radio("hook-scope", "projects", "hook-scope-projects"),
    radio("hook-scope", "repositories", "hook-scope-repositories"),
    radio("hook-scope", "all", "hook-scope-all"),
    radio("hook-auth", "secretHeader", "hook-auth-secret"),
    radio("hook-auth", "basic", "hook-auth-basic"),
  );
  for (const el of doc.querySelectorAll("input[type=radio]")) el.setAttribute("value", el.value);
  $("hook-scope-projects").checked = true;
  $("hook-auth-secret").checked = true;
  Object.assign($("hook-projects-picker").dataset, { scope: "projects", input: "hook-projects" });
  Object.assign($("hook-repositories-picker").dataset, { scope: "allRepositories", input: "hook-repositories" });
}

beforeEach(async () => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  recordNavigation();
  form();
  store.set("appInfo", await backend.appInfo());
  // Each test opens the step for a connection of its own (the step keeps what it showed last).
  const next = fixture("connect_with_pat");
  store.set("opened", { ...next, card: { ...next.card, id: `${next.card.id}-${++shown}` } });
  initHooks();
});

const open = async () => {
  await showHooks(store.get("opened"), noContext());
  await settle();
};
const eventBoxes = () => doc.querySelectorAll("#hook-events input[name=event]");

test("the events offered are the backend's, with its labels; a new registration starts on the Git ones", async () => {
  const events = fixture("app_info").events;
  assert.deepEqual(eventBoxes().map((b) => b.value), events.map((e) => e.value));
  assert.deepEqual(eventBoxes().map((b) => b.parent.textContent.trim()), events.map((e) => e.label));
  fake.answer("hooks_overview", { ...fixture("hooks_overview"), hooks: [] });
  await open();
  assert.equal($("hooks-lead").textContent, "None yet: this app has registered no webhook for this connection.");
  assert.deepEqual(eventBoxes().filter((b) => b.checked).map((b) => b.value), events.filter((e) => e.git).map((e) => e.value));
});

test("what exists is listed by place, and preselects the form: its receiver and its events", async () => {
  await open();
  const { hooks } = fixture("hooks_overview");
  assert.equal($("hooks-lead").textContent, `${hooks.length} webhooks registered by this app for this connection, in 1 place:`);
  assert.deepEqual(doc.querySelectorAll("#hooks-list li[data-subscription-id]").map((li) => li.dataset.subscriptionId), hooks.map((h) => h.recorded.id));
  assert.deepEqual(doc.querySelectorAll("#hooks-list li[data-subscription-id] .title").map((t) => t.textContent), hooks.map((h) => h.eventLabel));
  assert.equal($("hook-url").value, hooks[0].recorded.spec.url);
  assert.deepEqual(eventBoxes().filter((b) => b.checked).map((b) => b.value).sort(), hooks.map((h) => h.recorded.spec.event).sort());
  assert.equal($("hook-header").value, hooks[0].recorded.spec.auth.header);
  assert.match($("hook-scope-from").textContent, new RegExp(`^Preselected from the webhooks above: ${hooks[0].projectName} / ${hooks[0].repositoryName}`));
  assert.equal(doc.body.dataset.hooksPreselected, String(hooks.length));
  assert.equal($("hooks-remove").hidden, false);
});

test("the gate refuses: its message and fix under the backend's code; Preview and Apply shut", async () => {
  await open();
  const gate = fixture("hooks_gate");
  assert.equal(gate.ok, false, "the fixture is a developer's refusal");
  assert.deepEqual(fake.argsOf("hooks_gate").at(-1).projects, [fixture("hooks_overview").hooks[0].projectName]);
  const row = $("hooks-gate-row");
  assert.equal(row.dataset.status, "fail");
  assert.equal(row.dataset.code, gate.problem.code);
  assert.equal(row.querySelector(".msg").textContent, gate.problem.message);
  assert.equal(row.querySelector(".fix").textContent, gate.problem.fix);
  assert.equal($("hooks-plan").disabled, true);
  assert.equal($("hooks-apply").disabled, true);
  await $("hooks-form").dispatch("submit");
  assert.deepEqual(fake.argsOf("plan_hooks"), [], "Preview asks nothing while the gate refuses");
});

test("the gate allows: Preview opens and plans; the rows say what will be written", async () => {
  fake.answer("hooks_gate", (args) => ({ ...fixture("hooks_gate"), ok: true, problem: null, projects: args.projects.map((name) => ({ name })) }));
  await open();
  assert.equal($("hooks-gate-row").dataset.status, "pass");
  assert.equal($("hooks-gate-row").querySelector(".fix"), null);
  assert.equal($("hooks-plan").disabled, false);
  await $("hooks-form").dispatch("submit");
  const [{ request }] = fake.argsOf("plan_hooks");
  assert.equal(request.url, fixture("hooks_overview").hooks[0].recorded.spec.url);
  const plan = fixture("plan_hooks").plan;
  assert.deepEqual(doc.querySelectorAll("#hooks-plan-list li[data-action]").map((li) => li.dataset.action), plan.create.map(() => "create"));
  assert.equal($("hooks-apply").disabled, false);
});

test("the gate cannot be asked: a note with the backend's code; Preview stays open to say why", async () => {
  const error = errors.notFound();
  fake.fail("hooks_gate", error);
  await open();
  const row = $("hooks-gate-row");
  assert.equal(row.dataset.status, "warn");
  assert.equal(row.dataset.code, error.code);
  assert.equal(row.querySelector(".msg").textContent, `Could not check: ${error.message}`);
  assert.equal($("hooks-plan").disabled, false);
});

test("the overview cannot be read: the backend's error, under its code", async () => {
  const error = errors.notFound();
  fake.fail("hooks_overview", error);
  await open();
  assert.equal($("hooks-lead").textContent, "");
  assert.equal($("hooks-alert-code").textContent, error.code);
  assert.equal($("hooks-alert-fix").textContent, error.fix);
});

test("a recorded webhook: its test event says why it was not delivered; its deliveries; its page", async () => {
  const labels = Object.fromEntries(fixture("app_info").events.map((e) => [e.value, e.label]));
  await open();
  const hook = fixture("hooks_overview").hooks[0];
  const li = doc.querySelector(`#hooks-list li[data-subscription-id=${hook.recorded.id}]`);
  await li.querySelector(".test-hook").click();
  const tested = fixture("test_hook");
  assert.equal(tested.delivered, false, "the fixture's receiver did not answer");
  assert.deepEqual(fake.argsOf("test_hook"), [{ profileId: store.get("opened").card.id, subscriptionId: hook.recorded.id }]);
  assert.equal(li.querySelector(".result").textContent, `Not delivered: ${tested.errorMessage}`);
  assert.equal(li.dataset.tested, "failed");
  await li.querySelectorAll(".hook-actions button").find((b) => b.textContent === "Recent deliveries").click();
  const [delivery] = fixture("hook_history");
  assert.match(li.querySelector(".result").textContent, new RegExp(`${labels[delivery.eventType]}: ${delivery.result}$`));
  await li.querySelector(".page-link").click();
  assert.equal(li.querySelector(".page-link").dataset.opened, fixture("open_hook_page"));
});

test("a receiver refusing the secret is told which header carries the current one", async () => {
  fake.answer("test_hook", { ...fixture("test_hook"), receiverStatus: 401 });
  await open();
  const li = doc.querySelector("#hooks-list li[data-subscription-id]");
  await li.querySelector(".test-hook").click();
  const header = fixture("hooks_overview").hooks[0].recorded.spec.auth.header;
  assert.equal(li.querySelector(".result").textContent, `Not delivered: your receiver rejected the secret (401). Give it the current one (header ${header}).`);
});

test("Remove deletes what this app made, says how many, and reads the webhooks again", async () => {
  await open();
  const before = fake.argsOf("hooks_overview").length;
  await $("hooks-remove").click();
  assert.equal($("hooks-status").textContent, `Removed ${fixture("remove_hooks").removed.length} subscription(s); nothing else was touched.`);
  assert.ok(doc.body.dataset.hooksRemoved);
  assert.equal(fake.argsOf("hooks_overview").length, before + 1);
});

test("Apply: each planned row says what was done, with the subscription Azure DevOps made; the new secret shown once", async () => {
  fake.answer("hooks_gate", (args) => ({ ...fixture("hooks_gate"), ok: true, problem: null, projects: args.projects.map((name) => ({ name })) }));
  await open();
  await $("hooks-form").dispatch("submit");
  await $("hooks-apply").click();
  const report = fixture("apply_hooks");
  const rows = doc.querySelectorAll("#hooks-plan-list li[data-action]");
  assert.deepEqual(rows.map((li) => li.dataset.result), ["created", "created"]);
  const made = Object.fromEntries(report.created.map((c) => [c.event, c.subscriptionId]));
  const events = fixture("plan_hooks").plan.create.map((i) => i.spec.event);
  assert.deepEqual(rows.map((li) => li.dataset.subscriptionId), events.map((e) => made[e]));
  assert.deepEqual(rows.map((li) => li.querySelector(".mark").textContent), ["Created", "Created"]);
  assert.equal($("hooks-secret-value").value, report.secret.value);
  assert.equal($("hooks-secret-header").textContent, report.secret.header);
  assert.equal($("hooks-secret").hidden, false);
  assert.ok(doc.body.dataset.hooksApplied);
});

test("Apply refused: the backend's error under its code, and the gate asked again when it is the permission", async () => {
  // Allowed as the step opens; the permission is gone by the time Apply runs.
  let allowed = true;
  fake.answer("hooks_gate", (args) => (allowed ? { ...fixture("hooks_gate"), ok: true, problem: null, projects: args.projects.map((name) => ({ name })) } : fixture("hooks_gate")));
  await open();
  await $("hooks-form").dispatch("submit");
  const asked = fake.argsOf("hooks_gate").length;
  const problem = fixture("hooks_gate").problem;
  allowed = false;
  fake.fail("apply_hooks", problem);
  await $("hooks-apply").click();
  await settle();
  assert.equal($("hooks-alert-code").textContent, problem.code);
  assert.equal($("hooks-alert-fix").textContent, problem.fix);
  assert.equal(problem.code, "invalid_permissions", "the fixture is the permission's refusal");
  assert.equal(fake.argsOf("hooks_gate").length, asked + 1, "the gate asked again");
  assert.equal($("hooks-gate-row").dataset.status, "fail");
  assert.equal($("hooks-plan").disabled, true, "Preview shut again until the permission is back");
});
