// The connect step's renewal: the form filled from a saved connection's card (the backend's).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";

const fake = installFakeBackend();
const { renewalForm } = await import("../../ui/src/steps/connect.js");
const { backend } = await import("../../ui/src/backend.js");

test("a Server connection's card fills the server URL and the collection", async () => {
  const { card } = await backend.connectWithPat({});
  assert.deepEqual(renewalForm(card), {
    deployment: "server",
    values: { "server-url": card.target.serverUrl, collection: "DefaultCollection" },
    servicesUrl: "",
    method: null,
  });
  assert.equal(fake.calls.length, 1);
});

test("a Services connection's card fills the organization and picks its sign-in method", () => {
  const card = fixture("connect_with_pat").card;
  const services = (method, servicesUrl) => ({ ...card, method, target: { deployment: "services", organization: "fabrikam", servicesUrl } });
  assert.deepEqual(renewalForm(services("pat", "https://dev.azure.com/")), { deployment: "services", values: { organization: "fabrikam" }, servicesUrl: "", method: "method-pat" });
  assert.equal(renewalForm(services("servicePrincipal", "https://dev.azure.com/")).method, "method-sp");
  assert.equal(renewalForm(services("entra", "https://dev.azure.com/")).method, "method-browser");
  assert.equal(renewalForm(services("pat", "http://ado.test/")).servicesUrl, "http://ado.test/", "a sandbox's own address is kept");
});
