// "Create the tokens for me" (issue 20), in the product step and on the home: after a Microsoft
// sign-in, ADO Connect creates one organization-scoped PAT per connector with exactly its scopes
// (DX), or the one PAT a product is handed (Kong Konnect, Datafold). The page shows what will be
// created first (name, scopes, expiry), creates them only when the user confirms, and shows each
// refusal with its own code, fix, offer (the longest lifetime the organization accepts) and, for
// Azure DevOps Server, the token page's steps. When Microsoft asks the user to allow the tokens
// API's permission first, the backend opens the browser sign-in for it (its link shown here too)
// and goes on. The home lists the minted PATs with their expiry and Renew; Forget offers to
// revoke exactly these. The connection's own webhooks need no PAT: its Microsoft sign-in
// registers them.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { store } from "../store.js";
import { clearError, renderError } from "../errors.js";
import { detail, profile } from "../product.js";
import { plural } from "../time.js";

const opened = () => store.get("opened"); // the connection in use
let onMinted = () => {};

/** Whether ADO Connect can create the product's tokens: it is handed a PAT on Services (DX per
 *  connector; Kong Konnect and Datafold one), as `mint::mintable` decides in the backend. */
export function canMint(p) {
  if (!p || !p.deployments.services) return false;
  const rule = p.signInServices || p.signIn;
  return p.patOnePerConnector || rule.methods.includes("pat");
}

function single() {
  return !profile().patOnePerConnector;
}

/** "Microsoft asks you to allow …": the consent sign-in's link, should no browser open. */
function consentEvent(event) {
  if (!event || event.kind !== "consent") return;
  $("mint-status").textContent = "Microsoft asks you to allow ADO Connect to manage your personal access tokens: continue in your browser (or open the link below). Creating goes on once you allowed it.";
  $("mint-consent-link").value = event.url;
  show($("mint-consent-row"), true);
  document.body.dataset.mintConsent = "asked";
}

function tokenRows(tokens) {
  return tokens.map((t) =>
    el("tr", {}, el("td", { text: t.displayName }), el("td", { className: "mono", text: (t.scopeIds || []).join(" ") })),
  );
}

/** A refusal: its code, cause, fix; the offer and the steps where they apply. */
function renderRefusal(box, refusal, retry) {
  const parts = [
    el("p", { className: "alert-title" }, el("span", { className: "code", text: refusal.code }), ` ${refusal.message}`),
    el("p", { className: "alert-fix", text: refusal.fix }),
  ];
  if (refusal.steps && refusal.steps.length) parts.push(el("ol", { className: "mint-steps" }, ...refusal.steps.map((s) => el("li", { text: s }))));
  if (refusal.offerDays) {
    const offer = el("button", { className: "secondary", text: `Create them for ${refusal.offerDays} days` });
    offer.type = "button";
    offer.id = "mint-offer";
    offer.addEventListener("click", () => retry({ lifetimeDays: refusal.offerDays }));
    const fit = el("button", { className: "secondary", text: "Fit to the organization's maximum" });
    fit.type = "button";
    fit.id = "mint-fit";
    fit.addEventListener("click", () => retry({ fitLifetime: true }));
    parts.push(el("div", { className: "actions" }, offer, fit));
  }
  box.replaceChildren(...parts);
  box.dataset.code = refusal.code;
  show(box, true);
}

function days() {
  const value = parseInt($("mint-days").value, 10);
  return Number.isFinite(value) && value > 0 ? value : null;
}

async function preview() {
  clearError($("mint-alert"));
  show($("mint-refusal"), false);
  try {
    const plan = await backend.mintPlan(opened().card.id, days());
    $("mint-preview-text").textContent =
      plan.tokens.length === 1
        ? `1 token for ${plan.organization} only, expiring ${plan.validTo.slice(0, 10)} (${plan.lifetimeDays} days):`
        : `${plan.tokens.length} tokens for ${plan.organization} only, each expiring ${plan.validTo.slice(0, 10)} (${plan.lifetimeDays} days):`;
    $("mint-preview-rows").replaceChildren(...tokenRows(plan.tokens));
    show($("mint-preview"), true);
    $("mint-create").focus();
  } catch (error) {
    renderError($("mint-alert"), error);
  }
}

