// Cluster state (Karpenter's pkg/controllers/state): Nodes and NodeClaims paired into StateNodes with their bound
// and nominated pods, the scheduler's snapshot built from them, and the in-memory nominations. See
// docs/provisioning.md.
export { buildClusterState, type ClusterState, type ClusterStateInput } from "./cluster-state.ts";
export { KNOWN_EPHEMERAL_TAINTS, matchesTaint, schedulingTaints } from "./ephemeral-taints.ts";
export {
  CONDITION_INITIALIZED,
  CONDITION_LAUNCHED,
  CONDITION_REGISTERED,
  conditionOf,
  isConditionTrue,
  type NodeClaimCondition,
  trueSince,
  withCondition,
} from "./nodeclaim-conditions.ts";
export { DEFAULT_NOMINATION_WINDOW_MS, type Nomination, Nominations } from "./nominations.ts";
export { readClusterState, type ReadClusterStateOptions } from "./read-cluster-state.ts";
export { type NodePrice, poolLiveStatus, readPoolLiveStatus } from "./pool-live-status.ts";
export { LABEL_HOSTNAME, podKeyOf, stateNode, type StateNode, type StateNodeInput } from "./state-node.ts";
