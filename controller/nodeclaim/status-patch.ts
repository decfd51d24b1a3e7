/**
 * A NodeClaim status write that sets one lifecycle condition (and any other status fields beside it), as a JSON
 * merge patch of the status subresource: the conditions list is replaced whole, computed from the NodeClaim as
 * last read so each condition keeps its transition time (nodeclaim-conditions.ts `withCondition`).
 */
import type { Clock, Cluster, NodeClaim } from "../../api/index.ts";
import { type NodeClaimCondition, withCondition } from "../state/index.ts";

export function patchCondition(
  cluster: Pick<Cluster, "patch">,
  clock: Clock,
  nodeClaim: NodeClaim,
  condition: Omit<NodeClaimCondition, "lastTransitionTime">,
  status: Record<string, unknown> = {},
): Promise<NodeClaim> {
  const conditions = withCondition(nodeClaim.status?.conditions, condition, clock.now());
  return cluster.patch(
    "nodeclaims",
    { name: nodeClaim.metadata.name ?? "" },
    { type: "merge", patch: { status: { ...status, conditions } } },
    { subresource: "status" },
  );
}
