// The hand-off step (DX, once its checks passed) on the fake backend: a row per value with Reveal
// and Copy for a secret, nothing handed over while a required value is missing, the export,
// and the POST: asked first (where it goes, what it carries, a local address ticked apart), then
// each request's answer, or the product's refusal with its fix and its own words. Refused
// before the checks passed: the backend's error and the way back.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend, variants } from "./support/fake-backend.js";
import { installDom } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { backend } = await import("../../ui/src/backend.js");
const { initHandoff, showHandoff } = await import("../../ui/src/steps/handoff.js");

let doc;
let moves;
let copied;
const $ = (id) => doc.getElementById(id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const panel = () => fixture("handoff_panel_dx");

beforeEach(async () => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  moves = recordNavigation();
  copied = [];
  globalThis.navigator = { clipboard: { writeText: async (text) => copied.push(text) } };
  store.set("loaded", (await backend.productInfo()).loaded);
  store.set("opened", fixture("connect_with_pat"));
  initHandoff();
});

const show = () => showHandoff(store.get("opened"));
const rowOf = (key) => doc.querySelectorAll("#handoff-fields .handoff-field").find((li) => li.dataset.key === key);

test("one row per value DX takes, secrets hidden, each with Reveal and Copy; every way to hand over open", async () => {
  await show();
  const fields = panel().panel.fields;
  assert.deepEqual(doc.querySelectorAll("#handoff-fields .handoff-field").map((li) => li.dataset.key), fields.map((f) => f.key));
  for (const f of fields) {
    const row = rowOf(f.key);
    assert.equal(row.querySelector("label").textContent, f.label);
    assert.equal(row.querySelector("input").type, "password", `${f.label} is hidden`);
    assert.equal(row.querySelector(".reveal").disabled, false);
    assert.equal(row.querySelector(".copy").disabled, false);
  }
  assert.equal($("handoff-missing").hidden, true);
  assert.equal($("handoff-send").disabled, false);
  assert.equal($("handoff-send").textContent, "Send to DX");
  assert.equal($("handoff-token-label").textContent, panel().deliveries.tokenLabel);
  assert.equal($("handoff-export").disabled, false);
  assert.equal($("handoff-script").disabled, false);
  assert.equal(doc.body.dataset.handoff, "shown");
});

test("Reveal asks the backend for that value only and shows it; Hide hides it again", async () => {
  await show();
  const key = panel().panel.fields[0].key;
  const row = rowOf(key);
  await row.querySelector(".reveal").click();
  assert.deepEqual(fake.argsOf("handoff_value").map((a) => a.key), [key]);
  assert.equal(row.querySelector("input").value, fixture("handoff_value"));
  assert.equal(row.querySelector("input").type, "text");
  assert.equal(row.querySelector(".reveal").textContent, "Hide");
  await row.querySelector(".reveal").click();
  assert.equal(row.querySelector("input").type, "password");
  assert.notEqual(row.querySelector("input").value, fixture("handoff_value"));
  assert.equal(fake.argsOf("handoff_value").length, 1, "hiding asks nothing");
});

test("Copy of a secret copies the backend's value; a value not kept says so", async () => {
  await show();
  const [first, second] = panel().panel.fields;
  await rowOf(first.key).querySelector(".copy").click();
  assert.deepEqual(copied, [fixture("handoff_value")]);
  fake.answer("handoff_value", null);
  await rowOf(second.key).querySelector(".copy").click();
  assert.equal(copied.length, 1, "nothing copied");
  assert.equal($("handoff-file-status").textContent, `${second.label}: not kept for this connection.`);
});

test("a required value missing: named, asked for above the fields, and nothing can be revealed, copied, exported or sent", async () => {
  const missing = variants.handoffMissing().missing;
  fake.answer("handoff_panel", () => ({ ...panel(), missing }));
  await show();
  assert.equal($("handoff-missing").hidden, false);
  assert.equal($("handoff-missing").textContent, `DX also needs ${missing.map((m) => m.label).join(", ")}: until then nothing can be copied, exported or sent.`);
  assert.deepEqual(doc.querySelectorAll("#handoff-details .field").map((f) => f.dataset.detail), missing.map((m) => m.placeholder));
  for (const f of panel().panel.fields) {
    assert.equal(rowOf(f.key).querySelector(".reveal").disabled, true);
    assert.equal(rowOf(f.key).querySelector(".copy").disabled, true);
  }
  assert.equal($("handoff-send").disabled, true);
  assert.equal($("handoff-export").disabled, true);
  assert.equal($("handoff-script").disabled, true);
});

