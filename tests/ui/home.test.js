// The home's logic: one card per saved connection as `connection_cards` answers them (the
// reminder where the token expires soon), Re-verify opening the step with what the backend
// verified or saying why not under the backend's code, Rename keeping the backend's name, the
// webhooks line, and, with a product, the minted tokens with Renew. All answers are the fake's.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend, refused, refusals } from "./support/fake-backend.js";
import { installDom } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { expiryText, hookLine, initHome, refreshHome } = await import("../../ui/src/steps/home.js");

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
let doc;
let moves;

beforeEach(() => {
  fake.reset();
  store.reset();
  doc = installDom(["home-list", "home-status", "home-new:button"]);
  moves = recordNavigation();
  initHome();
});

const cardsShown = () => doc.querySelectorAll("#home-list .conn");
const cardOf = (method) => {
  const card = fixture("connection_cards").find((c) => c.method === method);
  return { card, item: cardsShown().find((li) => li.dataset.id === card.id) };
};

test("one card per saved connection, in the backend's order, each with its facts", async () => {
  assert.equal(await refreshHome(), true);
  const cards = fixture("connection_cards");
  assert.deepEqual(cardsShown().map((li) => li.dataset.id), cards.map((c) => c.id));
  for (const [i, li] of cardsShown().entries()) {
    assert.equal(li.querySelector(".card-name").textContent, cards[i].name);
    assert.match(li.textContent, new RegExp(cards[i].deploymentName));
    assert.match(li.textContent, new RegExp(cards[i].methodName.replace(/[()]/g, ".")));
  }
});

test("the reminder banner is on the card whose token expires soon, and only there", async () => {
  await refreshHome();
  const pat = cardOf("pat");
  assert.ok(pat.card.reminder, "the fixture's PAT expires within 14 days");
  assert.equal(pat.item.querySelector(".reminder p").textContent, pat.card.reminder);
  assert.equal(cardOf("entra").item.querySelector(".reminder"), null);
});

test("no connection: the home says so and the wizard starts; a failing list says why", async () => {
  fake.answer("connection_cards", []);
  assert.equal(await refreshHome("Forgotten."), false);
  assert.equal(doc.getElementById("home-status").textContent, "Forgotten.");
  const error = errors.notFound();
  fake.fail("connection_cards", error);
  assert.equal(await refreshHome(), false);
  assert.equal(doc.getElementById("home-status").textContent, `${error.message} ${error.fix}`);
});

test("Re-verify opens the result step with what the backend verified", async () => {
  await refreshHome();
  const { card, item } = cardOf("entra");
  await item.querySelector(".reverify").click();
  assert.deepEqual(fake.argsOf("reverify_connection"), [{ id: card.id }]);
  assert.deepEqual(moves, [{ to: "open", opened: fixture("reverify_connection"), step: "result" }]);
});

test("a failed re-verify stays on the home, saying why under the backend's code", async () => {
  await refreshHome();
  const error = errors.notFound();
  fake.fail("reverify_connection", error);
  const { item } = cardOf("pat");
  await item.querySelector(".open-hooks").click();
  assert.deepEqual(moves, [], "nothing opens");
  const status = item.querySelector(".status.failed");
  assert.equal(status.dataset.code, error.code);
  assert.equal(status.textContent, `Verification failed: ${error.message} ${error.fix}`);
});

test("Rename keeps the name the backend answers; a refused name leaves the old one", async () => {
  await refreshHome();
  const { card, item } = cardOf("pat");
  await item.querySelector(".rename").click();
  const input = item.querySelector("input");
  input.value = "Fabrikam (PAT)";
  await input.dispatch("keydown", { key: "Enter" });
  await settle();
  assert.deepEqual(fake.argsOf("rename_connection"), [{ id: card.id, name: "Fabrikam (PAT)" }]);
  assert.equal(item.querySelector(".card-name").textContent, fixture("rename_connection").name);

  const before = item.querySelector(".card-name").textContent;
  fake.fail("rename_connection", errors.invalidName());
  await item.querySelector(".rename").click();
  item.querySelector("input").value = "x".repeat(81);
  await item.querySelector("input").dispatch("blur");
  await settle();
  assert.equal(item.querySelector(".card-name").textContent, before);
  assert.equal(item.querySelector("input"), null, "the editor closes");
});

