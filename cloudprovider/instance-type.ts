/**
 * A kind of node the cloud can launch, as the scheduler sees it (Karpenter's `cloudprovider.InstanceType`,
 * core:pkg/cloudprovider/types.go): the labels its nodes can have as requirements, where and at what price it can
 * be launched, its capacity, and what the kubelet keeps from pods.
 */
import { subtractQuantities } from "../api/index.ts";
import type { RequirementSet } from "../scheduling/index.ts";
import type { ResourceList } from "../scheduling/index.ts";
import { overheadTotal, type InstanceTypeOverhead } from "./instance-type-overhead.ts";
import type { Offering } from "./offering.ts";
import { Offerings } from "./offerings.ts";

export interface InstanceTypeInit {
  readonly name: string;
  readonly requirements: RequirementSet;
  readonly offerings: Offerings | readonly Offering[];
  readonly capacity: ResourceList;
  readonly overhead: InstanceTypeOverhead;
}

export class InstanceType {
  /** The `node.kubernetes.io/instance-type` value, e.g. `m5.large`. */
  readonly name: string;
  /** Every well-known label the type knows: one value (In), several (os, capacity type, zone), or DoesNotExist. */
  readonly requirements: RequirementSet;
  readonly offerings: Offerings;
  /** The node's full resources. */
  readonly capacity: ResourceList;
  readonly overhead: InstanceTypeOverhead;
  #allocatable: ResourceList | undefined;

  constructor(init: InstanceTypeInit) {
    this.name = init.name;
    this.requirements = init.requirements;
    this.offerings = init.offerings instanceof Offerings ? init.offerings : new Offerings(init.offerings);
    this.capacity = init.capacity;
    this.overhead = init.overhead;
  }

  /**
   * What pods can request: capacity less the overhead, per resource of the capacity (`InstanceType.Allocatable`,
   * computed once; `resources.Subtract` ignores overhead on resources the node does not have, e.g. `pid`).
   */
  allocatable(): ResourceList {
    if (this.#allocatable === undefined) {
      const overhead = overheadTotal(this.overhead);
      const entries = Object.entries(this.capacity).map(([name, quantity]) => {
        const reserved = Object.hasOwn(overhead, name) ? overhead[name] : undefined;
        return [name, reserved === undefined ? quantity : subtractQuantities(quantity, reserved)] as const;
      });
      this.#allocatable = Object.freeze(Object.fromEntries(entries));
    }
    return this.#allocatable;
  }
}
