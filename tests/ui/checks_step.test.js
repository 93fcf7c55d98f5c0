// The checks step on the fake backend: the scope table from the backend's access plan, what
// "Run checks" sends, and each check as it streams in (run_checks): a failed one open with its
// code, its fix, the server's words and the curl to reproduce it; a passing one with no code; a
// check the backend sent without a code shows none.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store, noContext } = await import("../../ui/src/store.js");
const { initChecks, showChecks } = await import("../../ui/src/steps/checks.js");

let doc;
let shown = 0;
const $ = (id) => doc.getElementById(id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  recordNavigation();
  // ui/index.html's capability boxes (a label each) and the scope table.
  const box = (value, label, checked) => node("label", { className: "check" }, node("input", { type: "checkbox", name: "capability", value, checked }), ` ${label}`);
  for (const b of [box("repositories", "Repositories", true), box("pipelines", "Pipelines", false), box("webhooks", "Webhooks", true)]) {
    b.children[0].setAttribute("value", b.children[0].value);
    doc.body.append(b);
  }
  doc.body.append(node("table", {}, node("tbody", { id: "scope-rows" })));
  Object.assign($("check-project-picker").dataset, { scope: "projects", input: "check-project" });
  const next = fixture("connect_with_pat");
  store.set("opened", { ...next, card: { ...next.card, id: `${next.card.id}-${++shown}` } });
  initChecks();
});

const run = () => $("checks-form").dispatch("submit");
const rows = () => doc.querySelectorAll("#checklist li");

test("the scope table is the backend's plan for the boxes ticked, labelled as the page labels them", async () => {
  showChecks(store.get("opened"), noContext());
  await settle();
  const plan = fixture("access_plan");
  assert.deepEqual(fake.argsOf("access_plan").at(-1).capabilities, ["repositories", "webhooks"]);
  assert.equal($("scope-rows").children.length, plan.rows.length);
  assert.equal($("scope-pat").textContent, plan.patScopes.join(", "));
  const labelled = $("scope-rows").children.map((tr) => tr.children[0].textContent);
  assert.ok(labelled.includes("Repositories"), labelled.join());
  assert.equal($("scope-pat-row").hidden, false, "a PAT connection is told its scopes");
});

test("Run checks sends the connection, the ticked capabilities, the project and the HTTP consent", async () => {
  showChecks(store.get("opened"), { ...noContext(), project: "Fiber Cloud" });
  await settle();
  $("http-consent").checked = true;
  await run();
  const [{ form }] = fake.argsOf("run_checks");
  assert.deepEqual(form, { profileId: store.get("opened").card.id, capabilities: ["repositories", "webhooks"], project: "Fiber Cloud", consentToHttp: true });
  assert.equal(doc.body.dataset.checksDone !== undefined, true);
  assert.equal($("run-checks").textContent, "Re-run");
  assert.equal($("save-report").disabled, false);
});

test("each check as it streamed: a failed one open with its code, fix and curl; a passing one without a code", async () => {
  showChecks(store.get("opened"), noContext());
  await run();
  const report = fixture("run_checks");
  assert.deepEqual(rows().map((li) => li.dataset.id), report.checks.map((c) => c.id));
  const failed = report.checks.find((c) => c.status === "fail");
  const li = rows().find((r) => r.className === "fail");
  assert.equal(li.dataset.code, failed.code);
  assert.equal(li.querySelector("details").open, true);
  assert.equal(li.querySelector("summary").textContent, `${failed.code} · how to fix`);
  assert.equal(li.querySelector("details p").textContent, failed.fix);
  assert.equal(li.querySelector("pre.curl").textContent, failed.curl);
  for (const r of rows().filter((r) => r.className === "pass")) {
    assert.equal(r.dataset.code, undefined);
    assert.equal(r.querySelector("details"), null, "nothing to fix");
  }
  assert.equal($("checks-status").textContent, "1 check(s) failed. Fix them and run again.");
});

test("a check the backend sent without a code shows none; the server's words and support id when sent", async () => {
  fake.answer("run_checks", (args) => {
    const report = fixture("run_checks");
    const warn = { ...report.checks.find((c) => c.status === "fail"), status: "warn", code: null, serverMessage: "TF400813", supportId: "E2EID 1" };
    args.onCheck.onmessage(warn);
    return { ...report, checks: [warn] };
  });
  showChecks(store.get("opened"), noContext());
  await run();
  const li = rows()[0];
  assert.equal(li.dataset.code, undefined);
  assert.equal(li.querySelector("summary").textContent, "How to fix");
  assert.equal(li.querySelector("details").open, false, "a note is not opened");
  assert.deepEqual(li.querySelectorAll("p.hint").map((p) => p.textContent), ["Server said: TF400813", "Support: E2EID 1"]);
});

test("the checks cannot run: the backend's message and fix on the status line", async () => {
  const error = errors.notFound();
  fake.fail("run_checks", error);
  showChecks(store.get("opened"), noContext());
  await run();
  assert.equal($("checks-status").textContent, `${error.message} ${error.fix}`);
  assert.equal($("run-checks").disabled, false);
});

test("Save report names the two files the backend wrote; a refusal says why", async () => {
  showChecks(store.get("opened"), noContext());
  await run();
  await $("save-report").click();
  assert.equal($("checks-status").textContent, `Saved: ${fixture("save_report").join(" and ")}`);
  const error = errors.notFound();
  fake.fail("save_report", error);
  await $("save-report").click();
  assert.equal($("checks-status").textContent, `${error.message} ${error.fix}`);
});
