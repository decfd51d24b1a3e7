/**
 * What a pool change would do if it merged (`poolkeeper plan`), from the same pure decisions the controller runs:
 * the pools and classes that change; and, over a ClusterSnapshot, the nodes that drift and how fast their budgets
 * replace them, new capacity for the pending pods (provisioning's `schedule`), consolidation made possible or
 * blocked (disruption's `plan`), limits that would bind, and the $/h with and without the change.
 */
import { ValueError, type NodePool } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { isReschedulable, nodeFacts } from "../disruption/index.ts";
import { nodePoolTemplate, type NodePoolTemplate } from "../provisioning/index.ts";
import { type NodeSelectorRequirement, RequirementSet } from "../../scheduling/index.ts";
import { type CapacityOutcome, capacityOutcome, scheduleOn } from "./capacity-preview.ts";
import { type ConsolidationOutcome, consolidationPreview } from "./consolidation-preview.ts";
import { driftPreview, type PoolDrift } from "./drift-preview.ts";
import { limitsPreview, type LimitOutcome } from "./limits-preview.ts";
import { type NodeClassChange, nodeClassChanges, type PoolChange, poolChanges, type PoolSide } from "./pool-changes.ts";
import type { LoadedSnapshot } from "./snapshot-state.ts";

export interface CostOutcome {
  /** USD per hour of the Karpenter-managed nodes the snapshot prices. */
  readonly now: number;
  /** After the drift rollout and the pending pods' new nodes, under the head (before any consolidation). */
  readonly ifMerged: number;
  /** The pending pods' new nodes under the base. */
  readonly ifNotMerged: number;
  readonly delta: number;
  /** Managed nodes whose offering the snapshot does not price (a spot node without a spot offering, for one). */
  readonly unpricedNodes: number;
}

export interface ClusterPreview {
  readonly takenAt: string;
  readonly cluster: string | undefined;
  readonly nodes: number;
  readonly managedNodes: number;
  readonly pendingPods: number;
  readonly drift: readonly PoolDrift[];
  readonly capacity: { readonly base: CapacityOutcome; readonly head: CapacityOutcome };
  readonly consolidation: readonly ConsolidationOutcome[];
  readonly limits: readonly LimitOutcome[];
  readonly cost: CostOutcome;
}

export interface ChangePreview {
  readonly pools: readonly PoolChange[];
  readonly nodeClasses: readonly NodeClassChange[];
  /** Pools the controller could not read (each naming the pool and field); their effect is left out. */
  readonly problems: readonly string[];
  /** Present with a snapshot. */
  readonly cluster?: ClusterPreview;
}

export function previewChange(base: PoolSide, head: PoolSide, snapshot?: LoadedSnapshot): ChangePreview {
  const pools = poolChanges(base, head);
  const nodeClasses = nodeClassChanges(base, head);
  const problems: string[] = [];
  const baseTemplates = templates(base.nodePools, problems);
  const headTemplates = templates(head.nodePools, problems);
  if (snapshot === undefined) return { pools, nodeClasses, problems };
  return {
    pools,
    nodeClasses,
    problems,
    cluster: clusterPreview(base, head, pools, nodeClasses, baseTemplates, headTemplates, snapshot),
  };
}

function templates(nodePools: readonly NodePool[], problems: string[]): Map<string, NodePoolTemplate> {
  const out = new Map<string, NodePoolTemplate>();
  for (const pool of nodePools) {
    try {
      out.set(pool.metadata?.name ?? "", nodePoolTemplate(pool));
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      if (!problems.includes(error.message)) problems.push(error.message);
    }
  }
  return out;
}

