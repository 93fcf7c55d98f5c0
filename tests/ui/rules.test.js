// A product's rules in the connect form, as `product_connect_rules` answers them: what the form
// sends, the methods offered (the recommended one picked unless the user chose another that is
// allowed), the first refusal shown at its field under the backend's code, and the sandbox
// shortcuts a product refuses.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { askRules, initRules, refused, resetRules, usableDeployments } = await import("../../ui/src/steps/rules.js");

let doc;
let refreshed;
const $ = (id) => doc.getElementById(id);
const radio = (name, value, id) => node("label", {}, node("input", { id, name, value, type: "radio", checked: false }));
const field = (...children) => node("p", { className: "field" }, ...children);

/** The connect form's parts the rules touch, on Services for fabrikam. */
function form() {
  doc = installDom([]);
  doc.body.append(
    node("div", { id: "deployment-field" }, radio("deployment", "services", "deployment-services"), radio("deployment", "server", "deployment-server")),
    node(
      "div",
      { id: "method-field" },
      radio("method", "browser", "method-browser"),
      radio("method", "device", "method-device"),
      radio("method", "sp", "method-sp"),
      radio("method", "pat", "method-pat"),
    ),
    node("p", { id: "product-connect-note", hidden: true }),
    field(node("input", { id: "organization", value: "fabrikam" })),
    field(node("input", { id: "server-url", value: "" }), node("input", { id: "collection", value: "" })),
    field(node("input", { id: "pat", value: "" })),
    field(node("input", { id: "pat-expiry", value: "" })),
    node("input", { id: "paste-url", value: "" }),
    node("input", { id: "proxy", value: "" }),
    node("div", { id: "connect-refusal", hidden: true }),
    node("div", { id: "alert", hidden: true }),
  );
  $("deployment-services").checked = true;
  refreshed = 0;
  return {
    deployment: () => (doc.querySelector("input[name=deployment]:checked") || {}).value || null,
    method: () => (doc.querySelector("input[name=method]:checked") || {}).value || null,
    target: () => ({ organization: $("organization").value }),
    refresh: () => refreshed++,
  };
}

beforeEach(() => {
  fake.reset();
  store.reset();
});

const failing = () => fixture("product_connect_rules").restrictions.find((r) => r.status === "fail");
const clear = () => {
  const rules = fixture("product_connect_rules");
  return { ...rules, refused: false, restrictions: rules.restrictions.map((r) => ({ ...r, status: "pass", code: null, fix: "" })) };
};

test("without a product nothing is asked and nothing refused", async () => {
  await initRules(form());
  assert.equal(await askRules(), null);
  assert.deepEqual(fake.argsOf("product_connect_rules"), []);
  assert.equal(refused(), false);
});

test("the product's recommended method is picked, the others it takes offered, the rest hidden", async () => {
  store.set("loaded", fixture("product_info").loaded);
  const rules = await initRules(form());
  const { signIn } = fixture("product_connect_rules");
  assert.deepEqual(rules, fixture("product_connect_rules"));
  assert.equal($(`method-${{ pat: "pat", browser: "browser", device_code: "device", service_principal: "sp" }[signIn.recommended]}`).checked, true);
  for (const [id, method] of [["method-browser", "browser"], ["method-device", "device_code"], ["method-sp", "service_principal"], ["method-pat", "pat"]]) {
    assert.equal($(id).closest("label").hidden, !signIn.methods.includes(method), id);
    assert.equal($(id).disabled, !signIn.methods.includes(method), id);
  }
  assert.match($("method-recommended").textContent, / recommended by DX/);
  assert.equal($("product-connect-note").textContent, signIn.note);
  assert.deepEqual(fake.argsOf("product_connect_rules").at(-1).form, {
    target: { deployment: "services", organization: "fabrikam" },
    method: "pat",
    expiresOn: null,
  });
  assert.ok(refreshed > 0);
});

