// The page's entry point on the fake backend, with the moves it registers into nav.js: it opens
// on the saved connections, and each step's Back, Next and the sidebar show the step they name
// (`document.body.dataset.step`, what the real-window journeys wait on), the steps loaded on
// first use; Forget from the result step ends on the home saying what was done. Without a
// product profile: the wizard's own checks and webhooks. The page is ui/index.html itself.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";
import { installPage, settle, shows, step } from "./support/page.js";

const fake = installFakeBackend();
let doc;
const $ = (id) => doc.getElementById(id);

before(async () => {
  fake.answer("product_info", null);
  doc = installPage();
  await import("../../ui/src/main.js");
  for (let i = 0; i < 50 && doc.body.dataset.ready !== "true"; i++) await settle(1);
});

const nav = (name) => $(`nav-${name}`).querySelector("button");

test("opens on the saved connections app_info lists, the wizard's steps shut until one is open", () => {
  assert.equal(doc.body.dataset.ready, "true");
  assert.equal(step(), "home");
  assert.deepEqual(doc.querySelectorAll("#home-list .conn").map((li) => li.dataset.id), fixture("app_info").connections.map((c) => c.id));
  assert.equal(nav("connect").disabled, false);
  assert.equal(nav("result").disabled, true);
  assert.equal($("store-note").textContent, `Tokens are kept in ${fixture("app_info").secretStore}.`);
});

test("Re-verify on a card opens the result step with the connection the backend verified", async () => {
  await doc.querySelector("#home-list .conn .reverify").click();
  await settle();
  assert.equal(step(), "result");
  assert.equal($("result-name").textContent, fixture("reverify_connection").card.name);
  assert.equal(nav("checks").disabled, false);
  assert.equal($("nav-result").className, "current");
});

test("the result step's Checks, the checks' Back, its Webhooks, the webhooks' Back, the result's Back", async () => {
  await $("to-checks").click();
  assert.equal(await shows("checks"), "checks");
  assert.equal($("step-checks").hidden, false);
  assert.equal($("step-result").hidden, true);
  await $("checks-back").click();
  assert.equal(step(), "result");
  await $("to-checks").click();
  await settle();
  await $("checks-to-hooks").click();
  assert.equal(await shows("hooks"), "hooks");
  assert.equal($("nav-result").className, "done", "the steps before the current one are done");
  assert.equal(doc.body.dataset.hooksPreselected, String(fixture("hooks_overview").hooks.length));
  await $("hooks-back").click();
  assert.equal(step(), "result");
  await $("back").click();
  assert.equal(step(), "connect");
  assert.equal($("nav-connect").className, "current");
  assert.equal($("nav-result").className, "", "a step after the current one is not done");
});

test("the sidebar: a step of the open connection, then the home", async () => {
  await nav("hooks").click();
  await settle();
  assert.equal(step(), "hooks");
  await nav("home").click();
  await settle();
  assert.equal(step(), "home");
});

test("Forget on the result step: the home, saying what was forgotten, and nothing open", async () => {
  await doc.querySelector("#home-list .conn .reverify").click();
  await settle();
  assert.equal(step(), "result");
  const forgetting = $("forget").click();
  await settle();
  await $("forget-confirm").click();
  await forgetting;
  await settle();
  assert.equal(step(), "home");
  assert.match($("home-status").textContent, new RegExp(`^Forgotten: ${fixture("reverify_connection").card.name}\\.`));
  assert.ok(doc.body.dataset.forgotten);
  assert.equal(nav("result").disabled, true, "nothing is open");
});
