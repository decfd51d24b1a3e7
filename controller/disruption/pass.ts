/**
 * One disruption pass's shared state: the clock's now, the nodes' facts, the desired pools, the budgets as they are
 * spent by the commands of this pass, and the first reason each node was set aside (Karpenter's disruption
 * controller keeps the same per loop: `BuildDisruptionBudgetMapping` once, decremented per candidate chosen).
 */
import { type Clock, type NodePool, ValueError } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { nodePoolTemplate, type NodePoolTemplate } from "../provisioning/index.ts";
import { podKey } from "../provisioning/pod-constraints.ts";
import { type BudgetReason, type PoolBudget, poolBudget } from "./budgets.ts";
import type { Blocked, BlockedKind, CommandCandidate, DisruptionMethod } from "./command.ts";
import { budgetBlockedText } from "./explanations.ts";
import type { DesiredState } from "./desired-state.ts";
import { type NodeFacts, nodeFacts } from "./node-facts.ts";
import { ANNOTATION_DISRUPTION_MODE, type DisruptionOptions } from "./options.ts";
import { isCurrentlyReschedulable } from "./pod-blockers.ts";
import type { SimulationContext } from "./simulate.ts";
import type { DisruptionSnapshot } from "./snapshot.ts";

/** A method that ran out of its time, and what it returned instead. */
export interface MethodTimeout {
  readonly method: DisruptionMethod;
  readonly message: string;
}

export class Pass {
  readonly now: Date;
  readonly snapshot: DisruptionSnapshot;
  readonly facts: readonly NodeFacts[];
  readonly pools: ReadonlyMap<string, NodePool>;
  readonly templates: readonly NodePoolTemplate[];
  readonly instanceTypes: ReadonlyMap<string, readonly InstanceType[]>;
  readonly sim: SimulationContext;
  readonly #budgets = new Map<string, { budget: PoolBudget; spent: number }>();
  #byPool: Map<string | undefined, NodeFacts[]> | undefined;
  readonly #blocked = new Map<string, Blocked>();
  readonly #timeouts: MethodTimeout[] = [];

  constructor(init: {
    now: Date;
    snapshot: DisruptionSnapshot;
    facts: readonly NodeFacts[];
    pools: ReadonlyMap<string, NodePool>;
    templates: readonly NodePoolTemplate[];
    instanceTypes: ReadonlyMap<string, readonly InstanceType[]>;
    sim: SimulationContext;
  }) {
    this.now = init.now;
    this.snapshot = init.snapshot;
    this.facts = init.facts;
    this.pools = init.pools;
    this.templates = init.templates;
    this.instanceTypes = init.instanceTypes;
    this.sim = init.sim;
  }

  budget(nodePool: string, reason: BudgetReason): PoolBudget {
    return this.#entry(nodePool, reason).budget;
  }

  /** Takes one node of the pool's budget for the reason; false (and the node blocked) when none is left. */
  take(facts: NodeFacts, reason: BudgetReason): boolean {
    const entry = this.#entry(facts.nodePool ?? "", reason);
    const { remaining } = entry.budget;
    if (remaining !== "unlimited" && entry.spent >= remaining) {
      this.block(facts, "budget", `${reason}: ${budgetBlockedText(entry.budget, this.now)}`);
      return false;
    }
    entry.spent += 1;
    return true;
  }

  /** Gives back what `take` took, for a candidate a command did not use after all. */
  giveBack(facts: NodeFacts, reason: BudgetReason): void {
    const entry = this.#entry(facts.nodePool ?? "", reason);
    entry.spent = Math.max(0, entry.spent - 1);
  }

  /** Records why the node is not acted on; the first reason stays. */
  block(facts: NodeFacts, kind: BlockedKind, message: string): void {
    if (this.#blocked.has(facts.name)) return;
    this.#blocked.set(facts.name, {
      node: facts.name,
      nodeClaim: facts.nodeClaim,
      nodePool: facts.nodePool,
      kind,
      message,
    });
  }

  isBlocked(facts: NodeFacts): boolean {
    return this.#blocked.has(facts.name);
  }

  /** A node a command of this pass takes is not blocked, whatever an earlier method said. */
  unblock(node: string): void {
    this.#blocked.delete(node);
  }

  /** Records that a method ran out of its time and returned what it had (Karpenter's `ConsolidationTimeoutsTotal`). */
  timedOut(method: DisruptionMethod, message: string): void {
    this.#timeouts.push({ method, message });
  }

  timeouts(): MethodTimeout[] {
    return [...this.#timeouts];
  }

  blocked(): Blocked[] {
    return [...this.#blocked.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  /**
   * The facts of the pool's nodes, in the pass's order: what the budgets and rollout progress of a pool read, grouped
   * once per pass instead of a walk over every node per pool and reason.
   */
  factsOf(nodePool: string): readonly NodeFacts[] {
    this.#byPool ??= Map.groupBy(this.facts, (f) => f.nodePool);
    return this.#byPool.get(nodePool) ?? [];
  }

  budgetsUsed(): PoolBudget[] {
    return [...this.#budgets.values()].map((e) => e.budget);
  }

  #entry(nodePool: string, reason: BudgetReason) {
    const key = `${nodePool}\u0000${reason}`;
    let entry = this.#budgets.get(key);
    if (entry === undefined) {
      const pool = this.pools.get(nodePool);
      if (pool === undefined) throw new Error(`NodePool ${nodePool} is not in the desired state`);
      entry = { budget: poolBudget(pool, this.factsOf(nodePool), reason, this.now), spent: 0 };
      this.#budgets.set(key, entry);
    }
    return entry;
  }
}

export function commandCandidate(facts: NodeFacts): CommandCandidate {
  return {
    node: facts.name,
    nodeClaim: facts.nodeClaim,
    nodePool: facts.nodePool ?? "",
    instanceType: facts.instanceType,
    capacityType: facts.capacityType,
    price: facts.price,
  };
}

export interface StartedPass {
  readonly pass: Pass;
  /** Nodes pods may not move to; methods add to it as they go. */
  readonly unavailable: Set<string>;
  /** Desired pools that could not be read, each naming the pool and field. */
  readonly problems: readonly string[];
  /** Whether commands for this pool are reports only. */
  readonly dryRun: (pool: string) => boolean;
}

/** The shared state of one pass, for the planner and for re-validation. */
export function startPass(
  snapshot: DisruptionSnapshot,
  desired: DesiredState,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
  options: DisruptionOptions,
): StartedPass {
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
  const now = clock.now();
  const deleting = snapshot.deletingNodePods.filter((p) =>
    isCurrentlyReschedulable(p, snapshot.podDisruptionBudgets, now),
  );
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
      alsoMoving: [...snapshot.pendingPods, ...deleting],
      pending: new Set(snapshot.pendingPods.map(podKey)),
      marginPercent: options.marginPercent ?? 0,
      spotToSpot: options.spotToSpot ?? false,
    },
  });
  const dryRun = (pool: string) =>
    options.dryRun === true || pools.get(pool)?.metadata?.annotations?.[ANNOTATION_DISRUPTION_MODE] === "dry-run";
  return { pass, unavailable, problems, dryRun };
}
