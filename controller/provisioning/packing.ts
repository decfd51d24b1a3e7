/**
 * Keeping NodeClaims on instance types that pack cheaply — where poolkeeper deliberately departs from Karpenter.
 * Karpenter lets a NodeClaim take pods for as long as its largest option fits them and then launches the cheapest
 * option left; over a real catalog the largest options are specialty types (u-*, x2*: terabytes of memory at
 * hundreds of dollars an hour), so a big batch of small pods ends up on a few very dear nodes. Here the run's prices
 * per unit of CPU, memory and pods are the dual of the LP that covers the pending pods' requests with the pool's
 * types (covering-lp.ts); a type worth at least EFFICIENT_WORTH of its price at those prices is efficient, and a
 * NodeClaim that has an efficient option takes only pods that leave it one. And a pod that would move a NodeClaim
 * onto a dearer type must bring its share of the price (`growthPays`), so a claim does not grow from a full
 * 16 GiB node into a 32 GiB one of another family at 1.8 times the price for one more pod.
 */
import type { RequirementSet } from "../../scheduling/index.ts";
import { coveringLp } from "./covering-lp.ts";
import type { PodConstraints } from "./pod-constraints.ts";
import type { PoolCatalog } from "./pool-catalog.ts";
import type { ResourceIndex, ResourceVector } from "./resource-vector.ts";

export const EFFICIENT_WORTH = 0.9;
// cpu, memory and pods come first in every ResourceIndex.
const PACKED = 3;

/** The pending pods' requests of cpu, memory and pods. */
export function demand(index: ResourceIndex, pods: readonly PodConstraints[]): number[] {
  const total = [0, 0, 0];
  for (const pod of pods) {
    const v = index.vector(pod.requests);
    for (let j = 0; j < PACKED; j++) total[j] = (total[j] as number) + (v[j] as number);
  }
  return total;
}

export interface Packing {
  /** Per type of the catalog: 1 when efficient (every compatible type when there is nothing to price). */
  readonly efficient: Uint8Array;
  /** Per type: its cheapest available offering under the pool's requirements (Infinity: none). */
  readonly price: Float64Array;
  /** USD per hour per unit of cpu, memory and pods (zeros when there is nothing to price). */
  readonly duals: readonly number[];
}

/** What a claim's requests are worth at the run's prices. */
export function worth(packing: Pick<Packing, "duals">, requests: ResourceVector): number {
  let sum = 0;
  for (let j = 0; j < PACKED; j++) sum += (packing.duals[j] as number) * (requests[j] as number);
  return sum;
}

/**
 * Whether growing a claim from `price` (worth `before`) to `nextPrice` (worth `after`) keeps it as cheap per unit as
 * it was: a pod that takes a NodeClaim onto a dearer type must bring at least its share of the price (a 2 % slack
 * absorbs rounding in price lists).
 */
export function growthPays(price: number, before: number, nextPrice: number, after: number): boolean {
  if (nextPrice <= price * (1 + 1e-9)) return true;
  return after / nextPrice >= (before / price) * (1 - GROWTH_SLACK);
}

const GROWTH_SLACK = 0.02;

// Per catalog (catalogs are shared by runs over the same types, pool-catalog.ts), by requirements, overhead and
// demand: the consolidation simulations of a pass ask it again for every candidate whose pods request alike. Bounded,
// as a controller's runs meet ever new demands.
const packings = new WeakMap<PoolCatalog, Map<string, Packing>>();
const PACKINGS_PER_CATALOG = 256;

/** `compatible` is `catalog.compatible(requirements)`. The answer is shared: never written. */
export function packing(
  catalog: PoolCatalog,
  compatible: Uint8Array,
  overhead: ResourceVector,
  requests: readonly number[],
  requirements: RequirementSet,
): Packing {
  let kept = packings.get(catalog);
  if (kept === undefined) {
    kept = new Map();
    packings.set(catalog, kept);
  }
  const key = `${catalog.key(requirements)}|${overhead.join(",")}|${requests.join(",")}`;
  let found = kept.get(key);
  if (found === undefined) {
    found = packingOf(catalog, compatible, overhead, requests, requirements);
    if (kept.size >= PACKINGS_PER_CATALOG) kept.clear();
    kept.set(key, found);
  }
  return found;
}

function packingOf(
  catalog: PoolCatalog,
  compatible: Uint8Array,
  overhead: ResourceVector,
  requests: readonly number[],
  requirements: RequirementSet,
): Packing {
  const out = new Uint8Array(catalog.types.length);
  const prices = catalog.prices(requirements);
  const price = new Float64Array(catalog.types.length).fill(Number.POSITIVE_INFINITY);
  for (const t of catalog.types) {
    for (const byType of prices) {
      const p = byType[t.index] as number;
      if (!Number.isNaN(p) && p < (price[t.index] as number)) price[t.index] = p;
    }
  }
  const none = { efficient: out, price, duals: [0, 0, 0] };
  const candidates = catalog.types.flatMap((t) => {
    if (compatible[t.index] !== 1) return [];
    const cost = price[t.index] as number;
    const allocatable = [0, 1, 2].map((j) => (t.allocatable[j] as number) - (overhead[j] as number));
    if (!(cost > 0 && cost < Number.POSITIVE_INFINITY) || allocatable.some((a) => a <= 0)) return [];
    return [{ index: t.index, price: cost, allocatable }];
  });
  if (candidates.length === 0 || requests.every((r) => r <= 0)) {
    out.set(compatible);
    return none;
  }
  let duals: readonly number[];
  try {
    duals = coveringLp(
      candidates,
      requests.map((r) => Math.max(r, 0)),
    ).duals;
  } catch {
    out.set(compatible);
    return none;
  }
  for (const c of candidates) {
    const value = c.allocatable.reduce((sum, a, j) => sum + a * (duals[j] as number), 0);
    if (value >= EFFICIENT_WORTH * c.price) out[c.index] = 1;
  }
  return { efficient: out, price, duals };
}
