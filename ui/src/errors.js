// The one error renderer: every step shows a backend error ({code, message, fix, serverMessage,
// supportId}) the same way, in its own alert box. Steps switch on `code`, never on the text; the
// code shown is the one the backend sent, and none when it sent none.
import { el, show } from "./dom.js";

/** Fills `box` (an empty `.alert` element) with `error`; children get ids `${box.id}-code` etc. */
export function renderError(box, error) {
  const id = box.id;
  const part = (tag, name, className, text) => {
    const node = el(tag, { className, text });
    node.id = `${id}-${name}`;
    return node;
  };
  const details = [error.serverMessage && `Server said: ${error.serverMessage}`, error.supportId && `Support: ${error.supportId}`]
    .filter(Boolean)
    .join("\n");
  const title = error.code ? [part("span", "code", "code", error.code), " "] : [];
  const children = [
    el("p", { className: "alert-title" }, ...title, part("span", "message", "", error.message || String(error))),
    part("p", "fix", "alert-fix", error.fix || ""),
  ];
  if (details) {
    const more = el("details", {}, el("summary", { text: "Details for support" }), part("pre", "server", "", details));
    more.id = `${id}-details`;
    children.push(more);
  }
  box.className = "alert";
  box.replaceChildren(...children);
  show(box, true);
  box.scrollIntoView({ block: "nearest" });
}

/** Hides an error box. */
export function clearError(box) {
  show(box, false);
  box.replaceChildren();
}

/** One line for a status area: the message and the fix. */
export function errorLine(error) {
  return `${error.message || String(error)} ${error.fix || ""}`.trim();
}
