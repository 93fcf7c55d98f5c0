// The page's navigation for the Node tests: registers a recorder into ui/src/nav.js in place of
// main.js's moves, so that a test sees where a step's Back, Next or Done went (and with what).
import { registerNavigation } from "../../../ui/src/nav.js";

/** Registers the recorder; returns the list of moves it records, each
 *  { to: "go" | "open" | "home" | "connectNew" | "connectRenew", step, opened, message, card, options }. */
export function recordNavigation() {
  const moves = [];
  registerNavigation({
    go: (step, options) => moves.push({ to: "go", step, options }),
    open: (opened, step) => moves.push({ to: "open", step, opened }),
    home: (message) => moves.push({ to: "home", message }),
    connectNew: () => moves.push({ to: "connectNew" }),
    connectRenew: (card) => moves.push({ to: "connectRenew", card }),
  });
  return moves;
}
