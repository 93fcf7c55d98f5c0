// The product step (DX) on the fake backend: "Check access" sends each connector's token and
// shows what the real checks streamed and answered (a row per restriction, a group per token,
// a failed row with ADO Connect's code, DX's own code and the fix); Next and the webhooks open
// only once they passed, and Next goes to the hand-off; DX's webhooks are planned then
// registered. A picked profile that is broken is shown with each mistake and the backend's code.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend, variants } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store, noContext } = await import("../../ui/src/store.js");
const { backend } = await import("../../ui/src/backend.js");
const { initProduct, showProduct } = await import("../../ui/src/steps/product.js");
const page = await import("../../ui/src/product.js");

let doc;
let moves;
let shown = 0;
const $ = (id) => doc.getElementById(id);
const opened = () => store.get("opened");
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(async () => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  doc.body.append(node("table", {}, node("tbody", { id: "product-access" })));
  moves = recordNavigation();
  store.set("loaded", (await backend.productInfo()).loaded);
  // Each test opens the step for a connection of its own (the step keeps what it showed last).
  const next = fixture("connect_with_pat");
  store.set("opened", { ...next, card: { ...next.card, id: `${next.card.id}-${++shown}` } });
  initProduct();
  showProduct(opened(), noContext());
});

/** Types each of DX's connector tokens (and its expiry date) into the step's fields. */
function typeTokens() {
  for (const input of doc.querySelectorAll("#product-connectors input[type=password]")) {
    input.value = `token-of-${input.dataset.connector}`;
    $(`${input.id}-expiry`).value = "2099-01-31";
  }
}

const checkAccess = () => $("product-form").dispatch("submit");
const rows = () => doc.querySelectorAll("#product-checklist li:not(.group)");

test("DX asks for a token per connector; Next and its webhooks stay shut until the checks pass", () => {
  const dx = store.get("loaded").profile;
  const inputs = doc.querySelectorAll("#product-connectors input[type=password]");
  assert.deepEqual(inputs.map((i) => i.dataset.connector), dx.connectors.map((c) => c.id));
  assert.ok(inputs.every((i) => $(`${i.id}-expiry`)), "DX wants each token's expiry date");
  assert.equal($("product-next").disabled, true);
  assert.equal($("product-next-hint").textContent, 'Run "Check access" first: the hand-off opens once everything DX needs passes.');
  assert.equal($("product-hooks-plan").disabled, true);
});

test("Check access sends each connector's token with its date, and the project the step holds", async () => {
  page.setDetail("project", "Fiber Cloud");
  typeTokens();
  await checkAccess();
  const [{ form }] = fake.argsOf("product_check");
  assert.equal(form.profileId, opened().card.id);
  assert.equal(form.project, "Fiber Cloud");
  assert.deepEqual(
    form.pats,
    store.get("loaded").profile.connectors.map((c) => ({ connector: c.id, index: 0, pat: `token-of-${c.id}`, expiresOn: "2099-01-31" })),
  );
});

test("failed: each failing row names ADO Connect's code, DX's own and the fix; Next stays shut", async () => {
  fake.answer("product_check", variants.productCheckFailed);
  typeTokens();
  await checkAccess();
  const report = fixture("product_check_failed");
  const failing = report.connectors.flatMap((c) => c.checks).filter((c) => c.status === "fail");
  assert.ok(failing.length > 0 && failing.every((c) => c.code && c.productCode), "the fixture fails with both codes");
  const shown = rows().filter((li) => li.className === "fail");
  assert.equal(shown.length, failing.length);
  for (const [i, li] of shown.entries()) {
    assert.deepEqual(li.querySelectorAll(".code").map((s) => s.textContent), [failing[i].productCode, failing[i].code]);
    assert.equal(li.querySelector(".fix").textContent, failing[i].fix);
    assert.equal(li.dataset.code, failing[i].code);
  }
  for (const li of rows().filter((li) => li.className === "pass")) assert.equal(li.querySelector(".code"), null, "a passing row shows no code");
  assert.equal($("product-status").textContent, `${failing.length === 1 ? "1 check failed" : `${failing.length} checks failed`}: see the fixes below.`);
  assert.equal($("product-next").disabled, true);
  assert.equal(doc.body.dataset.productChecks, "failed");
  assert.ok(doc.querySelectorAll("#product-connectors input[type=password]").every((i) => i.value), "the tokens stay to be fixed");
  await $("product-next").click();
  assert.deepEqual(moves, [], "Next goes nowhere");
});

test("one row per restriction, one group per token, open where a check failed", async () => {
  fake.answer("product_check", variants.productCheckFailed);
  await checkAccess();
  const report = fixture("product_check_failed");
  const restrictions = $("product-checklist").children.filter((li) => !li.className.startsWith("group"));
  assert.deepEqual(restrictions.map((li) => li.querySelector(".title").textContent), report.restrictions.map((r) => r.title));
  const groups = doc.querySelectorAll("#product-checklist li.group");
  assert.deepEqual(groups.map((g) => g.dataset.credential), report.connectors.map((c) => `${c.connector}#${c.index}`));
  for (const [i, g] of groups.entries()) {
    const failed = report.connectors[i].checks.some((c) => c.status === "fail");
    assert.equal(g.querySelector("details").open, failed, `${g.dataset.credential} open only when it failed`);
    assert.equal(g.querySelectorAll("ul li").length, report.connectors[i].checks.length);
  }
});

