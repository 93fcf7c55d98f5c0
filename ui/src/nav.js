// How a step moves the page, without knowing the page: every Back, Next, Done and "open this
// connection" of a step goes through these. The page's entry point (main.js), which knows the
// sections, the sidebar and the steps loaded on first use, registers what they do at start
// (`registerNavigation`); the Node tests register a recorder. A step imports this module, never
// main.js, so no step and the page import each other.

/** The page's steps, in the sidebar's order. */
export const STEPS = Object.freeze(["home", "connect", "result", "checks", "hooks", "product", "handoff"]);

let moves = null;

/** `real` { go(step, options), open(opened, step), home(message), connectNew(), connectRenew(card) }:
 *  what the functions below do from now on. */
export function registerNavigation(real) {
  moves = real;
}

function known(step) {
  if (!STEPS.includes(step)) throw new Error(`nav: no step ${step}`);
  return step;
}

function registered() {
  if (!moves) throw new Error("nav: nothing registered (main.js registers the page's navigation at start)");
  return moves;
}

/** Shows `step` as it was left (nothing reloaded); `options.focus` false keeps the focus where it is. */
export const go = (step, options = {}) => registered().go(known(step), options);

/** Shows `opened` (a connection as the result step shows it) at `step`, filled for it. */
export const open = (opened, step) => registered().open(opened, known(step));

/** The home with `message` (the wizard's first step when nothing is saved). */
export const home = (message) => registered().home(message);

/** The connect step, empty, for a new connection. */
export const connectNew = () => registered().connectNew();

/** The connect step filled from a saved connection's `card`, to renew its token. */
export const connectRenew = (card) => registered().connectRenew(card);
