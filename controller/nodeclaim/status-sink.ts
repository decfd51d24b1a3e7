// Where the NodeClaim lifecycle's and garbage collection's deletions go in the Git status report: gitops's
// StatusPublisher satisfies this (its `record` takes any status event kind), so the controller needs no more of
// gitops than the shape. They act without a NodePool change or a disruption decision behind them, so the report is
// the only place a reader of the status branch learns why a NodeClaim or an instance went away.
import { LABEL_NODE_POOL } from "../provisioning/nodepool-template.ts";

/**
 * `timed-out`: a NodeClaim deleted by the launch or registration timeout (Karpenter's lifecycle liveness);
 * `garbage-collected`: a leaked instance terminated, or a NodeClaim whose instance is gone deleted (Karpenter's
 * nodeclaim garbage collection).
 */
export interface NodeClaimStatusEvent {
  kind: "timed-out" | "garbage-collected";
  pool?: string;
  /** The NodeClaim (for a leaked instance, the NodeClaim its tag names). */
  node?: string;
  /** One sentence, no secrets (it is copied into commit trailers). */
  reason: string;
}

export interface NodeClaimStatusSink {
  record(event: NodeClaimStatusEvent): void;
}

/** The event's `pool` field: the NodePool a NodeClaim (or a listed instance) is labelled with, when it is. */
export function poolOf(nodeClaim: { metadata: { labels?: Record<string, string> } }): { pool?: string } {
  const pool = nodeClaim.metadata.labels?.[LABEL_NODE_POOL];
  return pool === undefined || pool === "" ? {} : { pool };
}
