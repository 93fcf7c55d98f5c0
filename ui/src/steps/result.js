// Step 2: who we are signed in as and what the credential reaches: a summary, and a searchable,
// virtualized list of projects and repositories served by the backend a page at a time.
import { backend } from "../backend.js";
import { $, el } from "../dom.js";
import { go, home, open } from "../nav.js";
import { store } from "../store.js";
import { plural } from "../time.js";
import { virtualList } from "../vlist.js";
import { askToForget, forgottenText } from "./forget.js";

const ROW = 32;
let current = null;
let list = null;

function renderRow(row) {
  if (row.kind === "project") {
    const node = el("div", { className: "project" }, el("span", { className: "project-name", text: row.name }), el("span", { className: "meta", text: plural(row.repositories, "repository", "repositories") }));
    node.setAttribute("role", "listitem");
    return node;
  }
  const node = el("div", { className: "repo" }, el("span", { className: "repo-name", text: row.name }), el("span", { className: "meta", text: row.defaultBranch || "" }));
  node.setAttribute("role", "listitem");
  return node;
}

function describe(page) {
  const query = $("result-filter").value.trim();
  const hint = $("result-filter-count");
  hint.replaceChildren();
  if (!query) return;
  if (page.total) hint.textContent = `${plural(page.total, "row matches", "rows match")} “${query}”.`;
  else {
    hint.append(`Nothing matches “${query}”.`);
    if (page.suggestion) {
      const fix = el("button", { className: "link suggestion", text: page.suggestion });
      fix.type = "button";
      fix.addEventListener("click", () => {
        $("result-filter").value = page.suggestion;
        list.reset();
      });
      hint.append(" Did you mean ", fix, "?");
    }
  }
}

export function showResult(opened) {
  current = opened;
  const { user, card, summary } = opened;
  $("result-name").textContent = card.name;
  $("result-user").textContent = user.account && user.account !== user.displayName ? `${user.displayName} (${user.account})` : user.displayName;
  $("result-deployment").textContent = opened.deployment === "server" ? "Azure DevOps Server (on-premises)" : "Azure DevOps Services (cloud)";
  $("result-url").textContent = opened.apiUrl;
  $("result-counts").textContent = `${plural(summary.projects, "project", "projects")}, ${plural(summary.repositories, "repository", "repositories")}`;
  $("result-store").textContent = opened.secretStoreDescription;
  $("result-status").textContent = "";
  $("forget").disabled = false;
  $("to-checks").disabled = false;
  $("to-hooks").disabled = false;
  $("result-warnings").replaceChildren(
    ...opened.warnings.map((w) =>
      el("div", { className: "alert warning" }, el("p", { className: "alert-title" }, el("span", { className: "code", text: w.code }), ` ${w.message}`), el("p", { text: w.fix })),
    ),
  );
  $("result-filter").value = "";
  $("result-filter-count").textContent = "";
  return list.reset();
}

/** Forget from the result step: once the confirmation is done, the home says what happened. */
async function forget() {
  const done = await askToForget(store.get("opened").card);
  if (!done) return;
  store.set("opened", null);
  document.body.dataset.forgotten = String(Date.now());
  await home(forgottenText(done));
}

export function initResult() {
  list = virtualList($("result-projects"), {
    rowHeight: ROW,
    fetch: (offset, limit) => backend.searchCatalog(current.card.id, { kind: "tree" }, $("result-filter").value, offset, limit),
    render: renderRow,
    onPage: describe,
  });
  $("result-filter").addEventListener("input", () => list.reset());
  $("back").addEventListener("click", () => go("connect"));
  $("to-checks").addEventListener("click", () => open(store.get("opened"), "checks"));
  $("to-hooks").addEventListener("click", () => open(store.get("opened"), "hooks"));
  $("forget").addEventListener("click", forget);
}
