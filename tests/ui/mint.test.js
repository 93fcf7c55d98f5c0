// "Create the tokens for me": the preview of what the backend plans, the tokens created only on
// Create, each refusal with the backend's own code, fix, offer and steps, the consent link when
// Microsoft asks, and which products may mint. All answers are the fake's.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend, refused, refusals } from "./support/fake-backend.js";
import { installDom } from "./support/dom.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { canMint, showMint } = await import("../../ui/src/steps/mint.js");

let doc;
let handed;
const entra = () => fixture("connection_cards").find((c) => c.method === "entra");

beforeEach(() => {
  fake.reset();
  store.reset();
  store.set("loaded", fixture("product_info").loaded);
  store.set("opened", { card: entra() });
  doc = installDom(["product-credentials-note"]);
  handed = [];
  showMint({ card: entra() }, (report) => handed.push(report));
});

const $ = (id) => doc.getElementById(id);

test("DX and the single-token products may mint on Services; a product without Services may not", () => {
  const dx = fixture("product_info").loaded.profile;
  assert.equal(canMint(dx), true);
  assert.equal(canMint({ ...dx, deployments: { ...dx.deployments, services: false } }), false);
  const single = { ...dx, patOnePerConnector: false, signIn: { ...dx.signIn, methods: ["browser"] }, signInServices: null };
  assert.equal(canMint(single), false, "handed no PAT: nothing to create");
  assert.equal(canMint(null), false);
});

test("the preview shows what the backend will create, before anything is", async () => {
  const plan = fixture("mint_plan");
  $("mint-days").value = "30";
  await $("mint-start").click();
  assert.deepEqual(fake.argsOf("mint_plan"), [{ profileId: entra().id, lifetimeDays: 30 }]);
  assert.deepEqual(fake.argsOf("mint_tokens"), [], "nothing created yet");
  assert.equal($("mint-preview").hidden, false);
  assert.equal($("mint-preview-text").textContent, `${plan.tokens.length} tokens for ${plan.organization} only, each expiring ${plan.validTo.slice(0, 10)} (${plan.lifetimeDays} days):`);
  const rows = $("mint-preview-rows").querySelectorAll("tr");
  assert.deepEqual(rows.map((r) => r.querySelector("td").textContent), plan.tokens.map((t) => t.displayName));
  assert.equal(rows[0].querySelector(".mono").textContent, plan.tokens[0].scopeIds.join(" "));
});

test("Create sends the connection and the lifetime, and hands the report on", async () => {
  const report = fixture("mint_tokens").report;
  await $("mint-create").click();
  assert.deepEqual(fake.argsOf("mint_tokens")[0].form, { profileId: entra().id, project: "", repository: "", lifetimeDays: null, fitLifetime: false });
  assert.equal(doc.body.dataset.mint, "minted");
  assert.equal($("mint-status").textContent, `Created ${report.minted.length} tokens (expiring ${report.plan.validTo.slice(0, 10)}), checked and kept in your keyring.`);
  assert.deepEqual(handed, [report.report]);
  assert.equal($("mint-create").disabled, false);
});

test("a lifetime over the maximum: the backend's code and fix, and its offer retried", async () => {
  const refusal = refusals.lifetime();
  fake.answer("mint_tokens", refused(refusal));
  $("mint-days").value = "90";
  await $("mint-create").click();
  const box = $("mint-refusal");
  assert.equal(box.hidden, false);
  assert.equal(box.dataset.code, refusal.code);
  assert.deepEqual(box.querySelectorAll(".code").map((n) => n.textContent), [refusal.code]);
  assert.equal(box.querySelector(".alert-fix").textContent, refusal.fix);
  assert.equal(doc.body.dataset.mint, refusal.code);
  assert.equal($("mint-offer").textContent, `Create them for ${refusal.offerDays} days`);
  fake.reset();
  await $("mint-offer").click();
  assert.equal(fake.argsOf("mint_tokens")[0].form.lifetimeDays, refusal.offerDays);
  assert.equal(doc.body.dataset.mint, "minted");
});

test("Fit to the maximum asks the backend to fit the lifetime", async () => {
  fake.answer("mint_tokens", refused(refusals.lifetime()));
  await $("mint-create").click();
  fake.reset();
  await $("mint-fit").click();
  assert.equal(fake.argsOf("mint_tokens")[0].form.fitLifetime, true);
});

test("Azure DevOps Server: the token page's steps, no offer", async () => {
  const refusal = refusals.server();
  fake.answer("mint_tokens", refused(refusal));
  await $("mint-create").click();
  assert.deepEqual($("mint-refusal").querySelectorAll(".mint-steps li").map((li) => li.textContent), refusal.steps);
  assert.equal($("mint-offer"), null);
});

test("an error is shown once under the backend's code; the refusal box stays hidden", async () => {
  const error = errors.notFound();
  fake.fail("mint_tokens", error);
  await $("mint-create").click();
  await $("mint-create").click();
  assert.deepEqual($("mint-alert").querySelectorAll(".code").map((n) => n.textContent), [error.code]);
  assert.equal($("mint-refusal").hidden, true);
  assert.equal($("mint-status").textContent, "");
  fake.fail("mint_plan", error);
  await $("mint-start").click();
  assert.equal($("mint-alert-code").textContent, error.code);
  assert.equal($("mint-preview").hidden, true);
});

test("when Microsoft asks to allow the tokens API, its link is shown while minting goes on", async () => {
  const url = "https://login.example/authorize?x=1";
  let seen = null;
  fake.answer("mint_tokens", (args) => {
    args.onEvent.onmessage({ kind: "consent", url });
    seen = { row: $("mint-consent-row").hidden, link: $("mint-consent-link").value };
    return fixture("mint_tokens");
  });
  await $("mint-create").click();
  assert.deepEqual(seen, { row: false, link: url });
  assert.equal(doc.body.dataset.mintConsent, "asked");
  assert.equal($("mint-consent-row").hidden, true, "hidden again once done");
});

test("the hint says what a Microsoft sign-in can do, and what another connection will be told", () => {
  assert.match($("mint-hint").textContent, /^Signed in with Microsoft: ADO Connect can create them/);
  const pat = fixture("connection_cards").find((c) => c.method === "pat");
  showMint({ card: pat }, () => {});
  assert.match($("mint-hint").textContent, /^With a Microsoft sign-in, ADO Connect can create them for you/);
  assert.equal(doc.querySelectorAll("#product-mint").length, 1, "built once");
});
