/**
 * Karpenter disruption budgets over time: whether a budget is active at a given moment, and how many nodes a
 * NodePool may disrupt for a reason, exactly as Karpenter v1 computes it (kubernetes-sigs/karpenter
 * pkg/apis/v1/nodepool.go: `Budget.IsActive`, `Budget.GetAllowedDisruptions`,
 * `NodePool.GetAllowedDisruptionsByReason`, `NodePool.MustGetAllowedDisruptions`).
 *
 * The semantics that surprise people, all reproduced here:
 * - Budgets only restrict. An inactive budget sets no limit, and when no budget is active disruption is
 *   unlimited, so a NodePool with only scheduled budgets has no limit outside their windows.
 * - A budget is active while some schedule run h satisfies h ≤ now < h + duration. Karpenter checks
 *   `!Next(now − duration).After(now)`, and robfig's Next is strictly after its argument, so at exactly
 *   h + duration the window is already closed (the code comment in nodepool.go says the opposite).
 * - Any budget whose schedule fails to parse (or whose nodes value fails, while active) makes Karpenter allow 0
 *   disruptions for every reason for the whole NodePool: it fails closed.
 * - A schedule robfig never finds a run for (e.g. `0 0 31 2 *`) returns Go's zero time, which is not after now,
 *   so that budget is always active.
 *
 * Pure: every function takes `now`. Results are data; why a budget cannot be evaluated is a `BudgetProblem`, which
 * policies/schedule-text words (`budgetProblemMessage`).
 */
import { parseBudgetDuration } from "../duration.ts";
import { parseKarpenterSchedule, type ParsedSchedule, type ScheduleError } from "./schedule.ts";
import { goAtoi } from "./go-text.ts";
import { ValueError } from "../value-error.ts";

import type { DisruptionReason } from "../types.ts";

export type { DisruptionReason };

/** One entry of `spec.disruption.budgets`. */
export interface DisruptionBudget {
  /** A node count ("5") or a percentage of the NodePool's nodes ("10%"). */
  readonly nodes: string;
  /**
   * The reasons the budget limits. Unset means all reasons. An empty list limits none: Karpenter tests
   * `Reasons == nil`, and `reasons: []` decodes to an empty, non-nil slice.
   */
  readonly reasons?: readonly string[];
  readonly schedule?: string;
  readonly duration?: string;
}

/** What the API server fills in when `spec.disruption.budgets` is absent. Pass this when a manifest omits it. */
export const DEFAULT_BUDGETS: readonly DisruptionBudget[] = [{ nodes: "10%" }];

export type BudgetActivity =
  /** No schedule and no duration: always active. */
  | { readonly status: "always"; readonly active: true }
  | {
      readonly status: "active";
      readonly active: true;
      /** The run whose window Karpenter found, or undefined when robfig found no run at all (see `neverFires`). */
      readonly windowStart: Date | undefined;
      /**
       * The first moment the budget is no longer active, following windows that overlap or touch; undefined
       * when there is no end in sight (more than 1000 back-to-back windows, `@every`, or a schedule that stops).
       */
      readonly activeUntil: Date | undefined;
      /** Active only because robfig found no run within five years and Karpenter reads that as active. */
      readonly neverFires: boolean;
    }
  | {
      readonly status: "inactive";
      readonly active: false;
      /** When the next window opens; undefined if it never will (a zero duration, or `@every` longer than it). */
      readonly nextStart: Date | undefined;
    }
  /** Karpenter cannot evaluate the budget and fails closed for the whole NodePool. */
  | { readonly status: "invalid"; readonly active: false; readonly problem: BudgetProblem };

/** Why Karpenter cannot evaluate a budget, and so fails closed for the whole NodePool. */
export type BudgetProblem =
  /**
   * `duration` without `schedule`: Karpenter parses an empty schedule and fails (the API server's CEL rule
   * "'schedule' must be set with 'duration'" normally stops this).
   */
  | { readonly kind: "duration-without-schedule" }
  /** robfig cannot parse the schedule. */
  | { readonly kind: "schedule"; readonly error: ScheduleError }
  /** The duration is not one the CRD's pattern admits; `reason` is parseBudgetDuration's. */
  | { readonly kind: "duration"; readonly duration: string; readonly reason: string }
  /** While the budget is active, `nodes` is neither a count nor a percentage; `goError` is intstr's text. */
  | { readonly kind: "nodes"; readonly nodes: string; readonly goError: string };

/** Karpenter's `Budget.IsActive`. Throws ValueError only if `now` (or now − duration) is not a Date in years 1–9999. */
export function isBudgetActive(budget: DisruptionBudget, now: Date): BudgetActivity {
  if (budget.schedule === undefined && budget.duration === undefined) return { status: "always", active: true };
  if (budget.schedule === undefined) return invalid({ kind: "duration-without-schedule" });
  const schedule = parseKarpenterSchedule(budget.schedule);
  if (!schedule.ok) return invalid({ kind: "schedule", error: schedule });
  let durationMs = 0;
  if (budget.duration !== undefined) {
    try {
      durationMs = parseBudgetDuration(budget.duration);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      return invalid({ kind: "duration", duration: budget.duration, reason: error.message });
    }
  }
  return activityAt(schedule, durationMs, nowMs(now));
}

