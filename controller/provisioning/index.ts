// Provisioning (Karpenter's pkg/controllers/provisioning): the batch window, the pure scheduler that places pending
// pods on existing capacity or new NodeClaims and explains the pods it cannot place, and the loop that drives them
// and launches. See docs/provisioning.md.
export {
  Batcher,
  type BatcherOptions,
  type BatchWindow,
  DEFAULT_BATCH_IDLE_MS,
  DEFAULT_BATCH_MAX_MS,
} from "./batcher.ts";
export { explain, NO_NODE_POOL, type PoolExplanation, type RuledOut, type Shortfall } from "./explanations.ts";
export { LABEL_NODE_POOL, nodePoolTemplate, type NodePoolTemplate } from "./nodepool-template.ts";
export { podConstraints, type PodConstraints } from "./pod-constraints.ts";
export { podRequests } from "./pod-requests.ts";
export { isProvisionable } from "./provisionable.ts";
export { MAX_INSTANCE_TYPES } from "./instance-type-options.ts";
export { type ClusterSnapshot, type ExistingCapacity, type UnavailableOffering } from "./snapshot.ts";
export {
  type NewNodeClaim,
  type Placement,
  schedule,
  type ScheduleOptions,
  type ScheduleResult,
  type Unschedulable,
} from "./scheduler.ts";
export { ANNOTATION_MAX_HOURLY_COST } from "./hourly-cost-cap.ts";
export { coveringLp, type CoveringLp, coveringLpDuals, coveringLpPoint, type CoverType } from "./covering-lp.ts";
export { ANNOTATION_MIN_VALUES_RELAXED, type MinValuesPolicy } from "./min-values.ts";
export { type PreferencePolicy } from "./preferences.ts";
export { LABEL_INSTANCE_TYPE_STABLE, nodeClaimManifest } from "./nodeclaim-manifest.ts";
export { hourlyCostByPool, launchedPrice } from "./hourly-cost.ts";
export { ANNOTATION_SOURCE_COMMIT, nodeClaimToCreate } from "./nodeclaim-to-create.ts";
export {
  ANNOTATION_NODE_POOL_HASH,
  ANNOTATION_NODE_POOL_HASH_VERSION,
  NODE_POOL_HASH_VERSION,
  nodePoolHash,
  nodePoolHashAnnotations,
} from "./nodepool-hash.ts";
export { type Provisioned, Provisioner, type ProvisionerOptions } from "./provisioner.ts";
export { failedSchedulingEvent, nominatedEvent, unschedulableMessage } from "./provisioning-events.ts";
export { createProvisioningMetrics, type ProvisioningMetrics } from "./provisioning-metrics.ts";
export {
  type Launched,
  type PendingEvent,
  pendingEvent,
  type ProvisionedEvent,
  provisionedEvent,
  type ProvisioningStatusSink,
} from "./status-report.ts";
