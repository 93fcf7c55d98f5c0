// Step 3 with a product profile: exactly the access the product needs (per connector, each with
// its own token when the product wants that), checked live; then exactly its webhooks.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { clearError, renderError } from "../errors.js";
import { detailInputs, placeholdersIn, product, profile } from "../product.js";
import { planCounts, planWrites } from "../plan.js";
import { plural } from "../time.js";
import { copyText } from "./connect.js";

const MARKS = { pass: "OK", warn: "Note", fail: "Failed", skip: "Skipped" };
const SCOPE_LABELS = { each_project: "for each project", chosen_repositories: "for the repositories you choose" };

let opened = null;
let callbacks = null;
let counts = {}; // connector id → how many token fields it shows

function accessRows(p) {
  return product.loaded.access.map((a) =>
    el("tr", {}, el("td", { text: a.label }), el("td", { text: a.patScopes.join(", ") }), el("td", { text: a.permissions.join("; ") })),
  );
}

function tokenField(connector, index, expiry) {
  const id = `cred-${connector.id}-${index}`;
  const label = el("label", { text: index ? `${connector.label} token ${index + 1}` : `${connector.label} token` });
  label.htmlFor = id;
  const input = el("input");
  Object.assign(input, { id, type: "password", autocomplete: "off", spellcheck: false });
  input.dataset.connector = connector.id;
  input.dataset.index = String(index);
  const parts = [label, input];
  if (expiry) {
    const date = el("input");
    Object.assign(date, { id: `${id}-expiry`, type: "text", placeholder: "YYYY-MM-DD", autocomplete: "off", title: "The date this token expires" });
    date.setAttribute("aria-label", `${connector.label} token ${index + 1} expires on`);
    date.className = "expiry";
    parts.push(date);
  }
  return el("div", { className: "field token" }, ...parts);
}

function renderConnectors(p) {
  const list = p.connectors.map((c) => {
    const box = el("div", { className: "connector" });
    box.id = `connector-${c.id}`;
    for (let i = 0; i < (counts[c.id] || 1); i++) box.append(tokenField(c, i, p.patExpiryRequired));
    if (c.severalCredentials) {
      const more = el("button", { className: "link add-token", text: `Add another ${c.label} token` });
      more.type = "button";
      more.id = `add-token-${c.id}`;
      more.addEventListener("click", () => {
        counts[c.id] = (counts[c.id] || 1) + 1;
        more.before(tokenField(c, counts[c.id] - 1, p.patExpiryRequired));
      });
      box.append(more);
    }
    return box;
  });
  $("product-connectors").replaceChildren(...list);
}

/** The connector tokens typed, in the backend's shape; empty fields are left out. */
function pats() {
  return [...document.querySelectorAll("#product-connectors input[type=password]")]
    .filter((i) => i.value.trim())
    .map((i) => ({
      connector: i.dataset.connector,
      index: Number(i.dataset.index),
      pat: i.value.trim(),
      expiresOn: ($(`${i.id}-expiry`) || {}).value || null,
    }));
}

function renderRow(check) {
  const item = el(
    "li",
    { className: check.status },
    el(
      "div",
      { className: "row" },
      el("span", { className: "mark", text: MARKS[check.status] || check.status }),
      el("span", { className: "title", text: check.title }),
      el("span", { className: "msg", text: check.message }),
    ),
  );
  if (check.code) item.dataset.code = check.code;
  if (check.status === "fail" || check.status === "warn") item.append(el("p", { className: "fix", text: check.fix }));
  return item;
}

const RANK = { fail: 3, warn: 2, pass: 1, skip: 0 };

/** One collapsible group per credential: a summary line, its rows inside; open when one fails. */
function groupFor(groups, key, label) {
  if (groups.has(key)) return groups.get(key);
  const rows = el("ul");
  const mark = el("span", { className: "mark", text: "…" });
  const msg = el("span", { className: "msg" });
  const details = el("details", { className: "group" }, el("summary", {}, mark, " ", el("span", { className: "title", text: label }), " ", msg), rows);
  const item = el("li", { className: "group skip" }, details);
  item.dataset.credential = key;
  const group = { item, details, rows, mark, msg, counts: { pass: 0, warn: 0, fail: 0, skip: 0 } };
  groups.set(key, group);
  $("product-checklist").append(item);
  return group;
}

