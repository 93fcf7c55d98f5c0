// Step 4: service-hook webhooks. It leads with what this connection has now (grouped by scope,
// status and last delivery) and preselects that scope and receiver; a new registration starts
// from what was pasted. The service-hooks permission is checked first and a refusal stops the
// step with its fix. Preview a plan, apply it (each row then says what was done), send a test
// event, see deliveries, remove what this app made.
import { backend } from "../backend.js";
import { planCounts, planWrites } from "../plan.js";
import { $, el, show } from "../dom.js";
import { store } from "../store.js";
import { clearError, renderError } from "../errors.js";
import { multiPicker } from "../multipicker.js";
import { go } from "../nav.js";
import { copyText } from "../clipboard.js";
import { groupHooks, outcome, renderGroups, showOutcome } from "./hookviews.js";

const ACTION_LABELS = { create: "Create", adopt: "Adopt", update: "Update", reenable: "Re-enable", unchanged: "OK" };

let labels = {}; // eventType -> label, from the backend
let shown = null; // the id of the connection this step last showed (the one in use: the store's)
const opened = () => store.get("opened");
let projects = null; // multi-select pickers
let repositories = null;
let projectTotal = null; // how many projects the connection sees, for "All projects"
let planned = []; // [{ item, li }] of the last preview, turned into results by Apply
let gateSeq = 0;
let blocked = null; // the gate's problem, while it stands

function profileId() {
  return opened().card.id;
}

function fail(error) {
  renderError($("hooks-alert"), error);
  if (error.field === "url") $("hook-url").setAttribute("aria-invalid", "true");
}

function clearAlert() {
  clearError($("hooks-alert"));
  $("hook-url").removeAttribute("aria-invalid");
}

/** "projects", "repositories" or "all". */
function scopeMode() {
  return document.querySelector("input[name=hook-scope]:checked").value;
}

function showScope() {
  const mode = scopeMode();
  show($("hook-projects-row"), mode === "projects");
  show($("hook-repositories-row"), mode === "repositories");
  show($("hook-all-note"), mode === "all");
  if (mode === "all") {
    $("hook-all-note").textContent =
      projectTotal === null
        ? "Every project this connection sees, in one plan."
        : `Every project this connection sees (${projectTotal}), in one plan.`;
  }
}

function setScope(mode) {
  $(`hook-scope-${mode}`).checked = true;
  showScope();
}

/** The scope part of the hooks request: all projects, chosen projects, or chosen repositories
 *  (`project/repository`, with their projects). */
function scopeRequest() {
  const mode = scopeMode();
  if (mode === "all") return { project: "", projects: [], allProjects: true, repository: null, repositories: [], branch: null };
  if (mode === "repositories") {
    const chosen = repositories.values;
    return { project: "", projects: ownersOf(chosen), allProjects: false, repository: null, repositories: chosen, branch: $("hook-branch").value.trim() || null };
  }
  return { project: "", projects: projects.values, allProjects: false, repository: null, repositories: [], branch: null };
}

function ownersOf(repositoryValues) {
  return [...new Set(repositoryValues.map((v) => v.slice(0, v.indexOf("/"))))];
}

function request() {
  const auth =
    document.querySelector("input[name=hook-auth]:checked").value === "basic"
      ? { kind: "basic", username: $("hook-user").value, password: $("hook-password").value }
      : { kind: "secretHeader", header: $("hook-header").value || null, secret: { kind: $("hook-rotate").checked ? "rotate" : "keep" } };
  return {
    ...scopeRequest(),
    events: [...document.querySelectorAll("input[name=event]:checked")].map((i) => i.value),
    url: $("hook-url").value.trim(),
    auth,
  };
}

/** "Project" or "Project / repository" of a planned spec, from the plan's scopes. */
function planScope(spec, scopes) {
  const scope =
    scopes.find((s) => s.project.id === spec.projectId && (s.repository ? s.repository.id === spec.repositoryId : !spec.repositoryId)) ||
    scopes.find((s) => s.project.id === spec.projectId);
  if (!scope) return "";
  return scope.repository && spec.repositoryId ? `${scope.project.name} / ${scope.repository.name}` : scope.project.name;
}

function planRow(item, scopes = []) {
  const li = el(
    "li",
    { className: item.action },
    el(
      "div",
      { className: "row" },
      el("span", { className: "mark", text: ACTION_LABELS[item.action] || item.action }),
      el("span", { className: "title", text: labels[item.spec.event] || item.spec.event }),
      el("span", { className: "scope", text: planScope(item.spec, scopes) }),
      el("span", { className: "msg", text: item.reason || (item.action === "create" ? "a new subscription" : item.createdBy ? `existing, created by ${item.createdBy}` : "an existing subscription") }),
    ),
  );
  li.dataset.action = item.action;
  return li;
}

