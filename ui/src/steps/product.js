// Step 3 with a product profile: exactly the access the product needs (per connector, each with
// its own token when the product wants that), checked live ("Check access"); then exactly its
// webhooks. The hand-off (Next) and the webhooks open only once the checks passed: the backend
// refuses them otherwise, and this step says so before anyone clicks.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { clearError, renderError } from "../errors.js";
import { go, open } from "../nav.js";
import { choice, detail, detailInputs, filled, placeholdersIn, profile, setDetail } from "../product.js";
import { store } from "../store.js";
import { planCounts, planWrites } from "../plan.js";
import { plural } from "../time.js";
import { copyText } from "../clipboard.js";
import { canMint, showMint } from "./mint.js";

const MARKS = { pass: "OK", warn: "Note", fail: "Failed", skip: "Skipped" };
const SCOPE_LABELS = { each_project: "for each project", chosen_repositories: "for the repositories you choose" };

let shown = null; // the id of the connection this step last showed (the one in use: the store's)
const opened = () => store.get("opened");
let counts = {}; // connector id → how many token fields it shows
let passed = false; // the product's checks passed for this connection and these choices

function accessRows() {
  return store.get("loaded").access.map((a) =>
    el("tr", {}, el("td", { text: a.label }), el("td", { text: a.patScopes.join(", ") }), el("td", { text: a.permissions.join("; ") })),
  );
}

