// A virtualized list: only the rows in view (plus a few) exist in the DOM, fetched a page at a
// time from the backend. A 22,000-row catalog costs the same as a 20-row one: one spacer of the
// full height and ~30 positioned rows.
import { el } from "./dom.js";

const PAGE = 100;
const OVERSCAN = 8;

/**
 * `container` scrolls; `fetch(offset, limit)` resolves to `{ total, rows, suggestion }`;
 * `render(row)` returns a node. Returns `{ reset(), total }`: call `reset()` when the query changes.
 */
export function virtualList(container, { rowHeight, fetch, render, onPage }) {
  const spacer = el("div", { className: "vlist-spacer" });
  container.replaceChildren(spacer);
  let pages = new Map(); // page index -> rows, or a pending promise
  let total = 0;
  let generation = 0;
  let frame = 0;

  function load(index, gen) {
    if (pages.has(index)) return;
    const pending = fetch(index * PAGE, PAGE).then((page) => {
      if (gen !== generation) return;
      pages.set(index, page.rows);
      total = page.total;
      paint();
    });
    pages.set(index, pending);
  }

  function paint() {
    spacer.style.height = `${total * rowHeight}px`;
    const first = Math.max(0, Math.floor(container.scrollTop / rowHeight) - OVERSCAN);
    const last = Math.min(total, Math.ceil((container.scrollTop + container.clientHeight) / rowHeight) + OVERSCAN);
    const nodes = [];
    for (let i = first; i < last; i++) {
      const rows = pages.get(Math.floor(i / PAGE));
      if (!Array.isArray(rows)) {
        load(Math.floor(i / PAGE), generation);
        continue;
      }
      const row = rows[i % PAGE];
      if (!row) continue;
      const node = render(row, i);
      node.style.top = `${i * rowHeight}px`;
      node.style.height = `${rowHeight}px`;
      node.classList.add("vrow");
      nodes.push(node);
    }
    spacer.replaceChildren(...nodes);
  }

  container.addEventListener("scroll", () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(paint);
  });

  return {
    /** Drops what was loaded and fetches the first page again; resolves to that page. */
    async reset() {
      const gen = ++generation;
      const page = await fetch(0, PAGE);
      if (gen !== generation) return null;
      pages = new Map([[0, page.rows]]);
      total = page.total;
      container.scrollTop = 0;
      paint();
      if (onPage) onPage(page);
      return page;
    },
    get total() {
      return total;
    },
  };
}
