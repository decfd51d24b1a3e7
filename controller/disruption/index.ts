// Disruption (Karpenter's pkg/controllers/disruption): the pure planner over a snapshot — expiration, emptiness,
// drift, multi- and single-node consolidation within budgets, with a reason for every node not acted on and
// rollout progress per pool — the executor that carries a command out over the Cluster port, and the loop that
// builds the snapshot from cluster state, plans, executes and reports every 10 s. See docs/disruption.md.
export { type BudgetReason, type PoolBudget, poolBudget } from "./budgets.ts";
export type {
  Blocked,
  BlockedKind,
  CommandCandidate,
  CommandReason,
  DisruptionCommand,
  DisruptionMethod,
} from "./command.ts";
export { driftReason } from "./drift.ts";
export { budgetBlockedText, budgetSummary, utcTime } from "./explanations.ts";
export { isReschedulable } from "./pods.ts";
export { nodeFacts, type NodeFacts } from "./node-facts.ts";
export {
  ANNOTATION_NODE_POOL_HASH,
  ANNOTATION_NODE_POOL_HASH_VERSION,
  ANNOTATION_SOURCE_COMMIT,
  nodePoolAnnotations,
  nodePoolHash,
} from "./nodepool-hash.ts";
export {
  ANNOTATION_DISRUPTION_MODE,
  COMMAND_VALIDATION_DELAY_MS,
  type DisruptionOptions,
  NOMINATION_WINDOW_MS,
} from "./options.ts";
export type { DesiredState } from "./desired-state.ts";
export { type DisruptionPlan, plan, planSteps, planYielding } from "./plan.ts";
export { PLAN_SLICE_MS, runSteps, runStepsYielding, type Steps, type YieldingOptions } from "./pass-steps.ts";
export type { RolloutProgress } from "./rollout.ts";
export type { DisruptionNode, DisruptionSnapshot } from "./snapshot.ts";
export { deletingNodePods, disruptionSnapshot, type DisruptionSnapshotOptions } from "./build-snapshot.ts";
export { revalidate, type Validation } from "./revalidate.ts";
export {
  ANNOTATION_DISRUPTION_COMMAND,
  ANNOTATION_DISRUPTION_REPLACEMENTS,
  DEFAULT_INITIALIZATION_TIMEOUT_MS,
  DisruptionExecutor,
  type ExecutionResult,
  type ExecutorOptions,
} from "./executor.ts";
export { planEvents, recordAll } from "./events.ts";
export {
  DISRUPTION_POLL_INTERVAL_MS,
  DisruptionController,
  type DisruptionLoopDependencies,
  type DisruptionPass,
  disruptionLoop,
} from "./disruption-loop.ts";
export { DisruptionStatusReport } from "./status-report.ts";
export {
  createDisruptionMetrics,
  type DisruptionMetrics,
  recordExecution,
  recordPlan,
  UNLIMITED_DISRUPTIONS,
} from "./disruption-metrics.ts";
export type { EligibleNodes } from "./eligible.ts";
export type { DisruptionStatusEvent, DisruptionStatusSink } from "./status-sink.ts";
export { CONDITION_ROLLED_OUT, rolloutCondition, writeRolloutStatus } from "./rollout-status.ts";
