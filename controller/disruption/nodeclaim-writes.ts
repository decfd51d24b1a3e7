/**
 * The writes the executor makes to NodeClaims, as read-modify-write over the Cluster port retried on conflict
 * (client-go's RetryOnConflict, as api's mutateWithRetry does for metadata): a status condition set or cleared
 * through the status subresource, and an annotation set or removed by a merge patch.
 */
import { type Cluster, cloneJson, type Condition, isConflict, isNotFound, type NodeClaim } from "../../api/index.ts";

const ATTEMPTS = 5;

/** Sets the condition (replacing one of the same type) or, with `undefined`, clears conditions of `type`. */
export async function setNodeClaimCondition(
  cluster: Cluster,
  name: string,
  type: string,
  condition: { status: Condition["status"]; reason: string; message: string; lastTransitionTime: string } | undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let current: NodeClaim;
    try {
      current = cloneJson(await cluster.read("nodeclaims", { name }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const conditions = ((current.status?.conditions ?? []) as Condition[]).filter((c) => c.type !== type);
    if (condition !== undefined) conditions.push({ type, ...condition });
    current.status = { ...current.status, conditions: conditions as never };
    try {
      await cluster.update("nodeclaims", current, { subresource: "status" });
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}

/** `value` undefined removes the annotation. A NodeClaim already gone is left alone. */
export async function annotateNodeClaim(cluster: Cluster, name: string, annotations: Record<string, string | null>) {
  try {
    await cluster.patch("nodeclaims", { name }, { type: "merge", patch: { metadata: { annotations } } });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
