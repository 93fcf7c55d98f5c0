// Step 1: where Azure DevOps is and how to sign in. Verify asks the backend, which saves the
// connection only when it works; the paste box (paste.js) and the certificate panel (tls.js) are
// their own modules. Also the renewal form: the same fields, filled from a saved connection.
import { backend } from "../backend.js";
import { $, show } from "../dom.js";
import { copyText } from "../clipboard.js";
import { clearError, renderError } from "../errors.js";
import { open } from "../nav.js";
import { profile } from "../product.js";
import { store } from "../store.js";
import { clearPaste, initPaste } from "./paste.js";
import { askRules, chooseRecommended, initRules, refused, resetRules, usableDeployments } from "./rules.js";
import { initTls, showChain, trustedCaPem } from "./tls.js";
import { offerFromSaved, offerOrganizations } from "./organizations.js";

const FIELD_INPUTS = {
  serverUrl: "server-url",
  collection: "collection",
  organization: "organization",
  pat: "pat",
  url: "paste-url",
  servicesUrl: "organization",
  proxy: "proxy",
};
const HTTP_CONSENT_CODES = ["http_consent_required", "http_insecure"];
const TITLE = "Where is your Azure DevOps?";

let sandbox = null;
let servicesUrl = "";

function deployment() {
  const checked = document.querySelector("input[name=deployment]:checked");
  return checked ? checked.value : null;
}

function setDeployment(value) {
  $(value === "services" ? "deployment-services" : "deployment-server").checked = true;
  updateVisibility();
}

function method() {
  if (deployment() !== "services") return "pat";
  const checked = document.querySelector("input[name=method]:checked");
  return checked ? checked.value : "browser";
}

const BUTTON_LABELS = {
  pat: "Verify",
  browser: "Sign in with Microsoft",
  device: "Get a device code",
  sp: "Sign in as service principal",
};

function updateVisibility() {
  const d = deployment();
  const m = method();
  show($("server-fields"), d === "server");
  show($("services-fields"), d === "services");
  show($("method-field"), d === "services");
  show($("pat-fields"), d !== null && m === "pat");
  show($("sp-fields"), d === "services" && m === "sp");
  $("verify").disabled = d === null || refused();
  $("verify").textContent = BUTTON_LABELS[m];
  $("services-prefix").textContent = servicesUrl || "https://dev.azure.com/";
}

/** Clears one field's error (when the user changes that field). */
function clearFieldError(id) {
  $(id).removeAttribute("aria-invalid");
  const err = $(`${id}-error`);
  if (err) show(err, false);
  // The error this field was at fault for goes with the edit.
  const holder = $(id).closest(".field");
  if (holder && holder.contains($("alert"))) {
    clearError($("alert"));
    if (alertHome) alertHome.after($("alert"));
  }
}

/** Where the alert sits when no field is at fault (set once the page is wired). */
let alertHome = null;

/** An error is shown in one place: under the field it names (the alert moves there), else in
 *  the alert's own place above the Verify button. */
function placeAlert(field) {
  const box = $("alert");
  const id = FIELD_INPUTS[field];
  const holder = id && $(id).closest(".field");
  if (holder && !holder.closest("[hidden]")) {
    $(id).setAttribute("aria-invalid", "true");
    $(id).setAttribute("aria-errormessage", "alert");
    holder.append(box);
  } else if (alertHome) alertHome.after(box);
}

function clearErrors() {
  for (const id of Object.values(FIELD_INPUTS)) clearFieldError(id);
  clearError($("alert"));
  if (alertHome) alertHome.after($("alert"));
  for (const id of Object.values(FIELD_INPUTS)) $(id).removeAttribute("aria-errormessage");
  for (const node of document.querySelectorAll("#step-connect [aria-invalid]")) node.removeAttribute("aria-invalid");
  show($("tls-panel"), false);
}

function fieldError(field, message) {
  const id = FIELD_INPUTS[field];
  if (!id) return;
  $(id).setAttribute("aria-invalid", "true");
  const err = $(`${id}-error`);
  if (err) {
    err.textContent = message;
    show(err, true);
  }
}

// --- A collection typed at the end of the server URL ------------------------------------------

/** The last path segment of the server URL, when it looks like the collection. */
function trailingCollection() {
  let url;
  try {
    url = new URL($("server-url").value.trim());
  } catch {
    return null;
  }
  const segments = url.pathname.split("/").filter(Boolean);
  if (segments.length < 2) return null;
  const last = decodeURIComponent(segments[segments.length - 1]);
  const typed = $("collection").value.trim();
  if (typed && typed.toLowerCase() !== last.toLowerCase()) return null;
  return /collection$/i.test(last) || typed ? last : null;
}

function offerSplit() {
  const last = trailingCollection();
  $("split-collection").textContent = last || "";
  show($("split-offer"), !!last);
}

function splitCollection() {
  const last = trailingCollection();
  if (!last) return;
  const url = new URL($("server-url").value.trim());
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/\/[^/]+$/, "") || "/";
  $("server-url").value = url.toString().replace(/\/$/, "");
  $("collection").value = last;
  clearFieldError("server-url");
  clearFieldError("collection");
  show($("split-offer"), false);
}

