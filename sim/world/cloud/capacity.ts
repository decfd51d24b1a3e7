// What the world's EC2 can launch: offerings out of capacity (InsufficientInstanceCapacity, or
// UnfulfillableCapacity as EC2 Fleet also reports it), per capacity type or both, and the account's vCPU limits
// per capacity type (VcpuLimitExceeded). The scenario sets the start; tests and the world change it at any time
// (`outOfCapacity` / `restore`). Error codes and messages as EC2 words them; Karpenter's ICE cache keys on the codes
// (aws:pkg/errors/errors.go `unfulfillableCapacityErrorCodes`).
import { CloudError } from "./cloud-error.ts";
import type { CapacityType } from "./instance.ts";

export type CapacityErrorCode = "InsufficientInstanceCapacity" | "UnfulfillableCapacity";

/** An offering out of capacity: both capacity types unless one is named. */
export interface CapacityShortage {
  instanceType: string;
  zone: string;
  capacityType?: CapacityType;
  /** InsufficientInstanceCapacity unless told otherwise. */
  code?: CapacityErrorCode;
}

/** The part of a scenario that sets the market and the account's limits. */
export interface CapacityScenario {
  /** Seeds the spot prices and spot capacity levels (sim/world/cloud/spot-market.ts). */
  spotPriceSeed: number;
  shortages: CapacityShortage[];
  /** Running and pending vCPUs the account may have, per capacity type (one bucket for every family). */
  vcpuLimits: Record<CapacityType, number>;
  /** Simulated time a new instance stays missing from DescribeInstances and DescribeInstanceStatus. */
  describeLagMs: number;
}

export function defaultCapacityScenario(): CapacityScenario {
  return {
    spotPriceSeed: 1,
    shortages: [],
    vcpuLimits: { "on-demand": 100_000, spot: 100_000 },
    describeLagMs: 2_000,
  };
}

const matches = (s: CapacityShortage, instanceType: string, zone: string, capacityType: CapacityType) =>
  s.instanceType === instanceType && s.zone === zone && (s.capacityType ?? capacityType) === capacityType;

export class Capacity {
  #shortages: CapacityShortage[];
  readonly vcpuLimits: Record<CapacityType, number>;

  constructor(scenario: CapacityScenario) {
    this.#shortages = scenario.shortages.map((s) => ({ ...s }));
    this.vcpuLimits = { ...scenario.vcpuLimits };
  }

  /** Takes an offering's capacity away (for both capacity types unless `capacityType` is given). */
  outOfCapacity(shortage: CapacityShortage): void {
    this.restore(shortage);
    this.#shortages.push({ ...shortage });
  }

  /** Gives an offering's capacity back. */
  restore(offering: { instanceType: string; zone: string; capacityType?: CapacityType }): void {
    this.#shortages = this.#shortages.filter(
      (s) =>
        !(
          s.instanceType === offering.instanceType &&
          s.zone === offering.zone &&
          s.capacityType === offering.capacityType
        ),
    );
  }

  /** Whether an offering can launch now: false when out of capacity. */
  available(instanceType: string, zone: string, capacityType: CapacityType): boolean {
    return !this.#shortages.some((s) => matches(s, instanceType, zone, capacityType));
  }

  /**
   * Throws EC2's error when `count` instances of `vcpus` each cannot launch: the offering out of capacity, or the
   * account's vCPU limit for the capacity type passed by what already runs (`usedVcpus`) and this launch.
   */
  check(
    launch: { instanceType: string; zone: string; capacityType: CapacityType; vcpus: number; count: number },
    usedVcpus: number,
  ): void {
    const { instanceType, zone, capacityType } = launch;
    const shortage = this.#shortages.find((s) => matches(s, instanceType, zone, capacityType));
    if (shortage?.code === "UnfulfillableCapacity") {
      throw new CloudError(
        "UnfulfillableCapacity",
        "Unable to fulfill capacity due to your request configuration. Please adjust your request and try again.",
      );
    }
    if (shortage) {
      throw new CloudError(
        "InsufficientInstanceCapacity",
        capacityType === "spot"
          ? "There is no Spot capacity available that matches your request."
          : `We currently do not have sufficient ${instanceType} capacity in the Availability Zone you requested (${zone}). ` +
              "Our system will be working on provisioning additional capacity.",
      );
    }
    const limit = this.vcpuLimits[capacityType];
    if (usedVcpus + launch.vcpus * launch.count > limit) {
      throw new CloudError(
        "VcpuLimitExceeded",
        `You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance ` +
          "bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request " +
          "to request an adjustment to this limit.",
      );
    }
  }
}
