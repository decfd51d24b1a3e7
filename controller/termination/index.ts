// Termination (Karpenter's node termination controller and terminator): the one drain, shared by interruption and
// disruption. Start a node's termination with `beginTermination` (taint, optional deadline, delete the NodeClaim);
// the `TerminationController` finishes it (drain in Karpenter's order, volume detachment, instance, finalizer).
// See docs/interruption.md.
export { beginTermination, type BeginOutcome, type BeginTermination } from "./begin-termination.ts";
export { drainPlan, type DrainPlan, evictionGroups, expiringPods, isWaitingEviction } from "./drain-order.ts";
export { terminationDeadline } from "./termination-deadline.ts";
export { TerminationController, type TerminationOptions } from "./termination-controller.ts";
export {
  ANNOTATION_TERMINATION_TIMESTAMP,
  CRITICAL_PRIORITY_CLASSES,
  TERMINATION_FINALIZER,
} from "./termination-keys.ts";
export type { TerminationReport } from "./termination-report.ts";