// --- https that fails where plain http answers -------------------------------------------------

async function offerHttp(d, error) {
  const url = $("server-url").value.trim();
  show($("http-offer"), false);
  if (d !== "server" || !url.toLowerCase().startsWith("https://") || ["invalid_input", "invalid_credentials", "token_expired"].includes(error.code)) return;
  const http = await backend.httpAlternative(url, $("proxy").value || null).catch(() => null);
  if (!http || $("server-url").value.trim() !== url) return;
  $("http-offer-url").textContent = http;
  $("http-offer-apply").onclick = () => {
    $("server-url").value = http.replace(/\/$/, "");
    clearFieldError("server-url");
    show($("http-offer"), false);
  };
  show($("http-offer"), true);
}

// --- Verify ------------------------------------------------------------------------------------

async function verify(event) {
  event.preventDefault();
  clearErrors();
  const d = deployment();
  if (!d) return;
  // The product's rules, judged on exactly what is about to be sent: a refusal sends nothing.
  if (profile()) {
    const rules = await askRules();
    if (!rules || rules.refused) {
      const invalid = document.querySelector("#step-connect [aria-invalid=true]");
      if (invalid) invalid.focus({ preventScroll: true });
      return;
    }
  }
  const form = {
    target: {
      deployment: d,
      serverUrl: $("server-url").value,
      collection: $("collection").value,
      organization: $("organization").value,
      servicesUrl,
    },
    pat: $("pat").value,
    expiresOn: $("pat-expiry").value || null,
    trustedCaPem: trustedCaPem(),
    proxy: $("proxy").value || null,
    allowHttp: $("connect-http-consent").checked,
  };
  const button = $("verify");
  button.disabled = true;
  $("verify-status").textContent = "Verifying…";
  try {
    const opened = await signIn(form);
    $("verify-status").textContent = "";
    // The secrets are in the keyring now; they do not stay in the page.
    $("pat").value = "";
    $("sp-secret").value = "";
    show($("connect-http-row"), false);
    $("connect-http-consent").checked = false;
    // A Microsoft sign-in: the form offers the user's organizations from now on (issue 20).
    if (opened.card && opened.card.method === "entra") offerOrganizations(opened.card.id);
    open(opened, "result");
  } catch (error) {
    $("verify-status").textContent = "";
    const fieldErrors = error.fieldErrors || [];
    // Bad input: each message under its field. Anything else: the alert, under the field it names.
    for (const fe of fieldErrors) fieldError(fe.field, fe.message);
    if (!fieldErrors.length) {
      placeAlert(error.field);
      renderError($("alert"), error);
    }
    show($("connect-http-row"), HTTP_CONSENT_CODES.includes(error.code));
    const first = document.querySelector("#step-connect [aria-invalid=true]");
    if (first) first.focus({ preventScroll: true });
    offerHttp(d, error);
    if (error.code === "tls_untrusted") {
      await showChain(d === "server" ? $("server-url").value : servicesUrl, () => $("connect-form").requestSubmit());
    }
  } finally {
    button.disabled = false;
    show($("waiting"), false);
  }
}

/** Runs the chosen sign-in method; every path ends verified and saved, or throws. */
function signIn(form) {
  const services = { organization: form.target.organization, servicesUrl: form.target.servicesUrl };
  switch (method()) {
    case "browser":
      waiting("Waiting for you to sign in in your browser…");
      return backend.signInBrowser(services, (url) => {
        $("browser-link").value = url;
        $("browser-link-copy").textContent = "Copy";
        show($("browser-link-row"), true);
      });
    case "device":
      waiting("Waiting for the code to be entered…");
      return backend.signInDevice(services, (prompt) => {
        $("device-code").textContent = prompt.userCode;
        $("device-url").textContent = prompt.verificationUri;
        show($("device-code-row"), true);
      });
    case "sp":
      return backend.signInServicePrincipal({
        ...services,
        tenant: $("sp-tenant").value,
        clientId: $("sp-client-id").value,
        clientSecret: $("sp-secret").value,
      });
    default:
      return backend.connectWithPat(form);
  }
}

function waiting(text) {
  $("waiting-text").textContent = text;
  show($("device-code-row"), false);
  show($("browser-link-row"), false);
  show($("waiting"), true);
}

/** After a sandbox shortcut: the first field the product's rules still refuse, else Verify. */
function focusNext() {
  const invalid = document.querySelector("#step-connect [aria-invalid=true]");
  (invalid || $("verify")).focus();
  if (!$("connect-refusal").hidden) $("connect-refusal").scrollIntoView({ block: "nearest" });
}

/** The sandbox organization, signed in the way the product takes (its recommended method; the
 *  demo PAT when that is a PAT). */
async function useSandboxOrganization() {
  setDeployment("services");
  $("organization").value = sandbox.organization;
  servicesUrl = sandbox.servicesUrl || "";
  if (profile()) await chooseRecommended();
  else $("method-browser").checked = true;
  if (method() === "pat") $("pat").value = sandbox.pat;
  updateVisibility();
  focusNext();
}

