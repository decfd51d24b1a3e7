/**
 * Why a NodeClaim no longer matches what would be launched for it now: the reason of its `Drifted` condition
 * (Karpenter's `cloudprovider.DriftReason`). The controller finds the NodePool ones itself
 * (core:pkg/controllers/nodeclaim/disruption/drift.go); the cloud provider's `isDrifted` finds the EC2NodeClass
 * ones (aws:pkg/cloudprovider/drift.go).
 */
export const NODE_POOL_DRIFT_REASONS = ["NodePoolDrifted", "RequirementsDrifted", "InstanceTypeNotFound"] as const;

export const NODE_CLASS_DRIFT_REASONS = [
  "AMIDrift",
  "SubnetDrift",
  "SecurityGroupDrift",
  "CapacityReservationDrift",
  "PlacementGroupDrift",
  "NodeClassDrift",
] as const;

export type NodePoolDriftReason = (typeof NODE_POOL_DRIFT_REASONS)[number];
export type NodeClassDriftReason = (typeof NODE_CLASS_DRIFT_REASONS)[number];
export type DriftReason = NodePoolDriftReason | NodeClassDriftReason;
