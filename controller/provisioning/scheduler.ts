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
  type RequirementSet,
  type ResourceList,
  type Taint,
  untoleratedTaints,
} from "../../scheduling/index.ts";
import { ClaimOrder } from "./claim-order.ts";
import { ClaimShortlists } from "./claim-shortlists.ts";
import { existingList, type LeaveOut } from "./existing-list.ts";
import { ExistingNodes, type OpenNode } from "./existing-nodes.ts";
import { explain, NO_NODE_POOL, type PoolExplanation } from "./explanations.ts";
import { type HostPort, hostPortConflict } from "./host-ports.ts";
import { claimHourlyCost, worstCasePrice } from "./hourly-cost-cap.ts";
import { instanceTypeOptions } from "./instance-type-options.ts";
import { minValuesShortfall, type MinValuesPolicy } from "./min-values.ts";
import type { NodePoolTemplate } from "./nodepool-template.ts";
import { openablePools } from "./openable-pools.ts";
import { type ListedPool, poolList } from "./pool-list.ts";
import { podConstraints, type PodConstraints, podKey } from "./pod-constraints.ts";
import { demand, growthPays, packing, type Packing, worth } from "./packing.ts";
import { type CompiledType, type PoolCatalog, poolCatalog } from "./pool-catalog.ts";
import { poolState, type PoolState, undefinedLabel } from "./pool-state.ts";
import { type PreferencePolicy, relax, withoutPreferences } from "./preferences.ts";
import { byQueueOrder, RetryQueue } from "./queue.ts";
import { repack } from "./repack.ts";
import { addVectors, fitsVector, maxInto, ResourceIndex, type ResourceVector } from "./resource-vector.ts";
import { type OpenedClaim, poolLeft, type PoolLeft, ruledOut } from "./ruled-out.ts";
import type { ClusterSnapshot } from "./snapshot.ts";
import { existingView, Topology } from "./topology.ts";
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
  /**
   * CostAware (default) keeps NodeClaims on efficient types and grows one onto a dearer type only when the pod pays
   * its share (packing.ts); Karpenter packs a claim while its largest option fits, as nodeclaim.go does. Disruption
   * simulates with Karpenter's, since a consolidation may replace a node with one node only (packing.ts would often
   * open two smaller ones for the same price).
   */
  readonly packing?: "CostAware" | "Karpenter" | undefined;
  /**
   * Existing nodes the run leaves out, as if the snapshot did not list them: a disruption simulation's candidates
   * and the nodes pods may not move to. What the run derives from the list itself is then worked out once per list
   * (existing-list.ts), not once per simulation.
   */
  readonly leaveOut?: LeaveOut | undefined;
  /**
   * false: a pod left pending is listed without the per-pool explanations (every pool judged against it), for callers
   * that ask only whether one is, as a disruption simulation does.
   */
  readonly explain?: boolean | undefined;
}

/** A NodePool during the run: its types prepared, what its limits and $/h cap have left. */
interface PoolRun {
  readonly state: PoolState;
  readonly position: number;
  readonly catalog: PoolCatalog;
  readonly overhead: ResourceVector;
  /** Per resource; Infinity where the pool sets no limit. */
  readonly limit: ResourceVector;
  /** Existing and in-flight capacity plus each opened claim's largest remaining option. */
  readonly used: ResourceVector;
  readonly nodesLimit: number;
  nodes: number;
  /** USD per hour counted against `poolkeeper.dev/max-hourly-cost`. */
  hourlyCost: number;
  readonly claims: OpenClaim[];
  /** The pool's requirements' compatible types, within limits when opened. */
  readonly baseCompatible: Uint8Array;
  /** Those types and their largest, worked out once: what a new claim starts from while no limit or cap binds. */
  readonly unlimited: ClaimOptions;
  /** The run's resource prices, efficient types and type prices (packing.ts). */
  readonly packing: Packing;
  /** The types cheapest first, and each type's place in that order. */
  readonly byPrice: readonly CompiledType[];
  readonly rank: Int32Array;
}