test("Export names the file saved; without secrets unless the box is ticked", async () => {
  await show();
  await $("handoff-export").click();
  assert.equal(fake.argsOf("handoff_export")[0].includeSecrets, false);
  assert.equal($("handoff-file-status").textContent, `Saved ${fixture("handoff_export").path}.`);
  $("handoff-include-secrets").checked = true;
  await $("handoff-export").click();
  assert.equal(fake.argsOf("handoff_export")[1].includeSecrets, true);
  const error = errors.notFound();
  fake.fail("handoff_export", error);
  await $("handoff-export").click();
  assert.equal($("handoff-file-status").textContent, `${error.message} ${error.fix}`);
});

test("the script: its text shown, and how many subscriptions it recreates", async () => {
  await show();
  await $("handoff-script").click();
  const script = fixture("handoff_script");
  assert.equal($("handoff-script-text").textContent, script.text);
  assert.equal($("handoff-script-text").hidden, false);
  assert.match($("handoff-file-status").textContent, new RegExp(`^Saved .*: it recreates ${script.subscriptions} webhook subscription`));
});

test("Send asks first: where it goes, its addresses, what it carries; a local address needs its own tick", async () => {
  await show();
  $("handoff-token").value = "dx-api-token";
  await $("handoff-send").click();
  const { preview, problem } = fixture("handoff_post_consent");
  assert.deepEqual(fake.argsOf("handoff_post").map((a) => [a.token, a.consent]), [["dx-api-token", null]]);
  assert.equal($("handoff-consent").hidden, false);
  assert.equal(doc.body.dataset.handoffPost, "consent");
  assert.equal($("handoff-consent-title").textContent, problem.message);
  assert.equal($("handoff-consent-fix").textContent, problem.fix);
  assert.equal($("handoff-consent-url").textContent, preview.url);
  assert.equal($("handoff-consent-addresses").textContent, preview.addresses.join(", "));
  assert.deepEqual($("handoff-consent-carries").children.map((li) => li.textContent), preview.carries);
  assert.ok(preview.local, "the fixture's API is on this machine");
  assert.equal($("handoff-consent-local-row").hidden, false);
  assert.equal($("handoff-consent-send").disabled, true, "not before the local tick");
  $("handoff-consent-local").checked = true;
  await $("handoff-consent-local").dispatch("change");
  assert.equal($("handoff-consent-send").disabled, false);
  assert.equal($("handoff-post-result").children.length, 0, "nothing was sent");
});

test("sent once confirmed: the consent names the host; each request's answer, and the token leaves the page", async () => {
  await show();
  $("handoff-token").value = "dx-api-token";
  await $("handoff-send").click();
  $("handoff-consent-local").checked = true;
  await $("handoff-consent-local").dispatch("change");
  await $("handoff-consent-send").click();
  const { preview, report } = fixture("handoff_post_sent");
  assert.deepEqual(fake.argsOf("handoff_post")[1].consent, { host: preview.host, allowLocal: true });
  assert.deepEqual(
    $("handoff-post-result").children.map((li) => li.querySelector(".msg").textContent),
    report.delivered.map((d) => `accepted (HTTP ${d.status})`),
  );
  assert.equal($("handoff-post-status").textContent, `Delivered to DX (${report.url}).`);
  assert.equal(doc.body.dataset.handoffPost, "delivered");
  assert.equal($("handoff-token").value, "");
  assert.equal($("handoff-consent").hidden, true);
});

test("refused by the product: the failed request, the fix, and what the product answered", async () => {
  fake.answer("handoff_post", (args) => (args.consent ? variants.handoffRefused() : fixture("handoff_post_consent")));
  await show();
  await $("handoff-send").click();
  $("handoff-consent-local").checked = true;
  await $("handoff-consent-send").click();
  const { failed } = variants.handoffRefused().report;
  const row = $("handoff-post-result").querySelector("li.fail");
  assert.equal(row.querySelector(".title").textContent, failed.what);
  assert.equal(row.querySelector(".msg").textContent, failed.problem.message);
  assert.equal(row.querySelector(".fix").textContent, failed.problem.fix);
  assert.equal(row.querySelector(".answer").textContent, `DX answered: ${failed.answer}`);
  assert.equal($("handoff-post-status").textContent, "DX refused it.");
  assert.equal(doc.body.dataset.handoffPost, "refused");
});

test("refused before the checks passed: the backend's error, nothing of the hand-off, the way back", async () => {
  const error = errors.notFound();
  fake.fail("handoff_panel", error);
  await show();
  assert.equal($("handoff-body").hidden, true);
  assert.equal($("handoff-refused").hidden, false);
  assert.equal($("handoff-alert-code").textContent, error.code);
  assert.equal($("handoff-alert-fix").textContent, error.fix);
  assert.equal(doc.body.dataset.handoff, "refused");
  await $("handoff-to-checks").click();
  assert.deepEqual(moves, [{ to: "open", step: "product", opened: store.get("opened") }]);
  await settle();
});
