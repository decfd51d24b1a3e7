/**
 * Whether a node has been quiet long enough to consolidate (Karpenter's nodeclaim/disruption/consolidation.go,
 * the `Consolidatable` condition): `consolidateAfter` after the last pod event on the NodeClaim (a non-DaemonSet pod
 * bound or gone), or after it initialized when there was none. `Never` disables emptiness and consolidation for the
 * pool; drift still runs.
 */
import { type NodePool, parseKarpenterDuration, ValueError } from "../../api/index.ts";
import type { NodeFacts } from "./node-facts.ts";

export type Consolidatable =
  | { readonly state: "yes" }
  | { readonly state: "never" }
  | { readonly state: "waiting"; readonly until: Date; readonly after: string }
  | { readonly state: "invalid"; readonly message: string };

export function consolidatable(facts: NodeFacts, nodePool: NodePool, now: Date): Consolidatable {
  const text = nodePool.spec.disruption?.consolidateAfter ?? "0s";
  let after;
  try {
    after = parseKarpenterDuration(text, { allowNever: true, field: "consolidateAfter" });
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    const name = nodePool.metadata?.name ?? "";
    return { state: "invalid", message: `NodePool ${name} spec.disruption.consolidateAfter: ${error.message}` };
  }
  if (after.never) return { state: "never" };
  const since = facts.lastPodEventMs ?? facts.initializedAtMs ?? facts.createdAtMs;
  const until = since + after.ms;
  return until <= now.getTime() ? { state: "yes" } : { state: "waiting", until: new Date(until), after: text };
}
