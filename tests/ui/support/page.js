// The real page for the tests' DOM: ui/index.html's body parsed into support/dom.js's nodes
// (ids, classes, attributes, data-*, form controls, templates), so that a test wiring the whole
// page runs against the elements the app has, and an id the script asks for that the page lacks
// is null here as it is in the window.
import { readFileSync } from "node:fs";
import { installDom, node } from "./dom.js";

const PAGE = new URL("../../../ui/index.html", import.meta.url);
const VOID = new Set(["input", "img", "br", "hr", "meta", "link", "source", "wbr"]);
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", hellip: "…", rarr: "→", larr: "←", middot: "·", mdash: "—", ndash: "–", times: "×" };
/** Attributes a browser also reflects as properties (the steps read them so). */
const PROPERTIES = { class: "className", for: "htmlFor", maxlength: "maxLength", readonly: "readOnly", tabindex: "tabIndex" };
const BOOLEANS = new Set(["checked", "disabled", "hidden", "required", "open", "readonly", "multiple", "selected", "autofocus"]);

const decode = (text) => text.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name) => (name[0] === "#" ? String.fromCodePoint(name[1] === "x" ? parseInt(name.slice(2), 16) : Number(name.slice(1))) : ENTITIES[name] ?? whole));

/** One element of `tag` with the attributes written in `source` (`id="a" class="b" hidden`). */
function element(tag, source) {
  const n = node(tag);
  for (const [, name, raw] of source.matchAll(/([^\s=/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g)) {
    const value = raw === undefined ? "" : decode(raw.replace(/^["']|["']$/g, ""));
    const lower = name.toLowerCase();
    n.setAttribute(lower, value);
    if (lower === "style" || lower.startsWith("aria-")) continue;
    if (lower.startsWith("data-")) n.dataset[lower.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = value;
    else if (BOOLEANS.has(lower)) n[PROPERTIES[lower] || lower] = true;
    else n[PROPERTIES[lower] || lower] = value;
  }
  return n;
}

/** The nodes of `html` (a fragment), appended to `parent`; a <template>'s go to its `content`. */
function parseInto(parent, html) {
  const stack = [parent];
  const top = () => stack[stack.length - 1];
  const into = (n) => (n.tagName === "TEMPLATE" ? n.content : n);
  for (const [token, closing, tag, attributes] of html.matchAll(/<!--[\s\S]*?-->|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:"[^"]*"|'[^']*'|[^>"'])*)>|[^<]+/g)) {
    if (token.startsWith("<!--")) continue;
    if (!tag) {
      if (token.trim()) into(top()).append(decode(token));
      continue;
    }
    const name = tag.toLowerCase();
    if (closing) {
      while (stack.length > 1 && top().tagName !== name.toUpperCase()) stack.pop();
      if (stack.length > 1) stack.pop();
      continue;
    }
    const n = element(name, attributes);
    if (name === "template") n.content = node("div");
    into(top()).append(n);
    if (!VOID.has(name) && !attributes.trim().endsWith("/")) stack.push(n);
  }
}

/** A document whose body is ui/index.html's; `window.scrollTo` does nothing. */
export function installPage() {
  const html = readFileSync(PAGE, "utf8");
  const body = html.slice(html.indexOf(">", html.indexOf("<body")) + 1, html.lastIndexOf("</body>"));
  const doc = installDom();
  parseInto(doc.body, body);
  globalThis.scrollTo = () => {};
  return doc;
}

/** Lets `n` turns of the event loop run (the page's awaits settle). */
export async function settle(n = 5) {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The step the page shows (`document.body.dataset.step`, what the journeys wait on). */
export const step = () => document.body.dataset.step;

/** Waits (a few hundred turns at most) until the page shows `name`: a step loaded on first use
 *  is imported first. Returns the step shown then. */
export async function shows(name) {
  for (let i = 0; i < 300 && step() !== name; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  return step();
}
