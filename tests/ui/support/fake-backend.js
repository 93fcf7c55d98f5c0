// The fake backend: Tauri's `invoke` for Node, answering the commands ui/src/backend.js sends
// with the answers the Rust side gives. Each answer it has comes from tests/ui/fixtures/*.json,
// which crates/flows/tests/ui_answers.rs produces from the real flows and checks field by field
// (a renamed field fails there). A test changes an answer with `answer` or `fail`; a command it
// has no answer for is refused, as the real backend refuses an unknown one.
//
// Most fixtures are what `ado_flows::app::App`'s action answers, the very value the Tauri command
// hands back (app_info, product_info, hooks_overview, product_check, the hand-off, minting …);
// the rest are the flows' answers those actions return unchanged. Every one of the 45 commands
// has its answer. A command that streams gets what the real run streamed, in its order.
import { readFileSync } from "node:fs";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** A fixture, parsed afresh (a test may change its copy). */
export function fixture(name) {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8"));
}

/** The commands ui/src/backend.js invokes, read from its source. */
export function backendCommands() {
  const source = readFileSync(new URL("../../../ui/src/backend.js", import.meta.url), "utf8");
  return new Set([...source.matchAll(/invoke(?:Streaming)?\("([a-z_]+)"/g)].map((m) => m[1]));
}

/** The commands the fake has an answer for from the start. */
export const answeredCommands = () => new Set(Object.keys(defaults()));

/** Sends each of `events` to a command's channel as the real run streamed them; answers `answer`. */
function stream(channel, events, answer) {
  for (const event of events) channel.onmessage(event);
  return answer;
}

/** The answers the fake starts with: fixtures as the command answers them. */
function defaults() {
  return {
    parse_url: () => fixture("parse_url"),
    connect_with_pat: () => fixture("connect_with_pat"),
    access_plan: () => fixture("access_plan"),
    run_checks: (args) => {
      const report = fixture("run_checks");
      for (const check of report.checks) args.onCheck.onmessage(check);
      return report;
    },
    // The first screen: the sandbox, one saved connection, the webhook events; DX opened.
    app_info: () => fixture("app_info"),
    // The connection's catalog (any scope, any query): Fiber Cloud and Tailwind Traders.
    search_catalog: () => fixture("search_catalog"),
    plan_hooks: () => fixture("plan_hooks"),
    apply_hooks: () => fixture("apply_hooks"),
    hooks_overview: () => fixture("hooks_overview"),
    hooks_gate: () => fixture("hooks_gate"),
    // One recorded subscription: its test event (the receiver did not answer), its deliveries,
    // its page; nothing interrupted to finish or undo; Remove.
    test_hook: () => fixture("test_hook"),
    hook_history: () => fixture("hook_history"),
    open_hook_page: () => fixture("open_hook_page"),
    recover_hooks: () => fixture("recover_hooks"),
    rollback_hooks: () => fixture("rollback_hooks"),
    remove_hooks: () => fixture("remove_hooks"),
    save_report: () => fixture("save_report"),
    list_connections: () => fixture("list_connections"),
    // https failed where plain HTTP answers on the same port.
    http_alternative: () => fixture("http_alternative"),
    cancel_sign_in: () => fixture("cancel_sign_in"),
    // The Microsoft sign-ins on fabrikam: the address given to the browser, the device code,
    // each streamed as the real run streamed it; a service principal.
    sign_in_browser: (args) => stream(args.onUrl, [fixture("sign_in_browser_url")], fixture("sign_in_browser")),
    sign_in_device: (args) => stream(args.onCode, [fixture("sign_in_device_prompt")], fixture("sign_in_device")),
    sign_in_service_principal: () => fixture("sign_in_service_principal"),
    product_info: () => fixture("product_info"),
    // The fake reads no TOML: every profile picked is refused as the real one refuses a broken one.
    open_product_profile: () => Promise.reject(fixture("open_product_profile_refused")),
    close_product_profile: () => fixture("close_product_profile"),
    product_connect_rules: () => fixture("product_connect_rules"),
    // DX's checks with its five service accounts' tokens: everything passes.
    product_check: (args) => stream(args.onEvent, fixture("product_check_events"), fixture("product_check")),
    product_hooks_plan: () => fixture("product_hooks_plan"),
    product_hooks_apply: () => fixture("product_hooks_apply"),
    // DX's hand-off once its checks passed: five secret tokens, a POST to its API, a script.
    handoff_panel: () => fixture("handoff_panel_dx"),
    handoff_value: () => fixture("handoff_value"),
    handoff_export: () => fixture("handoff_export"),
    handoff_script: () => fixture("handoff_script"),
    // Asks first (its API is on this machine); sent once the user said yes to that host.
    handoff_post: (args) => (args.consent ? fixture("handoff_post_sent") : fixture("handoff_post_consent")),
    // The home: a Microsoft sign-in on fabrikam and a PAT on a Server collection.
    connection_cards: () => fixture("connection_cards"),
    rename_connection: () => fixture("rename_connection"),
    reverify_connection: () => fixture("reverify_connection"),
    forget_connection: () => fixture("forget_connection"),
    inspect_certificate: () => fixture("inspect_certificate"),
    // "Create the tokens for me" (DX on fabrikam).
    list_organizations: () => fixture("list_organizations"),
    mint_plan: () => fixture("mint_plan"),
    mint_tokens: () => fixture("mint_tokens"),
    minted_tokens: () => fixture("minted_tokens"),
    revoke_minted: () => fixture("revoke_minted"),
  };
}

/** The errors commands reject with, as the flows produce them: a connection that is gone
 *  (`not_found`), a name too long (`invalid_input`), an address that is not a URL, a form
 *  whose fields are at fault. */
export const errors = {
  notFound: () => fixture("error_not_found"),
  invalidName: () => fixture("error_invalid_name"),
  notAUrl: () => fixture("inspect_certificate_error"),
  /** A form at fault (connect_with_pat): `fieldErrors` names each field and its mistake. */
  formAtFault: () => fixture("connect_with_pat_invalid"),
};

/** Other answers the real flows gave, for a test to put in place with `answer`: DX's checks
 *  failing on a Boards token without Work Items (Read) (`productCheck(args)` streams its rows),
 *  a hand-off view still missing a value, the product refusing the POST, a catalog search
 *  matching nothing (with its "did you mean"). */
export const variants = {
  productCheckFailed: (args) => stream(args.onEvent, fixture("product_check_failed_events"), fixture("product_check_failed")),
  handoffMissing: () => fixture("handoff_panel"),
  handoffRefused: () => fixture("handoff_post_refused"),
  catalogNothing: () => fixture("search_catalog_nothing"),
};

/** Minting's refusals (answers, not errors): a lifetime over the organization's maximum (with
 *  its offer), and Azure DevOps Server (with the token page's steps). */
export const refusals = {
  lifetime: () => fixture("mint_tokens_refused").refusal,
  server: () => fixture("mint_refusal_server"),
};

/** Minting's answer refusing with `refusal` (one of `refusals`), as the app answers a refusal. */
export const refused = (refusal) => ({ ...fixture("mint_tokens_refused"), refusal });

/** Installs the fake as `window.__TAURI__` (and `window` itself when Node has none). */
export function installFakeBackend() {
  const commands = backendCommands();
  let answers = defaults();
  const calls = [];
  const invoke = async (command, args = {}) => {
    calls.push({ command, args });
    if (!commands.has(command)) throw new Error(`the fake backend was asked for ${command}, which backend.js never sends`);
    const answer = answers[command];
    if (!answer) throw `command ${command} not found`;
    return answer(args);
  };
  class Channel {
    onmessage = () => {};
  }
  globalThis.window ||= globalThis;
  globalThis.window.__TAURI__ = { core: { invoke, Channel } };
  for (const name of Object.keys(answers)) if (!commands.has(name)) throw new Error(`the fake answers ${name}, which backend.js never sends`);
  return {
    calls,
    /** The args of each call of `command`. */
    argsOf: (command) => calls.filter((c) => c.command === command).map((c) => c.args),
    /** `command` answers `fn(args)` (or the value) from now on. */
    answer(command, fn) {
      if (!commands.has(command)) throw new Error(`backend.js never sends ${command}`);
      answers[command] = typeof fn === "function" ? fn : () => fn;
    },
    /** `command` rejects with `error` (a CommandError, as the backend sends it). */
    fail(command, error) {
      this.answer(command, () => Promise.reject(error));
    },
    /** `command` rejects with the backend's error for a link that is not one (`invalid_input`
     *  on the url field), `changes` applied; returns the error. */
    refuse(command, changes = {}) {
      const error = { ...fixture("parse_url_error"), ...changes };
      this.fail(command, error);
      return error;
    },
    reset() {
      answers = defaults();
      calls.length = 0;
    },
  };
}
