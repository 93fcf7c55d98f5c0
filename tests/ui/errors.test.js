// Errors are shown once, in their box, with the code the backend sent (and none when it sent
// none: the UI never makes one up).
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom } from "./support/dom.js";

const fake = installFakeBackend();
const { clearError, errorLine, renderError } = await import("../../ui/src/errors.js");
const { backend } = await import("../../ui/src/backend.js");

let doc;
beforeEach(() => {
  doc = installDom(["alert"]);
  fake.reset();
});

const codes = (box) => box.descendants().filter((n) => n.className === "code");

test("the backend's error is shown with its own code, message and fix", async () => {
  const sent = fake.refuse("parse_url");
  const error = await backend.parseUrl("not a link").catch((e) => e);
  const box = doc.getElementById("alert");
  renderError(box, error);
  assert.equal(box.hidden, false);
  assert.deepEqual(codes(box).map((n) => n.textContent), [sent.code]);
  assert.equal(doc.getElementById("alert-code").textContent, "invalid_input");
  assert.equal(doc.getElementById("alert-message").textContent, sent.message);
  assert.equal(doc.getElementById("alert-fix").textContent, sent.fix);
  assert.equal(doc.getElementById("alert-details"), null, "no server words, no support ids: no details");
});

test("shown again, an error replaces the one shown: one code, never two", () => {
  const box = doc.getElementById("alert");
  renderError(box, fixture("parse_url_error"));
  renderError(box, { ...fixture("parse_url_error"), code: "unreachable", serverMessage: "TF400813", supportId: "e2e-1" });
  assert.deepEqual(codes(box).map((n) => n.textContent), ["unreachable"]);
  assert.equal(doc.getElementById("alert-server").textContent, "Server said: TF400813\nSupport: e2e-1");
  clearError(box);
  assert.equal(box.hidden, true);
  assert.equal(box.children.length, 0);
});

test("an error the backend sent without a code is shown without one", () => {
  const box = doc.getElementById("alert");
  renderError(box, { message: "The window closed." });
  assert.deepEqual(codes(box), []);
  assert.equal(box.textContent.includes("The window closed."), true);
  renderError(box, new Error("boom"));
  assert.deepEqual(codes(box), []);
});


test("a check's problem streamed by the backend reads as one line", () => {
  const check = fixture("run_checks").checks.find((c) => c.status === "fail");
  assert.equal(errorLine(check), `${check.message} ${check.fix}`);
});
