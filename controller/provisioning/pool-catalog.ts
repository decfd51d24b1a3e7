/**
 * A pool's instance types prepared for one scheduling run: resource vectors (resource-vector.ts) for allocatable and
 * capacity, and, per distinct requirement set a NodeClaim reaches, which types are compatible with an available
 * offering and their cheapest price per capacity type. A run meets few distinct requirement sets (the pool's, and
 * it narrowed to a zone or a capacity type), so each is worked out once, not once per pod and NodeClaim. A catalog
 * depends only on the types and the run's resource names, so runs over the same list of types with the same names
 * share one (`poolCatalog`): a disruption pass schedules thousands of times over the same pools.
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import { CAPACITY_TYPE_ON_DEMAND, CAPACITY_TYPE_RESERVED, CAPACITY_TYPE_SPOT } from "../../cloudprovider/index.ts";
import type { RequirementSet } from "../../scheduling/index.ts";
import { type ResourceIndex, type ResourceVector } from "./resource-vector.ts";

export interface CompiledType {
  readonly it: InstanceType;
  /** Position in the pool's list. */
  readonly index: number;
  readonly allocatable: ResourceVector;
  readonly capacity: ResourceVector;
}

/** Per type: the cheapest available compatible offering's price for reserved, spot and on-demand (NaN: none). */
export type CapacityTypePrices = readonly Float64Array[];

export const CAPACITY_TYPES_BY_PREFERENCE = [
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  CAPACITY_TYPE_ON_DEMAND,
] as const;

export class PoolCatalog {
  readonly types: readonly CompiledType[];
  readonly #compatible = new Map<string, Uint8Array>();
  readonly #prices = new Map<string, CapacityTypePrices>();
  readonly #orders = new Map<string, readonly Int32Array[]>();
  readonly #keys = new WeakMap<RequirementSet, string>();

  constructor(instanceTypes: readonly InstanceType[], index: ResourceIndex) {
    this.types = instanceTypes.map((it, i) => ({
      it,
      index: i,
      allocatable: index.vector(it.allocatable()),
      capacity: index.vector(it.capacity),
    }));
  }

  /** Per type: its requirements intersect these and it has an available offering they allow. */
  compatible(requirements: RequirementSet): Uint8Array {
    const key = this.key(requirements);
    let found = this.#compatible.get(key);
    if (found === undefined) {
      found = new Uint8Array(this.types.length);
      for (const t of this.types) {
        found[t.index] =
          t.it.requirements.intersects(requirements) && t.it.offerings.available().hasCompatible(requirements) ? 1 : 0;
      }
      this.#compatible.set(key, found);
    }
    return found;
  }

  prices(requirements: RequirementSet): CapacityTypePrices {
    const key = this.key(requirements);
    let found = this.#prices.get(key);
    if (found === undefined) {
      found = CAPACITY_TYPES_BY_PREFERENCE.map((capacityType) => {
        const prices = new Float64Array(this.types.length).fill(Number.NaN);
        for (const t of this.types) {
          let best = Number.NaN;
          for (const offering of t.it.offerings) {
            if (!offering.available || offering.capacityType !== capacityType) continue;
            if (!requirements.intersects(offering.requirements)) continue;
            if (Number.isNaN(best) || offering.price < best) best = offering.price;
          }
          prices[t.index] = best;
        }
        return prices;
      });
      this.#prices.set(key, found);
    }
    return found;
  }

  /**
   * Per capacity type (CAPACITY_TYPES_BY_PREFERENCE), the positions of the types with a price under these
   * requirements, cheapest first and by name among equals (`OrderByPrice`): each NodeClaim's options are read off it
   * instead of sorting its types again.
   */
  priceOrders(requirements: RequirementSet): readonly Int32Array[] {
    const key = this.key(requirements);
    let found = this.#orders.get(key);
    if (found === undefined) {
      found = this.prices(requirements).map((byType) => {
        const priced = this.types.filter((t) => !Number.isNaN(byType[t.index] as number));
        priced.sort((a, b) => {
          const x = a.it.name;
          const y = b.it.name;
          return (byType[a.index] as number) - (byType[b.index] as number) || (x < y ? -1 : x > y ? 1 : 0);
        });
        return Int32Array.from(priced, (t) => t.index);
      });
      this.#orders.set(key, found);
    }
    return found;
  }

  /** The requirements' text, which the catalog's answers are kept by (worked out once per set). */
  key(requirements: RequirementSet): string {
    let key = this.#keys.get(requirements);
    if (key === undefined) {
      key = requirements.toString();
      this.#keys.set(requirements, key);
    }
    return key;
  }
}

const catalogs = new WeakMap<readonly InstanceType[], Map<string, PoolCatalog>>();

/** The catalog of these types (the list as the caller passes it) under the index's resource names, made once. */
export function poolCatalog(instanceTypes: readonly InstanceType[], index: ResourceIndex): PoolCatalog {
  let byNames = catalogs.get(instanceTypes);
  if (byNames === undefined) {
    byNames = new Map();
    catalogs.set(instanceTypes, byNames);
  }
  const names = index.names.join("\n");
  let catalog = byNames.get(names);
  if (catalog === undefined) {
    catalog = new PoolCatalog(instanceTypes, index);
    byNames.set(names, catalog);
  }
  return catalog;
}
