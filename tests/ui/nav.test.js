// Where each step's Back, Next and Done go: through ui/src/nav.js (the one seam between the steps
// and the page), recorded here in place of main.js's moves. Each step is wired as main.js wires
// it and its buttons are clicked; the answers are the fake backend's.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const nav = await import("../../ui/src/nav.js");
const { initResult } = await import("../../ui/src/steps/result.js");
const { initChecks } = await import("../../ui/src/steps/checks.js");
const { initHooks } = await import("../../ui/src/steps/hooks.js");
const { initProduct } = await import("../../ui/src/steps/product.js");
const { initHandoff } = await import("../../ui/src/steps/handoff.js");
const { initHome, refreshHome } = await import("../../ui/src/steps/home.js");
const { initForget } = await import("../../ui/src/steps/forget.js");

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
let doc;
let moves;
const $ = (id) => doc.getElementById(id);

beforeEach(() => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  moves = recordNavigation();
  store.set("opened", fixture("connect_with_pat"));
});

/** A picker's host, as ui/index.html has it (its data-scope and data-input). */
function pickerHost(id, scope, input) {
  const host = $(id);
  Object.assign(host.dataset, { scope, input });
}

test("a step asking for a step that does not exist, or before the page registered, is an error", async () => {
  assert.throws(() => nav.go("nowhere"), /no step nowhere/);
  assert.throws(() => nav.open(null, "check"), /no step check/);
  nav.registerNavigation(null);
  assert.throws(() => nav.home(), /nothing registered/);
});

test("the result step: Back to the form, on to the checks or the webhooks of the connection in use", async () => {
  initResult();
  const opened = store.get("opened");
  await $("back").click();
  await $("to-checks").click();
  await $("to-hooks").click();
  assert.deepEqual(moves, [
    { to: "go", step: "connect", options: {} },
    { to: "open", step: "checks", opened },
    { to: "open", step: "hooks", opened },
  ]);
});

test("Forget on the result step: once done, the connection is no longer in use and the home says so", async () => {
  initResult();
  initForget();
  for (const id of ["forget-remove", "forget-keep"]) $(id).type = "radio";
  const forgetting = $("forget").click();
  await settle();
  assert.equal($("forget-dialog").open, true, "asked first");
  assert.deepEqual(moves, [], "nothing moves while the dialog asks");
  await $("forget-confirm").click();
  await forgetting;
  assert.equal(store.get("opened"), null);
  assert.equal(moves.length, 1);
  assert.equal(moves[0].to, "home");
  assert.match(moves[0].message, /^Forgotten: /);
  assert.ok(doc.body.dataset.forgotten, "the journeys' flag");
});

test("the checks step: Back to the result, on to the webhooks of the connection in use", async () => {
  pickerHost("check-project-picker", "projects", "check-project");
  initChecks();
  await $("checks-back").click();
  await $("checks-to-hooks").click();
  assert.deepEqual(moves, [
    { to: "go", step: "result", options: {} },
    { to: "open", step: "hooks", opened: store.get("opened") },
  ]);
});

test("the webhooks step: Back to the result", async () => {
  pickerHost("hook-projects-picker", "projects", "hook-projects");
  pickerHost("hook-repositories-picker", "allRepositories", "hook-repositories");
  initHooks();
  await $("hooks-back").click();
  assert.deepEqual(moves, [{ to: "go", step: "result", options: {} }]);
});

test("the product step: Back to the result; Next goes nowhere until the product's checks passed", async () => {
  initProduct();
  await $("product-back").click();
  await $("product-next").click();
  assert.deepEqual(moves, [{ to: "go", step: "result", options: {} }]);
});

test("the hand-off: Back and 'to the checks' to the product step, Done to the home", async () => {
  initHandoff();
  const opened = store.get("opened");
  await $("handoff-back").click();
  await $("handoff-to-checks").click();
  await $("handoff-home").click();
  assert.deepEqual(moves, [
    { to: "open", step: "product", opened },
    { to: "open", step: "product", opened },
    { to: "home", message: undefined },
  ]);
});

test("the home: New connection, Renew token and Re-verify each go where they say", async () => {
  $("home-list");
  $("home-status");
  $("home-new").append(node("span"));
  initHome();
  await refreshHome();
  await $("home-new").click();
  const card = fixture("connection_cards")[0];
  const item = doc.querySelectorAll("#home-list .conn").find((li) => li.dataset.id === card.id);
  await item.querySelector(".renew").click();
  await item.querySelector(".reverify").click();
  assert.deepEqual(moves, [
    { to: "connectNew" },
    { to: "connectRenew", card },
    { to: "open", step: "result", opened: fixture("reverify_connection") },
  ]);
});

test("Forget on a home card: the connection in use is dropped, and the home is read again", async () => {
  initHome();
  initForget();
  await refreshHome();
  const inUse = store.get("opened");
  const card = fixture("connection_cards").find((c) => c.id !== inUse.card.id);
  const itemOf = (id) => doc.querySelectorAll("#home-list .conn").find((li) => li.dataset.id === id);
  const forgetting = itemOf(card.id).querySelector(".forget-card").click();
  await settle();
  await $("forget-confirm").click();
  await forgetting;
  assert.equal(store.get("opened"), inUse, "another connection: the one in use stays");
  assert.deepEqual(moves, [{ to: "home", message: $("home-status").textContent }]);
  assert.match(moves[0].message, new RegExp(`^Forgotten: ${card.name}\\.`));

  store.set("opened", { ...inUse, card });
  await refreshHome();
  const again = itemOf(card.id).querySelector(".forget-card").click();
  await settle();
  await $("forget-confirm").click();
  await again;
  assert.equal(store.get("opened"), null, "the one in use: dropped");
  assert.equal(moves.length, 2);
});
