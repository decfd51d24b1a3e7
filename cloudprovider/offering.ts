/**
 * Where and how an instance type can be launched, and at what price (Karpenter's `cloudprovider.Offering`,
 * core:pkg/cloudprovider/types.go): one zone × one capacity type, with a reservation for `reserved`. The
 * requirements say the same as the fields, in the scheduler's terms, as karpenter-provider-aws builds them
 * (aws:pkg/providers/instancetype/offering/base_resolver.go and reserved_capacity_resolver.go).
 */
import { ValueError } from "../api/index.ts";
import { RequirementSet, type NodeSelectorRequirement } from "../scheduling/index.ts";
import {
  LABEL_CAPACITY_RESERVATION_ID,
  LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE,
  LABEL_CAPACITY_RESERVATION_TYPE,
  LABEL_CAPACITY_TYPE,
  LABEL_ZONE,
  LABEL_ZONE_ID,
} from "./catalog/catalog-labels.ts";

/** `karpenter.sh/capacity-type` values. */
export type CapacityType = "on-demand" | "spot" | "reserved";
export const CAPACITY_TYPE_ON_DEMAND = "on-demand";
export const CAPACITY_TYPE_SPOT = "spot";
export const CAPACITY_TYPE_RESERVED = "reserved";

/** An EC2 capacity reservation an offering launches into: an ODCR (`default`) or a capacity block. */
export interface CapacityReservation {
  readonly id: string;
  readonly type: "default" | "capacity-block";
  /** Interruptible ODCRs can be reclaimed by their owner. */
  readonly interruptible: boolean;
  /** Instances that can still launch into it (`Offering.ReservationCapacity`). */
  readonly capacity: number;
}

export interface Offering {
  /** capacity type and zone (In), reservation labels (In, or DoesNotExist when not reserved), zone ID when known. */
  readonly requirements: RequirementSet;
  readonly zone: string;
  readonly zoneId: string | undefined;
  readonly capacityType: CapacityType;
  /** USD per hour. */
  readonly price: number;
  /** False when the cloud cannot launch it now (no price, unfulfillable capacity recently, reservation full). */
  readonly available: boolean;
  /** Set exactly when `capacityType` is reserved. */
  readonly reservation: CapacityReservation | undefined;
  /**
   * When it is unavailable because of recent unfulfillable capacity: when the unavailable-offerings cache lets it
   * go, so an explanation can say when to expect it back. Undefined otherwise.
   */
  readonly unavailableUntil?: Date | undefined;
}

export interface OfferingInit {
  readonly zone: string;
  readonly zoneId?: string | undefined;
  readonly capacityType: CapacityType;
  readonly price: number;
  readonly available: boolean;
  readonly reservation?: CapacityReservation | undefined;
  readonly unavailableUntil?: Date | undefined;
}

/**
 * A frozen offering with its requirements. Throws ValueError for an empty zone, a negative or non-finite price, a
 * reservation on a capacity type other than reserved (or none on reserved), or a negative reservation capacity.
 */
export function newOffering(init: OfferingInit): Offering {
  const { zone, capacityType, price, available, reservation } = init;
  const what = `offering ${capacityType} in "${zone}"`;
  if (zone === "") throw new ValueError(`${what}: zone must be non-empty`, init);
  if (!Number.isFinite(price) || price < 0) {
    throw new ValueError(`${what}: price must be a non-negative number of USD per hour (got ${price})`, init);
  }
  if ((capacityType === CAPACITY_TYPE_RESERVED) !== (reservation !== undefined)) {
    throw new ValueError(`${what}: a reservation is required for reserved offerings and only for them`, init);
  }
  if (reservation !== undefined && (!Number.isSafeInteger(reservation.capacity) || reservation.capacity < 0)) {
    throw new ValueError(`${what}: reservation capacity must be a non-negative integer`, init);
  }
  return Object.freeze({
    requirements: offeringRequirements(capacityType, zone, init.zoneId, reservation),
    zone,
    zoneId: init.zoneId,
    capacityType,
    price,
    available,
    reservation: reservation === undefined ? undefined : Object.freeze({ ...reservation }),
    ...(init.unavailableUntil === undefined ? {} : { unavailableUntil: init.unavailableUntil }),
  });
}

/**
 * Offerings of one zone and capacity type (and reservation) say the same requirements whatever their instance type:
 * one RequirementSet (immutable) serves them all. A provider's full list has an offering per type, zone and capacity
 * type — 8,184 for the e2e bench's 1,364 types in three zones — and each its own set held about 8 MiB of the
 * controller's live heap (docs/performance.md, "End to end"). Bounded: cleared when it holds MAX_SHARED sets.
 */
const shared = new Map<string, RequirementSet>();
const MAX_SHARED = 4_096;

function offeringRequirements(
  capacityType: CapacityType,
  zone: string,
  zoneId: string | undefined,
  reservation: CapacityReservation | undefined,
): RequirementSet {
  const key = JSON.stringify([
    capacityType,
    zone,
    zoneId,
    reservation?.id,
    reservation?.type,
    reservation?.interruptible,
  ]);
  const known = shared.get(key);
  if (known !== undefined) return known;
  const requirements: NodeSelectorRequirement[] = [
    { key: LABEL_CAPACITY_TYPE, operator: "In", values: [capacityType] },
    { key: LABEL_ZONE, operator: "In", values: [zone] },
    ...reservationRequirements(reservation),
  ];
  if (zoneId !== undefined) requirements.push({ key: LABEL_ZONE_ID, operator: "In", values: [zoneId] });
  const set = RequirementSet.fromRequirements(requirements);
  if (shared.size >= MAX_SHARED) shared.clear();
  shared.set(key, set);
  return set;
}

// Non-reserved offerings say DoesNotExist, so a NodeClaim pinned to a reservation matches only that one.
function reservationRequirements(reservation: CapacityReservation | undefined): NodeSelectorRequirement[] {
  const keys = [
    LABEL_CAPACITY_RESERVATION_ID,
    LABEL_CAPACITY_RESERVATION_TYPE,
    LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE,
  ];
  if (reservation === undefined) return keys.map((key) => ({ key, operator: "DoesNotExist" }));
  const values = [reservation.id, reservation.type, String(reservation.interruptible)];
  return keys.map((key, index) => ({ key, operator: "In", values: [values[index] ?? ""] }));
}
