/**
 * Karpenter's provisioning scheduler (core:pkg/controllers/provisioning/scheduling/scheduler.go `Solve`,
 * nodeclaim.go `Add`, existingnode.go `Add`): pods in queue order (queue.ts); each goes to existing or in-flight
 * capacity, else to a NodeClaim this run already opened (fewest pods first), else to a new NodeClaim from the first
 * NodePool (weight, then name) that can take it. A pod that fits nowhere goes to the back of the queue, relaxed of
 * one preference when it has one left (preferences.ts); the pods left when no progress is made are explained per
 * pool. Each placement checks taints, host ports, node requirements, topology (topology.ts), resources, limits,
 * the pool's $/h cap and minValues. Pure and deterministic.
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
import { type HostPort, hostPortConflict } from "./host-ports.ts";
import { claimHourlyCost, worstCasePrice } from "./hourly-cost-cap.ts";
import { instanceTypeOptions } from "./instance-type-options.ts";
import { minValuesShortfall, type MinValuesPolicy } from "./min-values.ts";
import { remainingLimits, withinLimits } from "./nodepool-limits.ts";
import { byWeightThenName, type NodePoolTemplate } from "./nodepool-template.ts";
import { podConstraints, type PodConstraints, podKey } from "./pod-constraints.ts";
import { poolState, type PoolState, undefinedLabel } from "./pool-state.ts";
import { type PreferencePolicy, relax, withoutPreferences } from "./preferences.ts";
import { byQueueOrder, RetryQueue } from "./queue.ts";
import { ruledOut, type OpenedClaim } from "./ruled-out.ts";
import type { ClusterSnapshot, ExistingCapacity } from "./snapshot.ts";
import { Topology } from "./topology.ts";
import type { NodeView } from "./topology-group.ts";

export interface Placement {
  /** `namespace/name`. */
  readonly pod: string;
  readonly node: string;
}

export interface NewNodeClaim {
  readonly nodePool: NodePoolTemplate;
  /** The pool's requirements with those of every pod on it, and the topology domains they were narrowed to. */
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
  /** Set under MIN_VALUES_POLICY=BestEffort when the types left could not meet a requirement's minValues. */
  readonly minValuesRelaxed: boolean;
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

export interface ScheduleOptions {
  /** Karpenter's PREFERENCE_POLICY: Respect (default) holds preferences until they cannot be met. */
  readonly preferencePolicy?: PreferencePolicy | undefined;
  /** Karpenter's MIN_VALUES_POLICY: Strict (default) or BestEffort. */
  readonly minValuesPolicy?: MinValuesPolicy | undefined;
}

interface OpenClaim extends OpenedClaim {
  readonly pool: PoolState;
  readonly hostname: string;
  requirements: RequirementSet;
  instanceTypes: readonly InstanceType[];
  requests: ResourceList;
  readonly pods: string[];
  readonly hostPorts: HostPort[];
  minValuesRelaxed: boolean;
}

interface OpenNode {
  readonly existing: ExistingCapacity;
  readonly view: NodeView;
  requested: ResourceList;
  readonly hostPorts: HostPort[];
}

interface Run {
  readonly topology: Topology;
  readonly minValuesPolicy: MinValuesPolicy;
  readonly claims: OpenClaim[];
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
  options: ScheduleOptions = {},
): ScheduleResult {
  const pools = [...nodePools].sort(byWeightThenName).map((t) => poolState(t, snapshot, instanceTypes.get(t.name)));
  const unschedulable: Unschedulable[] = [];
  const volumes = snapshot.volumeRequirements ?? {};
  const lookup = (claim: string) => (Object.hasOwn(volumes, claim) ? volumes[claim] : undefined);
  const ignore = options.preferencePolicy === "Ignore";
  // A pod whose spec cannot be read is reported, not allowed to stop the others being scheduled.
  const pods = snapshot.pendingPods
    .flatMap((pod) => {
      try {
        const constraints = podConstraints(pod, lookup);
        return [ignore ? withoutPreferences(constraints) : constraints];
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        unschedulable.push({ pod: podKey(pod), explanations: [], message: error.message });
        return [];
      }
    })
    .sort(byQueueOrder);
  const topology = new Topology(
    {
      pools,
      existing: snapshot.existing,
      boundPods: snapshot.boundPods ?? [],
      namespaceLabels: snapshot.namespaceLabels ?? {},
    },
    pods,
  );
  const nodes: OpenNode[] = [...snapshot.existing]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((existing) => ({
      existing,
      view: topology.existingView(existing.name) as NodeView,
      requested: existing.requested,
      hostPorts: [...(existing.hostPorts ?? [])],
    }));
  const run: Run = { topology, minValuesPolicy: options.minValuesPolicy ?? "Strict", claims: [] };
  const placements: Placement[] = [];

  const queue = new RetryQueue(pods);
  for (let pod = queue.pop(); pod !== undefined; pod = queue.pop()) {
    const node = nodes.find((n) => addToNode(run, n, pod));
    if (node !== undefined) {
      placements.push({ pod: pod.key, node: node.existing.name });
      continue;
    }
    // Fewest pods first, as Karpenter sorts its new NodeClaims before each pod; ties keep creation order.
    const byPods = [...run.claims].sort((a, b) => a.pods.length - b.pods.length);
    if (byPods.some((claim) => addToClaim(run, claim, pod))) continue;
    const claim = firstDefined(pools, (pool) => openClaim(run, pool, pod));
    if (claim !== undefined) {
      run.claims.push(claim);
      continue;
    }
    const relaxed = relax(pod);
    if (relaxed !== undefined) topology.update(relaxed.pod);
    queue.push(relaxed?.pod ?? pod, relaxed !== undefined);
  }
  for (const pod of queue.remaining()) {
    unschedulable.push({
      pod: pod.key,
      explanations: pools.map((pool) =>
        explain(pool.template.name, ruledOut(pool, pod, opened(run.claims, pool), topology, snapshot, clock)),
      ),
      message: pools.length === 0 ? NO_NODE_POOL : undefined,
    });
  }
  return {
    decidedAt: clock.now(),
    placementsOnExisting: placements,
    newNodeClaims: run.claims.map(finish),
    unschedulable,
  };
}

function firstDefined<T, R>(items: readonly T[], f: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const result = f(item);
    if (result !== undefined) return result;
  }
  return undefined;
}

