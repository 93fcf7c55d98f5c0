// The home: the saved connections, each with what a returning user needs to see (where, who,
// how it signs in, last verified, token expiry, webhooks) and what they can do without typing:
// re-verify, renew the token, checks, webhooks, rename, forget.
import { backend } from "../backend.js";
import { $, el, show } from "../dom.js";
import { errorLine } from "../errors.js";
import { connectNew, connectRenew, home, open } from "../nav.js";
import { profile } from "../product.js";
import { store } from "../store.js";
import { humanDate, humanTime, plural } from "../time.js";
import { askToForget, forgottenText } from "./forget.js";
import { mintedOnHome } from "./mint.js";

function button(text, className, onClick) {
  const b = el("button", { text, className });
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function fact(term, ...value) {
  return [el("dt", { text: term }), el("dd", {}, ...value)];
}

/** Verifies the card's connection again, then opens `step` ("result", "checks", "hooks"). */
async function reverify(card, status, step) {
  status.className = "status";
  status.textContent = "Verifying with the stored token…";
  try {
    const opened = await backend.reverifyConnection(card.id);
    status.textContent = "";
    open(opened, step);
  } catch (error) {
    status.className = "status failed";
    status.textContent = `Verification failed: ${errorLine(error)}`;
    status.dataset.code = error.code || "";
  }
}

function nameEditor(card, title) {
  const input = el("input");
  Object.assign(input, { type: "text", value: card.name, maxLength: 80 });
  input.setAttribute("aria-label", "Connection name");
  const save = async () => {
    try {
      const updated = await backend.renameConnection(card.id, input.value);
      Object.assign(card, updated);
    } catch {
      // keep the old name
    }
    title.replaceChildren(card.name);
    input.replaceWith(title);
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") save();
    if (e.key === "Escape") input.replaceWith(title);
  });
  input.addEventListener("blur", save);
  title.replaceWith(input);
  input.focus();
  input.select();
}

/** The card's webhooks line from `hooks_overview`'s hooks: how many, and how their last
 *  deliveries went. */
export function hookLine(card, hooks) {
  const deliveries = hooks.map((h) => h.lastDelivery).filter(Boolean);
  const failed = deliveries.filter((d) => d.result === "failed");
  const latest = deliveries.map((d) => d.createdDate).filter(Boolean).sort().pop();
  return `${plural(card.hooks, "webhook", "webhooks")} · ${
    !deliveries.length ? "nothing delivered yet" : failed.length ? `${failed.length} last delivery failed` : `last delivered ${humanTime(latest)}`
  }`;
}

/** When the card's token expires, in words. */
export function expiryText(card) {
  return card.expiresOn ? humanDate(card.expiresOn) : card.method === "pat" ? "not given" : "renewed automatically";
}

async function hookState(card, dd) {
  try {
    const overview = await backend.hooksOverview(card.id);
    dd.textContent = hookLine(card, overview.hooks);
  } catch {
    // The count stays; the state needs the server.
  }
}

function renderCard(card) {
  const status = el("p", { className: "status" });
  status.setAttribute("aria-live", "polite");
  const title = el("span", { className: "card-name", text: card.name });
  const hooksDd = el("span", { text: card.hooks ? plural(card.hooks, "webhook", "webhooks") : "none" });
  const item = el(
    "li",
    { className: "conn" },
    el("div", { className: "conn-head" }, el("h3", {}, title), button("Rename", "link rename", () => nameEditor(card, title))),
    el(
      "dl",
      { className: "facts compact" },
      ...fact("Deployment", card.deploymentName),
      ...fact("Address", el("span", { className: "mono wrap", text: card.address })),
      ...fact("Signed in as", card.user),
      ...fact("Sign-in", card.methodName),
      ...fact("Last verified", `${humanTime(card.verifiedAt)} · worked`),
      ...fact("Token expires", expiryText(card)),
      ...fact("Webhooks", hooksDd),
    ),
  );
  item.dataset.id = card.id;
  if (card.reminder) {
    item.append(
      el("div", { className: "banner reminder" }, el("p", { text: card.reminder }), button("Renew token", "secondary reminder-renew", () => connectRenew(card))),
    );
  }
  item.append(
    el(
      "div",
      { className: "actions" },
      button("Re-verify", "primary reverify", () => reverify(card, status, "result")),
      ...(profile()
        ? [
            button(`What ${profile().product.name} needs`, "secondary open-product", () => reverify(card, status, "product")),
            button(profile().handoff.title, "secondary open-handoff", () => reverify(card, status, "handoff")),
          ]
        : [button("Webhooks", "secondary open-hooks", () => reverify(card, status, "hooks")), button("Checks", "secondary open-checks", () => reverify(card, status, "checks"))]),
      button("Renew token", "secondary renew", () => connectRenew(card)),
      button("Forget", "danger forget-card", async () => {
        const done = await askToForget(card);
        if (done) {
          item.remove();
          $("home-status").textContent = forgottenText(done);
          document.body.dataset.forgotten = String(Date.now());
          forgotten(card);
        }
      }),
    ),
    status,
  );
  if (card.hooks) hookState(card, hooksDd);
  mintedOnHome(card, item, () => reverify(card, status, "handoff"));
  return item;
}

/** A card's connection is forgotten: it is no longer the one in use, and the home is read again
 *  (the wizard starts when it was the last). */
function forgotten(card) {
  const opened = store.get("opened");
  if (opened && opened.card.id === card.id) store.set("opened", null);
  return home($("home-status").textContent);
}

/** Shows `cards`; returns false when there are none (the wizard starts instead). */
export function showHome(cards, message = "") {
  $("home-list").replaceChildren(...cards.map(renderCard));
  $("home-status").textContent = message;
  return cards.length > 0;
}

/** Reads the cards again and shows them. */
export async function refreshHome(message = "") {
  let cards = [];
  try {
    cards = await backend.connectionCards();
  } catch (error) {
    message = errorLine(error);
  }
  return showHome(cards, message);
}

export function initHome() {
  $("home-new").addEventListener("click", () => connectNew());
  show($("home-new"), true);
}
