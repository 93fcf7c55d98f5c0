// Entry point: loads what the backend knows, opens on the saved connections (none: straight into
// the wizard), and moves between steps. The steps keep what was entered; the sidebar and Back
// move between them; focus goes to the new step's heading.
import { backend } from "./backend.js";
import { $ } from "./dom.js";
import { initChecks, showChecks } from "./steps/checks.js";
import { initConnect, newConnection, renewToken } from "./steps/connect.js";
import { askToForget, forgottenText, initForget } from "./steps/forget.js";
import { initHome, refreshHome, showHome } from "./steps/home.js";
import { initHooks, showHooks } from "./steps/hooks.js";
import { initResult, showResult } from "./steps/result.js";

const STEPS = ["home", "connect", "result", "checks", "hooks"];
const WIZARD = ["connect", "result", "checks", "hooks"];

let opened = null; // the connection in use, as the result step shows it
let context = { project: null, repository: null, branch: null }; // what the last paste named

function goTo(step, focus = step !== "home" || document.activeElement !== document.body) {
  const at = WIZARD.indexOf(step);
  for (const name of STEPS) $(`step-${name}`).hidden = name !== step;
  for (const [i, name] of WIZARD.entries()) {
    const li = $(`nav-${name}`);
    li.className = i === at ? "current" : at >= 0 && i < at ? "done" : "";
    li.querySelector("button").disabled = name !== "connect" && !opened;
    li.querySelector("button").toggleAttribute("aria-current", i === at);
  }
  $("nav-home").className = step === "home" ? "current" : "";
  document.body.dataset.step = step;
  if (focus) $(`${step}-title`).focus({ preventScroll: false });
}

function open(next, step) {
  opened = next;
  document.body.dataset.profileId = next.card.id;
  showResult(next);
  if (step === "checks") showChecks(next, context);
  if (step === "hooks") showHooks(next, context);
  goTo(step);
}

async function toHome(message) {
  const any = await refreshHome(message);
  if (any) goTo("home");
  else {
    newConnection();
    goTo("connect");
    if (message) $("verify-status").textContent = message;
  }
}

async function forget(card) {
  const done = await askToForget(card);
  if (!done) return;
  opened = null;
  document.body.dataset.forgotten = String(Date.now());
  await toHome(forgottenText(done));
}

async function start() {
  let info = {};
  try {
    info = await backend.appInfo();
  } catch (e) {
    info = { secretStoreError: e.message };
  }
  $("store-note").textContent = info.secretStore
    ? `Tokens are kept in ${info.secretStore}.`
    : `No secret store: ${info.secretStoreError || "unknown"}. Tokens cannot be saved.`;
  initForget();
  initConnect({
    sandbox: info.sandbox,
    onConnected: (next) => open(next, "result"),
    onContext: (named) => (context = named),
  });
  initResult({
    onBack: () => goTo("connect"),
    onChecks: () => open(opened, "checks"),
    onHooks: () => open(opened, "hooks"),
    onForget: forget,
  });
  initChecks({ onBack: () => goTo("result"), onHooks: () => open(opened, "hooks") });
  initHooks({ onBack: () => goTo("result"), events: info.events });
  initHome({
    open,
    create: () => {
      newConnection();
      goTo("connect");
    },
    renew: (card) => {
      const field = renewToken(card);
      goTo("connect", false);
      field.focus();
    },
    forgotten: (card) => {
      if (opened && opened.card.id === card.id) opened = null;
      toHome($("home-status").textContent);
    },
  });
  for (const button of document.querySelectorAll(".steps button[data-step]")) {
    button.addEventListener("click", () => {
      const step = button.dataset.step;
      if (step === "home") toHome();
      else if (step === "checks" || step === "hooks") open(opened, step);
      else goTo(step);
    });
  }
  if (showHome(info.connections || [])) goTo("home", false);
  else goTo("connect", false);
  document.body.dataset.ready = "true";
}

start();