test("the first refusal is shown at its field, under the backend's code, and nothing may be sent", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await initRules(form());
  const r = failing();
  const box = $("connect-refusal");
  assert.equal(box.hidden, false);
  assert.equal($("connect-refusal-code").textContent, r.code);
  assert.equal($("connect-refusal-message").textContent, r.message);
  assert.equal($("connect-refusal-fix").textContent, r.fix);
  assert.equal(box.dataset.rule, r.rule);
  assert.equal(refused(), true);
  assert.equal(doc.body.dataset.connectRules, "refused");
  const at = $("pat-expiry").closest(".field");
  assert.equal(at.parent.children[at.parent.children.indexOf(at) + 1], box, "right under the expiry date");
  assert.equal($("pat-expiry").getAttribute("aria-invalid"), "true");
});

test("once the backend clears the form, the refusal and its mark go", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await initRules(form());
  fake.answer("product_connect_rules", clear());
  $("pat-expiry").value = "2099-01-31";
  await askRules();
  assert.equal(fake.argsOf("product_connect_rules").at(-1).form.expiresOn, "2099-01-31");
  assert.equal($("connect-refusal").hidden, true);
  assert.equal($("pat-expiry").getAttribute("aria-invalid"), null);
  assert.equal(refused(), false);
  assert.equal(doc.body.dataset.connectRules, "clear");
});

test("a method the user chose stays while the product takes it", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await initRules(form());
  const { signIn } = fixture("product_connect_rules");
  assert.ok(signIn.methods.includes("browser"), "DX may be minted for after a Microsoft sign-in");
  $("method-pat").checked = false;
  $("method-browser").checked = true;
  await $("method-browser").dispatch("change");
  assert.equal($("method-browser").checked, true);
  assert.equal(fake.argsOf("product_connect_rules").at(-1).form.method, "browser");
  // A fresh form forgets that choice: the recommended method again.
  $("method-browser").checked = false;
  $("method-device").checked = true;
  await resetRules();
  assert.equal($("method-pat").checked, true);
});

test("a backend error is shown with its code, and with none when it sent none", async () => {
  store.set("loaded", fixture("product_info").loaded);
  form();
  const error = errors.notFound();
  fake.fail("product_connect_rules", error);
  await initRules(form());
  assert.equal($("connect-refusal-code").textContent, error.code);
  fake.fail("product_connect_rules", { message: "The backend is gone.", fix: "" });
  await askRules();
  assert.equal($("connect-refusal-code"), null, "no code made up");
  assert.equal($("connect-refusal-message").textContent, "The backend is gone.");
});

test("an answer overtaken by a newer question is dropped", async () => {
  store.set("loaded", fixture("product_info").loaded);
  await initRules(form());
  let release;
  fake.answer("product_connect_rules", () => new Promise((resolve) => (release = () => resolve(fixture("product_connect_rules")))));
  const first = askRules();
  fake.answer("product_connect_rules", clear());
  assert.equal((await askRules()).refused, false);
  release();
  assert.equal(await first, null);
  assert.equal(refused(), false);
  assert.equal($("connect-refusal").hidden, true);
});

test("the sandbox shortcuts: a deployment the product refuses is not offered", async () => {
  assert.deepEqual(await usableDeployments({ services: {}, server: {} }), { services: true, server: true }, "no product: both");
  store.set("loaded", fixture("product_info").loaded);
  const refusal = { ...failing(), rule: "deployment" };
  fake.answer("product_connect_rules", ({ form }) =>
    form.target.deployment === "server" ? { ...clear(), refused: true, restrictions: [refusal] } : fixture("product_connect_rules"),
  );
  assert.ok(fixture("product_connect_rules").refused, "Services refuses only what the form holds, not the deployment");
  assert.deepEqual(await usableDeployments({ services: { organization: "fabrikam" }, server: { serverUrl: "http://tfs" } }), { services: true, server: false });
});
