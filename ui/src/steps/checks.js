// Step 3: what the connection is for, the least access that needs, and the live checklist.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { store } from "../store.js";
import { errorLine } from "../errors.js";
import { go, open } from "../nav.js";
import { picker } from "../picker.js";
import { copyText } from "../clipboard.js";

const MARKS = { pass: "OK", warn: "Note", fail: "Failed", skip: "Skipped" };

let shown = null; // the id of the connection this step last showed (the one in use: the store's)
const opened = () => store.get("opened");
let project = null; // the project picker

// --- The logic, without the page (tested in Node: tests/ui/checks.test.js) ----------------------

/** The project the picker starts on for a connection: what the last paste named; a connection
 *  other than the one shown starts with none; null keeps the user's choice (same connection, the
 *  paste named no project). */
export function preselectedProject(same, context) {
  return !same || context.project ? context.project || "" : null;
}

/** Whether the checks must ask before sending a token over plain HTTP (not to this machine). */
export function asksHttpConsent(apiUrl) {
  const url = new URL(apiUrl);
  return url.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** The status line once the checks settled. */
export function checksStatus(report) {
  const failed = report.checks.filter((c) => c.status === "fail").length;
  return report.ok ? `All clear: ${report.checks.length} checks, ${report.requests} requests.` : `${failed} check(s) failed. Fix them and run again.`;
}

// --- The page --------------------------------------------------------------------------------

function selected() {
  return [...document.querySelectorAll("input[name=capability]:checked")].map((i) => i.value);
}

async function refreshPlan() {
  const plan = await backend.accessPlan(selected());
  $("scope-rows").replaceChildren(
    ...plan.rows.map((row) =>
      el(
        "tr",
        {},
        el("td", { text: labelOf(row.capability) }),
        el("td", { text: ["Project and Team (Read)", ...row.scopes.map((s) => s.patLabel)].filter(unique).join(", ") }),
        el("td", { text: row.permissions.join("; ") }),
      ),
    ),
  );
  $("scope-pat").textContent = plan.patScopes.join(", ");
  const pat = opened().card.method === "pat";
  show($("scope-pat-row"), pat);
  show($("scope-entra-row"), !pat);
  $("scope-rows").closest("table").classList.toggle("no-pat", !pat);
  $("scope-entra").textContent = plan.entraScopes.join(" ");
}

function unique(value, index, all) {
  return all.indexOf(value) === index;
}

function labelOf(capability) {
  const input = document.querySelector(`input[name=capability][value=${capability}]`);
  return input ? input.parentElement.firstChild.nextSibling.textContent.trim() : capability;
}

function renderCheck(check) {
  const status = check.status;
  const row = el(
    "div",
    { className: "row" },
    el("span", { className: "mark", text: MARKS[status] || status }),
    el("span", { className: "title", text: check.title }),
    el("span", { className: "msg", text: check.message }),
  );
  const item = el("li", { className: status });
  item.dataset.id = check.id;
  if (check.capability) item.dataset.capability = check.capability;
  if (check.code) item.dataset.code = check.code;
  item.append(row);
  if (status === "fail" || status === "warn") {
    // The code is the backend's: a check that sent none shows none.
    const details = el("details", {}, el("summary", { text: check.code ? `${check.code} · how to fix` : "How to fix" }), el("p", { text: check.fix }));
    if (check.serverMessage) details.append(el("p", { className: "hint", text: `Server said: ${check.serverMessage}` }));
    if (check.supportId) details.append(el("p", { className: "hint", text: `Support: ${check.supportId}` }));
    if (check.curl) {
      const pre = el("pre", { className: "curl", text: check.curl });
      const copy = el("button", { className: "secondary copy-curl", text: "Copy curl" });
      copy.type = "button";
      copy.addEventListener("click", () => {
        const range = document.createRange();
        range.selectNodeContents(pre);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        copyText(check.curl, copy, null);
      });
      details.append(copy, pre);
    }
    if (status === "fail") details.open = true;
    item.append(details);
  }
  $("checklist").append(item);
}

async function run(event) {
  event.preventDefault();
  if (!opened()) return;
  $("checklist").replaceChildren();
  $("run-checks").disabled = true;
  $("save-report").disabled = true;
  $("checks-status").textContent = "Checking…";
  try {
    const report = await backend.runChecks(
      {
        profileId: opened().card.id,
        capabilities: selected(),
        project: project.value || null,
        consentToHttp: $("http-consent").checked,
      },
      renderCheck,
    );
    $("checks-status").textContent = checksStatus(report);
    $("run-checks").textContent = "Re-run";
    $("save-report").disabled = false;
    document.body.dataset.checksDone = String(Date.now());
  } catch (error) {
    $("checks-status").textContent = errorLine(error);
  } finally {
    $("run-checks").disabled = false;
  }
}

/** Shows the checks for `next` (an opened connection); `context.project` preselects the project. */
export function showChecks(next, context) {
  const same = shown === next.card.id;
  shown = next.card.id;
  const preselect = preselectedProject(same, context);
  if (preselect !== null) project.set(preselect);
  show($("http-consent-row"), asksHttpConsent(opened().apiUrl));
  if (!same) {
    $("checklist").replaceChildren();
    $("run-checks").textContent = "Run checks";
    $("checks-status").textContent = "";
  }
  refreshPlan();
}

export function initChecks() {
  project = picker($("check-project-picker"), { context: () => ({ profileId: opened().card.id }) });
  $("checks-to-hooks").addEventListener("click", () => open(opened(), "hooks"));
  for (const input of document.querySelectorAll("input[name=capability]")) input.addEventListener("change", refreshPlan);
  $("checks-form").addEventListener("submit", run);
  $("checks-back").addEventListener("click", () => go("result"));
  $("save-report").addEventListener("click", async () => {
    try {
      const paths = await backend.saveReport();
      $("checks-status").textContent = `Saved: ${paths.join(" and ")}`;
    } catch (error) {
      $("checks-status").textContent = errorLine(error);
    }
  });
}
