// Provisioning (Karpenter's pkg/controllers/provisioning): the batch window, and the pure scheduler that places
// pending pods on existing capacity or new NodeClaims and explains the pods it cannot place. See docs/provisioning.md.
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
export { coveringLp, type CoveringLp, type CoverType } from "./covering-lp.ts";
export { ANNOTATION_MIN_VALUES_RELAXED, type MinValuesPolicy } from "./min-values.ts";
export { type PreferencePolicy } from "./preferences.ts";
export { LABEL_INSTANCE_TYPE_STABLE, nodeClaimManifest } from "./nodeclaim-manifest.ts";
