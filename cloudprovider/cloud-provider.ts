/**
 * The cloud as the controller sees it (Karpenter's `cloudprovider.CloudProvider`, core:pkg/cloudprovider/types.go).
 * The controller reaches the cloud only through this interface; the AWS implementation (`cloudprovider/aws/`)
 * implements it over the EC2-shaped port. Methods that reach the cloud are async; failures the controller acts on
 * are the typed errors of `errors.ts`, possibly as the `cause` of another error (see `findError`).
 *
 * Differences from Karpenter, both so the controller's decisions stay functions of its snapshot: the NodePool and
 * EC2NodeClass are passed in rather than read by the provider (`GetInstanceTypes`, `IsDrifted`), and the
 * unavailable-offerings cache, internal to karpenter-provider-aws, is reachable through `markUnavailable` (the
 * interruption controller marks a spot offering unavailable when its instance is reclaimed).
 */
import type { EC2NodeClass, NodeClaim, NodePool } from "../api/index.ts";
import type { DriftReason } from "./drift-reason.ts";
import type { InstanceType } from "./instance-type.ts";
import type { CapacityType } from "./offering.ts";

export interface CloudProvider {
  /**
   * Launches an instance for the NodeClaim (one of its requirements' instance types, offerings and zones, sized for
   * its resource requests) and returns the NodeClaim as launched: `status.providerID`, labels for the instance
   * type, zone and capacity type, and `status.capacity` / `status.allocatable` (see `launchedNodeClaim`).
   * Rejects with InsufficientCapacityError when no offering could be launched, NodeClassNotReadyError when the
   * EC2NodeClass is not ready, CreateError for any other launch failure (`Create`).
   */
  create(nodeClaim: NodeClaim): Promise<NodeClaim>;

  /**
   * Terminates the NodeClaim's instance, found by `status.providerID`. Resolves when termination was started;
   * rejects with NodeClaimNotFoundError once the instance is gone, which is what the controller waits for: it calls
   * `delete` until then (`Delete`).
   */
  delete(nodeClaim: NodeClaim): Promise<void>;

  /** The NodeClaim of a running instance; rejects with NodeClaimNotFoundError when there is none (`Get`). */
  get(providerID: string): Promise<NodeClaim>;

  /** A NodeClaim for every instance the provider launched that still exists, for garbage collection (`List`). */
  list(): Promise<NodeClaim[]>;

  /**
   * Every instance type the NodePool's EC2NodeClass can describe, with offerings for its zones and capacity types:
   * types and offerings that cannot launch now are included, with `available: false` or no compatible offering,
   * since the scheduler and drift detection need to see them (`GetInstanceTypes`).
   */
  getInstanceTypes(nodePool: NodePool, nodeClass: EC2NodeClass): Promise<InstanceType[]>;

  /**
   * Why the NodeClaim's instance no longer matches its EC2NodeClass (AMI, subnet, security groups, capacity
   * reservation, placement group, static fields), or undefined when it still does. NodePool drift is the
   * controller's own check (`IsDrifted`).
   */
  isDrifted(nodeClaim: NodeClaim, nodePool: NodePool, nodeClass: EC2NodeClass): Promise<DriftReason | undefined>;

  /**
   * Records that an offering cannot be launched for a while (an unfulfillable-capacity error, a spot interruption):
   * until the entry expires, `getInstanceTypes` lists it with `available: false` (aws:pkg/cache
   * `UnavailableOfferings.MarkUnavailable`, 3 minutes). `reason` is for the log.
   */
  markUnavailable(instanceType: string, zone: string, capacityType: CapacityType, reason: string): void;
}
