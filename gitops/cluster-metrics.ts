// The metrics of Git → cluster and of the audit trail beside Karpenter, in the registry passed in. Label values come
// from small closed sets (kinds, results, event kinds), never object names.
import { Counter, Gauge, type Registry } from "prom-client";

export interface ClusterSyncMetrics {
  /** Server-side applies by kind and result (created, updated, reverted, failed). */
  applies: Counter<"kind" | "result">;
  /** Objects found drifted (an out-of-band change to a field Git sets), by kind. */
  drift: Counter<"kind">;
  /** Objects removed from Git and deleted, by kind. */
  pruned: Counter<"kind">;
  /** Objects removed from Git and left in the cluster, by kind, as of the last sync. */
  leftInPlace: Gauge<"kind">;
  /** What Karpenter did, recorded in the status branch, by event kind. */
  audited: Counter<"event">;
}

export function createClusterSyncMetrics(registry: Registry): ClusterSyncMetrics {
  const registers = [registry];
  return {
    applies: new Counter({
      name: "poolkeeper_cluster_applies_total",
      help: "Server-side applies of NodePools and EC2NodeClasses by kind and result (created, updated, reverted, failed).",
      labelNames: ["kind", "result"],
      registers,
    }),
    drift: new Counter({
      name: "poolkeeper_cluster_drift_total",
      help: "Objects found changed outside Git (a field Git sets, taken or removed by another manager), by kind.",
      labelNames: ["kind"],
      registers,
    }),
    pruned: new Counter({
      name: "poolkeeper_cluster_pruned_total",
      help: "Objects removed from Git and deleted from the cluster (prune opted in), by kind.",
      labelNames: ["kind"],
      registers,
    }),
    leftInPlace: new Gauge({
      name: "poolkeeper_cluster_removed_objects",
      help: "Objects removed from Git and left in the cluster (prune not opted in, or still referenced), by kind.",
      labelNames: ["kind"],
      registers,
    }),
    audited: new Counter({
      name: "poolkeeper_karpenter_audit_events_total",
      help: "What Karpenter did (NodeClaims created, initialized, disrupted), recorded in the status branch, by event kind.",
      labelNames: ["event"],
      registers,
    }),
  };
}
