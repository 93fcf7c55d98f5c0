// The hand-off: the verified connection delivered to the product. "Paste into <product>": each
// field with the product's own label and a Copy button, in the order of the product's form,
// secrets revealed only on request; the product's own steps where nothing is pasted; an export
// file; a POST to the product's API when it has one; the curl script that recreates the webhooks
// ADO Connect registered. The backend decides all of it (`handoff_panel`) and refuses it until
// the connection passed the product's checks: the refusal is shown with a way back to them.
// Also opened from the home for a saved connection.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { store } from "../store.js";
import { clearError, errorLine, renderError } from "../errors.js";
import { home, open } from "../nav.js";
import { choice, detailInput, detailInputs, placeholdersIn, profile } from "../product.js";
import { humanTime } from "../time.js";
import { copyText } from "../clipboard.js";

const opened = () => store.get("opened"); // the connection in use
let asked = { top: [], post: [] }; // the details asked for above the fields and for the POST (they only grow while it shows)
let view = null; // the latest HandoffView
let seq = 0;

// --- The logic, without the page (tested in Node: tests/ui/handoff.test.js) --------------------

/** The details a missing field needs from the user: a project, a repository, placeholders. */
export function detailsFor(missing) {
  const p = profile();
  switch (missing.source) {
    case "project":
      return ["project"];
    case "repository":
    case "repository_url":
      return ["repository"];
    case "placeholder":
      return missing.placeholder ? [missing.placeholder] : [];
    case "webhook_url":
      return placeholdersIn(p.webhooks && p.webhooks.url);
    default:
      return [];
  }
}

/** The detail a field is itself (a project, a repository, a placeholder): edited in its row. */
export function ownDetail(field) {
  if (field.source === "project" || field.source === "repository") return field.source;
  if (field.source === "placeholder" && field.key.startsWith("placeholder:")) return field.key.slice("placeholder:".length);
  return null;
}

/** What to ask for besides the fields edited in place: above the fields, what a missing value
 *  needs (a webhook URL's placeholders); in the POST section, the placeholders it uses (their
 *  defaults can be changed). Each list in the profile's order, and only growing from `before`. */
export function wanted(v, before) {
  const p = profile();
  const inPlace = new Set(v.deliveries.fields ? v.panel.fields.map(ownDetail).filter(Boolean) : []);
  const top = new Set(before.top);
  for (const m of v.missing) for (const n of detailsFor(m)) if (!inPlace.has(n)) top.add(n);
  const post = new Set(before.post);
  if (v.deliveries.post && p.handoff.post) {
    for (const n of placeholdersIn(p.handoff.post.url + JSON.stringify(p.handoff.post.body))) if (!inPlace.has(n) && !top.has(n)) post.add(n);
  }
  const order = ["project", "repository", ...p.placeholders.map((x) => x.name)];
  return { top: order.filter((n) => top.has(n)), post: order.filter((n) => post.has(n)) };
}

/** The line naming the required values still missing ("" when none): nothing can be copied,
 *  exported or sent until they are there. */
export function missingLine(v) {
  const pending = v.missing.map((m) => m.label);
  return pending.length ? `${v.panel.product} also needs ${pending.join(", ")}: until then nothing can be copied, exported or sent.` : "";
}

// --- The page --------------------------------------------------------------------------------

function button(text, className, id, onClick) {
  const b = el("button", { className, text });
  b.type = "button";
  b.id = id;
  b.addEventListener("click", onClick);
  return b;
}

/** One field: read-only with Copy (and Reveal for a secret), or, for a detail the user gives
 *  (project, repository, a placeholder), its input with Copy. A required value not known yet is
 *  never shown empty: the row says where to give it. */
