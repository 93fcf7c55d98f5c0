// Small DOM helpers. No framework: the wizard is a few forms.

export const $ = (id) => document.getElementById(id);

/** Creates an element with text content and classes; never parses HTML (no injection). */
export function el(tag, { text, className } = {}, ...children) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

export function show(node, visible) {
  node.hidden = !visible;
}
