// The NodeClaim lifecycle (Karpenter's pkg/controllers/nodeclaim): launch through the cloud provider, registration
// and initialization of its Node, the launch and registration timeouts, and garbage collection between the cloud
// and the cluster. See docs/provisioning.md.
export {
  type Collected,
  GARBAGE_COLLECTION_GRACE_MS,
  GARBAGE_COLLECTION_INTERVAL_MS,
  type GarbageCollectionOptions,
  NodeClaimGarbageCollection,
} from "./garbage-collection.ts";
export { notInitializedBecause } from "./initialization.ts";
export { Launcher, type LauncherOptions, type LaunchOutcome } from "./launch.ts";
export { launchedAt, launchReport, type LaunchStatusSink } from "./launch-report.ts";
export { NodeClaimLifecycle, type NodeClaimLifecycleOptions } from "./lifecycle-controller.ts";
export {
  LAUNCH_TIMEOUT_MS,
  liveness,
  type Liveness,
  type LivenessTimeouts,
  REGISTRATION_TIMEOUT_MS,
} from "./liveness.ts";
export { nodeClaimReference } from "./nodeclaim-events.ts";
export type { ObservedCapacitySink } from "./observed-capacity.ts";
export type { NodeClaimStatusEvent, NodeClaimStatusSink } from "./status-sink.ts";
export { LABEL_INITIALIZED, LABEL_REGISTERED, registeredNode, TERMINATION_FINALIZER } from "./registration.ts";
