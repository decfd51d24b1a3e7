// What a pool change would do to a cluster before it merges (`poolkeeper plan`), and the ClusterSnapshot it reads
// (`poolkeeper snapshot`). See docs/plan.md.
export {
  type ClusterSnapshotDocument,
  parseClusterSnapshot,
  SNAPSHOT_API_VERSION,
  SNAPSHOT_KIND,
  type SnapshotOffering,
} from "./cluster-snapshot.ts";
export { exportClusterSnapshot, offeringsOf, type SnapshotObjects } from "./snapshot-export.ts";
export { type LoadedSnapshot, loadSnapshot } from "./snapshot-state.ts";
export type { CapacityOutcome, HeldPod, LaunchSummary } from "./capacity-preview.ts";
export type { ConsolidationOutcome } from "./consolidation-preview.ts";
export { DRIFT_WAVE_MINUTES, type PoolDrift } from "./drift-preview.ts";
export type { LimitOutcome } from "./limits-preview.ts";
export type { Before, NodeClassChange, ObjectChange, PoolChange, PoolSide } from "./pool-changes.ts";
export { type ChangePreview, type ClusterPreview, type CostOutcome, previewChange } from "./preview.ts";
