// What the webhooks step shows of subscriptions: the ones this connection has now, grouped by
// where they listen (project / repository / branch → receiver), and a plan's rows turned into
// what Apply did (created, already right, failed), each with its subscription id and a link to
// the Azure DevOps page that lists it.
import { backend } from "../backend.js";
import { el } from "../dom.js";
import { errorLine } from "../errors.js";
import { humanTime } from "../time.js";

/** "Project / repository / branch" of a recorded hook (names from the overview). */
export function scopeText(spec, names) {
  const parts = [names.projectName || names.project || "a project no longer visible"];
  parts.push(spec.repositoryId ? names.repositoryName || names.repository || "one repository" : "all repositories");
  if (spec.branch) parts.push(spec.branch);
  return parts.join(" / ");
}

const same = (a, b) => (a || "").toLowerCase() === (b || "").toLowerCase();

/** The key a scope group is known by: project, repository, branch and receiver. */
function groupKey(spec) {
  return [spec.projectId, spec.repositoryId || "", spec.branch || "", spec.url].map((v) => String(v).toLowerCase()).join("|");
}

/** The overview's hooks grouped by scope and receiver, the largest group first:
 *  [{ key, scope, spec, project, repository, hooks }]. */
export function groupHooks(hooks) {
  const groups = new Map();
  for (const hook of hooks) {
    const spec = hook.recorded.spec;
    const key = groupKey(spec);
    if (!groups.has(key)) {
      groups.set(key, {
        key,
        scope: scopeText(spec, hook),
        spec,
        project: hook.projectName || hook.project || null,
        repository: spec.repositoryId ? hook.repositoryName || hook.repository || null : null,
        hooks: [],
      });
    }
    groups.get(key).hooks.push(hook);
  }
  return [...groups.values()].sort((a, b) => b.hooks.length - a.hooks.length);
}

/** A link-styled button that opens the subscription's page in Azure DevOps (the backend builds
 *  the address from the saved connection and opens the system browser). */
export function pageLink(profileId, subscriptionId, title = "Open in Azure DevOps") {
  const link = el("button", { className: "link page-link", text: title });
  link.type = "button";
  link.dataset.subscriptionId = subscriptionId;
  link.addEventListener("click", async () => {
    try {
      const page = await backend.openHookPage(profileId, subscriptionId);
      link.title = page;
      link.dataset.opened = page;
    } catch (error) {
      link.textContent = errorLine(error);
    }
  });
  return link;
}

function lastDelivery(hook) {
  const d = hook.lastDelivery;
  if (!hook.exists) return "deleted in Azure DevOps";
  if (!d) return "nothing delivered yet";
  const when = d.createdDate ? humanTime(d.createdDate) : "";
  return d.result === "succeeded" ? `last delivered ${when}` : `last delivery ${d.result || d.status || "failed"} ${when}`.trim();
}

