// A type-to-filter picker (ARIA combobox) over the connection's catalog: the input filters as
// you type, the popup lists only the rows in view (virtualized), and a name that matches nothing
// gets "did you mean". Used for the project to probe and the webhook's project and repository.
import { backend } from "./backend.js";
import { el, show } from "./dom.js";
import { plural } from "./time.js";
import { virtualList } from "./vlist.js";

const ROW = 30;
const NOUNS = { projects: ["project", "projects"], repositories: ["repository", "repositories"] };

/**
 * Builds a picker in `host` (`data-input` names the input's id, `data-scope` "projects" or
 * "repositories"). `context()` returns `{ profileId, project }`; `onChange(value)` runs when a row
 * is chosen or the text changes.
 */
export function picker(host, { context, onChange = () => {}, placeholder = "" }) {
  const kind = host.dataset.scope;
  const [one, many] = NOUNS[kind];
  const id = host.dataset.input;
  const input = el("input");
  Object.assign(input, { id, type: "text", autocomplete: "off", spellcheck: false, placeholder });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", `${id}-list`);
  input.setAttribute("aria-describedby", `${id}-hint`);
  const list = el("div", { className: "vlist picker-list" });
  list.id = `${id}-list`;
  list.setAttribute("role", "listbox");
  list.hidden = true;
  const hint = el("p", { className: "hint" });
  hint.id = `${id}-hint`;
  hint.setAttribute("aria-live", "polite");
  host.replaceChildren(input, list, hint);

  let active = -1;
  let rows = [];
  const scope = () => (kind === "projects" ? { kind: "projects" } : { kind: "repositories", project: context().project || "" });
  const search = (query, offset, limit) => backend.searchCatalog(context().profileId, scope(), query, offset, limit);

  const vlist = virtualList(list, {
    rowHeight: ROW,
    fetch: (offset, limit) => search(input.value, offset, limit),
    render: (row, i) => {
      const option = el("div", { className: "option" }, el("span", { className: "name", text: row.name }));
      if (row.kind === "project") option.append(el("span", { className: "meta", text: plural(row.repositories, "repository", "repositories") }));
      else if (row.defaultBranch) option.append(el("span", { className: "meta", text: row.defaultBranch }));
      option.setAttribute("role", "option");
      option.id = `${id}-opt-${i}`;
      option.dataset.value = row.name;
      if (i === active) {
        option.classList.add("active");
        option.setAttribute("aria-selected", "true");
      }
      option.addEventListener("mousedown", (e) => {
        e.preventDefault(); // keep focus in the input
        choose(row.name);
      });
      return option;
    },
    onPage: (page) => {
      rows = page.rows;
      describe(page);
    },
  });

  function describe(page) {
    hint.replaceChildren();
    const typed = input.value.trim();
    if (!page.total && !typed && kind === "repositories") {
      const project = context().project;
      hint.textContent = project ? `No repository in a project named “${project}”.` : "Choose a project first.";
      return;
    }
    if (page.total > 0 || !typed) {
      hint.textContent = typed ? `${plural(page.total, one, many)} match “${typed}”.` : `${plural(page.total, one, many)}.`;
      return;
    }
    hint.append(`No ${one} matches “${typed}”.`);
    if (page.suggestion) {
      const fix = el("button", { className: "link suggestion", text: page.suggestion });
      fix.type = "button";
      fix.addEventListener("click", () => choose(page.suggestion));
      hint.append(" Did you mean ", fix, "?");
    }
  }

  function open(visible) {
    list.hidden = !visible;
    input.setAttribute("aria-expanded", String(visible));
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

  function choose(name) {
    input.value = name;
    open(false);
    refresh();
    onChange(name);
  }

  function move(by) {
    const count = Math.min(vlist.total, rows.length);
    if (!count) return;
    open(true);
    active = (active + by + count) % count;
    list.scrollTop = Math.max(0, active * ROW - list.clientHeight / 2);
    list.dispatchEvent(new Event("scroll"));
    input.setAttribute("aria-activedescendant", `${id}-opt-${active}`);
    // Repaint with the new active row.
    requestAnimationFrame(() => list.dispatchEvent(new Event("scroll")));
  }

  input.addEventListener("input", () => {
    open(true);
    refresh();
    onChange(input.value);
  });
  input.addEventListener("focus", () => {
    open(true);
    refresh();
  });
  input.addEventListener("blur", () => open(false));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") move(1);
    else if (e.key === "ArrowUp") move(-1);
    else if (e.key === "Escape") open(false);
    else if (e.key === "Enter" && !list.hidden && active >= 0 && rows[active]) {
      e.preventDefault();
      choose(rows[active].name);
    } else return;
    e.preventDefault();
  });

  return {
    input,
    /** Sets the value without opening the list; refreshes the count. */
    set(value) {
      input.value = value || "";
      open(false);
      return refresh();
    },
    get value() {
      return input.value.trim();
    },
    refresh,
  };
}
