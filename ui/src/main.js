// Entry point: loads what the backend knows, opens on the saved connections (none: straight into
// the wizard), and moves between steps. The steps keep what was entered; the sidebar and Back
// move between them; focus goes to the new step's heading. What the steps share is in store.js.
import { backend } from "./backend.js";
import { $ } from "./dom.js";
import { initConnect, newConnection, renewToken } from "./steps/connect.js";
import { askToForget, forgottenText, initForget } from "./steps/forget.js";
import { initProduct, profile } from "./product.js";
import { initHome, refreshHome, showHome } from "./steps/home.js";
import { initResult, showResult } from "./steps/result.js";
import { store } from "./store.js";

const STEPS = ["home", "connect", "result", "checks", "hooks", "product", "handoff"];
/** The wizard's steps: with a product profile, its own checks and webhooks, then the hand-off. */
const wizard = () => (profile() ? ["connect", "result", "product", "handoff"] : ["connect", "result", "checks", "hooks"]);

/** A step loaded on first use: its HTML comes out of its inert <template>, then its module is
 *  imported and wired. The first paint parses, styles and runs only the home and connect steps. */
function lazy(name, load, init) {
  let loaded = null;
  return () =>
    (loaded ||= load().then((module) => {
      const template = $(`tpl-${name}`);
      template.replaceWith(template.content);
      init(module);
      return module;
    }));
}

const checksStep = lazy(
  "checks",
  () => import("./steps/checks.js"),
  (m) => m.initChecks({ onBack: () => goTo("result"), onHooks: () => open(store.get("opened"), "hooks") }),
);
const hooksStep = lazy(
  "hooks",
  () => import("./steps/hooks.js"),
  (m) => m.initHooks({ onBack: () => goTo("result") }),
);
const productStep = lazy(
  "product",
  () => import("./steps/product.js"),
  (m) => m.initProduct({ onBack: () => goTo("result"), onNext: () => open(store.get("opened"), "handoff") }),
);
const handoffStep = lazy(
  "handoff",
  () => import("./steps/handoff.js"),
  (m) => m.initHandoff({ onBack: () => open(store.get("opened"), "product"), onDone: () => toHome() }),
);

function goTo(step, focus = step !== "home" || document.activeElement !== document.body) {
  const WIZARD = wizard();
  const at = WIZARD.indexOf(step);
  for (const name of STEPS) {
    const section = $(`step-${name}`);
    if (section) section.hidden = name !== step;
  }
  for (const [i, name] of WIZARD.entries()) {
    const li = $(`nav-${name}`);
    li.className = i === at ? "current" : at >= 0 && i < at ? "done" : "";
    li.querySelector("button").disabled = name !== "connect" && !store.get("opened");
    li.querySelector("button").toggleAttribute("aria-current", i === at);
  }
  $("nav-home").className = step === "home" ? "current" : "";
  document.body.dataset.step = step;
  // A step opens at its top, its heading in view (not where the previous step was scrolled to).
  window.scrollTo(0, 0);
  if (focus) $(`${step}-title`).focus({ preventScroll: true });
}

async function open(next, step) {
  if (profile() && (step === "checks" || step === "hooks")) step = "product";
  store.set("opened", next);
  const context = store.get("context");
  showResult(next);
  if (step === "checks") (await checksStep()).showChecks(next, context);
  if (step === "hooks") (await hooksStep()).showHooks(next, context);
  if (step === "product") (await productStep()).showProduct(next, context);
  if (step === "handoff") await (await handoffStep()).showHandoff(next);
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
  store.set("opened", null);
  document.body.dataset.forgotten = String(Date.now());
  await toHome(forgottenText(done));
}

async function start() {
  let info = {};
  const productInfo = backend.productInfo().catch(() => null);
  try {
    info = await backend.appInfo();
  } catch (e) {
    info = { secretStoreError: e.message };
  }
  store.set("appInfo", info);
  initProduct(await productInfo, backend);
  $("store-note").textContent = info.secretStore
    ? `Tokens are kept in ${info.secretStore}.`
    : `No secret store: ${info.secretStoreError || "unknown"}. Tokens cannot be saved.`;
  initForget();
  const connectReady = initConnect({ onConnected: (next) => open(next, "result") });
  initResult({
    onBack: () => goTo("connect"),
    onChecks: () => open(store.get("opened"), "checks"),
    onHooks: () => open(store.get("opened"), "hooks"),
    onForget: forget,
  });
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
      const opened = store.get("opened");
      if (opened && opened.card.id === card.id) store.set("opened", null);
      toHome($("home-status").textContent);
    },
  });
  for (const button of document.querySelectorAll(".steps button[data-step]")) {
    button.addEventListener("click", () => {
      const step = button.dataset.step;
      if (step === "home") toHome();
      else if (["checks", "hooks", "product", "handoff"].includes(step)) open(store.get("opened"), step);
      else goTo(step);
    });
  }
  await connectReady;
  if (showHome(info.connections || [])) goTo("home", false);
  else goTo("connect", false);
  document.body.dataset.ready = "true";
}

start();