// --- The gate: the service-hooks permission, before anything is planned ----------------------

/** The projects the form names now. */
function chosenProjects() {
  const mode = scopeMode();
  if (mode === "repositories") return ownersOf(repositories.values);
  if (mode === "projects") return projects.values;
  return [];
}

function setBlocked(problem) {
  blocked = problem;
  $("hooks-plan").disabled = !!problem;
  if (problem) $("hooks-apply").disabled = true;
}

/** Asks whether the user may edit service hooks in the chosen projects; a refusal stops the
 *  step (Preview and Apply disabled) with its fix, in the gate's row (its one place). */
async function runGate() {
  const names = chosenProjects();
  const seq = ++gateSeq;
  const list = $("hooks-gate");
  if (!names.length) {
    list.replaceChildren();
    setBlocked(null);
    return;
  }
  const row = (status, mark, message, fix) => {
    const li = el("li", { className: status }, el("div", { className: "row" }, el("span", { className: "mark", text: mark }), el("span", { className: "title", text: "Manage service hooks" }), el("span", { className: "msg", text: message })));
    li.id = "hooks-gate-row";
    li.dataset.status = status;
    if (fix) li.append(el("p", { className: "fix", text: fix }));
    return li;
  };
  list.replaceChildren(row("skip", "Checking", `May you edit subscriptions in ${names.join(", ")}?`));
  try {
    const gate = await backend.hooksGate(profileId(), names);
    if (seq !== gateSeq) return;
    if (gate.ok) {
      list.replaceChildren(row("pass", "OK", `Allowed to edit subscriptions in ${gate.projects.map((p) => p.name).join(", ")}.`));
      setBlocked(null);
    } else {
      const li = row("fail", "Failed", gate.problem.message, gate.problem.fix);
      li.dataset.code = gate.problem.code;
      list.replaceChildren(li);
      setBlocked(gate.problem);
    }
  } catch (error) {
    if (seq !== gateSeq) return;
    const li = row("warn", "Note", `Could not check: ${error.message || error}`, error.fix);
    li.dataset.code = error.code || "";
    list.replaceChildren(li);
    setBlocked(null); // the plan checks again and says why
  }
}

// --- Preview and apply ------------------------------------------------------------------------

/** The plan's rows in the order shown: creates, adopts, updates, re-enables, then what is right. */
export function planItems(p) {
  return [...p.create, ...p.adopt, ...p.update, ...p.reenable, ...p.unchanged];
}

/** The status line under a plan. */
export function planStatus(p) {
  return planWrites(p) ? `The plan: ${planCounts(p).join(", ")}. Nothing changes until you apply it.` : `Nothing to change: all ${p.unchanged.length} subscriptions are already right.`;
}

/** The status line after applying: what was done, or what is left to finish. */
export function applyStatus(report) {
  const done = [
    [report.created.length, "created"],
    [report.adopted.length, "adopted"],
    [report.updated.length, "updated"],
    [report.reenabled.length, "re-enabled"],
    [report.unchanged.length, "already right"],
    [report.failed.length, "failed"],
  ]
    .filter(([n]) => n)
    .map(([n, what]) => `${n} ${what}`);
  return report.ok ? `Done: ${done.join(", ") || "nothing needed changing"}.` : `${done.join(", ")}. Retry with "Finish it", or roll back.`;
}

async function preview(event) {
  event.preventDefault();
  if (blocked) return;
  clearAlert();
  $("hooks-status").textContent = "Planning…";
  $("hooks-apply").disabled = true;
  try {
    const plan = await backend.planHooks(profileId(), request());
    const p = plan.plan;
    planned = planItems(p).map((item) => ({ item, li: planRow(item, plan.scopes || []) }));
    $("hooks-plan-list").replaceChildren(
      ...planned.map((row) => row.li),
      ...plan.warnings.map((w) => el("li", { className: "warn" }, el("div", { className: "row" }, el("span", { className: "mark", text: "Note" }), el("span", { className: "msg", text: w.message || String(w) })))),
    );
    $("hooks-status").textContent = planStatus(p);
    $("hooks-apply").disabled = false;
    document.body.dataset.hooksPlanned = String(Date.now());
  } catch (error) {
    $("hooks-status").textContent = "";
    fail(error);
    if (error.code === "invalid_permissions") runGate();
  }
}

