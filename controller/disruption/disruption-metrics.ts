/**
 * Disruption's prom-client metrics, Karpenter's names under `poolkeeper_` (karpenter.sh's metrics reference,
 * "Voluntary Disruption" and "Nodepools"): decisions carried out by decision, reason and consolidation type, and by
 * NodePool; candidates that failed re-validation; consolidation methods that ran out of time; nodes eligible per
 * reason; and per NodePool and reason, the
 * disruptions still allowed and the nodes consuming the budget. Label values are Karpenter's: reasons lowercase
 * (`empty`, `drifted`, `underutilized`, `expired`), decisions `delete` / `replace`, consolidation types `multi` /
 * `single` (empty for the other methods). With no budget active Karpenter reports MaxInt32 allowed; so do we.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { DisruptionMethod } from "./command.ts";
import type { ExecutionResult } from "./executor.ts";
import type { DisruptionPlan } from "./plan.ts";

export interface DisruptionMetrics {
  readonly decisions: Counter<"decision" | "reason" | "consolidation_type">;
  readonly decisionsByNodePool: Counter<"nodepool" | "decision" | "reason" | "consolidation_type">;
  readonly failedValidations: Counter<"consolidation_type">;
  readonly consolidationTimeouts: Counter<"consolidation_type">;
  readonly eligibleNodes: Gauge<"reason">;
  readonly allowedDisruptions: Gauge<"nodepool" | "reason">;
  readonly nodesConsumingBudgets: Gauge<"nodepool" | "reason">;
}

/** Go's math.MaxInt32, Karpenter's allowed disruptions when no budget limits them. */
export const UNLIMITED_DISRUPTIONS = 2_147_483_647;

export function createDisruptionMetrics(registry: Registry): DisruptionMetrics {
  const registers = [registry];
  return {
    decisions: new Counter({
      name: "poolkeeper_voluntary_disruption_decisions_total",
      help: "Disruption decisions carried out, by decision (delete or replace), reason and consolidation type.",
      labelNames: ["decision", "reason", "consolidation_type"] as const,
      registers,
    }),
    decisionsByNodePool: new Counter({
      name: "poolkeeper_voluntary_disruption_decisions_by_nodepool_total",
      help: "Disruption decisions carried out, by NodePool, decision, reason and consolidation type.",
      labelNames: ["nodepool", "decision", "reason", "consolidation_type"] as const,
      registers,
    }),
    failedValidations: new Counter({
      name: "poolkeeper_voluntary_disruption_failed_validations_total",
      help: "Commands that failed re-validation before acting, by consolidation type.",
      labelNames: ["consolidation_type"] as const,
      registers,
    }),
    consolidationTimeouts: new Counter({
      name: "poolkeeper_voluntary_disruption_consolidation_timeouts_total",
      help: "Consolidation methods that ran out of time (multi 1 min, single 3 min), by consolidation type.",
      labelNames: ["consolidation_type"] as const,
      registers,
    }),
    eligibleNodes: new Gauge({
      name: "poolkeeper_voluntary_disruption_eligible_nodes",
      help: "Nodes the last pass's methods could act on before budgets, by disruption reason.",
      labelNames: ["reason"] as const,
      registers,
    }),
    allowedDisruptions: new Gauge({
      name: "poolkeeper_nodepools_allowed_disruptions",
      help: "Nodes of a NodePool that may start disrupting for a reason now (2147483647: no budget limits it).",
      labelNames: ["nodepool", "reason"] as const,
      registers,
    }),
    nodesConsumingBudgets: new Gauge({
      name: "poolkeeper_nodepools_nodes_consuming_budgets",
      help: "Nodes of a NodePool already disrupting, which its budgets count against, by reason.",
      labelNames: ["nodepool", "reason"] as const,
      registers,
    }),
  };
}

/** What a pass's plan records: eligible nodes per reason, each pool's allowance and what consumes it, timeouts. */
export function recordPlan(metrics: DisruptionMetrics, plan: DisruptionPlan): void {
  for (const { method } of plan.timeouts)
    metrics.consolidationTimeouts.inc({ consolidation_type: consolidationTypeOf(method) });
  for (const [reason, count] of Object.entries(plan.eligible))
    metrics.eligibleNodes.set({ reason: lower(reason) }, count);
  for (const budget of plan.allowed) {
    const labels = { nodepool: budget.nodePool, reason: lower(budget.reason) };
    metrics.allowedDisruptions.set(labels, budget.remaining === "unlimited" ? UNLIMITED_DISRUPTIONS : budget.remaining);
    metrics.nodesConsumingBudgets.set(labels, budget.disrupting);
  }
}

/** The counters a command's outcome adds: a decision once it acted (done or rolled back), a failed validation. */
export function recordExecution(metrics: DisruptionMetrics, result: ExecutionResult): void {
  const { command } = result;
  const consolidationType = consolidationTypeOf(command.method);
  if (result.outcome === "invalidated") {
    metrics.failedValidations.inc({ consolidation_type: consolidationType });
    return;
  }
  if (result.outcome !== "done" && result.outcome !== "rolled-back") return;
  const labels = {
    decision: command.replacements.length === 0 ? "delete" : "replace",
    reason: lower(command.reason),
    consolidation_type: consolidationType,
  };
  metrics.decisions.inc(labels);
  for (const nodepool of new Set(command.candidates.map((c) => c.nodePool))) {
    metrics.decisionsByNodePool.inc({ ...labels, nodepool });
  }
}

function consolidationTypeOf(method: DisruptionMethod): string {
  if (method === "multi-node-consolidation") return "multi";
  if (method === "single-node-consolidation") return "single";
  return "";
}

const lower = (reason: string) => reason.toLowerCase();
