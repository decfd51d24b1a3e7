/**
 * New capacity for pending pods under one side of a change: provisioning's `schedule` over the snapshot, as the
 * controller's provisioner would run it, summarised per pool with the $/h of what it would launch and, for each pod
 * it cannot place, the scheduler's own explanation.
 */
import type { Clock, Pod } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import type { DisruptionSnapshot } from "../disruption/index.ts";
import { type NodePoolTemplate, schedule, type ScheduleResult } from "../provisioning/index.ts";

export interface LaunchSummary {
  readonly nodePool: string;
  /** "m5.large on-demand" → how many. */
  readonly nodeClaims: Readonly<Record<string, number>>;
  readonly count: number;
  readonly pods: number;
  /** USD per hour, each claim at its first (cheapest) option's price. */
  readonly pricePerHour: number;
}

export interface HeldPod {
  readonly pod: string;
  /** The scheduler's explanation, one per pool ("pool batch: …"). */
  readonly reasons: readonly string[];
  /** Pools whose limits rule the pod out. */
  readonly limitedBy: readonly string[];
}

export interface CapacityOutcome {
  readonly pendingPods: number;
  readonly placedOnExisting: number;
  readonly launches: readonly LaunchSummary[];
  readonly held: readonly HeldPod[];
  readonly pricePerHour: number;
}

export function capacityOutcome(result: ScheduleResult, pendingPods: number): CapacityOutcome {
  const byPool = new Map<string, { claims: Record<string, number>; count: number; pods: number; price: number }>();
  for (const claim of result.newNodeClaims) {
    const pool = claim.nodePool.name;
    const entry = byPool.get(pool) ?? { claims: {}, count: 0, pods: 0, price: 0 };
    const what = `${claim.instanceTypes[0] ?? "?"} ${claim.capacityType}`;
    entry.claims[what] = (entry.claims[what] ?? 0) + 1;
    entry.count += 1;
    entry.pods += claim.pods.length;
    entry.price += claim.price;
    byPool.set(pool, entry);
  }
  const launches = [...byPool]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([nodePool, e]) => ({ nodePool, nodeClaims: e.claims, count: e.count, pods: e.pods, pricePerHour: e.price }));
  const held = result.unschedulable.map((u) => ({
    pod: u.pod,
    reasons: u.explanations.length > 0 ? u.explanations.map((e) => e.message) : [u.message ?? "cannot be placed"],
    limitedBy: u.explanations
      .filter((e) => e.reason.kind === "limit" || e.reason.kind === "nodes-limit")
      .map((e) => e.nodePool),
  }));
  return {
    pendingPods,
    placedOnExisting: result.placementsOnExisting.length,
    launches,
    held,
    pricePerHour: launches.reduce((sum, l) => sum + l.pricePerHour, 0),
  };
}

/** Schedules `pods` (pending) on the snapshot's capacity less `without`, as provisioning would. */
export function scheduleOn(
  snapshot: DisruptionSnapshot,
  pods: readonly Pod[],
  without: ReadonlySet<string>,
  templates: readonly NodePoolTemplate[],
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
): ScheduleResult {
  return schedule(
    {
      ...snapshot,
      pendingPods: pods,
      existing: snapshot.existing.filter((e) => !without.has(e.name)),
      boundPods: snapshot.boundPods?.filter((b) => !without.has(b.node)),
    },
    templates,
    instanceTypes,
    clock,
  );
}
