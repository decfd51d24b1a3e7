/**
 * The disruption planner (Karpenter's disruption/controller.go `disrupt`), pure: from a snapshot, the desired
 * NodePools (from Git, through the gate), the instance types each pool may launch and a clock, the commands of one
 * pass and, for every node considered and not acted on, why. Expiration first, as the forceful path outside budgets;
 * then the graceful methods in Karpenter's order — emptiness, drift, multi-node and single-node consolidation — the
 * first that finds something acts alone. Also reported: each pool's budgets as spent, and rollout progress.
 * `planSteps` is the planner itself, pausing between simulations; `plan` runs it in one go, `planYielding` hands the
 * event loop back as it goes (pass-steps.ts) — the same decisions either way.
 */
import type { Clock, NodePool } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { type BudgetReason, type PoolBudget, poolBudget } from "./budgets.ts";
import { type Candidate, candidates } from "./candidates.ts";
import type { Blocked, DisruptionCommand } from "./command.ts";
import { consolidationCandidates, multiNodeConsolidation, singleNodeConsolidation } from "./consolidation.ts";
import { drift } from "./drift-method.ts";
import { type EligibleNodes, eligibleNodes } from "./eligible.ts";
import { emptiness } from "./emptiness.ts";
import { expirations } from "./expiration.ts";
import { budgetSummary } from "./explanations.ts";
import type { DesiredState } from "./desired-state.ts";
import type { DisruptionOptions } from "./options.ts";
import { type MethodTimeout, type Pass, startPass } from "./pass.ts";
import { runSteps, runStepsYielding, type Steps, type YieldingOptions } from "./pass-steps.ts";
import { rolloutProgress, type RolloutProgress } from "./rollout.ts";
import type { DisruptionSnapshot } from "./snapshot.ts";

export interface DisruptionPlan {
  readonly decidedAt: Date;
  /** Expirations, then at most one graceful command, and at most one more that is a dry run's report. */
  readonly commands: readonly DisruptionCommand[];
  readonly blocked: readonly Blocked[];
  /** Each budget the pass looked at: "pool default, Underutilized: 1 more of 10 nodes (0 disrupting)". */
  readonly budgets: readonly string[];
  readonly rollout: readonly RolloutProgress[];
  /** Desired pools that could not be read, each naming the pool and field; their nodes are left alone. */
  readonly problems: readonly string[];
  /** Per reason, the candidates its method could act on before budgets. */
  readonly eligible: EligibleNodes;
  /** Every desired pool's budget for every reason as the pass began, before its commands spent any. */
  readonly allowed: readonly PoolBudget[];
  /** Methods that ran out of their time and returned what they had, each saying so. */
  readonly timeouts: readonly MethodTimeout[];
}

const BUDGET_REASONS: readonly BudgetReason[] = ["Empty", "Drifted", "Underutilized"];

export function plan(
  snapshot: DisruptionSnapshot,
  desired: DesiredState,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
  options: DisruptionOptions = {},
): DisruptionPlan {
  return runSteps(planSteps(snapshot, desired, instanceTypes, clock, options));
}

/** `plan`, handing the event loop back between simulations: what the disruption loop runs. */
export function planYielding(
  snapshot: DisruptionSnapshot,
  desired: DesiredState,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
  options: DisruptionOptions = {},
  yielding: YieldingOptions = {},
): Promise<DisruptionPlan> {
  return runStepsYielding(planSteps(snapshot, desired, instanceTypes, clock, options), yielding);
}

export function* planSteps(
  snapshot: DisruptionSnapshot,
  desired: DesiredState,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
  options: DisruptionOptions = {},
): Steps<DisruptionPlan> {
  const { pass, unavailable, problems, dryRun } = startPass(snapshot, desired, instanceTypes, clock, options);
  const { now, pools } = pass;
  const commands: DisruptionCommand[] = expirations(pass, dryRun);
  const expiring = new Set(commands.flatMap((c) => c.candidates.map((n) => n.node)));
  for (const name of expiring) unavailable.add(name);
  const cands = candidates(pass, expiring);
  const eligible = eligibleNodes(cands);
  // Nodes still within consolidateAfter take no moved pods (FACTS.md §b).
  for (const c of cands) if (c.consolidatable.state === "waiting") unavailable.add(c.facts.name);
  // Pools that act first, then pools that only report (dry run): a report takes no turn, so a pool annotated
  // dry-run, whose would-be command is planned again every pass, never holds the other pools' disruption back.
  const acting = cands.filter((c) => !dryRun(c.pool.metadata?.name ?? ""));
  const graceful = yield* gracefulCommand(pass, acting, dryRun);
  if (graceful !== undefined) {
    commands.push(graceful);
    for (const c of graceful.candidates) unavailable.add(c.node);
  }
  const report = yield* gracefulCommand(
    pass,
    cands.filter((c) => !acting.includes(c)),
    dryRun,
  );
  if (report !== undefined) commands.push(report);
  for (const command of commands) for (const c of command.candidates) pass.unblock(c.node);

  // Each pool's progress and budgets read only its nodes (they filter by pool themselves).
  const factsOf = (pool: NodePool) => pass.factsOf(pool.metadata?.name ?? "");
  return {
    decidedAt: now,
    commands,
    blocked: pass.blocked(),
    budgets: pass.budgetsUsed().map((b) => budgetSummary(b, now)),
    rollout: [...pools.values()].map((pool) => rolloutProgress(pool, factsOf(pool), desired.commit)),
    problems,
    eligible,
    allowed: [...pools.values()].flatMap((pool) => BUDGET_REASONS.map((r) => poolBudget(pool, factsOf(pool), r, now))),
    timeouts: pass.timeouts(),
  };
}

/** The graceful methods in Karpenter's order; the first that finds something acts alone. */
function* gracefulCommand(
  pass: Pass,
  cands: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): Steps<DisruptionCommand | undefined> {
  if (cands.length === 0) return undefined;
  return (
    emptiness(pass, cands, dryRun) ?? (yield* drift(pass, cands, dryRun)) ?? (yield* consolidate(pass, cands, dryRun))
  );
}

function* consolidate(
  pass: Pass,
  cands: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): Steps<DisruptionCommand | undefined> {
  const list = consolidationCandidates(pass, cands);
  const multi = yield* multiNodeConsolidation(pass, list, dryRun);
  if (multi === undefined) return yield* singleNodeConsolidation(pass, list, dryRun);
  for (const c of list)
    pass.block(c.facts, "not-evaluated", `not evaluated: one command per pass, and ${multi.message}`);
  return multi;
}
