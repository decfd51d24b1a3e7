/**
 * Rollout progress, the GitOps health signal Karpenter lacks (kubernetes-sigs/karpenter#1785): per NodePool, how
 * many of its nodes run the current template (not drifted) out of all, and how many were launched from each Git
 * commit (`poolkeeper.dev/source-commit`). Done when every node is current.
 */
import type { NodePool } from "../../api/index.ts";
import { driftReason } from "./drift.ts";
import type { NodeFacts } from "./node-facts.ts";
import { ANNOTATION_SOURCE_COMMIT } from "./nodepool-hash.ts";

export interface RolloutProgress {
  readonly nodePool: string;
  /** The desired state's commit, when known. */
  readonly commit: string | undefined;
  readonly current: number;
  readonly total: number;
  /** Nodes by the commit they were launched from; "unknown" for nodes without the annotation. */
  readonly byCommit: Readonly<Record<string, number>>;
  readonly done: boolean;
  /** "3 of 5 nodes on the current template (commit abc1234: 3, 9f8e7d6: 2)". */
  readonly message: string;
}

export function rolloutProgress(
  nodePool: NodePool,
  nodes: readonly NodeFacts[],
  commit: string | undefined,
): RolloutProgress {
  const name = nodePool.metadata?.name ?? "";
  const own = nodes.filter((n) => n.nodePool === name && !n.deleting);
  const current = own.filter((n) => driftReason(n, nodePool) === undefined).length;
  const byCommit: Record<string, number> = {};
  for (const n of own) {
    const from = n.source.nodeClaim.metadata.annotations?.[ANNOTATION_SOURCE_COMMIT] ?? "unknown";
    byCommit[from] = (byCommit[from] ?? 0) + 1;
  }
  const counts = Object.entries(byCommit)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([c, n]) => `${c === "unknown" ? c : c.slice(0, 7)}: ${n}`)
    .join(", ");
  const at = commit === undefined ? "" : ` at ${commit.slice(0, 7)}`;
  return {
    nodePool: name,
    commit,
    current,
    total: own.length,
    byCommit,
    done: current === own.length,
    message: `${current} of ${own.length} nodes on the current template${at}${counts === "" ? "" : ` (by commit ${counts})`}`,
  };
}