function fieldRow(field, missing) {
  const id = `handoff-${field.key.replace(/[^a-z0-9]+/gi, "-")}`;
  const label = el("label", { text: field.label });
  const item = el("li", { className: "handoff-field" }, label);
  item.dataset.key = field.key;
  const own = view && view.deliveries.fields ? ownDetail(field) : null;
  if (own) {
    const input = detailInput(own, `handoff-detail-${own.replace(/_/g, "-")}`, { onChange: refresh });
    if (field.value && !input.value) input.value = field.value;
    label.htmlFor = input.id;
    const copy = button("Copy", "secondary copy", `${input.id}-copy`, () => input.value && copyText(input.value, copy, input));
    item.classList.add("editable");
    item.append(el("div", { className: "with-button" }, input, copy));
    if (missing) item.append(el("p", { className: "hint warning-text", text: `${field.label} is needed: type it here.` }));
    else if (field.optional && !input.value) item.append(el("p", { className: "hint", text: "Optional." }));
    return item;
  }
  if (missing || (!field.secret && !field.value)) {
    const where = !missing
      ? "Optional: not given."
      : detailsFor(missing).length
        ? "Not known yet: fill it in above."
        : field.source === "pat"
          ? "No token is kept for it: give it on the previous step and check access again."
          : "Not known yet.";
    const note = el("p", { className: missing ? "hint warning-text" : "hint", text: where });
    note.id = id;
    item.classList.add(missing ? "missing" : "empty");
    item.append(note);
    return item;
  }
  label.htmlFor = id;
  const value = el("input");
  Object.assign(value, { id, type: field.secret ? "password" : "text", readOnly: true, value: field.secret ? "••••••••••••" : field.value });
  value.className = "mono";
  const copy = button("Copy", "secondary copy", `${id}-copy`, async () => {
    const text = field.secret ? await reveal(field) : field.value;
    if (text != null) copyText(text, copy, field.secret ? null : value);
  });
  const buttons = [copy];
  if (field.secret) {
    const toggle = button("Reveal", "secondary reveal", `${id}-reveal`, async () => {
      if (value.type === "text") {
        value.type = "password";
        value.value = "••••••••••••";
        toggle.textContent = "Reveal";
        return;
      }
      const text = await reveal(field);
      if (text == null) return;
      value.type = "text";
      value.value = text;
      toggle.textContent = "Hide";
    });
    buttons.unshift(toggle);
  }
  item.append(el("div", { className: "with-button" }, value, ...buttons));
  return item;
}

async function reveal(field) {
  clearError($("handoff-alert"));
  try {
    const value = await backend.handoffValue(opened().card.id, choice(), field.key);
    if (value == null) $("handoff-file-status").textContent = `${field.label}: not kept for this connection.`;
    return value;
  } catch (error) {
    renderError($("handoff-alert"), error);
    return null;
  }
}

/** The panel refused (the checks have not passed, or no longer do): why, each fix, and the way
 *  back to the checks. Nothing of the hand-off shows. */
function showRefusal(error) {
  view = null;
  show($("handoff-body"), false);
  show($("handoff-refused"), true);
  show($("handoff-back"), false);
  $("handoff-intro").textContent = `${profile().product.name} gets this connection once it passes its checks.`;
  renderError($("handoff-alert"), error);
  document.body.dataset.handoff = "refused";
}

function intro(v) {
  const name = v.panel.product;
  const parts = [];
  if (v.deliveries.fields) parts.push(v.deliveries.post ? `Copy each value into ${name}'s form, or let ADO Connect send it.` : `Copy each value into ${name}'s form.`);
  else parts.push(`Nothing to paste: follow the steps below in ${name}.`);
  if (v.panel.fields.some((f) => f.secret)) parts.push("Secrets stay hidden until you ask.");
  if (v.checkedAt) parts.push(`Checked for ${name} ${humanTime(v.checkedAt)}.`);
  return parts.join(" ");
}

