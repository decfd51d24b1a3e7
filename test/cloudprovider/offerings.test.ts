// Offerings and the scheduler's questions about them, with the expected answers worked from Karpenter's semantics
// (core:pkg/cloudprovider/types.go Offerings.Available/Compatible/Cheapest; an offering's requirements as
// aws:pkg/providers/instancetype/offering/*_resolver.go builds them).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Offerings } from "../../cloudprovider/offerings.ts";
import { newOffering, type Offering } from "../../cloudprovider/offering.ts";
import { ValueError } from "../../api/value-error.ts";
import { RequirementSet, type NodeSelectorRequirement } from "../../scheduling/requirements.ts";

const CAPACITY_TYPE = "karpenter.sh/capacity-type";
const ZONE = "topology.kubernetes.io/zone";
const RESERVATION_ID = "karpenter.k8s.aws/capacity-reservation-id";

function reqs(...requirements: NodeSelectorRequirement[]): RequirementSet {
  return RequirementSet.fromRequirements(requirements);
}

const odA = newOffering({ zone: "us-east-1a", capacityType: "on-demand", price: 0.096, available: true });
const odB = newOffering({ zone: "us-east-1b", capacityType: "on-demand", price: 0.096, available: false });
const spotA = newOffering({ zone: "us-east-1a", capacityType: "spot", price: 0.041, available: true });
const spotB = newOffering({ zone: "us-east-1b", capacityType: "spot", price: 0.037, available: false });
const reservedA = newOffering({
  zone: "us-east-1a",
  zoneId: "use1-az1",
  capacityType: "reserved",
  price: 0,
  available: true,
  reservation: { id: "cr-0123", type: "default", interruptible: false, capacity: 3 },
});
const all = new Offerings([odA, odB, spotA, spotB, reservedA]);
const zones = (offerings: Offerings): string[] => [...offerings].map((o) => `${o.capacityType}/${o.zone}`);

describe("an offering's requirements", () => {
  test("on-demand and spot: capacity type and zone, no reservation", () => {
    assert.equal(
      spotA.requirements.toString(),
      [
        "karpenter.k8s.aws/capacity-reservation-id DoesNotExist",
        "karpenter.k8s.aws/capacity-reservation-interruptible DoesNotExist",
        "karpenter.k8s.aws/capacity-reservation-type DoesNotExist",
        "karpenter.sh/capacity-type In [spot]",
        "topology.kubernetes.io/zone In [us-east-1a]",
      ].join(", "),
    );
  });

  test("reserved: the reservation's id, type and interruptibility, and the zone ID when known", () => {
    assert.ok(
      reservedA.requirements.matches({
        [CAPACITY_TYPE]: "reserved",
        [ZONE]: "us-east-1a",
        "topology.k8s.aws/zone-id": "use1-az1",
        [RESERVATION_ID]: "cr-0123",
        "karpenter.k8s.aws/capacity-reservation-type": "default",
        "karpenter.k8s.aws/capacity-reservation-interruptible": "false",
      }),
    );
    assert.equal(reservedA.reservation?.capacity, 3);
    assert.ok(Object.isFrozen(reservedA) && Object.isFrozen(reservedA.reservation));
  });

  test("invalid offerings are refused with a clear error", () => {
    const bad = (init: Parameters<typeof newOffering>[0], message: RegExp) =>
      assert.throws(
        () => newOffering(init),
        (error: unknown) => error instanceof ValueError && message.test(error.message),
      );
    bad({ zone: "", capacityType: "spot", price: 1, available: true }, /zone must be non-empty/);
    bad(
      { zone: "a", capacityType: "spot", price: -1, available: true },
      /offering spot in "a": price must be a non-negative number/,
    );
    bad({ zone: "a", capacityType: "spot", price: Number.NaN, available: true }, /price/);
    bad(
      { zone: "a", capacityType: "reserved", price: 0, available: true },
      /reservation is required for reserved offerings/,
    );
    bad(
      {
        zone: "a",
        capacityType: "spot",
        price: 0,
        available: true,
        reservation: { id: "cr-1", type: "default", interruptible: false, capacity: 1 },
      },
      /only for them/,
    );
    bad(
      {
        zone: "a",
        capacityType: "reserved",
        price: 0,
        available: true,
        reservation: { id: "cr-1", type: "default", interruptible: false, capacity: -1 },
      },
      /reservation capacity must be a non-negative integer/,
    );
  });

  test("offerings of one zone, capacity type and reservation share their requirements, whatever else differs", () => {
    const another = newOffering({ zone: "us-east-1a", capacityType: "on-demand", price: 1.5, available: false });
    assert.equal(another.requirements, odA.requirements, "another type's on-demand offering in us-east-1a");
    assert.equal(another.price, 1.5);
    assert.notEqual(odB.requirements, odA.requirements, "another zone");
    assert.notEqual(spotA.requirements, odA.requirements, "another capacity type");
    const withZoneId = newOffering({
      zone: "us-east-1a",
      zoneId: "use1-az1",
      capacityType: "on-demand",
      price: 1,
      available: true,
    });
    assert.notEqual(withZoneId.requirements, odA.requirements, "a zone ID besides");
    const otherReservation = newOffering({
      zone: "us-east-1a",
      zoneId: "use1-az1",
      capacityType: "reserved",
      price: 0,
      available: true,
      reservation: { id: "cr-0456", type: "default", interruptible: false, capacity: 3 },
    });
    assert.notEqual(otherReservation.requirements, reservedA.requirements, "another reservation");
    assert.ok(otherReservation.requirements.allows(RESERVATION_ID, "cr-0456"));
    assert.ok(!otherReservation.requirements.allows(RESERVATION_ID, "cr-0123"));
    const sameReservation = newOffering({
      zone: "us-east-1a",
      zoneId: "use1-az1",
      capacityType: "reserved",
      price: 0,
      available: true,
      reservation: { id: "cr-0123", type: "default", interruptible: false, capacity: 1 },
    });
    assert.equal(sameReservation.requirements, reservedA.requirements, "the same reservation, less capacity left");
  });
});

