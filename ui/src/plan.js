// A webhook plan in words, shared by the webhooks step and the product step.

/** How many subscriptions the plan writes (creates, adopts, updates, re-enables). */
export function planWrites(plan) {
  return plan.create.length + plan.adopt.length + plan.update.length + plan.reenable.length;
}

/** "2 to create, 1 already right": each non-empty part of the plan. */
export function planCounts(plan) {
  return [
    [plan.create.length, "to create"],
    [plan.adopt.length, "to adopt"],
    [plan.update.length, "to update"],
    [plan.reenable.length, "to re-enable"],
    [plan.unchanged.length, "already right"],
  ]
    .filter(([n]) => n)
    .map(([n, what]) => `${n} ${what}`);
}
