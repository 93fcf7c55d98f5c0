// The product profile the app was opened with (`ado-connect --profile FILE`): the header, the
// steps and the connect form fitted to what that product accepts. Without a profile nothing here
// changes the wizard. The details carry what the product steps ask for (project,
// repository, the profile's placeholders) from one step to the next: the store's `details`.
import { $, el, show } from "./dom.js";
import { store } from "./store.js";

/** The profile, or null. */
export function profile() {
  const loaded = store.get("loaded");
  return loaded ? loaded.profile : null;
}

const isPlaceholder = (name) => !!profile() && profile().placeholders.some((x) => x.name === name);

/** One detail the product steps ask for: a placeholder the profile declares, else "project",
 *  "repository" or "publicUrl". */
export function detail(name) {
  const d = store.get("details");
  return (isPlaceholder(name) ? d.placeholders[name] : d[name]) || "";
}

/** Sets a detail (see `detail`). */
export function setDetail(name, value) {
  store.update("details", (d) => (isPlaceholder(name) ? { ...d, placeholders: { ...d.placeholders, [name]: value } } : { ...d, [name]: value }));
}

/** A refused profile: the backend's error (its code, words and fix) with every mistake it lists
 *  (`error.profile`: the file and each mistake's line and field), on the connect step. A code is
 *  shown only when the backend sent one; `name` is the file picked, for an error naming none. */
function showProfileError(error, name = "") {
  const box = $("profile-error");
  const profile = error.profile || { path: name, errors: [] };
  const lines = profile.errors.map((e) => el("li", { className: "mono", text: `line ${e.line}, column ${e.column}: ${e.field}: ${e.message}` }));
  const title = error.code ? [el("span", { className: "code", text: error.code }), " "] : [];
  box.replaceChildren(
    el("p", { className: "alert-title" }, ...title, `The product profile ${profile.path} could not be used.`),
    lines.length ? el("ul", {}, ...lines) : el("p", { text: error.message || "" }),
    el("p", { className: "alert-fix", text: error.fix || "" }),
  );
  show(box, true);
}

function note(label, text) {
  const small = el("small", { className: "product-note", text });
  label.querySelector("span").append(small);
}

/** The connect form's words for the profile (render only: what the form offers and refuses is
 *  the backend's answer, steps/rules.js): a note on a deployment it does not take, the expiry
 *  date's label when it needs one. */
function describeConnect(p) {
  const name = p.product.name;
  for (const [key, id] of [["services", "deployment-services"], ["server", "deployment-server"]]) {
    if (!p.deployments[key]) note($(id).closest("label"), `${name} does not support this`);
  }
  if (p.deployments.server && p.deployments.minServerVersion) {
    note($("deployment-server").closest("label"), `${name} needs version ${p.deployments.minServerVersion} or later`);
  }
  if (p.patExpiryRequired) {
    $("pat-expiry-label").textContent = `Token expires on (${name} needs the date)`;
    $("pat-expiry").required = true;
  }
}

/** The file picker on the first step: a picked profile is checked by the backend; a good one
 *  restarts the page for that product, a broken one shows its mistakes and nothing changes. */
function initPicker(backend) {
  $("profile-pick").addEventListener("click", () => $("profile-file").click());
  $("profile-file").addEventListener("change", async () => {
    const file = $("profile-file").files[0];
    if (!file) return;
    try {
      await backend.openProductProfile(file.name, await file.text());
      location.reload();
    } catch (error) {
      showProfileError(error && error.message ? error : { message: String(error) }, file.name);
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
  const p = info.loaded.profile;
  const placeholders = Object.fromEntries(p.placeholders.map((ph) => [ph.name, ph.default || ""]));
  store.set("loaded", info.loaded);
  store.update("details", (d) => ({ ...d, placeholders }));
  $("profile-current").textContent = `Onboarding into ${p.product.name} (${info.loaded.path.split(/[\\/]/).pop()}).`;
  $("profile-pick").textContent = "Use another profile…";
  show($("profile-close"), true);
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
  describeConnect(p);
}

/** One input for a detail a product step asks for, bound to the store's `details`: `name` is
 *  "project", "repository", "publicUrl" or a placeholder's name. A placeholder's input fits its
 *  kind (a URL, a whole number). `onInput` runs on each keystroke, `onChange` when a value is
 *  committed. */
export function detailInput(name, id, { onChange = () => {}, onInput = () => {} } = {}) {
  const ph = profile().placeholders.find((x) => x.name === name);
  const types = { url: "url", integer: "number" };
  const input = el("input");
  Object.assign(input, { id, type: (ph && types[ph.kind]) || "text", autocomplete: "off", spellcheck: false });
  if (ph && ph.kind === "integer") Object.assign(input, { step: "1", inputMode: "numeric" });
  input.placeholder = ph && ph.example ? `e.g. ${ph.example}` : "";
  input.value = detail(name);
  input.addEventListener("input", () => {
    setDetail(name, input.value.trim());
    onInput(name);
  });
  input.addEventListener("change", () => onChange(name));
  return input;
}

/** The label of a detail: the placeholder's own, or the project's, repository's, public URL's. */
export function detailLabel(name) {
  const ph = profile().placeholders.find((x) => x.name === name);
  return ph ? ph.label : { project: "Project", repository: "Repository", publicUrl: "Server's public URL" }[name] || name;
}

/** Labelled inputs for `names` (see `detailInput`) in `container`. Ids: `${prefix}-${name}`. */
export function detailInputs(container, prefix, names, events = {}) {
  const fields = names.map((name) => {
    const id = `${prefix}-${name.replace(/_/g, "-")}`;
    const label = el("label", { text: detailLabel(name) });
    label.htmlFor = id;
    const field = el("div", { className: "field" }, label, detailInput(name, id, events));
    field.dataset.detail = name;
    return field;
  });
  container.replaceChildren(...fields);
}

/** `text` with each `{placeholder}` the user completed filled in, and the others named by their
 *  label ("‹Your DX URL›/webhooks/ado"): a template is never shown raw. */
export function filled(text) {
  const p = profile();
  return String(text || "").replace(/\{([a-z0-9_]+)\}/g, (whole, name) => {
    const ph = p.placeholders.find((x) => x.name === name);
    if (!ph) return whole;
    return store.get("details").placeholders[name] || ph.default || `‹${ph.label}›`;
  });
}

/** The placeholders named in `text` ("{dx_url}/webhooks/ado" → ["dx_url"]) that the profile declares. */
export function placeholdersIn(text) {
  const p = profile();
  const names = [...String(text || "").matchAll(/\{([a-z0-9_]+)\}/g)].map((m) => m[1]);
  return p.placeholders.map((x) => x.name).filter((n) => names.includes(n));
}

/** The hand-off choices, as the backend takes them. */
export function choice() {
  const d = store.get("details");
  return { project: d.project || null, repository: d.repository || null, publicUrl: d.publicUrl || null, placeholders: { ...d.placeholders } };
}
