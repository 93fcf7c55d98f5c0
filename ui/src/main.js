// Entry point: loads what the backend knows, opens on the saved connections (none: straight into
// the wizard), and moves between steps. The steps keep what was entered; the sidebar and the
// steps' own Back and Next move between them (a step asks through nav.js, whose moves are
// registered here); focus goes to the new step's heading. What the steps share is in store.js.
import { backend } from "./backend.js";
import { $ } from "./dom.js";
import { registerNavigation, STEPS } from "./nav.js";
import { initConnect, newConnection, renewToken } from "./steps/connect.js";
import { initForget } from "./steps/forget.js";
import { initProduct, profile } from "./product.js";
import { initHome, refreshHome, showHome } from "./steps/home.js";
import { initResult, showResult } from "./steps/result.js";
import { store } from "./store.js";

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

const checksStep = lazy("checks", () => import("./steps/checks.js"), (m) => m.initChecks());
const hooksStep = lazy("hooks", () => import("./steps/hooks.js"), (m) => m.initHooks());
const productStep = lazy("product", () => import("./steps/product.js"), (m) => m.initProduct());
const handoffStep = lazy("handoff", () => import("./steps/handoff.js"), (m) => m.initHandoff());

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

registerNavigation({
  go: (step, { focus } = {}) => goTo(step, focus),
  open,
  home: toHome,
  connectNew: () => {
    newConnection();
    goTo("connect");
  },
  connectRenew: (card) => {
    const field = renewToken(card);
    goTo("connect", false);
    field.focus();
  },
});

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
  const connectReady = initConnect();
  initResult();
  initHome();
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
