/**
 * What a NodePool's `limits` leave for new NodeClaims (Karpenter's remaining resources in
 * core:pkg/controllers/provisioning/scheduling/scheduler.go, FACTS.md §d): the limits less the capacity of the pool's
 * existing and in-flight nodes less, for each NodeClaim opened in this run, the largest capacity among its remaining
 * instance types; a type whose capacity exceeds what is left is not offered.
 */
import { Quantity, subtractQuantities } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { addResources, maxResources } from "../../scheduling/index.ts";
import type { PoolState } from "./pool-state.ts";

/** Per limited resource (but `nodes`): what is used and the limit. */
export type RemainingLimits = ReadonlyMap<string, { readonly used: Quantity; readonly limit: Quantity }>;

/** "nodes" when `limits.nodes` is used up (Karpenter: "node limits have been exhausted"). */
export function remainingLimits(
  pool: PoolState,
  opened: readonly (readonly InstanceType[])[],
): RemainingLimits | "nodes" {
  const limits = pool.template.limits ?? {};
  const used = addResources(pool.used, ...opened.map((options) => maxResources(...options.map((it) => it.capacity))), {
    nodes: pool.usedNodes + opened.length,
  });
  const nodesLimit = limits["nodes"];
  if (nodesLimit !== undefined && (used["nodes"]?.nanos ?? 0n) >= nodesLimit.nanos) return "nodes";
  const remaining = new Map<string, { used: Quantity; limit: Quantity }>();
  for (const [resource, limit] of Object.entries(limits)) {
    if (resource !== "nodes") remaining.set(resource, { used: used[resource] ?? new Quantity(0n), limit });
  }
  return remaining;
}

/** Whether launching the type keeps every limited resource it has within what is left. */
export function withinLimits(it: InstanceType, remaining: RemainingLimits): boolean {
  return exceededLimit(it, remaining) === undefined;
}

/** The first limited resource the type's capacity would take over its limit. */
export function exceededLimit(it: InstanceType, remaining: RemainingLimits): string | undefined {
  for (const [resource, { used, limit }] of remaining) {
    const capacity = it.capacity[resource];
    if (capacity !== undefined && capacity.nanos > subtractQuantities(limit, used).nanos) return resource;
  }
  return undefined;
}
