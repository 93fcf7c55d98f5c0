// The checks step's logic: the project it starts on, when it asks before plain HTTP, and the
// status line from the backend's report (fake).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";

installFakeBackend();
const { asksHttpConsent, checksStatus, preselectedProject } = await import("../../ui/src/steps/checks.js");
const { backend } = await import("../../ui/src/backend.js");

test("a new connection starts on the project the paste named, or none", () => {
  assert.equal(preselectedProject(false, { project: "Fabrikam Fiber" }), "Fabrikam Fiber");
  assert.equal(preselectedProject(false, { project: null }), "");
});

test("the same connection keeps the user's project unless a paste named one", () => {
  assert.equal(preselectedProject(true, { project: null }), null);
  assert.equal(preselectedProject(true, { project: "Other" }), "Other");
});

test("plain HTTP to another machine asks first; to this machine or over https it does not", () => {
  assert.equal(asksHttpConsent(fixture("connect_with_pat").apiUrl), true, "http://ado.test is another machine");
  assert.equal(asksHttpConsent("http://127.0.0.1:8080/tfs/DefaultCollection/"), false);
  assert.equal(asksHttpConsent("http://localhost/tfs/"), false);
  assert.equal(asksHttpConsent("http://[::1]:8080/"), false);
  assert.equal(asksHttpConsent("https://dev.azure.com/fabrikam/"), false);
});

test("the status counts the failed checks of the backend's report", async () => {
  const seen = [];
  const report = await backend.runChecks({ profileId: "p", capabilities: [] }, (check) => seen.push(check.id));
  assert.equal(seen.length, report.checks.length, "each check streamed as it settled");
  assert.equal(checksStatus(report), "1 check(s) failed. Fix them and run again.");
  const clear = { ...report, ok: true, checks: report.checks.filter((c) => c.status !== "fail") };
  assert.equal(checksStatus(clear), `All clear: ${clear.checks.length} checks, ${report.requests} requests.`);
});
