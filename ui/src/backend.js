// The only file that talks to the Rust side. Every call returns a promise; failures reject with
// the backend's CommandError: { code, field, message, fix, serverMessage, supportId, fieldErrors }.

function invoke(command, args) {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core) {
    return Promise.reject({ code: "no_backend", message: "The ADO Connect backend is not available.", fix: "Start the app with ado-connect." });
  }
  return tauri.core.invoke(command, args);
}

export const backend = {
  appInfo: () => invoke("app_info"),
  parseUrl: (input) => invoke("parse_url", { input }),
  connectWithPat: (form) => invoke("connect_with_pat", { form }),
  listConnections: () => invoke("list_connections"),
  removeConnection: (id) => invoke("remove_connection", { id }),
  inspectCertificate: (url) => invoke("inspect_certificate", { url }),
  accessPlan: (capabilities) => invoke("access_plan", { capabilities }),
  /** Runs the checks; `onCheck` is called with each check as it settles. */
  runChecks: (form, onCheck) => {
    const channel = new window.__TAURI__.core.Channel();
    channel.onmessage = onCheck;
    return invoke("run_checks", { form, onCheck: channel });
  },
  saveReport: () => invoke("save_report"),
  signInBrowser: (form, onUrl) => {
    const channel = new window.__TAURI__.core.Channel();
    channel.onmessage = onUrl;
    return invoke("sign_in_browser", { form, onUrl: channel });
  },
  signInDevice: (form, onCode) => {
    const channel = new window.__TAURI__.core.Channel();
    channel.onmessage = onCode;
    return invoke("sign_in_device", { form, onCode: channel });
  },
  signInServicePrincipal: (form) => invoke("sign_in_service_principal", { form }),
  cancelSignIn: () => invoke("cancel_sign_in"),
  hooksOverview: (profileId) => invoke("hooks_overview", { profileId }),
  planHooks: (profileId, request) => invoke("plan_hooks", { profileId, request }),
  applyHooks: (onEvent) => {
    const channel = new window.__TAURI__.core.Channel();
    channel.onmessage = onEvent;
    return invoke("apply_hooks", { onEvent: channel });
  },
  recoverHooks: (profileId, onEvent) => {
    const channel = new window.__TAURI__.core.Channel();
    channel.onmessage = onEvent;
    return invoke("recover_hooks", { profileId, onEvent: channel });
  },
  rollbackHooks: (profileId) => invoke("rollback_hooks", { profileId }),
  testHook: (profileId, subscriptionId) => invoke("test_hook", { profileId, subscriptionId }),
  hookHistory: (profileId, subscriptionId) => invoke("hook_history", { profileId, subscriptionId }),
  removeHooks: (profileId) => invoke("remove_hooks", { profileId }),
};
