// Step 4: service-hook webhooks. Preview a plan (create, adopt, update, re-enable), apply it with
// progress, show a new secret once, send a test event, see deliveries, remove what this app made.
import { backend } from "../backend.js";
import { planCounts, planWrites } from "../plan.js";
import { $, el, show } from "../dom.js";
import { clearError, errorLine, renderError } from "../errors.js";
import { multiPicker } from "../multipicker.js";
import { humanTime } from "../time.js";
import { copyText } from "./connect.js";

const ACTION_LABELS = { create: "Create", adopt: "Adopt", update: "Update", reenable: "Re-enable", unchanged: "OK" };

let labels = {}; // eventType -> label, from the backend
let opened = null;
let projects = null; // multi-select pickers
let repositories = null;
let projectTotal = null; // how many projects the connection sees, for "All projects"

function profileId() {
  return opened.card.id;
}

function fail(error) {
  renderError($("hooks-alert"), error);
  if (error.field === "url") $("hook-url").setAttribute("aria-invalid", "true");
}

function clearAlert() {
  clearError($("hooks-alert"));
  $("hook-url").removeAttribute("aria-invalid");
}

/** Where a webhook listens: "Project / repository / branch". */
function scopeText(spec, names) {
  const parts = [names.projectName || "a project no longer visible"];
  parts.push(spec.repositoryId ? names.repositoryName || "one repository" : "all repositories");
  if (spec.branch) parts.push(spec.branch);
  return parts.join(" / ");
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
    const owners = [...new Set(chosen.map((v) => v.slice(0, v.indexOf("/"))))];
    return { project: "", projects: owners, allProjects: false, repository: null, repositories: chosen, branch: $("hook-branch").value.trim() || null };
  }
  return { project: "", projects: projects.values, allProjects: false, repository: null, repositories: [], branch: null };
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

async function preview(event) {
  event.preventDefault();
  clearAlert();
  $("hooks-status").textContent = "Planning…";
  $("hooks-apply").disabled = true;
  try {
    const plan = await backend.planHooks(profileId(), request());
    const p = plan.plan;
    const items = [...p.create, ...p.adopt, ...p.update, ...p.reenable, ...p.unchanged];
    $("hooks-plan-list").replaceChildren(
      ...items.map((item) => planRow(item, plan.scopes || [])),
      ...plan.warnings.map((w) => el("li", { className: "warn" }, el("div", { className: "row" }, el("span", { className: "mark", text: "Note" }), el("span", { className: "msg", text: w.message || String(w) })))),
    );
    const writes = planWrites(p);
    const counts = planCounts(p);
    $("hooks-status").textContent = writes ? `The plan: ${counts.join(", ")}. Nothing changes until you apply it.` : `Nothing to change: all ${p.unchanged.length} subscriptions are already right.`;
    $("hooks-apply").disabled = false;
    document.body.dataset.hooksPlanned = String(Date.now());
  } catch (error) {
    $("hooks-status").textContent = "";
    fail(error);
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
      $("hooks-secret").scrollIntoView({ block: "nearest" });
    }
    const done = [
      [report.created.length, "created"],
      [report.adopted.length, "adopted"],
      [report.updated.length, "updated"],
      [report.reenabled.length, "re-enabled"],
    ]
      .filter(([n]) => n)
      .map(([n, what]) => `${n} ${what}`);
    $("hooks-status").textContent = report.ok
      ? `Done: ${done.join(", ") || "nothing needed changing"}.`
      : `${report.failed.length} failed; the rest is done. Retry with "Finish it", or roll back.`;
    if (report.problem) fail(report.problem);
    document.body.dataset.hooksApplied = String(Date.now());
    await refresh();
    // Focus stays in the step: on the new secret, else on the list of webhooks.
    (report.secret ? $("hooks-secret-value") : $("hooks-list-title")).focus();
  } catch (error) {
    fail(error);
  } finally {
    show(bar, false);
  }
}