describe("Offerings", () => {
  test("available() keeps the ones that can launch now", () => {
    assert.deepEqual(zones(all.available()), ["on-demand/us-east-1a", "spot/us-east-1a", "reserved/us-east-1a"]);
  });

  test("compatible() with a NodeClaim's requirements", () => {
    assert.deepEqual(zones(all.compatible(reqs())), zones(all), "no requirement: all");
    assert.deepEqual(zones(all.compatible(reqs({ key: CAPACITY_TYPE, operator: "In", values: ["spot"] }))), [
      "spot/us-east-1a",
      "spot/us-east-1b",
    ]);
    assert.deepEqual(zones(all.compatible(reqs({ key: ZONE, operator: "NotIn", values: ["us-east-1a"] }))), [
      "on-demand/us-east-1b",
      "spot/us-east-1b",
    ]);
    // A NodeClaim pinned to the reservation can only use it; one that rules reservations out cannot.
    assert.deepEqual(zones(all.compatible(reqs({ key: RESERVATION_ID, operator: "In", values: ["cr-0123"] }))), [
      "reserved/us-east-1a",
    ]);
    assert.deepEqual(
      zones(all.compatible(reqs({ key: RESERVATION_ID, operator: "DoesNotExist" }))),
      zones(all).slice(0, 4),
    );
    // Keys an offering does not constrain do not matter (instance type, arch, a user label).
    assert.equal(all.compatible(reqs({ key: "team", operator: "In", values: ["a"] })).length, 5);
  });

  test("hasCompatible()", () => {
    assert.ok(all.hasCompatible(reqs({ key: CAPACITY_TYPE, operator: "In", values: ["on-demand"] })));
    assert.ok(!all.hasCompatible(reqs({ key: ZONE, operator: "In", values: ["us-east-1c"] })));
    assert.ok(!new Offerings([]).hasCompatible(reqs()));
  });

  test("cheapest(): lowest price, first of equals, undefined when empty", () => {
    assert.equal(all.cheapest(), reservedA);
    assert.equal(
      all
        .available()
        .compatible(reqs({ key: CAPACITY_TYPE, operator: "In", values: ["spot", "on-demand"] }))
        .cheapest(),
      spotA,
    );
    assert.equal(new Offerings([odB, odA]).cheapest(), odB);
    assert.equal(new Offerings([]).cheapest(), undefined);
  });

  test("immutable", () => {
    const list: Offering[] = [odA];
    const offerings = new Offerings(list);
    list.push(spotA);
    assert.equal(offerings.length, 1);
    assert.ok(Object.isFrozen(offerings.items));
  });
});
