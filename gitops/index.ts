// The Git gate and the audit trail: the Git source, the gate and the syncer that keeps the last good state, the
// status publisher and writer, the push-hook server, the history read back from the status branch, and Git → cluster
// (server-side apply, drift, prune) with the audit of what Karpenter did beside it.
export { createClusterSyncMetrics, type ClusterSyncMetrics } from "./cluster-metrics.ts";
export { FIELD_MANAGER, PRUNE_ANNOTATION } from "./cluster-plan.ts";
export { parseCacheSize } from "./cache-size.ts";
export { CLUSTER_SYNC_RESOURCES, ClusterSync, type ClusterSyncResult } from "./cluster-sync.ts";
export { type AllowedSigner, parseAllowedSigners } from "./commit-signature.ts";
export { configDefaults, loadConfig, type PoolkeeperConfig } from "./config.ts";
export {
  fetchStatusHistory,
  type HistoryEntry,
  filterTimeline,
  renderTimeline,
  type TimelineFilter,
  type TimelineFormat,
} from "./history.ts";
export { exposedGc, heapRelease } from "./heap-release.ts";
export { createHookServer, DEFAULT_HOOK_RATE_LIMIT, type HookServer } from "./hook-server.ts";
export { KARPENTER_AUDIT_RESOURCES, KarpenterAudit } from "./karpenter-audit.ts";
export { countStatusWrite, createSyncMetrics } from "./metrics.ts";
export { runtimeConfigAt } from "./runtime-config.ts";
export { displayRemote, openSource, type SourceCredentials, SourceError, type SourceFile } from "./source.ts";
export {
  type DriftProgress,
  NO_LIVE_STATUS,
  type PoolLiveStatus,
  STATUS_EVENT_KINDS,
  type StatusEventKind,
  withLiveStatus,
} from "./status-model.ts";
export { type PoolLiveSource, StatusPublisher } from "./status-publisher.ts";
export { countPools, karpenterPoolStatus, type PoolNode } from "./pool-live-status.ts";
export { createStatusWriter } from "./status-writer.ts";
export { startSyncLoop } from "./sync-loop.ts";
export { Syncer, type SyncResult } from "./sync.ts";
