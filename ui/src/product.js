// The product profile the app was opened with (`ado-connect --profile FILE`): the header, the
// steps and the connect form fitted to what that product accepts. Without a profile nothing here
// changes the wizard. `product.details` carries what the product steps ask for (project,
// repository, the profile's placeholders) from one step to the next.
import { $, el, show } from "./dom.js";

export const product = {
  loaded: null, // LoadedProfile: { profile, path, logoDataUrl, access }
  details: { project: "", repository: "", publicUrl: "", placeholders: {} },
};

const METHOD_INPUTS = { browser: "method-browser", device_code: "method-device", service_principal: "method-sp", pat: "method-pat" };

/** The profile, or null. */
export function profile() {
  return product.loaded ? product.loaded.profile : null;
}

/** A broken profile: every mistake with its line and field, on the connect step. */
function showProfileError(error) {
  const box = $("profile-error");
  const lines = (error.errors || []).map((e) => el("li", { className: "mono", text: `line ${e.line}, column ${e.column}: ${e.field}: ${e.message}` }));
  box.replaceChildren(
    el("p", { className: "alert-title" }, el("span", { className: "code", text: "invalid_profile" }), ` The product profile ${error.path} could not be used.`),
    lines.length ? el("ul", {}, ...lines) : el("p", { text: error.detail || "" }),
    el("p", { className: "alert-fix", text: "Fix the file (or ask the product for a corrected one) and open it again. Until then the wizard works as before." }),
  );
  show(box, true);
}

function note(label, text) {
  const small = el("small", { className: "product-note", text });
  label.querySelector("span").append(small);
}

/** The connect form fitted to the profile: deployments and sign-in methods it takes, its
 *  recommended method preselected, a PAT expiry date when it requires one. */
function fitConnect(p) {
  const name = p.product.name;
  // The sandbox offers only what the product takes (styles.css hides the other button).
  document.body.dataset.deployments = ["services", "server"].filter((d) => p.deployments[d]).join(" ");
  for (const [key, id] of [["services", "deployment-services"], ["server", "deployment-server"]]) {
    if (!p.deployments[key]) {
      $(id).disabled = true;
      note($(id).closest("label"), `${name} does not support this`);
    }
  }
  if (p.deployments.server && p.deployments.minServerVersion) {
    note($("deployment-server").closest("label"), `${name} needs version ${p.deployments.minServerVersion} or later`);
  }
  for (const [method, id] of Object.entries(METHOD_INPUTS)) {
    const label = $(id).closest("label");
    const accepted = p.signIn.methods.includes(method);
    show(label, accepted);
    $(id).disabled = !accepted;
    if (method === p.signIn.recommended) {
      $(id).checked = true;
      label.append(el("small", { className: "recommended", text: ` recommended by ${name}` }));
    }
  }
  if (p.signIn.note) {
    $("product-connect-note").textContent = p.signIn.note;
    show($("product-connect-note"), true);
  }
  if (p.patExpiryRequired) {
    $("pat-expiry-label").textContent = `Token expires on (${name} needs the date)`;
    $("pat-expiry").required = true;
  }
}

/** What the profile refuses in the connect form before anything is sent, or null. */
export function connectRefusal(deployment, method, expiresOn) {
  const p = profile();
  if (!p) return null;
  const name = p.product.name;
  if (deployment && !p.deployments[deployment]) {
    const other = deployment === "server" ? "Azure DevOps Services (the cloud)" : "Azure DevOps Server";
    return {
      code: "unsupported_deployment",
      message: `${name} cannot use ${deployment === "server" ? "Azure DevOps Server" : "Azure DevOps Services"}.`,
      fix: `${name} works with ${other} only. Connect that instead, or use ADO Connect without this product profile.`,
      input: deployment === "server" ? "deployment-server" : "deployment-services",
    };
  }
  const profileMethod = { pat: "pat", browser: "browser", device: "device_code", sp: "service_principal" }[method];
  if (profileMethod && !p.signIn.methods.includes(profileMethod)) {
    return {
      code: "unsupported_sign_in",
      message: `${name} does not accept this way of signing in.`,
      fix: `Use ${p.signIn.methods.map((m) => $(METHOD_INPUTS[m]).closest("label").textContent.trim()).join(" or ")}.`,
      input: METHOD_INPUTS[profileMethod],
    };
  }
  if (method === "pat" && p.patExpiryRequired && !expiresOn) {
    return {
      code: "invalid_input",
      message: `${name} needs the token's expiry date.`,
      fix: "Enter the date the token expires (YYYY-MM-DD), as set when you created it.",
      input: "pat-expiry",
    };
  }
  return null;
}