function clusterPreview(
  base: PoolSide,
  head: PoolSide,
  changes: readonly PoolChange[],
  classChanges: readonly NodeClassChange[],
  baseTemplates: ReadonlyMap<string, NodePoolTemplate>,
  headTemplates: ReadonlyMap<string, NodePoolTemplate>,
  snapshot: LoadedSnapshot,
): ClusterPreview {
  const { disruption, clock, state } = snapshot;
  const now = clock.now();
  // The types the provider offers, narrowed once per distinct set of requirements to those the pool could launch:
  // the scheduler would rule the others out for every pod, and preparing 1,364 types for each of 1,000 pools is
  // most of a plan's time otherwise.
  const narrowed = new Map<string, readonly InstanceType[]>();
  const typesOf = (pool: NodePool): readonly InstanceType[] => {
    const requirements = pool.spec.template.spec.requirements;
    const key = JSON.stringify(requirements);
    let types = narrowed.get(key);
    if (types === undefined) {
      let set: RequirementSet;
      try {
        set = RequirementSet.fromRequirements(requirements as NodeSelectorRequirement[]);
      } catch {
        return snapshot.instanceTypes; // unreadable: reported with the pool's problems, left to the scheduler
      }
      types = snapshot.instanceTypes.filter((it) => it.requirements.intersects(set));
      narrowed.set(key, types);
    }
    return types;
  };
  const typesFor = (side: PoolSide) =>
    new Map<string, readonly InstanceType[]>(side.nodePools.map((p) => [p.metadata?.name ?? "", typesOf(p)]));
  const baseTypes = typesFor(base);
  // A node's price is its offering's, whether or not its pool could launch the type now.
  const pricing = new Map<string, readonly InstanceType[]>(
    [...base.nodePools, ...head.nodePools].map((p) => [p.metadata?.name ?? "", snapshot.instanceTypes]),
  );
  const headTypes = typesFor(head);
  const byName = (side: PoolSide) => new Map(side.nodePools.map((p) => [p.metadata?.name ?? "", p]));

  const drift = driftPreview({
    nodes: disruption.nodes,
    base: byName(base),
    head: byName(head),
    classChanges,
    instanceTypes: pricing,
    now,
  });
  const pending = disruption.pendingPods;
  const baseResult = scheduleOn(disruption, pending, new Set(), [...baseTemplates.values()], baseTypes, clock);
  const headResult = scheduleOn(disruption, pending, new Set(), [...headTemplates.values()], headTypes, clock);
  const capacity = {
    base: capacityOutcome(baseResult, pending.length),
    head: capacityOutcome(headResult, pending.length),
  };

  // The end of the rollout: the drifted nodes gone, their pods and the pending ones placed under the head.
  const displaced = new Set(drift.flatMap((d) => d.nodeNames));
  const moved = disruption.nodes
    .filter((n) => displaced.has(n.node.metadata.name ?? ""))
    .flatMap((n) => n.pods.filter(isReschedulable))
    .map((pod) => ({ ...pod, spec: { ...pod.spec, nodeName: undefined } }));
  const endResult =
    displaced.size === 0
      ? headResult
      : scheduleOn(disruption, [...pending, ...moved], displaced, [...headTemplates.values()], headTypes, clock);

  let priced = 0;
  let unpricedNodes = 0;
  let displacedPrice = 0;
  for (const n of disruption.nodes) {
    if (n.node.metadata.deletionTimestamp || n.nodeClaim.metadata.deletionTimestamp) continue;
    const price = nodeFacts(n, pricing).price;
    if (price === undefined) unpricedNodes += 1;
    else priced += price;
    if (price !== undefined && displaced.has(n.node.metadata.name ?? "")) displacedPrice += price;
  }
  const endCost = endResult.newNodeClaims.reduce((sum, c) => sum + c.price, 0);
  const ifMerged = priced - displacedPrice + endCost;
  const ifNotMerged = priced + capacity.base.pricePerHour;

  return {
    takenAt: snapshot.document.metadata.takenAt,
    cluster: snapshot.document.metadata.cluster,
    nodes: snapshot.document.nodes.length,
    managedNodes: disruption.nodes.length,
    pendingPods: pending.length,
    drift,
    capacity,
    consolidation: consolidationPreview(
      disruption,
      changes,
      { base: baseTypes, head: headTypes },
      base.nodePools,
      head.nodePools,
      clock,
    ),
    limits: limitsPreview(changes, state.nodes, baseTemplates, headTemplates, capacity.head.held),
    cost: { now: priced, ifMerged, ifNotMerged, delta: ifMerged - ifNotMerged, unpricedNodes },
  };
}
