/**
 * Karpenter's provisioning scheduler, first cut (core:pkg/controllers/provisioning/scheduling/scheduler.go `Solve`,
 * nodeclaim.go `Add`, existingnode.go `Add`, queue.go): pods largest first; each goes to existing or in-flight
 * capacity, else to a NodeClaim this run already opened (fewest pods first), else to a new NodeClaim from the first
 * NodePool (weight, then name) that can take it. Pure and deterministic over its inputs.
 * Not in this cut (docs/provisioning.md): topology spread, pod (anti-)affinity, preferred affinity, minValues,
 * host ports, volume topology.
 */
import type { Clock, DaemonSet, Pod } from "../../api/index.ts";
import { Quantity, subtractQuantities } from "../../api/index.ts";
import {
  CAPACITY_TYPE_ON_DEMAND,
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  type CapacityType,
  type InstanceType,
  LABEL_CAPACITY_TYPE,
} from "../../cloudprovider/index.ts";
import {
  addResources,
  fits,
  formatTaint,
  maxResources,
  RequirementSet,
  type ResourceList,
  type Taint,
  untoleratedTaints,
} from "../../scheduling/index.ts";
import { explain, NO_NODE_POOL, type PoolExplanation, type RuledOut, type Shortfall } from "./explanations.ts";
import { byWeightThenName, type NodePoolTemplate } from "./nodepool-template.ts";
import { podConstraints, type PodConstraints } from "./pod-constraints.ts";
import { byQueueOrder } from "./queue.ts";

/** The AWS provider's cap on the types one launch names (aws:pkg/providers/instance/instance.go maxInstanceTypes). */
export const MAX_INSTANCE_TYPES = 60;
const CAPACITY_TYPE_PREFERENCE: readonly CapacityType[] = [
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  CAPACITY_TYPE_ON_DEMAND,
];

/** A node, or an in-flight NodeClaim that has launched, as cluster state sees it. */
export interface ExistingCapacity {
  readonly name: string;
  /** The `karpenter.sh/nodepool` it belongs to, for limits; undefined for nodes Karpenter does not own. */
  readonly nodePool: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** Startup and known ephemeral taints already left out for nodes still initializing. */
  readonly taints: readonly Taint[];
  readonly capacity: ResourceList;
  readonly allocatable: ResourceList;
  /** What the pods bound or nominated to it request, daemonsets included. */
  readonly requested: ResourceList;
}

export interface ClusterSnapshot {
  readonly pendingPods: readonly Pod[];
  readonly existing: readonly ExistingCapacity[];
  readonly daemonSets: readonly DaemonSet[];
}

export interface Placement {
  readonly pod: string;
  readonly node: string;
}

export interface NewNodeClaim {
  readonly nodePool: string;
  readonly requirements: RequirementSet;
  readonly capacityType: CapacityType;
  /** Cheapest first (by the cheapest available offering of `capacityType`), at most MAX_INSTANCE_TYPES. */
  readonly instanceTypes: readonly string[];
  /** The cheapest offering's price of the first type, USD per hour. */
  readonly price: number;
  readonly pods: readonly string[];
  /** Pods and daemonsets. */
  readonly requests: ResourceList;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly startupTaints: readonly Taint[];
}

export interface Unschedulable {
  readonly pod: string;
  readonly explanations: readonly PoolExplanation[];
  /** Set when there was no pool to explain against. */
  readonly message: string | undefined;
}

export interface ScheduleResult {
  readonly decidedAt: Date;
  readonly placementsOnExisting: readonly Placement[];
  readonly newNodeClaims: readonly NewNodeClaim[];
  readonly unschedulable: readonly Unschedulable[];
}

