// The paste box's logic: what a link fills in, what it names for the later steps, when Undo is
// offered and when the "Understood" line goes stale; the answers are the backend's (fake).
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { fixture, installFakeBackend } from "./support/fake-backend.js";

const fake = installFakeBackend();
const { contextOf, filledForm, isStale, replacedTyping, understand, STALE_TEXT } = await import("../../ui/src/steps/paste.js");

const empty = { deployment: null, servicesUrl: "", values: { "server-url": "", collection: "", organization: "" } };

beforeEach(() => fake.reset());

test("an understood link says what it understood and fills the organization", async () => {
  const answer = await understand("https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/fiber-api?version=GBmain");
  assert.equal(answer.kind, "understood");
  assert.equal(answer.text, `Understood: ${fixture("parse_url").description}`);
  assert.deepEqual(fake.argsOf("parse_url"), [{ input: "https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/fiber-api?version=GBmain" }]);
  const form = filledForm(empty, answer.summary);
  assert.equal(form.deployment, "services");
  assert.equal(form.values.organization, "fabrikam");
  assert.deepEqual(contextOf(answer.summary), { project: "Fabrikam Fiber", repository: "fiber-api", branch: "main" });
});

test("an ambiguous link asks to check the server URL and collection", async () => {
  fake.answer("parse_url", () => ({ ...fixture("parse_url"), stillAmbiguous: true }));
  const answer = await understand("https://tfs.example/tfs/Coll/Proj");
  assert.match(answer.text, /did not confirm which part is the collection/);
});

test("a link the backend refuses shows the backend's message", async () => {
  const error = fake.refuse("parse_url");
  const answer = await understand("not a link");
  assert.deepEqual(answer, { kind: "notUnderstood", text: error.message, summary: null });
});

test("an empty box asks nothing of the backend", async () => {
  const answer = await understand("   ");
  assert.equal(answer.kind, "empty");
  assert.equal(fake.calls.length, 0);
});

test("a server link fills server URL and collection and keeps the organization typed", () => {
  const before = { ...empty, values: { ...empty.values, organization: "typed" } };
  const form = filledForm(before, { deployment: "server", serverUrl: "https://tfs.example/tfs", collection: "DefaultCollection" });
  assert.deepEqual(form.values, { "server-url": "https://tfs.example/tfs", collection: "DefaultCollection", organization: "typed" });
  assert.equal(form.deployment, "server");
});

test("Undo is offered only when the paste replaced what the user typed", () => {
  const summary = fixture("parse_url").summary;
  assert.equal(replacedTyping(empty, filledForm(empty, summary)), false);
  const typed = { ...empty, values: { ...empty.values, organization: "contoso" } };
  assert.equal(replacedTyping(typed, filledForm(typed, summary)), true);
  const same = { ...empty, values: { ...empty.values, organization: "fabrikam" } };
  assert.equal(replacedTyping(same, filledForm(same, summary)), false);
});

test("the confirmation goes stale once a field or the deployment differs, not on spaces", () => {
  const filled = filledForm(empty, fixture("parse_url").summary);
  assert.equal(isStale(filled, structuredClone(filled)), false);
  assert.equal(isStale(filled, { ...filled, values: { ...filled.values, organization: " fabrikam " } }), false);
  assert.equal(isStale(filled, { ...filled, values: { ...filled.values, organization: "contoso" } }), true);
  assert.equal(isStale(filled, { ...filled, deployment: "server" }), true);
  assert.match(STALE_TEXT, /no longer match/);
});
