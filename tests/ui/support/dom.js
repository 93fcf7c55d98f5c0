// A very small DOM for the tests that render: elements with ids, text, classes, children,
// attributes and listeners, found by id or by a simple selector (`#id`, `.class`, `tag`,
// `[name=value]`, `[data-x]`, `:checked`, `:not(…)`, `:has(…)`, descendants, lists), classList,
// radio groups that keep one checked. Enough for ui/src/dom.js's `el`, `$` and `show`, for
// errors.js, and for the steps that build their rows and buttons themselves.

class Node {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.attributes = {};
    this.dataset = {};
    this.style = {};
    this.listeners = {};
    this.hidden = false;
    this.className = "";
    this.id = "";
    this.parent = null;
    this.ownText = "";
    this.open = false;
    // A form control's value is a string from the start, as in a browser.
    if (["INPUT", "TEXTAREA", "SELECT"].includes(this.tagName)) this.value = "";
  }
  get checked() {
    return !!this.isChecked;
  }
  /** A radio checked unchecks the others of its group, as a browser does. */
  set checked(on) {
    this.isChecked = !!on;
    if (!on || this.type !== "radio" || !this.name) return;
    let root = this;
    while (root.parent) root = root.parent;
    for (const n of root.descendants()) if (n !== this && n.type === "radio" && n.name === this.name) n.isChecked = false;
  }
  get parentElement() {
    return this.parent;
  }
  /** A text child is given as { textContent } (the tests' DOM keeps text as strings). */
  get firstChild() {
    return asNode(this.children[0]);
  }
  get nextSibling() {
    if (!this.parent) return null;
    return asNode(this.parent.children[this.parent.children.indexOf(this) + 1]);
  }
  /** The classes, as a browser's classList changes them (over `className`). */
  get classList() {
    const list = () => this.className.split(/\s+/).filter(Boolean);
    const set = (names) => (this.className = names.join(" "));
    return {
      contains: (name) => list().includes(name),
      add: (...names) => set([...list(), ...names.filter((n) => !list().includes(n))]),
      remove: (...names) => set(list().filter((n) => !names.includes(n))),
      toggle: (name, on = !list().includes(name)) => {
        set(on ? [...list().filter((n) => n !== name), name] : list().filter((n) => n !== name));
        return on;
      },
    };
  }
  get textContent() {
    return this.ownText + this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }
  set textContent(text) {
    this.children = [];
    this.ownText = String(text);
  }
  appendChild(node) {
    this.append(node);
    return node;
  }
  append(...nodes) {
    for (const n of nodes) {
      if (typeof n !== "string") {
        if (n.parent) n.remove();
        n.parent = this;
      }
      this.children.push(n);
    }
  }
  replaceChildren(...nodes) {
    for (const c of this.children) if (typeof c !== "string") c.parent = null;
    this.children = [];
    this.ownText = "";
    this.append(...nodes);
  }
  /** Takes this node out of its parent. */
  remove() {
    if (!this.parent) return;
    this.parent.children = this.parent.children.filter((c) => c !== this);
    this.parent = null;
  }
  /** Puts `nodes` right after (or before) this node in its parent. */
  after(...nodes) {
    this.insert(1, nodes);
  }
  before(...nodes) {
    this.insert(0, nodes);
  }
  insert(offset, nodes) {
    const parent = this.parent;
    if (!parent) return;
    for (const n of nodes) if (typeof n !== "string") n.remove();
    const at = parent.children.indexOf(this) + offset;
    parent.children.splice(at, 0, ...nodes);
    for (const n of nodes) if (typeof n !== "string") n.parent = parent;
  }
  replaceWith(node) {
    this.after(node);
    this.remove();
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  removeAttribute(name) {
    delete this.attributes[name];
  }
  getAttribute(name) {
    return name in this.attributes ? this.attributes[name] : null;
  }
  toggleAttribute(name, on) {
    if (on) this.setAttribute(name, "");
    else this.removeAttribute(name);
  }
  addEventListener(type, fn) {
    (this.listeners[type] ||= []).push(fn);
  }
  /** Runs the listeners of `type` (and `on${type}`); resolves when the async ones settled. */
  async dispatch(type, event = {}) {
    const e = { type, target: this, preventDefault() {}, ...event };
    const handlers = [...(this.listeners[type] || []), ...(this[`on${type}`] ? [this[`on${type}`]] : [])];
    await Promise.all(handlers.map((fn) => fn(e)));
  }
  click() {
    return this.dispatch("click");
  }
  showModal() {
    this.open = true;
  }
  close() {
    this.open = false;
  }
  scrollIntoView() {}
  focus() {}
  select() {}
  /** Laid out: neither it nor any parent is hidden. */
  getClientRects() {
    for (let n = this; n; n = n.parent) if (n.hidden) return [];
    return [{}];
  }
  contains(node) {
    for (let n = node; n; n = n.parent) if (n === this) return true;
    return false;
  }
  /** Every element below this one (depth first). */
  descendants() {
    return this.children.filter((c) => typeof c !== "string").flatMap((c) => [c, ...c.descendants()]);
  }
  closest(selector) {
    for (let n = this; n; n = n.parent) if (matches(n, selector)) return n;
    return null;
  }
  querySelectorAll(selector) {
    return this.descendants().filter((n) => matches(n, selector));
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
}

const asNode = (child) => (child === undefined ? null : typeof child === "string" ? { textContent: child } : child);

/** `:has(…)` and `:not(…)` taken out of `compound` (their selectors may hold spaces and dots). */
function pseudoClasses(compound) {
  const found = [];
  let rest = "";
  for (let i = 0; i < compound.length; ) {
    const m = compound.slice(i).match(/^:(has|not)\(/);
    if (!m) {
      rest += compound[i++];
      continue;
    }
    let depth = 1;
    let j = i + m[0].length;
    for (; j < compound.length && depth; j++) depth += compound[j] === "(" ? 1 : compound[j] === ")" ? -1 : 0;
    found.push({ kind: m[1], selector: compound.slice(i + m[0].length, j - 1) });
    i = j;
  }
  return { rest, found };
}

/** One compound selector (`input.x#y[name=method]:checked`, `li:not(.group)`,
 *  `li:has(input[type=password])`) against one node. */
function matchesCompound(node, compound) {
  const { rest, found } = pseudoClasses(compound);
  for (const { kind, selector } of found) {
    if (kind === "not" && matches(node, selector)) return false;
    if (kind === "has" && !node.querySelector(selector)) return false;
  }
  const parts = rest.match(/^[a-z]+|#[\w-]+|\.[\w-]+|\[[\w-]+(?:=[^\]]+)?\]|:checked/gi) || [];
  return parts.every((p) => {
    if (p.startsWith("#")) return node.id === p.slice(1);
    if (p.startsWith(".")) return node.className.split(/\s+/).includes(p.slice(1));
    if (p.startsWith("[")) {
      const [name, value] = p.slice(1, -1).split("=");
      const data = name.startsWith("data-") ? name.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase()) : null;
      const actual = name in node.attributes ? node.attributes[name] : data ? node.dataset[data] : node[name];
      if (value === undefined) return actual !== undefined && actual !== null;
      return String(actual) === value.replace(/^["']|["']$/g, "");
    }
    if (p === ":checked") return !!node.checked;
    return node.tagName === p.toUpperCase();
  });
}

/** `selector` split at the top level (not inside parentheses) on `separator` (a regex char). */
function splitTop(selector, separator) {
  const out = [""];
  let depth = 0;
  for (const c of selector) {
    depth += c === "(" ? 1 : c === ")" ? -1 : 0;
    if (!depth && separator.test(c)) out.push("");
    else out[out.length - 1] += c;
  }
  return out.map((x) => x.trim()).filter(Boolean);
}

/** `selector` (a list of descendant chains) against `node`. */
function matches(node, selector) {
  return splitTop(selector, /,/).some((chain) => {
    const steps = splitTop(chain, /\s/);
    if (!matchesCompound(node, steps.pop())) return false;
    let n = node.parent;
    for (const step of steps.reverse()) {
      while (n && !matchesCompound(n, step)) n = n.parent;
      if (!n) return false;
      n = n.parent;
    }
    return true;
  });
}

/** A document holding the elements `ids` (each a <div>, or the tag given as `id:tag`); with
 *  `anyId`, an id asked for and not there is made then (a <div> at the end of the body, with the
 *  empty `value` the step's input would have), for the tests that wire a whole step and look
 *  only at a few of its elements. */
export function installDom(ids = [], { anyId = false } = {}) {
  const body = new Node("body");
  const find = (id) => [body, ...body.descendants()].find((n) => n.id === id) || null;
  const doc = {
    body,
    activeElement: body,
    createElement: (tag) => new Node(tag),
    createComment: () => new Node("#comment"),
    getElementById: (id) => find(id) || (anyId ? body.appendChild(Object.assign(new Node("div"), { id, value: "" })) : null),
    querySelector: (selector) => body.querySelector(selector),
    querySelectorAll: (selector) => body.querySelectorAll(selector),
  };
  for (const spec of ids) {
    const [id, tag = "div"] = spec.split(":");
    const node = new Node(tag);
    node.id = id;
    body.append(node);
  }
  globalThis.document = doc;
  return doc;
}

/** A node of `tag` with `props` (id, value, type, name, checked …), for a test's own form. */
export function node(tag, props = {}, ...children) {
  const n = new Node(tag);
  Object.assign(n, props);
  n.append(...children);
  return n;
}
