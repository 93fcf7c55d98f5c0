// The Forget confirmation: says what happens to the connection's registered webhooks (removed
// first, the default, or kept in Azure DevOps and no longer tracked) before anything is deleted.
import { backend } from "../backend.js";
import { $, show } from "../dom.js";
import { clearError, renderError } from "../errors.js";
import { prepareForgetRevoke, revokeIfTicked } from "./mint.js";

let pending = null; // { card, resolve }

function close(result) {
  $("forget-dialog").close();
  if (pending) pending.resolve(result);
  pending = null;
}

async function confirm() {
  const { card } = pending;
  const hooks = $("forget-keep").checked ? "keep" : "remove";
  clearError($("forget-alert"));
  $("forget-confirm").disabled = true;
  $("forget-status").textContent = hooks === "remove" && card.hooks ? "Removing its webhooks…" : "Forgetting…";
  try {
    // Exactly the PATs ADO Connect minted, revoked first when the box is ticked (issue 20).
    const revoked = await revokeIfTicked(card);
    const report = await backend.forgetConnection(card.id, hooks);
    if (revoked) report.revokedTokens = revoked;
    close({ card, report });
  } catch (error) {
    renderError($("forget-alert"), error);
  } finally {
    $("forget-confirm").disabled = false;
    $("forget-status").textContent = "";
  }
}

/** Asks, then forgets `card`; resolves to `{ card, report }`, or null when cancelled. The card is
 *  read again first: webhooks registered since it was shown count. */
export async function askToForget(shown) {
  const cards = await backend.connectionCards().catch(() => []);
  const card = cards.find((c) => c.id === shown.id) || shown;
  $("forget-name").textContent = card.name;
  $("forget-hook-count").textContent = String(card.hooks);
  show($("forget-hooks"), card.hooks > 0);
  await prepareForgetRevoke(card);
  $("forget-remove").checked = true;
  clearError($("forget-alert"));
  $("forget-dialog").showModal();
  $("forget-title").focus();
  return await new Promise((resolve) => (pending = { card, resolve }));
}

/** Says in words what forgetting did. */
export function forgottenText({ card, report }) {
  const removed = report.removed ? report.removed.removed.length : 0;
  const kept = report.kept ? report.kept.length : 0;
  const hooks = removed
    ? ` Its ${removed} webhook(s) were removed from Azure DevOps.`
    : kept
      ? ` Its ${kept} webhook(s) stay in Azure DevOps and are no longer tracked here.`
      : "";
  const revoked = report.revokedTokens ? ` The ${report.revokedTokens.length} tokens ADO Connect created were revoked.` : "";
  return `Forgotten: ${card.name}. Its token and settings were removed from this machine.${hooks}${revoked}`;
}

export function initForget() {
  $("forget-confirm").addEventListener("click", confirm);
  $("forget-cancel").addEventListener("click", () => close(null));
  $("forget-dialog").addEventListener("cancel", (e) => {
    e.preventDefault();
    close(null);
  });
}
