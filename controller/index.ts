// The controller's public surface for the program that assembles it (cli/, tests): what other parts use.
export { createCloudProviderMetrics } from "./cloud-provider-metrics.ts";
// Termination (the one drain, shared with disruption) and interruption. See docs/interruption.md.
export {
  beginTermination,
  type BeginTermination,
  TerminationController,
  type TerminationOptions,
  type TerminationReport,
  TERMINATION_FINALIZER,
} from "./termination/index.ts";
export {
  createInterruptionMetrics,
  type HandledMessage,
  InterruptionConsumer,
  InterruptionController,
  type InterruptionControllerOptions,
  type InstanceStatus,
  type InstanceStatusSource,
  type InterruptionMetrics,
  type InterruptionStatusSink,
  parseMessage,
  reportInterruptionEnd,
  resolveInterruptionQueue,
} from "./interruption/index.ts";
// Provisioning's loop, the NodeClaim lifecycle and cluster state, for the program that wires them (`run`).
export {
  GARBAGE_COLLECTION_GRACE_MS,
  Launcher,
  launchedAt,
  launchReport,
  NodeClaimGarbageCollection,
  NodeClaimLifecycle,
  type NodeClaimStatusEvent,
  type NodeClaimStatusSink,
  type ObservedCapacitySink,
} from "./nodeclaim/index.ts";
export {
  createProvisioningMetrics,
  Provisioner,
  type ProvisionerOptions,
  type ProvisioningStatusSink,
} from "./provisioning/index.ts";
export { Nominations, readClusterState, readPoolLiveStatus, type StateNode } from "./state/index.ts";
// Disruption's loop, one entry for the run program. See docs/disruption.md.
export {
  createDisruptionMetrics,
  DisruptionController,
  type DisruptionLoopDependencies,
  disruptionLoop,
  type DisruptionStatusSink,
} from "./disruption/index.ts";
export {
  ControllerManager,
  controllerRunnable,
  ForeignLeaseGuard,
  KARPENTER_LEADER_LEASE,
  managerPhaseMetric,
  reconcileLoop,
  type ControllerManagerOptions,
  type ManagerStatus,
  type Reconciler,
  type Runnable,
  type StartedController,
} from "./manager/index.ts";
// What a pool change would do before it merges, and the snapshot it reads (`plan`, `snapshot`). See docs/plan.md.
export {
  type ChangePreview,
  type ClusterPreview,
  type ClusterSnapshotDocument,
  DRIFT_WAVE_MINUTES,
  exportClusterSnapshot,
  type LoadedSnapshot,
  loadSnapshot,
  type NodeClassChange,
  parseClusterSnapshot,
  type PoolChange,
  type PoolSide,
  previewChange,
} from "./preview/index.ts";