/** One recorded hook: its event, status and last delivery, Test / Recent deliveries / link. */
function hookRow(hook, { profileId, labels, header }) {
  const rec = hook.recorded;
  const status = hook.exists ? hook.status || "enabled" : "missing";
  const li = el(
    "li",
    { className: status === "enabled" ? "pass" : "warn" },
    el(
      "div",
      { className: "row" },
      el("span", { className: "mark", text: status === "enabled" ? "On" : status }),
      el("span", { className: "title", text: hook.eventLabel || rec.spec.event }),
      el("span", { className: "msg", text: `${lastDelivery(hook)}${hook.reason && status !== "enabled" ? ` · ${hook.reason}` : ""}` }),
    ),
  );
  li.dataset.subscriptionId = rec.id;
  li.dataset.status = status;
  const result = el("span", { className: "result" });
  const test = el("button", { className: "secondary test-hook", text: "Send test event" });
  test.type = "button";
  test.addEventListener("click", async () => {
    result.textContent = "Sending…";
    try {
      const t = await backend.testHook(profileId, rec.id);
      result.textContent = t.delivered
        ? `Delivered: the receiver answered ${t.receiverStatus} ${t.receiverReason || ""}${t.responseExcerpt ? ` · ${t.responseExcerpt}` : ""}`
        : t.receiverStatus === 401 || t.receiverStatus === 403
          ? `Not delivered: your receiver rejected the secret (${t.receiverStatus}). Give it the current one (header ${header()}).`
          : `Not delivered: ${t.errorMessage || t.result || "no answer"}`;
      li.dataset.tested = t.delivered ? "delivered" : "failed";
    } catch (error) {
      result.textContent = errorLine(error);
    }
  });
  const history = el("button", { className: "secondary", text: "Recent deliveries" });
  history.type = "button";
  history.addEventListener("click", async () => {
    try {
      const deliveries = await backend.hookHistory(profileId, rec.id);
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
  const actions = el("div", { className: "hook-actions" }, test, history);
  if (hook.exists) actions.append(pageLink(profileId, rec.id));
  actions.append(result);
  li.append(actions);
  return li;
}

/** The groups, each a disclosure: its heading (scope → receiver, how many, how they are doing)
 *  over its hooks. With more than three groups only the first (the largest) starts open, so the
 *  form stays near the top however many places have webhooks. */
export function renderGroups(groups, options) {
  return groups.map((group, index) => {
    const off = group.hooks.filter((h) => !h.exists || (h.status && h.status !== "enabled")).length;
    const state = off ? `${off} of ${group.hooks.length} not delivering` : group.hooks.length === 1 ? "on" : `all ${group.hooks.length} on`;
    const heading = el(
      "summary",
      { className: "group-head" },
      el("strong", { className: "scope", text: group.scope }),
      " → ",
      el("span", { className: "mono wrap", text: group.spec.url }),
      el("span", { className: "group-state", text: ` · ${state}` }),
    );
    const section = el("details", { className: "hook-group" }, heading, el("ul", { className: "checklist" }, ...group.hooks.map((h) => hookRow(h, options))));
    section.open = index === 0 || groups.length <= 3;
    section.dataset.scope = group.scope;
    return section;
  });
}

/** The recorded hook a planned spec now is (same event, project, repository, branch, receiver). */
function recordedFor(spec, hooks) {
  return hooks.find((h) => {
    const r = h.recorded.spec;
    return r.event === spec.event && same(r.projectId, spec.projectId) && same(r.repositoryId, spec.repositoryId) && same(r.branch, spec.branch) && r.url === spec.url;
  });
}

const DONE = { create: "created", adopt: "adopted", update: "updated", reenable: "reenabled" };
const RESULT_LABELS = { created: "Created", adopted: "Adopted", updated: "Updated", reenabled: "Re-enabled", unchanged: "Already right", failed: "Failed" };

/** What Apply did to one planned item: { result, subscriptionId, message }. */
export function outcome(item, report, hooks) {
  const id = item.subscriptionId;
  const failed = report.failed.find((f) => (id ? same(f.subscriptionId, id) : f.action === item.action && f.event === item.spec.event && !recordedFor(item.spec, hooks)));
  if (failed) return { result: "failed", subscriptionId: id || null, message: errorLine(failed.problem) };
  if (item.action === "unchanged") return { result: "unchanged", subscriptionId: id, message: "already right: nothing was sent" };
  const recorded = recordedFor(item.spec, hooks);
  const key = DONE[item.action];
  const list = report[key] || [];
  const done = (id && list.find((a) => same(a.subscriptionId, id))) || (recorded && list.find((a) => same(a.subscriptionId, recorded.recorded.id)));
  if (done || recorded) return { result: key, subscriptionId: (done && done.subscriptionId) || recorded.recorded.id, message: "" };
  const left = (report.leftAlone || []).find((a) => a.event === item.spec.event);
  if (left) return { result: "unchanged", subscriptionId: left.subscriptionId, message: "exists, not ours: left alone" };
  return { result: "failed", subscriptionId: id || null, message: "Azure DevOps did not confirm this one; open the webhooks step again to see what exists." };
}

/** Turns plan row `li` into its result. */
export function showOutcome(li, result, profileId) {
  li.className = result.result === "failed" ? "fail" : "pass";
  li.dataset.result = result.result;
  const mark = li.querySelector(".mark");
  mark.textContent = RESULT_LABELS[result.result] || result.result;
  const msg = li.querySelector(".msg");
  msg.replaceChildren();
  if (result.subscriptionId) {
    li.dataset.subscriptionId = result.subscriptionId;
    msg.append("subscription ", el("span", { className: "mono sub-id", text: result.subscriptionId }), " ");
  }
  if (result.message) msg.append(result.message, " ");
  if (result.subscriptionId && result.result !== "failed") msg.append(pageLink(profileId, result.subscriptionId));
}