/** Shows a HandoffView: the details still needed, the guide, the fields, the ways to deliver. */
function render(v) {
  view = v;
  const name = v.panel.product;
  show($("handoff-refused"), false);
  show($("handoff-body"), true);
  show($("handoff-back"), true);
  $("handoff-title").textContent = v.panel.title;
  $("handoff-intro").textContent = intro(v);
  const next = wanted(v, asked);
  if (next.top.join() !== asked.top.join()) detailInputs($("handoff-details"), "handoff-detail", next.top, { onChange: refresh });
  if (next.post.join() !== asked.post.join()) detailInputs($("handoff-post-details"), "handoff-detail", next.post, { onChange: refresh });
  asked = next;
  const focused = document.activeElement && document.activeElement.closest("#handoff-fields") ? document.activeElement.id : null;
  const missingKeys = new Map(v.missing.map((m) => [m.key, m]));
  $("handoff-missing").textContent = missingLine(v);
  show($("handoff-missing"), v.missing.length > 0);
  $("handoff-guide-title").textContent = `In ${name}`;
  $("handoff-guide").replaceChildren(...v.panel.guides.map((step) => el("li", { text: step })));
  show($("handoff-guide-box"), v.panel.guides.length > 0);
  const rows = v.panel.fields.map((f) => fieldRow(f, missingKeys.get(f.key)));
  // A required value with no field of its own in this panel (a connector's token) is named too.
  for (const m of v.missing) if (!v.panel.fields.some((f) => f.key === m.key)) rows.push(fieldRow({ key: m.key, label: m.label, source: m.source, secret: false, value: null }, m));
  $("handoff-fields").replaceChildren(...rows);
  if (focused && $(focused)) $(focused).focus({ preventScroll: true });
  show($("handoff-fields"), v.deliveries.fields);
  const incomplete = v.missing.length > 0;
  for (const b of document.querySelectorAll("#handoff-fields .reveal, #handoff-fields .handoff-field:has(input[type=password]) .copy")) b.disabled = incomplete;
  show($("handoff-post"), v.deliveries.post);
  if (v.deliveries.post) {
    $("handoff-post-title").textContent = `Send it to ${name}`;
    $("handoff-token-label").textContent = v.deliveries.tokenLabel || `${name} API token`;
    $("handoff-send").textContent = `Send to ${name}`;
    $("handoff-token-hint").textContent = v.hasToken ? "A token is kept in your OS keyring; leave this empty to use it." : "Kept only in your OS keyring.";
    $("handoff-send").disabled = incomplete;
  }
  show($("handoff-copy"), v.deliveries.fields || v.deliveries.script);
  show($("handoff-export"), v.deliveries.fields);
  show($("handoff-include-secrets-row"), v.deliveries.fields);
  show($("handoff-script"), v.deliveries.script);
  $("handoff-export").disabled = incomplete;
  $("handoff-script").disabled = incomplete;
  document.body.dataset.handoff = "shown";
}

/** Asks the backend for the panel with the current details. */
async function refresh() {
  const mine = ++seq;
  clearError($("handoff-alert"));
  try {
    const v = await backend.handoffPanel(opened().card.id, choice());
    if (mine === seq) render(v);
  } catch (error) {
    if (mine === seq) showRefusal(error);
  }
}

/** The product's answer to a delivery that was sent: each request, and what it refused. */
function showReport(report, name) {
  const status = $("handoff-post-status");
  const list = $("handoff-post-result");
  for (const d of report.delivered) list.append(el("li", { className: "pass" }, el("div", { className: "row" }, el("span", { className: "mark", text: "OK" }), el("span", { className: "title", text: d.what }), el("span", { className: "msg", text: `accepted (HTTP ${d.status})` }))));
  if (report.failed) {
    const f = report.failed;
    list.append(
      el(
        "li",
        { className: "fail" },
        el("div", { className: "row" }, el("span", { className: "mark", text: "Failed" }), el("span", { className: "title", text: f.what }), el("span", { className: "msg", text: f.problem.message })),
        el("p", { className: "fix", text: f.problem.fix }),
        f.answer ? el("pre", { className: "answer", text: `${name} answered: ${f.answer}` }) : "",
      ),
    );
  }
  status.className = report.ok ? "status ok" : "status failed";
  status.textContent = report.ok ? `Delivered to ${name} (${report.url}).` : `${name} refused it.`;
  document.body.dataset.handoffPost = report.ok ? "delivered" : "refused";
}

/** Nothing was sent: where it would go and what it would carry, and the question. A local
 *  destination needs its own tick. */
function askConsent(preview, problem) {
  $("handoff-consent-title").textContent = problem.message;
  $("handoff-consent-fix").textContent = problem.fix;
  $("handoff-consent-url").textContent = preview.url;
  $("handoff-consent-host").textContent = preview.host;
  $("handoff-consent-addresses").textContent = preview.addresses.join(", ");
  $("handoff-consent-requests").textContent = String(preview.requests);
  $("handoff-consent-carries").replaceChildren(...preview.carries.map((c) => el("li", { text: c })));
  show($("handoff-consent-local-row"), !!preview.local);
  $("handoff-consent-local").checked = false;
  $("handoff-consent-local-text").textContent = preview.local ? `Send to ${preview.host} anyway: it is ${preview.local}` : "";
  $("handoff-consent-send").textContent = `Send to ${preview.host}`;
  $("handoff-consent-send").dataset.host = preview.host;
  $("handoff-consent-send").disabled = !!preview.local;
  show($("handoff-consent"), true);
  document.body.dataset.handoffPost = "consent";
  $("handoff-consent-title").focus({ preventScroll: true });
  $("handoff-consent").scrollIntoView({ block: "nearest" });
}

