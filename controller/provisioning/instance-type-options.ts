/**
 * The capacity type and instance types a new NodeClaim launches with: reserved, then spot, then on-demand — the
 * first the requirements allow for which some type has an available compatible offering (Karpenter's
 * `getCapacityType`, FACTS.md §d) — and the types that offer it, cheapest first by that offering (`OrderByPrice`),
 * at most 60 (aws:pkg/providers/instance/instance.go `maxInstanceTypes`). Karpenter orders by every allowed capacity
 * type and picks one at launch; choosing here lets the NodeClaim and the explanation say what will be launched.
 */
import { type CapacityType, LABEL_CAPACITY_TYPE } from "../../cloudprovider/index.ts";
import type { RequirementSet } from "../../scheduling/index.ts";
import { CAPACITY_TYPES_BY_PREFERENCE, type CompiledType, type PoolCatalog } from "./pool-catalog.ts";

export const MAX_INSTANCE_TYPES = 60;

export interface InstanceTypeOptions {
  readonly capacityType: CapacityType;
  readonly instanceTypes: readonly { readonly name: string; readonly price: number }[];
}

/**
 * Undefined when no type has an available offering the requirements allow. `has` marks the claim's types by their
 * position in the catalog; prices and their order are the catalog's, worked out once per requirement set.
 */
export function instanceTypeOptions(
  requirements: RequirementSet,
  has: Uint8Array,
  catalog: PoolCatalog,
): InstanceTypeOptions | undefined {
  const prices = catalog.prices(requirements);
  const orders = catalog.priceOrders(requirements);
  for (const [i, capacityType] of CAPACITY_TYPES_BY_PREFERENCE.entries()) {
    if (!requirements.allows(LABEL_CAPACITY_TYPE, capacityType)) continue;
    const byType = prices[i] as Float64Array;
    const priced: { name: string; price: number }[] = [];
    for (const index of orders[i] as Int32Array) {
      if (has[index] !== 1) continue;
      priced.push({ name: (catalog.types[index] as CompiledType).it.name, price: byType[index] as number });
      if (priced.length === MAX_INSTANCE_TYPES) break;
    }
    if (priced.length > 0) return { capacityType, instanceTypes: priced };
  }
  return undefined;
}
