// The counting behind the status files' live fields (status-model.ts `PoolLiveStatus`), over plain nodes: each is one
// node of its pool at its capacity and its price, as Karpenter's NodePool counter sums `status.resources`
// (core:pkg/controllers/state/cluster.go `updateNodePoolResources`). Which nodes count, and their capacity and price,
// is the caller's to say: `run` from cluster state (controller/state/pool-live-status.ts), `sync --apply` from
// Karpenter's NodeClaims (`karpenterPoolStatus`, here: sync --apply loads no controller code). Pure.
import { addQuantities, formatQuantity, type NodeClaim, type QuantityLike } from "../api/index.ts";
import type { PoolLiveStatus } from "./status-model.ts";

export interface PoolNode {
  readonly nodePool: string;
  /** From its labels; "unknown" when a label is missing. */
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: string;
  readonly cpu: QuantityLike | undefined;
  readonly memory: QuantityLike | undefined;
  /** USD per hour of its launched offering; undefined when not known. */
  readonly price: number | undefined;
  /** Whether it has drifted; undefined when the source does not say (then the pool's `drift` stays absent). */
  readonly drifted?: boolean;
}

export function countPools(nodes: readonly PoolNode[]): Map<string, PoolLiveStatus> {
  const live = new Map<string, PoolLiveStatus>();
  for (const [pool, members] of Map.groupBy(nodes, (n) => n.nodePool)) {
    const priced = members.filter((n) => n.price !== undefined);
    const cost = priced.reduce((sum, n) => sum + (n.price ?? 0), 0);
    const status: PoolLiveStatus = {
      nodes: {
        byInstanceType: countBy(members, (n) => n.instanceType),
        byZone: countBy(members, (n) => n.zone),
        byCapacityType: countBy(members, (n) => n.capacityType),
      },
      usage: { cpu: total(members, (n) => n.cpu), memory: total(members, (n) => n.memory), nodes: members.length },
      // Whole micro-dollars: a sum of binary fractions (0.096 + 0.192) would otherwise change the file's digits.
      hourlyCostUsd: Math.round(cost * 1e6) / 1e6,
      unpricedNodes: members.length - priced.length,
    };
    if (members.every((n) => n.drifted !== undefined)) {
      status.drift = { drifted: members.filter((n) => n.drifted).length, total: members.length };
    }
    live.set(pool, status);
  }
  return live;
}

/**
 * Beside Karpenter (`sync --apply`): the NodeClaims it created, each launched one (a capacity in its status) not being
 * deleted one node at that capacity; an on-demand one at `onDemandPrice` of its type, a spot or reserved one unpriced
 * (`unpricedNodes` says how many); drifted when Karpenter set its `Drifted` condition True
 * (core:pkg/controllers/nodeclaim/disruption/drift.go).
 */
export function karpenterPoolStatus(
  nodeClaims: readonly NodeClaim[],
  onDemandPrice: (instanceType: string) => number | undefined,
): Map<string, PoolLiveStatus> {
  return countPools(
    nodeClaims.flatMap((claim) => {
      const labels = claim.metadata.labels ?? {};
      const capacity = claim.status?.capacity;
      const nodePool = labels["karpenter.sh/nodepool"];
      if (nodePool === undefined || capacity === undefined || claim.metadata.deletionTimestamp !== undefined) return [];
      const instanceType = labels["node.kubernetes.io/instance-type"] ?? "unknown";
      const capacityType = labels["karpenter.sh/capacity-type"] ?? "unknown";
      return [
        {
          nodePool,
          instanceType,
          zone: labels["topology.kubernetes.io/zone"] ?? "unknown",
          capacityType,
          cpu: capacity["cpu"],
          memory: capacity["memory"],
          price: capacityType === "on-demand" ? onDemandPrice(instanceType) : undefined,
          drifted: (claim.status?.conditions ?? []).some((c) => c.type === "Drifted" && c.status === "True"),
        },
      ];
    }),
  );
}

function total(nodes: readonly PoolNode[], of: (n: PoolNode) => QuantityLike | undefined): string {
  return formatQuantity(nodes.reduce<QuantityLike>((sum, n) => addQuantities(sum, of(n) ?? 0), 0));
}

function countBy(nodes: readonly PoolNode[], key: (n: PoolNode) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of nodes) counts[key(n)] = (counts[key(n)] ?? 0) + 1;
  return counts;
}