class OpenClaim implements OpenedClaim {
  readonly pool: PoolRun;
  readonly hostname: string;
  requirements: RequirementSet;
  types: readonly CompiledType[];
  requests: ResourceVector;
  /** Per resource, the most any remaining type has: a pod that needs more fits none. */
  maxAllocatable: ResourceVector;
  /** Per resource, the largest remaining type's capacity: what limits count. */
  maxCapacity: ResourceVector;
  /** Per resource, the most any remaining efficient type has. */
  maxEfficient: ResourceVector;
  hourlyCost = 0;
  readonly pods: string[] = [];
  /** The pods' requests as read, for the NodeClaim's `resources.requests`. */
  readonly podRequests: ResourceList[] = [];
  /** The pods as scheduled, and their requests as vectors, for the finishing pass (`repackFreeClaims`). */
  readonly podConstraints: PodConstraints[] = [];
  readonly podVectors: ResourceVector[] = [];
  /** The pool's daemonset pods' and the pods' (Karpenter's `daemonHostPortUsage`). */
  readonly hostPorts: HostPort[];
  minValuesRelaxed = false;
  counted = false;
  /** Left out of the plain pods' scans for good (`closeToPlain`). */
  closedToPlain = false;
  /** Some remaining type is efficient: then the claim only takes pods that keep one. */
  efficient = false;
  /** The cheapest remaining type's price, and what the claim's requests are worth at the run's prices. */
  price = 0;
  value = 0;
  /** Which of the pool's types remain; the cheapest one's place in the pool's price order. */
  has: Uint8Array;
  cheapestRank = 0;
  /**
   * The last `cheapestFitting` answer, for which request vector and at which pod count: the pods of one request
   * vector but different signatures (claim-shortlists.ts) ask it of the same unchanged claim.
   */
  fitFor = "";
  fitAt = -1;
  fitRank = -1;

  constructor(pool: PoolRun, hostname: string, options: ClaimOptions) {
    this.pool = pool;
    this.hostname = hostname;
    this.requirements = pool.state.template.requirements;
    this.types = options.types;
    this.requests = pool.overhead;
    // The vectors are replaced, never written, as the claim narrows (narrowTypes); `has` is cleared in place.
    this.maxAllocatable = options.maxAllocatable;
    this.maxCapacity = options.maxCapacity;
    this.maxEfficient = options.maxEfficient;
    this.has = new Uint8Array(options.has);
    this.hostPorts = [...pool.state.daemonHostPorts];
  }

  get instanceTypes(): readonly InstanceType[] {
    return this.types.map((t) => t.it);
  }
}

/** A set of a pool's types with their per-resource largest: what a claim may still launch as. */
interface ClaimOptions {
  readonly types: readonly CompiledType[];
  /** Per type of the pool: 1 when among `types`. */
  readonly has: Uint8Array;
  readonly maxAllocatable: ResourceVector;
  readonly maxCapacity: ResourceVector;
  /** Over the efficient types only (packing.ts). */
  readonly maxEfficient: ResourceVector;
}

function claimOptions(
  types: readonly CompiledType[],
  typeCount: number,
  efficient: Uint8Array,
  width: number,
): ClaimOptions {
  const has = new Uint8Array(typeCount);
  const maxAllocatable = new Float64Array(width);
  const maxCapacity = new Float64Array(width);
  const maxEfficient = new Float64Array(width);
  for (const t of types) {
    has[t.index] = 1;
    maxInto(maxAllocatable, t.allocatable);
    maxInto(maxCapacity, t.capacity);
    if (efficient[t.index] === 1) maxInto(maxEfficient, t.allocatable);
  }
  return { types, has, maxAllocatable, maxCapacity, maxEfficient };
}

/** What the run keeps per pod (and per relaxed version of it). */
interface PodRun {
  readonly requests: ResourceVector;
  readonly tolerates: (pool: PoolRun) => boolean;
  /** Per alternative: it constrains nothing, so a NodeClaim's requirements stay as they are. */
  readonly unconstrained: readonly boolean[];
  /** Some hostname spread or anti-affinity may rule NodeClaims out (checked first, as it is cheap). */
  readonly hostnameTopology: boolean;
  /** No topology terms, host ports or node requirements: only room and price decide where it goes. */
  readonly plain: boolean;
  /** The requests, and what every check a claim alone decides asks of the pod (claim-shortlists.ts). */
  readonly requestsKey: string;
  readonly signature: string;
}