async function apply() {
  clearAlert();
  $("hooks-apply").disabled = true;
  const bar = $("hooks-progress");
  bar.value = 0;
  show(bar, true);
  $("hooks-status").textContent = "Applying…";
  try {
    const report = await backend.applyHooks((e) => {
      bar.max = Math.max(1, e.total);
      if (e.phase !== "started") bar.value = Math.min(e.total, (bar.value || 0) + 1);
    });
    if (report.secret) {
      $("hooks-secret-value").value = report.secret.value;
      $("hooks-secret-header").textContent = report.secret.header;
      show($("hooks-secret"), true);
    }
    $("hooks-status").textContent = applyStatus(report);
    if (report.problem) fail(report.problem);
    const hooks = await refresh();
    for (const row of planned) showOutcome(row.li, outcome(row.item, report, hooks), profileId());
    document.body.dataset.hooksApplied = String(Date.now());
    // Focus stays in the step: on the new secret, else on the results.
    if (report.secret) $("hooks-secret-value").focus();
    else $("hooks-plan-list").scrollIntoView({ block: "nearest" });
  } catch (error) {
    fail(error);
    if (error.code === "invalid_permissions") runGate();
  } finally {
    show(bar, false);
  }
}

// --- What exists --------------------------------------------------------------------------------

let groups = [];

/** Reads and shows the connection's webhooks; returns them (empty when they cannot be read). */
async function refresh() {
  try {
    const overview = await backend.hooksOverview(profileId());
    groups = groupHooks(overview.hooks);
    const n = overview.hooks.length;
    $("hooks-lead").textContent = n
      ? `${n} webhook${n === 1 ? "" : "s"} registered by this app for this connection, in ${groups.length} place${groups.length === 1 ? "" : "s"}:`
      : "None yet: this app has registered no webhook for this connection.";
    $("hooks-list").replaceChildren(...renderGroups(groups, { profileId: profileId(), labels, header: () => $("hook-header").value || "X-ADO-Connect-Secret" }));
    show($("hooks-remove"), n > 0);
    show($("hooks-interrupted"), !!overview.interrupted);
    if (overview.interrupted) {
      $("hooks-interrupted-text").textContent = "Some changes may have been made; finish them, or undo what that run created.";
    }
    return overview.hooks;
  } catch (error) {
    $("hooks-lead").textContent = "";
    fail(error);
    return [];
  }
}

/** Fills the form from the largest existing group: its scope, receiver, events and header. */
function preselectExisting(group) {
  const spec = group.spec;
  if (spec.repositoryId && group.project && group.repository) {
    setScope("repositories");
    repositories.set([`${group.project}/${group.repository}`]);
    projects.set([]);
  } else {
    setScope("projects");
    projects.set(group.project ? [group.project] : []);
    repositories.set([]);
  }
  $("hook-branch").value = spec.branch || "";
  $("hook-url").value = spec.url;
  const events = new Set(group.hooks.map((h) => h.recorded.spec.event));
  for (const box of document.querySelectorAll("input[name=event]")) box.checked = events.has(box.value);
  const auth = spec.auth || {};
  const basic = auth.kind === "basic";
  document.querySelector(`input[name=hook-auth][value=${basic ? "basic" : "secretHeader"}]`).checked = true;
  showAuth();
  if (basic) $("hook-user").value = auth.username || "";
  else $("hook-header").value = auth.header || "X-ADO-Connect-Secret";
  $("hook-scope-from").textContent = `Preselected from the webhooks above: ${group.scope}. Preview shows what would change.`;
  show($("hook-scope-from"), true);
}

/** Starts the form from what was pasted (its repository, else its project); with nothing pasted
 *  no project is guessed, unless the connection sees exactly one. */
async function preselectPasted(context) {
  const pastedRepository = context.project && context.repository;
  setScope(pastedRepository ? "repositories" : "projects");
  repositories.set(pastedRepository ? [`${context.project}/${context.repository}`] : []);
  $("hook-branch").value = context.branch || "";
  $("hook-url").value = "";
  for (const box of document.querySelectorAll("input[name=event]")) box.checked = box.dataset.git === "true";
  let only = [];
  if (!context.project) {
    const first = await backend.searchCatalog(profileId(), { kind: "projects" }, "", 0, 2).catch(() => null);
    if (first && first.total === 1) only = [first.rows[0].name];
  }
  await projects.set(context.project ? [context.project] : only);
  $("hook-scope-from").textContent = context.project ? `Preselected from the link you pasted: ${pastedRepository ? `${context.project} / ${context.repository}` : context.project}.` : only.length ? "" : "Choose where the webhooks go.";
  show($("hook-scope-from"), !!$("hook-scope-from").textContent);
}