async function create(extra = {}) {
  clearError($("mint-alert"));
  show($("mint-refusal"), false);
  const button = $("mint-create");
  button.disabled = true;
  $("mint-status").textContent = single() ? "Creating the token and checking it…" : "Creating the tokens and checking them…";
  show($("mint-consent-row"), false);
  try {
    const form = {
      profileId: opened().card.id,
      project: detail("project"),
      repository: detail("repository"),
      lifetimeDays: days(),
      fitLifetime: false,
      ...extra,
    };
    const answer = await backend.mintTokens(form, consentEvent);
    show($("mint-consent-row"), false);
    if (answer.kind === "refused") {
      $("mint-status").textContent = "";
      renderRefusal($("mint-refusal"), answer.refusal, (more) => create({ ...form, ...more }));
      document.body.dataset.mint = answer.refusal.code;
      return;
    }
    const r = answer.report;
    show($("mint-preview"), false);
    $("mint-status").textContent = `Created ${plural(r.minted.length, "token", "tokens")} (expiring ${r.plan.validTo.slice(0, 10)}), checked and kept in your keyring.`;
    document.body.dataset.mint = "minted";
    onMinted(r.report);
  } catch (error) {
    $("mint-status").textContent = "";
    renderError($("mint-alert"), error);
  } finally {
    button.disabled = false;
  }
}

function build() {
  const box = el("div", { className: "mint" });
  box.id = "product-mint";
  const start = el("button", { className: "secondary", text: single() ? "Create the token for me" : "Create the tokens for me" });
  start.type = "button";
  start.id = "mint-start";
  start.addEventListener("click", preview);
  const daysLabel = el("label", { text: "Lifetime (days)" });
  daysLabel.htmlFor = "mint-days";
  const daysInput = el("input");
  Object.assign(daysInput, { id: "mint-days", type: "number", min: "1", placeholder: "90", className: "days" });
  // A number of days, not a line of text: as wide as its digits.
  Object.assign(daysInput.style, { width: "6.5em", flex: "none" });
  const createButton = el("button", { className: "primary", text: single() ? "Create it" : "Create them" });
  createButton.type = "button";
  createButton.id = "mint-create";
  createButton.addEventListener("click", () => create());
  const cancel = el("button", { className: "link", text: "Cancel" });
  cancel.type = "button";
  cancel.addEventListener("click", () => show($("mint-preview"), false));
  const previewBox = el(
    "div",
    { className: "mint-preview" },
    el("p", { className: "hint" }, el("span", {})),
    el("table", { className: "scopes" }, el("thead", {}, el("tr", {}, el("th", { text: "Token" }), el("th", { text: "Scopes" }))), el("tbody", {})),
    el("div", { className: "actions" }, createButton, cancel),
  );
  previewBox.id = "mint-preview";
  previewBox.querySelector("span").id = "mint-preview-text";
  previewBox.querySelector("tbody").id = "mint-preview-rows";
  previewBox.hidden = true;
  const status = el("span", { className: "status" });
  status.id = "mint-status";
  status.setAttribute("aria-live", "polite");
  const refusal = el("div", { className: "alert" });
  refusal.id = "mint-refusal";
  refusal.setAttribute("role", "alert");
  refusal.hidden = true;
  const consentLink = el("input");
  Object.assign(consentLink, { id: "mint-consent-link", type: "text", readOnly: true, className: "mono" });
  consentLink.setAttribute("aria-label", "The sign-in link");
  const consentCancel = el("button", { className: "link", text: "Cancel the sign-in" });
  consentCancel.type = "button";
  consentCancel.id = "mint-consent-cancel";
  consentCancel.addEventListener("click", () => backend.cancelSignIn().catch(() => {}));
  const consentRow = el("p", { className: "field" }, consentLink, consentCancel);
  consentRow.id = "mint-consent-row";
  consentRow.hidden = true;
  const alert = el("div", { className: "alert" });
  alert.id = "mint-alert";
  alert.setAttribute("role", "alert");
  alert.hidden = true;
  box.append(
    Object.assign(el("p", { className: "hint" }), { id: "mint-hint" }),
    el("div", { className: "actions" }, start, daysLabel, daysInput, status),
    consentRow,
    previewBox,
    refusal,
    alert,
  );
  return box;
}

