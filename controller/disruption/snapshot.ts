/**
 * The cluster as one disruption pass sees it: provisioning's `ClusterSnapshot` (pending pods, existing capacity,
 * daemonsets) plus, for every Karpenter-managed node, its Node and NodeClaim objects and the pods bound to it, and
 * the PodDisruptionBudgets. Plain data, as the Cluster port's cache holds it: the snapshot builder (cluster state,
 * Karpenter's state.Cluster) copies objects in; the planner reads them and never changes them.
 */
import type { NodeClaim, Node, Pod, PodDisruptionBudget } from "../../api/index.ts";
import type { DriftReason } from "../../cloudprovider/index.ts";
import type { ClusterSnapshot } from "../provisioning/index.ts";

/** A node Karpenter launched, with what disruption decides from. */
export interface DisruptionNode {
  /** `metadata.name` is the key of the node's entry in `ClusterSnapshot.existing`. */
  readonly node: Node;
  readonly nodeClaim: NodeClaim;
  /**
   * The pods bound to the node (`spec.nodeName`), DaemonSet and mirror pods included; terminal pods may be left out
   * (cluster state does), as disruption ignores them.
   */
  readonly pods: readonly Pod[];
  /**
   * When provisioning last nominated the node for a pending pod (RFC 3339), if it did: the node is no candidate
   * for 20 s after (Karpenter's `IsNominated`).
   */
  readonly nominatedAt?: string;
  /** What `cloudprovider`'s `isDrifted` answered for the NodeClaim (async, so the snapshot builder asks it). */
  readonly cloudDrift?: DriftReason;
}

export interface DisruptionSnapshot extends ClusterSnapshot {
  readonly nodes: readonly DisruptionNode[];
  readonly podDisruptionBudgets: readonly PodDisruptionBudget[];
  /**
   * The pods bound to nodes being deleted (a deletionTimestamp on the Node or its NodeClaim), terminal ones left out:
   * they need room elsewhere too, so a simulation places them with the candidates' pods and the pending ones
   * (Karpenter's `SimulateScheduling`, `deletingNodes.CurrentlyReschedulablePods`).
   */
  readonly deletingNodePods: readonly Pod[];
}