/** The file picker on the first step: a picked profile is checked by the backend; a good one
 *  restarts the page for that product, a broken one shows its mistakes and nothing changes. */
function initPicker(backend) {
  $("profile-file").addEventListener("change", async () => {
    const file = $("profile-file").files[0];
    if (!file) return;
    try {
      await backend.openProductProfile(file.name, await file.text());
      location.reload();
    } catch (answer) {
      showProfileError((answer && answer.error) || { path: file.name, errors: [], detail: String(answer && answer.message ? answer.message : answer) });
    } finally {
      $("profile-file").value = "";
    }
  });
  $("profile-close").addEventListener("click", async () => {
    await backend.closeProductProfile();
    location.reload();
  });
}

/** Reads what `productInfo` returned; fits the header, the steps and the connect form. */
export function initProduct(info, backend) {
  initPicker(backend);
  if (!info) return;
  if (info.error) {
    showProfileError(info.error);
    return;
  }
  product.loaded = info.loaded;
  const p = info.loaded.profile;
  $("profile-current").textContent = `Onboarding into ${p.product.name} (${info.loaded.path.split(/[\\/]/).pop()}).`;
  $("profile-pick").textContent = "Use another profile…";
  show($("profile-close"), true);
  for (const ph of p.placeholders) product.details.placeholders[ph.name] = ph.default || "";
  document.body.dataset.product = p.product.id;
  $("subtitle").textContent = `Connect Azure DevOps to ${p.product.name}`;
  $("product-name").textContent = p.product.name;
  if (info.loaded.logoDataUrl) {
    $("product-logo").src = info.loaded.logoDataUrl;
    show($("product-logo"), true);
  }
  show($("product-badge"), true);
  show($("nav-checks"), false);
  show($("nav-hooks"), false);
  show($("nav-product"), true);
  show($("nav-handoff"), true);
  $("nav-product-label").textContent = `What ${p.product.name} needs`;
  $("nav-handoff-label").textContent = p.handoff.title;
  $("to-hooks").textContent = `Next: what ${p.product.name} needs`;
  show($("to-checks"), false);
  fitConnect(p);
}

/** Inputs for the details a product step asks for, bound to `product.details`: `names` are
 *  "project", "repository", "publicUrl" or a placeholder's name. Ids: `${prefix}-${name}`. */
export function detailInputs(container, prefix, names, onChange = () => {}) {
  const p = profile();
  const labels = { project: "Project", repository: "Repository", publicUrl: "Server's public URL" };
  const fields = names.map((name) => {
    const ph = p.placeholders.find((x) => x.name === name);
    const id = `${prefix}-${name.replace(/_/g, "-")}`;
    const input = el("input");
    Object.assign(input, { id, type: "text", autocomplete: "off", spellcheck: false });
    input.placeholder = ph && ph.example ? `e.g. ${ph.example}` : "";
    input.value = ph ? product.details.placeholders[name] || "" : product.details[name] || "";
    input.addEventListener("input", () => {
      if (ph) product.details.placeholders[name] = input.value.trim();
      else product.details[name] = input.value.trim();
    });
    input.addEventListener("change", () => onChange(name));
    const label = el("label", { text: ph ? ph.label : labels[name] });
    label.htmlFor = id;
    return el("div", { className: "field" }, label, input);
  });
  container.replaceChildren(...fields);
}

/** The placeholders named in `text` ("{dx_url}/webhooks/ado" → ["dx_url"]) that the profile declares. */
export function placeholdersIn(text) {
  const p = profile();
  const names = [...String(text || "").matchAll(/\{([a-z0-9_]+)\}/g)].map((m) => m[1]);
  return p.placeholders.map((x) => x.name).filter((n) => names.includes(n));
}

/** The hand-off choices, as the backend takes them. */
export function choice() {
  const d = product.details;
  return { project: d.project || null, repository: d.repository || null, publicUrl: d.publicUrl || null, placeholders: { ...d.placeholders } };
}
