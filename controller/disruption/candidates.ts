/**
 * Which nodes a graceful method may consider (Karpenter's state/statenode.go `ValidateNodeDisruptable` and
 * disruption/types.go `NewCandidate`): a node of a NodePool in the desired state, Initialized, not being deleted,
 * not already taken by a command, not nominated for a pending pod in the last 20 s, not annotated do-not-disrupt.
 * Each node set aside is recorded with the reason. The pods' blockers are computed here and applied by each method
 * (drift ignores them when terminationGracePeriod bounds the drain).
 */
import type { NodePool } from "../../api/index.ts";
import { type Consolidatable, consolidatable } from "./consolidatable.ts";
import type { NodeFacts } from "./node-facts.ts";
import { NOMINATION_WINDOW_MS } from "./options.ts";
import type { Pass } from "./pass.ts";
import { nodeDoNotDisrupt, podBlocker, type PodBlocker } from "./pod-blockers.ts";
import { isReschedulable, evictionCost } from "./pods.ts";

export interface Candidate {
  readonly facts: NodeFacts;
  readonly pool: NodePool;
  readonly blocker: PodBlocker | undefined;
  /** No reschedulable pod with a positive eviction cost (Karpenter's `IsEmpty`). */
  readonly empty: boolean;
  readonly consolidatable: Consolidatable;
  /** Σ max(0, eviction cost) of the pods that would move. */
  readonly disruptionCost: number;
}

export function candidates(pass: Pass, excluded: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  const now = pass.now.getTime();
  for (const facts of pass.facts) {
    if (excluded.has(facts.name)) continue;
    const pool = facts.nodePool === undefined ? undefined : pass.pools.get(facts.nodePool);
    if (facts.nodePool === undefined) {
      pass.block(facts, "invalid", "the node has no karpenter.sh/nodepool label");
      continue;
    }
    if (pool === undefined) {
      pass.block(facts, "not-candidate", `NodePool ${facts.nodePool} is not in the desired state`);
      continue;
    }
    if (facts.deleting) {
      pass.block(facts, "in-progress", "the node is being deleted");
      continue;
    }
    if (facts.disruptionReason !== undefined || facts.disruptedTaint) {
      pass.block(facts, "in-progress", `a command is already disrupting it (${facts.disruptionReason ?? "tainted"})`);
      continue;
    }
    if (facts.initializedAtMs === undefined) {
      pass.block(facts, "not-candidate", "the node is not initialized yet");
      continue;
    }
    const nominated = Date.parse(facts.source.nominatedAt ?? "");
    if (Number.isFinite(nominated) && now - nominated < NOMINATION_WINDOW_MS) {
      const ago = Math.max(0, Math.round((now - nominated) / 1000));
      pass.block(facts, "nominated", `nominated for pending pods ${ago} s ago; not a candidate for 20 s`);
      continue;
    }
    if (nodeDoNotDisrupt(facts.source.node.metadata.annotations)) {
      pass.block(facts, "do-not-disrupt", "the node has karpenter.sh/do-not-disrupt");
      continue;
    }
    const moved = facts.source.pods.filter(isReschedulable);
    const disruptionCost = moved.reduce((sum, pod) => sum + Math.max(0, evictionCost(pod)), 0);
    out.push({
      facts,
      pool,
      blocker: podBlocker(facts.source.pods, pass.snapshot.podDisruptionBudgets, pass.now),
      empty: disruptionCost === 0,
      consolidatable: consolidatable(facts, pool, pass.now),
      disruptionCost,
    });
  }
  return out;
}
