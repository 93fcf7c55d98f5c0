// The result step on the fake backend: who signed in and what the credential reaches, as the
// backend verified it; the catalog a page at a time (search_catalog); a filter matching nothing
// offers the backend's "did you mean", which searches again when taken.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { fixture, installFakeBackend, variants } from "./support/fake-backend.js";
import { installDom } from "./support/dom.js";
import { recordNavigation } from "./support/nav.js";

const fake = installFakeBackend();
const { store } = await import("../../ui/src/store.js");
const { initResult, showResult } = await import("../../ui/src/steps/result.js");

let doc;
const $ = (id) => doc.getElementById(id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  fake.reset();
  store.reset();
  doc = installDom([], { anyId: true });
  recordNavigation();
  $("result-projects").clientHeight = 320; // ten rows in view
  store.set("opened", fixture("connect_with_pat"));
  initResult();
});

test("the facts the backend verified: the connection, who signed in, where, what it reaches", async () => {
  const opened = fixture("connect_with_pat");
  await showResult(opened);
  assert.equal($("result-name").textContent, opened.card.name);
  assert.equal($("result-user").textContent, `${opened.user.displayName} (${opened.user.account})`);
  assert.equal($("result-deployment").textContent, "Azure DevOps Server (on-premises)");
  assert.equal($("result-url").textContent, opened.apiUrl);
  assert.equal($("result-counts").textContent, `${opened.summary.projects} projects, ${opened.summary.repositories} repositories`);
  assert.equal($("result-store").textContent, opened.secretStoreDescription);
  for (const id of ["forget", "to-checks", "to-hooks"]) assert.equal($(id).disabled, false, id);
});

test("the catalog, a page at a time: each project with its repository count, each repository with its branch", async () => {
  const opened = fixture("connect_with_pat");
  await showResult(opened);
  assert.deepEqual(fake.argsOf("search_catalog")[0], { profileId: opened.card.id, scope: { kind: "tree" }, query: "", offset: 0, limit: 100 });
  const rows = fixture("search_catalog").rows;
  const shown = doc.querySelectorAll("#result-projects .vrow");
  assert.deepEqual(shown.map((r) => r.querySelector(".project-name, .repo-name").textContent), rows.map((r) => r.name));
  const project = rows.findIndex((r) => r.kind === "project");
  assert.equal(shown[project].querySelector(".meta").textContent, `${rows[project].repositories} repositories`);
  const repository = rows.findIndex((r) => r.kind === "repository");
  assert.equal(shown[repository].querySelector(".meta").textContent, rows[repository].defaultBranch);
});

test("a filter matching nothing offers the backend's closest name; taking it searches again", async () => {
  await showResult(fixture("connect_with_pat"));
  fake.answer("search_catalog", (args) => (args.query === "fiber clod" ? variants.catalogNothing() : fixture("search_catalog")));
  $("result-filter").value = "fiber clod";
  await $("result-filter").dispatch("input");
  await settle();
  const { suggestion } = variants.catalogNothing();
  assert.equal($("result-filter-count").textContent, `Nothing matches “fiber clod”. Did you mean ${suggestion}?`);
  await $("result-filter-count").querySelector(".suggestion").click();
  await settle();
  assert.equal($("result-filter").value, suggestion);
  assert.equal(fake.argsOf("search_catalog").at(-1).query, suggestion);
  assert.equal($("result-filter-count").textContent, `${fixture("search_catalog").total} rows match “${suggestion}”.`);
});
