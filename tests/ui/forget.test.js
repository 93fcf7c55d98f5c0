// Forget's logic: the dialog reads the card again (webhooks registered since count), sends the
// user's choice about webhooks, revokes the minted tokens first when the box is ticked, says in
// words what was done, and shows a refusal once, under the backend's code, without closing.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend, refused, refusals } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { askToForget, forgottenText, initForget } = await import("../../ui/src/steps/forget.js");

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
let doc;

beforeEach(() => {
  fake.reset();
  store.reset();
  doc = installDom(["forget-dialog:dialog"]);
  doc.getElementById("forget-dialog").append(
    node("h2", { id: "forget-title" }),
    node("span", { id: "forget-name" }),
    node("p", { id: "forget-hooks" }, node("span", { id: "forget-hook-count" })),
    node("input", { id: "forget-remove", type: "radio", name: "forget-hooks" }),
    node("input", { id: "forget-keep", type: "radio", name: "forget-hooks" }),
    node("div", { id: "forget-alert", className: "alert", hidden: true }),
    node("span", { id: "forget-status" }),
    node("button", { id: "forget-confirm" }),
    node("button", { id: "forget-cancel" }),
  );
  initForget();
});

const $ = (id) => doc.getElementById(id);
const cards = () => fixture("connection_cards");

/** Opens the dialog on `card` and waits until it is shown; `done` is what askToForget resolves to. */
async function ask(card) {
  const done = askToForget(card);
  await settle();
  assert.equal($("forget-dialog").open, true);
  return { done };
}

test("the dialog names the connection and counts its webhooks as the backend has them now", async () => {
  const shown = { ...cards()[0], hooks: 0 };
  fake.answer("connection_cards", cards().map((c) => (c.id === shown.id ? { ...c, hooks: 3 } : c)));
  const { done } = await ask(shown);
  assert.equal($("forget-name").textContent, shown.name);
  assert.equal($("forget-hook-count").textContent, "3");
  assert.equal($("forget-hooks").hidden, false);
  assert.equal($("forget-remove").checked, true, "removing them is the default");
  await $("forget-cancel").click();
  assert.equal(await done, null, "cancelled: nothing forgotten");
  assert.deepEqual(fake.argsOf("forget_connection"), []);
});

test("Forget sends the webhooks choice and resolves to the backend's report", async () => {
  const card = cards()[1];
  let { done } = await ask(card);
  await $("forget-confirm").click();
  assert.deepEqual(fake.argsOf("forget_connection"), [{ id: card.id, hooks: "remove" }]);
  assert.deepEqual(await done, { card, report: fixture("forget_connection") });
  assert.equal($("forget-dialog").open, false);

  ({ done } = await ask(card));
  $("forget-keep").checked = true;
  await $("forget-confirm").click();
  assert.equal(fake.argsOf("forget_connection")[1].hooks, "keep");
  await done;
});

test("a refusal is shown once under the backend's code and the dialog stays open", async () => {
  const error = errors.notFound();
  fake.fail("forget_connection", error);
  await ask(cards()[0]);
  await $("forget-confirm").click();
  await $("forget-confirm").click();
  assert.equal($("forget-dialog").open, true);
  assert.equal($("forget-alert").hidden, false);
  assert.deepEqual($("forget-alert").querySelectorAll(".code").map((n) => n.textContent), [error.code]);
  assert.equal($("forget-confirm").disabled, false, "the user can try again");
});

test("in words: what was removed, kept or revoked", () => {
  const report = fixture("forget_connection");
  const card = cards()[0];
  const removed = report.removed.removed.length;
  assert.equal(
    forgottenText({ card, report }),
    `Forgotten: ${card.name}. Its token and settings were removed from this machine. Its ${removed} webhook(s) were removed from Azure DevOps.`,
  );
  const kept = { ...report, removed: null };
  assert.match(forgottenText({ card, report: kept }), new RegExp(`Its ${report.kept.length} webhook\\(s\\) stay in Azure DevOps`));
  const revoked = fixture("revoke_minted").revoked;
  assert.match(forgottenText({ card, report: { ...kept, kept: [], revokedTokens: revoked } }), new RegExp(`this machine\\. The ${revoked.length} tokens ADO Connect created were revoked\\.$`));
});

test("with a product, the tokens ADO Connect minted are revoked first when the box is ticked", async () => {
  store.set("loaded", fixture("product_info").loaded);
  const entra = cards().find((c) => c.method === "entra");
  const { done } = await ask(entra);
  assert.equal($("forget-revoke-row").hidden, false, "offered: this sign-in minted tokens");
  assert.match($("forget-revoke-text").textContent, new RegExp(`the ${fixture("minted_tokens").length} tokens ADO Connect created for DX`));
  await $("forget-confirm").click();
  assert.deepEqual(fake.calls.map((c) => c.command).filter((c) => c === "revoke_minted" || c === "forget_connection"), ["revoke_minted", "forget_connection"]);
  assert.deepEqual((await done).report.revokedTokens, fixture("revoke_minted").revoked);
});

test("unticked, nothing is revoked; a refused revocation forgets nothing and shows its code", async () => {
  store.set("loaded", fixture("product_info").loaded);
  const entra = cards().find((c) => c.method === "entra");
  const { done } = await ask(entra);
  $("forget-revoke").checked = false;
  await $("forget-confirm").click();
  assert.deepEqual(fake.argsOf("revoke_minted"), []);
  assert.equal((await done).report.revokedTokens, undefined);

  const refusal = refusals.lifetime();
  fake.answer("revoke_minted", refused(refusal));
  await ask(entra);
  await $("forget-confirm").click();
  assert.equal(fake.argsOf("forget_connection").length, 1, "the second Forget sent nothing");
  assert.equal($("forget-alert-code").textContent, refusal.code);
  assert.equal($("forget-alert-message").textContent, refusal.message);
});

test("the revocation is never offered empty: hidden until the minted tokens are known", async () => {
  store.set("loaded", fixture("product_info").loaded);
  let release;
  const minted = fixture("minted_tokens");
  fake.answer("minted_tokens", () => new Promise((resolve) => (release = () => resolve(minted))));
  const done = askToForget(cards().find((c) => c.method === "entra"));
  await settle();
  assert.ok(release, "the dialog asked which tokens were minted");
  assert.equal($("forget-revoke-row").hidden, true, "no empty box while the backend answers");
  release();
  await settle();
  assert.equal($("forget-revoke-row").hidden, false);
  assert.match($("forget-revoke-text").textContent, /Also revoke the \d+ tokens ADO Connect created for DX/);
  $("forget-cancel").click();
  await done;
});

test("a PAT's card offers no revocation: it minted nothing", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await ask(cards().find((c) => c.method === "pat"));
  assert.equal($("forget-revoke-row").hidden, true);
  assert.deepEqual(fake.argsOf("minted_tokens"), []);
});