function addToGroup(group, check) {
  group.rows.append(renderRow(check));
  group.counts[check.status] = (group.counts[check.status] || 0) + 1;
  const worst = Object.keys(RANK).find((s) => group.counts[s]) || "skip";
  group.item.className = `group ${worst}`;
  group.mark.textContent = MARKS[worst];
  const c = group.counts;
  group.msg.textContent = [c.fail && `${c.fail} failed`, c.warn && `${c.warn} to note`, c.pass && `${c.pass} passed`, c.skip && `${c.skip} skipped`].filter(Boolean).join(", ");
  if (check.status === "fail") group.details.open = true;
}

async function runChecks(event) {
  event.preventDefault();
  clearError($("product-alert"));
  const list = $("product-checklist");
  list.replaceChildren();
  const button = $("product-run-checks");
  button.disabled = true;
  $("product-status").textContent = "Checking…";
  const p = profile();
  const labelOf = (id) => (id === "webhooks" ? "Webhooks (this connection's token)" : (p.connectors.find((c) => c.id === id) || { label: id }).label);
  const groups = new Map();
  try {
    const report = await backend.productCheck({ profileId: opened.card.id, project: product.details.project, repository: product.details.repository, pats: pats() }, (e) => {
      if (e.kind === "restriction") list.append(renderRow(e));
      else addToGroup(groupFor(groups, `${e.connector}#${e.index}`, `${labelOf(e.connector)}${e.index ? ` #${e.index + 1}` : ""}`), e.check);
    });
    if (report.publicUrl) product.details.publicUrl = report.publicUrl;
    const failed = list.querySelectorAll("li.fail[data-code]").length;
    $("product-status").textContent = report.ok ? `Everything ${p.product.name} needs is in place.` : `${plural(failed, "check failed", "checks failed")}: see the fixes below.`;
    $("product-status").className = report.ok ? "status ok" : "status failed";
    document.body.dataset.productChecks = report.ok ? "passed" : "failed";
    if (report.ok) for (const input of document.querySelectorAll("#product-connectors input")) input.value = "";
  } catch (error) {
    $("product-status").textContent = "";
    renderError($("product-alert"), error);
  } finally {
    button.disabled = false;
  }
}

// --- Webhooks ----------------------------------------------------------------------------------

function hooksForm() {
  return { profileId: opened.card.id, placeholders: { ...product.details.placeholders }, projects: [], secret: $("product-secret").value.trim() || null };
}

async function planHooks() {
  clearError($("product-hooks-alert"));
  $("product-hooks-apply").disabled = true;
  $("product-hooks-status").textContent = "Planning…";
  try {
    const plan = await backend.productHooksPlan(hooksForm());
    const rows = plan.plans.map((pl) => el("li", { className: "pass" }, el("div", { className: "row" }, el("span", { className: "title", text: pl.project.name }), el("span", { className: "msg", text: planCounts(pl.plan).join(", ") || "nothing" }))));
    $("product-hooks-list").replaceChildren(...rows);
    const work = plan.plans.reduce((n, pl) => n + planWrites(pl.plan), 0);
    $("product-hooks-status").textContent = `${plural(plan.plans.length, "project", "projects")}, to ${plan.url} with ${plan.header}: ${work ? `${work} to change` : "nothing to change"}.`;
    $("product-hooks-apply").disabled = false;
  } catch (error) {
    $("product-hooks-status").textContent = "";
    renderError($("product-hooks-alert"), error);
  }
}

async function applyHooks() {
  clearError($("product-hooks-alert"));
  $("product-hooks-apply").disabled = true;
  const bar = $("product-hooks-progress");
  bar.value = 0;
  show(bar, true);
  $("product-hooks-status").textContent = "Registering…";
  let done = 0;
  try {
    const report = await backend.productHooksApply(hooksForm(), (e) => {
      if (e.phase === "started") bar.max = Math.max(bar.max, done + e.total - e.seq + 1);
      else bar.value = ++done;
    });
    const count = (what) => report.runs.reduce((n, r) => n + r.report[what].length, 0);
    const secret = report.runs.map((r) => r.report.secret).find(Boolean);
    if (secret) {
      $("product-hooks-secret-value").value = secret.value;
      show($("product-hooks-secret"), true);
    }
    $("product-hooks-status").textContent = report.ok
      ? `Registered: ${count("created")} created, ${count("adopted")} adopted, ${count("updated")} updated, ${count("unchanged")} already right.`
      : `Some failed: ${report.runs.flatMap((r) => r.report.failed.map((f) => f.message)).join("; ")}`;
    document.body.dataset.productHooks = report.ok ? "registered" : "failed";
    if (report.ok) $("product-secret").value = "";
  } catch (error) {
    $("product-hooks-status").textContent = "";
    renderError($("product-hooks-alert"), error);
  } finally {
    show(bar, false);
  }
}

function renderHooks(p) {
  const rule = p.webhooks;
  show($("product-hooks"), !!rule);
  if (!rule) return;
  $("product-hooks-title").textContent = `${p.product.name}'s webhooks`;
  $("product-hooks-summary").textContent = `${plural(rule.events.length, "event", "events")} ${SCOPE_LABELS[rule.scope] || ""} to ${rule.url}, signed with the header ${rule.header}.`;
  detailInputs($("product-hook-details"), "hook-detail", placeholdersIn(rule.url));
  show($("product-secret-row"), rule.secret === "product");
  $("product-secret-label").textContent = `The secret ${p.product.name} gave you (sent as ${rule.header})`;
  $("product-hooks-list").replaceChildren();
  $("product-hooks-status").textContent = "";
  $("product-hooks-apply").disabled = true;
  show($("product-hooks-secret"), false);
}

/** Shows the step for `next` (a verified connection); `context` is what the last paste named. */
export function showProduct(next, context) {
  const p = profile();
  if (!opened || opened.card.id !== next.card.id) {
    counts = {};
    $("product-checklist").replaceChildren();
    $("product-status").textContent = "";
    if (context && context.project) product.details.project = context.project;
    if (context && context.repository) product.details.repository = context.repository;
  }
  opened = next;
  $("product-title").textContent = `What ${p.product.name} needs`;
  $("product-intro").textContent = [p.signIn.note, p.product.docsUrl && `${p.product.name}'s own guide: ${p.product.docsUrl}`].filter(Boolean).join(" ");
  $("product-access").replaceChildren(...accessRows(p));
  const several = p.connectors.length > 1 || p.connectors.some((c) => c.severalCredentials);
  show($("product-credentials"), several && next.card.method === "pat");
  $("product-credentials-note").textContent = p.connectors.length > 1 ? `${p.product.name} has ${p.connectors.length} connectors; each may use its own service account and token (Azure DevOps rate limits are per identity).` : "";
  renderConnectors(p);
  const wanted = ["project"];
  if (p.handoff.fields.some((f) => f.source === "repository" || f.source === "repository_url")) wanted.push("repository");
  detailInputs($("product-details"), "product-detail", wanted);
  renderHooks(p);
  $("product-next").textContent = `Next: ${p.handoff.title}`;
  clearError($("product-alert"));
}

export function initProduct({ onBack, onNext }) {
  callbacks = { onBack, onNext };
  $("product-form").addEventListener("submit", runChecks);
  $("product-hooks-plan").addEventListener("click", planHooks);
  $("product-hooks-apply").addEventListener("click", applyHooks);
  $("product-hooks-secret-copy").addEventListener("click", () => copyText($("product-hooks-secret-value").value, $("product-hooks-secret-copy"), $("product-hooks-secret-value")));
  $("product-back").addEventListener("click", () => callbacks.onBack());
  $("product-next").addEventListener("click", () => callbacks.onNext());
}
