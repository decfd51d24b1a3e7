/**
 * Karpenter's provisioning scheduler, first cut (core:pkg/controllers/provisioning/scheduling/scheduler.go `Solve`,
 * nodeclaim.go `Add`, existingnode.go `Add`): pods in queue order (queue.ts); each goes to existing or in-flight
 * capacity, else to a NodeClaim this run already opened (fewest pods first), else to a new NodeClaim from the first
 * NodePool (weight, then name) that can take it; a pod none can take is explained per pool. Pure and deterministic.
 * Not in this cut (docs/provisioning.md): topology spread, pod (anti-)affinity, preferred affinity, minValues,
 * host ports, volume topology.
 */
import type { Clock } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import type { CapacityType, InstanceType } from "../../cloudprovider/index.ts";
import {
  addResources,
  fits,
  type RequirementSet,
  type ResourceList,
  type Taint,
  untoleratedTaints,
} from "../../scheduling/index.ts";
import { explain, NO_NODE_POOL, type PoolExplanation } from "./explanations.ts";
import { instanceTypeOptions } from "./instance-type-options.ts";
import { remainingLimits, withinLimits } from "./nodepool-limits.ts";
import { byWeightThenName, type NodePoolTemplate } from "./nodepool-template.ts";
import { podConstraints, type PodConstraints, podKey } from "./pod-constraints.ts";
import { poolState, type PoolState, undefinedLabel } from "./pool-state.ts";
import { byQueueOrder } from "./queue.ts";
import { ruledOut } from "./ruled-out.ts";
import type { ClusterSnapshot, ExistingCapacity } from "./snapshot.ts";

export interface Placement {
  /** `namespace/name`. */
  readonly pod: string;
  readonly node: string;
}

export interface NewNodeClaim {
  readonly nodePool: NodePoolTemplate;
  /** The pool's requirements with those of every pod on it. */
  readonly requirements: RequirementSet;
  readonly capacityType: CapacityType;
  /** Cheapest first (by the cheapest available offering of `capacityType`), at most MAX_INSTANCE_TYPES. */
  readonly instanceTypes: readonly string[];
  /** The first type's cheapest offering, USD per hour. */
  readonly price: number;
  readonly pods: readonly string[];
  /** The pods' and the daemonsets'. */
  readonly requests: ResourceList;
  readonly taints: readonly Taint[];
  readonly startupTaints: readonly Taint[];
}

export interface Unschedulable {
  readonly pod: string;
  readonly explanations: readonly PoolExplanation[];
  /** Set when there was no pool to explain against, or the pod's spec could not be read. */
  readonly message: string | undefined;
}

export interface ScheduleResult {
  readonly decidedAt: Date;
  readonly placementsOnExisting: readonly Placement[];
  readonly newNodeClaims: readonly NewNodeClaim[];
  readonly unschedulable: readonly Unschedulable[];
}

interface OpenClaim {
  readonly pool: PoolState;
  requirements: RequirementSet;
  instanceTypes: readonly InstanceType[];
  requests: ResourceList;
  readonly pods: string[];
}

interface OpenNode {
  readonly existing: ExistingCapacity;
  requested: ResourceList;
}

/**
 * A pod whose spec cannot be read is unschedulable with the error as its message; throws ValueError naming the
 * DaemonSet field it cannot read.
 */