test("the webhooks line counts the hooks and says how their last deliveries went", () => {
  const hooks = fixture("hooks_overview").hooks;
  const card = { hooks: hooks.length };
  assert.equal(hookLine(card, hooks), `${hooks.length} webhooks · nothing delivered yet`);
  const failed = hooks.map((h, i) => ({ ...h, lastDelivery: { result: i ? "succeeded" : "failed", createdDate: "2026-01-02T03:04:05Z" } }));
  assert.equal(hookLine(card, failed), `${hooks.length} webhooks · 1 last delivery failed`);
  assert.match(hookLine({ hooks: 1 }, failed.slice(1, 2)), /^1 webhook · last delivered /);
});

test("a token's expiry: its date, not given for a PAT without one, renewed for a sign-in", () => {
  const pat = fixture("connection_cards").find((c) => c.method === "pat");
  assert.match(expiryText(pat), /^\d{1,2} \w{3} \d{4}$/);
  assert.equal(expiryText({ ...pat, expiresOn: null }), "not given");
  assert.equal(expiryText(fixture("connection_cards").find((c) => c.method === "entra")), "renewed automatically");
});

test("a card with webhooks asks for their state; the product's buttons replace the wizard's", async () => {
  const cards = fixture("connection_cards").map((c) => ({ ...c, hooks: 2 }));
  fake.answer("connection_cards", cards);
  await refreshHome();
  await settle();
  assert.deepEqual(fake.argsOf("hooks_overview").map((a) => a.profileId), cards.map((c) => c.id));
  assert.equal(doc.querySelectorAll("#home-list .open-product").length, 0);
  store.set("loaded", fixture("product_info").loaded);
  await refreshHome();
  assert.equal(doc.querySelectorAll("#home-list .open-product").length, cards.length);
  assert.equal(doc.querySelectorAll("#home-list .open-hooks").length, 0);
});

test("with a product, a Microsoft sign-in's card lists the tokens ADO Connect created", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await refreshHome();
  await settle();
  const minted = fixture("minted_tokens");
  const { card, item } = cardOf("entra");
  assert.deepEqual(fake.argsOf("minted_tokens"), [{ profileId: card.id }], "asked for the Microsoft sign-in only");
  const rows = item.querySelectorAll(".minted-list li");
  assert.deepEqual(rows.map((r) => r.dataset.authorizationId), minted.map((m) => m.authorizationId));
  assert.match(rows[0].textContent, new RegExp(`expires ${minted[0].validTo.slice(0, 10)}`));
  assert.equal(cardOf("pat").item.querySelector(".minted"), null);
});

test("Renew replaces one connector's token and offers the hand-off again; a refusal says its code", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await refreshHome();
  await settle();
  const { item } = cardOf("entra");
  const minted = fixture("minted_tokens");
  await item.querySelector(".renew-minted").click();
  assert.equal(fake.argsOf("mint_tokens")[0].form.connector, minted[0].connector);
  assert.equal(doc.body.dataset.renewed, minted[0].connector);
  assert.match(item.querySelector(".minted .status").textContent, /^Renewed .* the old one is revoked\. Hand it to DX again\./);
  assert.ok(item.querySelector(".handoff-again"));

  const refusal = refusals.lifetime();
  fake.answer("mint_tokens", refused(refusal));
  await item.querySelector(".renew-minted").click();
  assert.equal(item.querySelector(".minted .status").textContent, `${refusal.code}: ${refusal.message} ${refusal.fix}`);
  assert.equal(doc.body.dataset.renewed, "");

  const error = errors.notFound();
  fake.fail("mint_tokens", error);
  await item.querySelector(".renew-minted").click();
  assert.equal(item.querySelector(".minted .status").textContent, `${error.code}: ${error.message} ${error.fix}`);
});
