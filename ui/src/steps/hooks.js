// Step 4: service-hook webhooks. Preview a plan (create, adopt, update, re-enable), apply it with
// progress, show a new secret once, send a test event, see deliveries, remove what this app made.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";

const EVENT_LABELS = {
  "git.pullrequest.created": "Pull request created",
  "git.pullrequest.updated": "Pull request updated",
  "git.pullrequest.merged": "Pull request merged",
  "git.push": "Code pushed",
  "build.complete": "Build completed",
};
const ACTION_LABELS = { create: "create", adopt: "adopt", update: "update", reenable: "re-enable", unchanged: "ok" };

let connected = null;

function profileId() {
  return connected.profile.id;
}

function fail(error) {
  $("hooks-alert-code").textContent = error.code || "error";
  $("hooks-alert-message").textContent = error.message || String(error);
  $("hooks-alert-fix").textContent = error.fix || "";
  show($("hooks-alert"), true);
  if (error.field === "url" || (error.message || "").toLowerCase().includes("receiver")) {
    $("hook-url").setAttribute("aria-invalid", "true");
  }
}

function clearAlert() {
  show($("hooks-alert"), false);
  $("hook-url").removeAttribute("aria-invalid");
}

function fillProjects() {
  const projects = connected.verified.projects;
  $("hook-project").replaceChildren(...projects.map((p) => el("option", { text: p.name })));
  fillRepositories();
}

function fillRepositories() {
  const project = connected.verified.projects.find((p) => p.name === $("hook-project").value);
  const repos = project ? project.repositories : [];
  const any = el("option", { text: "All repositories" });
  any.value = "";
  $("hook-repository").replaceChildren(any, ...repos.map((r) => el("option", { text: r.name })));
}

function request() {
  const auth =
    document.querySelector("input[name=hook-auth]:checked").value === "basic"
      ? { kind: "basic", username: $("hook-user").value, password: $("hook-password").value }
      : { kind: "secretHeader", header: $("hook-header").value || null, secret: { kind: $("hook-rotate").checked ? "rotate" : "keep" } };
  return {
    project: $("hook-project").value,
    repository: $("hook-repository").value || null,
    branch: $("hook-branch").value.trim() || null,
    events: [...document.querySelectorAll("input[name=event]:checked")].map((i) => i.value),
    url: $("hook-url").value.trim(),
    auth,
  };
}

function planRow(item) {
  const li = el(
    "li",
    { className: item.action },
    el(
      "div",
      { className: "row" },
      el("span", { className: "mark", text: ACTION_LABELS[item.action] || item.action }),
      el("span", { className: "title", text: EVENT_LABELS[item.spec.event] || item.spec.event }),
      el("span", { className: "msg", text: item.reason || (item.subscriptionId ? `subscription ${item.subscriptionId}` : "new subscription") }),
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
      ...items.map(planRow),
      ...plan.warnings.map((w) => el("li", { className: "warn" }, el("div", { className: "row" }, el("span", { className: "mark", text: "warn" }), el("span", { className: "msg", text: w.message || String(w) })))),
    );
    const writes = p.create.length + p.adopt.length + p.update.length + p.reenable.length;
    $("hooks-status").textContent = writes
      ? `Plan: ${p.create.length} to create, ${p.adopt.length} to adopt, ${p.update.length} to update, ${p.reenable.length} to re-enable, ${p.unchanged.length} already right.`
      : `Nothing to change: all ${p.unchanged.length} subscriptions are already right.`;
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
    $("hooks-status").textContent = report.ok
      ? `Done: ${report.created.length} created, ${report.adopted.length} adopted, ${report.updated.length} updated, ${report.reenabled.length} re-enabled.`
      : `${report.failed.length} failed; the rest is done. Retry with "Finish it", or roll back.`;
    if (report.problem) fail(report.problem);
    document.body.dataset.hooksApplied = String(Date.now());
    await refresh();
  } catch (error) {
    fail(error);
  } finally {
    show(bar, false);
  }
}

function hookRow(state) {
  const rec = state.recorded;
  const status = state.exists ? state.status || "enabled" : "missing";
  const li = el(
    "li",
    { className: status === "enabled" ? "pass" : "warn" },
    el(
      "div",
      { className: "row" },
      el("span", { className: "mark", text: status === "enabled" ? "on" : status }),
      el("span", { className: "title", text: EVENT_LABELS[rec.spec.event] || rec.spec.event }),
      el("span", { className: "msg mono", text: rec.id }),
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
        : `Not delivered: ${t.errorMessage || t.result || "no answer"}`;
      li.dataset.tested = t.delivered ? "delivered" : "failed";
    } catch (error) {
      result.textContent = `${error.message} ${error.fix || ""}`;
    }
  });
  const historyButton = el("button", { className: "secondary", text: "Recent deliveries" });
  historyButton.type = "button";
  historyButton.addEventListener("click", async () => {
    try {
      const deliveries = await backend.hookHistory(profileId(), rec.id);
      result.textContent = deliveries.length
        ? deliveries.slice(0, 5).map((d) => `${d.createdDate || ""} ${d.eventType || ""}: ${d.result || d.status}${d.receiverStatus ? ` (${d.receiverStatus})` : ""}`).join(" · ")
        : "No deliveries yet.";
    } catch (error) {
      result.textContent = `${error.message} ${error.fix || ""}`;
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

export function showHooks(result) {
  connected = result;
  clearAlert();
  $("hooks-plan-list").replaceChildren();
  show($("hooks-secret"), false);
  $("hooks-status").textContent = "";
  $("hooks-apply").disabled = true;
  fillProjects();
  refresh();
}

export function initHooks({ onBack }) {
  $("hooks-form").addEventListener("submit", preview);
  $("hooks-apply").addEventListener("click", apply);
  $("hooks-back").addEventListener("click", onBack);
  $("hook-project").addEventListener("change", fillRepositories);
  for (const radio of document.querySelectorAll("input[name=hook-auth]")) {
    radio.addEventListener("change", () => {
      const basic = document.querySelector("input[name=hook-auth]:checked").value === "basic";
      show($("hook-basic-row"), basic);
      show($("hook-header-row"), !basic);
    });
  }
  $("hooks-secret-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("hooks-secret-value").value);
      $("hooks-secret-copy").textContent = "Copied";
    } catch {
      $("hooks-secret-value").select();
      $("hooks-secret-copy").textContent = "Selected: press Ctrl+C";
    }
  });
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
