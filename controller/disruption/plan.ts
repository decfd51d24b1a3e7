/**
 * The disruption planner (Karpenter's disruption/controller.go `disrupt`), pure: from a snapshot, the desired
 * NodePools (from Git, through the gate), the instance types each pool may launch and a clock, the commands of one
 * pass and, for every node considered and not acted on, why. Expiration first, as the forceful path outside budgets;
 * then the graceful methods in Karpenter's order — emptiness, drift, multi-node and single-node consolidation — the
 * first that finds something acts alone. Also reported: each pool's budgets as spent, and rollout progress.
 */
import { type Clock, type NodePool, ValueError } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { nodePoolTemplate, type NodePoolTemplate } from "../provisioning/index.ts";
import { type Candidate, candidates } from "./candidates.ts";
import type { Blocked, DisruptionCommand } from "./command.ts";
import { consolidationCandidates, multiNodeConsolidation, singleNodeConsolidation } from "./consolidation.ts";
import { drift } from "./drift-method.ts";
import { emptiness } from "./emptiness.ts";
import { expirations } from "./expiration.ts";
import { budgetSummary } from "./explanations.ts";
import { nodeFacts } from "./node-facts.ts";
import { ANNOTATION_DISRUPTION_MODE, type DisruptionOptions } from "./options.ts";
import { Pass } from "./pass.ts";
import { rolloutProgress, type RolloutProgress } from "./rollout.ts";
import type { DisruptionSnapshot } from "./snapshot.ts";

export interface DesiredState {
  readonly nodePools: readonly NodePool[];
  /** The Git commit the pools were read at, for rollout progress and the replacements' annotation. */
  readonly commit?: string;
}

export interface DisruptionPlan {
  readonly decidedAt: Date;
  /** Expirations, then at most one graceful command. */
  readonly commands: readonly DisruptionCommand[];
  readonly blocked: readonly Blocked[];
  /** Each budget the pass looked at: "pool default, Underutilized: 1 more of 10 nodes (0 disrupting)". */
  readonly budgets: readonly string[];
  readonly rollout: readonly RolloutProgress[];
  /** Desired pools that could not be read, each naming the pool and field; their nodes are left alone. */
  readonly problems: readonly string[];
}

export function plan(
  snapshot: DisruptionSnapshot,
  desired: DesiredState,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
  options: DisruptionOptions = {},
): DisruptionPlan {
  const now = clock.now();
  const problems: string[] = [];
  const templates: NodePoolTemplate[] = [];
  const pools = new Map<string, NodePool>();
  for (const pool of desired.nodePools) {
    try {
      templates.push(nodePoolTemplate(pool));
      pools.set(pool.metadata?.name ?? "", pool);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      problems.push(error.message);
    }
  }
  const facts = snapshot.nodes.map((n) => nodeFacts(n, instanceTypes));
  const unavailable = new Set(facts.filter((f) => f.deleting || f.disruptionReason !== undefined).map((f) => f.name));
  const pass = new Pass({
    now,
    snapshot,
    facts,
    pools,
    templates,
    instanceTypes,
    sim: {
      snapshot,
      templates,
      instanceTypes,
      clock,
      unavailable,
      marginPercent: options.marginPercent ?? 0,
      spotToSpot: options.spotToSpot ?? false,
    },
  });
  const dryRun = (pool: string) =>
    options.dryRun === true || pools.get(pool)?.metadata?.annotations?.[ANNOTATION_DISRUPTION_MODE] === "dry-run";

  const commands: DisruptionCommand[] = expirations(pass, dryRun);
  const expiring = new Set(commands.flatMap((c) => c.candidates.map((n) => n.node)));
  for (const name of expiring) unavailable.add(name);
  const cands = candidates(pass, expiring);
  // Nodes still within consolidateAfter take no moved pods (FACTS.md §b).
  for (const c of cands) if (c.consolidatable.state === "waiting") unavailable.add(c.facts.name);
  const graceful = emptiness(pass, cands, dryRun) ?? drift(pass, cands, dryRun) ?? consolidate(pass, cands, dryRun);
  if (graceful !== undefined) commands.push(graceful);
  for (const command of commands) for (const c of command.candidates) pass.unblock(c.node);

  return {
    decidedAt: now,
    commands,
    blocked: pass.blocked(),
    budgets: pass.budgetsUsed().map((b) => budgetSummary(b, now)),
    rollout: [...pools.values()].map((pool) => rolloutProgress(pool, facts, desired.commit)),
    problems,
  };
}

function consolidate(
  pass: Pass,
  cands: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): DisruptionCommand | undefined {
  const list = consolidationCandidates(pass, cands);
  const multi = multiNodeConsolidation(pass, list, dryRun);
  if (multi === undefined) return singleNodeConsolidation(pass, list, dryRun);
  for (const c of list)
    pass.block(c.facts, "not-evaluated", `not evaluated: one command per pass, and ${multi.message}`);
  return multi;
}
