// Step 1: where Azure DevOps is and which token to use. Paste a URL to fill the fields; Verify
// asks the backend, which saves the connection only when it works.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";

const FIELD_INPUTS = {
  serverUrl: "server-url",
  collection: "collection",
  organization: "organization",
  pat: "pat",
  url: "paste-url",
  servicesUrl: "organization",
  proxy: "proxy",
};
const FORM_FIELDS = ["server-url", "collection", "organization"];

let sandbox = null;
let trustedCa = null; // { pem, name } the user chose to trust for this connection
let servicesUrl = "";
let undoSnapshot = null;
let parseTimer = null;
let parseSeq = 0;

function deployment() {
  const checked = document.querySelector("input[name=deployment]:checked");
  return checked ? checked.value : null;
}

function setDeployment(value) {
  const radio = $(value === "services" ? "deployment-services" : "deployment-server");
  radio.checked = true;
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
  $("verify").disabled = d === null;
  $("verify").textContent = BUTTON_LABELS[m];
  $("services-prefix").textContent = servicesUrl || "https://dev.azure.com/";
}

function clearErrors() {
  for (const id of Object.values(FIELD_INPUTS)) {
    $(id).removeAttribute("aria-invalid");
    const err = $(`${id}-error`);
    if (err) show(err, false);
  }
  show($("alert"), false);
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

function showAlert(error) {
  $("alert").className = "alert";
  $("alert-code").textContent = error.code || "error";
  $("alert-message").textContent = error.message || String(error);
  $("alert-fix").textContent = error.fix || "";
  const details = [error.serverMessage && `Server said: ${error.serverMessage}`, error.supportId && `Support: ${error.supportId}`]
    .filter(Boolean)
    .join("\n");
  $("alert-server").textContent = details;
  show($("alert-details"), details.length > 0);
  show($("alert"), true);
  $("alert").scrollIntoView({ block: "nearest" });
}

// --- Paste box ---------------------------------------------------------------------------------

function snapshot() {
  return {
    deployment: deployment(),
    servicesUrl,
    values: Object.fromEntries(FORM_FIELDS.map((id) => [id, $(id).value])),
  };
}

function restore(snap) {
  for (const [id, value] of Object.entries(snap.values)) $(id).value = value;
  servicesUrl = snap.servicesUrl;
  if (snap.deployment) setDeployment(snap.deployment);
  else {
    for (const r of document.querySelectorAll("input[name=deployment]")) r.checked = false;
    updateVisibility();
  }
}

function fill(summary) {
  const before = snapshot();
  if (summary.deployment === "server") {
    setDeployment("server");
    $("server-url").value = summary.serverUrl || "";
    $("collection").value = summary.collection || "";
  } else {
    setDeployment("services");
    $("organization").value = summary.organization || "";
    servicesUrl = "";
  }
  updateVisibility();
  // Keep what the user had typed, if the paste replaced any of it.
  const after = snapshot();
  const lost = FORM_FIELDS.some((id) => before.values[id] && before.values[id] !== after.values[id]);
  undoSnapshot = lost ? before : null;
  show($("paste-undo-row"), lost);
}

async function parsePasted() {
  const input = $("paste-url").value;
  const result = $("paste-result");
  const seq = ++parseSeq;
  if (!input.trim()) {
    result.className = "hint";
    result.textContent = "A repository, pull request or clone URL fills in the fields below.";
    $("paste-url").removeAttribute("aria-invalid");
    return;
  }
  try {
    const parsed = await backend.parseUrl(input);
    if (seq !== parseSeq) return; // a newer keystroke won
    result.className = "hint understood";
    result.textContent = parsed.stillAmbiguous
      ? `Understood: ${parsed.description}. The server did not confirm which part is the collection: check Server URL and Collection.`
      : `Understood: ${parsed.description}`;
    $("paste-url").removeAttribute("aria-invalid");
    fill(parsed.summary);
  } catch (error) {
    if (seq !== parseSeq) return;
    result.className = "hint not-understood";
    result.textContent = error.message || String(error);
    $("paste-url").setAttribute("aria-invalid", "true");
  }
}

function schedule(delay) {
  clearTimeout(parseTimer);
  parseTimer = setTimeout(parsePasted, delay);
}

// --- Verify ------------------------------------------------------------------------------------

async function verify(event) {
  event.preventDefault();
  clearErrors();
  const d = deployment();
  if (!d) return;
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
    trustedCaPem: trustedCa ? trustedCa.pem : null,
    proxy: $("proxy").value || null,
  };
  const button = $("verify");
  button.disabled = true;
  $("verify-status").textContent = "Verifying…";
  try {
    const connected = await signIn(form);
    $("verify-status").textContent = "";
    callbacks.onConnected(connected);
  } catch (error) {
    $("verify-status").textContent = "";
    for (const fe of error.fieldErrors || []) fieldError(fe.field, fe.message);
    if (error.field && !(error.fieldErrors || []).length) fieldError(error.field, error.message);
    showAlert(error);
    const first = document.querySelector("[aria-invalid=true]");
    if (first) first.focus({ preventScroll: true });
    if (error.code === "tls_untrusted") await showChain(d === "server" ? $("server-url").value : servicesUrl);
    $("alert").scrollIntoView({ block: "nearest" });
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
        $("browser-link").textContent = url;
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

// --- Untrusted TLS: show the chain, offer to trust the CA for this connection -----------------

async function showChain(url) {
  let chain;
  try {
    chain = await backend.inspectCertificate(url);
  } catch (error) {
    return; // the alert already says what failed
  }
  const list = $("tls-chain");
  list.replaceChildren(
    ...chain.certificates.map((c, i) =>
      el(
        "li",
        {},
        el("div", { text: c.subject }),
        ...(i === chain.trustCandidate ? [el("span", { className: "ca-tag", text: "certificate authority" })] : []),
        el("div", { className: "hint", text: `issued by ${c.issuer} · valid until ${c.notAfter}` }),
        el("div", { className: "fp", text: `SHA-256 ${c.sha256}` }),
      ),
    ),
  );
  const candidate = chain.trustCandidate === null || chain.trustCandidate === undefined ? null : chain.certificates[chain.trustCandidate];
  $("trust-ca").disabled = !candidate;
  $("trust-ca").textContent = candidate ? "Trust this CA for this connection" : "The server did not send its CA: ask its administrator for the CA file";
  $("trust-ca").onclick = () => {
    trustedCa = { pem: candidate.pem, name: candidate.subject };
    $("trusted-ca-name").textContent = candidate.subject;
    show($("trusted-ca-note"), true);
    $("connect-form").requestSubmit();
  };
  show($("tls-panel"), true);
}

function useSandboxOrganization() {
  setDeployment("services");
  $("organization").value = sandbox.organization;
  servicesUrl = sandbox.servicesUrl || "";
  $("method-browser").checked = true;
  updateVisibility();
  $("verify").focus();
}

function useSandbox() {
  setDeployment("server");
  $("method-pat").checked = true;
  $("server-url").value = sandbox.serverUrl;
  $("collection").value = sandbox.collection;
  $("pat").value = sandbox.pat;
  updateVisibility();
  $("verify").focus();
}

let callbacks = { onConnected: () => {} };

export function initConnect({ sandbox: sb, onConnected }) {
  callbacks = { onConnected };
  sandbox = sb || null;
  if (sandbox) {
    show($("sandbox-banner"), true);
    show($("sandbox-badge"), true);
    $("sandbox-text").textContent = ` ${sandbox.serverUrl} · collection ${sandbox.collection} · demo PAT ${sandbox.pat}`;
    $("use-sandbox").addEventListener("click", useSandbox);
    if (sandbox.organization) {
      show($("use-sandbox-org"), true);
      $("use-sandbox-org").addEventListener("click", useSandboxOrganization);
    }
  }
  for (const radio of document.querySelectorAll("input[name=deployment], input[name=method]")) radio.addEventListener("change", updateVisibility);
  $("cancel-sign-in").addEventListener("click", () => backend.cancelSignIn());
  $("paste-url").addEventListener("paste", () => schedule(0));
  $("paste-url").addEventListener("input", () => schedule(250));
  $("paste-undo").addEventListener("click", () => {
    if (undoSnapshot) restore(undoSnapshot);
    undoSnapshot = null;
    show($("paste-undo-row"), false);
  });
  $("pat-toggle").addEventListener("click", () => {
    const pat = $("pat");
    const hidden = pat.type === "password";
    pat.type = hidden ? "text" : "password";
    $("pat-toggle").textContent = hidden ? "Hide" : "Show";
  });
  $("connect-form").addEventListener("submit", verify);
  $("untrust-ca").addEventListener("click", () => {
    trustedCa = null;
    show($("trusted-ca-note"), false);
  });
  updateVisibility();
}
