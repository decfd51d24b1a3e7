/**
 * Limits that would bind after the change: per pool whose `limits` change, or whose pending pods the head's limits
 * hold, each limited resource with what the pool's nodes already have (capacity, as Karpenter counts it against
 * limits: core:pkg/controllers/provisioning/scheduling/scheduler.go) and the limit before and after, for each
 * resource whose limit changes or binds. A limit at or
 * below what is used lets no node launch; Karpenter never removes nodes to get under a limit.
 */
import { formatQuantity, parseQuantity, Quantity } from "../../api/index.ts";
import { addResources, type ResourceList } from "../../scheduling/index.ts";
import type { NodePoolTemplate } from "../provisioning/index.ts";
import type { StateNode } from "../state/index.ts";
import type { HeldPod } from "./capacity-preview.ts";
import type { PoolChange } from "./pool-changes.ts";

export interface LimitOutcome {
  readonly nodePool: string;
  readonly resource: string;
  readonly used: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
  /** The head's limit is reached: no node of the pool can launch (a replacement either). */
  readonly binds: boolean;
  /** Pending pods the head's scheduler holds back because of this pool's limits. */
  readonly heldPods: number;
}

export function limitsPreview(
  changes: readonly PoolChange[],
  nodes: readonly StateNode[],
  base: ReadonlyMap<string, NodePoolTemplate>,
  head: ReadonlyMap<string, NodePoolTemplate>,
  held: readonly HeldPod[],
): LimitOutcome[] {
  const heldBy = new Map<string, number>();
  for (const h of held) for (const pool of new Set(h.limitedBy)) heldBy.set(pool, (heldBy.get(pool) ?? 0) + 1);
  const pools = new Set([
    ...changes.filter((c) => c.limits !== undefined).map((c) => c.nodePool),
    ...[...heldBy.keys()].filter((p) => head.has(p)),
  ]);
  const out: LimitOutcome[] = [];
  for (const pool of [...pools].sort()) {
    const own = nodes.filter((n) => n.nodePool === pool && !n.markedForDeletion);
    const used: ResourceList = addResources(...own.map((n) => n.capacity), { nodes: parseQuantity(own.length) });
    const before = base.get(pool)?.limits ?? {};
    const after = head.get(pool)?.limits ?? {};
    for (const resource of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const limit = after[resource];
      const have = used[resource] ?? new Quantity(0n);
      const binds = limit !== undefined && have.nanos >= limit.nanos;
      const was = before[resource];
      if (!binds && was?.nanos === limit?.nanos) continue;
      out.push({
        nodePool: pool,
        resource,
        used: formatQuantity(have),
        before: before[resource] === undefined ? undefined : formatQuantity(before[resource]),
        after: limit === undefined ? undefined : formatQuantity(limit),
        binds,
        heldPods: heldBy.get(pool) ?? 0,
      });
    }
  }
  return out;
}