async function useSandbox() {
  setDeployment("server");
  $("method-pat").checked = true;
  $("server-url").value = sandbox.serverUrl;
  $("collection").value = sandbox.collection;
  $("pat").value = sandbox.pat;
  if (profile()) await chooseRecommended();
  updateVisibility();
  focusNext();
}

/** The form's target as the backend takes it (without the deployment). */
function target() {
  return { organization: $("organization").value, servicesUrl, serverUrl: $("server-url").value, collection: $("collection").value };
}

/** A fresh form for a new connection. */
export function newConnection() {
  $("connect-title").textContent = TITLE;
  clearErrors();
  clearPaste();
  for (const id of ["server-url", "collection", "organization", "pat", "pat-expiry", "sp-secret"]) $(id).value = "";
  for (const r of document.querySelectorAll("input[name=deployment]")) r.checked = false;
  servicesUrl = "";
  updateVisibility();
  resetRules();
}

/** What the renewal form holds for a saved connection's card: the deployment, the fields by id,
 *  the Services address (empty for dev.azure.com) and the sign-in method's radio (Services). */
export function renewalForm(card) {
  const t = card.target;
  if (t.deployment === "server") return { deployment: "server", values: { "server-url": t.serverUrl, collection: t.collection }, servicesUrl: "", method: null };
  const method = card.method === "pat" ? "method-pat" : card.method === "servicePrincipal" ? "method-sp" : "method-browser";
  return { deployment: "services", values: { organization: t.organization }, servicesUrl: t.servicesUrl === "https://dev.azure.com/" ? "" : t.servicesUrl, method };
}

/** The form filled from a saved connection, for a new token: the old one is replaced only when
 *  the new one verifies. */
export function renewToken(card) {
  newConnection();
  const form = renewalForm(card);
  $("connect-title").textContent = `New token for ${card.name}`;
  setDeployment(form.deployment);
  for (const [id, value] of Object.entries(form.values)) $(id).value = value;
  servicesUrl = form.servicesUrl;
  if (form.method) $(form.method).checked = true;
  updateVisibility();
  resetRules(true);
  $("verify-status").textContent = "The current token stays until the new one verifies.";
  return card.method === "pat" ? $("pat") : $("verify");
}

/** The sandbox banner: only the shortcuts whose deployment the product can use (the backend's
 *  rules decide). */
async function initSandbox() {
  const usable = await usableDeployments({
    server: { serverUrl: sandbox.serverUrl, collection: sandbox.collection, organization: "", servicesUrl: "" },
    ...(sandbox.organization ? { services: { organization: sandbox.organization, servicesUrl: sandbox.servicesUrl || "", serverUrl: "", collection: "" } } : {}),
  });
  const text = [usable.server && `${sandbox.serverUrl} · collection ${sandbox.collection}`, usable.services && `organization ${sandbox.organization}`, `demo PAT ${sandbox.pat}`];
  $("sandbox-text").textContent = ` ${text.filter(Boolean).join(" · ")}`;
  show($("use-sandbox"), usable.server);
  show($("use-sandbox-org"), !!usable.services);
  $("use-sandbox").addEventListener("click", useSandbox);
  $("use-sandbox-org").addEventListener("click", useSandboxOrganization);
  show($("sandbox-banner"), true);
  show($("sandbox-badge"), true);
}

/** Wires the form; resolves once the product's rules (if any) are applied. */
export async function initConnect() {
  alertHome = document.createComment("the alert's own place");
  $("alert").before(alertHome);
  offerFromSaved();
  sandbox = store.get("appInfo").sandbox || null;
  initPaste(
    {
      deployment,
      setDeployment,
      servicesUrl: { get: () => servicesUrl, set: (v) => (servicesUrl = v) },
      refresh: () => {
        updateVisibility();
        askRules();
      },
    },
  );
  initTls();
  for (const radio of document.querySelectorAll("input[name=deployment], input[name=method]")) radio.addEventListener("change", updateVisibility);
  for (const id of new Set(Object.values(FIELD_INPUTS))) $(id).addEventListener("input", () => clearFieldError(id));
  $("pat-expiry").addEventListener("input", () => clearFieldError("pat-expiry"));
  $("server-url").addEventListener("input", offerSplit);
  $("server-url").addEventListener("input", () => show($("http-offer"), false));
  $("collection").addEventListener("input", offerSplit);
  $("split-apply").addEventListener("click", splitCollection);
  $("cancel-sign-in").addEventListener("click", () => backend.cancelSignIn());
  $("browser-link-copy").addEventListener("click", () => copyText($("browser-link").value, $("browser-link-copy"), $("browser-link")));
  $("pat-toggle").addEventListener("click", () => {
    const pat = $("pat");
    const hidden = pat.type === "password";
    pat.type = hidden ? "text" : "password";
    $("pat-toggle").textContent = hidden ? "Hide" : "Show";
  });
  $("connect-form").addEventListener("submit", verify);
  updateVisibility();
  const rules = initRules({ deployment, method, target, refresh: updateVisibility });
  await Promise.all([rules, sandbox && initSandbox()]);
}
