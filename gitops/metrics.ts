// The GitOps controller's Prometheus metrics, in a registry passed in (one per controller, so tests can run
// several). Every label value comes from a small closed set.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { StatusWriteOutcome } from "./status-publisher.ts";

export type SyncOutcome = "accepted" | "rejected" | "unchanged" | "failed";

export interface SyncMetrics {
  /** Syncs by outcome: a new head accepted or rejected, the head unchanged, or the fetch failed. */
  syncs: Counter<"result">;
  duration: Histogram;
  /** 1 while the branch head is accepted, 0 while it is rejected (the last good state applies). */
  headAccepted: Gauge;
  /** Unix time of the last sync that reached the remote. */
  lastSuccess: Gauge;
  /** Force-pushes seen on the followed branch. */
  rewrites: Counter;
  statusWrites: Counter<"result">;
  /** Events recorded and not yet in a commit. */
  statusPendingEvents: Gauge;
  /** What each cache of the Git side holds, in bytes (cache-size.ts). */
  cacheBytes: Gauge<"cache">;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  const registers = [registry];
  return {
    syncs: new Counter({
      name: "poolkeeper_gitops_syncs_total",
      help: "Syncs of the desired-state branch by result (accepted, rejected, unchanged, failed).",
      labelNames: ["result"],
      registers,
    }),
    duration: new Histogram({
      name: "poolkeeper_gitops_sync_duration_seconds",
      help: "Time of one sync: fetch, read, policy evaluation.",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    headAccepted: new Gauge({
      name: "poolkeeper_gitops_head_accepted",
      help: "1 while the branch head is accepted; 0 while it is rejected and the last good state applies.",
      registers,
    }),
    lastSuccess: new Gauge({
      name: "poolkeeper_gitops_last_successful_sync_timestamp_seconds",
      help: "Unix time of the last sync that reached the Git remote.",
      registers,
    }),
    rewrites: new Counter({
      name: "poolkeeper_gitops_history_rewrites_total",
      help: "Force-pushes (rewritten history) seen on the desired-state branch.",
      registers,
    }),
    statusWrites: new Counter({
      name: "poolkeeper_gitops_status_writes_total",
      help: "Status writes by result (pushed, unchanged, pending: committed locally, failed).",
      labelNames: ["result"],
      registers,
    }),
    statusPendingEvents: new Gauge({
      name: "poolkeeper_gitops_status_pending_events",
      help: "Status events recorded and not yet committed.",
      registers,
    }),
    cacheBytes: new Gauge({
      name: "poolkeeper_cache_bytes",
      help: "Bytes held by each cache of the Git side (blobs, trees, packs, gate), after the last sync.",
      labelNames: ["cache"],
      registers,
    }),
  };
}

export function countStatusWrite(metrics: SyncMetrics | undefined, outcome: StatusWriteOutcome): void {
  metrics?.statusWrites.inc({ result: outcome });
}
