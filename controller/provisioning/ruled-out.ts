/**
 * The first check that turns a pod away from a fresh NodeClaim of a pool, in the order the scheduler runs its
 * checks: taints, host ports the pool's daemonsets take, the pod's bound volumes against the pool, the pool's requirements, `limits.nodes`, instance types'
 * requirements, available offerings (with the unavailable-offerings cache's expiry), resources, the pool's resource
 * limits and $/h cap, minValues, then topology. Asked only for pods the scheduler could not place, after their
 * preferences were relaxed.
 */
import type { Clock, Quantity } from "../../api/index.ts";
import { LABEL_CAPACITY_TYPE, type InstanceType } from "../../cloudprovider/index.ts";
import {
  addResources,
  fits,
  formatTaint,
  RequirementSet,
  type ResourceList,
  untoleratedTaints,
} from "../../scheduling/index.ts";
import type { RuledOut, Shortfall } from "./explanations.ts";
import { formatHostPort, hostPortConflict } from "./host-ports.ts";
import { claimHourlyCost, worstCasePrice } from "./hourly-cost-cap.ts";
import { minValuesShortfall } from "./min-values.ts";
import { exceededLimit, remainingLimits, type RemainingLimits } from "./nodepool-limits.ts";
import type { PodConstraints } from "./pod-constraints.ts";
import { undefinedLabel, type PoolState } from "./pool-state.ts";
import type { ClusterSnapshot } from "./snapshot.ts";
import type { Topology } from "./topology.ts";
import { LABEL_ZONE } from "./topology-group.ts";

/** What limits and the $/h cap count of a NodeClaim opened in this run. */
export interface OpenedClaim {
  readonly instanceTypes: readonly InstanceType[];
  readonly requirements: RequirementSet;
}

/** What a pool's limits and cap have left once the run is over: the same for every pod it explains. */
export interface PoolLeft {
  readonly limits: RemainingLimits | "nodes";
  readonly hourlyCost: number;
}

export function poolLeft(pool: PoolState, opened: readonly OpenedClaim[]): PoolLeft {
  return {
    limits: remainingLimits(
      pool,
      opened.map((c) => c.instanceTypes),
    ),
    hourlyCost:
      pool.template.maxHourlyCost === undefined
        ? pool.usedHourlyCost
        : pool.usedHourlyCost + opened.reduce((sum, c) => sum + claimHourlyCost(c.instanceTypes, c.requirements), 0),
  };
}

export function ruledOut(
  pool: PoolState,
  pod: PodConstraints,
  left: PoolLeft,
  topology: Topology,
  snapshot: ClusterSnapshot,
  clock: Clock,
): RuledOut {
  const [taint] = untoleratedTaints(pod.tolerations, pool.template.taints);
  if (taint !== undefined) return { kind: "taint", taint: formatTaint(taint) };
  const port = hostPortConflict(pool.daemonHostPorts, pod.hostPorts);
  if (port !== undefined) return { kind: "host-port", port: formatHostPort(port) };
  const base = pool.template.requirements;
  if (pod.volumes !== undefined) {
    const [conflict] = base.conflicts(pod.volumes.requirements);
    if (conflict !== undefined) {
      return { kind: "volume", claims: pod.volumes.claims, requirements: pod.volumes.requirements.toString() };
    }
  }
  // With several affinity terms, the first is explained: the others were tried as relaxations of it.
  const alt = pod.alternatives[0] ?? RequirementSet.fromRequirements([]);
  const key = undefinedLabel(pool, base, alt);
  if (key !== undefined) return { kind: "undefined-label", key };
  const [conflict] = base.conflicts(alt);
  if (conflict !== undefined) return { kind: "requirement", detail: conflict.message };
  const remaining = left.limits;
  if (remaining === "nodes") return { kind: "nodes-limit", limit: Number(pool.template.limits?.["nodes"]?.value()) };
  const requirements = base.intersection(alt);
  const compatible = pool.instanceTypes.filter((it) => it.requirements.intersects(requirements));
  if (compatible.length === 0) return { kind: "no-instance-type", requirements: requirements.toString() };
  const offered = compatible.filter((it) => it.offerings.available().hasCompatible(requirements));
  if (offered.length === 0) {
    return {
      kind: "no-offering",
      requirements: requirements.toString(),
      iceUntil: iceUntil(compatible, requirements, snapshot, clock),
    };
  }
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
  const cap = pool.template.maxHourlyCost;
  if (cap !== undefined) {
    const used = left.hourlyCost;
    const prices = fitting.flatMap((it) => worstCasePrice(it, requirements) ?? []);
    const cheapest = Math.min(...prices);
    if (cheapest > cap - used) return { kind: "hourly-cost", used, cap, cheapest };
  }
  const shortfall = minValuesShortfall(requirements, pool.minValuesKeys, fitting);
  if (shortfall !== undefined) return { kind: "min-values", ...shortfall };
  const violation = topology.narrow(pod, alt, {
    requirements,
    hostname: "hostname-placeholder-explain",
    taints: pool.template.taints,
  });
  if (!(violation instanceof RequirementSet)) {
    const { group, inverse } = violation;
    return {
      kind: "topology",
      inverse,
      group: group.kind,
      topologyKey: group.topologyKey,
      selector: group.selector.canonical,
      maxSkew: group.kind === "spread" ? group.maxSkew : undefined,
      counts: [...group.counts].filter(([domain]) => requirements.allows(group.topologyKey, domain)),
    };
  }
  // Every check passed for a fresh node, which cannot happen when the scheduler failed to open one: say so.
  return { kind: "requirement", detail: "no single rule; report this as a bug" };
}

/**
 * When the offerings the requirements allow are unavailable because of a recent ICE: the earliest time one comes
 * back, or undefined when none of them is in the cache.
 */
function iceUntil(
  types: readonly InstanceType[],
  requirements: RequirementSet,
  snapshot: ClusterSnapshot,
  clock: Clock,
): Date | undefined {
  const now = clock.now().getTime();
  let earliest: number | undefined;
  for (const entry of snapshot.unavailableOfferings ?? []) {
    const until = entry.until.getTime();
    if (until <= now || (earliest !== undefined && until >= earliest)) continue;
    if (!requirements.allows(LABEL_ZONE, entry.zone) || !requirements.allows(LABEL_CAPACITY_TYPE, entry.capacityType))
      continue;
    if (types.some((it) => it.name === entry.instanceType)) earliest = until;
  }
  return earliest === undefined ? undefined : new Date(earliest);
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
