/**
 * The requirements of an instance type from its catalog record (karpenter-provider-aws `computeRequirements`,
 * aws:pkg/providers/instancetype/types.go): the catalog's labels (`instanceTypeLabels`) as `In`, the ones a type
 * lacks (GPU, accelerator, local NVMe, bandwidth) as `DoesNotExist`, and what depends on where and how it launches:
 * operating system (from the AMI family), zones, region, capacity types, tenancy, reservations, Windows build.
 *
 * Labels Karpenter reads from DescribeInstanceTypes that the catalog lacks (hypervisor, encryption in transit,
 * sustained clock speed, EBS bandwidth) are left unconstrained rather than said not to exist: the scheduler allows
 * an undefined well-known label, so a NodePool requiring one is not wrongly refused every type.
 */
import { RequirementSet, type NodeSelectorRequirement } from "../scheduling/index.ts";
import { amiFamilyTraits, isWindows, type AMIFamily } from "./ami-family.ts";
import type { CatalogInstanceType } from "./catalog/catalog.ts";
import {
  INSTANCE_TYPE_LABEL_KEYS,
  LABEL_CAPACITY_RESERVATION_ID,
  LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE,
  LABEL_CAPACITY_RESERVATION_TYPE,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TENANCY,
  LABEL_OS,
  LABEL_REGION,
  LABEL_WINDOWS_BUILD,
  LABEL_ZONE,
  LABEL_ZONE_ID,
  TENANCIES,
  instanceTypeLabels,
} from "./catalog/catalog-labels.ts";
import { CAPACITY_TYPE_RESERVED, type CapacityReservation, type CapacityType } from "./offering.ts";

export interface RequirementsContext {
  readonly amiFamily: AMIFamily;
  /** Zones it can launch in (Karpenter: zones offering the type that have a subnet of the EC2NodeClass). */
  readonly zones: readonly string[];
  /** Zone name → zone ID, for the `topology.k8s.aws/zone-id` requirement; zones without one are left out of it. */
  readonly zoneIds?: Readonly<Record<string, string>> | undefined;
  readonly region?: string | undefined;
  /** The type's usage classes, on-demand and/or spot; `reserved` is added when `reservations` has any. */
  readonly capacityTypes: readonly CapacityType[];
  readonly reservations?: readonly CapacityReservation[] | undefined;
}

export function instanceTypeRequirements(type: CatalogInstanceType, context: RequirementsContext): RequirementSet {
  const labels = instanceTypeLabels(type);
  const requirements: NodeSelectorRequirement[] = [];
  for (const key of INSTANCE_TYPE_LABEL_KEYS) {
    if (key === LABEL_OS) continue;
    const value = labels[key];
    requirements.push(
      value === undefined ? { key, operator: "DoesNotExist" } : { key, operator: "In", values: [value] },
    );
  }
  requirements.push(...inValues(LABEL_OS, operatingSystems(type, context.amiFamily)));
  requirements.push(...inValues(LABEL_ZONE, context.zones));
  if (context.region !== undefined) requirements.push({ key: LABEL_REGION, operator: "In", values: [context.region] });
  const build = amiFamilyTraits(context.amiFamily).windowsBuild;
  requirements.push(
    build === undefined
      ? { key: LABEL_WINDOWS_BUILD, operator: "DoesNotExist" }
      : { key: LABEL_WINDOWS_BUILD, operator: "In", values: [build] },
  );
  requirements.push({ key: LABEL_INSTANCE_TENANCY, operator: "In", values: [...TENANCIES] });

  const reservations = context.reservations ?? [];
  const capacityTypes = [...context.capacityTypes];
  if (reservations.length > 0) capacityTypes.push(CAPACITY_TYPE_RESERVED);
  requirements.push(...inValues(LABEL_CAPACITY_TYPE, capacityTypes));
  const reservationLabels: readonly [string, (r: CapacityReservation) => string][] = [
    [LABEL_CAPACITY_RESERVATION_ID, (r) => r.id],
    [LABEL_CAPACITY_RESERVATION_TYPE, (r) => r.type],
    [LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE, (r) => String(r.interruptible)],
  ];
  for (const [key, value] of reservationLabels) {
    requirements.push(
      reservations.length === 0
        ? { key, operator: "DoesNotExist" }
        : { key, operator: "In", values: reservations.map(value) },
    );
  }

  const zoneIds = context.zones.flatMap((zone) => {
    const id = context.zoneIds?.[zone];
    return id === undefined ? [] : [id];
  });
  if (zoneIds.length > 0) requirements.push({ key: LABEL_ZONE_ID, operator: "In", values: zoneIds });
  return RequirementSet.fromRequirements(requirements);
}

// types.go getOS: Windows AMIs run on amd64 only, so an arm64 type has no operating system under a Windows family.
function operatingSystems(type: CatalogInstanceType, family: AMIFamily): string[] {
  if (!isWindows(family)) return ["linux"];
  return type.arch === "amd64" ? ["windows"] : [];
}

/**
 * `key In values`; for no values, a requirement no label satisfies (Karpenter's `In` with an empty set), written as
 * Exists and DoesNotExist together because an `In` requirement must list a value.
 */
function inValues(key: string, values: readonly string[]): NodeSelectorRequirement[] {
  if (values.length > 0) return [{ key, operator: "In", values: [...values] }];
  return [
    { key, operator: "Exists" },
    { key, operator: "DoesNotExist" },
  ];
}
