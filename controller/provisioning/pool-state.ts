/**
 * What one scheduling run knows of a NodePool: its template, the instance types it may launch, the daemonset
 * overhead its nodes carry, and what its existing and in-flight nodes already use of its limits.
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import { addResources, type RequirementSet, type ResourceList } from "../../scheduling/index.ts";
import { daemonHostPorts, daemonOverhead } from "./daemon-overhead.ts";
import type { HostPort } from "./host-ports.ts";
import type { NodePoolTemplate } from "./nodepool-template.ts";
import type { ClusterSnapshot, ExistingCapacity } from "./snapshot.ts";

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

/**
 * `owned`: the snapshot's existing and in-flight nodes of this pool. What takes work is worked out when first read:
 * a run reads it only of the pools its pods may open NodeClaims on and of those it explains a pod against, and a
 * disruption simulation of a few pods runs over every pool.
 */
export function poolState(
  template: NodePoolTemplate,
  snapshot: ClusterSnapshot,
  types: readonly InstanceType[] | undefined,
  owned: readonly ExistingCapacity[],
): PoolState {
  const instanceTypes = types ?? [];
  let overhead: ResourceList | undefined;
  let hostPorts: readonly HostPort[] | undefined;
  let used: ResourceList | undefined;
  let minValuesKeys: readonly string[] | undefined;
  return {
    template,
    instanceTypes,
    get daemonOverhead() {
      return (overhead ??= daemonOverhead(template, snapshot.daemonSets));
    },
    get daemonHostPorts() {
      return (hostPorts ??= daemonHostPorts(template, snapshot.daemonSets));
    },
    wellKnown: wellKnownKeys(instanceTypes),
    get used() {
      return (used ??= addResources(...owned.map((e) => e.capacity)));
    },
    usedNodes: owned.length,
    usedHourlyCost: owned.reduce((sum, e) => sum + (e.hourlyPrice ?? 0), 0),
    get minValuesKeys() {
      return (minValuesKeys ??= template.requirements
        .keys()
        .filter((key) => template.requirements.valuesFor(key).minValues !== undefined));
    },
  };
}

// Per list of types, as the caller passes it: a disruption pass schedules thousands of times over the same lists (one
// per pool), and the keys of every type and offering are most of a pool's preparation otherwise.
const wellKnownByTypes = new WeakMap<readonly InstanceType[], ReadonlySet<string>>();

function wellKnownKeys(instanceTypes: readonly InstanceType[]): ReadonlySet<string> {
  let keys = wellKnownByTypes.get(instanceTypes);
  if (keys === undefined) {
    const found = new Set<string>();
    for (const it of instanceTypes) {
      for (const key of it.requirements.keys()) found.add(key);
      for (const offering of it.offerings) for (const key of offering.requirements.keys()) found.add(key);
    }
    keys = found;
    wellKnownByTypes.set(instanceTypes, keys);
  }
  return keys;
}

/**
 * A key the pod requires that the NodeClaim does not constrain and no instance type knows: its node would not
 * carry the label, so only a requirement that allows absence holds (Karpenter's `Compatible` with
 * AllowUndefinedWellKnownLabels, the well-known keys being those the cloud provider's types describe).
 */
export function undefinedLabel(pool: PoolState, claim: RequirementSet, pod: RequirementSet): string | undefined {
  return pod.keys().find((key) => !claim.has(key) && !pool.wellKnown.has(key) && !pod.valuesFor(key).allowsAbsent);
}
