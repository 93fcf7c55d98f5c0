// The hand-off: the verified connection delivered to the product. "Paste into <product>": each
// field with the product's own label and a Copy button, secrets revealed only on request; an
// export file; a POST to the product's API when the profile names one; the curl script that
// recreates the webhook subscriptions. Also opened from the home for a saved connection.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { clearError, errorLine, renderError } from "../errors.js";
import { choice, detailInputs, placeholdersIn, profile } from "../product.js";
import { copyText } from "./connect.js";

let opened = null;
let callbacks = null;

function fieldRow(field) {
  const id = `handoff-${field.key.replace(/[^a-z0-9]+/gi, "-")}`;
  const value = el("input");
  Object.assign(value, { id, type: field.secret ? "password" : "text", readOnly: true, value: field.secret ? "••••••••••••" : field.value || "" });
  value.className = "mono";
  if (!field.secret && !field.value) value.placeholder = field.optional ? "(not needed here)" : "(not known yet: fill in the details above)";
  const label = el("label", { text: field.label });
  label.htmlFor = id;
  const copy = el("button", { className: "secondary copy", text: "Copy" });
  copy.type = "button";
  copy.id = `${id}-copy`;
  copy.disabled = !field.secret && !field.value;
  copy.addEventListener("click", async () => {
    const text = field.secret ? await reveal(field) : field.value;
    if (text != null) copyText(text, copy, field.secret ? null : value);
  });
  const buttons = [copy];
  if (field.secret) {
    const toggle = el("button", { className: "secondary reveal", text: "Reveal" });
    toggle.type = "button";
    toggle.id = `${id}-reveal`;
    toggle.addEventListener("click", async () => {
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
  const item = el("li", { className: "handoff-field" }, label, el("div", { className: "with-button" }, value, ...buttons));
  item.dataset.key = field.key;
  return item;
}

async function reveal(field) {
  try {
    const value = await backend.handoffValue(opened.card.id, choice(), field.key);
    if (value == null) $("handoff-file-status").textContent = `${field.label}: not kept for this connection.`;
    return value;
  } catch (error) {
    renderError($("handoff-alert"), error);
    return null;
  }
}

async function renderPanel() {
  clearError($("handoff-alert"));
  try {
    const view = await backend.handoffPanel(opened.card.id, choice());
    $("handoff-fields").replaceChildren(...view.panel.fields.map(fieldRow));
    const post = profile().handoff.post;
    if (post) $("handoff-token-hint").textContent = view.hasToken ? "A token is kept in your OS keyring; leave this empty to use it." : "Kept only in your OS keyring.";
    document.body.dataset.handoff = "shown";
  } catch (error) {
    renderError($("handoff-alert"), error);
  }
}

async function send() {
  clearError($("handoff-alert"));
  const status = $("handoff-post-status");
  const list = $("handoff-post-result");
  list.replaceChildren();
  status.className = "status";
  status.textContent = "Sending…";
  $("handoff-send").disabled = true;
  try {
    const report = await backend.handoffPost(opened.card.id, choice(), $("handoff-token").value.trim() || null, $("handoff-ca").value || null);
    $("handoff-token").value = "";
    for (const d of report.delivered) list.append(el("li", { className: "pass" }, el("div", { className: "row" }, el("span", { className: "mark", text: "OK" }), el("span", { className: "title", text: d.what }), el("span", { className: "msg", text: `accepted (HTTP ${d.status})` }))));
    if (report.failed) {
      const f = report.failed;
      list.append(
        el(
          "li",
          { className: "fail" },
          el("div", { className: "row" }, el("span", { className: "mark", text: "Failed" }), el("span", { className: "title", text: f.what }), el("span", { className: "msg", text: f.problem.message })),
          el("p", { className: "fix", text: f.problem.fix }),
          f.answer ? el("pre", { className: "answer", text: `${profile().product.name} answered: ${f.answer}` }) : "",
        ),
      );
    }
    status.className = report.ok ? "status ok" : "status failed";
    status.textContent = report.ok ? `Delivered to ${profile().product.name} (${report.url}).` : `${profile().product.name} refused it.`;
    document.body.dataset.handoffPost = report.ok ? "delivered" : "refused";
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
    const written = await backend.handoffExport(opened.card.id, choice(), $("handoff-include-secrets").checked);
    status.textContent = `Saved ${written.path}.${written.warning ? ` ${written.warning}` : ""}`;
    status.dataset.path = written.path;
  } catch (error) {
    status.textContent = errorLine(error);
  }
}

async function script() {
  const status = $("handoff-file-status");
  try {
    const s = await backend.handoffScript(opened.card.id, choice());
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
  opened = next;
  $("handoff-title").textContent = p.handoff.title;
  $("handoff-intro").textContent = `Copy each value into ${p.product.name}'s form, or let ADO Connect send it. Secrets stay hidden until you ask.`;
  const wanted = [];
  const sources = p.handoff.fields.map((f) => f.source);
  if (sources.includes("project")) wanted.push("project");
  if (sources.includes("repository") || sources.includes("repository_url")) wanted.push("repository");
  const texts = [p.webhooks && p.webhooks.url, p.handoff.post && p.handoff.post.url, ...p.handoff.fields.map((f) => f.placeholder)];
  for (const name of p.placeholders.map((x) => x.name)) if (texts.some((t) => placeholdersIn(t).includes(name))) wanted.push(name);
  detailInputs($("handoff-details"), "handoff-detail", wanted, renderPanel);
  show($("handoff-post"), !!p.handoff.post);
  show($("handoff-script"), !!p.webhooks);
  if (p.handoff.post) {
    $("handoff-post-title").textContent = `Send it to ${p.product.name}`;
    $("handoff-token-label").textContent = p.handoff.post.tokenLabel;
    $("handoff-send").textContent = `Send to ${p.product.name}`;
  }
  $("handoff-post-result").replaceChildren();
  $("handoff-post-status").textContent = "";
  $("handoff-file-status").textContent = "";
  show($("handoff-script-text"), false);
  $("handoff-include-secrets").checked = false;
  show($("handoff-secrets-warning"), false);
  return renderPanel();
}

export function initHandoff({ onBack, onDone }) {
  callbacks = { onBack, onDone };
  $("handoff-send").addEventListener("click", send);
  $("handoff-export").addEventListener("click", exportFile);
  $("handoff-script").addEventListener("click", script);
  $("handoff-include-secrets").addEventListener("change", () => show($("handoff-secrets-warning"), $("handoff-include-secrets").checked));
  $("handoff-back").addEventListener("click", () => callbacks.onBack());
  $("handoff-home").addEventListener("click", () => callbacks.onDone());
}
