// A type-to-filter picker whose rows are ticked (an ARIA combobox over a multi-select listbox):
// the input filters as you type, the popup lists only the rows in view (virtualized), a click or
// Enter ticks or unticks a row and the popup stays open, the chosen rows show as removable chips
// with a count. Used for the webhook step's projects and repositories.
import { backend } from "./backend.js";
import { el } from "./dom.js";
import { plural } from "./time.js";
import { virtualList } from "./vlist.js";

const ROW = 30;
const NOUNS = { projects: ["project", "projects"], allRepositories: ["repository", "repositories"] };

/** What a row stands for: a project's name, or `project/repository` (the hooks request's form). */
const valueOf = (row) => (row.kind === "project" ? row.name : `${row.project}/${row.name}`);

/**
 * Builds a multi-select picker in `host` (`data-input` names the input's id, `data-scope`
 * "projects" or "allRepositories"). `context()` returns `{ profileId }`; `onChange(values)` runs
 * when the chosen set changes.
 */
export function multiPicker(host, { context, onChange = () => {}, placeholder = "" }) {
  const kind = host.dataset.scope;
  const [one, many] = NOUNS[kind];
  const id = host.dataset.input;
  const input = el("input");
  Object.assign(input, { id, type: "text", autocomplete: "off", spellcheck: false, placeholder });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", `${id}-list`);
  input.setAttribute("aria-describedby", `${id}-count ${id}-hint`);
  const list = el("div", { className: "vlist picker-list" });
  list.id = `${id}-list`;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-multiselectable", "true");
  list.setAttribute("aria-label", `Choose ${many}`);
  list.hidden = true;
  const hint = el("p", { className: "hint" });
  hint.id = `${id}-hint`;
  hint.setAttribute("aria-live", "polite");
  const count = el("p", { className: "chosen-count" });
  count.id = `${id}-count`;
  count.setAttribute("aria-live", "polite");
  const chips = el("ul", { className: "chips" });
  chips.id = `${id}-chips`;
  chips.setAttribute("aria-label", `Chosen ${many}`);
  host.replaceChildren(input, list, hint, count, chips);

  let chosen = []; // values, in the order they were ticked
  let active = -1;
  let rows = [];
  const isChosen = (value) => chosen.some((v) => v.toLowerCase() === value.toLowerCase());
  const search = (query, offset, limit) => backend.searchCatalog(context().profileId, { kind }, query, offset, limit);

  const vlist = virtualList(list, {
    rowHeight: ROW,
    fetch: (offset, limit) => search(input.value, offset, limit),
    render: (row, i) => {
      const value = valueOf(row);
      const ticked = isChosen(value);
      const option = el(
        "div",
        { className: "option" },
        el("span", { className: "tick", text: ticked ? "✓" : "" }),
        el("span", { className: "name", text: row.name }),
      );
      option.querySelector(".tick").setAttribute("aria-hidden", "true");
      if (row.kind === "project") option.append(el("span", { className: "meta", text: plural(row.repositories, "repository", "repositories") }));
      else option.append(el("span", { className: "meta", text: row.project }));
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", String(ticked));
      option.id = `${id}-opt-${i}`;
      option.dataset.value = value;
      if (ticked) option.classList.add("chosen");
      if (i === active) option.classList.add("active");
      option.addEventListener("mousedown", (e) => {
        e.preventDefault(); // keep focus (and the popup) in the input
        active = i;
        toggle(value);
      });
      return option;
    },
    onPage: (page) => {
      rows = page.rows;
      describe(page);
    },
  });

  function repaint() {
    list.dispatchEvent(new Event("scroll"));
  }

  function describe(page) {
    hint.replaceChildren();
    const typed = input.value.trim();
    if (page.total > 0 || !typed) {
      hint.textContent = typed ? `${plural(page.total, one, many)} match “${typed}”.` : `${plural(page.total, one, many)}.`;
      return;
    }
    hint.append(`No ${one} matches “${typed}”.`);
    if (page.suggestion) {
      const fix = el("button", { className: "link suggestion", text: page.suggestion });
      fix.type = "button";
      fix.addEventListener("click", () => {
        input.value = page.suggestion;
        open(true);
        refresh();
        input.focus();
      });
      hint.append(" Did you mean ", fix, "?");
    }
  }

  function chip(value) {
    const remove = el("button", { className: "chip-remove", text: "×" });
    remove.type = "button";
    remove.setAttribute("aria-label", `Remove ${value}`);
    remove.addEventListener("click", () => {
      toggle(value);
      input.focus();
    });
    const li = el("li", { className: "chip" }, el("span", { className: "chip-name", text: value }), remove);
    li.dataset.value = value;
    return li;
  }

  function renderChosen() {
    chips.replaceChildren(...chosen.map(chip));
    count.textContent = chosen.length ? `${plural(chosen.length, one, many)} chosen.` : `No ${one} chosen yet.`;
  }

  function toggle(value) {
    chosen = isChosen(value) ? chosen.filter((v) => v.toLowerCase() !== value.toLowerCase()) : [...chosen, value];
    renderChosen();
    repaint();
    onChange(chosen);
  }

  function open(visible) {
    list.hidden = !visible;
    input.setAttribute("aria-expanded", String(visible));
    if (visible) repaint();
  }

  async function refresh() {
    active = -1;
    input.removeAttribute("aria-activedescendant");
    try {
      await vlist.reset();
    } catch (error) {
      hint.textContent = error.message || String(error);
    }
  }

  function move(by) {
    const total = Math.min(vlist.total, rows.length);
    if (!total) return;
    open(true);
    active = (active + by + total) % total;
    list.scrollTop = Math.max(0, active * ROW - list.clientHeight / 2);
    repaint();
    input.setAttribute("aria-activedescendant", `${id}-opt-${active}`);
    requestAnimationFrame(repaint);
  }

  input.addEventListener("input", () => {
    open(true);
    refresh();
  });
  input.addEventListener("focus", () => {
    open(true);
    refresh();
  });
  // Leaving the field drops the filter: the chips, not the typed text, are the choice.
  input.addEventListener("blur", () => {
    open(false);
    if (input.value) {
      input.value = "";
      refresh();
    }
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") move(1);
    else if (e.key === "ArrowUp") move(-1);
    else if (e.key === "Escape" && !list.hidden) open(false);
    else if (e.key === "Enter" && active >= 0 && rows[active]) toggle(valueOf(rows[active]));
    else if (e.key === "Enter" && !list.hidden && rows.length === 1) toggle(valueOf(rows[0]));
    else if (e.key === "Backspace" && !input.value && chosen.length) toggle(chosen[chosen.length - 1]);
    else return;
    e.preventDefault();
  });

  renderChosen();
  return {
    input,
    /** Replaces the chosen set without opening the list; refreshes the count. */
    set(values) {
      chosen = [];
      for (const v of values || []) if (v && !isChosen(v)) chosen.push(v);
      input.value = "";
      renderChosen();
      open(false);
      return refresh();
    },
    get values() {
      return [...chosen];
    },
    refresh,
  };
}
