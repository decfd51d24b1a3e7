/**
 * What one scheduling run knows of a NodePool: its template, the instance types it may launch, the daemonset
 * overhead its nodes carry, and what its existing and in-flight nodes already use of its limits.
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import { addResources, type RequirementSet, type ResourceList } from "../../scheduling/index.ts";
import { daemonHostPorts, daemonOverhead } from "./daemon-overhead.ts";
import type { HostPort } from "./host-ports.ts";
import type { NodePoolTemplate } from "./nodepool-template.ts";
import type { ClusterSnapshot } from "./snapshot.ts";

export interface PoolState {
  readonly template: NodePoolTemplate;
  readonly instanceTypes: readonly InstanceType[];
  readonly daemonOverhead: ResourceList;
  /** The host ports the pool's daemonset pods take on each of its nodes. */
  readonly daemonHostPorts: readonly HostPort[];
  /** Keys some instance type or offering constrains: a pod may require them though the pool does not. */
  readonly wellKnown: ReadonlySet<string>;
  /** Capacity of the pool's existing and in-flight nodes. */
  readonly used: ResourceList;
  readonly usedNodes: number;
  /** USD per hour of the pool's existing and in-flight nodes, for `poolkeeper.dev/max-hourly-cost`. */
  readonly usedHourlyCost: number;
  /** Keys whose requirement sets minValues, in key order. */
  readonly minValuesKeys: readonly string[];
}

export function poolState(
  template: NodePoolTemplate,
  snapshot: ClusterSnapshot,
  types: readonly InstanceType[] | undefined,
): PoolState {
  const instanceTypes = types ?? [];
  const wellKnown = new Set<string>();
  for (const it of instanceTypes) {
    for (const key of it.requirements.keys()) wellKnown.add(key);
    for (const offering of it.offerings) for (const key of offering.requirements.keys()) wellKnown.add(key);
  }
  const owned = snapshot.existing.filter((e) => e.nodePool === template.name);
  return {
    template,
    instanceTypes,
    daemonOverhead: daemonOverhead(template, snapshot.daemonSets),
    daemonHostPorts: daemonHostPorts(template, snapshot.daemonSets),
    wellKnown,
    used: addResources(...owned.map((e) => e.capacity)),
    usedNodes: owned.length,
    usedHourlyCost: owned.reduce((sum, e) => sum + (e.hourlyPrice ?? 0), 0),
    minValuesKeys: template.requirements
      .keys()
      .filter((key) => template.requirements.valuesFor(key).minValues !== undefined),
  };
}

/**
 * A key the pod requires that the NodeClaim does not constrain and no instance type knows: its node would not
 * carry the label, so only a requirement that allows absence holds (Karpenter's `Compatible` with
 * AllowUndefinedWellKnownLabels, the well-known keys being those the cloud provider's types describe).
 */
export function undefinedLabel(pool: PoolState, claim: RequirementSet, pod: RequirementSet): string | undefined {
  return pod.keys().find((key) => !claim.has(key) && !pool.wellKnown.has(key) && !pod.valuesFor(key).allowsAbsent);
}
