// The order in which an instant EC2 Fleet tries its pools (override = instance type in a subnet), per allocation
// strategy, as EC2's documentation defines them ("Allocation strategies for Spot Instances" and "for On-Demand
// Instances", EC2 Fleet user guide), over the world's spot market (prices and capacity levels from the seed):
//
// - spot `lowest-price`: the lowest-priced pool first (current spot price);
// - spot `price-capacity-optimized` (what Karpenter asks for spot): the pools with the most capacity available
//   first, the lowest-priced of them first;
// - spot `capacity-optimized`: the most capacity first, then the request's order;
// - spot `capacity-optimized-prioritized`: the most capacity first, `Priority` honoured among equals ("on a
//   best-effort basis");
// - spot `diversified`: the world launches one pool per fleet, so it is `lowest-price` here;
// - on-demand `lowest-price` (Karpenter's on-demand choice): the lowest on-demand price first;
// - on-demand `prioritized`: `Priority` first (lowest number; an override without one comes last).
// Ties keep the order the overrides were given in. A pool out of capacity is tried and reported in errorSet.
import type { Cloud, Placement } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { CapacityType } from "../../world/cloud/instance.ts";
import { spotCapacityLevel } from "../../world/cloud/spot-market.ts";

export type AllocationStrategy =
  | "lowest-price"
  | "price-capacity-optimized"
  | "capacity-optimized"
  | "capacity-optimized-prioritized"
  | "diversified"
  | "prioritized";

const STRATEGIES: Record<CapacityType, readonly AllocationStrategy[]> = {
  spot: [
    "lowest-price",
    "price-capacity-optimized",
    "capacity-optimized",
    "capacity-optimized-prioritized",
    "diversified",
  ],
  "on-demand": ["lowest-price", "prioritized"],
};

/** The strategy as EC2 accepts it for the capacity type, or EC2's InvalidParameterValue. */
export function allocationStrategy(capacityType: CapacityType, value: string): AllocationStrategy {
  const allowed = STRATEGIES[capacityType];
  const strategy = allowed.find((s) => s === value);
  if (!strategy) {
    const options = capacityType === "spot" ? "SpotOptions" : "OnDemandOptions";
    throw new CloudError(
      "InvalidParameterValue",
      `Value (${value}) for parameter ${options}.AllocationStrategy is invalid. Expected one of ${allowed.join(", ")}.`,
    );
  }
  return strategy;
}

export interface Pool {
  /** Position in the request. */
  order: number;
  /** Override priority; lower first. */
  priority: number;
  placement: Placement;
}

/** The pools in the order the strategy tries them. */
export function allocationOrder<P extends Pool>(cloud: Cloud, strategy: AllocationStrategy, pools: readonly P[]): P[] {
  const seed = cloud.scenario.spotPriceSeed;
  const keyed = pools.map((pool) => {
    const type = cloud.instanceType(pool.placement.instanceType);
    const zone = cloud.subnet(pool.placement.subnetId).zone;
    const spot = pool.placement.capacityType === "spot";
    return {
      pool,
      price: type === undefined ? 0 : spot ? cloud.spotPrice(type, zone).priceUsd : type.onDemandUsd,
      capacity: spot ? spotCapacityLevel(seed, pool.placement.instanceType, zone) : 0,
    };
  });
  type Keyed = (typeof keyed)[number];
  const byOrder = (a: Keyed, b: Keyed) => a.pool.order - b.pool.order;
  const byPrice = (a: Keyed, b: Keyed) => a.price - b.price;
  const byCapacity = (a: Keyed, b: Keyed) => b.capacity - a.capacity;
  const byPriority = (a: Keyed, b: Keyed) => a.pool.priority - b.pool.priority;
  const compare: Record<AllocationStrategy, (a: Keyed, b: Keyed) => number> = {
    "lowest-price": (a, b) => byPrice(a, b) || byOrder(a, b),
    diversified: (a, b) => byPrice(a, b) || byOrder(a, b),
    "price-capacity-optimized": (a, b) => byCapacity(a, b) || byPrice(a, b) || byOrder(a, b),
    "capacity-optimized": (a, b) => byCapacity(a, b) || byOrder(a, b),
    "capacity-optimized-prioritized": (a, b) => byCapacity(a, b) || byPriority(a, b) || byOrder(a, b),
    prioritized: (a, b) => byPriority(a, b) || byOrder(a, b),
  };
  return keyed.sort(compare[strategy]).map((k) => k.pool);
}
