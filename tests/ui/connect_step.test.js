// The connect step on the fake backend: Verify sends the form and, verified, opens the result
// step (through the navigation seam) and forgets the token; a form at fault shows each field's
// message under that field (the backend's fieldErrors), nothing else; a refusal naming no field
// shows the alert with the backend's code; the sandbox app_info names fills the form; the
// Microsoft sign-ins show what they stream (the browser's address, the device code).
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { backend } = await import("../../ui/src/backend.js");
const { initConnect } = await import("../../ui/src/steps/connect.js");

let doc;
let moves;
const $ = (id) => doc.getElementById(id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The parts of ui/index.html's connect form the step finds by name or by their `.field`. */
function form() {
  const radio = (name, value, id) => node("input", { type: "radio", name, value, id });
  const field = (id) => node("div", { className: "field" }, node("input", { id, type: "text" }), node("p", { id: `${id}-error`, hidden: true }));
  const step = node(
    "section",
    { id: "step-connect" },
    radio("deployment", "server", "deployment-server"),
    radio("deployment", "services", "deployment-services"),
    radio("method", "pat", "method-pat"),
    radio("method", "browser", "method-browser"),
    radio("method", "device", "method-device"),
    radio("method", "sp", "method-sp"),
    ...["server-url", "collection", "organization", "pat", "pat-expiry", "paste-url", "proxy"].map(field),
    node("div", { id: "alert", className: "alert", hidden: true }),
  );
  doc.body.append(step);
  for (const r of step.querySelectorAll("input[type=radio]")) r.setAttribute("value", r.value);
}

beforeEach(async () => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  moves = recordNavigation();
  form();
  store.set("appInfo", await backend.appInfo());
  await initConnect();
});

/** The Server form filled as a user would, then Verify. */
async function verify() {
  $("deployment-server").checked = true;
  await $("deployment-server").dispatch("change");
  $("server-url").value = "http://ado.test/tfs";
  $("collection").value = "DefaultCollection";
  $("pat").value = "a-token";
  await $("connect-form").dispatch("submit");
  await settle();
}

test("verified: the form as sent, the result step opened with the backend's connection, the token gone", async () => {
  await verify();
  const [{ form: sent }] = fake.argsOf("connect_with_pat");
  const { deployment, serverUrl, collection } = sent.target;
  assert.deepEqual({ deployment, serverUrl, collection }, { deployment: "server", serverUrl: "http://ado.test/tfs", collection: "DefaultCollection" });
  assert.equal(sent.pat, "a-token");
  assert.deepEqual(moves, [{ to: "open", step: "result", opened: fixture("connect_with_pat") }]);
  assert.equal($("pat").value, "", "the secret does not stay in the page");
});

test("the form at fault: each field's own message under it, and no alert", async () => {
  const refused = errors.formAtFault();
  fake.fail("connect_with_pat", refused);
  await verify();
  assert.deepEqual(moves, []);
  const ids = { serverUrl: "server-url", collection: "collection", pat: "pat" };
  for (const fe of refused.fieldErrors) {
    assert.equal($(`${ids[fe.field]}-error`).textContent, fe.message, fe.field);
    assert.equal($(`${ids[fe.field]}-error`).hidden, false);
    assert.equal($(ids[fe.field]).getAttribute("aria-invalid"), "true");
  }
  assert.equal($("alert").hidden, true, "the fields say it all");
  assert.equal($("organization").getAttribute("aria-invalid"), null, "a field not at fault is not marked");
});

test("refused for a reason no field holds: the alert with the backend's code, message and fix", async () => {
  const error = errors.notFound();
  fake.fail("connect_with_pat", error);
  await verify();
  assert.equal($("alert").hidden, false);
  assert.equal($("alert-code").textContent, error.code);
  assert.equal($("alert-message").textContent, error.message);
  assert.equal($("alert-fix").textContent, error.fix);
  assert.deepEqual(doc.querySelectorAll("#step-connect [aria-invalid]"), []);
});