export function schedule(
  snapshot: ClusterSnapshot,
  nodePools: readonly NodePoolTemplate[],
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
): ScheduleResult {
  const pools = [...nodePools].sort(byWeightThenName).map((t) => poolState(t, snapshot, instanceTypes.get(t.name)));
  const unschedulable: Unschedulable[] = [];
  // A pod whose spec cannot be read is reported, not allowed to stop the others being scheduled.
  const pods = snapshot.pendingPods
    .flatMap((pod) => {
      try {
        return [podConstraints(pod)];
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        unschedulable.push({ pod: podKey(pod), explanations: [], message: error.message });
        return [];
      }
    })
    .sort(byQueueOrder);
  const nodes: OpenNode[] = [...snapshot.existing]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((existing) => ({ existing, requested: existing.requested }));
  const claims: OpenClaim[] = [];
  const placements: Placement[] = [];

  for (const pod of pods) {
    const node = nodes.find((n) => addToNode(n, pod));
    if (node !== undefined) {
      placements.push({ pod: pod.key, node: node.existing.name });
      continue;
    }
    // Fewest pods first, as Karpenter sorts its new NodeClaims before each pod; ties keep creation order.
    const byPods = [...claims].sort((a, b) => a.pods.length - b.pods.length);
    if (byPods.some((claim) => addToClaim(claim, pod))) continue;
    const claim = firstDefined(pools, (pool) => openClaim(pool, pod, opened(claims, pool)));
    if (claim !== undefined) {
      claims.push(claim);
      continue;
    }
    unschedulable.push({
      pod: pod.key,
      explanations: pools.map((pool) => explain(pool.template.name, ruledOut(pool, pod, opened(claims, pool)))),
      message: pools.length === 0 ? NO_NODE_POOL : undefined,
    });
  }
  return { decidedAt: clock.now(), placementsOnExisting: placements, newNodeClaims: claims.map(finish), unschedulable };
}

function firstDefined<T, R>(items: readonly T[], f: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const result = f(item);
    if (result !== undefined) return result;
  }
  return undefined;
}

function opened(claims: readonly OpenClaim[], pool: PoolState): (readonly InstanceType[])[] {
  return claims.filter((c) => c.pool === pool).map((c) => c.instanceTypes);
}

// existingnode.go `Add`: the node's taints, its labels against the pod's requirements, its room.
function addToNode(node: OpenNode, pod: PodConstraints): boolean {
  if (untoleratedTaints(pod.tolerations, node.existing.taints).length > 0) return false;
  if (!pod.alternatives.some((alt) => alt.matches(node.existing.labels))) return false;
  const requested = addResources(node.requested, pod.requests);
  if (!fits(requested, node.existing.allocatable)) return false;
  node.requested = requested;
  return true;
}

// nodeclaim.go `Add`: taints, requirements compatible and narrowed, then the types that still fit and can launch.
function addToClaim(claim: OpenClaim, pod: PodConstraints): boolean {
  if (untoleratedTaints(pod.tolerations, claim.pool.template.taints).length > 0) return false;
  for (const alt of pod.alternatives) {
    if (undefinedLabel(claim.pool, claim.requirements, alt) !== undefined) continue;
    if (claim.requirements.conflicts(alt).length > 0) continue;
    const requirements = claim.requirements.intersection(alt);
    const requests = addResources(claim.requests, pod.requests);
    const types = claim.instanceTypes.filter((it) => launchable(it, requirements, requests));
    if (types.length === 0) continue;
    claim.requirements = requirements;
    claim.requests = requests;
    claim.instanceTypes = types;
    claim.pods.push(pod.key);
    return true;
  }
  return false;
}

function openClaim(
  pool: PoolState,
  pod: PodConstraints,
  openedInPool: readonly (readonly InstanceType[])[],
): OpenClaim | undefined {
  const remaining = remainingLimits(pool, openedInPool);
  if (remaining === "nodes") return undefined;
  const claim: OpenClaim = {
    pool,
    requirements: pool.template.requirements,
    instanceTypes: pool.instanceTypes.filter((it) => withinLimits(it, remaining)),
    requests: pool.daemonOverhead,
    pods: [],
  };
  return addToClaim(claim, pod) ? claim : undefined;
}

function launchable(it: InstanceType, requirements: RequirementSet, requests: ResourceList): boolean {
  return (
    it.requirements.intersects(requirements) &&
    fits(requests, it.allocatable()) &&
    it.offerings.available().hasCompatible(requirements)
  );
}

function finish(claim: OpenClaim): NewNodeClaim {
  const { template } = claim.pool;
  const options = instanceTypeOptions(claim.requirements, claim.instanceTypes);
  // addToClaim keeps only types with an available offering the requirements allow, so there are options.
  if (options === undefined) throw new Error(`NodeClaim for pool ${template.name} has no available offering`);
  return {
    nodePool: template,
    requirements: claim.requirements,
    capacityType: options.capacityType,
    instanceTypes: options.instanceTypes.map((o) => o.name),
    price: options.instanceTypes[0]?.price ?? 0,
    pods: claim.pods,
    requests: claim.requests,
    taints: template.taints,
    startupTaints: template.startupTaints,
  };
}
