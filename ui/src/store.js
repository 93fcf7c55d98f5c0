// The page's state in one place: what the steps share is read with `store.get(key)`, changed
// with `store.set(key, value)` (or `update`), and followed with `store.subscribe(key, fn)`.
// A step keeps its own form fields in the DOM; what another step or the page needs lives here.
//
// Keys:
//   appInfo   what `app_info` answered ({ secretStore, sandbox, events, connections, ... }), once
//   opened    the connection in use, as the result step shows it ({ card, apiUrl, ... }), or null;
//             set by main.js before a step is shown, read by the steps (each keeps only the id of
//             the connection it last showed, to tell a new one from the same)
//   context   what the last understood paste named: { project, repository, branch }
//   loaded    the product profile the app was opened with ({ profile, path, logoDataUrl, access }), or null
//   details   what the product steps ask for, carried from one to the next:
//             { project, repository, publicUrl, placeholders: { name: value } }
//
// The real-window journeys (tests/*.rs) cannot read this store; they wait on `document.body.dataset`
// flags, so those flags stay where the steps set them, and only those: step, ready (main.js),
// forgotten (steps/result.js, steps/home.js), connectRules (steps/rules.js), organizations
// (steps/organizations.js), checksDone (steps/checks.js), hooksPreselected, hooksPlanned, hooksApplied, hooksRemoved (steps/hooks.js),
// productChecks, productHooks (steps/product.js), handoff, handoffPost (steps/handoff.js), mint,
// mintConsent, renewed (steps/mint.js).

const NO_CONTEXT = Object.freeze({ project: null, repository: null, branch: null });

/** The state a page starts with (a fresh copy each call). */
export function initialState() {
  return {
    appInfo: {},
    opened: null,
    context: NO_CONTEXT,
    loaded: null,
    details: { project: "", repository: "", publicUrl: "", placeholders: {} },
  };
}

/** A store over `state`: get/set/update/subscribe, nothing more. */
export function createStore(state = initialState()) {
  const listeners = new Map();
  const store = {
    get: (key) => {
      if (!(key in state)) throw new Error(`store: no key ${key}`);
      return state[key];
    },
    set: (key, value) => {
      if (!(key in state)) throw new Error(`store: no key ${key}`);
      const before = state[key];
      state[key] = value;
      for (const fn of listeners.get(key) || []) fn(value, before);
    },
    /** `fn` gets the current value and returns the next one. */
    update: (key, fn) => store.set(key, fn(store.get(key))),
    /** Calls `fn(value, before)` on each `set` of `key`; returns what unsubscribes. */
    subscribe: (key, fn) => {
      if (!listeners.has(key)) listeners.set(key, new Set());
      listeners.get(key).add(fn);
      return () => listeners.get(key).delete(fn);
    },
    /** Back to the initial state (tests; a page starts fresh on its own). */
    reset: () => Object.assign(state, initialState()),
  };
  return store;
}

/** The page's one store. */
export const store = createStore();

/** A paste that named nothing (or was undone). */
export const noContext = () => NO_CONTEXT;
