// An instance of the world and its state machine on the world's clock: pending → running → shutting-down →
// terminated. The state is computed from the launch and termination times rather than flipped by timers, so it
// is the same however the clock is moved. EC2's state codes (the low byte of InstanceState.Code).
import type { Tag } from "./tags.ts";

export type InstanceStateName = "pending" | "running" | "shutting-down" | "terminated";

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
};

export type CapacityType = "on-demand" | "spot";

/** An EBS volume an instance launched with. */
export interface BlockDevice {
  deviceName: string;
  sizeGiB: number;
}

export interface Instance {
  id: string;
  reservationId: string;
  instanceType: string;
  architecture: "x86_64" | "arm64";
  zone: string;
  subnetId: string;
  vpcId: string;
  imageId: string;
  capacityType: CapacityType;
  securityGroupIds: string[];
  userData?: string;
  /** The instance profile's name or ARN, as the launch named it. */
  instanceProfile?: string;
  privateIp: string;
  launchIndex: number;
  /** The hourly price it was launched at: the on-demand price, or the spot price of its offering then. */
  priceUsd: number;
  clientToken?: string;
  tags: Tag[];
  /** EBS volumes by device, from the launch template's block device mappings; none: the image's own. */
  blockDevices?: BlockDevice[];
  launchedAt: number;
  terminatedAt?: number;
  /** EC2's state reason for a termination not asked for by the user (a spot interruption). */
  terminationReason?: { code: string; message: string };
}

export interface StateTiming {
  pendingMs: number;
  shuttingDownMs: number;
}

export function instanceState(instance: Instance, now: number, timing: StateTiming): InstanceStateName {
  if (instance.terminatedAt !== undefined) {
    return now >= instance.terminatedAt + timing.shuttingDownMs ? "terminated" : "shutting-down";
  }
  return now >= instance.launchedAt + timing.pendingMs ? "running" : "pending";
}
