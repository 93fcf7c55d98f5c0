// A product's rules in the connect form, as the backend decides them (`product_connect_rules`):
// the sign-in methods the chosen deployment takes (the others hidden), its recommended method
// preselected when the current one is not allowed, its note, and the first refusal shown at the
// field it names, with Verify disabled while anything refuses. Asked again whenever the form
// changes (deployment, address, method, expiry date, a paste). Without a product: nothing.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { profile } from "../product.js";

/** The form's method radios (values browser, device, sp, pat) under the backend's names. */
const METHODS = { browser: "browser", device: "device_code", sp: "service_principal", pat: "pat" };
const METHOD_INPUTS = { browser: "method-browser", device_code: "method-device", service_principal: "method-sp", pat: "method-pat" };
/** Where a restriction's field is in the form. */
const FIELD_INPUTS = { organization: "organization", servicesUrl: "organization", serverUrl: "server-url", collection: "collection", pat: "pat", url: "paste-url", proxy: "proxy" };

let form = null; // { deployment(), method(), target(), refresh() }
let current = null; // the latest ConnectRules
let seq = 0;
let timer = null;
let userChose = false; // the user picked a method themselves
let shown = ""; // the refusal on screen, to re-render only when it changes
let marked = null; // the input that refusal marked invalid

/** The backend's name of a form method value ("sp" → "service_principal"). */
export const methodName = (value) => METHODS[value] || null;

/** True while the backend refuses what the form holds: nothing may be sent. */
export function refused() {
  return !!(current && current.refused);
}

function request() {
  const d = form.deployment();
  return {
    target: { deployment: d, ...form.target() },
    method: d ? methodName(form.method()) : null,
    expiresOn: $("pat-expiry").value.trim() || null,
  };
}

/** Asks the backend now; resolves to the rules applied (null without a product, or when a newer
 *  question overtook this one). */
export async function askRules() {
  clearTimeout(timer);
  if (!profile()) return null;
  const mine = ++seq;
  let rules;
  try {
    rules = await backend.productConnectRules(request());
  } catch (error) {
    if (mine === seq) showRefusal({ code: error.code, message: error.message, fix: error.fix, field: null, rule: "" });
    return null;
  }
  if (mine !== seq) return null;
  if (fitMethods(rules.signIn)) return askRules(); // the method changed: judge it
  current = rules;
  const first = rules.restrictions.find((r) => r.status === "fail");
  if (first) showRefusal(first);
  else hideRefusal();
  form.refresh();
  document.body.dataset.connectRules = rules.refused ? "refused" : "clear";
  return rules;
}

/** Asks again after a pause (typing). */
export function scheduleRules(delay = 150) {
  clearTimeout(timer);
  if (profile()) timer = setTimeout(askRules, delay);
}

/** A fresh form (or a renewal, `chosen`: the saved connection's method counts as the user's). */
export function resetRules(chosen = false) {
  userChose = chosen;
  hideRefusal();
  current = null;
  return askRules();
}

/** The sandbox shortcuts: forget the user's own method choice, so the product's recommended one
 *  is picked, then ask. */
export function chooseRecommended() {
  userChose = false;
  return askRules();
}

/** Shows only the methods the rule takes and picks its recommended one when the current one is
 *  not allowed (or the user has not chosen). Returns true when the checked method changed. */
function fitMethods(signIn) {
  const name = profile().product.name;
  for (const [method, id] of Object.entries(METHOD_INPUTS)) {
    const allowed = signIn.methods.includes(method);
    show($(id).closest("label"), allowed);
    $(id).disabled = !allowed;
  }
  let tag = $("method-recommended");
  if (!tag) {
    tag = el("small", { className: "recommended" });
    tag.id = "method-recommended";
  }
  tag.textContent = ` recommended by ${name}`;
  $(METHOD_INPUTS[signIn.recommended]).closest("label").append(tag);
  $("product-connect-note").textContent = signIn.note || "";
  show($("product-connect-note"), !!signIn.note);
  const checked = document.querySelector("input[name=method]:checked");
  const now = checked ? methodName(checked.value) : null;
  if (now === signIn.recommended || (userChose && signIn.methods.includes(now))) return false;
  $(METHOD_INPUTS[signIn.recommended]).checked = true;
  form.refresh();
  return form.deployment() === "services";
}

/** The element a restriction points at, and where its message goes. */
function anchorOf(r) {
  const d = form.deployment();
  if (r.rule === "patExpiry") return { input: $("pat-expiry"), after: $("pat-expiry").closest(".field") };
  if (r.rule === "signIn" && d === "services" && r.field !== "pat") return { input: null, after: $("method-field") };
  if (r.rule === "deployment" && !r.field) return { input: null, after: $("deployment-field") };
  const input = $(FIELD_INPUTS[r.field]);
  if (input && input.getClientRects().length) return { input, after: input.closest(".field") || input };
  return { input: null, after: null };
}

function showRefusal(r) {
  const box = $("connect-refusal");
  const { input, after } = anchorOf(r);
  const key = `${r.rule}|${r.code}|${r.message}|${after ? after.id || after.className : ""}`;
  if (marked && marked !== input) marked.removeAttribute("aria-invalid");
  marked = input;
  if (input) input.setAttribute("aria-invalid", "true");
  if (key === shown && !box.hidden) return;
  shown = key;
  const part = (tag, name, className, text) => {
    const node = el(tag, { className, text });
    node.id = `connect-refusal-${name}`;
    return node;
  };
  // The code the backend sent, and none when it sent none (the page never makes one up).
  const title = r.code ? [part("span", "code", "code", r.code), " "] : [];
  box.replaceChildren(
    el("p", { className: "alert-title" }, ...title, part("span", "message", "", r.message)),
    part("p", "fix", "alert-fix", r.fix || ""),
  );
  box.dataset.rule = r.rule || "";
  if (after) after.after(box);
  else $("alert").before(box);
  show(box, true);
}

function hideRefusal() {
  shown = "";
  if (marked) marked.removeAttribute("aria-invalid");
  marked = null;
  show($("connect-refusal"), false);
}

/** The sandbox shortcuts the product can use: `targets` { services, server } (each a form
 *  target); a deployment the backend refuses is false. */
export async function usableDeployments(targets) {
  const out = {};
  for (const [deployment, target] of Object.entries(targets)) {
    if (!profile()) {
      out[deployment] = true;
      continue;
    }
    const rules = await backend.productConnectRules({ target: { deployment, ...target }, method: null, expiresOn: null }).catch(() => null);
    out[deployment] = !rules || !rules.restrictions.some((r) => r.rule === "deployment" && r.status === "fail");
  }
  return out;
}

/** Wires the rules to the connect form: `access` { deployment(), method(), target(), refresh() }. */
export function initRules(access) {
  form = access;
  for (const radio of document.querySelectorAll("input[name=method]")) radio.addEventListener("change", () => (userChose = true));
  for (const radio of document.querySelectorAll("input[name=deployment], input[name=method]")) radio.addEventListener("change", () => askRules());
  for (const id of ["organization", "server-url", "collection", "pat-expiry"]) $(id).addEventListener("input", () => scheduleRules());
  return askRules();
}