interface Run {
  readonly topology: Topology;
  readonly index: ResourceIndex;
  readonly minValuesPolicy: MinValuesPolicy;
  /** packing.ts's rules apply (ScheduleOptions.packing CostAware). */
  readonly costAware: boolean;
  /** Per pool position; undefined for a pool no pod of the run could open a NodeClaim on (openable-pools.ts). */
  readonly pools: readonly (PoolRun | undefined)[];
  readonly claims: OpenClaim[];
  readonly order: ClaimOrder<OpenClaim>;
  /** The claims still open to plain pods (no topology, host ports or node requirements). */
  readonly plainOrder: ClaimOrder<OpenClaim>;
  /** Per resource, the least any plain pending pod requests. */
  readonly smallestPlain: ResourceVector;
  /** Per pod signature, the claims its pods still need to try. */
  readonly shortlists: ClaimShortlists<OpenClaim>;
  /** Renewed when a pod is relaxed, since topology groups (and so signatures) may change. */
  podRuns: WeakMap<PodConstraints, PodRun>;
  /** NodeClaims' placeholder hostnames given so far. */
  hostnames: number;
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
  const list = poolList(nodePools, instanceTypes);
  const existing = existingList(snapshot.existing);
  const leaveOut = options.leaveOut;
  // A pool's state is made when first asked: of the pools pods may open NodeClaims on, and those a pod is explained
  // against.
  const states: (PoolState | undefined)[] = new Array(list.pools.length);
  const stateAt = (i: number): PoolState => {
    let state = states[i];
    if (state === undefined) {
      const { template, instanceTypes: types } = list.pools[i] as ListedPool;
      state = poolState(template, snapshot, types, existing.ofPool(template.name, leaveOut));
      states[i] = state;
    }
    return state;
  };
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
      pools: list.pools,
      existing: snapshot.existing,
      leaveOut,
      boundPods: snapshot.boundPods ?? [],
      namespaceLabels: snapshot.namespaceLabels ?? {},
    },
    pods,
  );
  const open = openablePools(list, pods);
  const index = new ResourceIndex(
    [
      ...pods.map((p) => p.requests),
      ...list.pools.flatMap((_, i) => {
        if (open[i] === 0) return [];
        const p = stateAt(i);
        return [p.daemonOverhead, p.template.limits ?? {}, ...p.instanceTypes.map((it) => it.capacity)];
      }),
    ],
    existing.resourceNames(leaveOut),
  );
  const requests = demand(index, pods);
  const nodes = new ExistingNodes(existing, leaveOut, (node) => ({
    existing: node,
    view: existingView(node),
    allocatable: index.vector(node.allocatable),
    requested: index.vector(node.requested),
    hostPorts: [...(node.hostPorts ?? [])],
  }));
  const run: Run = {
    topology,
    index,
    minValuesPolicy: options.minValuesPolicy ?? "Strict",
    costAware: (options.packing ?? "CostAware") === "CostAware",
    pools: list.pools.map((_, position) =>
      open[position] === 1 ? poolRun(stateAt(position), position, index, requests) : undefined,
    ),
    claims: [],
    order: new ClaimOrder(),
    plainOrder: new ClaimOrder(),
    smallestPlain: smallestPlain(index, pods),
    shortlists: new ClaimShortlists(),
    podRuns: new WeakMap(),
    hostnames: 0,
  };
  const placements: Placement[] = [];

  const queue = new RetryQueue(pods);
  for (let pod = queue.pop(); pod !== undefined; pod = queue.pop()) {
    const podRun = compiled(run, pod);
    const node = nodes.find(pod, (n) => addToNode(run, n, pod, podRun));
    if (node !== undefined) {
      placements.push({ pod: pod.key, node: node.existing.name });
      continue;
    }
    const shortlist = run.shortlists.of(
      podRun.signature,
      podRun.requestsKey,
      podRun.plain ? run.plainOrder : run.order,
      podRun.plain,
    );
    const claim = shortlist.find((c) => {
      const tried = addToClaim(run, c, pod, podRun);
      if (tried === "turnedAway") shortlist.remove(c);
      return tried === "added";
    });
    if (claim !== undefined) {
      run.order.grew(claim);
      run.plainOrder.grew(claim);
      run.shortlists.grew(claim, claim.closedToPlain);
      continue;
    }
    const fresh = firstDefined(run.pools, (pool) =>
      pool === undefined ? undefined : openClaim(run, pool, pod, podRun),
    );
    if (fresh !== undefined) {
      run.claims.push(fresh);
      fresh.pool.claims.push(fresh);
      run.order.add(fresh);
      run.plainOrder.add(fresh);
      run.shortlists.opened(fresh);
      continue;
    }
    const relaxed = relax(pod);
    if (relaxed !== undefined) {
      topology.update(relaxed.pod);
      run.shortlists.clear();
      run.podRuns = new WeakMap();
    }
    queue.push(relaxed?.pod ?? pod, relaxed !== undefined);
  }
  for (const pool of run.pools) if (pool !== undefined) repackFreeClaims(run, pool);
  const left = new Map<PoolState, PoolLeft>();
  const leftOf = (pool: PoolState, i: number) =>
    left.get(pool) ?? left.set(pool, poolLeft(pool, run.pools[i]?.claims ?? [])).get(pool);
  for (const pod of queue.remaining()) {
    unschedulable.push({
      pod: pod.key,
      explanations:
        options.explain === false
          ? []
          : list.pools.map(({ template }, i) => {
              const pool = stateAt(i);
              return explain(
                template.name,
                ruledOut(pool, pod, leftOf(pool, i) as PoolLeft, topology, snapshot, clock),
              );
            }),
      message: list.pools.length === 0 ? NO_NODE_POOL : undefined,
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

/** `requests`: the run's pending pods' demand (packing.ts), the same for every pool. */
function poolRun(state: PoolState, position: number, index: ResourceIndex, requests: readonly number[]): PoolRun {
  const limit = new Float64Array(index.length).fill(Number.POSITIVE_INFINITY);
  const limits = state.template.limits ?? {};
  index.names.forEach((name, i) => {
    const quantity = limits[name];
    if (quantity !== undefined) limit[i] = index.vector({ [name]: quantity })[i] as number;
  });
  const nodesLimit = limits["nodes"];
  const catalog = poolCatalog(state.instanceTypes, index);
  const overhead = index.vector(state.daemonOverhead);
  const baseCompatible = catalog.compatible(state.template.requirements);
  const packed = packing(catalog, baseCompatible, overhead, requests, state.template.requirements);
  const byPrice = [...catalog.types].sort(
    (a, b) => (packed.price[a.index] as number) - (packed.price[b.index] as number) || a.index - b.index,
  );
  const rank = new Int32Array(byPrice.length);
  byPrice.forEach((t, r) => (rank[t.index] = r));
  return {
    state,
    position,
    catalog,
    overhead,
    limit,
    used: index.vector(state.used),
    nodesLimit: nodesLimit === undefined ? Number.POSITIVE_INFINITY : Number(nodesLimit.value()),
    nodes: state.usedNodes,
    hourlyCost: state.usedHourlyCost,
    claims: [],
    baseCompatible,
    unlimited: claimOptions(
      catalog.types.filter((t) => baseCompatible[t.index] === 1),
      catalog.types.length,
      packed.efficient,
      index.length,
    ),
    packing: packed,
    byPrice,
    rank,
  };
}

function isPlain(pod: PodConstraints): boolean {
  return (
    pod.spreads.length === 0 &&
    pod.affinityTerms.length === 0 &&
    pod.hostPorts.length === 0 &&
    pod.alternatives.length === 1 &&
    pod.alternatives[0]?.keys().length === 0
  );
}

function smallestPlain(index: ResourceIndex, pods: readonly PodConstraints[]): ResourceVector {
  const smallest = new Float64Array(index.length).fill(Number.POSITIVE_INFINITY);
  for (const pod of pods) {
    if (!isPlain(pod)) continue;
    const v = index.vector(pod.requests);
    for (let i = 0; i < v.length; i++) if ((v[i] as number) < (smallest[i] as number)) smallest[i] = v[i] as number;
  }
  return smallest;
}

function compiled(run: Run, pod: PodConstraints): PodRun {
  let found = run.podRuns.get(pod);
  if (found === undefined) {
    const requests = run.index.vector(pod.requests);
    const tolerations = pod.tolerations;
    const known: boolean[] = [];
    // Asked only of the pools with a NodeClaim open or being opened, so worked out per pool when first asked.
    const tolerates = (pool: PoolRun): boolean =>
      (known[pool.position] ??= untoleratedTaints(tolerations, pool.state.template.taints).length === 0);
    const plain = isPlain(pod);
    const requestsKey = requests.join(",");
    found = {
      requests,
      tolerates,
      unconstrained: pod.alternatives.map((alt) => alt.keys().length === 0),
      hostnameTopology: true,
      plain,
      requestsKey,
      signature: [
        requestsKey,
        plain ? "plain" : "",
        // Pods that tolerate alike are turned away by the same pools' taints.
        JSON.stringify(tolerations),
        JSON.stringify(pod.hostPorts),
        run.topology.hostnameSignature(pod),
      ].join("|"),
    };
    run.podRuns.set(pod, found);
  }
  return found;
}

// existingnode.go `Add`: the node's taints, host ports, its room, its labels against the pod's requirements,
// topology.
function addToNode(run: Run, node: OpenNode, pod: PodConstraints, podRun: PodRun): boolean {
  const requested = addVectors(node.requested, podRun.requests);
  if (!fitsVector(requested, node.allocatable)) return false;
  if (untoleratedTaints(pod.tolerations, node.existing.taints).length > 0) return false;
  if (pod.hostPorts.length > 0 && hostPortConflict(node.hostPorts, pod.hostPorts) !== undefined) return false;
  const alt = pod.alternatives.find((a) => a.matches(node.existing.labels));
  if (alt === undefined) return false;
  if (!isRequirementSet(run.topology.narrow(pod, alt, node.view))) return false;
  node.requested = requested;
  node.hostPorts.push(...pod.hostPorts);
  run.topology.record(pod, node.view);
  return true;
}

/**
 * What trying a pod on a NodeClaim came to: added; turned away by what only the claim itself can change (its pool's
 * taints, hostname topology, host ports, room, the price of growing), so pods of the same signature need not try it
 * again until it changes (claim-shortlists.ts); or ruled out by requirements or topology the rest of the run moves.
 */
type Tried = "added" | "turnedAway" | "ruledOut";

// nodeclaim.go `Add`: taints, host ports, room in the largest remaining type, requirements compatible and narrowed
// (by topology too), then the types that still fit and can launch, minValues.
function addToClaim(run: Run, claim: OpenClaim, pod: PodConstraints, podRun: PodRun): Tried {
  const pool = claim.pool;
  if (!podRun.tolerates(pool)) return "turnedAway";
  if (podRun.hostnameTopology && run.topology.hostnameBlocked(pod, claim.hostname)) return "turnedAway";
  const requests = claim.requests;
  const max = claim.efficient ? claim.maxEfficient : claim.maxAllocatable;
  const add = podRun.requests;
  for (let i = 0; i < add.length; i++)
    if ((requests[i] as number) + (add[i] as number) > (max[i] as number)) return "turnedAway";
  if (pod.hostPorts.length > 0 && hostPortConflict(claim.hostPorts, pod.hostPorts) !== undefined) return "turnedAway";
  const total = addVectors(requests, add);
  const value = worth(pool.packing, total);
  // The cheapest remaining type the pod would take the claim to, found from its current one up the price order
  // (cheaper ones were too small already). Narrowed requirements only remove types, so when that type is missing or
  // its growth does not pay, no alternative below can do better: turned away before any requirement is asked.
  if (claim.fitFor !== podRun.requestsKey || claim.fitAt !== claim.pods.length) {
    claim.fitFor = podRun.requestsKey;
    claim.fitAt = claim.pods.length;
    claim.fitRank = cheapestFitting(claim, total);
  }
  const cheapest = claim.fitRank;
  if (
    cheapest < 0 ||
    (run.costAware &&
      claim.pods.length > 0 &&
      !growthPays(
        claim.price,
        claim.value,
        pool.packing.price[(pool.byPrice[cheapest] as CompiledType).index] as number,
        value,
      ))
  ) {
    if (podRun.plain) closeToPlain(run, claim);
    return "turnedAway";
  }
  for (const [k, alt] of pod.alternatives.entries()) {
    let base = claim.requirements;
    if (!(podRun.unconstrained[k] ?? false)) {
      if (undefinedLabel(pool.state, base, alt) !== undefined) continue;
      if (!base.intersects(alt)) continue;
      base = base.intersection(alt);
    }
    const view: NodeView = { requirements: base, hostname: claim.hostname, taints: pool.state.template.taints };
    const requirements = run.topology.narrow(pod, alt, view);
    if (!isRequirementSet(requirements)) continue;
    const compatible = requirements === claim.requirements ? undefined : pool.catalog.compatible(requirements);
    // Requirements as they were: the cheapest fitting type is the one found above, its growth already judged.
    let nextRank = compatible === undefined && claim.pods.length > 0 ? cheapest : -1;
    const types = claim.types.filter(
      (t) => (compatible === undefined || compatible[t.index] === 1) && fitsVector(total, t.allocatable),
    );
    if (types.length === 0) continue;
    // A claim on an efficient type stays on one: growing it into a dearer, less efficient type costs more than a
    // new NodeClaim would (packing.ts).
    if (claim.efficient && !types.some((t) => pool.packing.efficient[t.index] === 1)) continue;
    if (nextRank < 0)
      for (const t of types)
        if (nextRank < 0 || (pool.rank[t.index] as number) < nextRank) nextRank = pool.rank[t.index] as number;
    const price = pool.packing.price[(pool.byPrice[nextRank] as CompiledType).index] as number;
    if (run.costAware && claim.pods.length > 0 && !growthPays(claim.price, claim.value, price, value)) continue;
    const shortfall =
      pool.state.minValuesKeys.length === 0
        ? undefined
        : minValuesShortfall(
            requirements,
            pool.state.minValuesKeys,
            types.map((t) => t.it),
          );
    if (shortfall !== undefined && run.minValuesPolicy === "Strict") continue;
    claim.requirements = requirements;
    claim.requests = total;
    if (types.length !== claim.types.length) narrowTypes(claim, types, run.index.length);
    claim.price = price;
    claim.value = value;
    claim.cheapestRank = nextRank;
    claim.efficient = run.costAware && (claim.efficient || types.some((t) => pool.packing.efficient[t.index] === 1));
    claim.pods.push(pod.key);
    claim.podRequests.push(pod.requests);
    claim.podConstraints.push(pod);
    claim.podVectors.push(podRun.requests);
    claim.hostPorts.push(...pod.hostPorts);
    claim.minValuesRelaxed ||= shortfall !== undefined;
    run.topology.record(pod, { ...view, requirements });
    return "added";
  }
  if (podRun.plain) closeToPlain(run, claim);
  return "ruledOut";
}

// A claim that cannot take even the smallest plain pod (no remaining type has the room, or the growth would not
// pay) is left out of the plain pods' scans: requests only grow, so the room never comes back. (Growth could pay
// again after a constrained pod changes the claim's worth; plain pods then open a new claim instead, which costs
// at most the same.)
function closeToPlain(run: Run, claim: OpenClaim): void {
  if (claim.pods.length === 0) return;
  const total = addVectors(claim.requests, run.smallestPlain);
  const next = fitsVector(total, claim.efficient ? claim.maxEfficient : claim.maxAllocatable)
    ? cheapestFitting(claim, total)
    : -1;
  const pool = claim.pool;
  if (
    next < 0 ||
    (run.costAware &&
      !growthPays(
        claim.price,
        claim.value,
        pool.packing.price[(pool.byPrice[next] as CompiledType).index] as number,
        worth(pool.packing, total),
      ))
  ) {
    run.plainOrder.remove(claim);
    run.shortlists.closedToPlain(claim);
    claim.closedToPlain = true;
  }
}

// The claim's options shrank: its largest type, what limits and the $/h cap count, change with them. The types a pod
// rules out are mostly ones too small for it, so the largest are worked out again only when a type that had one of
// them left and no remaining type has it too.
function narrowTypes(claim: OpenClaim, types: readonly CompiledType[], width: number): void {
  const pool = claim.pool;
  const kept = new Uint8Array(pool.catalog.types.length);
  for (const t of types) kept[t.index] = 1;
  const efficient = pool.packing.efficient;
  // Per resource: bit 1 allocatable, 2 capacity, 4 efficient allocatable — a largest some leaving type had.
  const lost = new Uint8Array(width);
  for (const t of claim.types) {
    if (kept[t.index] === 1) continue;
    for (let i = 0; i < width; i++) lost[i] = (lost[i] as number) | largestBits(claim, t, i, efficient);
  }
  let changed = false;
  for (let i = 0; i < width && !changed; i++) {
    let missing = lost[i] as number;
    for (let k = 0; k < types.length && missing !== 0; k++) {
      missing &= ~largestBits(claim, types[k] as CompiledType, i, efficient);
    }
    changed = missing !== 0;
  }
  const { maxAllocatable, maxCapacity, maxEfficient } = changed
    ? claimOptions(types, pool.catalog.types.length, efficient, width)
    : claim;
  if (claim.counted) {
    for (let i = 0; i < width; i++) {
      pool.used[i] = (pool.used[i] as number) - (claim.maxCapacity[i] as number) + (maxCapacity[i] as number);
    }
  }
  claim.has = kept;
  claim.types = types;
  claim.maxAllocatable = maxAllocatable;
  claim.maxCapacity = maxCapacity;
  claim.maxEfficient = maxEfficient;
  if (pool.state.template.maxHourlyCost !== undefined) {
    const cost = claimHourlyCost(claim.instanceTypes, claim.requirements);
    if (claim.counted) pool.hourlyCost += cost - claim.hourlyCost;
    claim.hourlyCost = cost;
  }
}

// Which of the claim's largest amounts of resource `i` the type has (bits as in narrowTypes); a largest of 0 stays 0
// whatever leaves.
function largestBits(claim: OpenClaim, t: CompiledType, i: number, efficient: Uint8Array): number {
  const allocatable = t.allocatable[i] as number;
  const a = claim.maxAllocatable[i] as number;
  const c = claim.maxCapacity[i] as number;
  const e = claim.maxEfficient[i] as number;
  return (
    (a > 0 && allocatable >= a ? 1 : 0) |
    (c > 0 && (t.capacity[i] as number) >= c ? 2 : 0) |
    (e > 0 && efficient[t.index] === 1 && allocatable >= e ? 4 : 0)
  );
}

/** The place in the pool's price order of the cheapest remaining type `total` fits; -1 when none does. */
function cheapestFitting(claim: OpenClaim, total: ResourceVector): number {
  const { byPrice } = claim.pool;
  for (let r = claim.cheapestRank; r < byPrice.length; r++) {
    const t = byPrice[r] as CompiledType;
    if (claim.has[t.index] === 1 && fitsVector(total, t.allocatable)) return r;
  }
  return -1;
}

function openClaim(run: Run, pool: PoolRun, pod: PodConstraints, podRun: PodRun): OpenClaim | undefined {
  if (!podRun.tolerates(pool)) return undefined;
  if (pool.nodes >= pool.nodesLimit) return undefined;
  const cap = pool.state.template.maxHourlyCost;
  const budget = cap === undefined ? undefined : cap - pool.hourlyCost;
  const requirements = pool.state.template.requirements;
  const width = run.index.length;
  const headroom = (i: number) => (pool.limit[i] as number) - (pool.used[i] as number);
  let options = pool.unlimited;
  let limited = budget !== undefined;
  for (let i = 0; i < width && !limited; i++) limited = (pool.unlimited.maxCapacity[i] as number) > headroom(i);
  if (limited) {
    const types = pool.unlimited.types.filter((t) => {
      for (let i = 0; i < width; i++) if ((t.capacity[i] as number) > headroom(i)) return false;
      return budget === undefined || (worstCasePrice(t.it, requirements) ?? 0) <= budget;
    });
    options = claimOptions(types, pool.catalog.types.length, pool.packing.efficient, width);
  }
  const claim = new OpenClaim(pool, `hostname-placeholder-${run.hostnames++}`, options);
  if (budget !== undefined) claim.hourlyCost = claimHourlyCost(claim.instanceTypes, requirements);
  if (addToClaim(run, claim, pod, podRun) !== "added") return undefined;
  claim.counted = true;
  pool.nodes += 1;
  pool.hourlyCost += claim.hourlyCost;
  for (let i = 0; i < width; i++) pool.used[i] = (pool.used[i] as number) + (claim.maxCapacity[i] as number);
  return claim;
}

/**
 * The finishing pass (CostAware only): the pool's NodeClaims that hold only free pods — plain (no topology, host ports
 * or node requirements) and selected by no topology group, so nothing but room and price decides where they go — are
 * packed again all at once (repack.ts) and replaced when that costs less. No other claim and no existing node is
 * touched, and each new claim keeps every pool type its pods fit, launched as the cheapest, as Karpenter's would.
 * Skipped where a replacement could cross what a claim-by-claim run checks as it goes: the pool's $/h cap and
 * minValues, and limits or the node count when the new claims' largest options would exceed them.
 */
function repackFreeClaims(run: Run, pool: PoolRun): void {
  const template = pool.state.template;
  if (!run.costAware || template.maxHourlyCost !== undefined || pool.state.minValuesKeys.length > 0) return;
  const free = pool.claims.filter((c) => c.podConstraints.every((p) => isPlain(p) && !run.topology.selectsAny(p)));
  if (free.length < 2) return;
  const width = run.index.length;
  const types = pool.unlimited.types;
  const room = types.map((t) => {
    const left = new Float64Array(width);
    for (let i = 0; i < width; i++) left[i] = (t.allocatable[i] as number) - (pool.overhead[i] as number);
    return { room: left, price: pool.packing.price[t.index] as number };
  });
  const pods = free.flatMap((c) => c.podConstraints.map((pod, i) => ({ claim: c, at: i, pod })));
  const nodes = repack(pods, (p) => p.claim.podVectors[p.at] as ResourceVector, room, pool.packing.duals);
  if (nodes === undefined) return;
  let before = 0;
  for (const c of free) before += c.price;
  let after = 0;
  for (const n of nodes) after += (room[n.type] as { price: number }).price;
  if (!(after < before * (1 - 1e-9))) return;
  if (pool.nodes - free.length + nodes.length > pool.nodesLimit) return;
  const optionsByRequests = new Map<string, ClaimOptions>();
  const replacements = nodes.map((n) => {
    const requests = Float64Array.from(pool.overhead);
    for (const p of n.pods) {
      const v = p.claim.podVectors[p.at] as ResourceVector;
      for (let i = 0; i < width; i++) requests[i] = (requests[i] as number) + (v[i] as number);
    }
    // Nodes of one pattern have the same options (a claim copies `has` and replaces, never writes, the vectors).
    const key = requests.join(",");
    let options = optionsByRequests.get(key);
    if (options === undefined) {
      const fitting = types.filter((t) => fitsVector(requests, t.allocatable));
      options = claimOptions(fitting, pool.catalog.types.length, pool.packing.efficient, width);
      optionsByRequests.set(key, options);
    }
    const claim = new OpenClaim(pool, `hostname-placeholder-${run.hostnames++}`, options);
    claim.requests = requests;
    claim.price = (room[n.type] as { price: number }).price;
    for (const p of n.pods) {
      claim.pods.push(p.claim.pods[p.at] as string);
      claim.podRequests.push(p.claim.podRequests[p.at] as ResourceList);
      claim.podConstraints.push(p.pod);
      claim.podVectors.push(p.claim.podVectors[p.at] as ResourceVector);
    }
    claim.counted = true;
    return claim;
  });
  const used = Float64Array.from(pool.used);
  for (const c of free) for (let i = 0; i < width; i++) used[i] = (used[i] as number) - (c.maxCapacity[i] as number);
  for (const c of replacements) {
    for (let i = 0; i < width; i++) used[i] = (used[i] as number) + (c.maxCapacity[i] as number);
  }
  for (let i = 0; i < width; i++) if ((used[i] as number) > (pool.limit[i] as number)) return;
  pool.used.set(used);
  pool.nodes += nodes.length - free.length;
  const replaced = new Set(free);
  const keep = (c: OpenClaim) => !replaced.has(c);
  const claims = run.claims.filter(keep);
  run.claims.length = 0;
  run.claims.push(...claims, ...replacements);
  const own = pool.claims.filter(keep);
  pool.claims.length = 0;
  pool.claims.push(...own, ...replacements);
}

function isRequirementSet(value: unknown): value is RequirementSet {
  return typeof (value as RequirementSet).intersection === "function";
}

function finish(claim: OpenClaim): NewNodeClaim {
  const { template } = claim.pool.state;
  const options = instanceTypeOptions(claim.requirements, claim.has, claim.pool.catalog);
  // addToClaim keeps only types with an available offering the requirements allow, so there are options.
  if (options === undefined) throw new Error(`NodeClaim for pool ${template.name} has no available offering`);
  return {
    nodePool: template,
    requirements: claim.requirements,
    capacityType: options.capacityType,
    instanceTypes: options.instanceTypes.map((o) => o.name),
    price: options.instanceTypes[0]?.price ?? 0,
    pods: claim.pods,
    requests: addResources(claim.pool.state.daemonOverhead, ...claim.podRequests),
    taints: template.taints,
    startupTaints: template.startupTaints,
    minValuesRelaxed: claim.minValuesRelaxed,
  };
}