function hookRow(state) {
  const rec = state.recorded;
  const spec = rec.spec;
  const status = state.exists ? state.status || "enabled" : "missing";
  const li = el(
    "li",
    { className: status === "enabled" ? "pass" : "warn" },
    el(
      "div",
      { className: "row" },
      el("span", { className: "mark", text: status === "enabled" ? "On" : status }),
      el("span", { className: "title", text: state.eventLabel || spec.event }),
      el("span", { className: "msg" }, el("span", { className: "scope", text: scopeText(spec, state) }), " → ", el("span", { className: "mono wrap", text: spec.url })),
    ),
  );
  li.dataset.subscriptionId = rec.id;
  const result = el("span", { className: "result" });
  const test = el("button", { className: "secondary test-hook", text: "Send test event" });
  test.type = "button";
  test.addEventListener("click", async () => {
    result.textContent = "Sending…";
    try {
      const t = await backend.testHook(profileId(), rec.id);
      result.textContent = t.delivered
        ? `Delivered: the receiver answered ${t.receiverStatus} ${t.receiverReason || ""}${t.responseExcerpt ? ` · ${t.responseExcerpt}` : ""}`
        : t.receiverStatus === 401 || t.receiverStatus === 403
          ? `Not delivered: your receiver rejected the secret (${t.receiverStatus}). Give it the current one (header ${$("hook-header").value || "X-ADO-Connect-Secret"}).`
          : `Not delivered: ${t.errorMessage || t.result || "no answer"}`;
      li.dataset.tested = t.delivered ? "delivered" : "failed";
    } catch (error) {
      result.textContent = errorLine(error);
    }
  });
  const historyButton = el("button", { className: "secondary", text: "Recent deliveries" });
  historyButton.type = "button";
  historyButton.addEventListener("click", async () => {
    try {
      const deliveries = await backend.hookHistory(profileId(), rec.id);
      result.textContent = deliveries.length
        ? deliveries
            .slice(0, 5)
            .map((d) => `${d.createdDate ? humanTime(d.createdDate) : ""} ${labels[d.eventType] || d.eventType || ""}: ${d.result === "succeeded" ? "delivered" : d.result || d.status}${d.receiverStatus ? ` (receiver answered ${d.receiverStatus})` : ""}`)
            .join(" · ")
        : "No deliveries yet.";
    } catch (error) {
      result.textContent = errorLine(error);
    }
  });
  li.append(el("div", { className: "hook-actions" }, test, historyButton, result));
  return li;
}

async function refresh() {
  try {
    const overview = await backend.hooksOverview(profileId());
    $("hooks-list").replaceChildren(...overview.hooks.map(hookRow));
    show($("hooks-list-title"), overview.hooks.length > 0);
    show($("hooks-remove"), overview.hooks.length > 0);
    show($("hooks-interrupted"), !!overview.interrupted);
    if (overview.interrupted) {
      $("hooks-interrupted-text").textContent = "Some changes may have been made; finish them, or undo what that run created.";
    }
  } catch (error) {
    fail(error);
  }
}

/** Shows the webhooks of `next`; `context` (what was pasted) preselects the scope. */
export function showHooks(next, context) {
  const same = opened && opened.card.id === next.card.id;
  opened = next;
  $("hook-url-hint").textContent =
    opened.deployment === "server"
      ? "The address the product you are onboarding gave you. Your Azure DevOps Server must be able to reach it."
      : "The address the product you are onboarding gave you. Azure DevOps Services must be able to reach it over HTTPS.";
  if (!same || context.project) {
    clearAlert();
    $("hooks-plan-list").replaceChildren();
    show($("hooks-secret"), false);
    $("hooks-status").textContent = "";
    $("hooks-apply").disabled = true;
    // What was pasted is preselected: its repository, else its project, else the first project.
    const pastedRepository = context.project && context.repository;
    setScope(pastedRepository ? "repositories" : "projects");
    repositories.set(pastedRepository ? [`${context.project}/${context.repository}`] : []);
    $("hook-branch").value = context.branch || "";
    projectTotal = null;
    backend.searchCatalog(profileId(), { kind: "projects" }, "", 0, 1).then(
      (first) => {
        projectTotal = first.total;
        showScope();
        return projects.set(context.project ? [context.project] : first.rows[0] ? [first.rows[0].name] : []);
      },
      () => projects.set(context.project ? [context.project] : []),
    );
  }
  refresh();
}

/** Builds the event choices from the backend's list. */
function eventChoices(events) {
  labels = Object.fromEntries(events.map((e) => [e.value, e.label]));
  $("hook-events").append(
    ...events.map((e) => {
      const box = el("input");
      Object.assign(box, { type: "checkbox", name: "event", value: e.value, checked: e.git });
      return el("label", { className: "check" }, box, ` ${e.label}`);
    }),
  );
}

export function initHooks({ onBack, events }) {
  eventChoices(events || []);
  projects = multiPicker($("hook-projects-picker"), {
    context: () => ({ profileId: profileId() }),
    placeholder: "Filter projects",
  });
  repositories = multiPicker($("hook-repositories-picker"), {
    context: () => ({ profileId: profileId() }),
    placeholder: "Filter repositories",
  });
  for (const radio of document.querySelectorAll("input[name=hook-scope]")) radio.addEventListener("change", showScope);
  $("hooks-form").addEventListener("submit", preview);
  $("hook-url").addEventListener("input", () => $("hook-url").removeAttribute("aria-invalid"));
  $("hooks-apply").addEventListener("click", apply);
  $("hooks-back").addEventListener("click", onBack);
  for (const radio of document.querySelectorAll("input[name=hook-auth]")) {
    radio.addEventListener("change", () => {
      const basic = document.querySelector("input[name=hook-auth]:checked").value === "basic";
      show($("hook-basic-row"), basic);
      show($("hook-header-row"), !basic);
    });
  }
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
