/**
 * Where the pods of candidate nodes would go if the candidates went (Karpenter's disruption/helpers.go
 * `SimulateScheduling` and consolidation.go `computeConsolidation`): provisioning's scheduler places, in one run, the
 * candidates' reschedulable pods, the cluster's pending pods and the pods of nodes being deleted on the other nodes
 * that can take them, else on new NodeClaims — capacity the pending pods need is not free for the candidates' pods.
 * The result is judged as Karpenter's `AllNonPendingPodsScheduled` judges it: a pod that was running (a candidate's,
 * or a deleting node's) and fits nowhere blocks; a pending pod that fits nowhere does not (it did not fit before).
 * Every new NodeClaim counts, those the pending pods need included. None: delete. One: replace, with its options
 * narrowed to types strictly cheaper than the candidates (by the margin, when one is set), pinned to the capacity
 * type chosen (so an on-demand node replaced by spot does not fall back to a pricier on-demand one), spot-to-spot
 * only when allowed and, for one candidate, with at least 15 cheaper spot types, launched with the 15 cheapest.
 * More than one: no command, and why.
 */
import type { Clock, Pod } from "../../api/index.ts";
import { CAPACITY_TYPE_SPOT, type InstanceType, LABEL_CAPACITY_TYPE } from "../../cloudprovider/index.ts";
import { RequirementSet } from "../../scheduling/index.ts";
import { type NewNodeClaim, type NodePoolTemplate, schedule, type ScheduleResult } from "../provisioning/index.ts";
import { podKey } from "../provisioning/pod-constraints.ts";
import type { NodeFacts } from "./node-facts.ts";
import { MIN_SPOT_TO_SPOT_TYPES } from "./options.ts";
import { isReschedulable } from "./pods.ts";
import type { DisruptionSnapshot } from "./snapshot.ts";

export interface SimulationContext {
  readonly snapshot: DisruptionSnapshot;
  readonly templates: readonly NodePoolTemplate[];
  readonly instanceTypes: ReadonlyMap<string, readonly InstanceType[]>;
  readonly clock: Clock;
  /** Nodes pods may not move to: disrupting, being deleted, or still within consolidateAfter. */
  readonly unavailable: ReadonlySet<string>;
  /**
   * Scheduled with every simulation's candidates' pods: the pending pods, and the pods of nodes being deleted that
   * can move now (pod-blockers.ts `isCurrentlyReschedulable`).
   */
  readonly alsoMoving: readonly Pod[];
  /** The keys of the pending pods among `alsoMoving`: whether they fit does not decide a command. */
  readonly pending: ReadonlySet<string>;
  readonly marginPercent: number;
  readonly spotToSpot: boolean;
}

export type Simulation =
  | { readonly kind: "delete"; readonly pods: readonly string[]; readonly savings: number }
  | {
      readonly kind: "replace";
      readonly pods: readonly string[];
      readonly replacement: NewNodeClaim;
      readonly savings: number;
    }
  | { readonly kind: "none"; readonly why: string };

export const usd = (value: number) => `$${value < 0.01 ? value.toFixed(4) : value.toFixed(3)}/h`;

/**
 * Where the candidates' reschedulable pods would go, with the pending pods and the deleting nodes' pods:
 * provisioning's scheduler over the other usable nodes. The pass's node list is handed over whole with the nodes to
 * leave out, so what the scheduler derives from it is derived once per pass, not once per candidate.
 */
export function placePods(candidates: readonly NodeFacts[], ctx: SimulationContext): ScheduleResult {
  const names = new Set(candidates.map((c) => c.name));
  const pods = [...candidatePods(candidates), ...ctx.alsoMoving];
  return schedule(
    { pendingPods: pods, existing: ctx.snapshot.existing, daemonSets: ctx.snapshot.daemonSets },
    ctx.templates,
    ctx.instanceTypes,
    ctx.clock,
    {
      // Karpenter's packing: a consolidation replaces with one node, so the simulation must fill one where it can.
      packing: "Karpenter",
      leaveOut: { has: (name) => names.has(name) || ctx.unavailable.has(name) },
      // Callers ask only which pods would fit nowhere, not why, pool by pool.
      explain: false,
    },
  );
}

export function candidatePods(candidates: readonly NodeFacts[]): Pod[] {
  return candidates.flatMap((c) => c.source.pods.filter(isReschedulable));
}