/** Offers minting in the product step for a Microsoft sign-in (`next` the opened connection). */
export function showMint(next, minted) {
  onMinted = minted;
  let box = $("product-mint");
  if (!box) {
    box = build();
    $("product-credentials-note").after(box);
  }
  const p = profile();
  // Offered on every connection: a Microsoft sign-in creates them; any other connection (a PAT,
  // a service principal, Azure DevOps Server) is answered with its refusal and what to do instead.
  show(box, Boolean(p));
  $("mint-start").textContent = single() ? "Create the token for me" : "Create the tokens for me";
  const hooks = p && p.webhooks && p.webhooks.createdBy !== "product" ? " Its webhooks need no token: this Microsoft sign-in registers them itself." : "";
  $("mint-hint").textContent =
    next.card.method === "entra"
      ? single()
        ? `Signed in with Microsoft: ${p.product.name} is handed a personal access token, not this sign-in. ADO Connect can create it on Azure DevOps with exactly these scopes, for this organization only (or paste one below). You see it before it is created.${hooks}`
        : `Signed in with Microsoft: ADO Connect can create them on Azure DevOps, one per connector, with exactly these scopes, for this organization only. You see them before they are created.${hooks}`
      : "With a Microsoft sign-in, ADO Connect can create them for you; this connection will say what it takes instead.";
  show($("mint-preview"), false);
  show($("mint-refusal"), false);
  show($("mint-consent-row"), false);
  $("mint-status").textContent = "";
}

/** The home's list of minted PATs for a card (with Renew), when the product is open. */
export async function mintedOnHome(card, into, handOff = null) {
  if (!profile() || card.method !== "entra") return;
  let minted = [];
  try {
    minted = await backend.mintedTokens(card.id);
  } catch {
    return;
  }
  if (!minted.length) return;
  const status = el("span", { className: "status" });
  const rows = minted.map((m) => {
    const renew = el("button", { className: "link renew-minted", text: "Renew" });
    renew.type = "button";
    renew.addEventListener("click", async () => {
      status.textContent = `Renewing ${m.displayName}…`;
      const answer = await backend
        .mintTokens({ profileId: card.id, connector: m.connector, project: detail("project"), repository: detail("repository") }, (event) => {
          if (event && event.kind === "consent") status.textContent = "Microsoft asks you to allow ADO Connect to manage your personal access tokens: continue in your browser.";
        })
        .catch((e) => ({ kind: "refused", refusal: { code: e.code, message: e.message, fix: e.fix } }));
      status.textContent =
        answer.kind === "minted"
          ? `Renewed ${m.displayName}: the new token expires ${answer.report.plan.validTo.slice(0, 10)}; the old one is revoked. Hand it to ${profile().product.name} again. `
          : `${answer.refusal.code}: ${answer.refusal.message} ${answer.refusal.fix}`;
      // The hand-off again: the product's API where it has one, otherwise the panel.
      if (answer.kind === "minted" && handOff) {
        const again = el("button", { className: "secondary handoff-again", text: `Hand it to ${profile().product.name} again` });
        again.type = "button";
        again.addEventListener("click", handOff);
        status.append(again);
      }
      document.body.dataset.renewed = answer.kind === "minted" ? m.connector : "";
    });
    const row = el("li", {}, el("span", { text: `${m.displayName} · expires ${m.validTo.slice(0, 10)} ` }), renew);
    row.dataset.authorizationId = m.authorizationId;
    return row;
  });
  into.append(el("div", { className: "minted" }, el("p", { className: "hint", text: "Tokens ADO Connect created:" }), el("ul", { className: "minted-list" }, ...rows), status));
}

/** Forget's dialog: a ticked box to revoke exactly the minted PATs (shown only when there are). */
export async function prepareForgetRevoke(card) {
  let row = $("forget-revoke-row");
  if (!row) {
    const box = el("input");
    Object.assign(box, { id: "forget-revoke", type: "checkbox", checked: true });
    const label = el("label", {}, box, el("span", {}));
    label.querySelector("span").id = "forget-revoke-text";
    row = el("p", { className: "field" }, label);
    row.id = "forget-revoke-row";
    row.hidden = true; // shown once the minted tokens are known, never empty
    $("forget-hooks").after(row);
  }
  const minted = profile() && card.method === "entra" ? await backend.mintedTokens(card.id).catch(() => []) : [];
  $("forget-revoke").checked = true;
  const what = minted.length === 1 ? "the token" : `the ${minted.length} tokens`;
  $("forget-revoke-text").textContent = ` Also revoke ${what} ADO Connect created for ${profile() ? profile().product.name : "the product"} (tokens you pasted are not touched).`;
  show(row, minted.length > 0);
}

/** Before Forget: revokes the minted PATs when the box is ticked; a refusal throws its problem. */
export async function revokeIfTicked(card) {
  const row = $("forget-revoke-row");
  if (!row || row.hidden || !$("forget-revoke").checked) return null;
  const answer = await backend.revokeMinted(card.id);
  if (answer.kind === "refused") throw { code: answer.refusal.code, message: answer.refusal.message, fix: answer.refusal.fix };
  return answer.revoked;
}
