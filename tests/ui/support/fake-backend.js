// The fake backend: Tauri's `invoke` for Node, answering the commands ui/src/backend.js sends
// with the answers the Rust side gives. Each answer it has comes from tests/ui/fixtures/*.json,
// which crates/flows/tests/ui_answers.rs produces from the real flows and checks field by field
// (a renamed field fails there). A test changes an answer with `answer` or `fail`; a command it
// has no answer for is refused, as the real backend refuses an unknown one.
//
// The fixtures are the flows' own answer types. What a few commands wrap them in is src-tauri's
// (not checked there yet): `product_info` { loaded, error, code }, `hooks_overview` { hooks,
// interrupted } (the hook views add eventLabel/projectName/repositoryName to each hook),
// `mint_tokens` { kind: "minted", report } | { kind: "refused", refusal } and `revoke_minted`
// { kind: "revoked", revoked } | { kind: "refused", refusal }.
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
    plan_hooks: () => fixture("plan_hooks"),
    apply_hooks: () => fixture("apply_hooks"),
    hooks_overview: () => ({ hooks: fixture("list_hooks"), interrupted: null }),
    hooks_gate: () => fixture("hooks_gate"),
    product_info: () => ({ loaded: fixture("product_loaded_dx"), error: null, code: null }),
    product_connect_rules: () => fixture("product_connect_rules"),
    handoff_panel: () => fixture("handoff_panel"),
    // The home: a Microsoft sign-in on fabrikam and a PAT on a Server collection.
    connection_cards: () => fixture("connection_cards"),
    rename_connection: () => fixture("rename_connection"),
    reverify_connection: () => fixture("reverify_connection"),
    forget_connection: () => fixture("forget_connection"),
    inspect_certificate: () => fixture("inspect_certificate"),
    // "Create the tokens for me" (DX on fabrikam).
    list_organizations: () => fixture("list_organizations"),
    mint_plan: () => fixture("mint_plan"),
    mint_tokens: () => ({ kind: "minted", report: fixture("mint_report") }),
    minted_tokens: () => fixture("minted_tokens"),
    revoke_minted: () => ({ kind: "revoked", revoked: fixture("revoked_tokens") }),
  };
}

/** The errors commands reject with, as the flows produce them: a connection that is gone
 *  (`not_found`), a name too long (`invalid_input`), an address that is not a URL. */
export const errors = {
  notFound: () => fixture("error_not_found"),
  invalidName: () => fixture("error_invalid_name"),
  notAUrl: () => fixture("inspect_certificate_error"),
};

/** Minting's refusals (answers, not errors): a lifetime over the organization's maximum (with
 *  its offer), and Azure DevOps Server (with the token page's steps). */
export const refusals = {
  lifetime: () => fixture("mint_refusal_lifetime"),
  server: () => fixture("mint_refusal_server"),
};

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
