// An in-memory CloudProvider over the static catalog, for tests that need a cloud: it launches the cheapest
// available offering compatible with a NodeClaim's requirements whose type fits its requests, keeps the instances
// in a map, and keeps marked offerings unavailable for Karpenter's 3 minutes of the given clock (through the last
// instant, as go-cache expires an entry only after it).
import type { Clock } from "../../api/ports.ts";
import type { EC2NodeClass, NodeClaim, NodePool } from "../../api/types.ts";
import {
  InsufficientCapacityError,
  NodeClaimNotFoundError,
  NodeClassNotReadyError,
} from "../../cloudprovider/errors.ts";
import { capacitySettingsOf } from "../../cloudprovider/capacity-settings.ts";
import { catalogInstanceTypes } from "../../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog, type InstanceTypeCatalog } from "../../cloudprovider/index.ts";
import { launchedNodeClaim } from "../../cloudprovider/launched-node-claim.ts";
import type { CapacityType, Offering } from "../../cloudprovider/offering.ts";
import type { CloudProvider } from "../../cloudprovider/cloud-provider.ts";
import type { DriftReason } from "../../cloudprovider/drift-reason.ts";
import type { InstanceType } from "../../cloudprovider/instance-type.ts";
import { RequirementSet, type NodeSelectorRequirement } from "../../scheduling/requirements.ts";
import { fits } from "../../scheduling/resources.ts";

const UNAVAILABLE_OFFERINGS_TTL_MS = 3 * 60 * 1000;

export interface FakeCloudProviderOptions {
  readonly clock: Clock;
  readonly zones: readonly string[];
  readonly nodeClasses: readonly EC2NodeClass[];
  readonly catalog?: InstanceTypeCatalog;
}

export class FakeCloudProvider implements CloudProvider {
  readonly #options: FakeCloudProviderOptions;
  readonly #instances = new Map<string, NodeClaim>();
  // The AMI selector each instance was launched with, for drift.
  readonly #launchedWith = new Map<string, string>();
  readonly #unavailableUntil = new Map<string, number>();
  /** Every markUnavailable reason, in order. */
  readonly unavailableReasons: string[] = [];
  #launched = 0;

  constructor(options: FakeCloudProviderOptions) {
    this.#options = options;
  }

  async create(nodeClaim: NodeClaim): Promise<NodeClaim> {
    const nodeClass = this.#options.nodeClasses.find((c) => c.metadata.name === nodeClaim.spec.nodeClassRef.name);
    // Karpenter reads a missing EC2NodeClass as no capacity at all.
    if (nodeClass === undefined) {
      throw new InsufficientCapacityError(`EC2NodeClass "${nodeClaim.spec.nodeClassRef.name}" not found`);
    }
    const ready = nodeClass.status?.conditions?.find((c) => c.type === "Ready");
    if (ready?.status === "False") throw new NodeClassNotReadyError(ready.message ?? "Ready=False");
    const requirements = RequirementSet.fromRequirements(nodeClaim.spec.requirements as NodeSelectorRequirement[]);
    const requests = nodeClaim.spec.resources?.requests ?? {};
    let best: { type: InstanceType; offering: Offering } | undefined;
    for (const type of this.#instanceTypes(nodeClass)) {
      if (!requirements.intersects(type.requirements) || !fits(requests, type.allocatable())) continue;
      const offering = type.offerings.available().compatible(requirements).cheapest();
      if (offering !== undefined && (best === undefined || offering.price < best.offering.price)) {
        best = { type, offering };
      }
    }
    if (best === undefined) throw new InsufficientCapacityError("no compatible offering is available");
    const id = `i-${(++this.#launched).toString(16).padStart(17, "0")}`;
    const providerID = `aws:///${best.offering.zone}/${id}`;
    const launched = launchedNodeClaim(nodeClaim, { instanceType: best.type, offering: best.offering, providerID });
    this.#instances.set(providerID, launched);
    this.#launchedWith.set(providerID, JSON.stringify(nodeClass.spec?.amiSelectorTerms));
    return launched;
  }

  async delete(nodeClaim: NodeClaim): Promise<void> {
    const providerID = nodeClaim.status?.providerID ?? "";
    if (!this.#instances.delete(providerID)) throw new NodeClaimNotFoundError(`no instance "${providerID}"`);
  }

  async get(providerID: string): Promise<NodeClaim> {
    const found = this.#instances.get(providerID);
    if (found === undefined) throw new NodeClaimNotFoundError(`no instance "${providerID}"`);
    return found;
  }

  async list(): Promise<NodeClaim[]> {
    return [...this.#instances.values()];
  }

  async getInstanceTypes(_nodePool: NodePool, nodeClass: EC2NodeClass): Promise<InstanceType[]> {
    return this.#instanceTypes(nodeClass);
  }

  async isDrifted(
    nodeClaim: NodeClaim,
    _nodePool: NodePool,
    nodeClass: EC2NodeClass,
  ): Promise<DriftReason | undefined> {
    const launchedWith = this.#launchedWith.get(nodeClaim.status?.providerID ?? "");
    if (launchedWith === undefined) return undefined;
    return launchedWith === JSON.stringify(nodeClass.spec?.amiSelectorTerms) ? undefined : "AMIDrift";
  }

  markUnavailable(instanceType: string, zone: string, capacityType: CapacityType, reason: string): void {
    this.#unavailableUntil.set(key(instanceType, zone, capacityType), this.#now() + UNAVAILABLE_OFFERINGS_TTL_MS);
    this.unavailableReasons.push(reason);
  }

  #instanceTypes(nodeClass: EC2NodeClass): InstanceType[] {
    const now = this.#now();
    return catalogInstanceTypes(this.#options.catalog ?? defaultCatalog(), {
      zones: this.#options.zones,
      settings: capacitySettingsOf(nodeClass),
      isUnavailable: (name, zone, capacityType) =>
        (this.#unavailableUntil.get(key(name, zone, capacityType)) ?? -1) >= now,
    });
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }
}

function key(instanceType: string, zone: string, capacityType: string): string {
  return `${capacityType}:${instanceType}:${zone}`;
}
