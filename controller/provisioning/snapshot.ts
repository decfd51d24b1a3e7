/**
 * The cluster as one scheduling run sees it: the pending pods, the capacity already there (nodes, and NodeClaims in
 * flight that have launched), and the DaemonSets whose pods every new node will carry; for topology, the pods
 * already bound and the namespaces' labels; what bound volumes require; the offerings recently found unfulfillable.
 * Building it from Nodes, NodeClaims and bound pods is cluster state's job (Karpenter's state.Cluster), not the
 * scheduler's. All plain data.
 */
import type { DaemonSet, Pod } from "../../api/index.ts";
import type { CapacityType } from "../../cloudprovider/index.ts";
import type { NodeSelectorRequirement, ResourceList, Taint } from "../../scheduling/index.ts";

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
  /** USD per hour of its launched offering, for the pool's `poolkeeper.dev/max-hourly-cost`; 0 when unknown. */
  readonly hourlyPrice?: number | undefined;
  /** Host ports its pods already take. */
  readonly hostPorts?: readonly { readonly ip: string; readonly port: number; readonly protocol: string }[] | undefined;
}

/** An offering the unavailable-offerings cache holds, and until when (Karpenter's 3 minutes after an ICE). */
export interface UnavailableOffering {
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: CapacityType;
  readonly until: Date;
}

/** A pod already bound (or nominated) to a node the snapshot lists. */
export interface BoundPod {
  readonly pod: Pod;
  readonly node: string;
}

export interface ClusterSnapshot {
  readonly pendingPods: readonly Pod[];
  readonly existing: readonly ExistingCapacity[];
  readonly daemonSets: readonly DaemonSet[];
  /** Pods bound or nominated to `existing` capacity, for topology spread and pod (anti-)affinity counts. */
  readonly boundPods?: readonly BoundPod[] | undefined;
  /** Namespace → labels, for pod affinity terms with a namespaceSelector. */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
  /**
   * Bound PersistentVolumeClaims (`namespace/name`) → what their volume's node affinity requires, e.g.
   * `topology.kubernetes.io/zone In [us-east-1a]` for an EBS volume.
   */
  readonly volumeRequirements?: Readonly<Record<string, readonly NodeSelectorRequirement[]>> | undefined;
  readonly unavailableOfferings?: readonly UnavailableOffering[] | undefined;
}
