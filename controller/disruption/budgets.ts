/**
 * How many more nodes of a NodePool may be disrupted now for a reason (Karpenter's disruption/helpers.go
 * `BuildDisruptionBudgetMapping`, over api/cron's `allowedDisruptions`, the one implementation the policy check
 * uses too): the smallest limit among active budgets matching the reason, percentages rounded up over the pool's
 * counted nodes (Karpenter-managed, Initialized, instance not terminating), less the nodes already disrupting (not
 * Ready, being deleted, or taken by a command). A budget that cannot be evaluated blocks every reason (fail closed).
 */
import {
  type AllowedDisruptions,
  allowedDisruptions,
  DEFAULT_BUDGETS,
  type DisruptionBudget,
  type NodePool,
} from "../../api/index.ts";
import type { NodeFacts } from "./node-facts.ts";

/** The reasons budgets can name (`spec.disruption.budgets[].reasons`). */
export type BudgetReason = "Empty" | "Drifted" | "Underutilized";

export interface PoolBudget {
  readonly nodePool: string;
  readonly reason: BudgetReason;
  /** Nodes the budget counts percentages over. */
  readonly counted: number;
  /** Counted nodes already disrupting. */
  readonly disrupting: number;
  /** Nodes that may still start disrupting: the budget's allowance less `disrupting`, never below 0. */
  readonly remaining: number | "unlimited";
  readonly evaluation: AllowedDisruptions;
}

export function poolBudget(
  nodePool: NodePool,
  nodes: readonly NodeFacts[],
  reason: BudgetReason,
  now: Date,
): PoolBudget {
  const name = nodePool.metadata?.name ?? "";
  const counted = nodes.filter((n) => n.nodePool === name && n.initializedAtMs !== undefined && !n.instanceTerminating);
  const disrupting = counted.filter((n) => !n.ready || n.deleting || n.disruptionReason !== undefined).length;
  const budgets = (nodePool.spec.disruption?.budgets ?? DEFAULT_BUDGETS) as readonly DisruptionBudget[];
  const evaluation = allowedDisruptions(budgets, reason, counted.length, now);
  const remaining = evaluation.allowed === "unlimited" ? "unlimited" : Math.max(0, evaluation.allowed - disrupting);
  return { nodePool: name, reason, counted: counted.length, disrupting, remaining, evaluation };
}
