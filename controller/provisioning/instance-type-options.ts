/**
 * The capacity type and instance types a new NodeClaim launches with: reserved, then spot, then on-demand — the
 * first the requirements allow for which some type has an available compatible offering (Karpenter's
 * `getCapacityType`, FACTS.md §d) — and the types that offer it, cheapest first by that offering (`OrderByPrice`),
 * at most 60 (aws:pkg/providers/instance/instance.go `maxInstanceTypes`). Karpenter orders by every allowed capacity
 * type and picks one at launch; choosing here lets the NodeClaim and the explanation say what will be launched.
 */
import {
  CAPACITY_TYPE_ON_DEMAND,
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  type CapacityType,
  type InstanceType,
  LABEL_CAPACITY_TYPE,
} from "../../cloudprovider/index.ts";
import { RequirementSet } from "../../scheduling/index.ts";

export const MAX_INSTANCE_TYPES = 60;

const CAPACITY_TYPE_PREFERENCE: readonly CapacityType[] = [
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  CAPACITY_TYPE_ON_DEMAND,
];

export interface InstanceTypeOptions {
  readonly capacityType: CapacityType;
  readonly instanceTypes: readonly { readonly name: string; readonly price: number }[];
}

/** Undefined when no type has an available offering the requirements allow. */
export function instanceTypeOptions(
  requirements: RequirementSet,
  instanceTypes: readonly InstanceType[],
): InstanceTypeOptions | undefined {
  for (const capacityType of CAPACITY_TYPE_PREFERENCE) {
    if (!requirements.allows(LABEL_CAPACITY_TYPE, capacityType)) continue;
    const narrowed = requirements.intersection(
      RequirementSet.fromRequirements([{ key: LABEL_CAPACITY_TYPE, operator: "In", values: [capacityType] }]),
    );
    const priced = instanceTypes.flatMap((it) => {
      const price = it.offerings.available().compatible(narrowed).cheapest()?.price;
      return price === undefined ? [] : [{ name: it.name, price }];
    });
    if (priced.length === 0) continue;
    priced.sort((a, b) => a.price - b.price || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { capacityType, instanceTypes: priced.slice(0, MAX_INSTANCE_TYPES) };
  }
  return undefined;
}
