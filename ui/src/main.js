// Entry point: loads what the backend knows, then hands over to the steps.
import { backend } from "./backend.js";
import { $, el } from "./dom.js";
import { initConnect } from "./steps/connect.js";
import { initChecks, showChecks } from "./steps/checks.js";
import { initHooks, showHooks } from "./steps/hooks.js";
import { initResult, showResult } from "./steps/result.js";

const STEPS = ["connect", "result", "checks", "hooks"];

function goTo(step) {
  const at = STEPS.indexOf(step);
  STEPS.forEach((name, i) => {
    $(`step-${name}`).hidden = name !== step;
    $(`nav-${name}`).className = i < at ? "done" : i === at ? "current" : "";
  });
}

async function start() {
  let connected = null;
  let info = {};
  try {
    info = await backend.appInfo();
  } catch (e) {
    info = { secretStoreError: e.message };
  }
  $("store-note").textContent = info.secretStore
    ? `Tokens are kept in ${info.secretStore}.`
    : `No secret store: ${info.secretStoreError || "unknown"}. Tokens cannot be saved.`;
  if (info.reminders && info.reminders.length) {
    $("reminders").replaceChildren(...info.reminders.map((r) => el("p", { text: r })));
    $("reminders").hidden = false;
  }
  initConnect({
    sandbox: info.sandbox,
    onConnected: (result) => {
      connected = result;
      showResult(result);
      goTo("result");
    },
  });
  initResult({
    onBack: () => goTo("connect"),
    onChecks: () => {
      showChecks(connected);
      goTo("checks");
    },
    onHooks: () => toHooks(),
  });
  const toHooks = () => {
    showHooks(connected);
    goTo("hooks");
  };
  initChecks({ onBack: () => goTo("result"), onHooks: toHooks });
  initHooks({ onBack: () => goTo("result") });
  goTo("connect");
  document.body.dataset.ready = "true";
}

start();
