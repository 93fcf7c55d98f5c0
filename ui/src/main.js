// Entry point: loads what the backend knows, then hands over to the steps.
import { backend } from "./backend.js";
import { $ } from "./dom.js";
import { initConnect } from "./steps/connect.js";
import { initResult, showResult } from "./steps/result.js";

function goTo(step) {
  $("step-connect").hidden = step !== "connect";
  $("step-result").hidden = step !== "result";
  $("nav-connect").className = step === "connect" ? "current" : "done";
  $("nav-result").className = step === "result" ? "current" : "";
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
  initConnect({
    sandbox: info.sandbox,
    onConnected: (connected) => {
      showResult(connected);
      goTo("result");
    },
  });
  initResult({ onBack: () => goTo("connect") });
  goTo("connect");
  document.body.dataset.ready = "true";
}

start();
