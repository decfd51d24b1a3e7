/**
 * Which nodes a change drifts, per pool, and how fast the controller would replace them. Each node is judged by the
 * controller's own `driftReason` twice: as launched from the base (its NodeClaim annotated with the base pool's hash,
 * as the cluster runs the base today) against the base pool, and against the head pool with the drift its
 * EC2NodeClass's change brings; a node that drifts only under the head drifts because of the change. Drift
 * replaces within each pool's `Drifted` budget (`poolBudget`), so the rollout goes in waves of what the budget
 * allows at the snapshot's time.
 */
import type { NodePool } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import {
  budgetBlockedText,
  budgetSummary,
  utcTime,
  type DisruptionNode,
  driftReason,
  type NodeFacts,
  nodeFacts,
  poolBudget,
} from "../disruption/index.ts";
import { launchedFrom, poolOf } from "./launched-from.ts";
import type { NodeClassChange } from "./pool-changes.ts";

/** Assumed time for one wave of replacements: launch, initialize, drain (EKS nodes are Ready in 1–3 minutes). */
export const DRIFT_WAVE_MINUTES = 5;

export interface PoolDrift {
  readonly nodePool: string;
  /** The pool's nodes in the snapshot, not being deleted. */
  readonly nodes: number;
  /** Nodes the change drifts, by reason. */
  readonly drifting: number;
  readonly reasons: Readonly<Record<string, number>>;
  /** Nodes already drifted before the change (their replacement is not the change's doing). */
  readonly alreadyDrifted: number;
  /** The pool is deleted: its NodeClaims go with it (owner references), outside budgets. */
  readonly poolDeleted: boolean;
  /** Replacements at a time under the budgets active at the snapshot's time; 0 while a budget holds them. */
  readonly perWave: number | "unlimited";
  /** "pool default, Drifted: 2 more of 6 nodes (0 disrupting)", or why none may go now. */
  readonly budget: string;
  /** When a blocking budget window ends ("17:00 UTC" on the snapshot's day), after which `perWaveAfter` go at a time. */
  readonly blockedUntil?: string;
  readonly perWaveAfter?: number | "unlimited";
  /** Waves and minutes at that pace; absent while a budget holds the rollout with no end in sight. */
  readonly waves?: number;
  readonly minutes?: number;
  /** The nodes the change drifts (Node names), for the cost of their replacement. */
  readonly nodeNames: readonly string[];
}

export interface DriftInput {
  readonly nodes: readonly DisruptionNode[];
  readonly base: ReadonlyMap<string, NodePool>;
  readonly head: ReadonlyMap<string, NodePool>;
  readonly classChanges: readonly NodeClassChange[];
  readonly instanceTypes: ReadonlyMap<string, readonly InstanceType[]>;
  readonly now: Date;
}

export function driftPreview(input: DriftInput): PoolDrift[] {
  const classDrift = new Map(
    input.classChanges.flatMap((c) => (c.drift === undefined ? [] : [[c.nodeClass, c.drift] as const])),
  );
  const headFacts: NodeFacts[] = [];
  const byPool = new Map<string, { facts: NodeFacts; reason: string | undefined; already: boolean }[]>();
  for (const n of input.nodes) {
    const name = poolOf(n);
    if (name === undefined || n.node.metadata.deletionTimestamp || n.nodeClaim.metadata.deletionTimestamp) continue;
    const basePool = input.base.get(name);
    const headPool = input.head.get(name);
    const base = nodeFacts(launchedFrom(n, basePool, undefined), input.instanceTypes);
    const head = nodeFacts(
      launchedFrom(n, basePool ?? headPool, classDrift.get(n.nodeClaim.spec.nodeClassRef?.name ?? "")),
      input.instanceTypes,
    );
    headFacts.push(head);
    const already = basePool !== undefined && driftReason(base, basePool) !== undefined;
    const reason =
      headPool === undefined ? (basePool === undefined ? undefined : "NodePoolDeleted") : driftReason(head, headPool);
    byPool.set(name, [...(byPool.get(name) ?? []), { facts: head, reason: already ? undefined : reason, already }]);
  }

  const out: PoolDrift[] = [];
  for (const [name, entries] of [...byPool].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const drifting = entries.flatMap((e) => (e.reason === undefined ? [] : [{ ...e, reason: e.reason }]));
    const alreadyDrifted = entries.filter((e) => e.already).length;
    if (drifting.length === 0 && alreadyDrifted === 0) continue;
    const reasons: Record<string, number> = {};
    for (const e of drifting) reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
    const common = {
      nodePool: name,
      nodes: entries.length,
      drifting: drifting.length,
      reasons,
      alreadyDrifted,
      nodeNames: drifting.map((e) => e.facts.name),
    };
    const headPool = input.head.get(name);
    if (headPool === undefined) {
      out.push({
        ...common,
        poolDeleted: true,
        perWave: "unlimited",
        budget: "the pool is deleted: budgets do not apply",
        waves: 1,
        minutes: DRIFT_WAVE_MINUTES,
      });
      continue;
    }
    out.push({ ...common, poolDeleted: false, ...pace(headPool, headFacts, drifting.length, input.now) });
  }
  return out;
}

type Pace = Pick<PoolDrift, "perWave" | "budget" | "blockedUntil" | "perWaveAfter" | "waves" | "minutes">;

function pace(pool: NodePool, facts: readonly NodeFacts[], count: number, now: Date): Pace {
  const budget = poolBudget(pool, facts, "Drifted", now);
  const waves = (perWave: number | "unlimited") =>
    count === 0 ? 0 : perWave === "unlimited" ? 1 : perWave === 0 ? undefined : Math.ceil(count / perWave);
  const timed = (n: number | undefined) => (n === undefined ? {} : { waves: n, minutes: n * DRIFT_WAVE_MINUTES });
  if (budget.remaining !== 0 || count === 0) {
    return { perWave: budget.remaining, budget: budgetSummary(budget, now), ...timed(waves(budget.remaining)) };
  }
  const text = `pool ${budget.nodePool}, Drifted: 0 now (${budgetBlockedText(budget, now)})`;
  const zero = budget.evaluation.activeBudgets.filter((b) => b.allowed === 0);
  // Nodes already disrupting take the whole allowance: the rollout follows them at the budget's pace.
  if (zero.length === 0 && !budget.evaluation.failClosed) {
    return { perWave: budget.evaluation.allowed, budget: text, ...timed(waves(budget.evaluation.allowed)) };
  }
  // A scheduled window that allows nothing: the rollout starts when it ends, at the pace budgets allow then.
  const ends = zero.map((b) => (b.activity.status === "active" ? b.activity.activeUntil?.getTime() : undefined));
  if (budget.evaluation.failClosed || ends.some((end) => end === undefined)) return { perWave: 0, budget: text };
  const until = new Date(Math.max(...(ends as number[])));
  const after = poolBudget(pool, facts, "Drifted", until);
  return {
    perWave: 0,
    budget: text,
    blockedUntil: utcTime(until, now),
    perWaveAfter: after.remaining,
    ...timed(waves(after.remaining)),
  };
}