/**
 * The running pods (a candidate's, or a deleting node's) the simulation left without a node, which allow no command
 * (Karpenter's `AllNonPendingPodsScheduled`): a pending pod that still fits nowhere did not fit before either.
 */
export function strandedPods(result: ScheduleResult, ctx: SimulationContext): string[] {
  return result.unschedulable.filter((u) => !ctx.pending.has(u.pod)).map((u) => u.pod);
}

/** `sameTypeExcluded`: multi-node consolidation's filter of options of the candidates' own types. */
export function simulate(
  candidates: readonly NodeFacts[],
  ctx: SimulationContext,
  sameTypeExcluded = false,
): Simulation {
  const result = placePods(candidates, ctx);
  const [stuck, ...others] = strandedPods(result, ctx);
  if (stuck !== undefined) {
    const more = others.length > 0 ? ` (and ${others.length} more)` : "";
    return { kind: "none", why: `pod ${stuck}${more} would fit nowhere else` };
  }
  const price = candidates.reduce((sum, c) => sum + (c.price ?? 0), 0);
  const moved = candidatePods(candidates).map(podKey);
  if (result.newNodeClaims.length === 0) return { kind: "delete", pods: moved, savings: price };
  const [claim] = result.newNodeClaims;
  if (result.newNodeClaims.length > 1 || claim === undefined) {
    return {
      kind: "none",
      why: `its pods would need ${result.newNodeClaims.length} new nodes, and a command replaces with at most one`,
    };
  }
  return replacement(candidates, claim, price, moved, ctx, sameTypeExcluded);
}

function replacement(
  candidates: readonly NodeFacts[],
  claim: NewNodeClaim,
  price: number,
  pods: readonly string[],
  ctx: SimulationContext,
  sameTypeExcluded: boolean,
): Simulation {
  const pinned = claim.requirements.intersection(
    RequirementSet.fromRequirements([{ key: LABEL_CAPACITY_TYPE, operator: "In", values: [claim.capacityType] }]),
  );
  const types = ctx.instanceTypes.get(claim.nodePool.name) ?? [];
  const priced = claim.instanceTypes.flatMap((name) => {
    const offering = types
      .find((t) => t.name === name)
      ?.offerings.available()
      .compatible(pinned)
      .cheapest();
    return offering === undefined ? [] : [{ name, price: offering.price }];
  });
  const cheapest = priced[0]?.price ?? claim.price;
  // Multi-node (Karpenter's filterOutSameInstanceType): when an option is a candidate's own type, only options
  // cheaper than the priciest such candidate stay, else the command would trade nodes for one of their own kind.
  const own = sameTypeExcluded
    ? candidates.filter((c) => priced.some((p) => p.name === c.instanceType)).map((c) => c.price ?? 0)
    : [];
  const ceiling = own.length === 0 ? price : Math.min(price, Math.max(...own));
  const cheaperAtAll = priced.filter((p) => p.price < ceiling);
  const best = cheaperAtAll[0];
  if (best === undefined) {
    return {
      kind: "none",
      why: `no cheaper replacement: its pods need a node of ${usd(cheapest)}, it costs ${usd(price)}`,
    };
  }
  const limit = price * (1 - ctx.marginPercent / 100);
  const cheaper = cheaperAtAll.filter((p) => p.price <= limit);
  if (cheaper.length === 0) {
    return {
      kind: "none",
      why: `replacement would save ${usd(price - best.price)}, below the ${ctx.marginPercent} % margin`,
    };
  }
  let options = cheaper;
  const allSpot = candidates.every((c) => c.capacityType === CAPACITY_TYPE_SPOT);
  if (allSpot && claim.capacityType === CAPACITY_TYPE_SPOT) {
    if (!ctx.spotToSpot)
      return {
        kind: "none",
        why: "spot-to-spot consolidation is disabled (a spot node is replaced only by deleting it)",
      };
    if (candidates.length === 1) {
      if (cheaper.length < MIN_SPOT_TO_SPOT_TYPES) {
        return {
          kind: "none",
          why: `SpotToSpotConsolidation requires ${MIN_SPOT_TO_SPOT_TYPES} cheaper instance type options than the current candidate to consolidate, got ${cheaper.length}`,
        };
      }
      options = cheaper.slice(0, MIN_SPOT_TO_SPOT_TYPES);
    }
  }
  const first = options[0]?.price ?? cheapest;
  return {
    kind: "replace",
    pods,
    replacement: { ...claim, requirements: pinned, instanceTypes: options.map((o) => o.name), price: first },
    savings: price - first,
  };
}
