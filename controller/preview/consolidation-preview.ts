/**
 * Consolidation the change makes possible or blocks: the controller's disruption `plan` run once over the snapshot
 * with the base's pools and once with the head's, each with its nodes as launched from that side's pools (so drift,
 * reported on its own, does not take the pass). A pass runs one graceful command; for each pool whose disruption
 * settings, requirements or limits change, the preview compares what the pass does or says about its nodes.
 */
import type { Clock, NodePool } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { type DisruptionPlan, type DisruptionSnapshot, plan } from "../disruption/index.ts";
import { launchedFrom, poolOf } from "./launched-from.ts";
import type { PoolChange } from "./pool-changes.ts";

export interface ConsolidationOutcome {
  readonly nodePool: string;
  readonly before: string;
  readonly after: string;
  /** USD per hour the head's command saves in this pool (0 when none). */
  readonly savingsAfter: number;
  readonly savingsBefore: number;
}

// The blocked kinds that are the pool's settings speaking, not the moment (nomination, an in-flight command).
const SETTING_KINDS = new Set([
  "budget",
  "consolidation-disabled",
  "consolidate-after",
  "no-cheaper",
  "pdb",
  "do-not-disrupt",
]);
const CONSOLIDATING = new Set(["emptiness", "multi-node-consolidation", "single-node-consolidation"]);

export function consolidationPreview(
  snapshot: DisruptionSnapshot,
  changes: readonly PoolChange[],
  instanceTypes: {
    readonly base: ReadonlyMap<string, readonly InstanceType[]>;
    readonly head: ReadonlyMap<string, readonly InstanceType[]>;
  },
  base: readonly NodePool[],
  head: readonly NodePool[],
  clock: Clock,
): ConsolidationOutcome[] {
  const watched = changes.filter(
    (c) => c.change === "changed" && (c.budgets || c.consolidation || c.requirementsChanged || c.limits),
  );
  if (watched.length === 0) return [];
  const before = pass(snapshot, base, instanceTypes.base, clock);
  const after = pass(snapshot, head, instanceTypes.head, clock);
  const out: ConsolidationOutcome[] = [];
  for (const { nodePool } of watched) {
    const b = describe(before, nodePool);
    const a = describe(after, nodePool);
    if (b.text === a.text) continue;
    out.push({ nodePool, before: b.text, after: a.text, savingsBefore: b.savings, savingsAfter: a.savings });
  }
  return out;
}

function pass(
  snapshot: DisruptionSnapshot,
  pools: readonly NodePool[],
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
): DisruptionPlan {
  const byName = new Map(pools.map((p) => [p.metadata?.name ?? "", p]));
  const nodes = snapshot.nodes.map((n) => launchedFrom(n, byName.get(poolOf(n) ?? ""), undefined));
  return plan({ ...snapshot, nodes }, { nodePools: pools }, instanceTypes, clock);
}

function describe(result: DisruptionPlan, nodePool: string): { text: string; savings: number } {
  const command = result.commands.find(
    (c) => CONSOLIDATING.has(c.method) && c.candidates.some((n) => n.nodePool === nodePool),
  );
  if (command !== undefined) return { text: command.message, savings: command.savingsPerHour };
  const held = result.blocked.filter((b) => b.nodePool === nodePool && SETTING_KINDS.has(b.kind));
  const [first] = held;
  if (first === undefined) return { text: "nothing to consolidate", savings: 0 };
  const others = held.length - 1;
  return { text: `${first.node}: ${first.message}${others > 0 ? ` (and ${others} more nodes held)` : ""}`, savings: 0 };
}