test("the sandbox app_info names: the banner says what it is; Use the sandbox fills the Server form", async () => {
  const { sandbox } = fixture("app_info");
  assert.equal($("sandbox-banner").hidden, false);
  assert.equal($("sandbox-text").textContent, ` ${sandbox.serverUrl} · collection ${sandbox.collection} · organization ${sandbox.organization} · demo PAT ${sandbox.pat}`);
  await $("use-sandbox").click();
  assert.equal($("deployment-server").checked, true);
  assert.equal($("server-url").value, sandbox.serverUrl);
  assert.equal($("collection").value, sandbox.collection);
  assert.equal($("pat").value, sandbox.pat);
  assert.equal($("verify").textContent, "Verify");
});

test("https failing where plain HTTP answers: the http:// address is offered, and taken on a click", async () => {
  fake.fail("connect_with_pat", errors.notFound());
  $("deployment-server").checked = true;
  await $("deployment-server").dispatch("change");
  $("server-url").value = "https://ado.test/tfs";
  $("collection").value = "DefaultCollection";
  $("pat").value = "a-token";
  await $("connect-form").dispatch("submit");
  await settle();
  assert.deepEqual(fake.argsOf("http_alternative").map((a) => a.url), ["https://ado.test/tfs"]);
  const http = fixture("http_alternative");
  assert.equal($("http-offer").hidden, false);
  assert.equal($("http-offer-url").textContent, http);
  await $("http-offer-apply").onclick();
  assert.equal($("server-url").value, http.replace(/\/$/, ""));
  assert.equal($("http-offer").hidden, true);
});

test("a form at fault is not offered plain HTTP: the fields are what is wrong", async () => {
  fake.fail("connect_with_pat", errors.formAtFault());
  $("deployment-server").checked = true;
  $("server-url").value = "https://ado.test/tfs";
  await $("connect-form").dispatch("submit");
  await settle();
  assert.deepEqual(fake.argsOf("http_alternative"), []);
});

/** fabrikam on Azure DevOps Services, signing in with `method`; then the button. */
async function signIn(method) {
  $("deployment-services").checked = true;
  $(`method-${method}`).checked = true;
  await $("deployment-services").dispatch("change");
  $("organization").value = "fabrikam";
  await $("connect-form").dispatch("submit");
  await settle();
}

test("Sign in with Microsoft: the address the browser was given is shown to open by hand; signed in, the result", async () => {
  await signIn("browser");
  assert.deepEqual(fake.argsOf("sign_in_browser").map((a) => a.form.organization), ["fabrikam"]);
  assert.equal($("browser-link").value, fixture("sign_in_browser_url"));
  assert.equal($("browser-link-row").hidden, false);
  assert.deepEqual(moves, [{ to: "open", step: "result", opened: fixture("sign_in_browser") }]);
  assert.equal($("waiting").hidden, true, "no longer waiting");
});

test("a device code: the code and the page to enter it on, as the backend streamed them", async () => {
  await signIn("device");
  const prompt = fixture("sign_in_device_prompt");
  assert.equal($("device-code").textContent, prompt.userCode);
  assert.equal($("device-url").textContent, prompt.verificationUri);
  assert.equal($("device-code-row").hidden, false);
  assert.deepEqual(moves, [{ to: "open", step: "result", opened: fixture("sign_in_device") }]);
});

test("a service principal: its tenant, client id and secret sent; signed in, the secret leaves the page", async () => {
  $("sp-tenant").value = "tenant";
  $("sp-client-id").value = "client";
  $("sp-secret").value = "secret";
  await signIn("sp");
  assert.deepEqual(fake.argsOf("sign_in_service_principal").map((a) => [a.form.tenant, a.form.clientId, a.form.clientSecret]), [["tenant", "client", "secret"]]);
  assert.deepEqual(moves, [{ to: "open", step: "result", opened: fixture("sign_in_service_principal") }]);
  assert.equal($("sp-secret").value, "");
});

test("Cancel while waiting for the browser asks the backend to stop the sign-in", async () => {
  await $("cancel-sign-in").click();
  assert.equal(fake.argsOf("cancel_sign_in").length, 1);
});