function tokenField(connector, index, expiry) {
  const id = `cred-${connector.id}-${index}`;
  const name = index ? `${connector.label} token ${index + 1}` : `${connector.label} token`;
  const label = el("label", { text: name });
  label.htmlFor = id;
  const input = el("input");
  Object.assign(input, { id, type: "password", autocomplete: "off", spellcheck: false });
  input.dataset.connector = connector.id;
  input.dataset.index = String(index);
  const parts = [label, input];
  if (expiry) {
    const date = el("input");
    Object.assign(date, { id: `${id}-expiry`, type: "text", placeholder: "YYYY-MM-DD", autocomplete: "off", title: "The date this token expires" });
    date.setAttribute("aria-label", `${name} expires on`);
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
        const field = tokenField(c, counts[c.id] - 1, p.patExpiryRequired);
        more.before(field);
        field.querySelector("input").focus();
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

/** A restriction or a check: its mark, title and message; when it did not pass, ADO Connect's
 *  code, the product's own code (DX's `invalid_permissions`) and the fix. */
function renderRow(check) {
  const codes = [];
  if (check.status === "fail" || check.status === "warn") {
    if (check.productCode) codes.push(el("span", { className: "code product-code", text: check.productCode }));
    if (check.code) codes.push(el("span", { className: "code", text: check.code }));
  }
  const body = el("span", { className: "body" }, el("span", { className: "title", text: check.title }), " ");
  for (const code of codes) body.append(code, " ");
  body.append(el("span", { className: "msg", text: check.message }));
  const item = el("li", { className: check.status }, el("div", { className: "row" }, el("span", { className: "mark", text: MARKS[check.status] || check.status }), body));
  if (check.code) item.dataset.code = check.code;
  if (check.productCode) item.dataset.productCode = check.productCode;
  if ((check.status === "fail" || check.status === "warn") && check.fix) item.append(el("p", { className: "fix", text: check.fix }));
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

/** A credential's name in the checklist: the connector's label, its number when it has several,
 *  who the token belongs to once known. */
function credentialLabel(label, connector, index, identity) {
  const name = connector === "webhooks" ? `${label} (this connection's sign-in)` : `${label}${index ? ` #${index + 1}` : ""}`;
  return identity ? `${name}: ${identity.account || identity.displayName}` : name;
}

/** The whole checklist from the report: the restrictions (a warning included), then one group
 *  per credential. */
function renderReport(report) {
  const list = $("product-checklist");
  list.replaceChildren(...report.restrictions.map(renderRow));
  const groups = new Map();
  for (const c of report.connectors) {
    const group = groupFor(groups, `${c.connector}#${c.index}`, credentialLabel(c.label, c.connector, c.index, c.identity));
    for (const check of c.checks) addToGroup(group, check);
  }
}

/** Whether the hand-off and the webhooks may open, and why not. */
function setPassed(value) {
  passed = value;
  const name = profile().product.name;
  $("product-next").disabled = !passed;
  $("product-next-hint").textContent = passed ? "" : `Run "Check access" first: the hand-off opens once everything ${name} needs passes.`;
  $("product-hooks-plan").disabled = !passed;
  if (!passed) $("product-hooks-apply").disabled = true;
  renderHooksText(profile());
}

async function runChecks(event) {
  event.preventDefault();
  clearError($("product-alert"));
  const list = $("product-checklist");
  list.replaceChildren();
  const button = $("product-run-checks");
  button.disabled = true;
  setPassed(false);
  delete document.body.dataset.productChecks;
  $("product-status").className = "status";
  $("product-status").textContent = "Checking…";
  const p = profile();
  const labelOf = (id) => (id === "webhooks" ? "Webhooks" : (p.connectors.find((c) => c.id === id) || { label: id }).label);
  const groups = new Map();
  try {
    const form = { profileId: opened().card.id, project: detail("project"), repository: detail("repository"), pats: pats() };
    const report = await backend.productCheck(form, (e) => {
      if (e.kind === "restriction") list.append(renderRow(e));
      else addToGroup(groupFor(groups, `${e.connector}#${e.index}`, credentialLabel(labelOf(e.connector), e.connector, e.index, null)), e.check);
    });
    renderReport(report);
    if (report.publicUrl) setDetail("publicUrl", report.publicUrl);
    const failed = list.querySelectorAll("li.fail[data-code]").length;
    const notes = list.querySelectorAll("li.warn[data-code]").length;
    const note = notes ? ` ${plural(notes, "note", "notes")} below.` : "";
    $("product-status").textContent = report.ok ? `Everything ${p.product.name} needs is in place.${note}` : `${plural(failed, "check failed", "checks failed")}: see the fixes below.`;
    $("product-status").className = report.ok ? "status ok" : "status failed";
    document.body.dataset.productChecks = report.ok ? "passed" : "failed";
    setPassed(report.ok);
    // The first failure in view (a group opens at it).
    const first = list.querySelector("li.fail:not(.group)");
    if (first) first.scrollIntoView({ block: "nearest" });
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
  return { profileId: opened().card.id, choice: choice(), projects: [], secret: $("product-secret").value.trim() || null };
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
  }
  show(bar, false);
}

/** The webhooks' words: the receiver URL with what the user filled in (never the raw template);
 *  for a product that creates its own, that it does and whether ADO Connect checked it may. */
function renderHooksText(p) {
  const rule = p.webhooks;
  if (!rule) return;
  const name = p.product.name;
  if (rule.createdBy === "product") {
    $("product-hooks-itself").textContent = passed
      ? `${name} creates its webhooks itself; ADO Connect checked that it may.`
      : `${name} creates its webhooks itself; "Check access" checks that it may.`;
    return;
  }
  const summary = $("product-hooks-summary");
  const url = el("span", { className: "mono", text: filled(rule.url) });
  url.id = "product-hooks-url";
  summary.replaceChildren(`${plural(rule.events.length, "event", "events")} ${SCOPE_LABELS[rule.scope] || ""} to `, url, `, signed with the header ${rule.header}.`);
  if (!passed) summary.append(` Run "Check access" first: ${name}'s webhooks are registered once its checks pass.`);
}

function renderHooks(p) {
  const rule = p.webhooks;
  show($("product-hooks"), !!rule);
  if (!rule) return;
  const itself = rule.createdBy === "product";
  $("product-hooks-title").textContent = `${p.product.name}'s webhooks`;
  show($("product-hooks-itself"), itself);
  show($("product-hooks-register"), !itself);
  if (!itself) {
    detailInputs($("product-hook-details"), "hook-detail", placeholdersIn(rule.url), { onInput: () => renderHooksText(p) });
    show($("product-secret-row"), rule.secret === "product");
    $("product-secret-label").textContent = `The secret ${p.product.name} gave you (sent as ${rule.header})`;
    $("product-hooks-list").replaceChildren();
    $("product-hooks-status").textContent = "";
    $("product-hooks-apply").disabled = true;
    show($("product-hooks-secret"), false);
  }
  renderHooksText(p);
}

/** The token fields: for every connector when the product wants a token per connector (the
 *  connection's sign-in then only registers webhooks); else, with several connectors or
 *  credentials on a PAT connection, optional extra tokens. */
function renderCredentials(p, card) {
  const name = p.product.name;
  const several = p.connectors.length > 1 || p.connectors.some((c) => c.severalCredentials);
  // A product handed one PAT (Kong Konnect, Datafold) on a Microsoft sign-in: paste it, or have it
  // created (issue 20); the sign-in itself is never handed to the product.
  const singleMint = !p.patOnePerConnector && canMint(p) && card.method === "entra";
  show($("product-credentials"), p.patOnePerConnector || singleMint || (several && card.method === "pat"));
  const legend = $("product-credentials-legend");
  const notes = [];
  if (p.patOnePerConnector) {
    legend.replaceChildren("A token for each connector");
    notes.push(`${name} needs each connector's own token${p.webhooks ? "; this connection's sign-in only registers the webhooks" : ""}.`);
  } else if (singleMint) {
    legend.replaceChildren(`The token ${name} gets`);
  } else {
    legend.replaceChildren("A token per connector ", el("span", { className: "optional", text: "(optional; empty: this connection's token serves them all)" }));
  }
  if (p.connectors.length > 1) notes.push(`Each should use its own service account (Azure DevOps rate limits are per identity).`);
  $("product-credentials-note").textContent = notes.join(" ");
  renderConnectors(p);
  if (singleMint) document.querySelector("#product-connectors label").textContent = `Or paste a ${name} token`;
  // A Microsoft sign-in may have the tokens created instead of pasted (issue 20).
  if (p.patOnePerConnector || singleMint) showMint(opened(), (report) => {
    renderReport(report);
    $("product-status").textContent = report.ok ? `Everything ${name} needs is in place.` : "The new tokens did not pass: see below.";
    $("product-status").className = report.ok ? "status ok" : "status failed";
    document.body.dataset.productChecks = report.ok ? "passed" : "failed";
    setPassed(report.ok);
  });
}

/** Another project or repository: the pass covered the old ones, so the checks run again. */
function changedChoice() {
  if (!passed) return;
  setPassed(false);
  delete document.body.dataset.productChecks;
  $("product-status").className = "status";
  $("product-status").textContent = "The choice changed: check access again.";
}

/** Shows the step for `next` (a verified connection); `context` is what the last paste named. */
/** The details this step asks for: the project, and the repository when the product's hand-off
 *  has a field for it (tested in Node: tests/ui/handoff.test.js). */
export function askedDetails(p) {
  const wanted = ["project"];
  if (p.handoff.fields.some((f) => f.source === "repository" || f.source === "repository_url")) wanted.push("repository");
  return wanted;
}

export function showProduct(next, context) {
  const p = profile();
  if (shown !== next.card.id) {
    counts = {};
    passed = false;
    $("product-checklist").replaceChildren();
    $("product-status").textContent = "";
    delete document.body.dataset.productChecks;
    if (context && context.project) setDetail("project", context.project);
    if (context && context.repository) setDetail("repository", context.repository);
  }
  shown = next.card.id;
  $("product-title").textContent = `What ${p.product.name} needs`;
  $("product-intro").textContent = p.product.docsUrl ? `${p.product.name}'s own guide: ${p.product.docsUrl}` : "";
  $("product-access").replaceChildren(...accessRows());
  $("product-access").closest("table").classList.toggle("no-perms", store.get("loaded").access.every((a) => !a.permissions.length));
  renderCredentials(p, next.card);
  // A pass covers the project and repository it was checked with: another choice checks again.
  detailInputs($("product-details"), "product-detail", askedDetails(p), { onInput: changedChoice });
  renderHooks(p);
  setPassed(passed);
  $("product-next").textContent = `Next: ${p.handoff.title}`;
  clearError($("product-alert"));
}

export function initProduct() {
  $("product-form").addEventListener("submit", runChecks);
  $("product-hooks-plan").addEventListener("click", planHooks);
  $("product-hooks-apply").addEventListener("click", applyHooks);
  $("product-hooks-secret-copy").addEventListener("click", () => copyText($("product-hooks-secret-value").value, $("product-hooks-secret-copy"), $("product-hooks-secret-value")));
  $("product-back").addEventListener("click", () => go("result"));
  $("product-next").addEventListener("click", () => passed && open(opened(), "handoff"));
}
