/**
 * The NodeClaim a cloud provider's `create` returns: the requested one with what the launch decided, as
 * karpenter-provider-aws's `instanceToNodeClaim` fills it (aws:pkg/cloudprovider/cloudprovider.go): the provider ID,
 * the labels the instance type pins to one value, the zone, capacity type, tenancy and reservation of the offering
 * it launched into, and the capacity and allocatable of its type (resources it has none of left out).
 */
import { cloneJson } from "../api/index.ts";
import type { NodeClaim } from "../api/index.ts";
import { toRawResourceList, type ResourceList } from "../scheduling/index.ts";
import {
  LABEL_CAPACITY_RESERVATION_ID,
  LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE,
  LABEL_CAPACITY_RESERVATION_TYPE,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_TENANCY,
  LABEL_ZONE,
  LABEL_ZONE_ID,
} from "./catalog/catalog-labels.ts";
import type { InstanceType } from "./instance-type.ts";
import type { Offering } from "./offering.ts";

export interface Launch {
  readonly instanceType: InstanceType;
  /** The offering the instance was launched into. */
  readonly offering: Offering;
  /** e.g. `aws:///us-east-1a/i-0123456789abcdef0`. */
  readonly providerID: string;
  readonly tenancy?: "default" | "dedicated";
  readonly imageID?: string;
}

// A type lists every reservation it could launch into; which one it did comes from the offering.
const RESERVATION_LABELS: ReadonlySet<string> = new Set([
  LABEL_CAPACITY_RESERVATION_ID,
  LABEL_CAPACITY_RESERVATION_TYPE,
  LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE,
]);

/** A copy of `nodeClaim` with the launch's labels (over its own) and status. The input is not changed. */
export function launchedNodeClaim(nodeClaim: NodeClaim, launch: Launch): NodeClaim {
  const { instanceType, offering } = launch;
  const labels: Record<string, string> = { ...nodeClaim.metadata.labels };
  for (const key of instanceType.requirements.keys()) {
    const allowed = instanceType.requirements.valuesFor(key);
    const [only] = allowed.values;
    if (!allowed.complement && allowed.values.length === 1 && only !== undefined && !RESERVATION_LABELS.has(key)) {
      labels[key] = only;
    }
  }
  labels[LABEL_ZONE] = offering.zone;
  if (offering.zoneId !== undefined) labels[LABEL_ZONE_ID] = offering.zoneId;
  labels[LABEL_CAPACITY_TYPE] = offering.capacityType;
  labels[LABEL_INSTANCE_TENANCY] = launch.tenancy ?? "default";
  if (offering.reservation !== undefined) {
    labels[LABEL_CAPACITY_RESERVATION_ID] = offering.reservation.id;
    labels[LABEL_CAPACITY_RESERVATION_TYPE] = offering.reservation.type;
    labels[LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE] = String(offering.reservation.interruptible);
  }
  const launched = cloneJson(nodeClaim);
  launched.metadata.labels = labels;
  launched.status = {
    ...launched.status,
    providerID: launch.providerID,
    capacity: nonZero(instanceType.capacity),
    allocatable: nonZero(instanceType.allocatable()),
    ...(launch.imageID === undefined ? {} : { imageID: launch.imageID }),
  };
  return launched;
}

function nonZero(list: ResourceList): Record<string, string> {
  return toRawResourceList(Object.fromEntries(Object.entries(list).filter(([, quantity]) => !quantity.isZero())));
}