/** Shows the webhooks of `next`; what exists preselects the form, else `context` (the paste). */
export async function showHooks(next, context) {
  const same = shown === next.card.id;
  shown = next.card.id;
  $("hook-url-hint").textContent =
    opened().deployment === "server"
      ? "The address the product you are onboarding gave you. Your Azure DevOps Server must be able to reach it."
      : "The address the product you are onboarding gave you. Azure DevOps Services must be able to reach it over HTTPS.";
  if (same && !context.project && planned.length) {
    refresh();
    return;
  }
  clearAlert();
  planned = [];
  $("hooks-plan-list").replaceChildren();
  $("hooks-gate").replaceChildren();
  show($("hooks-secret"), false);
  $("hooks-status").textContent = "";
  $("hooks-apply").disabled = true;
  $("hooks-lead").textContent = "Reading the webhooks registered for this connection…";
  $("hooks-list").replaceChildren();
  projectTotal = null;
  backend.searchCatalog(profileId(), { kind: "projects" }, "", 0, 1).then(
    (first) => {
      projectTotal = first.total;
      showScope();
    },
    () => {},
  );
  const hooks = await refresh();
  const pasted = context.project ? groups.find((g) => same2(g.project, context.project) && (!context.repository || same2(g.repository, context.repository))) : null;
  if (pasted) preselectExisting(pasted);
  else if (context.project || !groups.length) await preselectPasted(context);
  else preselectExisting(groups[0]);
  document.body.dataset.hooksPreselected = String(hooks.length);
  await runGate();
}

const same2 = (a, b) => (a || "").toLowerCase() === (b || "").toLowerCase();

/** Builds the event choices from the backend's list. */
function eventChoices(events) {
  labels = Object.fromEntries(events.map((e) => [e.value, e.label]));
  $("hook-events").append(
    ...events.map((e) => {
      const box = el("input");
      Object.assign(box, { type: "checkbox", name: "event", value: e.value, checked: e.git });
      box.dataset.git = String(e.git);
      return el("label", { className: "check" }, box, ` ${e.label}`);
    }),
  );
}

function showAuth() {
  const basic = document.querySelector("input[name=hook-auth]:checked").value === "basic";
  show($("hook-basic-row"), basic);
  show($("hook-header-row"), !basic);
}

/** A change to the form makes the last preview stale: Apply waits for a new one. */
function stale() {
  if (!$("hooks-apply").disabled) {
    $("hooks-apply").disabled = true;
    $("hooks-status").textContent = "The form changed: preview the plan again.";
  }
}

export function initHooks() {
  eventChoices(store.get("appInfo").events || []);
  const changed = () => {
    stale();
    runGate();
  };
  projects = multiPicker($("hook-projects-picker"), {
    context: () => ({ profileId: profileId() }),
    placeholder: "Filter projects",
    onChange: changed,
  });
  repositories = multiPicker($("hook-repositories-picker"), {
    context: () => ({ profileId: profileId() }),
    placeholder: "Filter repositories",
    onChange: changed,
  });
  for (const radio of document.querySelectorAll("input[name=hook-scope]")) {
    radio.addEventListener("change", () => {
      showScope();
      changed();
    });
  }
  $("hooks-form").addEventListener("submit", preview);
  $("hooks-form").addEventListener("input", (e) => {
    if (e.target.id === "hook-url") $("hook-url").removeAttribute("aria-invalid");
    if (!e.target.closest(".picker")) stale();
  });
  $("hooks-apply").addEventListener("click", apply);
  $("hooks-back").addEventListener("click", () => go("result"));
  for (const radio of document.querySelectorAll("input[name=hook-auth]")) radio.addEventListener("change", showAuth);
  $("hooks-secret-copy").addEventListener("click", () => copyText($("hooks-secret-value").value, $("hooks-secret-copy"), $("hooks-secret-value")));
  $("hooks-remove").addEventListener("click", async () => {
    clearAlert();
    try {
      const report = await backend.removeHooks(profileId());
      $("hooks-status").textContent = `Removed ${report.removed.length} subscription(s); nothing else was touched.`;
      document.body.dataset.hooksRemoved = String(Date.now());
      await refresh();
    } catch (error) {
      fail(error);
    }
  });
  $("hooks-recover").addEventListener("click", async () => {
    try {
      await backend.recoverHooks(profileId(), () => {});
      await refresh();
    } catch (error) {
      fail(error);
    }
  });
  $("hooks-rollback").addEventListener("click", async () => {
    try {
      await backend.rollbackHooks(profileId());
      await refresh();
    } catch (error) {
      fail(error);
    }
  });
}
