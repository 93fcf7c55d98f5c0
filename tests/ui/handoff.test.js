// The product steps' logic: what the hand-off still needs from the user (and where it asks for
// it), the details carried in the store, and the choice sent to the backend; the profile and
// the hand-off view are the backend's (fake).
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { fixture, installFakeBackend, variants } from "./support/fake-backend.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { backend } = await import("../../ui/src/backend.js");
const { choice, detail, filled, placeholdersIn, setDetail } = await import("../../ui/src/product.js");
const { detailsFor, missingLine, ownDetail, wanted } = await import("../../ui/src/steps/handoff.js");
const { askedDetails } = await import("../../ui/src/steps/product.js");

beforeEach(async () => {
  fake.reset();
  store.reset();
  const info = await backend.productInfo();
  store.set("loaded", info.loaded);
});

test("a missing value names what the user must give: a project, a repository, placeholders", () => {
  assert.deepEqual(detailsFor({ source: "project" }), ["project"]);
  assert.deepEqual(detailsFor({ source: "repository_url" }), ["repository"]);
  assert.deepEqual(detailsFor({ source: "placeholder", placeholder: "dx_url" }), ["dx_url"]);
  assert.deepEqual(detailsFor({ source: "webhook_url" }), ["dx_url"], "DX's webhook URL is {dx_url}/webhooks/ado");
  assert.deepEqual(detailsFor({ source: "pat" }), []);
});

test("the view's missing placeholder is asked for above the fields, the POST's below", async () => {
  fake.answer("handoff_panel", variants.handoffMissing);
  const view = await backend.handoffPanel("p", choice());
  assert.deepEqual(wanted(view, { top: [], post: [] }), { top: ["dx_url"], post: [] });
  const posting = { ...view, deliveries: { ...view.deliveries, post: true } };
  assert.deepEqual(wanted(posting, { top: [], post: [] }), { top: ["dx_url"], post: ["dx_connection_id", "dx_api_url"] });
  // Once asked, a detail stays asked for (the inputs do not jump while the user types).
  assert.deepEqual(wanted({ ...view, missing: [] }, { top: ["dx_url"], post: [] }), { top: ["dx_url"], post: [] });
});

test("a field that is itself a detail is edited in its row, not asked twice", () => {
  assert.equal(ownDetail({ source: "project", key: "project" }), "project");
  assert.equal(ownDetail({ source: "placeholder", key: "placeholder:dx_url" }), "dx_url");
  assert.equal(ownDetail({ source: "pat", key: "pat:default:0" }), null);
  const view = fixture("handoff_panel");
  const inRow = { ...view, panel: { ...view.panel, fields: [...view.panel.fields, { key: "placeholder:dx_url", source: "placeholder" }] } };
  assert.deepEqual(wanted(inRow, { top: [], post: [] }).top, []);
});

test("nothing can be handed over while a required value is missing", () => {
  const view = fixture("handoff_panel");
  assert.equal(missingLine(view), "Kong Konnect also needs Your DX URL: until then nothing can be copied, exported or sent.");
  assert.equal(missingLine({ ...view, missing: [] }), "");
});

test("details live in the store; templates show them, or name what is still to fill", () => {
  assert.equal(filled("{dx_url}/webhooks/ado"), "‹Your DX URL›/webhooks/ado");
  setDetail("dx_url", "https://dx.example");
  setDetail("project", "Fabrikam Fiber");
  assert.equal(detail("dx_url"), "https://dx.example");
  assert.equal(store.get("details").placeholders.dx_url, "https://dx.example");
  assert.equal(filled("{dx_url}/webhooks/ado"), "https://dx.example/webhooks/ado");
  assert.deepEqual(placeholdersIn("{dx_api_url}/credentials.create {unknown}"), ["dx_api_url"]);
  assert.deepEqual(choice(), { project: "Fabrikam Fiber", repository: null, publicUrl: null, placeholders: { dx_url: "https://dx.example" } });
});

test("the product step asks for the repository only when the hand-off has a field for it", () => {
  const p = store.get("loaded").profile;
  assert.deepEqual(askedDetails(p), ["project"], "DX hands over PATs only");
  const withRepo = { ...p, handoff: { ...p.handoff, fields: [...p.handoff.fields, { source: "repository_url" }] } };
  assert.deepEqual(askedDetails(withRepo), ["project", "repository"]);
});
