/**
 * The `karpenter.sh/nodepool-hash` annotations a NodeClaim is created with (Karpenter's `NodeClaimTemplate.
 * ToNodeClaim` sets `NodePool.Hash()` and `NodePoolHashVersion`), which drift compares with the NodePool's later.
 * Karpenter's nodepool hash controller writes the same hash on the NodePool: when it is there it is copied, so
 * NodeClaims made here and by Karpenter compare alike; otherwise it is computed over the template with the fields
 * Karpenter's hash ignores (`hash:"ignore"`: requirements, expireAfter, terminationGracePeriod) left out — JSON with
 * sorted keys and SHA-256 where Karpenter uses mitchellh/hashstructure: the values differ, the property is the same.
 */
import { createHash } from "node:crypto";
import type { NodePool } from "../../api/index.ts";

export const ANNOTATION_NODE_POOL_HASH = "karpenter.sh/nodepool-hash";
export const ANNOTATION_NODE_POOL_HASH_VERSION = "karpenter.sh/nodepool-hash-version";
/** Karpenter v1's `NodePoolHashVersion`. */
export const NODE_POOL_HASH_VERSION = "v3";

export function nodePoolHashAnnotations(nodePool: NodePool): Record<string, string> {
  const annotations = nodePool.metadata?.annotations ?? {};
  const written = annotations[ANNOTATION_NODE_POOL_HASH];
  if (written !== undefined) {
    return {
      [ANNOTATION_NODE_POOL_HASH]: written,
      [ANNOTATION_NODE_POOL_HASH_VERSION]: annotations[ANNOTATION_NODE_POOL_HASH_VERSION] ?? NODE_POOL_HASH_VERSION,
    };
  }
  return {
    [ANNOTATION_NODE_POOL_HASH]: nodePoolHash(nodePool),
    [ANNOTATION_NODE_POOL_HASH_VERSION]: NODE_POOL_HASH_VERSION,
  };
}

export function nodePoolHash(nodePool: NodePool): string {
  const { requirements: _r, expireAfter: _e, terminationGracePeriod: _t, ...spec } = nodePool.spec.template.spec;
  const hashed = { metadata: nodePool.spec.template.metadata ?? {}, spec };
  return BigInt(`0x${createHash("sha256").update(canonicalJson(hashed)).digest("hex").slice(0, 16)}`).toString();
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
