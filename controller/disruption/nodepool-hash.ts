/**
 * The NodePool's static hash (Karpenter's core:pkg/apis/v1/nodepool.go `Hash`, annotations
 * `karpenter.sh/nodepool-hash` and `-hash-version` on each NodeClaim it launches): `spec.template` without
 * `requirements`, which drift compares by compatibility instead. A change to the template's labels, annotations,
 * taints, startup taints, expireAfter, terminationGracePeriod or nodeClassRef changes the hash and drifts every
 * NodeClaim; weight, limits and disruption settings are behaviour and do not. The hash's value is ours (the same
 * stable hash as the EC2NodeClass's); the version says so, and a NodeClaim carrying another version is not drifted.
 * `poolkeeper.dev/source-commit` records the Git commit the template came from, for rollout progress.
 */
import type { NodeClaim, NodePool } from "../../api/index.ts";
import { stableHash } from "../../cloudprovider/index.ts";

export const ANNOTATION_NODE_POOL_HASH = "karpenter.sh/nodepool-hash";
export const ANNOTATION_NODE_POOL_HASH_VERSION = "karpenter.sh/nodepool-hash-version";
export const NODE_POOL_HASH_VERSION = "poolkeeper-v1";
export const ANNOTATION_SOURCE_COMMIT = "poolkeeper.dev/source-commit";

export function nodePoolHash(nodePool: NodePool): string {
  const { metadata, spec } = nodePool.spec.template;
  const { requirements: _ignored, ...hashed } = spec;
  return stableHash({ metadata: metadata ?? {}, spec: hashed }).slice(0, 16);
}

/** The annotations a NodeClaim launched from this NodePool (at this commit) carries. */
export function nodePoolAnnotations(nodePool: NodePool, commit: string | undefined): Record<string, string> {
  return {
    [ANNOTATION_NODE_POOL_HASH]: nodePoolHash(nodePool),
    [ANNOTATION_NODE_POOL_HASH_VERSION]: NODE_POOL_HASH_VERSION,
    ...(commit === undefined ? {} : { [ANNOTATION_SOURCE_COMMIT]: commit }),
  };
}

/** Whether the NodeClaim was launched from a different template than the NodePool's now (same hash version only). */
export function templateDrifted(nodeClaim: NodeClaim, nodePool: NodePool): boolean {
  const annotations = nodeClaim.metadata.annotations ?? {};
  if (annotations[ANNOTATION_NODE_POOL_HASH_VERSION] !== NODE_POOL_HASH_VERSION) return false;
  const hash = annotations[ANNOTATION_NODE_POOL_HASH];
  return hash !== undefined && hash !== nodePoolHash(nodePool);
}
