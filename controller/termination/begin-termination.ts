// The durable act that starts a node's termination, shared by interruption and disruption: taint its Node
// `karpenter.sh/disrupted:NoSchedule` so nothing new lands there, optionally set the NodeClaim's deadline, and
// delete the NodeClaim. Its termination finalizer then holds it while the termination controller drains the node
// and terminates the instance (Karpenter's interruption controller `deleteNodeClaim` and the disruption queue's
// taint-then-delete). Every step is idempotent, so a redelivered message or a retried command is a no-op.
import { isNotFound, type Cluster, type Taint } from "../../api/index.ts";
import { DISRUPTED_NO_SCHEDULE_TAINT } from "../../scheduling/index.ts";
import { ANNOTATION_TERMINATION_TIMESTAMP } from "./termination-keys.ts";

export interface BeginTermination {
  /** The NodeClaim's Node, when it has one. */
  nodeName?: string;
  /**
   * Whatever blocks the drain, the node is gone by then: the termination-timestamp annotation. Only ever moved
   * earlier; `now` is Karpenter's forceful termination (no graceful drain, no volume wait).
   */
  terminateBy?: Date;
  /**
   * Annotations written on the NodeClaim before it is deleted (with the deadline, in one patch): why it terminates,
   * for a controller restarted mid-termination to report what it cannot otherwise know (an interruption's notice).
   */
  annotations?: Readonly<Record<string, string>>;
}

/** `deleting`: the NodeClaim is being deleted (by this call or before); `gone`: there was none. */
export type BeginOutcome = "deleting" | "gone";

const rfc3339 = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, "Z");

export async function beginTermination(
  cluster: Cluster,
  nodeClaimName: string,
  options: BeginTermination = {},
): Promise<BeginOutcome> {
  if (options.nodeName !== undefined) {
    try {
      await cluster.taint(options.nodeName, DISRUPTED_NO_SCHEDULE_TAINT as Taint);
    } catch (error) {
      // A Node already gone needs no taint; the NodeClaim is deleted all the same.
      if (!isNotFound(error)) throw error;
    }
  }
  const claim = cluster.get("nodeclaims", { name: nodeClaimName });
  const current = claim?.metadata.annotations ?? {};
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.annotations ?? {})) {
    if (current[key] !== value) annotations[key] = value;
  }
  if (options.terminateBy !== undefined) {
    const deadline = current[ANNOTATION_TERMINATION_TIMESTAMP];
    if (deadline === undefined || Date.parse(deadline) > options.terminateBy.getTime()) {
      annotations[ANNOTATION_TERMINATION_TIMESTAMP] = rfc3339(options.terminateBy);
    }
  }
  if (claim !== undefined && Object.keys(annotations).length > 0) {
    try {
      await cluster.patch(
        "nodeclaims",
        { name: nodeClaimName },
        { type: "merge", patch: { metadata: { annotations } } },
      );
    } catch (error) {
      if (isNotFound(error)) return "gone";
      throw error;
    }
  }
  const deleted = await cluster.delete("nodeclaims", { name: nodeClaimName });
  return deleted.outcome === "not-found" ? "gone" : "deleting";
}
