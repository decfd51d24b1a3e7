/**
 * What the status branch says each NodePool runs (gitops' `PoolLiveStatus`), from cluster state, counted as
 * Karpenter's NodePool counter counts `status.resources` and `status.nodes`
 * (core:pkg/controllers/nodepool/counter/controller.go over state/cluster.go `updateNodePoolResources`): every
 * StateNode of the pool not marked for deletion that has a capacity (a Node, or a NodeClaim that has launched) is one
 * node, and its capacity (not its allocatable) is what it uses of the pool's limits. Beside Karpenter's figures: the
 * nodes by instance type, zone and capacity type (their labels), and the $/h of the offerings they launched into.
 */
import type { Cluster, Clock, NodeClaim } from "../../api/index.ts";
import {
  type CloudProvider,
  type InstanceType,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TYPE,
  LABEL_ZONE,
} from "../../cloudprovider/index.ts";
import { countPools, type DriftProgress, type PoolLiveStatus } from "../../gitops/index.ts";
import { launchedPrice } from "../provisioning/hourly-cost.ts";
import { LABEL_NODE_POOL } from "../provisioning/nodepool-template.ts";
import { buildClusterState } from "./cluster-state.ts";
import type { StateNode } from "./state-node.ts";

/** The price of the offering a node's labels name, USD per hour; undefined when it is not known. */
export type NodePrice = (nodePool: string, labels: Readonly<Record<string, string>>) => number | undefined;

export function poolLiveStatus(nodes: readonly StateNode[], priceOf: NodePrice): Map<string, PoolLiveStatus> {
  return countPools(
    nodes.flatMap((n) => {
      if (n.nodePool === undefined || n.markedForDeletion || Object.keys(n.capacity).length === 0) return [];
      const label = (key: string) => n.labels[key] ?? "unknown";
      return [
        {
          nodePool: n.nodePool,
          instanceType: label(LABEL_INSTANCE_TYPE),
          zone: label(LABEL_ZONE),
          capacityType: label(LABEL_CAPACITY_TYPE),
          cpu: n.capacity["cpu"],
          memory: n.capacity["memory"],
          price: priceOf(n.nodePool, n.labels),
        },
      ];
    }),
  );
}

/**
 * `run`'s figures: cluster state from the Cluster port's cache, each node priced from its pool's instance types as
 * the cloud provider offers them (spot prices included), as provisioning prices a pool's `max-hourly-cost`; each
 * pool's drift as the last disruption pass judged it (`drift`: absent for a pool no pass has judged yet).
 */
export async function readPoolLiveStatus(
  cluster: Pick<Cluster, "list" | "get">,
  cloudProvider: Pick<CloudProvider, "getInstanceTypes">,
  clock: Clock,
  drift: ReadonlyMap<string, DriftProgress> = new Map(),
): Promise<Map<string, PoolLiveStatus>> {
  const typesByPool = new Map<string, readonly InstanceType[]>();
  for (const pool of cluster.list("nodepools")) {
    const nodeClass = cluster.get("ec2nodeclasses", { name: pool.spec.template.spec.nodeClassRef.name });
    if (nodeClass === undefined) continue;
    typesByPool.set(pool.metadata?.name ?? "", await cloudProvider.getInstanceTypes(pool, nodeClass));
  }
  const instanceTypeOf = (claim: NodeClaim) =>
    typesByPool
      .get(claim.metadata.labels?.[LABEL_NODE_POOL] ?? "")
      ?.find((it) => it.name === claim.metadata.labels?.[LABEL_INSTANCE_TYPE]);
  const state = buildClusterState({
    nodes: cluster.list("nodes"),
    nodeClaims: cluster.list("nodeclaims"),
    pods: [],
    daemonSets: [],
    nominations: new Map(),
    instanceTypeOf,
    now: clock.now(),
  });
  const live = poolLiveStatus(state.nodes, (pool, labels) => launchedPrice(typesByPool.get(pool) ?? [], labels));
  for (const [pool, status] of live) {
    const judged = drift.get(pool);
    if (judged !== undefined) status.drift = judged;
  }
  return live;
}