function opened(claims: readonly OpenClaim[], pool: PoolState): OpenClaim[] {
  return claims.filter((c) => c.pool === pool);
}

// existingnode.go `Add`: the node's taints, host ports, its labels against the pod's requirements, topology, room.
function addToNode(run: Run, node: OpenNode, pod: PodConstraints): boolean {
  if (untoleratedTaints(pod.tolerations, node.existing.taints).length > 0) return false;
  if (hostPortConflict(node.hostPorts, pod.hostPorts) !== undefined) return false;
  const requested = addResources(node.requested, pod.requests);
  if (!fits(requested, node.existing.allocatable)) return false;
  const alt = pod.alternatives.find((a) => a.matches(node.existing.labels));
  if (alt === undefined) return false;
  if (!isRequirementSet(run.topology.narrow(pod, alt, node.view))) return false;
  node.requested = requested;
  node.hostPorts.push(...pod.hostPorts);
  run.topology.record(pod, node.view);
  return true;
}

// nodeclaim.go `Add`: taints, host ports, requirements compatible and narrowed (by topology too), then the types
// that still fit and can launch, minValues.
function addToClaim(run: Run, claim: OpenClaim, pod: PodConstraints): boolean {
  if (untoleratedTaints(pod.tolerations, claim.pool.template.taints).length > 0) return false;
  if (hostPortConflict(claim.hostPorts, pod.hostPorts) !== undefined) return false;
  const requests = addResources(claim.requests, pod.requests);
  for (const alt of pod.alternatives) {
    if (undefinedLabel(claim.pool, claim.requirements, alt) !== undefined) continue;
    if (claim.requirements.conflicts(alt).length > 0) continue;
    const view: NodeView = {
      requirements: claim.requirements.intersection(alt),
      hostname: claim.hostname,
      taints: claim.pool.template.taints,
    };
    const requirements = run.topology.narrow(pod, alt, view);
    if (!isRequirementSet(requirements)) continue;
    const types = claim.instanceTypes.filter((it) => launchable(it, requirements, requests));
    if (types.length === 0) continue;
    const shortfall = minValuesShortfall(requirements, claim.pool.minValuesKeys, types);
    if (shortfall !== undefined && run.minValuesPolicy === "Strict") continue;
    claim.requirements = requirements;
    claim.requests = requests;
    claim.instanceTypes = types;
    claim.pods.push(pod.key);
    claim.hostPorts.push(...pod.hostPorts);
    claim.minValuesRelaxed ||= shortfall !== undefined;
    run.topology.record(pod, { ...view, requirements });
    return true;
  }
  return false;
}

function openClaim(run: Run, pool: PoolState, pod: PodConstraints): OpenClaim | undefined {
  const openedInPool = opened(run.claims, pool);
  const remaining = remainingLimits(
    pool,
    openedInPool.map((c) => c.instanceTypes),
  );
  if (remaining === "nodes") return undefined;
  const budget = remainingHourlyCost(pool, openedInPool);
  const claim: OpenClaim = {
    pool,
    hostname: `hostname-placeholder-${run.claims.length}`,
    requirements: pool.template.requirements,
    instanceTypes: pool.instanceTypes.filter(
      (it) =>
        withinLimits(it, remaining) &&
        (budget === undefined || (worstCasePrice(it, pool.template.requirements) ?? 0) <= budget),
    ),
    requests: pool.daemonOverhead,
    pods: [],
    hostPorts: [],
    minValuesRelaxed: false,
  };
  return addToClaim(run, claim, pod) ? claim : undefined;
}

/** What `poolkeeper.dev/max-hourly-cost` leaves, USD per hour; undefined when the pool sets no cap. */
export function remainingHourlyCost(pool: PoolState, openedInPool: readonly OpenedClaim[]): number | undefined {
  const cap = pool.template.maxHourlyCost;
  if (cap === undefined) return undefined;
  const opened = openedInPool.reduce((sum, c) => sum + claimHourlyCost(c.instanceTypes, c.requirements), 0);
  return cap - pool.usedHourlyCost - opened;
}

function isRequirementSet(value: unknown): value is RequirementSet {
  return typeof (value as RequirementSet).intersection === "function";
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
    minValuesRelaxed: claim.minValuesRelaxed,
  };
}
