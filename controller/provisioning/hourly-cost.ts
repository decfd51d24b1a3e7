/**
 * What a NodePool's nodes cost per hour: each launched NodeClaim not being deleted at the price of the offering it
 * launched into (its instance type, zone and capacity type labels against the pool's instance types). Karpenter
 * has no such figure; users ask for it (kubernetes-sigs/karpenter#1215).
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import { LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE } from "../../cloudprovider/index.ts";
import type { StateNode } from "../state/index.ts";

/** The price of the offering the labels name; undefined when the pool's types do not offer it. */
export function launchedPrice(
  types: readonly InstanceType[],
  labels: Readonly<Record<string, string>>,
): number | undefined {
  const type = types.find((it) => it.name === labels[LABEL_INSTANCE_TYPE]);
  const offering = type?.offerings.items.find(
    (o) => o.zone === labels[LABEL_ZONE] && o.capacityType === labels[LABEL_CAPACITY_TYPE],
  );
  return offering?.price;
}

/** USD per hour per pool, for every pool in `typesByPool` (0 for one with no priced node). */
export function hourlyCostByPool(
  nodes: readonly StateNode[],
  typesByPool: ReadonlyMap<string, readonly InstanceType[]>,
): Map<string, number> {
  const cost = new Map<string, number>([...typesByPool.keys()].map((pool) => [pool, 0]));
  for (const node of nodes) {
    if (node.markedForDeletion || node.nodePool === undefined || node.providerID === undefined) continue;
    const price = launchedPrice(typesByPool.get(node.nodePool) ?? [], node.labels);
    if (price !== undefined) cost.set(node.nodePool, (cost.get(node.nodePool) ?? 0) + price);
  }
  return cost;
}
