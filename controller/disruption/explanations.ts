/**
 * The words for why a node is not disrupted, as the Git status report and the NodePool/Node Events carry them:
 * budgets with the window that blocks and until when, do-not-disrupt until when, the PDB that allows nothing.
 * Karpenter answers some of these only with an Event reason (`DisruptionBlocked`) or a log line; here each
 * candidate gets a sentence a user can act on.
 */
import { budgetProblemMessage } from "../../policies/index.ts";
import type { BudgetEvaluation } from "../../api/index.ts";
import type { PoolBudget } from "./budgets.ts";
import type { PodBlocker } from "./pod-blockers.ts";

/** "21:00 UTC" on the same UTC day as `now`, else "2026-01-06 21:00 UTC". */
export function utcTime(at: Date, now: Date): string {
  const iso = at.toISOString();
  const clock = iso.slice(11, 16);
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? `${clock} UTC` : `${iso.slice(0, 10)} ${clock} UTC`;
}

/** "budget 1 (`nodes: 0`, 0 9 * * 1-5 for 12h)". */
export function budgetLabel(evaluation: BudgetEvaluation): string {
  const { budget, index } = evaluation;
  const window = budget.schedule === undefined ? "" : `, ${budget.schedule} for ${budget.duration ?? "0s"}`;
  const reasons = budget.reasons === undefined ? "" : `, reasons ${budget.reasons.join(", ") || "none"}`;
  return `budget ${index} (\`nodes: ${budget.nodes}\`${window}${reasons})`;
}

/** Why a pool's budget for a reason lets no more nodes go now. */
export function budgetBlockedText(budget: PoolBudget, now: Date): string {
  const { evaluation } = budget;
  if (evaluation.failClosed) {
    const broken = evaluation.budgets.find((b) => b.problem !== undefined);
    const problem = broken?.problem === undefined ? "" : `: ${budgetProblemMessage(broken.problem)}`;
    return `${broken === undefined ? "a budget" : budgetLabel(broken)} cannot be evaluated${problem}`;
  }
  const limiting = [...evaluation.activeBudgets].sort((a, b) => limitOf(a) - limitOf(b))[0];
  if (limiting === undefined) return `no budget limits ${budget.reason}`;
  const activity = limiting.activity;
  const until =
    activity.status === "active" && activity.activeUntil !== undefined
      ? ` active until ${utcTime(activity.activeUntil, now)}`
      : activity.status === "active"
        ? " active"
        : "";
  const allowed = limitOf(limiting);
  if (allowed === 0) return `${budgetLabel(limiting)}${until}`;
  return `${budgetLabel(limiting)}${until} allows ${allowed} of ${budget.counted} nodes and ${budget.disrupting} ${
    budget.disrupting === 1 ? "is" : "are"
  } already disrupting`;
}

const limitOf = (e: BudgetEvaluation) => (typeof e.allowed === "number" ? e.allowed : Number.MAX_SAFE_INTEGER);

/** A pool's budget for a reason as the status report shows it, including "unlimited" when no budget is active. */
export function budgetSummary(budget: PoolBudget, now: Date): string {
  const head = `pool ${budget.nodePool}, ${budget.reason}`;
  if (budget.evaluation.failClosed) return `${head}: 0 (blocked: ${budgetBlockedText(budget, now)})`;
  if (budget.remaining === "unlimited") {
    const scheduled = budget.evaluation.budgets.filter((b) => b.appliesToReason && !b.activity.active);
    const outside =
      scheduled.length > 0
        ? `; outside the windows of ${scheduled.map(budgetLabel).join(", ")} Karpenter sets no limit`
        : "";
    return `${head}: unlimited, no budget is active${outside}`;
  }
  return `${head}: ${budget.remaining} more of ${budget.counted} nodes (${budget.disrupting} disrupting)`;
}

export function podBlockerText(blocker: PodBlocker, now: Date): string {
  switch (blocker.kind) {
    case "do-not-disrupt":
      return blocker.until === undefined
        ? `pod ${blocker.pod} has do-not-disrupt`
        : `pod ${blocker.pod} has do-not-disrupt until ${utcTime(blocker.until, now)}`;
    case "pdb":
      return `PDB ${blocker.pdb} allows ${blocker.disruptionsAllowed} disruptions (pod ${blocker.pod})`;
    case "pdbs":
      return `pod ${blocker.pod} is selected by ${blocker.pdbs.length} PDBs (${blocker.pdbs.join(", ")}), and the Eviction API refuses a pod under more than one`;
  }
}
