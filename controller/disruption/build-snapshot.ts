/**
 * The disruption snapshot from cluster state (Karpenter's disruption `GetCandidates` over `state.Cluster`'s
 * StateNodes, core:pkg/controllers/disruption/helpers.go): every StateNode with both a Node and a NodeClaim is a
 * Karpenter-managed node disruption may consider, with the pods bound to it, when provisioning last nominated it,
 * and what the cloud provider's `isDrifted` answered for its NodeClaim (asked by the caller: the call is async and
 * this build is pure). Provisioning's scheduler snapshot is reused, its entries keyed by the Node's name (the
 * planner's name for a node) rather than the NodeClaim's, so a candidate is left out of its own simulation. Its
 * pending pods are provisioning's (provisionable, not held by a nomination); the pods of nodes being deleted are
 * listed beside them, since a consolidation must leave room for both.
 */
import type { Pod, PodDisruptionBudget } from "../../api/index.ts";
import type { DriftReason } from "../../cloudprovider/index.ts";
import type { ClusterState, Nomination } from "../state/index.ts";
import type { DisruptionNode, DisruptionSnapshot } from "./snapshot.ts";

export interface DisruptionSnapshotOptions {
  /** `isDrifted`'s answers, by NodeClaim name; a NodeClaim missing is not drifted by the cloud. */
  readonly cloudDrift?: ReadonlyMap<string, DriftReason>;
  /**
   * Pods nominated to nodes (pod key → nomination), lapsed ones included: a node is nominated at the latest
   * nomination made to it. Default: the nominations cluster state still holds.
   */
  readonly nominations?: ReadonlyMap<string, Nomination>;
}

export function disruptionSnapshot(
  state: ClusterState,
  podDisruptionBudgets: readonly PodDisruptionBudget[],
  options: DisruptionSnapshotOptions = {},
): DisruptionSnapshot {
  const nominatedAt = new Map<string, number>();
  for (const nomination of (options.nominations ?? state.nominated).values()) {
    const at = nomination.at.getTime();
    nominatedAt.set(nomination.target, Math.max(at, nominatedAt.get(nomination.target) ?? at));
  }
  const nodeNameOf = new Map<string, string>();
  const nodes: DisruptionNode[] = [];
  for (const s of state.nodes) {
    const nodeName = s.node?.metadata.name;
    if (s.node === undefined || s.nodeClaim === undefined || nodeName === undefined) continue;
    nodeNameOf.set(s.key, nodeName);
    const at = nominatedAt.get(s.key);
    const drift = options.cloudDrift?.get(s.key);
    nodes.push({
      node: s.node,
      nodeClaim: s.nodeClaim,
      pods: s.pods,
      ...(at === undefined ? {} : { nominatedAt: new Date(at).toISOString() }),
      ...(drift === undefined ? {} : { cloudDrift: drift }),
    });
  }
  return {
    ...state.snapshot,
    existing: state.snapshot.existing.map((e) => {
      const name = nodeNameOf.get(e.name);
      return name === undefined || name === e.name ? e : { ...e, name };
    }),
    nodes,
    podDisruptionBudgets,
    deletingNodePods: deletingNodePods(state),
  };
}

/** The pods bound to the nodes cluster state has marked for deletion (Karpenter's `StateNodes.Deleting()`). */
export function deletingNodePods(state: ClusterState): Pod[] {
  return state.nodes.filter((n) => n.markedForDeletion).flatMap((n) => n.pods);
}
