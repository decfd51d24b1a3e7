/**
 * The static source of instance types: the bundled catalog (or a user's) turned into the cloud provider's
 * `InstanceType`s, each with an on-demand offering per zone at the catalog's on-demand price. Spot prices and
 * reservations come from EC2 (DescribeSpotPriceHistory, DescribeCapacityReservations) in the AWS implementation;
 * the catalog has neither, so it offers no spot or reserved offering.
 */
import { DEFAULT_CAPACITY_SETTINGS, type CapacitySettings } from "./capacity-settings.ts";
import { instanceTypeCapacity, instanceTypeOverhead } from "./capacity.ts";
import type { CatalogInstanceType, InstanceTypeCatalog } from "./catalog/catalog.ts";
import { InstanceType } from "./instance-type.ts";
import { instanceTypeRequirements } from "./instance-type-requirements.ts";
import { CAPACITY_TYPE_ON_DEMAND, CAPACITY_TYPE_SPOT, newOffering, type CapacityType } from "./offering.ts";

export interface CatalogSourceOptions {
  /** The zones to offer each type in (in practice: the zones of the EC2NodeClass's subnets). */
  readonly zones: readonly string[];
  /** Zone name → zone ID (`use1-az1`), when known. */
  readonly zoneIds?: Readonly<Record<string, string>> | undefined;
  readonly region?: string | undefined;
  /** Default: AL2023 with no kubelet settings (`DEFAULT_CAPACITY_SETTINGS`). */
  readonly settings?: CapacitySettings | undefined;
  /** The unavailable-offerings cache: an offering it names is listed with `available: false`. */
  readonly isUnavailable?: ((instanceType: string, zone: string, capacityType: CapacityType) => boolean) | undefined;
}

// Karpenter takes a type's capacity types from DescribeInstanceTypes' SupportedUsageClasses, which the catalog
// lacks; on-demand and spot is what nearly every type supports. Only on-demand is offered here.
const USAGE_CLASSES: readonly CapacityType[] = [CAPACITY_TYPE_ON_DEMAND, CAPACITY_TYPE_SPOT];

/**
 * Every type of the catalog, in its order, with requirements, on-demand offerings, capacity and overhead for the
 * settings. Types that cannot run the AMI family (arm64 under Windows) are kept, with no operating system they
 * satisfy, as Karpenter keeps them: `GetInstanceTypes` returns all types, whether or not they can launch.
 */
export function catalogInstanceTypes(
  catalog: InstanceTypeCatalog | readonly CatalogInstanceType[],
  options: CatalogSourceOptions,
): InstanceType[] {
  const types = "types" in catalog ? catalog.types : catalog;
  const settings = options.settings ?? DEFAULT_CAPACITY_SETTINGS;
  return types.map((type) => catalogInstanceType(type, settings, options));
}

function catalogInstanceType(
  type: CatalogInstanceType,
  settings: CapacitySettings,
  options: CatalogSourceOptions,
): InstanceType {
  const offerings = options.zones.map((zone) =>
    newOffering({
      zone,
      zoneId: options.zoneIds?.[zone],
      capacityType: CAPACITY_TYPE_ON_DEMAND,
      price: type.onDemandUsd,
      available: !(options.isUnavailable?.(type.name, zone, CAPACITY_TYPE_ON_DEMAND) ?? false),
    }),
  );
  return new InstanceType({
    name: type.name,
    requirements: instanceTypeRequirements(type, {
      amiFamily: settings.amiFamily,
      zones: options.zones,
      zoneIds: options.zoneIds,
      region: options.region,
      capacityTypes: USAGE_CLASSES,
    }),
    offerings,
    capacity: instanceTypeCapacity(type, settings),
    overhead: instanceTypeOverhead(type, settings),
  });
}
