/**
 * The first check that turns a pod away from a fresh NodeClaim of a pool, in the order the scheduler runs its
 * checks: taints, the pool's requirements, `limits.nodes`, instance types' requirements, available offerings,
 * resources, then the pool's resource limits. Asked only for pods the scheduler could not place.
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import type { Quantity } from "../../api/index.ts";
import {
  addResources,
  fits,
  formatTaint,
  RequirementSet,
  type ResourceList,
  untoleratedTaints,
} from "../../scheduling/index.ts";
import type { RuledOut, Shortfall } from "./explanations.ts";
import { exceededLimit, remainingLimits, type RemainingLimits } from "./nodepool-limits.ts";
import type { PodConstraints } from "./pod-constraints.ts";
import { undefinedLabel, type PoolState } from "./pool-state.ts";

export function ruledOut(pool: PoolState, pod: PodConstraints, opened: readonly (readonly InstanceType[])[]): RuledOut {
  const [taint] = untoleratedTaints(pod.tolerations, pool.template.taints);
  if (taint !== undefined) return { kind: "taint", taint: formatTaint(taint) };
  // With several affinity terms, the first is explained: the others were tried as relaxations of it.
  const alt = pod.alternatives[0] ?? RequirementSet.fromRequirements([]);
  const base = pool.template.requirements;
  const key = undefinedLabel(pool, base, alt);
  if (key !== undefined) return { kind: "undefined-label", key };
  const [conflict] = base.conflicts(alt);
  if (conflict !== undefined) return { kind: "requirement", detail: conflict.message };
  const remaining = remainingLimits(pool, opened);
  if (remaining === "nodes") return { kind: "nodes-limit", limit: Number(pool.template.limits?.["nodes"]?.value()) };
  const requirements = base.intersection(alt);
  const compatible = pool.instanceTypes.filter((it) => it.requirements.intersects(requirements));
  if (compatible.length === 0) return { kind: "no-instance-type", requirements: requirements.toString() };
  const offered = compatible.filter((it) => it.offerings.available().hasCompatible(requirements));
  if (offered.length === 0) return { kind: "no-offering", requirements: requirements.toString() };
  const requests = addResources(pool.daemonOverhead, pod.requests);
  const fitting = offered.filter((it) => fits(requests, it.allocatable()));
  if (fitting.length === 0) return { kind: "resources", shortfalls: shortfalls(requests, offered) };
  const [smallest] = [...fitting].sort((a, b) => byLimitedCapacity(a, b, remaining));
  const resource = smallest === undefined ? undefined : exceededLimit(smallest, remaining);
  const limited = resource === undefined ? undefined : remaining.get(resource);
  const needed = resource === undefined ? undefined : smallest?.capacity[resource];
  if (resource !== undefined && limited !== undefined && needed !== undefined) {
    return { kind: "limit", resource, used: limited.used, limit: limited.limit, needed };
  }
  // Every check passed for a fresh node, which cannot happen when the scheduler failed to open one: say so.
  return { kind: "requirement", detail: "no single rule; report this as a bug" };
}

function shortfalls(requests: ResourceList, types: readonly InstanceType[]): Shortfall[] {
  return Object.entries(requests).flatMap(([resource, needed]) => {
    let largest: Quantity | undefined;
    for (const it of types) {
      const has = it.allocatable()[resource];
      if (has !== undefined && (largest === undefined || has.nanos > largest.nanos)) largest = has;
    }
    return largest !== undefined && largest.nanos >= needed.nanos ? [] : [{ resource, needed, largest }];
  });
}

// Smallest by the limited resources' capacity, in the limits' order, then by name.
function byLimitedCapacity(a: InstanceType, b: InstanceType, remaining: RemainingLimits): number {
  for (const resource of remaining.keys()) {
    const x = a.capacity[resource]?.nanos ?? 0n;
    const y = b.capacity[resource]?.nanos ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
