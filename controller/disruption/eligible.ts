/**
 * How many nodes each graceful method could act on before budgets (Karpenter's disruption census, the
 * `karpenter_voluntary_disruption_eligible_nodes{reason}` gauge: the candidates each method's `ShouldDisrupt`
 * accepts). A candidate with a pod blocker is none (Karpenter's `NewCandidate` refuses it), except for drift when
 * the NodeClaim's terminationGracePeriod bounds the drain.
 */
import type { BudgetReason } from "./budgets.ts";
import type { Candidate } from "./candidates.ts";
import { driftReason } from "./drift.ts";

export type EligibleNodes = Readonly<Record<BudgetReason, number>>;

export function eligibleNodes(cands: readonly Candidate[]): EligibleNodes {
  let empty = 0;
  let drifted = 0;
  let underutilized = 0;
  for (const c of cands) {
    const unblocked = c.blocker === undefined;
    const quiet = c.consolidatable.state === "yes";
    if (c.empty && quiet && unblocked) empty += 1;
    const bounded = c.facts.source.nodeClaim.spec.terminationGracePeriod !== undefined;
    if (driftReason(c.facts, c.pool) !== undefined && (unblocked || bounded)) drifted += 1;
    const whenEmpty = c.pool.spec.disruption?.consolidationPolicy === "WhenEmpty";
    if (!c.empty && !whenEmpty && quiet && unblocked) underutilized += 1;
  }
  return { Empty: empty, Drifted: drifted, Underutilized: underutilized };
}
