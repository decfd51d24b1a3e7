// When a NodeClaim being deleted must be gone, drained or not (Karpenter's `nodeclaimutils.TerminationGracePeriod`
// reading and the lifecycle controller's annotation): the termination-timestamp annotation when set, else the
// deletion time plus `spec.terminationGracePeriod`, else never. Pure.
import { parseDuration, type NodeClaim } from "../../api/index.ts";
import { ANNOTATION_TERMINATION_TIMESTAMP } from "./termination-keys.ts";

/** The deadline in ms since the epoch, or undefined; a value that does not parse names the NodeClaim and field. */
export function terminationDeadline(nodeClaim: NodeClaim): number | undefined {
  const name = nodeClaim.metadata.name ?? "";
  const annotated = nodeClaim.metadata.annotations?.[ANNOTATION_TERMINATION_TIMESTAMP];
  if (annotated !== undefined) {
    const at = Date.parse(annotated);
    if (Number.isNaN(at)) {
      throw new Error(
        `NodeClaim "${name}": metadata.annotations["${ANNOTATION_TERMINATION_TIMESTAMP}"]: "${annotated}" is not an RFC 3339 time`,
      );
    }
    return at;
  }
  const deleted = nodeClaim.metadata.deletionTimestamp;
  const grace = nodeClaim.spec.terminationGracePeriod;
  if (deleted === undefined || grace === undefined) return undefined;
  try {
    return Date.parse(deleted) + parseDuration(grace);
  } catch (error) {
    throw new Error(`NodeClaim "${name}": spec.terminationGracePeriod: ${(error as Error).message}`, { cause: error });
  }
}
