/**
 * Drift by the NodePool's static hash (Karpenter's core:pkg/controllers/nodeclaim/disruption drift.go
 * `areStaticFieldsDrifted`): a NodeClaim carrying the same `karpenter.sh/nodepool-hash-version` as the NodePool
 * has drifted when its `karpenter.sh/nodepool-hash` differs from the NodePool's. The hash itself is provisioning's
 * (`nodePoolHashAnnotations`: Karpenter's own when its hash controller wrote one on the NodePool, else ours over the
 * template without the `hash:"ignore"` fields), so what a NodeClaim is created with and what drift compares are one
 * function. `poolkeeper.dev/source-commit` (provisioning's, written by both) records the Git commit the template came
 * from, for rollout progress.
 */
import type { NodeClaim, NodePool } from "../../api/index.ts";
import {
  ANNOTATION_NODE_POOL_HASH,
  ANNOTATION_NODE_POOL_HASH_VERSION,
  ANNOTATION_SOURCE_COMMIT,
  nodePoolHashAnnotations,
} from "../provisioning/index.ts";

export { ANNOTATION_NODE_POOL_HASH, ANNOTATION_NODE_POOL_HASH_VERSION, ANNOTATION_SOURCE_COMMIT };

/** The hash NodeClaims launched from this NodePool now carry. */
export function nodePoolHash(nodePool: NodePool): string {
  return nodePoolHashAnnotations(nodePool)[ANNOTATION_NODE_POOL_HASH] ?? "";
}

/** The annotations a NodeClaim launched from this NodePool (at this commit) carries. */
export function nodePoolAnnotations(nodePool: NodePool, commit: string | undefined): Record<string, string> {
  return {
    ...nodePoolHashAnnotations(nodePool),
    ...(commit === undefined ? {} : { [ANNOTATION_SOURCE_COMMIT]: commit }),
  };
}

/** Whether the NodeClaim was launched from a different template than the NodePool's now (same hash version only). */
export function templateDrifted(nodeClaim: NodeClaim, nodePool: NodePool): boolean {
  const claimed = nodeClaim.metadata.annotations ?? {};
  const current = nodePoolHashAnnotations(nodePool);
  if (claimed[ANNOTATION_NODE_POOL_HASH_VERSION] !== current[ANNOTATION_NODE_POOL_HASH_VERSION]) return false;
  const hash = claimed[ANNOTATION_NODE_POOL_HASH];
  return hash !== undefined && hash !== current[ANNOTATION_NODE_POOL_HASH];
}
