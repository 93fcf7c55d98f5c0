// The organizations offered after a Microsoft sign-in: the backend's list in the field's
// <datalist>, the signed-in one preselected unless the user typed one, quiet when it fails; at
// start, asked only of a saved Microsoft sign-in.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { errors, fixture, installFakeBackend } from "./support/fake-backend.js";
import { installDom, node } from "./support/dom.js";

const fake = installFakeBackend();
const { offerFromSaved, offerOrganizations } = await import("../../ui/src/steps/organizations.js");

let doc;
beforeEach(() => {
  fake.reset();
  doc = installDom(["organization-field"]);
  doc.getElementById("organization-field").append(node("input", { id: "organization", value: "" }));
});

const $ = (id) => doc.getElementById(id);

test("the user's organizations are offered, the signed-in one chosen", async () => {
  const organizations = fixture("list_organizations");
  assert.deepEqual(await offerOrganizations("p"), organizations);
  assert.deepEqual(fake.argsOf("list_organizations"), [{ profileId: "p" }]);
  const options = doc.querySelectorAll("#organization-choices option");
  assert.deepEqual(options.map((o) => o.value), organizations.map((o) => o.name));
  const current = organizations.find((o) => o.current);
  assert.equal(options.find((o) => o.value === current.name).label, `${current.name} (signed in)`);
  assert.equal($("organization").value, current.name);
  assert.equal($("organization").getAttribute("list"), "organization-choices");
  assert.equal(doc.body.dataset.organizations, String(organizations.length));
});

test("an organization already typed stays; asking again reuses the one list", async () => {
  $("organization").value = "northwind";
  await offerOrganizations("p");
  await offerOrganizations("p");
  assert.equal($("organization").value, "northwind");
  assert.equal(doc.querySelectorAll("datalist").length, 1);
});

test("when the backend cannot list them, nothing is offered and nothing is filled", async () => {
  fake.fail("list_organizations", errors.notFound());
  assert.deepEqual(await offerOrganizations("p"), []);
  assert.equal($("organization-choices"), null);
  assert.equal($("organization").value, "");
  assert.equal(doc.body.dataset.organizations, undefined);
});

test("at start, only a saved Microsoft sign-in is asked", async () => {
  const entra = fixture("connection_cards").find((c) => c.method === "entra");
  await offerFromSaved();
  assert.deepEqual(fake.argsOf("list_organizations"), [{ profileId: entra.id }]);
  fake.reset();
  fake.answer("connection_cards", fixture("connection_cards").filter((c) => c.method !== "entra"));
  assert.deepEqual(await offerFromSaved(), []);
  assert.deepEqual(fake.argsOf("list_organizations"), []);
});
