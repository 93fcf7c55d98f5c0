// A very small DOM for the few tests that render: elements with ids, text, classes, children and
// attributes, found by id. Enough for ui/src/dom.js's `el`, `$` and `show` and for errors.js.

class Node {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.attributes = {};
    this.dataset = {};
    this.hidden = false;
    this.className = "";
    this.id = "";
    this.parent = null;
    this.ownText = "";
  }
  get textContent() {
    return this.ownText + this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }
  set textContent(text) {
    this.children = [];
    this.ownText = String(text);
  }
  append(...nodes) {
    for (const n of nodes) {
      if (typeof n !== "string") n.parent = this;
      this.children.push(n);
    }
  }
  replaceChildren(...nodes) {
    this.children = [];
    this.ownText = "";
    this.append(...nodes);
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
  scrollIntoView() {}
  focus() {}
  /** Every element below this one (depth first). */
  descendants() {
    return this.children.filter((c) => typeof c !== "string").flatMap((c) => [c, ...c.descendants()]);
  }
}

/** A document holding the elements `ids` (each a <div> until the test says otherwise). */
export function installDom(ids = []) {
  const body = new Node("body");
  const doc = {
    body,
    createElement: (tag) => new Node(tag),
    getElementById: (id) => [body, ...body.descendants()].find((n) => n.id === id) || null,
  };
  for (const id of ids) {
    const node = new Node("div");
    node.id = id;
    body.append(node);
  }
  globalThis.document = doc;
  return doc;
}
