/**
 * The capacity type and instance types a new NodeClaim launches with: reserved, then spot, then on-demand — the
 * first the requirements allow for which some type has an available compatible offering (Karpenter's
 * `getCapacityType`, FACTS.md §d) — and the types that offer it, cheapest first by that offering (`OrderByPrice`),
 * at most 60 (aws:pkg/providers/instance/instance.go `maxInstanceTypes`). Karpenter orders by every allowed capacity
 * type and picks one at launch; choosing here lets the NodeClaim and the explanation say what will be launched.
 */
import { type CapacityType, LABEL_CAPACITY_TYPE } from "../../cloudprovider/index.ts";
import type { RequirementSet } from "../../scheduling/index.ts";
import { CAPACITY_TYPES_BY_PREFERENCE, type CapacityTypePrices, type CompiledType } from "./pool-catalog.ts";

export const MAX_INSTANCE_TYPES = 60;

export interface InstanceTypeOptions {
  readonly capacityType: CapacityType;
  readonly instanceTypes: readonly { readonly name: string; readonly price: number }[];
}

/**
 * Undefined when no type has an available offering the requirements allow. `prices` are the PoolCatalog's for these
 * requirements, worked out once per requirement set.
 */
export function instanceTypeOptions(
  requirements: RequirementSet,
  types: readonly CompiledType[],
  prices: CapacityTypePrices,
): InstanceTypeOptions | undefined {
  for (const [i, capacityType] of CAPACITY_TYPES_BY_PREFERENCE.entries()) {
    if (!requirements.allows(LABEL_CAPACITY_TYPE, capacityType)) continue;
    const byType = prices[i] as Float64Array;
    const priced = types.flatMap((t) => {
      const price = byType[t.index] as number;
      return Number.isNaN(price) ? [] : [{ name: t.it.name, price }];
    });
    if (priced.length === 0) continue;
    priced.sort((a, b) => a.price - b.price || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { capacityType, instanceTypes: priced.slice(0, MAX_INSTANCE_TYPES) };
  }
  return undefined;
}