/** Sends (or asks first): `consent` { host, allowLocal } once the user confirmed the preview. */
async function send(consent = null) {
  clearError($("handoff-alert"));
  const status = $("handoff-post-status");
  const name = view.panel.product;
  $("handoff-post-result").replaceChildren();
  show($("handoff-consent"), false);
  status.className = "status";
  status.textContent = consent ? "Sending…" : "Checking where it goes…";
  $("handoff-send").disabled = true;
  try {
    const answer = await backend.handoffPost(opened().card.id, choice(), $("handoff-token").value.trim() || null, $("handoff-ca").value || null, consent);
    status.textContent = "";
    if (answer.kind === "needsConsent") {
      askConsent(answer.preview, answer.problem);
      return;
    }
    $("handoff-token").value = "";
    showReport(answer.report, name);
  } catch (error) {
    status.textContent = "";
    renderError($("handoff-alert"), error);
  } finally {
    $("handoff-send").disabled = false;
  }
}

async function exportFile() {
  const status = $("handoff-file-status");
  try {
    const written = await backend.handoffExport(opened().card.id, choice(), $("handoff-include-secrets").checked);
    status.textContent = `Saved ${written.path}.${written.warning ? ` ${written.warning}` : ""}`;
    status.dataset.path = written.path;
  } catch (error) {
    status.textContent = errorLine(error);
  }
}

async function script() {
  const status = $("handoff-file-status");
  try {
    const s = await backend.handoffScript(opened().card.id, choice());
    $("handoff-script-text").textContent = s.text;
    show($("handoff-script-text"), true);
    status.textContent = `Saved ${s.path}: it recreates ${s.subscriptions} webhook subscription(s) with curl; the secrets come from environment variables.`;
    status.dataset.path = s.path;
  } catch (error) {
    status.textContent = errorLine(error);
  }
}

/** Shows the hand-off of `next` (a verified connection, or one opened from the home). */
export function showHandoff(next) {
  const p = profile();
  asked = { top: [], post: [] };
  view = null;
  delete document.body.dataset.handoff;
  delete document.body.dataset.handoffPost;
  $("handoff-title").textContent = p.handoff.title;
  $("handoff-intro").textContent = "";
  $("handoff-details").replaceChildren();
  $("handoff-post-details").replaceChildren();
  $("handoff-fields").replaceChildren();
  $("handoff-post-result").replaceChildren();
  $("handoff-post-status").textContent = "";
  show($("handoff-consent"), false);
  $("handoff-file-status").textContent = "";
  delete $("handoff-file-status").dataset.path;
  show($("handoff-script-text"), false);
  $("handoff-include-secrets").checked = false;
  show($("handoff-secrets-warning"), false);
  return refresh();
}

export function initHandoff() {
  $("handoff-send").addEventListener("click", () => send());
  $("handoff-consent-local").addEventListener("change", () => ($("handoff-consent-send").disabled = !$("handoff-consent-local").checked));
  $("handoff-consent-send").addEventListener("click", () => send({ host: $("handoff-consent-send").dataset.host, allowLocal: $("handoff-consent-local").checked }));
  $("handoff-consent-cancel").addEventListener("click", () => {
    show($("handoff-consent"), false);
    delete document.body.dataset.handoffPost;
    $("handoff-send").focus();
  });
  $("handoff-export").addEventListener("click", exportFile);
  $("handoff-script").addEventListener("click", script);
  $("handoff-include-secrets").addEventListener("change", () => show($("handoff-secrets-warning"), $("handoff-include-secrets").checked));
  $("handoff-back").addEventListener("click", () => open(opened(), "product"));
  $("handoff-to-checks").addEventListener("click", () => open(opened(), "product"));
  $("handoff-home").addEventListener("click", () => home());
}