function activityAt(schedule: ParsedSchedule, durationMs: number, now: number): BudgetActivity {
  const hit = schedule.next(new Date(now - durationMs));
  if (hit === undefined) {
    return { status: "active", active: true, windowStart: undefined, activeUntil: undefined, neverFires: true };
  }
  if (hit.getTime() > now) {
    const opens = durationMs > 0 && schedule.kind === "cron";
    return { status: "inactive", active: false, nextStart: opens ? hit : undefined };
  }
  const activeUntil = schedule.kind === "cron" ? windowEnd(schedule, durationMs, now) : undefined;
  return { status: "active", active: true, windowStart: hit, activeUntil, neverFires: false };
}

// At time t the budget is active iff a run falls in (t − duration, t]. Starting from the last run at or before
// now, follow runs while each starts no later than the previous window's end.
function windowEnd(schedule: ParsedSchedule, durationMs: number, now: number): Date | undefined {
  let last = schedule.previous(new Date(now + 1));
  if (last === undefined) return undefined;
  for (let i = 0; i < 1000; i++) {
    const following = schedule.next(last);
    if (following === undefined) return undefined;
    if (following.getTime() > last.getTime() + durationMs) return new Date(last.getTime() + durationMs);
    last = following;
  }
  return undefined;
}

export interface BudgetEvaluation {
  /** Position in `spec.disruption.budgets`. */
  readonly index: number;
  readonly budget: DisruptionBudget;
  readonly activity: BudgetActivity;
  /** Whether the budget limits the reason asked about (reasons unset, or listing it). */
  readonly appliesToReason: boolean;
  /** This budget's own limit: a node count while active, "unlimited" while inactive, 0 when it fails. */
  readonly allowed: number | "unlimited";
  /** Why Karpenter fails closed because of this budget. */
  readonly problem: BudgetProblem | undefined;
}

export interface AllowedDisruptions {
  /** How many nodes may be disrupting at once for the reason; 0 whenever `failClosed`. */
  readonly allowed: number | "unlimited";
  /** True when some budget could not be evaluated, so Karpenter allows 0 for every reason. */
  readonly failClosed: boolean;
  /** The active budgets that limit this reason; `allowed` is the smallest of their limits. */
  readonly activeBudgets: readonly BudgetEvaluation[];
  /** Every budget, in order. */
  readonly budgets: readonly BudgetEvaluation[];
}

/**
 * Karpenter's `MustGetAllowedDisruptions`: the minimum over active budgets that apply to `reason`,
 * "unlimited" if none is active, and 0 for any reason if any budget fails. `budgets` are the NodePool's
 * budgets after API-server defaulting (use DEFAULT_BUDGETS when the field is absent). Throws ValueError for a
 * `numNodes` that is not a non-negative integer, or an invalid `now`.
 */
export function allowedDisruptions(
  budgets: readonly DisruptionBudget[],
  reason: string,
  numNodes: number,
  now: Date,
): AllowedDisruptions {
  if (!Number.isSafeInteger(numNodes) || numNodes < 0) {
    throw new ValueError(
      `invalid node count ${String(numNodes)}: expected a whole number of nodes, 0 or more`,
      numNodes,
    );
  }
  nowMs(now);
  const evaluations = budgets.map((budget, index): BudgetEvaluation => {
    const activity = isBudgetActive(budget, now);
    const appliesToReason = budget.reasons === undefined || budget.reasons.includes(reason);
    const base = { index, budget, activity, appliesToReason };
    if (activity.status === "invalid") return { ...base, allowed: 0, problem: activity.problem };
    if (!activity.active) return { ...base, allowed: "unlimited", problem: undefined };
    const scaled = scaledNodes(budget.nodes, numNodes);
    if (typeof scaled === "string") {
      return { ...base, allowed: 0, problem: { kind: "nodes", nodes: budget.nodes, goError: scaled } };
    }
    return { ...base, allowed: scaled, problem: undefined };
  });
  const failClosed = evaluations.some((e) => e.problem !== undefined);
  const activeBudgets = evaluations.filter((e) => e.appliesToReason && e.activity.active);
  let allowed: number | "unlimited" = "unlimited";
  for (const e of activeBudgets) {
    if (typeof e.allowed === "number" && (allowed === "unlimited" || e.allowed < allowed)) allowed = e.allowed;
  }
  return { allowed: failClosed ? 0 : allowed, failClosed, activeBudgets, budgets: evaluations };
}

/**
 * A budget's `nodes` as a node count for a NodePool of `numNodes` nodes, or the reason Karpenter rejects it.
 * Karpenter's GetIntStrFromValue reads anything strconv.Atoi accepts as a count (intstr.FromInt keeps only
 * 32 bits); otherwise intstr.GetScaledValueFromIntOrPercent needs "<int>%" and rounds up: 10% of 15 nodes is 2.
 */
export function scaledNodes(nodes: string, numNodes: number): number | string {
  const count = goAtoi(nodes);
  if (typeof count === "bigint") return Number(BigInt.asIntN(32, count));
  if (!nodes.endsWith("%")) return "invalid type: string is not a percentage";
  const percent = goAtoi(nodes.slice(0, -1));
  if (typeof percent === "string") return `invalid value ${JSON.stringify(nodes)}: ${percent}`;
  // `|| 0` turns JavaScript's -0 (from "-0%" or a negative percentage rounding up to zero) into 0.
  return Math.ceil((Number(percent) * numNodes) / 100) || 0;
}

function invalid(problem: BudgetProblem): BudgetActivity {
  return { status: "invalid", active: false, problem };
}

function nowMs(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new ValueError(`invalid time ${String(now)}: expected a valid Date`, now);
  return ms;
}
