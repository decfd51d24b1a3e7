/**
 * What one launch asks EC2 for, decided from the NodeClaim and the instance types (aws:pkg/providers/instance/
 * instance.go `filterInstanceTypes`, `getCapacityType`, `getOverrides`; types.go `CreateFleetInputBuilder`):
 * the types compatible with the NodeClaim's requirements that fit its requests and have an available offering;
 * the capacity type (spot when the requirements allow it and a type has an available spot offering, else
 * on-demand); at most 60 types, cheapest first; and one override per type × zone with a subnet.
 */
import type { NodeClaim, Subnet } from "../../api/index.ts";
import { fits, RequirementSet } from "../../scheduling/index.ts";
import { InsufficientCapacityError } from "../errors.ts";
import type { InstanceType } from "../instance-type.ts";
import { CAPACITY_TYPE_ON_DEMAND, CAPACITY_TYPE_SPOT, type Offering } from "../offering.ts";
import { LABEL_CAPACITY_TYPE } from "../catalog/catalog-labels.ts";

/** aws:pkg/providers/instance/instance.go `maxInstanceTypes`. */
export const MAX_INSTANCE_TYPES = 60;

export const ALLOCATION_STRATEGY_SPOT = "price-capacity-optimized";
export const ALLOCATION_STRATEGY_ON_DEMAND = "lowest-price";

export interface PlannedOverride {
  readonly instanceType: InstanceType;
  readonly offering: Offering;
  readonly subnet: Subnet;
}

export interface LaunchPlan {
  readonly capacityType: "spot" | "on-demand";
  readonly allocationStrategy: string;
  /** The types asked for, cheapest first. */
  readonly instanceTypes: readonly InstanceType[];
  readonly overrides: readonly PlannedOverride[];
}

export function nodeClaimRequirements(nodeClaim: NodeClaim): RequirementSet {
  return RequirementSet.fromRequirements(
    (nodeClaim.spec?.requirements ?? []).map((r) => ({ key: r.key, operator: r.operator, values: r.values ?? [] })),
  );
}

function cheapestPrice(instanceType: InstanceType, requirements: RequirementSet): number {
  return instanceType.offerings.available().compatible(requirements).cheapest()?.price ?? Number.POSITIVE_INFINITY;
}

export function planLaunch(
  nodeClaim: NodeClaim,
  instanceTypes: readonly InstanceType[],
  zonalSubnets: ReadonlyMap<string, Subnet>,
): LaunchPlan {
  const requirements = nodeClaimRequirements(nodeClaim);
  const requests = nodeClaim.spec?.resources?.requests ?? {};
  const compatible = instanceTypes.filter(
    (it) =>
      it.requirements.intersects(requirements) &&
      fits(requests, it.allocatable()) &&
      it.offerings.available().hasCompatible(requirements),
  );
  if (compatible.length === 0) {
    throw new InsufficientCapacityError("all requested instance types were unavailable during launch");
  }
  const spot = RequirementSet.fromRequirements([
    { key: LABEL_CAPACITY_TYPE, operator: "In", values: [CAPACITY_TYPE_SPOT] },
  ]).intersection(requirements);
  const capacityType =
    requirements.allows(LABEL_CAPACITY_TYPE, CAPACITY_TYPE_SPOT) &&
    compatible.some((it) => it.offerings.available().hasCompatible(spot))
      ? CAPACITY_TYPE_SPOT
      : CAPACITY_TYPE_ON_DEMAND;
  const chosen = RequirementSet.fromRequirements([
    { key: LABEL_CAPACITY_TYPE, operator: "In", values: [capacityType] },
  ]).intersection(requirements);
  const ordered = compatible
    .filter((it) => it.offerings.available().hasCompatible(chosen))
    .map((it) => ({ it, price: cheapestPrice(it, chosen) }))
    .sort((a, b) => a.price - b.price || a.it.name.localeCompare(b.it.name))
    .slice(0, MAX_INSTANCE_TYPES)
    .map(({ it }) => it);
  const overrides: PlannedOverride[] = [];
  for (const instanceType of ordered) {
    for (const offering of instanceType.offerings.available().compatible(chosen)) {
      const subnet = zonalSubnets.get(offering.zone);
      if (subnet !== undefined) overrides.push({ instanceType, offering, subnet });
    }
  }
  if (overrides.length === 0) {
    throw new InsufficientCapacityError("no capacity offerings are currently available given the constraints");
  }
  return {
    capacityType,
    allocationStrategy: capacityType === CAPACITY_TYPE_SPOT ? ALLOCATION_STRATEGY_SPOT : ALLOCATION_STRATEGY_ON_DEMAND,
    instanceTypes: ordered,
    overrides,
  };
}