test("a failed row without ADO Connect's code shows only the product's: no code is made up", async () => {
  fake.answer("product_check", (args) => {
    const report = variants.productCheckFailed(args);
    for (const c of report.connectors) for (const check of c.checks) if (check.status === "fail") check.code = null;
    return report;
  });
  await checkAccess();
  const failed = rows().filter((li) => li.className === "fail");
  assert.ok(failed.length > 0);
  for (const li of failed) assert.deepEqual(li.querySelectorAll(".code").map((s) => s.className), ["code product-code"]);
});

test("passed: everything DX needs is in place, the tokens are cleared, Next opens the hand-off", async () => {
  typeTokens();
  await checkAccess();
  assert.equal($("product-status").textContent, "Everything DX needs is in place.");
  assert.equal($("product-status").className, "status ok");
  assert.equal(doc.body.dataset.productChecks, "passed");
  assert.equal($("product-next").disabled, false);
  assert.equal($("product-next-hint").textContent, "");
  assert.ok(doc.querySelectorAll("#product-connectors input").every((i) => !i.value), "the secrets do not stay in the page");
  await $("product-next").click();
  assert.deepEqual(moves, [{ to: "open", step: "handoff", opened: opened() }]);
});

test("another project after a pass: the checks run again before Next", async () => {
  await checkAccess();
  const project = doc.querySelector("#product-details input");
  project.value = "Tailwind Traders";
  await project.dispatch("input");
  assert.equal($("product-next").disabled, true);
  assert.equal($("product-status").textContent, "The choice changed: check access again.");
});

test("the checks refused: the backend's error under its code, nothing passes", async () => {
  const error = errors.notFound();
  fake.fail("product_check", error);
  await checkAccess();
  assert.equal($("product-alert-code").textContent, error.code);
  assert.equal($("product-alert-message").textContent, error.message);
  assert.equal($("product-alert-fix").textContent, error.fix);
  assert.equal($("product-next").disabled, true);
  assert.equal($("product-run-checks").disabled, false, "the user can try again");
});

test("DX's webhooks: planned once the checks passed, then registered", async () => {
  await checkAccess();
  assert.equal($("product-hooks-plan").disabled, false);
  $("product-secret").value = "dx-given-secret";
  await $("product-hooks-plan").click();
  const plan = fixture("product_hooks_plan");
  assert.equal(fake.argsOf("product_hooks_plan")[0].form.secret, "dx-given-secret");
  assert.deepEqual(doc.querySelectorAll("#product-hooks-list li .title").map((t) => t.textContent), plan.plans.map((p) => p.project.name));
  assert.match($("product-hooks-status").textContent, new RegExp(`to ${plan.url} with ${plan.header}: \\d+ to change\\.$`));
  assert.equal($("product-hooks-apply").disabled, false);
  await $("product-hooks-apply").click();
  const report = fixture("product_hooks_apply");
  const created = report.runs.reduce((n, r) => n + r.report.created.length, 0);
  assert.equal($("product-hooks-status").textContent, `Registered: ${created} created, 0 adopted, 0 updated, 0 already right.`);
  assert.equal(doc.body.dataset.productHooks, "registered");
  assert.equal($("product-secret").value, "", "the secret does not stay in the page");
});

test("a broken profile picked: each mistake with its line, column and field, under the backend's code", async () => {
  doc = installDom([], { anyId: true });
  page.initProduct(null, backend);
  $("profile-file").files = [{ name: "broken.toml", text: async () => "format = 1" }];
  await $("profile-file").dispatch("change");
  await settle();
  const refused = fixture("open_product_profile_refused");
  assert.deepEqual(fake.argsOf("open_product_profile"), [{ name: "broken.toml", text: "format = 1" }]);
  const box = $("profile-error");
  assert.equal(box.hidden, false);
  assert.equal(box.querySelector(".code").textContent, refused.code);
  assert.match(box.querySelector(".alert-title").textContent, /The product profile broken\.toml could not be used\./);
  assert.deepEqual(
    box.querySelectorAll("li").map((li) => li.textContent),
    refused.profile.errors.map((e) => `line ${e.line}, column ${e.column}: ${e.field}: ${e.message}`),
  );
  assert.equal(box.querySelector(".alert-fix").textContent, refused.fix, "the backend's fix, not words of the page's own");
  assert.equal($("profile-file").value, "", "the same file can be picked again");
});

test("a profile refused without a code shows none", async () => {
  doc = installDom([], { anyId: true });
  const refused = fixture("open_product_profile_refused");
  fake.fail("open_product_profile", { ...refused, code: null });
  page.initProduct(null, backend);
  $("profile-file").files = [{ name: "broken.toml", text: async () => "" }];
  await $("profile-file").dispatch("change");
  await settle();
  assert.equal($("profile-error").querySelector(".code"), null);
  assert.equal($("profile-error").querySelectorAll("li").length, refused.profile.errors.length);
});
