// The paste box of step 1: any Azure DevOps link fills the form (deployment, server and
// collection, or organization) and remembers what it named (project, repository, branch) for the
// later steps. What the paste replaced can be restored with Undo.
import { backend } from "../backend.js";
import { $, show } from "../dom.js";

const FORM_FIELDS = ["server-url", "collection", "organization"];
const HINT = "A repository, pull request or clone URL fills in the fields below.";

let form = null; // { deployment(), setDeployment(d), servicesUrl: {get, set}, refresh() }
let onContext = () => {};
let undoSnapshot = null;
let filled = null; // the form as the last understood paste filled it
let parseTimer = null;
let parseSeq = 0;

function snapshot() {
  return {
    deployment: form.deployment(),
    servicesUrl: form.servicesUrl.get(),
    values: Object.fromEntries(FORM_FIELDS.map((id) => [id, $(id).value])),
  };
}

function restore(snap) {
  for (const [id, value] of Object.entries(snap.values)) $(id).value = value;
  form.servicesUrl.set(snap.servicesUrl);
  if (snap.deployment) form.setDeployment(snap.deployment);
  else {
    for (const r of document.querySelectorAll("input[name=deployment]")) r.checked = false;
    form.refresh();
  }
}

function fill(summary) {
  const before = snapshot();
  if (summary.deployment === "server") {
    form.setDeployment("server");
    $("server-url").value = summary.serverUrl || "";
    $("collection").value = summary.collection || "";
  } else {
    form.setDeployment("services");
    $("organization").value = summary.organization || "";
    form.servicesUrl.set("");
  }
  form.refresh();
  onContext({ project: summary.project || null, repository: summary.repository || null, branch: summary.branch || null });
  // Keep what the user had typed, if the paste replaced any of it.
  const after = snapshot();
  const lost = FORM_FIELDS.some((id) => before.values[id] && before.values[id] !== after.values[id]);
  undoSnapshot = lost ? before : null;
  show($("paste-undo-row"), lost);
  filled = after;
}

/** The confirmation follows the fields: once they no longer say what the paste understood, the
 *  "Understood: …" line goes (and so does what the link named for the later steps). */
function followFields() {
  if (!filled) return;
  const now = snapshot();
  const changed = now.deployment !== filled.deployment || FORM_FIELDS.some((id) => now.values[id].trim() !== filled.values[id].trim());
  if (!changed) return;
  filled = null;
  const result = $("paste-result");
  result.className = "hint";
  result.textContent = "The fields no longer match the pasted link; they are used as you typed them.";
  result.dataset.stale = "true";
  onContext({ project: null, repository: null, branch: null });
}

async function parsePasted() {
  const input = $("paste-url").value;
  const result = $("paste-result");
  const seq = ++parseSeq;
  if (!input.trim()) {
    filled = null;
    result.className = "hint";
    result.textContent = HINT;
    $("paste-url").removeAttribute("aria-invalid");
    onContext({ project: null, repository: null, branch: null });
    return;
  }
  try {
    const parsed = await backend.parseUrl(input);
    if (seq !== parseSeq) return; // a newer keystroke won
    delete result.dataset.stale;
    result.className = "hint understood";
    result.textContent = parsed.stillAmbiguous
      ? `Understood: ${parsed.description}. The server did not confirm which part is the collection: check Server URL and Collection.`
      : `Understood: ${parsed.description}`;
    $("paste-url").removeAttribute("aria-invalid");
    fill(parsed.summary);
  } catch (error) {
    if (seq !== parseSeq) return;
    filled = null;
    result.className = "hint not-understood";
    result.textContent = error.message || String(error);
    $("paste-url").setAttribute("aria-invalid", "true");
  }
}

function schedule(delay) {
  clearTimeout(parseTimer);
  parseTimer = setTimeout(parsePasted, delay);
}

/** Wires the paste box to the form's accessors; `context` gets what each paste named. */
export function initPaste(formAccess, context) {
  form = formAccess;
  onContext = context;
  $("paste-url").addEventListener("paste", () => schedule(0));
  $("paste-url").addEventListener("input", () => schedule(250));
  for (const id of FORM_FIELDS) $(id).addEventListener("input", followFields);
  for (const radio of document.querySelectorAll("input[name=deployment]")) radio.addEventListener("change", followFields);
  $("paste-undo").addEventListener("click", () => {
    if (undoSnapshot) restore(undoSnapshot);
    undoSnapshot = null;
    followFields();
    show($("paste-undo-row"), false);
  });
}

/** Empties the paste box (a new connection, or a renewal). */
export function clearPaste() {
  $("paste-url").value = "";
  $("paste-result").className = "hint";
  $("paste-result").textContent = HINT;
  show($("paste-undo-row"), false);
  undoSnapshot = null;
  filled = null;
}
