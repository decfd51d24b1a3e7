// Rebalance recommendations, per NodePool (aws/karpenter-provider-aws#2813, what Karpenter users asked for): the
// annotation `poolkeeper.dev/rebalance` says `ignore` (the default and Karpenter's behaviour: an event only) or
// `replace` (the node is replaced proactively: its NodeClaim deleted gracefully, no deadline, so provisioning
// launches the replacement as its pods go pending). A replacement is voluntary, so it waits for the pool's
// disruption budgets, which interruption itself ignores. Pure.
import { allowedDisruptions, DEFAULT_BUDGETS, type NodeClaim, type NodePool } from "../../api/index.ts";

export const ANNOTATION_REBALANCE = "poolkeeper.dev/rebalance";

export type RebalancePolicy = "ignore" | "replace";

export function rebalancePolicy(pool: NodePool | undefined): RebalancePolicy {
  return pool?.metadata.annotations?.[ANNOTATION_REBALANCE] === "replace" ? "replace" : "ignore";
}

export type RebalanceDecision = { readonly replace: true } | { readonly replace: false; readonly held: string };

/**
 * Whether one more of the pool's nodes may be disrupted now: the smallest active budget (Karpenter's
 * `MustGetAllowedDisruptions`) less the pool's NodeClaims already being deleted. A rebalance is none of
 * Karpenter's disruption reasons, so only budgets that name no reasons limit it.
 */
export function rebalanceDecision(pool: NodePool, claims: readonly NodeClaim[], now: Date): RebalanceDecision {
  const budgets = pool.spec.disruption?.budgets ?? DEFAULT_BUDGETS;
  const allowed = allowedDisruptions(budgets, "Rebalance", claims.length, now);
  if (allowed.allowed === "unlimited") return { replace: true };
  const disrupting = claims.filter((c) => c.metadata.deletionTimestamp !== undefined).length;
  if (allowed.allowed - disrupting > 0) return { replace: true };
  const why = allowed.failClosed
    ? "a disruption budget of the pool cannot be evaluated, so none is allowed"
    : `the pool's disruption budgets allow ${allowed.allowed} node(s) now and ${disrupting} are being disrupted`;
  return { replace: false, held: why };
}
