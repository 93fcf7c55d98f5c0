// The page's entry point with a product profile (DX, as product_info answers), on the fake
// backend: the wizard becomes the product's (its step and the hand-off instead of the checks and
// the webhooks), Next opens the hand-off once DX's checks passed, the hand-off's Back returns to
// the product step and Done to the home. Also run against the UI before the navigation seam.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { installFakeBackend } from "./support/fake-backend.js";
import { installPage, settle, shows, step } from "./support/page.js";

installFakeBackend();
let doc;
const $ = (id) => doc.getElementById(id);

before(async () => {
  doc = installPage();
  await import("../../ui/src/main.js");
  for (let i = 0; i < 50 && doc.body.dataset.ready !== "true"; i++) await settle(1);
});

test("with DX: the product's steps in the sidebar, the wizard's own checks and webhooks gone", () => {
  assert.equal(doc.body.dataset.ready, "true");
  assert.equal(step(), "home");
  assert.equal($("nav-product").hidden, false);
  assert.equal($("nav-handoff").hidden, false);
  assert.equal($("nav-checks").hidden, true);
  assert.equal($("nav-product-label").textContent, "What DX needs");
});

test("the card's 'What DX needs' opens the product step; its Back the result, the result's Next the product", async () => {
  await doc.querySelector("#home-list .conn .open-product").click();
  assert.equal(await shows("product"), "product");
  await $("product-back").click();
  assert.equal(step(), "result");
  await $("to-hooks").click();
  await settle();
  assert.equal(step(), "product", "without a product's own webhooks step, the product step");
});

test("Next opens the hand-off once DX's checks passed; its Back the product step, Done the home", async () => {
  await $("product-next").click();
  await settle();
  assert.equal(step(), "product", "not before the checks");
  await $("product-form").dispatch("submit");
  await settle();
  assert.equal(doc.body.dataset.productChecks, "passed");
  await $("product-next").click();
  assert.equal(await shows("handoff"), "handoff");
  assert.equal(doc.body.dataset.handoff, "shown");
  await $("handoff-back").click();
  await settle();
  assert.equal(step(), "product");
  await $("product-next").click();
  await settle();
  await $("handoff-home").click();
  await settle();
  assert.equal(step(), "home");
});
