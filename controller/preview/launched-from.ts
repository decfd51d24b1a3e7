/**
 * A node as if launched from a given NodePool: its NodeClaim carries that pool's hash annotations (what
 * provisioning writes at launch, `nodePoolAnnotations`), and the cloud provider's drift answer is the one given. The
 * preview judges each node this way against the base and the head, so a difference is the change's doing alone.
 */
import type { NodeClaim, NodePool } from "../../api/index.ts";
import type { DriftReason } from "../../cloudprovider/index.ts";
import { type DisruptionNode, nodePoolAnnotations } from "../disruption/index.ts";
import { LABEL_NODE_POOL } from "../provisioning/index.ts";

export function launchedFrom(
  n: DisruptionNode,
  pool: NodePool | undefined,
  cloudDrift: DriftReason | undefined,
): DisruptionNode {
  const nodeClaim: NodeClaim =
    pool === undefined
      ? n.nodeClaim
      : {
          ...n.nodeClaim,
          metadata: {
            ...n.nodeClaim.metadata,
            annotations: { ...n.nodeClaim.metadata.annotations, ...nodePoolAnnotations(pool, undefined) },
          },
        };
  const { cloudDrift: _dropped, ...rest } = n;
  return { ...rest, nodeClaim, ...(cloudDrift === undefined ? {} : { cloudDrift }) };
}

/** The node's `karpenter.sh/nodepool`. */
export function poolOf(n: DisruptionNode): string | undefined {
  return n.nodeClaim.metadata.labels?.[LABEL_NODE_POOL] ?? n.node.metadata.labels?.[LABEL_NODE_POOL];
}
