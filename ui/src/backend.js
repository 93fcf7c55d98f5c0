// The only file that talks to the Rust side. Every call returns a promise; failures reject with
// the backend's CommandError: { code, field, message, fix, serverMessage, supportId, fieldErrors }.

function invoke(command, args) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    // Not a backend error, so no code: the page was opened outside the app.
    return Promise.reject({ message: "The ADO Connect backend is not available.", fix: "Start the app with ado-connect." });
  }
  return tauri.core.invoke(command, args);
}

/** Invokes a command that streams messages: `onMessage` gets each one, under `key` in the args. */
function invokeStreaming(command, args, key, onMessage) {
  const channel = new window.__TAURI__.core.Channel();
  channel.onmessage = onMessage;
  return invoke(command, { ...args, [key]: channel });
}

export const backend = {
  appInfo: () => invoke("app_info"),
  parseUrl: (input) => invoke("parse_url", { input }),
  connectWithPat: (form) => invoke("connect_with_pat", { form }),
  /** The http:// URL on the same port when `url` (https) failed and plain HTTP answers; else null. */
  httpAlternative: (url, proxy) => invoke("http_alternative", { url, proxy }),
  listConnections: () => invoke("list_connections"),
  connectionCards: () => invoke("connection_cards"),
  reverifyConnection: (id) => invoke("reverify_connection", { id }),
  renameConnection: (id, name) => invoke("rename_connection", { id, name }),
  /** `hooks`: "remove" (delete its webhooks first) or "keep" (leave them, stop tracking). */
  forgetConnection: (id, hooks) => invoke("forget_connection", { id, hooks }),
  /** One page of the verified connection's catalog: `scope` {kind: tree|projects|repositories, project}. */
  searchCatalog: (profileId, scope, query, offset, limit) => invoke("search_catalog", { profileId, scope, query, offset, limit }),
  inspectCertificate: (url) => invoke("inspect_certificate", { url }),
  accessPlan: (capabilities) => invoke("access_plan", { capabilities }),
  /** Runs the checks; `onCheck` is called with each check as it settles. */
  runChecks: (form, onCheck) => invokeStreaming("run_checks", { form }, "onCheck", onCheck),
  saveReport: () => invoke("save_report"),
  signInBrowser: (form, onUrl) => invokeStreaming("sign_in_browser", { form }, "onUrl", onUrl),
  signInDevice: (form, onCode) => invokeStreaming("sign_in_device", { form }, "onCode", onCode),
  signInServicePrincipal: (form) => invoke("sign_in_service_principal", { form }),
  cancelSignIn: () => invoke("cancel_sign_in"),
  hooksOverview: (profileId) => invoke("hooks_overview", { profileId }),
  /** May the user edit service hooks in `projects`? { ok, projects, problem }. */
  hooksGate: (profileId, projects) => invoke("hooks_gate", { profileId, projects }),
  /** Opens the Azure DevOps page listing a recorded subscription; resolves to its address. */
  openHookPage: (profileId, subscriptionId) => invoke("open_hook_page", { profileId, subscriptionId }),
  planHooks: (profileId, request) => invoke("plan_hooks", { profileId, request }),
  applyHooks: (onEvent) => invokeStreaming("apply_hooks", {}, "onEvent", onEvent),
  recoverHooks: (profileId, onEvent) => invokeStreaming("recover_hooks", { profileId }, "onEvent", onEvent),
  rollbackHooks: (profileId) => invoke("rollback_hooks", { profileId }),
  testHook: (profileId, subscriptionId) => invoke("test_hook", { profileId, subscriptionId }),
  hookHistory: (profileId, subscriptionId) => invoke("hook_history", { profileId, subscriptionId }),
  removeHooks: (profileId) => invoke("remove_hooks", { profileId }),
  // The product profile the app was opened with, and its steps.
  productInfo: () => invoke("product_info"),
  /** Opens a profile picked in the page (its file name and text); rejects with { error } when broken. */
  openProductProfile: (name, text) => invoke("open_product_profile", { name, text }),
  closeProductProfile: () => invoke("close_product_profile"),
  /** What the connect form may offer for the product and what it refuses, before any request:
   *  `form` { target: { deployment, organization, servicesUrl, serverUrl, collection }, method, expiresOn }. */
  productConnectRules: (form) => invoke("product_connect_rules", { form }),
  /** Runs the product's checks; `onEvent` gets each restriction and check as it settles. */
  productCheck: (form, onEvent) => invokeStreaming("product_check", { form }, "onEvent", onEvent),
  /** `form` { profileId, choice: { project, repository, publicUrl, placeholders }, projects, secret }. */
  productHooksPlan: (form) => invoke("product_hooks_plan", { form }),
  productHooksApply: (form, onEvent) => invokeStreaming("product_hooks_apply", { form }, "onEvent", onEvent),
  /** The hand-off view; refused (an error naming the failing checks) until the checks passed. */
  handoffPanel: (profileId, choice) => invoke("handoff_panel", { profileId, choice }),
  handoffValue: (profileId, choice, key) => invoke("handoff_value", { profileId, choice, key }),
  handoffExport: (profileId, choice, includeSecrets) => invoke("handoff_export", { profileId, choice, includeSecrets }),
  handoffScript: (profileId, choice) => invoke("handoff_script", { profileId, choice }),
  /** Delivers to the product's API, or answers { kind: "needsConsent", preview, problem } (nothing
   *  sent) until `consent` { host, allowLocal } confirms the host the user saw; { kind: "sent", preview, report }. */
  handoffPost: (profileId, choice, token, trustedCaPem, consent) => invoke("handoff_post", { profileId, choice, token, trustedCaPem, consent }),
  // "Create the tokens for me" (issue 20) and the signed-in user's organizations.
  /** The organizations of a saved Microsoft sign-in: [{ name, url, current }]. */
  listOrganizations: (profileId) => invoke("list_organizations", { profileId }),
  /** What minting will create: { product, organization, lifetimeDays, validTo, tokens: [{ connector, label, displayName, scopeIds }] }. */
  mintPlan: (profileId, lifetimeDays) => invoke("mint_plan", { profileId, lifetimeDays }),
  /** `form` { profileId, project, repository, lifetimeDays, fitLifetime, connector (renew) };
   *  answers { kind: "minted", report } or { kind: "refused", refusal: { code, message, fix, offerDays, steps } }. */
  mintTokens: (form, onEvent) => invokeStreaming("mint_tokens", { form }, "onEvent", onEvent),
  mintedTokens: (profileId) => invoke("minted_tokens", { profileId }),
  /** Forget: { kind: "revoked", revoked } or { kind: "refused", refusal }. */
  revokeMinted: (profileId) => invoke("revoke_minted", { profileId }),
};
