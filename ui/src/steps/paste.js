// The paste box of step 1: any Azure DevOps link fills the form (deployment, server and
// collection, or organization) and remembers what it named (project, repository, branch) for the
// later steps. What the paste replaced can be restored with Undo.
import { backend } from "../backend.js";
import { $, show } from "../dom.js";
import { noContext, store } from "../store.js";

const FORM_FIELDS = ["server-url", "collection", "organization"];
const HINT = "A repository, pull request or clone URL fills in the fields below.";

let form = null; // { deployment(), setDeployment(d), servicesUrl: {get, set}, refresh() }
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

// --- The logic, without the page (tested in Node: tests/ui/paste.test.js) ----------------------
// A snapshot is the form as the paste sees it: { deployment, servicesUrl, values: { id: value } }.

/** The form after a paste understood as `summary`, from the form `before` it. */
export function filledForm(before, summary) {
  if (summary.deployment === "server") {
    return { deployment: "server", servicesUrl: before.servicesUrl, values: { ...before.values, "server-url": summary.serverUrl || "", collection: summary.collection || "" } };
  }
  return { deployment: "services", servicesUrl: "", values: { ...before.values, organization: summary.organization || "" } };
}

/** What the link named for the later steps. */
export function contextOf(summary) {
  return { project: summary.project || null, repository: summary.repository || null, branch: summary.branch || null };
}

/** Whether the paste replaced something the user had typed (Undo is offered then). */
export function replacedTyping(before, after) {
  return FORM_FIELDS.some((id) => before.values[id] && before.values[id] !== after.values[id]);
}

/** Whether the fields `now` no longer say what the paste `filled` (the confirmation is stale). */
export function isStale(filled, now) {
  return now.deployment !== filled.deployment || FORM_FIELDS.some((id) => now.values[id].trim() !== filled.values[id].trim());
}

/** What the paste box says about `input`, from the backend: { kind: "empty" | "understood" |
 *  "notUnderstood", text, summary }. */
export async function understand(input) {
  if (!input.trim()) return { kind: "empty", text: HINT, summary: null };
  try {
    const parsed = await backend.parseUrl(input);
    const text = parsed.stillAmbiguous
      ? `Understood: ${parsed.description}. The server did not confirm which part is the collection: check Server URL and Collection.`
      : `Understood: ${parsed.description}`;
    return { kind: "understood", text, summary: parsed.summary };
  } catch (error) {
    return { kind: "notUnderstood", text: error.message || String(error), summary: null };
  }
}

export const STALE_TEXT = "The fields no longer match the pasted link; they are used as you typed them.";

// --- The page --------------------------------------------------------------------------------

function fill(summary) {
  const before = snapshot();
  const next = filledForm(before, summary);
  form.setDeployment(next.deployment);
  for (const [id, value] of Object.entries(next.values)) $(id).value = value;
  form.servicesUrl.set(next.servicesUrl);
  form.refresh();
  store.set("context", contextOf(summary));
  // Keep what the user had typed, if the paste replaced any of it.
  const after = snapshot();
  const lost = replacedTyping(before, after);
  undoSnapshot = lost ? before : null;
  show($("paste-undo-row"), lost);
  filled = after;
}

/** The confirmation follows the fields: once they no longer say what the paste understood, the
 *  "Understood: …" line goes (and so does what the link named for the later steps). */
function followFields() {
  if (!filled || !isStale(filled, snapshot())) return;
  filled = null;
  const result = $("paste-result");
  result.className = "hint";
  result.textContent = STALE_TEXT;
  result.dataset.stale = "true";
  store.set("context", noContext());
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
    store.set("context", noContext());
    return;
  }
  const answer = await understand(input);
  if (seq !== parseSeq) return; // a newer keystroke won
  result.textContent = answer.text;
  if (answer.kind === "understood") {
    delete result.dataset.stale;
    result.className = "hint understood";
    $("paste-url").removeAttribute("aria-invalid");
    fill(answer.summary);
  } else {
    filled = null;
    result.className = "hint not-understood";
    $("paste-url").setAttribute("aria-invalid", "true");
  }
}

function schedule(delay) {
  clearTimeout(parseTimer);
  parseTimer = setTimeout(parsePasted, delay);
}

/** Wires the paste box to the form's accessors; what each paste named goes to the store's `context`. */
export function initPaste(formAccess) {
  form = formAccess;
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
