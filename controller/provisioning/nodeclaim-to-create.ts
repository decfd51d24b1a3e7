/**
 * The NodeClaim provisioning creates: the scheduled claim's manifest (nodeclaim-manifest.ts) with what Karpenter
 * adds before the create (core:pkg/controllers/provisioning/provisioner.go `Create`, nodeclaimtemplate.go): the
 * `karpenter.sh/termination` finalizer, so its instance is terminated before it goes, and the NodePool hash
 * annotations drift compares. Ours beside them: the Git commit the desired NodePools were read at, which rollout
 * progress counts nodes by (kubernetes-sigs/karpenter#1785: Karpenter records no such thing).
 */
import type { NodeClaim } from "../../api/index.ts";
import { TERMINATION_FINALIZER } from "../nodeclaim/index.ts";
import { nodeClaimManifest } from "./nodeclaim-manifest.ts";
import { nodePoolHashAnnotations } from "./nodepool-hash.ts";
import type { NewNodeClaim } from "./scheduler.ts";

export const ANNOTATION_SOURCE_COMMIT = "poolkeeper.dev/source-commit";

export function nodeClaimToCreate(claim: NewNodeClaim, sourceCommit?: string): NodeClaim {
  const manifest = nodeClaimManifest(claim);
  manifest.metadata.finalizers = [TERMINATION_FINALIZER];
  manifest.metadata.annotations = {
    ...manifest.metadata.annotations,
    ...nodePoolHashAnnotations(claim.nodePool.nodePool),
    ...(sourceCommit === undefined ? {} : { [ANNOTATION_SOURCE_COMMIT]: sourceCommit }),
  };
  return manifest;
}
