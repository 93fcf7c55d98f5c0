// The store: one place for what the steps share.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createStore, noContext } from "../../ui/src/store.js";

test("set tells the subscribers of that key, with the value before; unsubscribe stops it", () => {
  const store = createStore();
  const seen = [];
  const stop = store.subscribe("opened", (value, before) => seen.push([value, before]));
  store.set("opened", { card: { id: "a" } });
  store.set("context", { project: "P", repository: null, branch: null });
  stop();
  store.set("opened", null);
  assert.deepEqual(seen, [[{ card: { id: "a" } }, null]]);
  assert.equal(store.get("context").project, "P");
});

test("update derives the next value; reset starts over; an unknown key is a mistake", () => {
  const store = createStore();
  store.update("details", (d) => ({ ...d, project: "Fabrikam Fiber" }));
  assert.equal(store.get("details").project, "Fabrikam Fiber");
  store.reset();
  assert.equal(store.get("details").project, "");
  assert.deepEqual(store.get("context"), noContext());
  assert.throws(() => store.get("openned"), /no key openned/);
  assert.throws(() => store.set("openned", 1), /no key openned/);
});
