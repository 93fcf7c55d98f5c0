// The tests' own DOM (support/dom.js): the selectors the steps use match as a browser's do, so a
// step test that finds nothing has found nothing, not a selector this DOM misreads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { installDom, node } from "./support/dom.js";

function list() {
  const doc = installDom(["list:ul"]);
  const secret = node("li", { className: "handoff-field" }, node("input", { type: "password" }), node("button", { className: "secondary copy" }));
  const plain = node("li", { className: "handoff-field" }, node("input", { type: "text" }), node("button", { className: "secondary copy" }));
  const group = node("li", { className: "group fail" });
  const failed = node("li", { className: "fail" });
  failed.dataset.code = "invalid_permissions";
  doc.getElementById("list").append(secret, plain, group, failed);
  return { doc, secret, plain, group, failed };
}

test(":has() and :not() look inside, and a list splits only at its top-level commas", () => {
  const { doc, secret, group, failed } = list();
  assert.deepEqual(doc.querySelectorAll("#list .handoff-field:has(input[type=password]) .copy"), [secret.children[1]]);
  assert.deepEqual(doc.querySelectorAll("#list li.fail:not(.group)"), [failed]);
  assert.deepEqual(doc.querySelectorAll("#list li.group, #list li:has(input[type=password])"), [secret, group]);
});

test("[data-x] is the dataset's, [name=value] the attribute's or the property's", () => {
  const { doc, failed } = list();
  assert.deepEqual(doc.querySelectorAll("li.fail[data-code]"), [failed]);
  assert.deepEqual(doc.querySelectorAll("li[data-code=invalid_permissions]"), [failed]);
  assert.equal(doc.querySelectorAll("li[data-missing]").length, 0);
  assert.equal(doc.querySelectorAll("input[type=text]").length, 1);
});

test("classList changes className; a form control's value starts empty", () => {
  const li = node("li", { className: "a" });
  li.classList.add("b");
  li.classList.toggle("a", false);
  assert.equal(li.className, "b");
  assert.equal(li.classList.contains("b"), true);
  assert.equal(node("input").value, "");
  assert.equal(node("div").value, undefined);
});
