/**
 * The `Balanced` consolidation policy's gate (core:designs/balanced-consolidation.md, nodepool.go `BalancedK = 2`):
 * a move is approved when the share of the pools' cost it saves, over the share of their disruption cost it
 * causes, is at least 1/k. Disruption cost is the moved pods' eviction cost (pods.ts); a move that disrupts
 * nothing is always approved.
 */
import type { NodeFacts } from "./node-facts.ts";
import { BALANCED_K } from "./options.ts";
import { reschedulingCost } from "./pods.ts";

export interface BalancedScore {
  readonly score: number;
  readonly approved: boolean;
  readonly savingsShare: number;
  readonly disruptionShare: number;
}

/** `poolNodes`: every node of the candidates' pools, the candidates included. */
export function balancedScore(
  candidates: readonly NodeFacts[],
  poolNodes: readonly NodeFacts[],
  savings: number,
): BalancedScore {
  const poolCost = poolNodes.reduce((sum, n) => sum + (n.price ?? 0), 0);
  const poolDisruption = poolNodes.reduce((sum, n) => sum + Math.max(0, reschedulingCost(n.source.pods)), 0);
  const disruption = candidates.reduce((sum, n) => sum + Math.max(0, reschedulingCost(n.source.pods)), 0);
  const savingsShare = poolCost > 0 ? savings / poolCost : 0;
  const disruptionShare = poolDisruption > 0 ? disruption / poolDisruption : 0;
  const score = disruptionShare === 0 ? Number.POSITIVE_INFINITY : savingsShare / disruptionShare;
  return { score, approved: score >= 1 / BALANCED_K, savingsShare, disruptionShare };
}
