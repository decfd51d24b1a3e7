/**
 * The cluster as one scheduling run sees it: the pending pods, the capacity already there (nodes, and NodeClaims in
 * flight that have launched), and the DaemonSets whose pods every new node will carry. Building it from Nodes,
 * NodeClaims and bound pods is cluster state's job (Karpenter's state.Cluster), not the scheduler's.
 */
import type { DaemonSet, Pod } from "../../api/index.ts";
import type { ResourceList, Taint } from "../../scheduling/index.ts";

/** A node, or an in-flight NodeClaim that has launched. */
export interface ExistingCapacity {
  readonly name: string;
  /** The `karpenter.sh/nodepool` it belongs to, for limits; undefined for nodes Karpenter does not own. */
  readonly nodePool: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** Startup and known ephemeral taints already left out for nodes still initializing. */
  readonly taints: readonly Taint[];
  readonly capacity: ResourceList;
  readonly allocatable: ResourceList;
  /** What the pods bound or nominated to it request, daemonsets included. */
  readonly requested: ResourceList;
}

export interface ClusterSnapshot {
  readonly pendingPods: readonly Pod[];
  readonly existing: readonly ExistingCapacity[];
  readonly daemonSets: readonly DaemonSet[];
}
