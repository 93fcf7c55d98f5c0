// A very small DOM for the tests that render: elements with ids, text, classes, children,
// attributes and listeners, found by id or by a simple selector (`#id`, `.class`, `tag`,
// `[name=value]`, `:checked`, descendants, lists), radio groups that keep one checked. Enough for ui/src/dom.js's `el`, `$` and
// `show`, for errors.js, and for the steps that build their rows and buttons themselves.

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

/** One compound selector (`input.x#y[name=method]:checked`) against one node. */
function matchesCompound(node, compound) {
  const parts = compound.match(/^[a-z]+|#[\w-]+|\.[\w-]+|\[[\w-]+=[^\]]+\]|:checked/gi) || [];
  return parts.every((p) => {
    if (p.startsWith("#")) return node.id === p.slice(1);
    if (p.startsWith(".")) return node.className.split(/\s+/).includes(p.slice(1));
    if (p.startsWith("[")) {
      const [name, value] = p.slice(1, -1).split("=");
      const actual = name in node.attributes ? node.attributes[name] : node[name];
      return String(actual) === value.replace(/^["']|["']$/g, "");
    }
    if (p === ":checked") return !!node.checked;
    return node.tagName === p.toUpperCase();
  });
}

/** `selector` (a list of descendant chains) against `node`. */
function matches(node, selector) {
  return selector.split(",").some((chain) => {
    const steps = chain.trim().split(/\s+/);
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
 *  `anyId`, an id asked for and not there is made then (a <div> at the end of the body), for
 *  the tests that wire a whole step and look only at a few of its elements. */
export function installDom(ids = [], { anyId = false } = {}) {
  const body = new Node("body");
  const find = (id) => [body, ...body.descendants()].find((n) => n.id === id) || null;
  const doc = {
    body,
    activeElement: body,
    createElement: (tag) => new Node(tag),
    getElementById: (id) => find(id) || (anyId ? body.appendChild(Object.assign(new Node("div"), { id })) : null),
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
