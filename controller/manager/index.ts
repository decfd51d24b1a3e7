// The controller manager: named runnables and reconcile loops started only while this replica acts (leader, and
// no Karpenter controller holding its own leader lease).
export {
  ControllerManager,
  type ActGuard,
  type ControllerManagerOptions,
  type ElectionCallbacks,
  type Leadership,
  type ManagerPhase,
  type ManagerStatus,
} from "./manager.ts";
export { controllerRunnable, type StartedController } from "./controller-runnable.ts";
export { DEFAULT_FAILURE_BACKOFF, FailureBackoff, type FailureBackoffOptions } from "./failure-backoff.ts";
export { ForeignLeaseGuard, KARPENTER_LEADER_LEASE, type ForeignLeaseGuardOptions } from "./foreign-lease-guard.ts";
export { managerPhaseMetric } from "./metrics.ts";
export { judgeForeignLease, type ForeignLeaseState, type LeaseObservation } from "./foreign-lease.ts";
export { reconcileLoop, type ReconcileLoopOptions } from "./reconcile-loop.ts";
export type { ReconcileContext, ReconcileResult, Reconciler, RunContext, Runnable } from "./runnable.ts";