interface PoolState {
  readonly template: NodePoolTemplate;
  readonly instanceTypes: readonly InstanceType[];
  readonly daemonOverhead: ResourceList;
  /** Keys some instance type or offering constrains: a pod may require them though the pool does not. */
  readonly wellKnown: ReadonlySet<string>;
  readonly used: ResourceList;
  readonly usedNodes: number;
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

export function schedule(
  snapshot: ClusterSnapshot,
  nodePools: readonly NodePoolTemplate[],
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
): ScheduleResult {
  const pools = [...nodePools].sort(byWeightThenName).map((t) => poolState(t, snapshot, instanceTypes.get(t.name)));
  const pods = snapshot.pendingPods.map(podConstraints).sort(byQueueOrder);
  const nodes: OpenNode[] = [...snapshot.existing]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((existing) => ({ existing, requested: existing.requested }));
  const claims: OpenClaim[] = [];
  const placements: Placement[] = [];
  const unschedulable: Unschedulable[] = [];

  for (const pod of pods) {
    const node = nodes.find((n) => addToNode(n, pod));
    if (node !== undefined) {
      placements.push({ pod: pod.key, node: node.existing.name });
      continue;
    }
    // Fewest pods first, as Karpenter sorts its new NodeClaims before each pod; ties keep creation order.
    const byPods = claims.map((claim, index) => ({ claim, index }));
    byPods.sort((a, b) => a.claim.pods.length - b.claim.pods.length || a.index - b.index);
    if (byPods.some(({ claim }) => addToClaim(claim, pod))) continue;
    const opened = pools.some((pool) => {
      const claim = openClaim(pool, pod, claims);
      if (claim !== undefined) claims.push(claim);
      return claim !== undefined;
    });
    if (opened) continue;
    unschedulable.push({
      pod: pod.key,
      explanations: pools.map((pool) => explain(pool.template.name, ruledOut(pool, pod, claims))),
      message: pools.length === 0 ? NO_NODE_POOL : undefined,
    });
  }
  return {
    decidedAt: clock.now(),
    placementsOnExisting: placements,
    newNodeClaims: claims.map(finish),
    unschedulable,
  };
}

function poolState(
  template: NodePoolTemplate,
  snapshot: ClusterSnapshot,
  types: readonly InstanceType[] | undefined,
): PoolState {
  const instanceTypes = types ?? [];
  const wellKnown = new Set<string>();
  for (const it of instanceTypes) {
    for (const key of it.requirements.keys()) wellKnown.add(key);
    for (const offering of it.offerings) for (const key of offering.requirements.keys()) wellKnown.add(key);
  }
  const owned = snapshot.existing.filter((e) => e.nodePool === template.name);
  return {
    template,
    instanceTypes,
    daemonOverhead: daemonOverhead(template, snapshot.daemonSets),
    wellKnown,
    used: addResources(...owned.map((e) => e.capacity)),
    usedNodes: owned.length,
  };
}

/**
 * The daemonsets whose pods would run on the pool's nodes: they tolerate its taints and their node selector and
 * required affinity admit its requirements (`scheduler.go` buildDaemonOverheadGroups; Karpenter also checks each
 * instance type, this cut checks the pool).
 */
function daemonOverhead(template: NodePoolTemplate, daemonSets: readonly DaemonSet[]): ResourceList {
  const lists = daemonSets.flatMap((ds) => {
    const pod = {
      metadata: { name: ds.metadata.name ?? "?", namespace: ds.metadata.namespace ?? "default" },
      spec: ds.spec?.template?.spec ?? {},
    } as Pod;
    const constraints = podConstraints(pod);
    if (untoleratedTaints(constraints.tolerations, template.taints).length > 0) return [];
    const admitted = constraints.alternatives.some((alt) => template.requirements.intersects(alt));
    return admitted ? [constraints.requests] : [];
  });
  return addResources(...lists);
}

function addToNode(node: OpenNode, pod: PodConstraints): boolean {
  if (untoleratedTaints(pod.tolerations, node.existing.taints).length > 0) return false;
  if (!pod.alternatives.some((alt) => alt.matches(node.existing.labels))) return false;
  const requested = addResources(node.requested, pod.requests);
  if (!fits(requested, node.existing.allocatable)) return false;
  node.requested = requested;
  return true;
}

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

function openClaim(pool: PoolState, pod: PodConstraints, claims: readonly OpenClaim[]): OpenClaim | undefined {
  const remaining = remainingLimits(pool, claims);
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

/**
 * What the pool's limits leave: limits less existing capacity less, for each NodeClaim opened this run, the largest
 * capacity among its remaining types (`scheduler.go` subtracts `InstanceTypeOptions` max capacity). "nodes" when
 * `limits.nodes` is used up.
 */
function remainingLimits(
  pool: PoolState,
  claims: readonly OpenClaim[],
): Map<string, { used: Quantity; limit: Quantity }> | "nodes" {
  const limits = pool.template.limits ?? {};
  const opened = claims.filter((c) => c.pool === pool);
  const used = addResources(
    pool.used,
    ...opened.map((c) => maxResources(...c.instanceTypes.map((it) => it.capacity))),
    { nodes: pool.usedNodes + opened.length },
  );
  const nodesLimit = limits["nodes"];
  if (nodesLimit !== undefined && (used["nodes"]?.nanos ?? 0n) >= nodesLimit.nanos) return "nodes";
  const remaining = new Map<string, { used: Quantity; limit: Quantity }>();
  for (const [resource, limit] of Object.entries(limits)) {
    if (resource !== "nodes") remaining.set(resource, { used: used[resource] ?? new Quantity(0n), limit });
  }
  return remaining;
}

function withinLimits(it: InstanceType, remaining: ReadonlyMap<string, { used: Quantity; limit: Quantity }>): boolean {
  for (const [resource, { used, limit }] of remaining) {
    const capacity = it.capacity[resource];
    if (capacity !== undefined && capacity.nanos > subtractQuantities(limit, used).nanos) return false;
  }
  return true;
}

function launchable(it: InstanceType, requirements: RequirementSet, requests: ResourceList): boolean {
  return (
    it.requirements.intersects(requirements) &&
    fits(requests, it.allocatable()) &&
    it.offerings.available().hasCompatible(requirements)
  );
}

/**
 * A key the pod requires that the pool does not constrain and no instance type knows: its nodes would not carry
 * the label, so only a requirement that allows absence holds (`Compatible` with AllowUndefinedWellKnownLabels).
 */
function undefinedLabel(pool: PoolState, requirements: RequirementSet, alt: RequirementSet): string | undefined {
  return alt
    .keys()
    .find((key) => !requirements.has(key) && !pool.wellKnown.has(key) && !alt.valuesFor(key).allowsAbsent);
}

/** The first check that turns the pod away from a fresh NodeClaim of the pool, in the order `addToClaim` runs. */
function ruledOut(pool: PoolState, pod: PodConstraints, claims: readonly OpenClaim[]): RuledOut {
  const [taint] = untoleratedTaints(pod.tolerations, pool.template.taints);
  if (taint !== undefined) return { kind: "taint", taint: formatTaint(taint) };
  const alt = pod.alternatives[0] ?? RequirementSet.fromRequirements([]);
  const base = pool.template.requirements;
  const key = undefinedLabel(pool, base, alt);
  if (key !== undefined) return { kind: "undefined-label", key };
  const [conflict] = base.conflicts(alt);
  if (conflict !== undefined) return { kind: "requirement", detail: conflict.message };
  const remaining = remainingLimits(pool, claims);
  if (remaining === "nodes") return { kind: "nodes-limit", limit: Number(pool.template.limits?.["nodes"]?.value()) };
  const requirements = base.intersection(alt);
  const compatible = pool.instanceTypes.filter((it) => it.requirements.intersects(requirements));
  if (compatible.length === 0) return { kind: "no-instance-type", requirements: requirements.toString() };
  const offered = compatible.filter((it) => it.offerings.available().hasCompatible(requirements));
  if (offered.length === 0) return { kind: "no-offering", requirements: requirements.toString() };
  const requests = addResources(pool.daemonOverhead, pod.requests);
  const fitting = offered.filter((it) => fits(requests, it.allocatable()));
  if (fitting.length === 0) return { kind: "resources", shortfalls: shortfalls(requests, offered) };
  const smallest = [...fitting].sort((a, b) => capacityOrder(a, b, remaining))[0] ?? fitting[0];
  for (const [resource, { used, limit }] of remaining) {
    const needed = smallest?.capacity[resource];
    if (needed !== undefined && needed.nanos > subtractQuantities(limit, used).nanos) {
      return { kind: "limit", resource, used, limit, needed };
    }
  }
  // Every check passed for a fresh node, which cannot happen when openClaim failed; say so rather than guess.
  return { kind: "requirement", detail: "no single rule; report this as a bug" };
}

function shortfalls(requests: ResourceList, types: readonly InstanceType[]): Shortfall[] {
  return Object.entries(requests).flatMap(([resource, needed]) => {
    let largest: Quantity | undefined;
    for (const it of types) {
      const has = it.allocatable()[resource];
      if (has !== undefined && (largest === undefined || has.nanos > largest.nanos)) largest = has;
    }
    return largest !== undefined && largest.nanos >= needed.nanos ? [] : [{ resource, needed, largest }];
  });
}

// Smallest by the limited resources' capacity, in the limits' order, then by name.
function capacityOrder(a: InstanceType, b: InstanceType, remaining: ReadonlyMap<string, unknown>): number {
  for (const resource of remaining.keys()) {
    const x = a.capacity[resource]?.nanos ?? 0n;
    const y = b.capacity[resource]?.nanos ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Picks the capacity type (`getCapacityType`: reserved, then spot, then on-demand, the first the requirements allow
 * with an available offering) and orders the types by their cheapest such offering (`OrderByPrice`), at most 60.
 */
function finish(claim: OpenClaim): NewNodeClaim {
  const { template } = claim.pool;
  let chosen: { capacityType: CapacityType; priced: { it: InstanceType; price: number }[] } | undefined;
  for (const capacityType of CAPACITY_TYPE_PREFERENCE) {
    if (!claim.requirements.allows(LABEL_CAPACITY_TYPE, capacityType)) continue;
    const narrowed = claim.requirements.intersection(
      RequirementSet.fromRequirements([{ key: LABEL_CAPACITY_TYPE, operator: "In", values: [capacityType] }]),
    );
    const priced = claim.instanceTypes.flatMap((it) => {
      const price = it.offerings.available().compatible(narrowed).cheapest()?.price;
      return price === undefined ? [] : [{ it, price }];
    });
    if (priced.length > 0) {
      chosen = { capacityType, priced };
      break;
    }
  }
  // addToClaim kept only types with an available compatible offering, so some capacity type has one.
  if (chosen === undefined) throw new Error(`NodeClaim for pool ${template.name} has no available offering`);
  const ordered = chosen.priced
    .sort((a, b) => a.price - b.price || (a.it.name < b.it.name ? -1 : a.it.name > b.it.name ? 1 : 0))
    .slice(0, MAX_INSTANCE_TYPES);
  return {
    nodePool: template.name,
    requirements: claim.requirements,
    capacityType: chosen.capacityType,
    instanceTypes: ordered.map(({ it }) => it.name),
    price: ordered[0]?.price ?? 0,
    pods: claim.pods,
    requests: claim.requests,
    labels: template.labels,
    taints: template.taints,
    startupTaints: template.startupTaints,
  };
}
